// SPDX-License-Identifier: GPL-2.0
/*
 * execmark helper: the lock subcommand.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "opts.h"
#include "securityfs.h"
#include "util.h"

static const char lock_usage[] =
"usage: execmark lock [-q|-v]\n"
"Lock the mode until reboot (needs CAP_MAC_ADMIN).\n"
"  -q, --quiet       only errors (the default prints nothing else either)\n"
"  -v, --verbose     say which mode is now locked\n"
SHARED_HELP;

int cmd_lock(int argc, char **argv)
{
	int ret;

	if (parse_opts(argc, argv, lock_usage, NULL, 0, 0, &ret) < 0)
		return ret;
	if (!securityfs_active())
		return EXIT_ERROR;
	ret = securityfs_write("lock", "1\n");
	if (!ret) {
		if (verbosity > 0) {
			char *mode = securityfs_read_line("mode");

			printf("locked: the mode stays %s until reboot\n",
			       mode ? mode : "(unknown)");
			free(mode);
		}
		return EXIT_OK;
	}
	if (ret == -EPERM || ret == -EACCES)
		warnmsg("locking the mode needs CAP_MAC_ADMIN");
	else
		warnmsg("locking the mode: %s", strerror(-ret));
	return EXIT_ERROR;
}
