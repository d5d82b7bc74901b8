// SPDX-License-Identifier: GPL-2.0
/*
 * execmark helper: walk the named paths without following symbolic links,
 * open each regular file once and hand it to a pool of worker threads.
 *
 * The main thread walks, submits jobs to one queue and, in the order the
 * files were found, hands finished jobs to the subcommand's done() callback,
 * which alone prints. Worker threads only compute. The number of jobs in
 * flight is bounded, which bounds memory and open file descriptors.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/resource.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "verity.h"
#include "walk.h"
#include "xattr.h"

#define OPEN_FLAGS	(O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
#define PROGRESS_DELAY_NS	1000000000ull	/* quiet for short runs */
#define PROGRESS_PERIOD_NS	250000000ull	/* at most 4 updates/s */

struct pool {
	const struct pool_ops *ops;
	void *ctx;		/* the subcommand's, given to ops */
	struct walk_opts opts;
	pthread_mutex_t lock;
	pthread_cond_t work_cv;	/* a job was queued, or closing */
	pthread_cond_t done_cv;	/* a job finished */
	struct job *head, *tail;	/* every job not yet reaped, in order */
	struct job *queue;	/* first job no worker has taken */
	unsigned long inflight, limit;
	bool closing;
	pthread_t *threads;
	unsigned int nthreads;
	struct pool_counts counts;
	dev_t root_dev;
	/* progress */
	bool walked;
	unsigned long files_seen, files_done;
	uint64_t bytes_seen;
	uint64_t start_ns, drawn_ns;
};

/*
 * File systems whose files are not stored content: reading them consumes
 * (/proc/kmsg, execmark's events), blocks (trace_pipe) or has effects. A
 * walk does not enter them; a path named on one is an error.
 */
static const struct {
	unsigned long magic;
	const char *name;
} pseudo_fs[] = {
	{ PROC_SUPER_MAGIC, "proc" },
	{ SYSFS_MAGIC, "sysfs" },
	{ SECURITYFS_MAGIC, "securityfs" },
	{ DEBUGFS_MAGIC, "debugfs" },
	{ TRACEFS_MAGIC, "tracefs" },
	{ CGROUP_SUPER_MAGIC, "cgroup" },
	{ CGROUP2_SUPER_MAGIC, "cgroup2" },
	{ BPF_FS_MAGIC, "bpf" },
	{ 0x62656570, "configfs" },		/* CONFIGFS_MAGIC */
	{ DEVPTS_SUPER_MAGIC, "devpts" },
	{ PSTOREFS_MAGIC, "pstore" },
	{ EFIVARFS_MAGIC, "efivarfs" },
	{ 0x65735543, "fusectl" },		/* FUSECTL_SUPER_MAGIC */
	{ 0x19800202, "mqueue" },		/* MQUEUE_MAGIC */
	{ BINFMTFS_MAGIC, "binfmt_misc" },
	{ SELINUX_MAGIC, "selinuxfs" },
	{ SMACK_MAGIC, "smackfs" },
	{ NSFS_MAGIC, "nsfs" },
	{ RDTGROUP_SUPER_MAGIC, "resctrl" },
};

/* The name of the pseudo file system @fd is on, or NULL if it is not. */
static const char *pseudo_fs_name(int fd)
{
	struct statfs sfs;
	unsigned long magic;

	if (fstatfs(fd, &sfs))
		return NULL;
	magic = (unsigned long)sfs.f_type & 0xffffffffUL;
	for (size_t i = 0; i < ARRAY_SIZE(pseudo_fs); i++)
		if (pseudo_fs[i].magic == magic)
			return pseudo_fs[i].name;
	return NULL;
}

static const char *type_name(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFLNK:
		return "symlink";
	case S_IFDIR:
		return "directory";
	case S_IFIFO:
		return "fifo";
	case S_IFSOCK:
		return "socket";
	case S_IFCHR:
		return "character device";
	case S_IFBLK:
		return "block device";
	default:
		return "special file";
	}
}

static void *worker(void *arg)
{
	struct pool *p = arg;
	unsigned char *buf = xmalloc(HASH_BUF_SIZE);
	struct job *j;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->queue && !p->closing)
			pthread_cond_wait(&p->work_cv, &p->lock);
		j = p->queue;
		if (!j)
			break;
		p->queue = j->next;
		pthread_mutex_unlock(&p->lock);

		p->ops->work(p->ctx, j, buf);
		close(j->fd);
		j->fd = -1;

		pthread_mutex_lock(&p->lock);
		j->done = true;
		pthread_cond_signal(&p->done_cv);
	}
	pthread_mutex_unlock(&p->lock);
	free(buf);
	return NULL;
}

