// SPDX-License-Identifier: GPL-2.0
/*
 * execmark helper: the mark subcommand, and marking one file (also used
 * by manifest apply).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "mark.h"
#include "opts.h"
#include "util.h"
#include "verity.h"
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
 * The content digest of j->fd, by @a, into j->digest: hashed under a read
 * lease (hash_hold_still()), so that only content that provably held still
 * is marked. Return: true if j->digest holds it; false with j->result set.
 */
static bool content_digest(struct marker *m, struct job *j,
			   const struct algo *a, unsigned char *buf)
{
	pthread_rwlock_t *lock = inode_lock(m, &j->st);
	int ret = hash_hold_still(j->fd);

	if (ret == -EAGAIN) {
		j->result = MARK_WRITERS;
		return false;
	}
	if (ret) {
		struct mark cur;
		enum mark_state state;

		/* A file system without marks says so rather than without leases. */
		j->result = MARK_FAILED;
		if (mark_read(j->fd, &cur, &state) == -ENOTSUP)
			job_fail(j, "setting", ENOTSUP);
		else
			job_fail(j, "lease", -ret);
		return false;
	}
	pthread_rwlock_rdlock(lock);
	ret = hash_file(j->fd, a, j->digest, buf, true);
	pthread_rwlock_unlock(lock);
	if (ret < 0) {
		j->result = MARK_FAILED;
		job_fail(j, "read", -ret);
		return false;
	}
	if (ret == HASH_CHANGED) {
		j->result = MARK_CHANGED;
		return false;
	}
	j->algo = a;
	return true;
}

/*
 * The fs-verity digest of j->fd into j->algo and j->digest, enabling
 * fs-verity with @a first if it is not enabled. With
 * @want (manifest apply), fs-verity is enabled only if libfsverity finds
 * that the content has @want's digest: a file that will not be marked is
 * not made read-only. fs-verity content cannot change, so no lease is
 * needed; enabling fails with ETXTBSY while anyone has the file open for
 * writing. Return: true if j->digest holds it; false with j->result set.
 */
static bool verity_digest(struct marker *m, struct job *j,
			  const struct algo *a, const struct mark *want)
{
	pthread_rwlock_t *lock = inode_lock(m, &j->st);
	const char *what = "enabling fs-verity";
	int ret;

	/* One thread of ours at a time enables fs-verity on an inode. */
	pthread_rwlock_wrlock(lock);
	ret = verity_measure(j->fd, &j->algo, j->digest);
	if (ret == -ENODATA && want) {
		ret = verity_compute(j->fd, a, j->digest);
		if (ret == HASH_CHANGED) {
			j->result = MARK_CHANGED;
			goto out;
		}
		if (ret) {
			job_fail(j, "read", -ret);
			goto failed;
		}
		if (memcmp(j->digest, want->p.digest, a->size)) {
			j->result = MARK_MISMATCH;
			goto out;
		}
		ret = -ENODATA;
	}
	if (ret == -ENODATA) {
		ret = verity_enable(j->fd, a);
		if (ret == -ETXTBSY) {
			j->result = MARK_WRITERS;
			goto out;
		}
		if (ret && ret != -EEXIST) {
			job_fail(j, what, -ret);
			goto failed;
		}
		ret = verity_measure(j->fd, &j->algo, j->digest);
	}
	if (ret) {
		job_fail(j, what, -ret);
		goto failed;
	}
	pthread_rwlock_unlock(lock);
	return true;
failed:
	j->result = MARK_FAILED;
out:
	pthread_rwlock_unlock(lock);
	return false;
}

/*
 * mark_file - take j->fd's digest and mark it, on the same descriptor, as
 * @how says: a content digest hashed under a read lease (refused if the
 * file is open for writing or mapped shared and writable, not marked if a
 * writer broke the lease meanwhile), or the fs-verity digest.
 *
 * Runs in a worker thread; sets j->result to an enum mark_result.
 */
void mark_file(struct marker *m, struct job *j, const struct mark_how *how,
	       unsigned char *buf)
{
	const struct mark *want = how->want;
	unsigned int kind = want ? want->p.kind : how->kind;
	const struct algo *a = want ? mark_algo(&want->p) : how->algo;
	struct mark mk;
	bool already;
	int ret;

	if (kind == EXECMARK_KIND_VERITY) {
		if (!verity_digest(m, j, a, want))
			return;
	} else if (!content_digest(m, j, a, buf)) {
		return;
	}
	if (want) {
		if (j->algo != a || memcmp(j->digest, want->p.digest, a->size)) {
			j->result = MARK_MISMATCH;
			return;
		}
		mark_copy(&mk, want);
	} else if (mark_make(&mk, kind == EXECMARK_KIND_CONTENT && !how->signer ?
			     EXECMARK_FORMAT_V1 : EXECMARK_FORMAT_V2,
			     kind, j->algo->id, j->digest, NULL, 0)) {
		j->result = MARK_FAILED;
		job_fail(j, "setting", EINVAL);
		return;
	}
	if (how->signer) {
		unsigned char sig[EXECMARK_MAX_SIG];
		size_t sig_len;

		ret = signer_sign(how->signer, &mk.p, sig, &sig_len);
		if (!ret)
			ret = mark_make(&mk, EXECMARK_FORMAT_V2, kind, j->algo->id,
					j->digest, sig, sig_len);
		if (ret) {
			j->result = MARK_FAILED;
			job_fail(j, "signing", ret == -EMSGSIZE ? EMSGSIZE : EIO);
			return;
		}
	}
	pthread_rwlock_wrlock(inode_lock(m, &j->st));
	ret = mark_write(j->fd, &mk, &already);
	pthread_rwlock_unlock(inode_lock(m, &j->st));
	if (ret) {
		j->result = MARK_FAILED;
		job_fail(j, "setting", -ret);
		return;
	}
	j->result = already ? MARK_ALREADY : MARK_MARKED;
}

