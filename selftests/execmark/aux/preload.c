// SPDX-License-Identifier: GPL-2.0
/* An LD_PRELOAD library for the selftests: says when it is loaded. */
#include <stdio.h>

__attribute__((constructor)) static void preloaded(void)
{
	printf("preload constructor ran\n");
}
