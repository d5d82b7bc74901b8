// SPDX-License-Identifier: GPL-2.0
/*
 * readloop N PATH [PASSES]: open, read to the end and close PATH N times,
 * PASSES times over (default 1); prints the mean guest nanoseconds per open.
 * A PATH with "%d" in it names a different file each time (%d = 0 .. N-1).
 * Under qemu -icount shift=0 a guest nanosecond is one executed
 * instruction; a pass over 1,000 small files is about 13 ms of it, so
 * whether a timer tick or two falls into it shows: more passes average
 * that out.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* One pass: open, read and close the N files. Return: 0, or -1. */
static int pass(long n, const char *fmt, char *buf, size_t size)
{
	char path[4096];
	ssize_t r;
	long i;
	int fd;

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), fmt, (int)i);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return -1;
		while ((r = read(fd, buf, size)) > 0)
			;
		close(fd);
		if (r < 0)
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static char buf[65536];
	struct timespec a, b;
	long k, n, passes;

	if (argc < 3) {
		fprintf(stderr, "usage: readloop N PATH [PASSES]\n");
		return 2;
	}
	n = atol(argv[1]);
	passes = argc > 3 ? atol(argv[3]) : 1;
	if (n < 1 || passes < 1) {
		fprintf(stderr, "readloop: N and PASSES must be positive\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (k = 0; k < passes; k++)
		if (pass(n, argv[2], buf, sizeof(buf)))
			return 1;
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.0f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) /
	       ((double)n * passes));
	return 0;
}
