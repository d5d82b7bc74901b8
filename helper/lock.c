// SPDX-License-Identifier: GPL-2.0
/*
 * execmark helper: the lock subcommand.
 */
#include <errno.h>
#include <string.h>

#include "cmd.h"
#include "opts.h"
#include "securityfs.h"
#include "util.h"

static const char lock_usage[] =
"usage: execmark lock\n"
"Lock the mode until reboot (needs CAP_MAC_ADMIN).\n";

int cmd_lock(int argc, char **argv)
{
	int ret;

	if (parse_no_opts(argc, argv, lock_usage, 0, &ret))
		return ret;
	if (!securityfs_active())
		return EXIT_ERROR;
	ret = securityfs_write("lock", "1\n");
	if (!ret)
		return EXIT_OK;
	if (ret == -EPERM || ret == -EACCES)
		warnmsg("locking the mode needs CAP_MAC_ADMIN");
	else
		warnmsg("locking the mode: %s", strerror(-ret));
	return EXIT_ERROR;
}
