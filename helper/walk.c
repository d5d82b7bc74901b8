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
	size_t dir_fds;		/* directories the walk keeps open, at most */
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

/*
 * The recursive walk holds a bounded number of directory descriptors,
 * whatever the depth of the tree: each directory's entries are read at
 * once when it is entered, and only the descriptors of the directory
 * being walked, the few above it and the top (the PATH named) stay open.
 * Going back up to a directory whose descriptor was closed reopens it by
 * ".." from its child, and checks that it is the same directory (device
 * and inode); if the child was moved meanwhile, it is reopened down from
 * the top by its names, each step checked the same way. A directory that
 * cannot be found again so is an error, and the rest of it is not walked:
 * the walk never follows a symbolic link nor leaves the directories it
 * entered for others that took their names.
 */
struct frame {
	char **names;		/* its entries, each with its d_type after the NUL */
	size_t n, next;		/* how many, and the next to visit */
	int fd;			/* -1 while closed */
	dev_t dev;
	ino_t ino;
	size_t pathlen;		/* of its path, in the walk's path buffer */
};

struct walk {
	struct pool *p;
	const void *arg;	/* pool_add()'s */
	struct frame *f;	/* f[0] the PATH named, f[depth - 1] the one walked */
	size_t depth, cap;
	size_t open;		/* frames whose descriptor is open */
	size_t lo;		/* f[1] to f[lo - 1] are closed */
	char *path;		/* the path of the entry being visited */
	size_t pathcap;
};

/* Make the path buffer hold f's path (its first @len bytes) + "/" + @name. */
static size_t set_path(struct walk *w, size_t len, const char *name)
{
	size_t n = strlen(name), need = len + 1 + n + 1;

	if (need > w->pathcap) {
		w->pathcap = need * 2;
		w->path = xrealloc(w->path, w->pathcap);
	}
	if (len && w->path[len - 1] != '/')
		w->path[len++] = '/';
	memcpy(w->path + len, name, n + 1);
	return len + n;
}

/* The path of frame @k, for a message; the caller frees it. */
static char *frame_path(const struct walk *w, size_t k)
{
	char *s = xmalloc(w->f[k].pathlen + 1);

	memcpy(s, w->path, w->f[k].pathlen);
	s[w->f[k].pathlen] = '\0';
	return s;
}

/* Read the entries of directory @fd, in name order; -errno if it could not be read at all. */
static int read_names(struct pool *p, int fd, const char *dpath, char ***out,
		      size_t *count)
{
	int rfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	DIR *d = rfd < 0 ? NULL : fdopendir(rfd);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;

	if (!d) {
		int err = errno;

		if (rfd >= 0)
			close(rfd);
		return -err;
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de)
			break;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
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
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	*out = names;
	*count = n;
	return 0;
}

/* Enter directory @fd (@st, its path the first @pathlen bytes of w->path). */
static void push(struct walk *w, int fd, const struct stat *st, size_t pathlen)
{
	struct frame *f;
	char **names = NULL;
	size_t n = 0;
	int ret = read_names(w->p, fd, w->path, &names, &n);

	if (ret) {
		walk_error(w->p, w->path, NULL, -ret);
		close(fd);
		return;
	}
	if (w->depth == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 16;
		w->f = xrealloc(w->f, w->cap * sizeof(*w->f));
	}
	f = &w->f[w->depth++];
	*f = (struct frame){ .names = names, .n = n, .fd = fd, .dev = st->st_dev,
			     .ino = st->st_ino, .pathlen = pathlen };
	w->open++;
	/* Beyond the bound, close the open descriptor nearest f[0] but f[0]'s. */
	if (w->lo < 1)
		w->lo = 1;
	while (w->open > w->p->dir_fds && w->lo + 1 < w->depth) {
		struct frame *c = &w->f[w->lo++];

		if (c->fd >= 0) {
			close(c->fd);
			c->fd = -1;
			w->open--;
		}
	}
}

/* Open @name in @dfd as a directory and check that it is @f's. */
static int reopen_as(int dfd, const char *name, const struct frame *f)
{
	struct stat st;
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || st.st_dev != f->dev || st.st_ino != f->ino) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Reopen frame @k (closed; 0 < @k), the parent of the top frame, whose
 * descriptor is @child (-1 if closed): by ".." from @child, else down
 * from f[0] by the names of f[1] to f[@k]. Return: whether it worked.
 */
