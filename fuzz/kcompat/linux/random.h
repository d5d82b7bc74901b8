/* SPDX-License-Identifier: GPL-2.0 */
/* <linux/random.h> for userspace: see ../kcompat.h. */
#include "../kcompat.h"
