/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by execmark's selftests: the securityfs files, marks,
 * running programs, reading denial events.
 */
#ifndef _EXECMARK_SELFTEST_COMMON_H
#define _EXECMARK_SELFTEST_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <linux/capability.h>
#include <openssl/evp.h>

#include <linux/execmark.h>

#ifndef AT_EXECVE_CHECK
#define AT_EXECVE_CHECK 0x10000
#endif

#define XM_SECFS	"/sys/kernel/security/execmark/"
#define XM_AUX		"/usr/lib/execmark/aux/"
#define XM_BUSYBOX	"/usr/bin/busybox"
#define XM_LDSO		"/lib64/ld-linux-x86-64.so.2"

static inline int xm_read(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

static inline int xm_write(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	if (n < 0)
		return -errno;
	return n == (ssize_t)strlen(s) ? 0 : -EIO;
}

static inline int xm_set_mode(const char *mode)
{
	return xm_write(XM_SECFS "mode", mode);
}

/* One counter of the stats file, or -1. */
static inline long long xm_stat(const char *key)
{
	char buf[1024], *p;
	size_t klen = strlen(key);

	if (xm_read(XM_SECFS "stats", buf, sizeof(buf)))
		return -1;
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p)
		if (!strncmp(p, key, klen) && p[klen] == ' ')
			return atoll(p + klen + 1);
	return -1;
}

/* Drop one capability from the effective set. Return: 0 or -errno. */
static inline int xm_drop_cap(int cap)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -errno;
	d[cap / 32].effective &= ~(1u << (cap % 32));
	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

/* The SHA-256 mark of a file's current content. */
static inline int xm_mark_value(const char *path, unsigned char *mark)
{
	unsigned char buf[65536];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int dlen = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0 || !ctx) {
		if (fd >= 0)
			close(fd);
		EVP_MD_CTX_free(ctx);
		return -EIO;
	}
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		EVP_DigestUpdate(ctx, buf, n);
	close(fd);
	mark[0] = EXECMARK_FORMAT_V1;
	mark[1] = HASH_ALGO_SHA256;
	EVP_DigestFinal_ex(ctx, mark + EXECMARK_HDR_SIZE, &dlen);
	EVP_MD_CTX_free(ctx);
	return n < 0 || dlen != EXECMARK_SHA256_SIZE ? -EIO : 0;
}

static inline int xm_mark(const char *path)
{
	unsigned char mark[EXECMARK_HDR_SIZE + EXECMARK_SHA256_SIZE];

	if (xm_mark_value(path, mark))
		return -EIO;
	return setxattr(path, EXECMARK_XATTR_NAME, mark, sizeof(mark), 0) ? -errno : 0;
}

static inline int xm_copy(const char *src, const char *dst, mode_t mode)
{
	char buf[65536];
	int in = open(src, O_RDONLY | O_CLOEXEC), out;
	ssize_t n = -1;

	if (in < 0)
		return -errno;
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (out >= 0) {
		while ((n = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, n) != n) {
				n = -1;
				break;
			}
		close(out);
	}
	close(in);
	return out < 0 || n < 0 ? -EIO : 0;
}

static inline int xm_write_file(const char *path, const char *s, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -EIO;
}

static inline int xm_append(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -EIO;
}

/*
 * Run a program, its output into @out (if not NULL).
 * Return: its exit status, 128 + signal, or -errno if execve failed.
 */
static inline int xm_run(char *const argv[], char *const envp[], char *out,
			 size_t outsz)
{
	int errpipe[2], outpipe[2], status, err = 0;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	if (pipe2(errpipe, O_CLOEXEC) || pipe(outpipe))
		return -EPIPE;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		dup2(outpipe[1], 1);
		dup2(outpipe[1], 2);
		close(outpipe[0]);
		close(outpipe[1]);
		execve(argv[0], argv, envp);
		err = errno;
		if (write(errpipe[1], &err, sizeof(err)) < 0)
			_exit(126);
		_exit(127);
	}
	close(errpipe[1]);
	close(outpipe[1]);
	/* Read all of it, keeping what fits: the child never sees EPIPE. */
	for (;;) {
		char scratch[4096];

		if (out && len + 1 < outsz)
			n = read(outpipe[0], out + len, outsz - len - 1);
		else
			n = read(outpipe[0], scratch, sizeof(scratch));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (out && len + 1 < outsz)
			len += n;
	}
	if (out)
		out[len] = '\0';
	close(outpipe[0]);
	if (read(errpipe[0], &err, sizeof(err)) != sizeof(err))
		err = 0;
	close(errpipe[0]);
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (err)
		return -err;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static inline int xm_execveat_check(int dirfd, const char *path, int flags)
{
	char *const argv[] = { (char *)path, NULL }, *const envp[] = { NULL };

	return syscall(SYS_execveat, dirfd, path, argv, envp, flags) ? -errno : 0;
}