/* With -v, "WHAT PATH" on standard output. */
static void say_file(const char *what, const char *path)
{
	char *e;

	if (verbosity <= 0)
		return;
	e = esc(path);
	progress_clear();
	printf("%s %s\n", what, e);
	free(e);
}

/*
 * Count a job of mark_file(), and say what went wrong with it; with -v,
 * also what went right ("marked PATH", "already-marked PATH").
 */
void mark_count(struct marker *m, const struct job *j)
{
	switch (j->result) {
	case MARK_MARKED:
		m->marked++;
		m->bytes += j->st.st_size;
		say_file("marked", j->path);
		break;
	case MARK_ALREADY:
		m->already++;
		say_file("already-marked", j->path);
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
	struct mark_how how;
};

static void mark_work(void *ctx, struct job *j, unsigned char *buf)
{
	struct mark_ctx *c = ctx;

	mark_file(&c->marker, j, &c->how, buf);
}

static void mark_done(void *ctx, struct job *j)
{
	struct mark_ctx *c = ctx;

	mark_count(&c->marker, j);
}

static const char mark_usage[] =
"usage: execmark mark [-r] [-x] [-q|-v] [-j N] [--algo sha256|sha384|sha512] [--verity]\n"
"                     [--sign KEY --cert CERT] [--files-from FILE [-0]] PATH...\n"
"Set security.execmark of each regular file to the digest of its content.\n"
"  -r, --recursive   descend into directories (symbolic links are not followed)\n"
"  -x, --one-file-system  do not cross into other file systems with -r\n"
"  -j, --jobs N      hash with N threads (default: online CPUs)\n"
"      --algo ALGO   sha256 (default), sha384 or sha512 (--verity: sha256, sha512)\n"
"      --verity      enable fs-verity on the file and mark its fs-verity digest\n"
"      --sign KEY    sign the mark with the private key KEY (PEM or DER)...\n"
"      --cert CERT   ...whose X.509 certificate is CERT (PEM or DER)\n"
FILES_FROM_HELP
"  -q, --quiet       no summary; only what went wrong\n"
"  -v, --verbose     also \"marked PATH\" or \"already-marked PATH\" per file on\n"
"                    standard output, and each symbolic link skipped by -r\n"
SHARED_HELP;

/*
 * The mark --verity, --algo, --sign and --cert describe, for mark and
 * manifest export: 0, or the exit status of a usage error or of key files
 * that cannot be used.
 */
int mark_how_init(struct mark_how *how, const struct file_opts *o,
		  const char *usage, const char *cmd)
{
	memset(how, 0, sizeof(*how));
	how->kind = EXECMARK_KIND_CONTENT;
	how->algo = o->algo;
	if (o->verity) {
		how->kind = EXECMARK_KIND_VERITY;
		how->algo = verity_algo_by_name(o->algo->name);
		if (!how->algo)
			return usage_error(usage, "%s: fs-verity has no %s: --verity takes --algo sha256 or sha512",
					   cmd, o->algo->name);
	}
	if (o->sign_key) {
		how->signer = signer_load(o->sign_key, o->cert);
		if (!how->signer)
			return EXIT_ERROR;
	}
	return 0;
}

int cmd_mark(int argc, char **argv)
{
	static const struct pool_ops ops = { mark_work, mark_done };
	struct mark_ctx c;
	struct marker *m = &c.marker;
	struct file_opts o;
	struct pool_counts pc;
	struct pool *p;
	char size[32];
	char *skipped;
	int ret, i = parse_file_opts(argc, argv, mark_usage, "rxjaVSCF0", true, &o, &ret);

	if (i < 0)
		return ret;
	ret = mark_how_init(&c.how, &o, mark_usage, argv[0]);
	if (ret)
		return ret;
	hash_init();
	marker_init(m);
	p = pool_start(&ops, &c, &o.walk);
	pool_add_args(p, &o, argc - i, argv + i);
	pc = pool_finish(p);
	marker_destroy(m);
	signer_free(c.how.signer);
	m->errors += pc.errors;
	human_size(size, sizeof(size), m->bytes);
	skipped = skipped_summary(&pc);
	if (!o.quiet)
		fprintf(stderr,
			"marked %lu %s (%s), %lu already marked, %lu changed while hashing, %lu open for writing, %s, %lu %s\n",
			m->marked, plural(m->marked, "file", "files"), size,
			m->already, m->changed, m->writers, skipped, m->errors,
			plural(m->errors, "error", "errors"));
	free(skipped);
	if (m->errors)
		return EXIT_ERROR;
	return m->changed || m->writers ? EXIT_NOTOK : EXIT_OK;
}
