/* SPDX-License-Identifier: GPL-2.0 */
/* <linux/sort.h> for userspace: see ../kcompat.h. */
#include "../kcompat.h"
