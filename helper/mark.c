// SPDX-License-Identifier: GPL-2.0
/*
 * execmark helper: reading, writing and removing security.execmark, and the
 * mark and unmark subcommands.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#include "cmd.h"

/* Read the mark of @fd into @m; a missing or malformed mark is no error. */
int mark_read(int fd, struct execmark_mark *m, enum mark_state *state)
{
	unsigned char buf[EXECMARK_MAX_SIZE + 1];
	ssize_t n = fgetxattr(fd, EXECMARK_XATTR_NAME, buf, sizeof(buf));

	if (n < 0) {
		if (errno == ENODATA) {
			*state = MARK_NONE;
			return 0;
		}
		if (errno == ERANGE) {	/* longer than any valid mark */
			*state = MARK_CORRUPT;
			return 0;
		}
		return -errno;
	}
	if (!execmark_mark_valid(buf, n)) {
		*state = MARK_CORRUPT;
		return 0;
	}
	memcpy(m, buf, n);
	*state = MARK_VALID;
	return 0;
}

/* Set the mark of @fd unless it already says exactly this. */
int mark_write(int fd, const struct algo *a, const unsigned char *digest,
	       bool *already)
{
	struct execmark_mark m, old;
	enum mark_state state;
	int ret = mark_read(fd, &old, &state);

	if (ret)
		return ret;
	*already = state == MARK_VALID && old.algo == a->id &&
		   !memcmp(old.digest, digest, a->size);
	if (*already)
		return 0;
	m.version = EXECMARK_FORMAT_V1;
	m.algo = a->id;
	memcpy(m.digest, digest, a->size);
	if (fsetxattr(fd, EXECMARK_XATTR_NAME, &m, EXECMARK_HDR_SIZE + a->size, 0))
		return -errno;
	return 0;
}

void report_xattr_error(const char *path, int err, const char *action)
{
	char *e = esc(path);

	if (err == ENOTSUP || err == EOPNOTSUPP)
		warnmsg("%s: file system does not support %s extended attributes",
			e, EXECMARK_XATTR_NAME);
	else if (err == EPERM && strcmp(action, "reading"))
		warnmsg("%s: permission denied %s %s (needs CAP_MAC_ADMIN / root in the initial user namespace)",
			e, action, EXECMARK_XATTR_NAME);
	else
		warnmsg("%s: %s %s: %s", e, action, EXECMARK_XATTR_NAME,
			strerror(err));
	free(e);
}

static void fail(struct job *j, const char *what, int err)
{
	j->result = MARK_FAILED;
	j->what = what;
	j->err = err;
}

void report_job_error(const struct job *j)
{
	char *e;

	if (strcmp(j->what, "read")) {
		report_xattr_error(j->path, j->err, j->what);
		return;
	}
	e = esc(j->path);
	warnmsg("%s: read: %s", e, strerror(j->err));
	free(e);
}

void report_changed(const struct job *j, const char *consequence)
{
	char *e = esc(j->path);

	warnmsg("%s: changed while hashing, %s", e, consequence);
	free(e);
}

/*
 * Setting a mark changes the inode's ctime, which hash_file() would take
 * for a change of content if another thread were hashing the same inode
 * (a second hard link, a file listed twice in a manifest). Hashing holds
 * the inode's stripe lock shared and marking holds it exclusive, so no
 * thread of ours marks an inode while another hashes it.
 */
#define STRIPES 256
static pthread_rwlock_t stripe[STRIPES];
static pthread_once_t stripe_once = PTHREAD_ONCE_INIT;

static void stripe_init(void)
{
	for (size_t i = 0; i < STRIPES; i++)
		pthread_rwlock_init(&stripe[i], NULL);
}

static pthread_rwlock_t *inode_lock(const struct stat *st)
{
	pthread_once(&stripe_once, stripe_init);
	return &stripe[(st->st_ino ^ st->st_dev * 0x9e3779b97f4a7c15ull) % STRIPES];
}

/*
 * Hash j->fd with j->algo and mark it, on the same descriptor. With a
 * manifest digest (j->want_algo), mark only if the content matches it.
 */
