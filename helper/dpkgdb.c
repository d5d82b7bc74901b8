// SPDX-License-Identifier: GPL-2.0
/*
 * execmark helper: what the apt and dpkg verbs share.
 *
 * Records. A record is a text file: a header of "Field: value" lines, an
 * empty line, then one "HEXDIGEST  PATH" line per file in the format of
 * sha256sum (manifest.c): the regular files of the package's data.tar at
 * the paths dpkg gives them, then its maintainer scripts at their paths in
 * dpkg's info directory. apt-prepare writes pending/<deb-sha256>; when
 * dpkg has unpacked the package, dpkg-apply moves it to
 * installed/<package>:<arch> (Documentation/design.rst, "Packages").
 *
 * DPKG_ROOT and DPKG_ADMINDIR, which dpkg sets for its hooks, are obeyed:
 * with dpkg --root=DIR, files, dpkg's database and execmark's state
 * (DIR/var/lib/execmark) are those under DIR. EXECMARK_STATE_DIR moves
 * execmark's state elsewhere (tests).
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dpkgdb.h"
#include "manifest.h"
#include "securityfs.h"
#include "util.h"

#define RECORD_MAGIC	"execmark-dpkg-record 1"
/* Bytes of one write to the digest list (the kernel takes up to 32 MiB). */
#define DIGESTS_CHUNK	(1u << 20)

const char *dpkg_root(void)
{
	const char *r = getenv("DPKG_ROOT");

	return r && *r && strcmp(r, "/") ? r : "";
}

const char *dpkg_admindir(void)
{
	static char *dir;
	const char *a = getenv("DPKG_ADMINDIR");

	if (!dir)
		dir = a && *a ? xstrdup(a) : xasprintf("%s/var/lib/dpkg", dpkg_root());
	return dir;
}

/* @path (absolute, as on the installed system) under DPKG_ROOT. */
char *root_path(const char *path)
{
	return xasprintf("%s%s", dpkg_root(), path);
}

char *state_path(const char *name)
{
	const char *s = getenv("EXECMARK_STATE_DIR");

	if (s && *s)
		return xasprintf("%s/%s", s, name);
	return xasprintf("%s/var/lib/execmark/%s", dpkg_root(), name);
}

static int mkdirs(const char *path)
{
	char *p = xstrdup(path);
	int ret = 0;

	for (char *s = p + 1; ; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(p, 0755) && errno != EEXIST) {
			ret = -errno;
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	free(p);
	return ret;
}

/*
 * state_lock - create the state directories and take the lock that
 * serialises apt-prepare and dpkg-apply; held until exit.
 * Return: 0 or -errno (reported).
 */
int state_lock(void)
{
	char *dirs[] = { state_path("dpkg/pending"), state_path("dpkg/installed") };
	char *lock = state_path("dpkg/lock");
	int fd, ret = 0;

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		if (!ret && (ret = mkdirs(dirs[i])))
			warn_path(dirs[i], "cannot create: %s", strerror(-ret));
		free(dirs[i]);
	}
	if (ret)
		goto out;
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX)) {
		ret = -errno;
		warn_path(lock, "cannot lock: %s", strerror(errno));
	}
out:
	free(lock);
	return ret;
}

/* This boot's identity: digests loaded in another boot are gone. */
const char *boot_id(void)
{
	static char id[64];
	FILE *f;

	if (id[0])
		return id;
	f = fopen("/proc/sys/kernel/random/boot_id", "re");
	if (!f || !fgets(id, sizeof(id), f))
		strcpy(id, "unknown");
	if (f)
		fclose(f);
	id[strcspn(id, "\n")] = '\0';
	return id;
}

static const char *const scripts[] = { "preinst", "postinst", "prerm", "postrm", "config" };

