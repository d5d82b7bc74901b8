// SPDX-License-Identifier: GPL-2.0
/*
 * execmark helper: the unmark subcommand.
 */
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

	if (j->result == UNMARK_REMOVED) {
		c->removed++;
	} else if (j->result == UNMARK_NONE) {
		c->none++;
	} else {
		job_warn(j);
		c->errors++;
	}
}

static const char unmark_usage[] =
"usage: execmark unmark [-r] [-x] PATH...\n"
"Remove security.execmark from each regular file; a file without one is left as it is.\n"
"  -r, --recursive   descend into directories (symbolic links are not followed)\n"
"  -x, --one-file-system  do not cross into other file systems with -r\n"
"  -h, --help        show this help\n";

int cmd_unmark(int argc, char **argv)
{
	static const struct pool_ops ops = { unmark_work, unmark_done };
	struct unmark_ctx c = { 0 };
	struct file_opts o;
	struct pool_counts pc;
	struct pool *p;
	int ret, i = parse_file_opts(argc, argv, unmark_usage, "rx", true, &o, &ret);

	if (i < 0)
		return ret;
	p = pool_start(&ops, &c, &o.walk);
	for (; i < argc; i++)
		pool_add(p, argv[i], NULL);
	pc = pool_finish(p);
	c.errors += pc.errors;
	fprintf(stderr, "unmarked %lu files, %lu not marked, %lu skipped, %lu on pseudo file systems, %lu errors\n",
		c.removed, c.none, pc.skipped, pc.pseudo, c.errors);
	return c.errors ? EXIT_ERROR : EXIT_OK;
}
