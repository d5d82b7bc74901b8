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
"usage: execmark mode [-q|-v] [off|permissive|enforce]\n"
"Show the mode, or set it (needs CAP_MAC_ADMIN and an unlocked mode).\n"
"  -q, --quiet       only errors (the mode shown is the output itself)\n"
"  -v, --verbose     setting: say \"mode: OLD -> NEW\"; showing: also the lock\n"
SHARED_HELP;

int cmd_mode(int argc, char **argv)
{
	static const char *const modes[] = { "off", "permissive", "enforce" };
	char *cur, *value, *old = NULL;
	const char *want;
	int ret, i = parse_opts(argc, argv, mode_usage, NULL, 0, 1, &ret);

	if (i < 0)
		return ret;
	want = i < argc ? argv[i] : NULL;
	if (want) {
		size_t k;

		for (k = 0; k < ARRAY_SIZE(modes); k++)
			if (!strcmp(want, modes[k]))
				break;
		if (k == ARRAY_SIZE(modes))
			return usage_error(mode_usage, "mode: unknown mode: %s",
					   want);
	}
	if (!securityfs_active())
		return EXIT_ERROR;
	if (!want) {
		cur = securityfs_read_line("mode");
		if (!cur)
			return EXIT_ERROR;
		printf("%s\n", cur);
		free(cur);
		if (verbosity > 0) {
			cur = securityfs_read_line("lock");
			if (!cur)
				return EXIT_ERROR;
			printf("lock: %s\n", cur);
			free(cur);
		}
		return EXIT_OK;
	}
	if (verbosity > 0)
		old = securityfs_read_line("mode");
	value = xasprintf("%s\n", want);
	ret = securityfs_write("mode", value);
	free(value);
	if (!ret) {
		if (verbosity > 0)
			printf("mode: %s -> %s\n", old ? old : "unknown", want);
		free(old);
		return EXIT_OK;
	}
	free(old);
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
