/* SPDX-License-Identifier: GPL-2.0 */
/* <linux/wait.h> for userspace: see ../kcompat.h. */
#include "../kcompat.h"
