// SPDX-License-Identifier: GPL-2.0
/*
 * execmark helper: the mark subcommand, and marking one file (also used
 * by manifest apply).
 */
#include <errno.h>
#include <string.h>

#include "cmd.h"
#include "mark.h"
#include "opts.h"
#include "util.h"
#include "xattr.h"

/*
 * Setting a mark changes the inode's ctime, which hash_file() would take
 * for a change of content if another thread were hashing the same inode
 * (a second hard link, a file listed twice in a manifest). Hashing holds
 * the inode's stripe lock shared and marking holds it exclusive, so no
 * thread of ours marks an inode while another hashes it.
 */
void marker_init(struct marker *m)
{
	memset(m, 0, sizeof(*m));
	for (size_t i = 0; i < MARK_STRIPES; i++)
		pthread_rwlock_init(&m->stripe[i], NULL);
}

void marker_destroy(struct marker *m)
{
	for (size_t i = 0; i < MARK_STRIPES; i++)
		pthread_rwlock_destroy(&m->stripe[i]);
}

static pthread_rwlock_t *inode_lock(struct marker *m, const struct stat *st)
{
	return &m->stripe[(st->st_ino ^ st->st_dev * 0x9e3779b97f4a7c15ull) %
			  MARK_STRIPES];
}

/*
 * mark_file - hash j->fd and mark it, on the same descriptor
 * @a: the algorithm
 * @want: the digest the content must have to be marked, or NULL
 *
 * Only content that provably held still is marked: the file is hashed
 * under a read lease (hash_hold_still()), refused if it is open for writing
 * or mapped shared and writable, and not marked if a writer broke the lease
 * meanwhile.
 *
 * Runs in a worker thread; sets j->result to an enum mark_result.
 */
void mark_file(struct marker *m, struct job *j, const struct algo *a,
	       const unsigned char *want, unsigned char *buf)
{
	pthread_rwlock_t *lock = inode_lock(m, &j->st);
	bool already;
	int ret;

	j->algo = a;
	ret = hash_hold_still(j->fd);
	if (ret == -EAGAIN) {
		j->result = MARK_WRITERS;
		return;
	}
	if (ret) {
		struct execmark_mark cur;
		enum mark_state state;

		/* A file system without marks says so rather than without leases. */
		j->result = MARK_FAILED;
		if (mark_read(j->fd, &cur, &state) == -ENOTSUP)
			job_fail(j, "setting", ENOTSUP);
		else
			job_fail(j, "lease", -ret);
		return;
	}
	pthread_rwlock_rdlock(lock);
	ret = hash_file(j->fd, a, j->digest, buf);
	pthread_rwlock_unlock(lock);

	if (ret < 0) {
		j->result = MARK_FAILED;
		job_fail(j, "read", -ret);
		return;
	}
	if (ret == HASH_CHANGED) {
		j->result = MARK_CHANGED;
		return;
	}
	if (want && memcmp(j->digest, want, a->size)) {
		j->result = MARK_MISMATCH;
		return;
	}
	pthread_rwlock_wrlock(lock);
	ret = mark_write(j->fd, a, j->digest, &already);
	pthread_rwlock_unlock(lock);
	if (ret) {
		j->result = MARK_FAILED;
		job_fail(j, "setting", -ret);
		return;
	}
	j->result = already ? MARK_ALREADY : MARK_MARKED;
}

/* Count a job of mark_file(), and say what went wrong with it. */
void mark_count(struct marker *m, const struct job *j)
{
	switch (j->result) {
	case MARK_MARKED:
		m->marked++;
		m->bytes += j->st.st_size;
		break;
	case MARK_ALREADY:
		m->already++;
		break;
	case MARK_CHANGED:
		warn_path(j->path, "changed while hashing, not marked");
		m->changed++;
		break;
	case MARK_MISMATCH:
		warn_path(j->path, "content does not match the manifest, not marked");
		m->mismatch++;
		break;
	case MARK_WRITERS:
		warn_path(j->path, "open for writing or mapped writable, not marked");
		m->writers++;
		break;
	default:
		job_warn(j);
		m->errors++;
		break;
	}
}

struct mark_ctx {
	struct marker marker;
	const struct algo *algo;	/* --algo */
};

static void mark_work(void *ctx, struct job *j, unsigned char *buf)
{
	struct mark_ctx *c = ctx;

	mark_file(&c->marker, j, c->algo, NULL, buf);
}

static void mark_done(void *ctx, struct job *j)
{
	struct mark_ctx *c = ctx;

	mark_count(&c->marker, j);
}

static const char mark_usage[] =
"usage: execmark mark [-r] [-x] [-j N] [--algo sha256|sha384|sha512] PATH...\n"
"Set security.execmark of each regular file to the digest of its content.\n"
"  -r, --recursive   descend into directories (symbolic links are not followed)\n"
"  -x, --one-file-system  do not cross into other file systems with -r\n"
"  -j, --jobs N      hash with N threads (default: online CPUs)\n"
"      --algo ALGO   sha256 (default), sha384 or sha512\n"
"  -h, --help        show this help\n";

int cmd_mark(int argc, char **argv)
{
	static const struct pool_ops ops = { mark_work, mark_done };
	struct mark_ctx c;
	struct marker *m = &c.marker;
	struct file_opts o;
	struct pool_counts pc;
	struct pool *p;
	char size[32];
	int ret, i = parse_file_opts(argc, argv, mark_usage, "rxja", true, &o, &ret);

	if (i < 0)
		return ret;
	hash_init();
	marker_init(m);
	c.algo = o.algo;
	p = pool_start(&ops, &c, &o.walk);
	for (; i < argc; i++)
		pool_add(p, argv[i], NULL);
	pc = pool_finish(p);
	marker_destroy(m);
	m->errors += pc.errors;
	human_size(size, sizeof(size), m->bytes);
	fprintf(stderr,
		"marked %lu files (%s), %lu already marked, %lu changed while hashing, %lu open for writing, %lu skipped, %lu on pseudo file systems, %lu errors\n",
		m->marked, size, m->already, m->changed, m->writers, pc.skipped,
		pc.pseudo, m->errors);
	if (m->errors)
		return EXIT_ERROR;
	return m->changed || m->writers ? EXIT_NOTOK : EXIT_OK;
}
