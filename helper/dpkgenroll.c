// SPDX-License-Identifier: GPL-2.0
/*
 * execmark helper: the dpkg-enroll subcommand: trust in packages that were
 * installed before the hooks, on a machine already running. By default
 * from the installed versions' .debs fetched through apt (apt-get
 * download: verified as any download) and checked as apt-prepare checks
 * them; --md5sums (dpkg's MD5 lists, which the packages wrote themselves)
 * and --trust-on-first-use (the files as they are) are weaker, and only
 * taken when asked for.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "cmd.h"
#include "dpkgdb.h"
#include "opts.h"
#include "util.h"

enum enroll_mode { FROM_DEBS, FROM_MD5SUMS, FIRST_USE };

/* Files whose MD5 is not the one dpkg lists: not enrolled. */
static unsigned long md5_bad;

static int cmp_digest(const void *a, const void *b)
{
	return memcmp(a, b, DEB_DIGEST_SIZE);
}

/* apt-get download of @pkg at @ver into @dir: the .deb's path, or NULL. */
static char *download(const char *dir, const struct pkg_status *p)
{
	char *spec = strcmp(p->arch, "all") ?
		xasprintf("%s:%s=%s", p->package, p->arch, p->version) :
		xasprintf("%s=%s", p->package, p->version);
	char *argv[] = { "apt-get", "download", "-q", spec, NULL };
	char **names, *deb = NULL;
	size_t n;
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		free(spec);
		return NULL;
	}
	if (!pid) {
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

		if (chdir(dir))
			_exit(127);
		if (null >= 0)
			dup2(null, STDOUT_FILENO);
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			break;
	free(spec);
	names = list_dir(dir, ".deb", &n);
	if (n == 1 && WIFEXITED(status) && !WEXITSTATUS(status))
		deb = xstrdup(names[0]);
	for (size_t i = 0; i < n; i++) {
		if (!deb || strcmp(names[i], deb))
			unlink(names[i]);
		free(names[i]);
	}
	free(names);
	return deb;
}

static void rec_add(struct rec *r, size_t *cap, const unsigned char *digest, char *path)
{
	if (r->nfiles == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		r->files = xrealloc(r->files, *cap * sizeof(*r->files));
	}
	memcpy(r->files[r->nfiles].digest, digest, DEB_DIGEST_SIZE);
	r->files[r->nfiles++].path = path;
}

/* SHA-256 (and MD5 into @md5 if not NULL) of the regular file @path. */
static int digest_path(const char *path, unsigned char *sha, unsigned char *md5)
{
	EVP_MD_CTX *s = EVP_MD_CTX_new(), *m = md5 ? EVP_MD_CTX_new() : NULL;
	unsigned char buf[65536];
	struct stat st;
	unsigned int len;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC), ret = -1;

	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode))
		goto out;
	if (!s || !EVP_DigestInit_ex(s, EVP_sha256(), NULL) ||
	    (m && !EVP_DigestInit_ex(m, EVP_md5(), NULL)))
		goto out;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || !EVP_DigestUpdate(s, buf, n) || (m && !EVP_DigestUpdate(m, buf, n)))
			goto out;
	}
	if (!EVP_DigestFinal_ex(s, sha, &len) || (m && !EVP_DigestFinal_ex(m, md5, &len)))
		goto out;
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	EVP_MD_CTX_free(s);
	EVP_MD_CTX_free(m);
	return ret;
}

/* The package's maintainer scripts as they are now (trust on first use). */
static void add_scripts(struct rec *r, size_t *cap, const struct pkg_status *p, bool same)
{
	static const char *const scripts[] = { "preinst", "postinst", "prerm", "postrm", "config" };
	const char *admin = dpkg_admindir(), *root = dpkg_root();
	unsigned char d[DEB_DIGEST_SIZE];

	if (*root && !strncmp(admin, root, strlen(root)))
		admin += strlen(root);
	for (size_t i = 0; i < ARRAY_SIZE(scripts); i++) {
		char *path = same ? xasprintf("%s/info/%s:%s.%s", admin, p->package, p->arch, scripts[i]) :
			xasprintf("%s/info/%s.%s", admin, p->package, scripts[i]);
		char *full = root_path(path);

		if (!digest_path(full, d, NULL))
			rec_add(r, cap, d, path);
		else
			free(path);
		free(full);
	}
}

