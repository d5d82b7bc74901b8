/* SPDX-License-Identifier: GPL-2.0 */
/* <linux/kernel.h> for userspace: see ../kcompat.h. */
#include "../kcompat.h"