static void draw_progress(struct pool *p)
{
	uint64_t now = now_ns(), bytes = hash_bytes_done();
	double secs = (now - p->start_ns) / 1e9, rate = bytes / secs;
	char done[32], seen[32], speed[32], eta[32], line[192];

	if (!progress_enabled() || now - p->start_ns < PROGRESS_DELAY_NS ||
	    now - p->drawn_ns < PROGRESS_PERIOD_NS)
		return;
	p->drawn_ns = now;
	human_size(done, sizeof(done), bytes);
	human_size(seen, sizeof(seen), p->bytes_seen);
	human_size(speed, sizeof(speed), rate);
	if (!p->walked)
		snprintf(eta, sizeof(eta), "scanning");
	else if (rate < 1 || bytes >= p->bytes_seen)
		snprintf(eta, sizeof(eta), "ETA -");
	else {
		unsigned long s = (p->bytes_seen - bytes) / rate;

		snprintf(eta, sizeof(eta), "ETA %lu:%02lu:%02lu", s / 3600,
			 s / 60 % 60, s % 60);
	}
	snprintf(line, sizeof(line), "%lu/%lu files, %s/%s, %s/s, %s",
		 p->files_done, p->files_seen, done, seen, speed, eta);
	progress_show(line);
}

/* Hand finished jobs to done(), in order; wait while more than @max fly. */
static void reap(struct pool *p, unsigned long max)
{
	struct job *j;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while ((j = p->head) && j->done) {
			p->head = j->next;
			if (!p->head)
				p->tail = NULL;
			p->inflight--;
			pthread_mutex_unlock(&p->lock);
			p->ops->done(p->ctx, j);
			p->files_done++;
			free(j->path);
			free(j);
			pthread_mutex_lock(&p->lock);
		}
		if (p->inflight <= max)
			break;
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += PROGRESS_PERIOD_NS;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&p->done_cv, &p->lock, &ts);
		pthread_mutex_unlock(&p->lock);
		draw_progress(p);
		pthread_mutex_lock(&p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	draw_progress(p);
}

static void submit(struct pool *p, char *path, int fd, const struct stat *st,
		   const void *arg)
{
	struct job *j = xcalloc(1, sizeof(*j));

	j->arg = arg;
	j->path = path;
	j->fd = fd;
	j->st = *st;
	p->files_seen++;
	p->bytes_seen += st->st_size;

	reap(p, p->limit - 1);
	pthread_mutex_lock(&p->lock);
	if (p->tail)
		p->tail->next = j;
	else
		p->head = j;
	p->tail = j;
	if (!p->queue)
		p->queue = j;
	p->inflight++;
	pthread_cond_signal(&p->work_cv);
	pthread_mutex_unlock(&p->lock);
}

/* Clear O_NONBLOCK (used only so that open never waits) and check type. */
static int check_open(int fd, struct stat *st)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) || fstat(fd, st))
		return -errno;
	return 0;
}

static void walk_error(struct pool *p, const char *path, const char *what,
		       int err)
{
	if (what)
		warn_path(path, "%s: %s", what, strerror(err));
	else
		warn_path(path, "%s", strerror(err));
	p->counts.errors++;
}

/*
 * Say that @path is skipped, and count it. Symbolic links are common
 * (thousands in /usr): they are only counted, and named with -v.
 */
static void skip(struct pool *p, const char *path, const char *why)
{
	bool symlink = !strcmp(why, "symlink");
	char *e;

	p->counts.skipped++;
	if (symlink)
		p->counts.symlinks++;
	if (symlink && verbosity <= 0)
		return;
	e = esc(path);
	warnmsg("skipping %s %s", why, e);
	free(e);
}

/* An error a verb found outside the walk, counted with the walk's. */
void pool_count_error(struct pool *p)
{
	p->counts.errors++;
}

/*
 * The walk's part of a verb's summary: "3 skipped (2 symlinks), 1 on
 * pseudo file systems". The caller frees it.
 */