/* A record of @p from dpkg's own lists: md5sums (checked) or list (as is). */
static int rec_from_dpkg(struct rec *r, const struct pkg_status *p, enum enroll_mode mode)
{
	const char *admin = dpkg_admindir();
	char *f = NULL, *line = NULL;
	size_t cap = 0, lcap = 0;
	unsigned long bad = 0;
	bool same = false;
	ssize_t len;
	FILE *in = NULL;

	memset(r, 0, sizeof(*r));
	r->package = xstrdup(p->package);
	r->version = xstrdup(p->version);
	r->arch = xstrdup(p->arch);
	r->source = xstrdup(mode == FROM_MD5SUMS ? "md5sums" : "trust-on-first-use");
	strcpy(r->deb_sha256, "-");
	/* PKG.list, or PKG:ARCH.list for Multi-Arch: same. */
	f = xasprintf("%s/info/%s.%s", admin, p->package,
		      mode == FROM_MD5SUMS ? "md5sums" : "list");
	in = fopen(f, "re");
	if (!in) {
		free(f);
		f = xasprintf("%s/info/%s:%s.%s", admin, p->package, p->arch,
			      mode == FROM_MD5SUMS ? "md5sums" : "list");
		in = fopen(f, "re");
		same = true;
	}
	if (!in) {
		if (mode == FROM_MD5SUMS)
			warnmsg("%s %s: no md5sums in dpkg's database: not enrolled",
				p->package, p->version);
		free(f);
		return -1;
	}
	while ((len = getline(&line, &lcap, in)) > 0) {
		unsigned char sha[DEB_DIGEST_SIZE], md5[16], want[16];
		char *path, *full;

		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (mode == FROM_MD5SUMS) {
			if (len < 34 || line[32] != ' ' || hex_decode(want, line, 32))
				continue;
			path = line + 33;
			while (*path == ' ' || *path == '*')
				path++;
			path = xasprintf("/%s", path);
		} else {
			path = xstrdup(line);
		}
		full = root_path(path);
		if (path[0] != '/' || digest_path(full, sha, mode == FROM_MD5SUMS ? md5 : NULL)) {
			free(path);	/* a directory, a link, or gone */
		} else if (mode == FROM_MD5SUMS && memcmp(md5, want, sizeof(md5))) {
			char *e = esc(path);

			warnmsg("%s: %s: not the content dpkg's md5sums lists: not enrolled",
				p->package, e);
			free(e);
			free(path);
			bad++;
		} else {
			rec_add(r, &cap, sha, path);
		}
		free(full);
	}
	free(line);
	fclose(in);
	free(f);
	add_scripts(r, &cap, p, same);
	md5_bad += bad;
	return 0;
}

static const char dpkg_enroll_usage[] =
"usage: execmark dpkg-enroll [-q|-v] [--md5sums|--trust-on-first-use] [PACKAGE...]\n"
"Trust installed packages (all that have no manifest yet, or those named):\n"
"fetch each installed version's .deb through apt (apt-get download), check\n"
"that a Release apt verified lists it, mark the installed files whose\n"
"content is the package's, and keep its manifest, as the apt and dpkg hooks\n"
"do for new packages. Weaker, only when asked for:\n"
"      --md5sums     take dpkg's MD5 lists (written by the packages\n"
"                    themselves; MD5): files whose MD5 matches are marked\n"
"      --trust-on-first-use  the files dpkg lists, as they are now\n"
"  -q, --quiet       only warnings and errors, no summary\n"
"  -v, --verbose     also what was marked for each package\n"
SHARED_HELP;

/* --md5sums, --trust-on-first-use: the last one given wins. */
static const char *enroll_set(void *ctx, int key, const char *arg)
{
	(void)arg;
	*(enum enroll_mode *)ctx = key - VERB_OPT_LONG;
	return NULL;
}