/* AT_EXECVE_CHECK of a path. Return: 0 or -errno. */
static inline int xm_check(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = xm_execveat_check(fd, "", AT_EMPTY_PATH | AT_EXECVE_CHECK);
	close(fd);
	return ret;
}

/* mmap(PROT_READ | PROT_EXEC) of a path. Return: 0 or -errno. */
static inline int xm_mmap_exec(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = 0;
	void *p;

	if (fd < 0)
		return -errno;
	p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		ret = -errno;
	else
		munmap(p, 4096);
	close(fd);
	return ret;
}

/* mmap(PROT_READ) then mprotect(+PROT_EXEC). Return: 0 or -errno. */
static inline int xm_mprotect_exec(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = 0;
	void *p;

	if (fd < 0)
		return -errno;
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -errno;
	if (mprotect(p, 4096, PROT_READ | PROT_EXEC))
		ret = -errno;
	munmap(p, 4096);
	return ret;
}

/* The events file, non-blocking; emptied of what came before. */
static inline int xm_events_open(void)
{
	char buf[65536];
	int fd = open(XM_SECFS "events", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		while (read(fd, buf, sizeof(buf)) > 0)
			;
	return fd;
}

/* All events available now, as text (empty when none). */
static inline size_t xm_events_read(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;

	while (len + 1 < size && (n = read(fd, buf + len, size - len - 1)) > 0)
		len += n;
	buf[len] = '\0';
	return len;
}

/* The value of key= in an event line, into @out. Return: 0 or -1. */
static inline int xm_field(const char *line, const char *key, char *out,
			   size_t size)
{
	const char *end = line + strcspn(line, "\n"), *p = line;
	size_t klen = strlen(key), n;

	while (p < end) {
		n = strcspn(p, " \n");
		if (n > klen && !strncmp(p, key, klen) && p[klen] == '=') {
			if (n - klen - 1 >= size)
				return -1;
			memcpy(out, p + klen + 1, n - klen - 1);
			out[n - klen - 1] = '\0';
			return 0;
		}
		p += n + 1;
	}
	return -1;
}

static inline int xm_count_lines(const char *buf)
{
	int n = 0;

	for (; *buf; buf++)
		n += *buf == '\n';
	return n;
}

/*
 * Expect the events read from @fd to be denials of one file: every line has
 * op, reason and path as given (path as the kernel encodes a printable
 * path: in quotes). Return: the number of lines, or -1 after logging.
 */
#define EXPECT_EVENTS(fd, op, reason, path) ({				\
	char __buf[65536], __v[4200], __want[4200];			\
	const char *__l;						\
	int __n;							\
	xm_events_read(fd, __buf, sizeof(__buf));			\
	__n = xm_count_lines(__buf);					\
	EXPECT_LT(0, __n) TH_LOG("no event for %s", path);		\
	snprintf(__want, sizeof(__want), "\"%s\"", path);		\
	for (__l = __buf; *__l; __l = strchr(__l, '\n') + 1) {		\
		EXPECT_EQ(0, xm_field(__l, "op", __v, sizeof(__v)));	\
		EXPECT_STREQ(op, __v);					\
		EXPECT_EQ(0, xm_field(__l, "reason", __v, sizeof(__v)));\
		EXPECT_STREQ(reason, __v);				\
		EXPECT_EQ(0, xm_field(__l, "path", __v, sizeof(__v)));	\
		EXPECT_STREQ(__want, __v) TH_LOG("event: %s", __l);	\
	}								\
	__n;								\
})

#define EXPECT_NO_EVENTS(fd) ({						\
	char __buf[65536];						\
	xm_events_read(fd, __buf, sizeof(__buf));			\
	EXPECT_STREQ("", __buf);					\
})

#endif /* _EXECMARK_SELFTEST_COMMON_H */