static bool reopen(struct walk *w, size_t k, int child)
{
	int fd = child >= 0 ? reopen_as(child, "..", &w->f[k]) : -1;

	if (fd < 0) {
		/* Moved (or @child closed): down from f[0], which stays open. */
		int dfd = w->f[0].fd;

		for (size_t i = 1; i <= k; i++) {
			const struct frame *up = &w->f[i - 1];

			fd = reopen_as(dfd, up->names[up->next - 1], &w->f[i]);
			if (i > 1)
				close(dfd);
			if (fd < 0)
				return false;
			dfd = fd;
		}
	}
	w->f[k].fd = fd;
	return true;
}

/* Leave the top frame, reopening its parent if it was closed. */
static void pop(struct walk *w)
{
	struct frame *top = &w->f[w->depth - 1];
	size_t k = w->depth - 2;

	if (w->depth > 1 && k > 0 && w->f[k].fd < 0) {
		if (reopen(w, k, top->fd)) {
			w->open++;
			if (w->lo > k)
				w->lo = k;
		} else {
			char *e = frame_path(w, k);

			warn_path(e, "moved or replaced during the walk: the rest of it is not walked");
			free(e);
			w->p->counts.errors++;
			w->f[k].next = w->f[k].n;
		}
	}
	if (top->fd >= 0) {
		close(top->fd);
		w->open--;
	}
	for (size_t i = 0; i < top->n; i++)
		free(top->names[i]);
	free(top->names);
	w->depth--;
	/* f[1] to f[lo - 1] closed: not beyond the parent, now the top. */
	if (w->depth > 1 && w->lo > w->depth - 1)
		w->lo = w->depth - 1;
}

/*
 * Visit entry @name (@dtype from readdir) of the top frame, whose path is
 * now in w->path (@len bytes).
 */
static void visit(struct walk *w, const char *name, unsigned char dtype,
		  size_t len)
{
	struct pool *p = w->p;
	const struct frame *dir = &w->f[w->depth - 1];
	const char *fs, *path = w->path;
	struct stat st;
	int fd, ret;

	if (dtype == DT_UNKNOWN) {
		if (fstatat(dir->fd, name, &st, AT_SYMLINK_NOFOLLOW)) {
			walk_error(p, path, NULL, errno);
			return;
		}
		dtype = IFTODT(st.st_mode);
	}
	switch (dtype) {
	case DT_REG:
	case DT_DIR:
		break;
	case DT_LNK:
		skip(p, path, "symlink");
		return;
	case DT_FIFO:
		skip(p, path, "fifo");
		return;
	case DT_SOCK:
		skip(p, path, "socket");
		return;
	case DT_CHR:
		skip(p, path, "character device");
		return;
	case DT_BLK:
		skip(p, path, "block device");
		return;
	default:
		skip(p, path, "special file");
		return;
	}

	fd = openat(dir->fd, name, OPEN_FLAGS | (dtype == DT_DIR ? O_DIRECTORY : 0));
	if (fd < 0) {
		if (errno == ELOOP)	/* replaced by a symlink meanwhile */
			skip(p, path, "symlink");
		else
			walk_error(p, path, NULL, errno);
		return;
	}
	ret = check_open(fd, &st);
	if (ret) {
		walk_error(p, path, NULL, -ret);
		close(fd);
		return;
	}
	if (p->opts.one_fs && st.st_dev != p->root_dev) {
		skip(p, path, "(other file system)");
		close(fd);
		return;
	}
	/* A mount point: opened, never read, if it is a pseudo file system. */
	if (st.st_dev != dir->dev && (fs = pseudo_fs_name(fd))) {
		char *e = esc(path);

		warnmsg("skipping pseudo file system (%s) %s", fs, e);
		free(e);
		p->counts.pseudo++;
		close(fd);
		return;
	}
	if (S_ISREG(st.st_mode)) {
		submit(p, xstrdup(path), fd, &st, w->arg);
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		push(w, fd, &st, len);
		return;
	}
	skip(p, path, type_name(st.st_mode));
	close(fd);
}

/* Walk the directory @fd (@st) named @path, in name order; closes @fd. */
static void walk_tree(struct pool *p, int fd, const struct stat *st,
		      const char *path, const void *arg)
{
	struct walk w = { .p = p, .arg = arg };
	size_t len = strlen(path);

	w.pathcap = len + 256;
	w.path = xmalloc(w.pathcap);
	memcpy(w.path, path, len + 1);
	push(&w, fd, st, len);
	while (w.depth) {
		struct frame *top = &w.f[w.depth - 1];
		char *name;
		size_t plen;

		if (top->next == top->n) {
			pop(&w);
			continue;
		}
		/* Kept until the frame is left: reopen() may need it. */
		name = top->names[top->next++];
		plen = set_path(&w, top->pathlen, name);
		visit(&w, name, name[strlen(name) + 1], plen);
	}
	free(w.f);
	free(w.path);
}

