// SPDX-License-Identifier: GPL-2.0
/*
 * execmark helper: the mode subcommand.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "opts.h"
#include "securityfs.h"
#include "util.h"

static const char mode_usage[] =
"usage: execmark mode [off|permissive|enforce]\n"
"Show the mode, or set it (needs CAP_MAC_ADMIN and an unlocked mode).\n";

int cmd_mode(int argc, char **argv)
{
	static const char *const modes[] = { "off", "permissive", "enforce" };
	char *cur, *value;
	int ret;

	if (parse_no_opts(argc, argv, mode_usage, 1, &ret))
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
		cur = securityfs_read_line("mode");
		if (!cur)
			return EXIT_ERROR;
		printf("%s\n", cur);
		free(cur);
		return EXIT_OK;
	}
	value = xasprintf("%s\n", argv[1]);
	ret = securityfs_write("mode", value);
	free(value);
	if (!ret)
		return EXIT_OK;
	if (ret == -EPERM || ret == -EACCES) {
		cur = securityfs_read_line("lock");
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
