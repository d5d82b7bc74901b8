/* SPDX-License-Identifier: GPL-2.0 */
/* <linux/seqlock.h> for userspace: see ../kcompat.h. */
#include "../kcompat.h"
