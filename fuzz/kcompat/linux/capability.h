/* SPDX-License-Identifier: GPL-2.0 */
/* <linux/capability.h> for userspace: see ../kcompat.h. */
#include "../kcompat.h"
