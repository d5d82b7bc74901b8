// SPDX-License-Identifier: GPL-2.0
/*
 * execmark helper: the dpkg-apply subcommand, dpkg's post-invoke hook
 * (/etc/dpkg/dpkg.cfg.d/execmark). For each pending record of apt-prepare
 * whose package dpkg has now unpacked at the record's version: mark each of
 * its files whose content is the record's (diversions followed; an
 * administrator's conffile, changed, is not), then take the record's
 * digests off the kernel's list and keep the record as the package's
 * manifest. Records of packages that dpkg did not unpack are dropped once
 * no frontend transaction can unpack them any more; manifests of packages
 * removed or replaced go too. Python files of installed packages are
 * prepared for execmark-python.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "dpkgdb.h"
#include "mark.h"
#include "opts.h"
#include "util.h"

struct apply_ctx {
	struct marker marker;
};

/* The file gets the version 1 mark of the record's digest, if that is its content's. */
static void apply_work(void *ctx, struct job *j, unsigned char *buf)
{
	struct apply_ctx *c = ctx;
	const struct rec_file *f = j->arg;
	struct mark want;
	struct mark_how how = { .want = &want };

	if (mark_make(&want, EXECMARK_FORMAT_V1, EXECMARK_KIND_CONTENT,
		      algo_by_name("sha256")->id, f->digest, NULL, 0))
		fatal("internal error: no version 1 mark for SHA-256");
	mark_file(&c->marker, j, &how, buf);
}

static void apply_done(void *ctx, struct job *j)
{
	struct apply_ctx *c = ctx;

	mark_count(&c->marker, j);
}

/*
 * apply_marks - mark the files of @r whose content is the record's
 * @marked: receives the files marked (or already right)
 * @unmarked: the others (mismatch, missing, not regular, errors)
 */
int apply_marks(const struct dpkg_view *v, const struct rec *r, unsigned long *marked,
		unsigned long *unmarked)
{
	static const struct pool_ops ops = { apply_work, apply_done };
	struct walk_opts wo = { 0 };
	struct apply_ctx c;
	struct pool *p;
	unsigned long missing = 0;

	hash_init();
	marker_init(&c.marker);
	p = pool_start(&ops, &c, &wo);
	for (size_t i = 0; i < r->nfiles; i++) {
		char *path = root_path(divert(v, r->files[i].path, r->package));
		struct stat st;

		/* Gone (a maintainer script's doing) or replaced: not ours to mark. */
		if (lstat(path, &st) || !S_ISREG(st.st_mode))
			missing++;
		else
			pool_add(p, path, &r->files[i]);
		free(path);
	}
	c.marker.errors += pool_finish(p).errors;
	marker_destroy(&c.marker);
	*marked = c.marker.marked + c.marker.already;
	*unmarked = missing + c.marker.mismatch + c.marker.changed + c.marker.writers +
		    c.marker.errors;
	return c.marker.errors ? -1 : 0;
}

static bool python_file(const char *path)
{
	size_t l = strlen(path);

	if (l < 4 || strcmp(path + l - 3, ".py"))
		return false;
	return !strncmp(path, "/usr/lib/python3/dist-packages/", 31) ||
	       !strncmp(path, "/usr/lib/python3.", 17);
}

/*
 * What execmark-python-prepare does for a tree, for the Python files of
 * @r only: compiled ahead, made executable, marked. Run once the package
 * is configured (its postinst has byte-compiled it the Debian way).
 * Return: 0, 1 if there is nothing to do, -1 on failure (reported).
 */
static int python_prepare(const struct rec *r)
{
	const char *prep = "/usr/sbin/execmark-python-prepare";
	char *argv[] = { (char *)prep, "--files-from", "-", NULL };
	size_t n = 0;
	int pfd[2], status;
	pid_t pid;
	FILE *f;

	for (size_t i = 0; i < r->nfiles; i++)
		n += python_file(r->files[i].path) && !strchr(r->files[i].path, '\n');
	if (!n || *dpkg_root() || access(prep, X_OK))
		return 1;
	if (pipe(pfd))
		return -1;
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (!pid) {
		dup2(pfd[0], STDIN_FILENO);
		close(pfd[0]);
		close(pfd[1]);
		execv(prep, argv);
		_exit(127);
	}
	close(pfd[0]);
	f = fdopen(pfd[1], "w");
	for (size_t i = 0; f && i < r->nfiles; i++)
		if (python_file(r->files[i].path) && !strchr(r->files[i].path, '\n'))
			fprintf(f, "%s\n", r->files[i].path);
	if (f)
		fclose(f);
	else
		close(pfd[1]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		warnmsg("%s %s: %s failed for its Python files", r->package, r->version, prep);
		return -1;
	}
	return 0;
}