/* The record's files from a .deb: data files, then the maintainer scripts. */
int rec_from_deb(struct rec *r, const struct deb *d, const char *source)
{
	const char *admin = dpkg_admindir(), *root = dpkg_root();
	size_t rl = strlen(root);
	bool same = d->multiarch && !strcmp(d->multiarch, "same");

	memset(r, 0, sizeof(*r));
	r->package = xstrdup(d->package);
	r->version = xstrdup(d->version);
	r->arch = xstrdup(d->arch);
	r->multiarch = d->multiarch ? xstrdup(d->multiarch) : NULL;
	r->source = xstrdup(source);
	hex_encode(r->deb_sha256, d->sha256, DEB_DIGEST_SIZE);
	snprintf(r->boot, sizeof(r->boot), "%s", boot_id());
	r->files = xcalloc(d->nfiles + d->ncontrol + 1, sizeof(*r->files));
	for (size_t i = 0; i < d->nfiles; i++) {
		memcpy(r->files[i].digest, d->files[i].digest, DEB_DIGEST_SIZE);
		r->files[i].path = xstrdup(d->files[i].path);
	}
	r->nfiles = d->nfiles;
	/* dpkg's info files: PKG.script, PKG:ARCH.script for Multi-Arch: same. */
	if (rl && !strncmp(admin, root, rl))
		admin += rl;
	for (size_t i = 0; i < d->ncontrol; i++) {
		for (size_t k = 0; k < ARRAY_SIZE(scripts); k++) {
			if (strcmp(d->control[i].path, scripts[k]))
				continue;
			memcpy(r->files[r->nfiles].digest, d->control[i].digest,
			       DEB_DIGEST_SIZE);
			r->files[r->nfiles++].path = same ?
				xasprintf("%s/info/%s:%s.%s", admin, d->package, d->arch, scripts[k]) :
				xasprintf("%s/info/%s.%s", admin, d->package, scripts[k]);
		}
	}
	return 0;
}

char *rec_key(const struct rec *r)
{
	return xasprintf("%s:%s", r->package, r->arch);
}

/* Write @r to @path atomically (a temporary file, fsync, rename). */
int rec_write(const struct rec *r, const char *path, bool pending)
{
	char *tmp = xasprintf("%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), ret = 0;
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	const struct algo *a = algo_by_name("sha256");

	if (!f) {
		ret = -errno;
		if (fd >= 0)
			close(fd);
		goto out;
	}
	fprintf(f, "%s\nPackage: %s\nVersion: %s\nArchitecture: %s\n",
		RECORD_MAGIC, r->package, r->version, r->arch);
	if (r->multiarch)
		fprintf(f, "Multi-Arch: %s\n", r->multiarch);
	fprintf(f, "Source: %s\nDeb-SHA256: %s\n", r->source, r->deb_sha256);
	if (pending)
		fprintf(f, "Boot: %s\nLoaded: %s\n", r->boot, r->loaded ? "yes" : "no");
	else
		fprintf(f, "Python: %s\n", r->python ? "yes" : "no");
	fputc('\n', f);
	for (size_t i = 0; i < r->nfiles; i++)
		manifest_write_line(f, a, r->files[i].digest, r->files[i].path);
	if (fflush(f) || ferror(f) || fsync(fileno(f)))
		ret = -errno ? -errno : -EIO;
	if (fclose(f) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
out:
	if (ret) {
		warn_path(tmp, "cannot write: %s", strerror(-ret));
		unlink(tmp);
	}
	free(tmp);
	return ret;
}

static char *header(const char *line, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(line, name, n) || line[n] != ':' || line[n + 1] != ' ')
		return NULL;
	return xstrdup(line + n + 2);
}

/* Read a record written by rec_write(); -EINVAL (reported) if malformed. */
int rec_read(struct rec *r, const char *path, bool pending)
{
	FILE *f = fopen(path, "re");
	char *line = NULL, *v;
	size_t cap = 0, fcap = 0;
	unsigned long lineno = 0;
	ssize_t len;
	bool body = false;
	int ret = -EINVAL;

	memset(r, 0, sizeof(*r));
	r->file = xstrdup(path);
	if (!f) {
		ret = -errno;
		warn_path(path, "%s", strerror(errno));
		return ret;
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		lineno++;
		if (line[len - 1] != '\n')
			goto bad;
		line[--len] = '\0';
		if (lineno == 1) {
			if (strcmp(line, RECORD_MAGIC))
				goto bad;
			continue;
		}
		if (!body) {
			if (!len) {
				body = true;
				continue;
			}
			if ((v = header(line, "Package")))
				free(r->package), r->package = v;
			else if ((v = header(line, "Version")))
				free(r->version), r->version = v;
			else if ((v = header(line, "Architecture")))
				free(r->arch), r->arch = v;
			else if ((v = header(line, "Multi-Arch")))
				free(r->multiarch), r->multiarch = v;
			else if ((v = header(line, "Source")))
				free(r->source), r->source = v;
			else if ((v = header(line, "Deb-SHA256"))) {
				snprintf(r->deb_sha256, sizeof(r->deb_sha256), "%s", v);
				free(v);
			} else if ((v = header(line, "Boot"))) {
				snprintf(r->boot, sizeof(r->boot), "%s", v);
				free(v);
			} else if ((v = header(line, "Loaded"))) {
				r->loaded = !strcmp(v, "yes");
				free(v);
			} else if ((v = header(line, "Python"))) {
				r->python = !strcmp(v, "yes");
				free(v);
			}
			continue;
		}
		struct manifest_entry e;
		char *p = manifest_parse_line(line, len, &e);

		if (!p || e.algo->size != DEB_DIGEST_SIZE || p[0] != '/')
			goto bad;
		if (r->nfiles == fcap) {
			fcap = fcap ? 2 * fcap : 64;
			r->files = xrealloc(r->files, fcap * sizeof(*r->files));
		}
		memcpy(r->files[r->nfiles].digest, e.digest, DEB_DIGEST_SIZE);
		r->files[r->nfiles++].path = xstrdup(p);
	}
	if (ferror(f)) {
		ret = -errno;
		warn_path(path, "read: %s", strerror(errno));
		goto out;
	}
	if (!body || !r->package || !r->version || !r->arch || !r->source ||
	    (pending && !r->boot[0]))
		goto bad;
	ret = 0;
	goto out;
bad:
	warn_path(path, "malformed execmark record (line %lu)", lineno);
out:
	(void)pending;
	free(line);
	fclose(f);
	return ret;
}

void rec_free(struct rec *r)
{
	for (size_t i = 0; i < r->nfiles; i++)
		free(r->files[i].path);
	free(r->files);
	free(r->package);
	free(r->version);
	free(r->arch);
	free(r->multiarch);
	free(r->source);
	free(r->file);
	memset(r, 0, sizeof(*r));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in @dir ending in @suffix ("" for all but dot files), sorted. */
char **list_dir(const char *dir, const char *suffix, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t cap = 0, sl = strlen(suffix);

	*n = 0;
	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);

		if (e->d_name[0] == '.' || l < sl || strcmp(e->d_name + l - sl, suffix))
			continue;
		if (l > 4 && !strcmp(e->d_name + l - 4, ".tmp"))
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 32;
			names = xrealloc(names, cap * sizeof(*names));
		}
		names[(*n)++] = path_join(dir, e->d_name);
	}
	closedir(d);
	if (*n)
		qsort(names, *n, sizeof(*names), cmp_str);
	return names;
}

