// SPDX-License-Identifier: GPL-2.0
/*
 * execmark: administer execmark marks, mode and denial events.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "mark", cmd_mark, "set the mark of files to the digest of their content" },
	{ "verify", cmd_verify, "check files against their marks" },
	{ "unmark", cmd_unmark, "remove the mark of files" },
	{ "status", cmd_status, "show the mode, the lock, the forwarder and statistics" },
	{ "mode", cmd_mode, "show or set the mode: off, permissive or enforce" },
	{ "lock", cmd_lock, "lock the mode until reboot" },
	{ "forward", cmd_forward, "send denial events to the audit subsystem" },
	{ "manifest", cmd_manifest, "export or apply a sha256sum-style manifest" },
};

static int usage(FILE *f)
{
	fputs("usage: execmark COMMAND [OPTION]... [ARG]...\n\ncommands:\n", f);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].help);
	fputs("\n'execmark COMMAND --help' describes a command; see execmark(8).\n", f);
	return f == stdout ? EXIT_OK : EXIT_ERROR;
}

/*
 * parse_file_opts - parse the options of mark, verify, unmark and export
 * @allowed: the short options the subcommand takes, of "rxjaq"
 * @need_path: whether at least one argument must follow the options
 *
 * Return: the index of the first PATH, or -1 with *status set to the exit
 * status (0 after --help, 2 after a usage error).
 */
int parse_file_opts(int argc, char **argv, const char *usage,
		    const char *allowed, bool need_path, struct file_opts *o,
		    int *status)
{
	static const struct option longopts[] = {
		{ "recursive", no_argument, NULL, 'r' },
		{ "one-file-system", no_argument, NULL, 'x' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "algo", required_argument, NULL, 'a' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->algo = algo_by_name("sha256");
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":rxj:qh", longopts, NULL)) != -1) {
		if (c == 'h') {
			*status = print_usage(usage);
			return -1;
		}
		if (c == ':') {
			*status = usage_error(usage, "%s: option requires an argument: %s",
					      argv[0], argv[optind - 1]);
			return -1;
		}
		if (c == '?' || !strchr(allowed, c)) {
			if (c == '?' && optopt)
				*status = usage_error(usage, "%s: unknown option: -%c",
						      argv[0], optopt);
			else
				*status = usage_error(usage, "%s: unknown option: %s",
						      argv[0], argv[optind - 1]);
			return -1;
		}
		switch (c) {
		case 'r':
			o->walk.recursive = true;
			break;
		case 'x':
			o->walk.one_fs = true;
			break;
		case 'j':
			if (parse_uint(optarg, 1, 1024, &o->walk.jobs)) {
				*status = usage_error(usage, "%s: -j takes a number from 1 to 1024: %s",
						      argv[0], optarg);
				return -1;
			}
			break;
		case 'a':
			o->algo = algo_by_name(optarg);
			if (!o->algo) {
				*status = usage_error(usage, "%s: unknown algorithm: %s",
						      argv[0], optarg);
				return -1;
			}
			break;
		case 'q':
			o->quiet = true;
			break;
		}
	}
	if (need_path && optind == argc) {
		*status = usage_error(usage, "%s: no PATH given", argv[0]);
		return -1;
	}
	return optind;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return usage(stdout);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	warnmsg("unknown command: %s", argv[1]);
	return usage(stderr);
}
