/* SPDX-License-Identifier: GPL-2.0 */
/* <linux/sprintf.h> for userspace: see ../kcompat.h. */
#include "../kcompat.h"
