// SPDX-License-Identifier: GPL-2.0
/*
 * Raw access to security.execmark for the helper's tests, where neither
 * getfattr nor setfattr exists (busybox):
 *
 *   xattr-tool get PATH        print the value in hex; exit 1 if there is none
 *   xattr-tool set PATH HEX    set the value to the bytes HEX (may be empty)
 *   xattr-tool valid HEX       exit 0 if execmark_mark_valid() accepts HEX
 *   xattr-tool parse HEX       print "VERSION KIND ALGO FLAGS DIGEST SIGHEX" as
 *                              execmark_mark_parse() sees HEX (SIGHEX "-" if
 *                              unsigned); exit 1 if it refuses it
 *   xattr-tool sigmsg HEX      print in hex the message execmark_sig_message()
 *                              makes of the mark HEX
 *   xattr-tool unhex HEX       write the bytes HEX to standard output
 *   xattr-tool ctime PATH      print the inode's ctime in nanoseconds
 *   xattr-tool nobody CMD...   run CMD as uid and gid 65534, no groups
 *   xattr-tool mapwrite PATH MS  map PATH shared and writable, close it, and
 *                              write through the mapping for MS ms
 *
 * Symbolic links are not followed.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "execmark.h"

static int unhex(unsigned char *out, size_t max, const char *hex)
{
	size_t n = strlen(hex);
	unsigned int b;

	if (n % 2 || n / 2 > max)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			return -1;
		out[i] = b;
	}
	return n / 2;
}

int main(int argc, char **argv)
{
	unsigned char buf[4096];
	ssize_t n;
	struct execmark_parsed p;

	if (argc == 3 && !strcmp(argv[1], "get")) {
		n = lgetxattr(argv[2], EXECMARK_XATTR_NAME, buf, sizeof(buf));
		if (n < 0) {
			if (errno == ENODATA)
				return 1;
			perror(argv[2]);
			return 2;
		}
		for (ssize_t i = 0; i < n; i++)
			printf("%02x", buf[i]);
		putchar('\n');
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "set")) {
		n = unhex(buf, sizeof(buf), argv[3]);
		if (n < 0) {
			fprintf(stderr, "bad hex: %s\n", argv[3]);
			return 2;
		}
		if (lsetxattr(argv[2], EXECMARK_XATTR_NAME, buf, n, 0)) {
			perror(argv[2]);
			return 2;
		}
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "valid")) {
		n = unhex(buf, sizeof(buf), argv[2]);
		return n >= 0 && execmark_mark_valid(buf, n) ? 0 : 1;
	}
	if (argc == 3 && (!strcmp(argv[1], "parse") || !strcmp(argv[1], "sigmsg"))) {
		unsigned char msg[EXECMARK_SIG_MSG_MAX];
		unsigned int len;

		n = unhex(buf, sizeof(buf), argv[2]);
		if (n < 0 || execmark_mark_parse(buf, n, &p))
			return 1;
		if (!strcmp(argv[1], "sigmsg")) {
			len = execmark_sig_message(&p, msg);
			for (unsigned int i = 0; i < len; i++)
				printf("%02x", msg[i]);
			putchar('\n');
			return 0;
		}
		printf("%u %u %u %u ", p.version, p.kind, p.algo, p.flags);
		for (unsigned int i = 0; i < p.dsize; i++)
			printf("%02x", p.digest[i]);
		putchar(' ');
		for (unsigned int i = 0; i < p.sig_len; i++)
			printf("%02x", p.sig[i]);
		puts(p.sig_len ? "" : "-");
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "unhex")) {
		n = unhex(buf, sizeof(buf), argv[2]);
		return n < 0 || fwrite(buf, 1, n, stdout) != (size_t)n ||
		       fflush(stdout) ? 2 : 0;
	}
	if (argc == 3 && !strcmp(argv[1], "ctime")) {
		struct stat st;

		if (lstat(argv[2], &st)) {
			perror(argv[2]);
			return 2;
		}
		printf("%lld%09ld\n", (long long)st.st_ctim.tv_sec,
		       st.st_ctim.tv_nsec);
		return 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "nobody")) {
		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534)) {
			perror("dropping privileges");
			return 2;
		}
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		return 127;
	}
	if (argc == 4 && !strcmp(argv[1], "mapwrite")) {
		struct timespec ts = { 0, 1000000 };
		long ms = atol(argv[3]);
		int fd = open(argv[2], O_RDWR);
		unsigned char *p;
		struct stat st;

		if (fd < 0 || fstat(fd, &st) || !st.st_size) {
			perror(argv[2]);
			return 2;
		}
		p = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED) {
			perror("mmap");
			return 2;
		}
		close(fd);	/* the mapping alone writes */
		printf("mapped\n");
		fflush(stdout);
		for (long i = 0; i < ms; i++) {
			p[(i * 4099) % st.st_size]++;
			nanosleep(&ts, NULL);
		}
		return munmap(p, st.st_size) ? 2 : 0;
	}
	fputs("usage: xattr-tool get PATH | set PATH HEX | valid HEX | parse HEX | sigmsg HEX | unhex HEX | ctime PATH | nobody CMD... | mapwrite PATH MS\n",
	      stderr);
	return 2;
}