/* Take @r's digests off the list if this boot loaded them. */
static void unload(const struct rec *r)
{
	int ret;

	if (!r->loaded || strcmp(r->boot, boot_id()) || !digests_available())
		return;
	ret = digests_remove(r);
	if (ret)
		warnmsg("%s %s: taking its digests off the kernel's list: %s",
			r->package, r->version, strerror(-ret));
}

/*
 * dpkg_settle - act on what dpkg did
 * @in_transaction: a frontend (apt) holds dpkg's frontend lock for a
 *                  transaction that may still unpack pending packages
 *                  (DPKG_FRONTEND_LOCKED): keep their records
 *
 * Return: 0, or -1 if dpkg's database could not be read (reported).
 */
int dpkg_settle(bool in_transaction, bool verbose)
{
	char *pdir = state_path("dpkg/pending"), *idir = state_path("dpkg/installed");
	struct dpkg_view v;
	char **names;
	size_t n;

	if (dpkg_view_read(&v)) {
		free(pdir);
		free(idir);
		return -1;
	}
	names = list_dir(pdir, "", &n);
	for (size_t i = 0; i < n; i++) {
		const struct pkg_status *st;
		unsigned long marked, unmarked;
		struct rec r;

		if (rec_read(&r, names[i], true)) {
			/* Unreadable: nothing can be done with it but keep it. */
			rec_free(&r);
			continue;
		}
		st = dpkg_find(&v, r.package, r.arch);
		if (st && !strcmp(st->version, r.version) && state_unpacked(st->state)) {
			char *key = rec_key(&r), *dst;

			apply_marks(&v, &r, &marked, &unmarked);
			if (verbose || unmarked)
				infomsg("%s %s: %lu %s marked, %lu not (%s)", r.package,
					r.version, marked, plural(marked, "file", "files"), unmarked,
					unmarked ? "changed, diverted away or removed since unpacking" :
					"all");
			dst = xasprintf("%s/%s", idir, key);
			r.python = false;
			if (!rec_write(&r, dst, false)) {
				unload(&r);
				unlink(names[i]);
			}
			free(dst);
			free(key);
		} else if (!in_transaction) {
			infomsg("%s %s: not unpacked (dpkg stopped early?): its digests are "
				"off the kernel's list, nothing of it is trusted",
				r.package, r.version);
			unload(&r);
			unlink(names[i]);
		}
		rec_free(&r);
		free(names[i]);
	}
	free(names);

	names = list_dir(idir, "", &n);
	for (size_t i = 0; i < n; i++) {
		const struct pkg_status *st;
		struct rec r;

		if (rec_read(&r, names[i], false)) {
			rec_free(&r);
			free(names[i]);
			continue;
		}
		st = dpkg_find(&v, r.package, r.arch);
		if (!st || strcmp(st->version, r.version) || !state_unpacked(st->state)) {
			/*
			 * Removed, purged, or replaced by a version apt did
			 * not verify: the manifest describes nothing installed.
			 * Marks went with the files dpkg removed.
			 */
			if (!in_transaction || !st || !strcmp(st->state, "not-installed") ||
			    !strcmp(st->state, "config-files"))
				unlink(names[i]);
		} else if (!strcmp(st->state, "installed") && !r.python) {
			int ret = python_prepare(&r);

			if (ret >= 0) {
				r.python = true;
				rec_write(&r, names[i], false);
			}
		}
		rec_free(&r);
		free(names[i]);
	}
	free(names);
	dpkg_view_free(&v);
	free(pdir);
	free(idir);
	return 0;
}

static const char dpkg_apply_usage[] =
"usage: execmark dpkg-apply [-q|-v]\n"
"dpkg's post-invoke hook: mark the files of the packages dpkg unpacked that\n"
"apt-prepare recorded, whose content is the package's; then take their\n"
"digests off the kernel's list. Records of packages dpkg did not unpack are\n"
"dropped once no frontend (DPKG_FRONTEND_LOCKED) may still unpack them.\n"
"  -q, --quiet       only warnings and errors\n"
"  -v, --verbose     say what was marked for each package\n"
SHARED_HELP;

int cmd_dpkg_apply(int argc, char **argv)
{
	bool verbose = false;
	int ret;

	if (parse_opts(argc, argv, dpkg_apply_usage, NULL, 0, 0, &ret) < 0)
		return ret;
	verbose = verbosity > 0;
	if (state_lock())
		return EXIT_ERROR;
	return dpkg_settle(getenv("DPKG_FRONTEND_LOCKED") != NULL, verbose) ?
		EXIT_ERROR : EXIT_OK;
}
