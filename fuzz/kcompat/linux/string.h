/* SPDX-License-Identifier: GPL-2.0 */
/* <linux/string.h> for userspace: see ../kcompat.h. */
#include "../kcompat.h"
