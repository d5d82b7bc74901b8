// SPDX-License-Identifier: GPL-2.0
/*
 * execloop N PATH [ARG]: fork and execve PATH N times, waiting for each;
 * prints the mean guest nanoseconds per fork+exec. A PATH with "%d" in it
 * names a different file each time: PATH with %d replaced by 0 .. N-1. Under
 * qemu -icount shift=0 a guest nanosecond is one executed instruction.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

int main(int argc, char **argv)
{
	struct timespec a, b;
	char *args[3], path[4096];
	long i, n;
	int status;

	if (argc < 3) {
		fprintf(stderr, "usage: execloop N PATH [ARG]\n");
		return 2;
	}
	n = atol(argv[1]);
	args[0] = argv[2];
	args[1] = argc > 3 ? argv[3] : NULL;
	args[2] = NULL;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return 1;
		if (!pid) {
			snprintf(path, sizeof(path), argv[2], (int)i);
			args[0] = path;
			execv(args[0], args);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.0f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n);
	return 0;
}
