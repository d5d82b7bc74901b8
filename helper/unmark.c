// SPDX-License-Identifier: GPL-2.0
/*
 * execmark helper: the unmark subcommand.
 */
#include <stdlib.h>

#include "cmd.h"
#include "opts.h"
#include "util.h"
#include "walk.h"
#include "xattr.h"

enum { UNMARK_FAILED, UNMARK_REMOVED, UNMARK_NONE };

struct unmark_ctx {
	unsigned long removed, none, errors;
};

static void unmark_work(void *ctx, struct job *j, unsigned char *buf)
{
	int ret = mark_remove(j->fd);

	(void)ctx;
	(void)buf;
	if (ret < 0) {
		j->result = UNMARK_FAILED;
		job_fail(j, "removing", -ret);
	} else {
		j->result = ret ? UNMARK_NONE : UNMARK_REMOVED;
	}
}

static void unmark_done(void *ctx, struct job *j)
{
	struct unmark_ctx *c = ctx;

	if (j->result == UNMARK_REMOVED || j->result == UNMARK_NONE) {
		if (j->result == UNMARK_REMOVED)
			c->removed++;
		else
			c->none++;
		if (verbosity > 0) {
			char *e = esc(j->path);

			progress_clear();
			printf("%s %s\n", j->result == UNMARK_REMOVED ? "unmarked" : "not-marked", e);
			free(e);
		}
	} else {
		job_warn(j);
		c->errors++;
	}
}

static const char unmark_usage[] =
"usage: execmark unmark [-r] [-x] [-q|-v] [--files-from FILE [-0]] PATH...\n"
"Remove security.execmark from each regular file; a file without one is left as it is.\n"
"  -r, --recursive   descend into directories (symbolic links are not followed)\n"
"  -x, --one-file-system  do not cross into other file systems with -r\n"
FILES_FROM_HELP
"  -q, --quiet       no summary; only what went wrong\n"
"  -v, --verbose     also \"unmarked PATH\" or \"not-marked PATH\" per file on\n"
"                    standard output, and each symbolic link skipped by -r\n"
SHARED_HELP;

int cmd_unmark(int argc, char **argv)
{
	static const struct pool_ops ops = { unmark_work, unmark_done };
	struct unmark_ctx c = { 0 };
	struct file_opts o;
	struct pool_counts pc;
	struct pool *p;
	char *skipped;
	int ret, i = parse_file_opts(argc, argv, unmark_usage, "rxF0", true, &o, &ret);

	if (i < 0)
		return ret;
	p = pool_start(&ops, &c, &o.walk);
	pool_add_args(p, &o, argc - i, argv + i);
	pc = pool_finish(p);
	c.errors += pc.errors;
	skipped = skipped_summary(&pc);
	if (!o.quiet)
		fprintf(stderr, "unmarked %lu %s, %lu not marked, %s, %lu %s\n",
			c.removed, plural(c.removed, "file", "files"), c.none,
			skipped, c.errors, plural(c.errors, "error", "errors"));
	free(skipped);
	return c.errors ? EXIT_ERROR : EXIT_OK;
}
