/* SPDX-License-Identifier: GPL-2.0 */
/* <linux/mutex.h> for userspace: see ../kcompat.h. */
#include "../kcompat.h"
