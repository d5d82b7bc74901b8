/* SPDX-License-Identifier: GPL-2.0 */
/* <linux/fs.h> for userspace: see ../kcompat.h. */
#include "../kcompat.h"
