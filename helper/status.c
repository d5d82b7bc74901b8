// SPDX-License-Identifier: GPL-2.0
/*
 * execmark helper: the status subcommand.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "fwdstate.h"
#include "opts.h"
#include "securityfs.h"
#include "util.h"

/* Whether a forwarder holds the events file (one reader at a time). */
static const char *forwarder_state(void)
{
	int fd = securityfs_open("events", O_RDONLY | O_NONBLOCK);

	if (fd >= 0) {
		close(fd);
		return "not attached";
	}
	if (fd == -EBUSY)
		return "attached";
	if (fd == -EPERM || fd == -EACCES)
		return "unknown (needs CAP_MAC_ADMIN)";
	return "unknown";
}

/*
 * What forwarders read from the kernel and did not deliver (fwdstate.c):
 * the events in op=lost source=forwarder records, sent or owed, and what
 * a forwarder that is gone held; records the kernel dropped because
 * auditd's socket was full; what the running forwarder holds.
 */
static void forwarder_counts(void)
{
	struct fwd_state s;
	int err = fwd_state_read(fwd_state_path(), &s);

	if (err && err != -ENOENT) {
		printf("undelivered: unknown (%s: %s)\n", fwd_state_path(),
		       strerror(-err));
		return;
	}
	if (s.has_pending && s.pid > 0 && kill(s.pid, 0) && errno == ESRCH) {
		s.undelivered += s.pending.last - s.pending.first + 1;
		s.has_pending = false;
	}
	printf("undelivered: %" PRIu64 "\n", s.undelivered);
	printf("auditd_overflow: %" PRIu64 "\n", s.dropped);
	if (s.has_pending)
		printf("forwarder_holds: %" PRIu64 "-%" PRIu64 "\n", s.pending.first,
		       s.pending.last);
}

/* Marks v2: whether unsigned marks are denied (a kernel without has no file). */
static void require_signed(void)
{
	char *path = securityfs_path("require_signed"), *s = NULL;

	if (!access(path, F_OK))
		s = securityfs_read_line("require_signed");
	if (s)
		printf("require_signed: %s\n", s);
	free(s);
	free(path);
}

static const char status_usage[] =
"usage: execmark status\n"
"Show the mode, the lock, whether a forwarder reads the events, how many\n"
"events forwarders could not deliver, and the statistics of execmark.\n";

int cmd_status(int argc, char **argv)
{
	char *mode, *lock, *stats, *line, *next;
	int ret;

	if (parse_no_opts(argc, argv, status_usage, 0, &ret))
		return ret;
	if (!securityfs_active())
		return EXIT_ERROR;
	mode = securityfs_read_line("mode");
	lock = securityfs_read_line("lock");
	stats = securityfs_read("stats");
	ret = mode && lock && stats ? EXIT_OK : EXIT_ERROR;
	if (mode)
		printf("mode: %s\n", mode);
	if (lock)
		printf("lock: %s\n", lock);
	require_signed();
	printf("forwarder: %s\n", forwarder_state());
	forwarder_counts();
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
