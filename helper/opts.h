/* SPDX-License-Identifier: GPL-2.0 */
/*
 * execmark helper: the one option parser of the subcommands (opts.c).
 *
 * Every verb takes -h/--help, -q/--quiet, -v/--verbose and --version
 * (the shared options); the verbs that take files also take the file
 * options their "allowed" string names; a verb's own options are passed
 * as a struct verb_opts.
 */
#ifndef EXECMARK_OPTS_H
#define EXECMARK_OPTS_H

#include <stdbool.h>
#include <stdio.h>

#include "hash.h"
#include "walk.h"

/* Options of the subcommands that take files. */
struct file_opts {
	struct walk_opts walk;
	const struct algo *algo;	/* --algo, default sha256 */
	bool quiet;			/* -q (also in the global verbosity) */
	bool verbose;			/* -v (also in the global verbosity) */
	/* --files-from: the open list of PATHs (pool_add_list()), or NULL */
	FILE *files_from;
	const char *files_from_name;	/* as given; "-" for stdin */
	bool nul;			/* -0: the list is NUL-separated */
	bool verity;			/* --verity */
	bool require_signed;		/* --require-signed */
	const char *sign_key;		/* --sign KEY */
	const char *cert;		/* --cert CERT */
};

/* The usage lines of --files-from and -0, and of the shared options. */
#define FILES_FROM_HELP \
"      --files-from FILE  also each PATH listed in FILE, one a line (- for\n" \
"                    standard input)\n" \
"  -0, --null        the names in --files-from's FILE end with NUL, not newline\n"
#define SHARED_HELP \
"      --version     print the version of execmark\n" \
"  -h, --help        show this help\n"

/* One option of a verb, besides the shared ones and the file options. */
struct verb_opt {
	const char *name;	/* long name, without "--" */
	int key;		/* short option letter, or VERB_OPT_LONG + n */
	bool has_arg;
};

#define VERB_OPT_LONG	0x100	/* keys from here on have no short form */

/*
 * A verb's own options: set() is called for each one given, in command
 * line order, with its key and argument (NULL without one), and returns
 * NULL, or what is wrong with the argument: a usage error naming the option.
 */
struct verb_opts {
	const struct verb_opt *opts;	/* ended by { NULL } */
	const char *(*set)(void *ctx, int key, const char *arg);
	void *ctx;
};

/*
 * @allowed: the file options the verb takes, of "rxjaF0" (-r, -x, -j,
 * --algo, --files-from, -0) and the long-only --verity ('V'), --sign
 * ('S'), --cert ('C') and --require-signed ('R'); "q" is accepted and
 * ignored (every verb takes -q).
 */
int parse_file_opts(int argc, char **argv, const char *usage,
		    const char *allowed, bool need_path, struct file_opts *o,
		    int *status);
int parse_file_opts_x(int argc, char **argv, const char *usage,
		      const char *allowed, bool need_path, struct file_opts *o,
		      const struct verb_opts *x, int *status);
int parse_opts(int argc, char **argv, const char *usage,
	       const struct verb_opts *x, int minargs, int maxargs,
	       int *status);
int parse_no_opts(int argc, char **argv, const char *usage, int maxargs,
		  int *status);
void pool_add_args(struct pool *p, struct file_opts *o, int n, char **paths);
int print_usage(const char *usage);
int print_version(void);
int usage_error(const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* EXECMARK_OPTS_H */
