/* SPDX-License-Identifier: GPL-2.0 */
/* <linux/unaligned.h> for userspace: see ../kcompat.h. */
#include "../kcompat.h"
