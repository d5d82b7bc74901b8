// SPDX-License-Identifier: GPL-2.0
/*
 * execmark helper: the option parser that every subcommand uses, and the
 * usage messages.
 *
 * The shared options, taken by every verb: -h/--help, -q/--quiet,
 * -v/--verbose (the last of -q and -v wins; it sets the global
 * verbosity of util.c) and --version. The file options, taken by the verbs
 * whose "allowed" string names them: -r, -x, -j N, --algo ALGO,
 * --files-from FILE and -0. And a verb's own (struct verb_opts).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "opts.h"
#include "util.h"

#ifndef EXECMARK_VERSION
#define EXECMARK_VERSION "unknown"
#endif

/* The values of the options that have no short form. */
enum {
	OPT_VERSION = 0x80,
	OPT_ALGO,
	OPT_FILES_FROM,
	OPT_VERITY,
	OPT_SIGN,
	OPT_CERT,
	OPT_REQUIRE_SIGNED,
};

static const struct option shared_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, OPT_VERSION },
};

static const struct option file_longopts[] = {
	{ "recursive", no_argument, NULL, 'r' },
	{ "one-file-system", no_argument, NULL, 'x' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "algo", required_argument, NULL, OPT_ALGO },
	{ "files-from", required_argument, NULL, OPT_FILES_FROM },
	{ "null", no_argument, NULL, '0' },
	{ "verity", no_argument, NULL, OPT_VERITY },
	{ "sign", required_argument, NULL, OPT_SIGN },
	{ "cert", required_argument, NULL, OPT_CERT },
	{ "require-signed", no_argument, NULL, OPT_REQUIRE_SIGNED },
};

/* Whether file option @c is one of @allowed ("rxjaF0VSCR"). */
static bool file_opt_allowed(const char *allowed, int c)
{
	if (!allowed)
		return false;
	switch (c) {
	case OPT_ALGO:
		return strchr(allowed, 'a');
	case OPT_FILES_FROM:
		return strchr(allowed, 'F');
	case OPT_VERITY:
		return strchr(allowed, 'V');
	case OPT_SIGN:
		return strchr(allowed, 'S');
	case OPT_CERT:
		return strchr(allowed, 'C');
	case OPT_REQUIRE_SIGNED:
		return strchr(allowed, 'R');
	case 'r':
	case 'x':
	case 'j':
	case '0':
		return strchr(allowed, c);
	}
	return false;
}

static const struct verb_opt *verb_opt_of(const struct verb_opts *x, int c)
{
	for (const struct verb_opt *v = x ? x->opts : NULL; v && v->name; v++)
		if (v->key == c)
			return v;
	return NULL;
}

/* The name of option @c as the user gave it, for a message; freed by the caller. */
static char *opt_name(const struct option *longopts, int li, int c,
		      char **argv)
{
	if (li >= 0)
		return xasprintf("--%s", longopts[li].name);
	if (c > 0 && c < 0x80)
		return xasprintf("-%c", c);
	return xstrdup(argv[optind - 1]);
}

/*
 * The parser of every verb. @o is NULL for a verb without file options
 * (@allowed is then NULL too); @minargs and @maxargs bound the number of
 * positional arguments (@maxargs < 0: any). Return: the index of the
 * first positional argument, or -1 with *status set to the exit status
 * (0 after --help and --version, 2 after a usage error).
 */
