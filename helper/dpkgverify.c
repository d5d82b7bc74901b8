// SPDX-License-Identifier: GPL-2.0
/*
 * execmark helper: the dpkg-verify subcommand, the debsums of execmark:
 * check the files of installed packages against the manifests dpkg-apply
 * kept (the SHA-256 of each file of the .deb apt verified) and against
 * their marks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "dpkgdb.h"
#include "opts.h"
#include "util.h"
#include "xattr.h"

enum pkg_state { PF_OK, PF_MISSING, PF_NOT_REGULAR, PF_MODIFIED, PF_UNMARKED, PF_MARK_DIFFERS,
		 PF_ERROR };

static const char *const state_name[] = {
	[PF_OK] = "ok",
	[PF_MISSING] = "missing",
	[PF_NOT_REGULAR] = "not a regular file",
	[PF_MODIFIED] = "modified (not the package's content)",
	[PF_UNMARKED] = "not marked",
	[PF_MARK_DIFFERS] = "marked with another digest",
	[PF_ERROR] = "error",
};

static enum pkg_state check_file(const char *path, const unsigned char *want,
				 unsigned char *buf, int *err)
{
	unsigned char got[DEB_DIGEST_SIZE];
	const struct algo *a = algo_by_name("sha256");
	struct stat st;
	struct mark m;
	enum mark_state ms;
	int fd, ret;

	*err = 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return PF_MISSING;
		if (errno == ELOOP)
			return PF_NOT_REGULAR;
		*err = errno;
		return PF_ERROR;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return PF_NOT_REGULAR;
	}
	ret = hash_file(fd, a, got, buf, false);
	if (ret < 0 || ret == HASH_CHANGED) {
		*err = ret < 0 ? -ret : EAGAIN;
		close(fd);
		return PF_ERROR;
	}
	if (memcmp(got, want, DEB_DIGEST_SIZE)) {
		close(fd);
		return PF_MODIFIED;
	}
	ret = mark_read(fd, &m, &ms);
	close(fd);
	if (ret == -ENOTSUP || ret == -EOPNOTSUPP || (!ret && ms != MARK_VALID))
		return PF_UNMARKED;
	if (ret) {
		*err = -ret;
		return PF_ERROR;
	}
	/* A SHA-256 content mark must hold this digest; others the kernel checks. */
	if (m.p.kind == EXECMARK_KIND_CONTENT && m.p.algo == a->id &&
	    (m.p.dsize != DEB_DIGEST_SIZE || memcmp(m.p.digest, want, DEB_DIGEST_SIZE)))
		return PF_MARK_DIFFERS;
	return PF_OK;
}

static bool wanted(const struct rec *r, int argc, char **argv)
{
	char *key;
	bool yes = false;

	if (!argc)
		return true;
	key = rec_key(r);
	for (int i = 0; i < argc && !yes; i++)
		yes = !strcmp(argv[i], r->package) || !strcmp(argv[i], key);
	free(key);
	return yes;
}

static const char dpkg_verify_usage[] =
"usage: execmark dpkg-verify [-q|-v] [PACKAGE[:ARCH]...]\n"
"Check each file of the installed packages (all, or those named) that\n"
"execmark has a manifest of -- the .debs apt verified, recorded by the apt\n"
"and dpkg hooks or by dpkg-enroll -- against the package's content and its\n"
"mark. Prints \"PACKAGE: PATH: STATE\" for each file that is not ok:\n"
"missing, not a regular file, modified (not the package's content), not\n"
"marked, marked with another digest; and the packages without a manifest.\n"
"Exit status 0 if all is ok, 1 if not, 2 on errors.\n"
"  -q, --quiet       no summary\n"
"  -v, --verbose     also print the files that are ok\n"
SHARED_HELP;

int cmd_dpkg_verify(int argc, char **argv)
{
	char *idir = state_path("dpkg/installed"), **names;
	unsigned long counts[PF_ERROR + 1] = { 0 }, bad = 0, pkgs = 0, without = 0;
	unsigned char *buf;
	struct dpkg_view v;
	bool verbose = false;
	size_t n;
	int ret, status;

	ret = parse_opts(argc, argv, dpkg_verify_usage, NULL, 0, -1, &status);
	if (ret < 0) {
		free(idir);
		return status;
	}
	verbose = verbosity > 0;
	/* The PACKAGEs from argv[1] on, as below. */
	argc -= ret - 1;
	argv += ret - 1;
	hash_init();
	if (dpkg_view_read(&v)) {
		free(idir);
		return EXIT_ERROR;
	}
	buf = xmalloc(HASH_BUF_SIZE);
	names = list_dir(idir, "", &n);
	for (size_t i = 0; i < n; i++) {
		const struct pkg_status *st;
		struct rec r;

		if (rec_read(&r, names[i], false)) {
			counts[PF_ERROR]++;
			goto next;
		}
		st = dpkg_find(&v, r.package, r.arch);
		if (!st || strcmp(st->version, r.version) || !state_unpacked(st->state) ||
		    !wanted(&r, argc - 1, argv + 1))
			goto next;
		pkgs++;
		for (size_t k = 0; k < r.nfiles; k++) {
			const char *p = divert(&v, r.files[k].path, r.package);
			char *path = root_path(p), *e = esc(p);
			int err;
			enum pkg_state s = check_file(path, r.files[k].digest, buf, &err);

			counts[s]++;
			if (s == PF_ERROR)
				printf("%s: %s: error: %s\n", r.package, e, strerror(err));
			else if (s != PF_OK || verbose)
				printf("%s: %s: %s\n", r.package, e, state_name[s]);
			bad += s != PF_OK;
			free(path);
			free(e);
		}
next:
		rec_free(&r);
		free(names[i]);
	}
	free(names);
	/* Installed packages that no manifest covers: not trusted by the hooks. */
	for (size_t i = 0; i < v.npkgs; i++) {
		const struct pkg_status *p = &v.pkgs[i];
		char *f = xasprintf("%s/%s:%s", idir, p->package, p->arch);
		bool named = argc <= 1;

		for (int a = 1; a < argc && !named; a++)
			named = !strcmp(argv[a], p->package);
		if (named && state_unpacked(p->state) && access(f, F_OK)) {
			without++;
			if (argc > 1 || verbose)
				printf("%s: no manifest (not installed from a .deb apt verified; see dpkg-enroll)\n",
				       p->package);
		}
		free(f);
	}
	if (verbosity >= 0)
		fprintf(stderr,
			"%lu %s checked: %lu %s ok, %lu missing, %lu not regular, %lu modified, %lu not marked, %lu marked otherwise, %lu %s; %lu installed %s without a manifest\n",
			pkgs, plural(pkgs, "package", "packages"), counts[PF_OK],
			plural(counts[PF_OK], "file", "files"), counts[PF_MISSING],
			counts[PF_NOT_REGULAR], counts[PF_MODIFIED], counts[PF_UNMARKED],
			counts[PF_MARK_DIFFERS], counts[PF_ERROR],
			plural(counts[PF_ERROR], "error", "errors"), without,
			plural(without, "package", "packages"));
	free(buf);
	free(idir);
	dpkg_view_free(&v);
	if (counts[PF_ERROR])
		return EXIT_ERROR;
	return bad || (argc > 1 && without) ? EXIT_NOTOK : EXIT_OK;
}
