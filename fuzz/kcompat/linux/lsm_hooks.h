/* SPDX-License-Identifier: GPL-2.0 */
/* <linux/lsm_hooks.h> for userspace: see ../kcompat.h. */
#include "../kcompat.h"