static int parse(int argc, char **argv, const char *usage, const char *allowed,
		 struct file_opts *o, const struct verb_opts *x, int minargs,
		 int maxargs, int *status)
{
	size_t nverb = 0, n = 0;
	struct option *longopts;
	char *shortopts, *s;
	int c, li, ret = -1, quiet = 0, verbose = 0;
	const char *list = NULL;

	for (const struct verb_opt *v = x ? x->opts : NULL; v && v->name; v++)
		nverb++;
	longopts = xcalloc(ARRAY_SIZE(shared_opts) + ARRAY_SIZE(file_longopts) +
			   nverb + 1, sizeof(*longopts));
	for (size_t i = 0; i < ARRAY_SIZE(shared_opts); i++)
		longopts[n++] = shared_opts[i];
	/* The file options are known to every verb: a verb that does not
	 * take one names it in its error, not the word after it. */
	for (size_t i = 0; i < ARRAY_SIZE(file_longopts); i++)
		longopts[n++] = file_longopts[i];
	s = shortopts = xmalloc(sizeof(":hqvrxj:0") + 2 * nverb);
	s = stpcpy(s, ":hqvrxj:0");
	for (size_t i = 0; i < nverb; i++) {
		const struct verb_opt *v = &x->opts[i];

		longopts[n++] = (struct option){ v->name,
			v->has_arg ? required_argument : no_argument, NULL, v->key };
		if (v->key > 0 && v->key < 0x80) {
			*s++ = v->key;
			if (v->has_arg)
				*s++ = ':';
		}
	}
	*s = '\0';

	if (o) {
		memset(o, 0, sizeof(*o));
		o->algo = algo_by_name("sha256");
	}
	verbosity = 0;
	/*
	 * 0, not 1: glibc then also forgets where it was inside a cluster of
	 * short options (the rest of "-qhq" after an error), which would
	 * otherwise be read from the argv of an earlier call.
	 */
	optind = 0;
	opterr = 0;
	while (li = -1, (c = getopt_long(argc, argv, shortopts, longopts, &li)) != -1) {
		const struct verb_opt *v = verb_opt_of(x, c);
		char *name;

		if (c == 'h') {
			*status = print_usage(usage);
			goto out;
		}
		if (c == OPT_VERSION) {
			*status = print_version();
			goto out;
		}
		if (c == ':') {
			*status = usage_error(usage, "%s: option requires an argument: %s",
					      argv[0], argv[optind - 1]);
			goto out;
		}
		if (c == 'q' || c == 'v') {
			quiet = c == 'q';
			verbose = c == 'v';
			continue;
		}
		if (v) {
			const char *why = x->set(x->ctx, c, optarg);

			if (why) {
				name = opt_name(longopts, li, c, argv);
				*status = usage_error(usage, "%s: %s: %s", argv[0],
						      name, why);
				free(name);
				goto out;
			}
			continue;
		}
		if (c == '?' || !file_opt_allowed(allowed, c)) {
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
			goto out;
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
				goto out;
			}
			break;
		case OPT_ALGO:
			o->algo = algo_by_name(optarg);
			if (!o->algo) {
				*status = usage_error(usage, "%s: unknown algorithm: %s",
						      argv[0], optarg);
				goto out;
			}
			break;
		case OPT_FILES_FROM:
			if (!*optarg) {
				*status = usage_error(usage, "%s: --files-from needs a FILE, or - for standard input",
						      argv[0]);
				goto out;
			}
			list = optarg;
			break;
		case '0':
			o->nul = true;
			break;
		case OPT_VERITY:
			o->verity = true;
			break;
		case OPT_SIGN:
			o->sign_key = optarg;
			break;
		case OPT_CERT:
			o->cert = optarg;
			break;
		case OPT_REQUIRE_SIGNED:
			o->require_signed = true;
			break;
		}
	}
	verbosity = verbose - quiet;
	if (o) {
		o->quiet = quiet;
		o->verbose = verbose;
		if (allowed && strchr(allowed, 'S') && !o->sign_key != !o->cert) {
			*status = usage_error(usage, "%s: --sign KEY and --cert CERT go together",
					      argv[0]);
			goto out;
		}
		if (o->nul && !list) {
			*status = usage_error(usage, "%s: -0 says how --files-from's list is separated; no --files-from given",
					      argv[0]);
			goto out;
		}
	}
	if (argc - optind < minargs && !list) {
		if (o)
			*status = usage_error(usage, "%s: no PATH given", argv[0]);
		else
			*status = usage_error(usage, "%s: too few arguments", argv[0]);
		goto out;
	}
	if (maxargs >= 0 && argc - optind > maxargs) {
		*status = usage_error(usage, "%s: too many arguments", argv[0]);
		goto out;
	}
	if (list) {
		o->files_from_name = list;
		if (!strcmp(list, "-")) {
			o->files_from = stdin;
		} else {
			o->files_from = fopen(list, "re");
			if (!o->files_from) {
				warn_path(list, "--files-from: %s", strerror(errno));
				*status = EXIT_ERROR;
				goto out;
			}
		}
	}
	ret = optind;
