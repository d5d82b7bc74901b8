// SPDX-License-Identifier: GPL-2.0
/*
 * execmark helper: the securityfs files: status, mode and lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

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

/* Read a securityfs file whole; NULL (reported) on error. */
static char *read_sfs(const char *name)
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
static char *read_value(const char *name)
{
	char *s = read_sfs(name);

	if (s)
		s[strcspn(s, "\n")] = '\0';
	return s;
}

static int write_sfs(const char *name, const char *value)
{
	char *path = securityfs_path(name);
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0 || write_full(fd, value, strlen(value)))
		ret = -errno;
	if (fd >= 0 && close(fd) && !ret)
		ret = -errno;
	free(path);
	return ret;
}

static const char *forwarder_state(void)
{
	char *path = securityfs_path("events");
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), err = errno;

	free(path);
	if (fd >= 0) {
		close(fd);
		return "not attached";
	}
	if (err == EBUSY)
		return "attached";
	if (err == EPERM || err == EACCES)
		return "unknown (needs CAP_MAC_ADMIN)";
	return "unknown";
}

static const char status_usage[] =
"usage: execmark status\n"
"Show the mode, the lock, whether a forwarder reads the events, and the\n"
"statistics of execmark.\n";

static const char mode_usage[] =
"usage: execmark mode [off|permissive|enforce]\n"
"Show the mode, or set it (needs CAP_MAC_ADMIN and an unlocked mode).\n";

static const char lock_usage[] =
"usage: execmark lock\n"
"Lock the mode until reboot (needs CAP_MAC_ADMIN).\n";

/* Only --help, or nothing, may precede the positional arguments. */
static int no_options(int argc, char **argv, const char *usage, int maxargs,
		      int *status)
{
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		*status = print_usage(usage);
		return -1;
	}
	if (argc > 1 && argv[1][0] == '-') {
		*status = usage_error(usage, "%s: unknown option: %s", argv[0],
				      argv[1]);
		return -1;
	}
	if (argc - 1 > maxargs) {
		*status = usage_error(usage, "%s: too many arguments", argv[0]);
		return -1;
	}
	return 0;
}

int cmd_status(int argc, char **argv)
{
	char *mode, *lock, *stats, *line, *next;
	int ret;

	if (no_options(argc, argv, status_usage, 0, &ret))
		return ret;
	if (!securityfs_active())
		return EXIT_ERROR;
	mode = read_value("mode");
	lock = read_value("lock");
	stats = read_sfs("stats");
	ret = mode && lock && stats ? EXIT_OK : EXIT_ERROR;
	if (mode)
		printf("mode: %s\n", mode);
	if (lock)
		printf("lock: %s\n", lock);
	printf("forwarder: %s\n", forwarder_state());
	for (line = stats; line && *line; line = next) {
		size_t key = strcspn(line, " \n");

		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		if (line[key] == ' ')
			printf("%.*s: %s\n", (int)key, line, line + key + 1);
		else
			printf("%s\n", line);
	}
	free(mode);
	free(lock);
	free(stats);
	return ret;
}

int cmd_mode(int argc, char **argv)
{
	static const char *const modes[] = { "off", "permissive", "enforce" };
	char *cur, *value;
	int ret;

	if (no_options(argc, argv, mode_usage, 1, &ret))
		return ret;
	if (argc == 2) {
		size_t i;

		for (i = 0; i < ARRAY_SIZE(modes); i++)
			if (!strcmp(argv[1], modes[i]))
				break;
		if (i == ARRAY_SIZE(modes))
			return usage_error(mode_usage, "mode: unknown mode: %s",
					   argv[1]);
	}
	if (!securityfs_active())
		return EXIT_ERROR;
	if (argc == 1) {
		cur = read_value("mode");
		if (!cur)
			return EXIT_ERROR;
		printf("%s\n", cur);
		free(cur);
		return EXIT_OK;
	}
	value = xasprintf("%s\n", argv[1]);
	ret = write_sfs("mode", value);
	free(value);
	if (!ret)
		return EXIT_OK;
	if (ret == -EPERM || ret == -EACCES) {
		cur = read_value("lock");
		if (cur && !strcmp(cur, "1"))
			warnmsg("the mode is locked until reboot");
		else
			warnmsg("changing the mode needs CAP_MAC_ADMIN");
		free(cur);
	} else {
		warnmsg("setting the mode: %s", strerror(-ret));
	}
	return EXIT_ERROR;
}

int cmd_lock(int argc, char **argv)
{
	int ret;

	if (no_options(argc, argv, lock_usage, 0, &ret))
		return ret;
	if (!securityfs_active())
		return EXIT_ERROR;
	ret = write_sfs("lock", "1\n");
	if (!ret)
		return EXIT_OK;
	if (ret == -EPERM || ret == -EACCES)
		warnmsg("locking the mode needs CAP_MAC_ADMIN");
	else
		warnmsg("locking the mode: %s", strerror(-ret));
	return EXIT_ERROR;
}
