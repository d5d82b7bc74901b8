/* SPDX-License-Identifier: GPL-2.0 */
/* <linux/rcupdate.h> for userspace: see ../kcompat.h. */
#include "../kcompat.h"
