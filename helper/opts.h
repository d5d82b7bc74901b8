/* SPDX-License-Identifier: GPL-2.0 */
/*
 * execmark helper: the one option parser of the subcommands (opts.c).
 */
#ifndef EXECMARK_OPTS_H
#define EXECMARK_OPTS_H

#include <stdbool.h>

#include "hash.h"
#include "walk.h"

/* Options of the subcommands that take files. */
struct file_opts {
	struct walk_opts walk;
	const struct algo *algo;	/* --algo, default sha256 */
	bool quiet;			/* -q */
	bool verity;			/* --verity */
	bool require_signed;		/* --require-signed */
	const char *sign_key;		/* --sign KEY */
	const char *cert;		/* --cert CERT */
};

int parse_file_opts(int argc, char **argv, const char *usage,
		    const char *allowed, bool need_path, struct file_opts *o,
		    int *status);
int parse_no_opts(int argc, char **argv, const char *usage, int maxargs,
		  int *status);
int print_usage(const char *usage);
int usage_error(const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* EXECMARK_OPTS_H */