void mark_job(struct job *j, unsigned char *buf)
{
	pthread_rwlock_t *lock = inode_lock(&j->st);
	bool already;
	int ret;

	pthread_rwlock_rdlock(lock);
	ret = hash_file(j->fd, j->algo, j->digest, buf);
	pthread_rwlock_unlock(lock);

	if (ret < 0) {
		fail(j, "read", -ret);
		return;
	}
	if (ret == HASH_CHANGED) {
		j->result = MARK_CHANGED;
		return;
	}
	if (j->want_algo && memcmp(j->digest, j->want, j->algo->size)) {
		j->result = MARK_MISMATCH;
		return;
	}
	pthread_rwlock_wrlock(lock);
	ret = mark_write(j->fd, j->algo, j->digest, &already);
	pthread_rwlock_unlock(lock);
	if (ret) {
		fail(j, "setting", -ret);
		return;
	}
	j->result = already ? MARK_ALREADY : MARK_MARKED;
}

static struct {
	unsigned long marked, already, changed, errors;
	uint64_t bytes;
} mark_sum;

static void mark_done(struct job *j)
{
	switch (j->result) {
	case MARK_MARKED:
		mark_sum.marked++;
		mark_sum.bytes += j->st.st_size;
		break;
	case MARK_ALREADY:
		mark_sum.already++;
		break;
	case MARK_CHANGED:
		report_changed(j, "not marked");
		mark_sum.changed++;
		break;
	default:
		report_job_error(j);
		mark_sum.errors++;
		break;
	}
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
	static const struct pool_ops ops = { mark_job, mark_done };
	struct file_opts o;
	struct pool_counts c;
	struct pool *p;
	struct job tmpl = { 0 };
	char size[32];
	int ret, i = parse_file_opts(argc, argv, mark_usage, "rxja", true, &o, &ret);

	if (i < 0)
		return ret;
	hash_init();
	tmpl.algo = o.algo;
	p = pool_start(&ops, &o.walk);
	for (; i < argc; i++)
		pool_add(p, argv[i], &tmpl);
	c = pool_finish(p);
	mark_sum.errors += c.errors;
	human_size(size, sizeof(size), mark_sum.bytes);
	fprintf(stderr,
		"marked %lu files (%s), %lu already marked, %lu changed while hashing, %lu skipped, %lu errors\n",
		mark_sum.marked, size, mark_sum.already, mark_sum.changed,
		c.skipped, mark_sum.errors);
	if (mark_sum.errors)
		return EXIT_ERROR;
	return mark_sum.changed ? EXIT_NOTOK : EXIT_OK;
}

enum { UNMARK_FAILED, UNMARK_REMOVED, UNMARK_NONE };

static void unmark_job(struct job *j, unsigned char *buf)
{
	(void)buf;
	if (!fremovexattr(j->fd, EXECMARK_XATTR_NAME))
		j->result = UNMARK_REMOVED;
	else if (errno == ENODATA)
		j->result = UNMARK_NONE;
	else
		fail(j, "removing", errno);
}

static struct {
	unsigned long removed, none, errors;
} unmark_sum;

static void unmark_done(struct job *j)
{
	if (j->result == UNMARK_REMOVED) {
		unmark_sum.removed++;
	} else if (j->result == UNMARK_NONE) {
		unmark_sum.none++;
	} else {
		report_job_error(j);
		unmark_sum.errors++;
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
	static const struct pool_ops ops = { unmark_job, unmark_done };
	struct file_opts o;
	struct pool_counts c;
	struct pool *p;
	int ret, i = parse_file_opts(argc, argv, unmark_usage, "rx", true, &o, &ret);

	if (i < 0)
		return ret;
	p = pool_start(&ops, &o.walk);
	for (; i < argc; i++)
		pool_add(p, argv[i], NULL);
	c = pool_finish(p);
	unmark_sum.errors += c.errors;
	fprintf(stderr, "unmarked %lu files, %lu not marked, %lu skipped, %lu errors\n",
		unmark_sum.removed, unmark_sum.none, c.skipped, unmark_sum.errors);
	return unmark_sum.errors ? EXIT_ERROR : EXIT_OK;
}
