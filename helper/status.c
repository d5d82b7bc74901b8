// SPDX-License-Identifier: GPL-2.0
/*
 * execmark helper: the status subcommand.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
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

static const char status_usage[] =
"usage: execmark status\n"
"Show the mode, the lock, whether a forwarder reads the events, and the\n"
"statistics of execmark.\n";

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
