// SPDX-License-Identifier: GPL-2.0
/* A dynamically linked program for the selftests: prints its name. */
#include <stdio.h>

int main(int argc, char **argv)
{
	printf("hello from %s\n", argc ? argv[0] : "?");
	return 0;
}