char *skipped_summary(const struct pool_counts *c)
{
	if (!c->symlinks)
		return xasprintf("%lu skipped, %lu on pseudo file systems",
				 c->skipped, c->pseudo);
	return xasprintf("%lu skipped (%lu %s), %lu on pseudo file systems",
			 c->skipped, c->symlinks,
			 plural(c->symlinks, "symlink", "symlinks"), c->pseudo);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk_dir(struct pool *p, int dfd, dev_t dev, const char *dpath,
		     const void *arg);

/*
 * Visit entry @name of directory @dfd (path @path, on device @pdev, not a
 * pseudo file system): @dtype from readdir.
 */
static void walk_entry(struct pool *p, int dfd, dev_t pdev, char *path,
		       const char *name, unsigned char dtype, const void *arg)
{
	const char *fs;
	struct stat st;
	int fd, ret;

	if (dtype == DT_UNKNOWN) {
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW)) {
			walk_error(p, path, NULL, errno);
			goto out;
		}
		dtype = IFTODT(st.st_mode);
	}
	switch (dtype) {
	case DT_REG:
	case DT_DIR:
		break;
	case DT_LNK:
		skip(p, path, "symlink");
		goto out;
	case DT_FIFO:
		skip(p, path, "fifo");
		goto out;
	case DT_SOCK:
		skip(p, path, "socket");
		goto out;
	case DT_CHR:
		skip(p, path, "character device");
		goto out;
	case DT_BLK:
		skip(p, path, "block device");
		goto out;
	default:
		skip(p, path, "special file");
		goto out;
	}

	fd = openat(dfd, name, OPEN_FLAGS | (dtype == DT_DIR ? O_DIRECTORY : 0));
	if (fd < 0) {
		if (errno == ELOOP)	/* replaced by a symlink meanwhile */
			skip(p, path, "symlink");
		else
			walk_error(p, path, NULL, errno);
		goto out;
	}
	ret = check_open(fd, &st);
	if (ret) {
		walk_error(p, path, NULL, -ret);
		close(fd);
		goto out;
	}
	if (p->opts.one_fs && st.st_dev != p->root_dev) {
		skip(p, path, "(other file system)");
		close(fd);
		goto out;
	}
	/* A mount point: opened, never read, if it is a pseudo file system. */
	if (st.st_dev != pdev && (fs = pseudo_fs_name(fd))) {
		char *e = esc(path);

		warnmsg("skipping pseudo file system (%s) %s", fs, e);
		free(e);
		p->counts.pseudo++;
		close(fd);
		goto out;
	}
	if (S_ISREG(st.st_mode)) {
		submit(p, path, fd, &st, arg);
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		walk_dir(p, fd, st.st_dev, path, arg);	/* closes fd */
		goto out;
	}
	skip(p, path, type_name(st.st_mode));
	close(fd);
out:
	free(path);
}

/* Walk directory @dfd (on device @dev) in name order; closes @dfd. */
static void walk_dir(struct pool *p, int dfd, dev_t dev, const char *dpath,
		     const void *arg)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;

	if (!d) {
		walk_error(p, dpath, NULL, errno);
		close(dfd);
		return;
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de)
			break;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			names = xrealloc(names, cap * sizeof(*names));
		}
		/* d_type is kept in the last byte after the name's NUL. */
		size_t len = strlen(de->d_name);
		char *s = xmalloc(len + 2);

		memcpy(s, de->d_name, len + 1);
		s[len + 1] = de->d_type;
		names[n++] = s;
	}
	if (errno)
		walk_error(p, dpath, "reading directory", errno);
	qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		unsigned char dtype = names[i][strlen(names[i]) + 1];

		walk_entry(p, dirfd(d), dev, path_join(dpath, names[i]), names[i],
			   dtype, arg);
		free(names[i]);
	}
	free(names);
	closedir(d);
}

/*
 * pool_add - process a path named by the user
 * @arg: j->arg of every job of the path (e.g. manifest apply's digest);
 *       it must outlive pool_finish()
 *
 * A regular file becomes one job. A directory is walked with -r and is an
 * error without it. Anything else, including a symbolic link, is an error:
 * it was named explicitly; so is a path on a pseudo file system.
 */