/*
 * A path longer than the system calls take (PATH_MAX, with its NUL), as
 * manifest export writes for deep trees: open its leading directories a
 * piece of less than PATH_MAX bytes at a time, each piece resolved as the
 * kernel resolves a path, and return the descriptor of the directory that
 * holds the rest (*@rest); AT_FDCWD and @path itself if it is short
 * enough; or -errno.
 */
static int long_path_dir(const char *path, const char **rest)
{
	int dfd = AT_FDCWD;
	const char *s = path;

	while (strlen(s) >= PATH_MAX) {
		const char *cut = memrchr(s, '/', PATH_MAX - 1);
		char *piece;
		int fd, err;

		if (!cut) {	/* a name longer than PATH_MAX */
			if (dfd != AT_FDCWD)
				close(dfd);
			return -ENAMETOOLONG;
		}
		piece = xmalloc(cut - s + 2);
		memcpy(piece, s, cut - s + 1);
		piece[cut - s + 1] = '\0';
		fd = openat(dfd, piece, O_PATH | O_DIRECTORY | O_CLOEXEC);
		err = errno;
		free(piece);
		if (dfd != AT_FDCWD)
			close(dfd);
		if (fd < 0)
			return -err;
		dfd = fd;
		s = cut + 1;
	}
	*rest = *s ? s : ".";
	return dfd;
}

/* lstat() of @path, also when it is longer than PATH_MAX. */
int lstat_long(const char *path, struct stat *st)
{
	const char *rest;
	int dfd = long_path_dir(path, &rest), ret;

	if (dfd < 0 && dfd != AT_FDCWD) {
		errno = -dfd;
		return -1;
	}
	ret = fstatat(dfd, rest, st, AT_SYMLINK_NOFOLLOW);
	if (dfd != AT_FDCWD) {
		int err = errno;

		close(dfd);
		errno = err;
	}
	return ret;
}

/*
 * pool_add - process a path named by the user
 * @arg: j->arg of every job of the path (e.g. manifest apply's digest);
 *       it must outlive pool_finish()
 *
 * A regular file becomes one job. A directory is walked with -r and is an
 * error without it. Anything else, including a symbolic link, is an error:
 * it was named explicitly; so is a path on a pseudo file system. A path
 * longer than PATH_MAX is resolved piecewise (long_path_dir()).
 */
void pool_add(struct pool *p, const char *path, const void *arg)
{
	const char *fs, *rest;
	struct stat st;
	int fd, ret, dfd = long_path_dir(path, &rest);

	if (dfd < 0 && dfd != AT_FDCWD) {
		walk_error(p, path, NULL, -dfd);
		return;
	}
	if (fstatat(dfd, rest, &st, AT_SYMLINK_NOFOLLOW)) {
		walk_error(p, path, NULL, errno);
		goto out;
	}
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		warn_path(path, "not a regular file (%s%s)", type_name(st.st_mode),
			  S_ISLNK(st.st_mode) ? ", not followed" : "");
		p->counts.errors++;
		goto out;
	}
	if (S_ISDIR(st.st_mode) && !p->opts.recursive) {
		warn_path(path, "is a directory (use -r)");
		p->counts.errors++;
		goto out;
	}
	fd = openat(dfd, rest, OPEN_FLAGS | (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0));
	if (fd < 0) {
		walk_error(p, path, NULL, errno);
		goto out;
	}
	ret = check_open(fd, &st);
	if (ret) {
		walk_error(p, path, NULL, -ret);
		close(fd);
		goto out;
	}
	fs = pseudo_fs_name(fd);
	if (fs) {
		warn_path(path, "on a pseudo file system (%s), not read", fs);
		p->counts.errors++;
		close(fd);
		goto out;
	}
	if (S_ISREG(st.st_mode)) {
		submit(p, xstrdup(path), fd, &st, arg);
	} else if (S_ISDIR(st.st_mode)) {
		p->root_dev = st.st_dev;
		walk_tree(p, fd, &st, path, arg);
	} else {	/* replaced between lstat and open */
		warn_path(path, "not a regular file (%s)", type_name(st.st_mode));
		p->counts.errors++;
		close(fd);
	}
out:
	if (dfd != AT_FDCWD)
		close(dfd);
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
	/* The walk's directories: an eighth of the descriptors, 2 to 64. */
	p->dir_fds = 64;
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur / 8 < p->dir_fds)
		p->dir_fds = rl.rlim_cur / 8 > 2 ? rl.rlim_cur / 8 : 2;
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
