// SPDX-License-Identifier: GPL-2.0
/*
 * execmark helper: the option parser that every subcommand uses, and the
 * usage messages.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "opts.h"
#include "util.h"

/*
 * parse_file_opts - parse the options of mark, verify, unmark and export
 * @allowed: the options the subcommand takes, of "rxjaq" and the long-only
 *	--verity ('V'), --sign ('S'), --cert ('C') and --require-signed ('R')
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
		{ "verity", no_argument, NULL, 'V' },
		{ "sign", required_argument, NULL, 'S' },
		{ "cert", required_argument, NULL, 'C' },
		{ "require-signed", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, li;

	memset(o, 0, sizeof(*o));
	o->algo = algo_by_name("sha256");
	/*
	 * 0, not 1: glibc then also forgets where it was inside a cluster of
	 * short options (the rest of "-qhq" after an error), which would
	 * otherwise be read from the argv of an earlier call.
	 */
	optind = 0;
	opterr = 0;
	while (li = -1, (c = getopt_long(argc, argv, ":rxj:qh", longopts, &li)) != -1) {
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
			/* Name the option itself: -j2 or --jobs 2 is not the last word. */
			if (li >= 0)
				*status = usage_error(usage, "%s: unknown option: --%s",
						      argv[0], longopts[li].name);
			else if (c != '?' || optopt)
				*status = usage_error(usage, "%s: unknown option: -%c",
						      argv[0], c == '?' ? optopt : c);
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
		case 'V':
			o->verity = true;
			break;
		case 'S':
			o->sign_key = optarg;
			break;
		case 'C':
			o->cert = optarg;
			break;
		case 'R':
			o->require_signed = true;
			break;
		}
	}
	if (strchr(allowed, 'S') && !o->sign_key != !o->cert) {
		*status = usage_error(usage, "%s: --sign KEY and --cert CERT go together",
				      argv[0]);
		return -1;
	}
	if (need_path && optind == argc) {
		*status = usage_error(usage, "%s: no PATH given", argv[0]);
		return -1;
	}
	return optind;
}

/* Only --help, or nothing, may precede the positional arguments. */
int parse_no_opts(int argc, char **argv, const char *usage, int maxargs,
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

int print_usage(const char *usage)
{
	fputs(usage, stdout);
	return EXIT_OK;
}

/* Say what is wrong (unless @fmt is NULL), then the usage, on stderr. */
int usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		vwarnmsg(LOG_ERR, fmt, ap);
		va_end(ap);
	}
	fputs(usage, stderr);
	return EXIT_ERROR;
}