out:
	free(longopts);
	free(shortopts);
	return ret;
}

/*
 * parse_file_opts - parse the options of mark, verify, unmark and export
 * @allowed: the file options the subcommand takes, of "rxjaF0VSCR"
 *	(--verity 'V', --sign 'S', --cert 'C', --require-signed 'R')
 * @need_path: whether at least one PATH must follow the options (or come
 *             from --files-from)
 *
 * Return: the index of the first PATH, or -1 with *status set to the exit
 * status (0 after --help or --version, 2 after a usage error or a
 * --files-from FILE that cannot be opened).
 */
int parse_file_opts(int argc, char **argv, const char *usage,
		    const char *allowed, bool need_path, struct file_opts *o,
		    int *status)
{
	return parse(argc, argv, usage, allowed, o, NULL, need_path, -1, status);
}

/* parse_file_opts() with the verb's own options @x (may be NULL). */
int parse_file_opts_x(int argc, char **argv, const char *usage,
		      const char *allowed, bool need_path, struct file_opts *o,
		      const struct verb_opts *x, int *status)
{
	return parse(argc, argv, usage, allowed, o, x, need_path, -1, status);
}

/*
 * parse_opts - parse the options of a verb that takes no files: the shared
 * ones and @x's (may be NULL); from @minargs to @maxargs arguments follow.
 *
 * Return: the index of the first argument, or -1 with *status set.
 */
int parse_opts(int argc, char **argv, const char *usage,
	       const struct verb_opts *x, int minargs, int maxargs, int *status)
{
	return parse(argc, argv, usage, NULL, NULL, x, minargs, maxargs, status);
}

/*
 * Only --help, or nothing, may precede the positional arguments; kept for
 * verbs written before parse_opts(), which new verbs use (it also takes
 * -q, -v and --version, and returns where the arguments start).
 */
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

/* execmark --version, and VERB --version. */
int print_version(void)
{
	printf("execmark %s\n", EXECMARK_VERSION);
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

/*
 * pool_add_args - hand the PATHs of a verb to the walk: the @n of the
 * command line, then those listed in --files-from's FILE (one a line, or
 * ending with NUL with -0; empty names are ignored), which it closes.
 */
void pool_add_args(struct pool *p, struct file_opts *o, int n, char **paths)
{
	const char *name = o->files_from_name;
	char *line = NULL;
	size_t cap = 0;
	unsigned long lineno = 0;
	ssize_t len;

	for (int i = 0; i < n; i++)
		pool_add(p, paths[i], NULL);
	if (!o->files_from)
		return;
	if (!strcmp(name, "-"))
		name = "standard input";
	while ((len = getdelim(&line, &cap, o->nul ? '\0' : '\n', o->files_from)) > 0) {
		lineno++;
		if (line[len - 1] == (o->nul ? '\0' : '\n'))
			line[--len] = '\0';
		if (!len)
			continue;
		if (strlen(line) != (size_t)len) {
			char *where = xasprintf("%s:%lu", name, lineno);

			warn_path(where, "--files-from: a NUL byte in a name (a NUL-separated list needs -0)");
			free(where);
			pool_count_error(p);
			continue;
		}
		pool_add(p, line, NULL);
	}
	if (ferror(o->files_from)) {
		warn_path(name, "--files-from: read: %s", strerror(errno));
		pool_count_error(p);
	}
	free(line);
	if (o->files_from != stdin)
		fclose(o->files_from);
	o->files_from = NULL;
}
