// SPDX-License-Identifier: GPL-2.0
/*
 * execmark helper: the verify subcommand.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "opts.h"
#include "util.h"
#include "walk.h"
#include "xattr.h"

enum {
	VERIFY_FAILED,
	VERIFY_CHANGED,
	VERIFY_OK,
	VERIFY_UNMARKED,
	VERIFY_CORRUPT,
	VERIFY_MISMATCH,
};

static const char *const verify_name[] = {
	[VERIFY_OK] = "ok",
	[VERIFY_UNMARKED] = "unmarked",
	[VERIFY_CORRUPT] = "corrupt",
	[VERIFY_MISMATCH] = "mismatch",
};

struct verify_ctx {
	bool quiet;
	unsigned long count[ARRAY_SIZE(verify_name)], errors;
};

static void verify_work(void *ctx, struct job *j, unsigned char *buf)
{
	struct execmark_mark m;
	enum mark_state state;
	int ret = mark_read(j->fd, &m, &state);

	(void)ctx;
	if (ret) {
		j->result = VERIFY_FAILED;
		job_fail(j, "reading", -ret);
		return;
	}
	if (state == MARK_NONE) {
		j->result = VERIFY_UNMARKED;
		return;
	}
	if (state == MARK_CORRUPT) {
		j->result = VERIFY_CORRUPT;
		return;
	}
	j->algo = algo_by_id(m.algo);
	ret = hash_file(j->fd, j->algo, j->digest, buf);
	if (ret < 0) {
		j->result = VERIFY_FAILED;
		job_fail(j, "read", -ret);
	} else if (ret == HASH_CHANGED) {
		j->result = VERIFY_CHANGED;
	} else {
		j->result = memcmp(j->digest, m.digest, j->algo->size) ?
			    VERIFY_MISMATCH : VERIFY_OK;
	}
}

static void verify_done(void *ctx, struct job *j)
{
	struct verify_ctx *c = ctx;
	char *e;

	if (j->result == VERIFY_FAILED) {
		job_warn(j);
		c->errors++;
		return;
	}
	if (j->result == VERIFY_CHANGED) {
		warn_path(j->path, "changed while hashing, not verified");
		c->errors++;
		return;
	}
	c->count[j->result]++;
	if (c->quiet && j->result == VERIFY_OK)
		return;
	e = esc(j->path);
	progress_clear();
	printf("%s %s\n", verify_name[j->result], e);
	free(e);
}

static const char verify_usage[] =
"usage: execmark verify [-r] [-x] [-q] [-j N] PATH...\n"
"Print \"STATUS PATH\" for each regular file, STATUS being ok, unmarked,\n"
"corrupt or mismatch. Exit status: 0 all ok, 1 some not ok, 2 errors.\n"
"  -r, --recursive   descend into directories (symbolic links are not followed)\n"
"  -x, --one-file-system  do not cross into other file systems with -r\n"
"  -q, --quiet       print only the files that are not ok, and no summary\n"
"  -j, --jobs N      hash with N threads (default: online CPUs)\n"
"  -h, --help        show this help\n";

int cmd_verify(int argc, char **argv)
{
	static const struct pool_ops ops = { verify_work, verify_done };
	struct verify_ctx c = { 0 };
	unsigned long *count = c.count;
	struct file_opts o;
	struct pool_counts pc;
	struct pool *p;
	int ret, i = parse_file_opts(argc, argv, verify_usage, "rxjq", true, &o, &ret);
	unsigned long notok;

	if (i < 0)
		return ret;
	c.quiet = o.quiet;
	hash_init();
	p = pool_start(&ops, &c, &o.walk);
	for (; i < argc; i++)
		pool_add(p, argv[i], NULL);
	pc = pool_finish(p);
	c.errors += pc.errors;
	if (fflush(stdout) || ferror(stdout))
		fatal("standard output: write error");
	notok = count[VERIFY_UNMARKED] + count[VERIFY_CORRUPT] +
		count[VERIFY_MISMATCH];
	if (!c.quiet)
		fprintf(stderr,
			"verified %lu files: %lu ok, %lu unmarked, %lu corrupt, %lu mismatch, %lu skipped, %lu on pseudo file systems, %lu errors\n",
			count[VERIFY_OK] + notok, count[VERIFY_OK],
			count[VERIFY_UNMARKED], count[VERIFY_CORRUPT],
			count[VERIFY_MISMATCH], pc.skipped, pc.pseudo, c.errors);
	if (c.errors)
		return EXIT_ERROR;
	return notok ? EXIT_NOTOK : EXIT_OK;
}