/*
 * Run @argv with its standard output into *@out (NUL-terminated); its
 * standard error is ours. Return: its exit status, or -1 (reported).
 */
static int run_capture(char *const argv[], char **out, size_t *outlen)
{
	int pfd[2], status;
	size_t len = 0, cap = 65536;
	char *buf = xmalloc(cap);
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC)) {
		free(buf);
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		warnmsg("fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		free(buf);
		return -1;
	}
	if (!pid) {
		dup2(pfd[1], STDOUT_FILENO);
		execvp(argv[0], argv);
		fprintf(stderr, "execmark: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		ssize_t n;

		if (len + 1 >= cap)
			buf = xrealloc(buf, cap *= 2);
		n = read(pfd[0], buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
	}
	close(pfd[0]);
	buf[len] = '\0';
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			free(buf);
			return -1;
		}
	*out = buf;
	if (outlen)
		*outlen = len;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Split @s in place at @sep into at most @max fields; the count. */
static size_t split(char *s, char sep, char **f, size_t max)
{
	size_t n = 0;

	while (n < max) {
		f[n++] = s;
		s = strchr(s, sep);
		if (!s)
			break;
		*s++ = '\0';
	}
	return n;
}

/* dpkg's packages (dpkg-query) and diversions. Return: 0 or -1 (reported). */
int dpkg_view_read(struct dpkg_view *v)
{
	char *admin = xasprintf("--admindir=%s", dpkg_admindir());
	char *argv[] = { "dpkg-query", admin, "-W", "-f",
		"${Package}\\t${Architecture}\\t${Version}\\t${db:Status-Status}\\n", NULL };
	char *out = NULL, *line, *next, *dpath;
	size_t cap = 0;
	FILE *f;
	int st;

	memset(v, 0, sizeof(*v));
	st = run_capture(argv, &out, NULL);
	free(admin);
	/* dpkg-query -W says 1 when the database has no package at all. */
	if (st != 0 && !(st == 1 && out && !*out)) {
		warnmsg("dpkg-query failed (status %d): cannot read dpkg's database", st);
		free(out);
		return -1;
	}
	for (line = out; line && *line; line = next) {
		char *fld[4];

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (split(line, '\t', fld, 4) != 4)
			continue;
		if (v->npkgs == cap) {
			cap = cap ? 2 * cap : 512;
			v->pkgs = xrealloc(v->pkgs, cap * sizeof(*v->pkgs));
		}
		v->pkgs[v->npkgs++] = (struct pkg_status){ xstrdup(fld[0]), xstrdup(fld[1]),
			xstrdup(fld[2]), xstrdup(fld[3]) };
	}
	free(out);

	dpath = xasprintf("%s/diversions", dpkg_admindir());
	f = fopen(dpath, "re");
	if (f) {
		char *l = NULL;
		size_t lcap = 0, dcap = 0;
		ssize_t len;

		while ((len = getline(&l, &lcap, f)) > 0) {
			if (l[len - 1] == '\n')
				l[len - 1] = '\0';
			if (v->ndiv == dcap) {
				dcap = dcap ? 2 * dcap : 48;
				v->div = xrealloc(v->div, dcap * sizeof(*v->div));
			}
			v->div[v->ndiv++] = xstrdup(l);
		}
		free(l);
		fclose(f);
		v->ndiv -= v->ndiv % 3;
	} else if (errno != ENOENT) {
		warn_path(dpath, "%s", strerror(errno));
	}
	free(dpath);
	return 0;
}

void dpkg_view_free(struct dpkg_view *v)
{
	for (size_t i = 0; i < v->npkgs; i++) {
		free(v->pkgs[i].package);
		free(v->pkgs[i].arch);
		free(v->pkgs[i].version);
		free(v->pkgs[i].state);
	}
	for (size_t i = 0; i < v->ndiv; i++)
		free(v->div[i]);
	free(v->pkgs);
	free(v->div);
	memset(v, 0, sizeof(*v));
}

const struct pkg_status *dpkg_find(const struct dpkg_view *v, const char *package,
				   const char *arch)
{
	for (size_t i = 0; i < v->npkgs; i++)
		if (!strcmp(v->pkgs[i].package, package) && !strcmp(v->pkgs[i].arch, arch))
			return &v->pkgs[i];
	return NULL;
}

/* dpkg has unpacked the package's files: every state from "unpacked" on. */
bool state_unpacked(const char *state)
{
	static const char *const states[] = { "unpacked", "half-configured",
		"triggers-awaited", "triggers-pending", "installed" };

	for (size_t i = 0; i < ARRAY_SIZE(states); i++)
		if (!strcmp(state, states[i]))
			return true;
	return false;
}

/*
 * Where dpkg put @package's file @path: a diversion of @path by another
 * package (or by the administrator) sends it to the diversion's target.
 */
const char *divert(const struct dpkg_view *v, const char *path, const char *package)
{
	for (size_t i = 0; i + 2 < v->ndiv; i += 3)
		if (!strcmp(v->div[i], path))
			return strcmp(v->div[i + 2], package) ? v->div[i + 1] : path;
	return path;
}

static int cmp_digest(const void *a, const void *b)
{
	return memcmp(a, b, DEB_DIGEST_SIZE);
}

/* The distinct digests of @r, sorted: *@n of them. */
static unsigned char (*rec_digests(const struct rec *r, size_t *n))[DEB_DIGEST_SIZE]
{
	unsigned char (*d)[DEB_DIGEST_SIZE] = xcalloc(r->nfiles + 1, sizeof(*d));
	size_t k = 0;

	for (size_t i = 0; i < r->nfiles; i++)
		memcpy(d[i], r->files[i].digest, DEB_DIGEST_SIZE);
	qsort(d, r->nfiles, sizeof(*d), cmp_digest);
	for (size_t i = 0; i < r->nfiles; i++)
		if (!k || memcmp(d[k - 1], d[i], DEB_DIGEST_SIZE))
			memcpy(d[k++], d[i], DEB_DIGEST_SIZE);
	*n = k;
	return d;
}

/* The kernel has the digest list (interface version 1 extension). */
bool digests_available(void)
{
	char *p = securityfs_path("digests");
	bool ok = !access(p, W_OK);

	free(p);
	return ok;
}

/* One write of @len bytes: 0 or -errno. */
static int digests_write(const char *buf, size_t len)
{
	int fd = securityfs_open("digests", O_WRONLY | O_APPEND), ret = 0;
	ssize_t n;

	if (fd < 0)
		return fd;
	do
		n = write(fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != len)
		ret = -EIO;	/* the kernel takes a write whole or not at all */
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}

/*
 * Write "<op>sha256:<hex>\n" for digests [from, to), in writes of whole
 * lines of at most DIGESTS_CHUNK bytes; *@done: the end of what was written.
 */
static int digests_op(char op, unsigned char (*d)[DEB_DIGEST_SIZE], size_t from,
		      size_t to, size_t *done)
{
	char *buf = xmalloc(DIGESTS_CHUNK);
	const size_t line = 1 + 7 + 2 * DEB_DIGEST_SIZE + 1;
	size_t len = 0;
	int ret = 0;

	*done = from;
	for (size_t i = from; i < to; i++) {
		if (len + line > DIGESTS_CHUNK) {
			if ((ret = digests_write(buf, len)))
				goto out;
			*done = i;
			len = 0;
		}
		buf[len++] = op;
		memcpy(buf + len, "sha256:", 7);
		len += 7;
		hex_encode(buf + len, d[i], DEB_DIGEST_SIZE);
		len += 2 * DEB_DIGEST_SIZE;
		buf[len++] = '\n';
	}
	if (len && (ret = digests_write(buf, len)))
		goto out;
	*done = to;
out:
	free(buf);
	return ret;
}

/*
 * digests_add - put the distinct digests of @r on the kernel's list (one
 * reference each); all or none: on failure, what was added is taken off.
 * Return: 0 or -errno (ENOSPC: the list is full).
 */
int digests_add(const struct rec *r)
{
	size_t n, done, undone;
	unsigned char (*d)[DEB_DIGEST_SIZE] = rec_digests(r, &n);
	int ret = digests_op('+', d, 0, n, &done);

	if (ret && done)
		digests_op('-', d, 0, done, &undone);
	free(d);
	return ret;
}

/*
 * digests_remove - take one reference of each distinct digest of @r off
 * the list. A digest the list does not hold (ENOENT: a reboot, or a load
 * that never happened) is skipped: the others still go.
 * Return: 0 or -errno of the first other failure.
 */
int digests_remove(const struct rec *r)
{
	size_t n, done;
	unsigned char (*d)[DEB_DIGEST_SIZE] = rec_digests(r, &n);
	int ret = digests_op('-', d, 0, n, &done), first = 0;

	/* A chunk failed whole: the rest one by one. */
	while (ret) {
		if (ret != -ENOENT && !first)
			first = ret;
		for (size_t i = done; i < n; i++) {
			size_t one;
			int e = digests_op('-', d, i, i + 1, &one);

			if (e && e != -ENOENT && !first)
				first = e;
		}
		ret = 0;
	}
	free(d);
	return first;
}

static bool exists(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode);
}

/*
 * The meta index of a Packages index in apt's lists directory: its file
 * name is URItoFileName(base URI + meta key) plus a compression suffix, and
 * the Release's is URItoFileName(base URI + "InRelease"), so the prefix
 * is the file name without the quoted meta key. apt keeps an InRelease,
 * or a Release.gpg next to the Release, only for a signature it verified
 * (Documentation/design.rst, "Packages"). Return: true if signed.
 */
static bool index_signed(const char *file, const char *metakey)
{
	static const char *const exts[] = { ".lz4", ".gz", ".xz", ".zst", ".bz2", ".lzma", "" };
	char *base = xstrdup(file), *key = xmalloc(3 * strlen(metakey) + 1), *k = key;
	size_t bl, kl;
	bool ok = false;

	for (const char *s = metakey; *s; s++) {
		if (strchr("\\|{}[]<>\"^~_=!@#$%&*", *s) || (unsigned char)*s <= 0x20 ||
		    (unsigned char)*s >= 0x7f)
			k += sprintf(k, "%%%02x", (unsigned char)*s);
		else
			*k++ = *s == '/' ? '_' : *s;
	}
	*k = '\0';
	bl = strlen(base);
	for (size_t i = 0; i < ARRAY_SIZE(exts); i++) {
		size_t el = strlen(exts[i]);

		if (bl >= el && !strcmp(base + bl - el, exts[i])) {
			base[bl - el] = '\0';
			break;
		}
	}
	bl = strlen(base);
	kl = strlen(key);
	if (bl > kl && !strcmp(base + bl - kl, key)) {
		char *in, *rel, *gpg;

		base[bl - kl] = '\0';
		in = xasprintf("%sInRelease", base);
		rel = xasprintf("%sRelease", base);
		gpg = xasprintf("%sRelease.gpg", base);
		ok = exists(in) || (exists(rel) && exists(gpg));
		free(in);
		free(rel);
		free(gpg);
	}
	free(base);
	free(key);
	return ok;
}

/* Mark in @found the wanted digests that a "SHA256:" line of @line gives. */
static void packages_line(const char *line, size_t len,
			  const unsigned char (*want)[DEB_DIGEST_SIZE], size_t n,
			  bool *found)
{
	unsigned char d[DEB_DIGEST_SIZE];
	const unsigned char (*hit)[DEB_DIGEST_SIZE];
	size_t i = 7;

	if (len < 7 + 64 || strncasecmp(line, "SHA256:", 7))
		return;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (len - i < 64 || (len - i > 64 && line[i + 64] != ' ' && line[i + 64] != '\t' &&
			     line[i + 64] != '\r'))
		return;
	for (size_t k = 0; k < DEB_DIGEST_SIZE; k++) {
		int hi = hexval(line[i + 2 * k]), lo = hexval(line[i + 2 * k + 1]);

		if (hi < 0 || lo < 0)
			return;
		d[k] = hi << 4 | lo;
	}
	hit = bsearch(d, want, n, sizeof(*want), cmp_digest);
	if (hit)
		found[hit - want] = true;
}

/* Read a Packages index (any compression libarchive knows) for @want. */
static int packages_scan(const char *file, const unsigned char (*want)[DEB_DIGEST_SIZE],
			 size_t n, bool *found)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	char *buf = xmalloc(65536), *line = NULL;
	size_t llen = 0, lcap = 0;
	la_ssize_t got;
	int ret = -1;

	archive_read_support_format_raw(a);
	archive_read_support_filter_all(a);
	if (archive_read_open_filename(a, file, 65536) != ARCHIVE_OK ||
	    archive_read_next_header(a, &e) != ARCHIVE_OK) {
		warn_path(file, "cannot read: %s", archive_error_string(a));
		goto out;
	}
	while ((got = archive_read_data(a, buf, 65536)) > 0) {
		for (la_ssize_t i = 0; i < got; i++) {
			if (buf[i] == '\n') {
				packages_line(line ? line : "", llen > 256 ? 0 : llen, want, n, found);
				llen = 0;
				continue;
			}
			if (llen < 256) {	/* longer lines are no SHA256 field */
				if (llen == lcap)
					line = xrealloc(line, lcap = lcap ? 2 * lcap : 128);
				line[llen] = buf[i];
			}
			llen++;
		}
	}
	if (got < 0) {
		warn_path(file, "cannot read: %s", archive_error_string(a));
		goto out;
	}
	packages_line(line ? line : "", llen > 256 ? 0 : llen, want, n, found);
	ret = 0;
out:
	archive_read_free(a);
	free(buf);
	free(line);
	return ret;
}

