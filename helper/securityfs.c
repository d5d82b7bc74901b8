// SPDX-License-Identifier: GPL-2.0
/*
 * execmark helper: the files of /sys/kernel/security/execmark: mode, lock,
 * stats and events.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "securityfs.h"
#include "util.h"

#define SECURITYFS_DIR	"/sys/kernel/security/execmark"

/* The securityfs directory; EXECMARK_SECURITYFS overrides it for tests. */
const char *securityfs_dir(void)
{
	const char *dir = getenv("EXECMARK_SECURITYFS");

	return dir && *dir ? dir : SECURITYFS_DIR;
}

char *securityfs_path(const char *name)
{
	return path_join(securityfs_dir(), name);
}

/* Whether execmark is active; says so on standard error if not. */
bool securityfs_active(void)
{
	struct stat st;

	if (!stat(securityfs_dir(), &st) && S_ISDIR(st.st_mode))
		return true;
	warnmsg("execmark is not active (no %s)", securityfs_dir());
	return false;
}

/* open(2) of securityfs file @name with @flags | O_CLOEXEC: an fd or -errno. */
int securityfs_open(const char *name, int flags)
{
	char *path = securityfs_path(name);
	int fd = open(path, flags | O_CLOEXEC);
	int ret = fd < 0 ? -errno : fd;

	free(path);
	return ret;
}

/* Read a securityfs file whole; NULL (reported) on error. */
char *securityfs_read(const char *name)
{
	char *path = securityfs_path(name), *buf = NULL;
	size_t len = 0, cap = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		goto fail;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			cap = cap ? 2 * cap : 4096;
			buf = xrealloc(buf, cap + 1);
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	free(path);
	return buf;
fail:
	warnmsg("%s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	free(buf);
	free(path);
	return NULL;
}

/* The first line of a securityfs file, without its newline. */
char *securityfs_read_line(const char *name)
{
	char *s = securityfs_read(name);

	if (s)
		s[strcspn(s, "\n")] = '\0';
	return s;
}

/* Write @value to a securityfs file: 0 or -errno. */
int securityfs_write(const char *name, const char *value)
{
	int fd = securityfs_open(name, O_WRONLY), ret = 0;

	if (fd < 0)
		return fd;
	if (write_full(fd, value, strlen(value)))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}
