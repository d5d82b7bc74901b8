/* SPDX-License-Identifier: GPL-2.0 */
/* <linux/sched/signal.h> for userspace: see ../../kcompat.h. */
#include "../../kcompat.h"