/*
 * apt_find_verified - which of the .deb digests @want (sorted) a Packages
 * index of a signed Release lists
 * @found: receives true for each one found
 *
 * The indexes are apt's own ("apt-get indextargets", with the apt
 * configuration of the environment); an index counts only if apt kept a
 * verified signature of its Release (index_signed()).
 * Return: 0, or -1 if apt could not be asked (reported; nothing found).
 */
int apt_find_verified(const unsigned char (*want)[DEB_DIGEST_SIZE], size_t n,
		      bool *found)
{
	char *argv[] = { "apt-get", "indextargets", "--format",
		"$(FILENAME)\t$(METAKEY)", "Identifier: Packages", NULL };
	char *out = NULL, *line, *next;
	int st;

	memset(found, 0, n * sizeof(*found));
	if (!n)
		return 0;
	st = run_capture(argv, &out, NULL);
	if (st) {
		warnmsg("apt-get indextargets failed (status %d): no package counts as verified", st);
		free(out);
		return -1;
	}
	for (line = out; *line; line = next) {
		char *fld[2];

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if (split(line, '\t', fld, 2) != 2 || !exists(fld[0]))
			continue;
		if (!index_signed(fld[0], fld[1]))
			continue;
		packages_scan(fld[0], want, n, found);
	}
	free(out);
	return 0;
}
