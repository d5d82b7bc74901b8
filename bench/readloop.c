// SPDX-License-Identifier: GPL-2.0
/*
 * readloop N PATH: open, read to the end and close PATH N times; prints the
 * mean guest nanoseconds per file. A PATH with "%d" in it names a different
 * file each time (%d = 0 .. N-1). Under qemu -icount shift=0 a guest
 * nanosecond is one executed instruction.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec a, b;
	char path[4096], buf[65536];
	long i, n;
	ssize_t r;
	int fd;

	if (argc < 3) {
		fprintf(stderr, "usage: readloop N PATH\n");
		return 2;
	}
	n = atol(argv[1]);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), argv[2], (int)i);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return 1;
		while ((r = read(fd, buf, sizeof(buf))) > 0)
			;
		close(fd);
		if (r < 0)
			return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.0f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n);
	return 0;
}
