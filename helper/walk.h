/* SPDX-License-Identifier: GPL-2.0 */
/*
 * execmark helper: the file walker and the pool of hashing threads that
 * mark, verify, unmark and manifest share.
 */
#ifndef EXECMARK_WALK_H
#define EXECMARK_WALK_H

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "execmark.h"
#include "hash.h"

/* One regular file to process. */
struct job {
	struct job *next;
	char *path;
	int fd;			/* open O_RDONLY; closed after work() */
	struct stat st;		/* fstat() at open, before any read */
	bool done;
	bool leased;		/* work() holds a read lease (hash_hold_still()) */
	const void *arg;	/* pool_add()'s: the subcommand's input for the path */
	/* Output of work(), read by done(). */
	int result;		/* subcommand-defined */
	int err;		/* errno of a failed step, 0 if none */
	const char *what;	/* what failed: "read", or the mark_warn() action */
	const struct algo *algo;	/* of the digest */
	void *out;		/* work()'s output for done(), which frees it */
	unsigned char digest[EXECMARK_MAX_DIGEST];
};

/* What a subcommand does with each file; @ctx is pool_start()'s. */
struct pool_ops {
	/* Runs in a worker thread; must not print. */
	void (*work)(void *ctx, struct job *j, unsigned char *buf);
	/* Runs in the main thread, in the order the files were found. */
	void (*done)(void *ctx, struct job *j);
};

struct walk_opts {
	bool recursive;		/* -r: descend into directories */
	bool one_fs;		/* -x: stay on the file system of each PATH */
	unsigned int jobs;	/* -j: worker threads, 0 for online CPUs */
};

struct pool_counts {
	unsigned long errors;	/* reported by the walker */
	unsigned long skipped;	/* non-regular files and mount points in -r */
	unsigned long symlinks;	/* of which symbolic links */
	unsigned long pseudo;	/* pseudo file systems skipped in -r */
};

struct pool;

struct pool *pool_start(const struct pool_ops *ops, void *ctx,
			const struct walk_opts *o);
void pool_add(struct pool *p, const char *path, const void *arg);
int lstat_long(const char *path, struct stat *st);
void pool_count_error(struct pool *p);
struct pool_counts pool_finish(struct pool *p);
char *skipped_summary(const struct pool_counts *c);

void job_fail(struct job *j, const char *what, int err);
void job_warn(const struct job *j);

#endif /* EXECMARK_WALK_H */
