/* SPDX-License-Identifier: GPL-2.0 */
/*
 * execmark helper: marking one file from a worker thread and counting the
 * outcome, shared by mark and manifest apply (mark.c).
 */
#ifndef EXECMARK_MARK_H
#define EXECMARK_MARK_H

#include <pthread.h>
#include <stdint.h>

#include "hash.h"
#include "sign.h"
#include "walk.h"
#include "xattr.h"

/* Results of mark_file(). */
enum mark_result {
	MARK_FAILED,		/* job_warn() says why */
	MARK_MARKED,
	MARK_ALREADY,		/* the right mark was there: not rewritten */
	MARK_CHANGED,		/* changed while hashing: not marked */
	MARK_MISMATCH,		/* not the expected digest: not marked */
	MARK_WRITERS,		/* open for writing or mapped writable: not marked */
};

/*
 * What mark_file() sets: a mark of @kind with a digest of @algo (in the
 * kind's table: hash.c, verity.c), signed by @signer if not NULL; or, if
 * @want is not NULL (manifest apply), exactly @want if the file's digest
 * is the one @want holds. A verity mark enables fs-verity on a file that
 * does not have it yet.
 */
struct mark_how {
	unsigned int kind;		/* EXECMARK_KIND_* */
	const struct algo *algo;
	struct signer *signer;
	const struct mark *want;
};

#define MARK_STRIPES	256

struct marker {
	/* Inode stripe locks: see mark.c. */
	pthread_rwlock_t stripe[MARK_STRIPES];
	/* Counts of mark_count(). */
	unsigned long marked, already, changed, mismatch, writers, errors;
	uint64_t bytes;
};

void marker_init(struct marker *m);
void marker_destroy(struct marker *m);
void mark_file(struct marker *m, struct job *j, const struct mark_how *how,
	       unsigned char *buf);
void mark_count(struct marker *m, const struct job *j);

struct file_opts;
int mark_how_init(struct mark_how *how, const struct file_opts *o,
		  const char *usage, const char *cmd);

#endif /* EXECMARK_MARK_H */
