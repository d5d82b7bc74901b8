/* SPDX-License-Identifier: GPL-2.0 */
/* <linux/seq_file.h> for userspace: see ../kcompat.h. */
#include "../kcompat.h"