int cmd_dpkg_enroll(int argc, char **argv)
{
	enum enroll_mode mode = FROM_DEBS;
	char *idir, *tmp = NULL;
	struct dpkg_view v;
	struct rec *recs = NULL;
	unsigned char (*want)[DEB_DIGEST_SIZE] = NULL;
	bool *found = NULL;
	size_t nrecs = 0;
	unsigned long enrolled = 0, failed = 0, marked = 0, unmarked = 0;
	static const struct verb_opt opts[] = {
		{ "md5sums", VERB_OPT_LONG + FROM_MD5SUMS, false },
		{ "trust-on-first-use", VERB_OPT_LONG + FIRST_USE, false },
		{ NULL, 0, false },
	};
	const struct verb_opts x = { opts, enroll_set, &mode };
	int i, ret;

	i = parse_opts(argc, argv, dpkg_enroll_usage, &x, 0, -1, &ret);
	if (i < 0)
		return ret;
	if (state_lock() || dpkg_view_read(&v))
		return EXIT_ERROR;
	idir = state_path("dpkg/installed");
	if (mode == FROM_DEBS) {
		struct passwd *apt = getpwnam("_apt");

		tmp = xstrdup("/var/tmp/execmark-enroll.XXXXXX");
		if (!mkdtemp(tmp)) {
			warnmsg("mkdtemp: %s", strerror(errno));
			return EXIT_ERROR;
		}
		/* apt downloads as _apt where it can. */
		if (apt && chown(tmp, apt->pw_uid, 0))
			warnmsg("%s: chown: %s", tmp, strerror(errno));
	}
	recs = xcalloc(v.npkgs + 1, sizeof(*recs));
	for (size_t k = 0; k < v.npkgs; k++) {
		const struct pkg_status *p = &v.pkgs[k];
		char *f = xasprintf("%s/%s:%s", idir, p->package, p->arch);
		bool named = i == argc;

		for (int a = i; a < argc && !named; a++)
			named = !strcmp(argv[a], p->package);
		if (!state_unpacked(p->state) || !named || (i == argc && !access(f, F_OK))) {
			free(f);
			continue;
		}
		free(f);
		if (mode == FROM_DEBS) {
			char *deb = download(tmp, p), *err = NULL;
			struct deb d;
			int fd;

			if (!deb) {
				warnmsg("%s %s: apt cannot fetch this version: not enrolled (--md5sums or --trust-on-first-use if you choose)",
					p->package, p->version);
				failed++;
				continue;
			}
			fd = open(deb, O_RDONLY | O_CLOEXEC);
			ret = fd < 0 ? -1 : deb_read(fd, deb, &d, &err);
			if (fd >= 0)
				close(fd);
			unlink(deb);
			free(deb);
			if (ret || strcmp(d.package, p->package) || strcmp(d.version, p->version)) {
				warnmsg("%s %s: %s", p->package, p->version,
					err ? err : "the .deb apt fetched is another package or version");
				free(err);
				deb_free(&d);
				failed++;
				continue;
			}
			rec_from_deb(&recs[nrecs++], &d, "verified");
			deb_free(&d);
		} else if (!rec_from_dpkg(&recs[nrecs], p, mode)) {
			nrecs++;
		} else {
			rec_free(&recs[nrecs]);
			failed++;
		}
	}
	if (tmp) {
		rmdir(tmp);
		free(tmp);
	}
	if (mode == FROM_DEBS && nrecs) {
		want = xcalloc(nrecs, sizeof(*want));
		found = xcalloc(nrecs, sizeof(*found));
		for (size_t k = 0; k < nrecs; k++)
			hex_decode(want[k], recs[k].deb_sha256, 2 * DEB_DIGEST_SIZE);
		qsort(want, nrecs, sizeof(*want), cmp_digest);
		apt_find_verified((const unsigned char (*)[DEB_DIGEST_SIZE])want, nrecs, found);
	}
	for (size_t k = 0; k < nrecs; k++) {
		struct rec *r = &recs[k];
		unsigned long m, u;
		char *key, *dst;

		if (mode == FROM_DEBS) {
			unsigned char d[DEB_DIGEST_SIZE];
			unsigned char (*hit)[DEB_DIGEST_SIZE];

			hex_decode(d, r->deb_sha256, 2 * DEB_DIGEST_SIZE);
			hit = bsearch(d, want, nrecs, sizeof(*want), cmp_digest);
			if (!hit || !found[hit - want]) {
				warnmsg("%s %s: no Release apt verified lists the .deb apt fetched: not enrolled",
					r->package, r->version);
				failed++;
				continue;
			}
		}
		apply_marks(&v, r, &m, &u);
		marked += m;
		unmarked += u;
		if (u || verbosity > 0)
			infomsg("%s %s: %lu %s marked, %lu not (changed, or not there)",
				r->package, r->version, m, plural(m, "file", "files"), u);
		key = rec_key(r);
		dst = xasprintf("%s/%s", idir, key);
		if (!rec_write(r, dst, false))
			enrolled++;
		free(dst);
		free(key);
	}
	if (verbosity >= 0)
		fprintf(stderr, "enrolled %lu %s (%s): %lu %s marked, %lu not; %lu %s not enrolled\n",
			enrolled, plural(enrolled, "package", "packages"),
			mode == FROM_DEBS ? "from .debs apt verified" :
			mode == FROM_MD5SUMS ? "from dpkg's md5sums" : "trust on first use",
			marked, plural(marked, "file", "files"), unmarked, failed,
			plural(failed, "package", "packages"));
	for (size_t k = 0; k < nrecs; k++)
		rec_free(&recs[k]);
	free(recs);
	free(want);
	free(found);
	free(idir);
	dpkg_view_free(&v);
	return failed || unmarked || md5_bad ? EXIT_NOTOK : EXIT_OK;
}
