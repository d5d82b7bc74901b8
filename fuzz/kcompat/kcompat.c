// SPDX-License-Identifier: GPL-2.0
/* The state of kcompat.h. */
#include "kcompat.h"

int kc_fail_allocs;
int kc_locks_held;
unsigned long kc_wakeups;
