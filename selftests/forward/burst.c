// SPDX-License-Identifier: GPL-2.0
/*
 * burst PATH N: mmap(PROT_READ | PROT_EXEC) of PATH, N times, as fast as
 * possible. Each attempt on an unmarked file in enforce mode is one denial
 * (EACCES) and one event. Prints
 *   denied=D allowed=A failed=F ns=T
 * and exits 0 when every attempt was denied with EACCES.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	unsigned long n, i, denied = 0, allowed = 0, failed = 0;
	unsigned long long start;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: burst PATH N\n");
		return 2;
	}
	n = strtoul(argv[2], NULL, 0);
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(argv[1]);
		return 2;
	}
	start = now_ns();
	for (i = 0; i < n; i++) {
		void *p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);

		if (p != MAP_FAILED) {
			munmap(p, 4096);
			allowed++;
		} else if (errno == EACCES) {
			denied++;
		} else {
			failed++;
		}
	}
	printf("denied=%lu allowed=%lu failed=%lu ns=%llu\n", denied, allowed,
	       failed, now_ns() - start);
	return denied == n ? 0 : 1;
}