void pool_add(struct pool *p, const char *path, const void *arg)
{
	const char *fs;
	struct stat st;
	int fd, ret;

	if (lstat(path, &st)) {
		walk_error(p, path, NULL, errno);
		return;
	}
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		warn_path(path, "not a regular file (%s%s)", type_name(st.st_mode),
			  S_ISLNK(st.st_mode) ? ", not followed" : "");
		p->counts.errors++;
		return;
	}
	if (S_ISDIR(st.st_mode) && !p->opts.recursive) {
		warn_path(path, "is a directory (use -r)");
		p->counts.errors++;
		return;
	}
	fd = open(path, OPEN_FLAGS | (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0));
	if (fd < 0) {
		walk_error(p, path, NULL, errno);
		return;
	}
	ret = check_open(fd, &st);
	if (ret) {
		walk_error(p, path, NULL, -ret);
		close(fd);
		return;
	}
	fs = pseudo_fs_name(fd);
	if (fs) {
		warn_path(path, "on a pseudo file system (%s), not read", fs);
		p->counts.errors++;
		close(fd);
		return;
	}
	if (S_ISREG(st.st_mode)) {
		submit(p, xstrdup(path), fd, &st, arg);
	} else if (S_ISDIR(st.st_mode)) {
		p->root_dev = st.st_dev;
		walk_dir(p, fd, st.st_dev, path, arg);
	} else {	/* replaced between lstat and open */
		warn_path(path, "not a regular file (%s)", type_name(st.st_mode));
		p->counts.errors++;
		close(fd);
	}
}

struct pool *pool_start(const struct pool_ops *ops, void *ctx,
			const struct walk_opts *o)
{
	struct pool *p = xcalloc(1, sizeof(*p));
	struct rlimit rl;
	long cpus;

	p->ops = ops;
	p->ctx = ctx;
	p->opts = *o;
	p->nthreads = o->jobs;
	if (!p->nthreads) {
		cpus = sysconf(_SC_NPROCESSORS_ONLN);
		p->nthreads = cpus > 0 ? cpus : 1;
	}
	/* Queued jobs hold a descriptor each; leave room for deep trees. */
	p->limit = 1024;
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur / 4 < p->limit)
		p->limit = rl.rlim_cur > 64 ? rl.rlim_cur / 4 : 16;
	if (p->limit < p->nthreads)
		p->limit = p->nthreads;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work_cv, NULL);
	pthread_cond_init(&p->done_cv, NULL);
	p->start_ns = now_ns();
	p->threads = xcalloc(p->nthreads, sizeof(*p->threads));
	for (unsigned int i = 0; i < p->nthreads; i++) {
		int err = pthread_create(&p->threads[i], NULL, worker, p);

		if (err)
			fatal("cannot start a worker thread: %s", strerror(err));
	}
	return p;
}

/* Wait for every job, stop the workers, and return the walker's counts. */
struct pool_counts pool_finish(struct pool *p)
{
	struct pool_counts c;

	p->walked = true;
	reap(p, 0);
	pthread_mutex_lock(&p->lock);
	p->closing = true;
	pthread_cond_broadcast(&p->work_cv);
	pthread_mutex_unlock(&p->lock);
	for (unsigned int i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	progress_clear();
	c = p->counts;
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->work_cv);
	pthread_cond_destroy(&p->done_cv);
	free(p->threads);
	free(p);
	return c;
}

/* Record in @j that step @what failed with @err. */
void job_fail(struct job *j, const char *what, int err)
{
	j->what = what;
	j->err = err;
}

/* Say why @j failed (job_fail()). */
void job_warn(const struct job *j)
{
	if (!strcmp(j->what, "lease") && (j->err == EACCES || j->err == EPERM))
		/* Neither the owner nor CAP_LEASE: not the root that marking needs. */
		warn_path(j->path, "permission denied setting %s (needs CAP_MAC_ADMIN / "
			  "root in the initial user namespace; the read lease taken "
			  "while hashing needs CAP_LEASE or owning the file)",
			  EXECMARK_XATTR_NAME);
	else if (!strcmp(j->what, "lease"))
		warn_path(j->path, "cannot take a read lease (%s): cannot tell whether "
			  "a writer changes it while it is hashed, not marked",
			  strerror(j->err));
	else if (strstr(j->what, "fs-verity"))
		verity_warn(j->path, j->err, j->what);
	else if (!strcmp(j->what, "signing"))
		warn_path(j->path, "signing the mark: %s", j->err == EMSGSIZE ?
			  "the signature is longer than a mark can hold (a smaller key)" :
			  "OpenSSL failed");
	else if (strcmp(j->what, "read"))
		mark_warn(j->path, j->err, j->what);
	else
		warn_path(j->path, "read: %s", strerror(j->err));
}
