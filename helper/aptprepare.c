// SPDX-License-Identifier: GPL-2.0
/*
 * execmark helper: the apt-prepare subcommand, apt's DPkg::Pre-Install-Pkgs
 * hook (protocol version 3). For every .deb apt is about to hand to dpkg:
 * read it (deb.c), and if a Release apt verified lists its SHA-256 (or
 * Execmark::Trust-Local is set), keep a record of its files under
 * /var/lib/execmark/dpkg/pending/ and put their digests on the kernel's
 * list, so that what dpkg unpacks may run at once, maintainer scripts
 * included. A .deb that cannot be read stops apt before dpkg runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "dpkgdb.h"
#include "opts.h"
#include "securityfs.h"
#include "util.h"

/* apt's %-encoding (QuoteString) undone in place; false if malformed. */
static bool unquote(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (*s != '%') {
			*o++ = *s;
			continue;
		}
		if (hexval(s[1]) < 0 || hexval(s[2]) < 0)
			return false;
		*o++ = (char)(hexval(s[1]) << 4 | hexval(s[2]));
		s += 2;
	}
	*o = '\0';
	return true;
}

/* apt's FindB(): "yes", "true", "with", "on", "enable", "1". */
static bool apt_bool(const char *v)
{
	static const char *const yes[] = { "yes", "true", "with", "on", "enable", "1" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++)
		if (!strcasecmp(v, yes[i]))
			return true;
	return false;
}

static int hook_fail(char **err, unsigned long lineno, const char *what)
{
	*err = xasprintf("line %lu: %s", lineno, what);
	return -1;
}

/*
 * apt_hook_parse - the input of a DPkg::Pre-Install-Pkgs hook, @buf of
 * @len bytes (modified)
 *
 * Version 1: one .deb file name per line. Versions 2 and 3: "VERSION N",
 * apt's configuration as %-encoded "key=value" lines up to an empty line,
 * then one line per package action: name, old version (version 3: and its
 * architecture and Multi-Arch), "<", ">" or "=", new version (and its
 * architecture and Multi-Arch), then "**CONFIGURE**", "**REMOVE**" or the
 * absolute file name of a .deb to unpack (apt-pkg/deb/dpkgpm.cc,
 * SendPkgsInfo()). "**ERROR**" (apt had no file) is an error.
 * Return: 0, or -1 with *@err set.
 */
int apt_hook_parse(char *buf, size_t len, struct apt_hook *h, char **err)
{
	char *line = buf, *end = buf + len, *next;
	unsigned long lineno = 0;
	bool config = false;
	size_t cap = 0;

	memset(h, 0, sizeof(*h));
	*err = NULL;
	if (memchr(buf, '\0', len))
		return hook_fail(err, 0, "a NUL byte");
	h->version = 1;
	for (; line < end; line = next) {
		char *nl = memchr(line, '\n', end - line), *fld[10], *s, *file;
		size_t n = 0;

		next = nl ? nl + 1 : end;
		if (nl)
			*nl = '\0';
		else
			*end = '\0';	/* buf holds len + 1 bytes */
		lineno++;
		if (lineno == 1 && !strncmp(line, "VERSION ", 8)) {
			if (strcmp(line + 8, "2") && strcmp(line + 8, "3"))
				return hook_fail(err, lineno, "unknown protocol version");
			h->version = line[8] - '0';
			config = true;
			continue;
		}
		if (config) {
			char *eq;

			if (!*line) {
				config = false;
				continue;
			}
			eq = strchr(line, '=');
			if (!eq)
				return hook_fail(err, lineno, "a configuration line without '='");
			*eq = '\0';
			if (!unquote(line) || !unquote(eq + 1))
				return hook_fail(err, lineno, "a malformed %-escape");
			if (!strcasecmp(line, "Execmark::Trust-Local"))
				h->trust_local = apt_bool(eq + 1);
			continue;
		}
		if (!*line)
			continue;
		if (h->version == 1) {
			file = line;
		} else {
			for (s = line; n < ARRAY_SIZE(fld); ) {
				fld[n++] = s;
				s = strchr(s, ' ');
				if (!s)
					break;
				*s++ = '\0';
			}
			if (n != (h->version == 2 ? 5u : 9u))
				return hook_fail(err, lineno, "not a package action line");
			file = fld[n - 1];
			if (!strcmp(file, "**CONFIGURE**") || !strcmp(file, "**REMOVE**"))
				continue;
			if (!strcmp(file, "**ERROR**"))
				return hook_fail(err, lineno, "apt has no file for a package to unpack");
		}
		if (file[0] != '/')
			return hook_fail(err, lineno, "not an absolute file name");
		for (size_t i = 0; i < h->ndebs; i++)
			if (!strcmp(h->debs[i], file))
				goto next;
		if (h->ndebs == cap) {
			cap = cap ? 2 * cap : 16;
			h->debs = xrealloc(h->debs, cap * sizeof(*h->debs));
		}
		h->debs[h->ndebs++] = xstrdup(file);
next:
		;
	}
	if (config)
		return hook_fail(err, lineno, "the configuration does not end");
	return 0;
}

void apt_hook_free(struct apt_hook *h)
{
	for (size_t i = 0; i < h->ndebs; i++)
		free(h->debs[i]);
	free(h->debs);
	memset(h, 0, sizeof(*h));
}

/* All of @fd, NUL-terminated (one byte more than *@len). */
static char *read_all(int fd, size_t *len)
{
	size_t cap = 65536;
	char *buf = xmalloc(cap);

	*len = 0;
	for (;;) {
		ssize_t n;

		if (*len + 1 >= cap)
			buf = xrealloc(buf, cap *= 2);
		n = read(fd, buf + *len, cap - *len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			return NULL;
		}
		if (!n)
			break;
		*len += n;
	}
	buf[*len] = '\0';
	return buf;
}

static int cmp_digest(const void *a, const void *b)
{
	return memcmp(a, b, DEB_DIGEST_SIZE);
}

static const char apt_prepare_usage[] =
"usage: execmark apt-prepare [-q|-v]\n"
"apt's DPkg::Pre-Install-Pkgs hook (protocol version 3, on standard input or\n"
"APT_HOOK_INFO_FD): for each .deb that a Release apt verified lists, or any\n"
"with Execmark::Trust-Local, record its files' digests and put them on the\n"
"kernel's list until dpkg-apply has marked the unpacked files. A .deb that\n"
"cannot be read fails the hook, and apt stops before dpkg runs.\n"
"  -q, --quiet       only warnings and errors\n"
"  -v, --verbose     also say how many packages were recorded\n"
SHARED_HELP;

int cmd_apt_prepare(int argc, char **argv)
{
	struct apt_hook h;
	struct deb *debs = NULL;
	struct rec *recs = NULL;
	unsigned char (*want)[DEB_DIGEST_SIZE] = NULL;
	bool *found = NULL, list;
	const char *fdenv = getenv("APT_HOOK_INFO_FD");
	unsigned int infd = 0;
	size_t len, nwant = 0, nrecs = 0, nlocal = 0, nskipped = 0;
	char *in, *err = NULL;
	int ret, status = EXIT_ERROR;

	if (parse_opts(argc, argv, apt_prepare_usage, NULL, 0, 0, &ret) < 0)
		return ret;
	if (fdenv && parse_uint(fdenv, 0, 1024, &infd)) {
		warnmsg("APT_HOOK_INFO_FD: not a file descriptor: %s", fdenv);
		return EXIT_ERROR;
	}
	in = read_all(infd, &len);
	if (!in) {
		warnmsg("apt-prepare: reading apt's input: %s", strerror(errno));
		return EXIT_ERROR;
	}
	if (apt_hook_parse(in, len, &h, &err)) {
		warnmsg("apt-prepare: apt's input: %s", err);
		free(err);
		free(in);
		return EXIT_ERROR;
	}
	free(in);
	if (state_lock())
		goto out;
	/* Records left by an earlier transaction that ended early. */
	dpkg_settle(false, false);

	debs = xcalloc(h.ndebs + 1, sizeof(*debs));
	for (size_t i = 0; i < h.ndebs; i++) {
		int fd = open(h.debs[i], O_RDONLY | O_CLOEXEC | O_NOCTTY);

		if (fd < 0) {
			warn_path(h.debs[i], "%s", strerror(errno));
			goto refuse;
		}
		ret = deb_read(fd, h.debs[i], &debs[i], &err);
		close(fd);
		if (ret) {
			warnmsg("%s", err);
			free(err);
			goto refuse;
		}
	}
	want = xcalloc(h.ndebs + 1, sizeof(*want));
	for (size_t i = 0; i < h.ndebs; i++)
		memcpy(want[nwant++], debs[i].sha256, DEB_DIGEST_SIZE);
	qsort(want, nwant, sizeof(*want), cmp_digest);
	found = xcalloc(nwant + 1, sizeof(*found));
	apt_find_verified((const unsigned char (*)[DEB_DIGEST_SIZE])want, nwant, found);

	list = digests_available();
	recs = xcalloc(h.ndebs + 1, sizeof(*recs));
	for (size_t i = 0; i < h.ndebs; i++) {
		unsigned char (*hit)[DEB_DIGEST_SIZE] =
			bsearch(debs[i].sha256, want, nwant, sizeof(*want), cmp_digest);
		bool verified = hit && found[hit - want];
		struct rec *r = &recs[nrecs];
		char *path;

		if (!verified && !h.trust_local) {
			infomsg("%s %s (%s): no Release apt verified lists this .deb: "
				"its files will not be trusted (Execmark::Trust-Local)",
				debs[i].package, debs[i].version, h.debs[i]);
			nskipped++;
			continue;
		}
		nlocal += !verified;
		rec_from_deb(r, &debs[i], verified ? "verified" : "local");
		r->loaded = list;
		path = state_path("dpkg/pending/");
		free(r->file);
		r->file = xasprintf("%s%s", path, r->deb_sha256);
		free(path);
		nrecs++;
		/* Written before loading: a crash leaves nothing untracked. */
		if (rec_write(r, r->file, true))
			goto rollback;
		if (list && (ret = digests_add(r))) {
			if (ret == -ENOSPC)
				warnmsg("%s %s: the kernel's digest list is full: not installing "
					"(see 'execmark status')", r->package, r->version);
			else
				warnmsg("%s %s: cannot load digests into %s/digests: %s",
					r->package, r->version, securityfs_dir(),
					strerror(-ret));
			unlink(r->file);
			nrecs--;
			rec_free(r);
			goto rollback;
		}
	}
	if (!list && nrecs)
		infomsg("the kernel has no digest list: files of %zu package(s) will be trusted "
			"once marked, after dpkg has unpacked them", nrecs);
	if (nlocal)
		infomsg("%zu package(s) not from a verified Release trusted (Execmark::Trust-Local)",
			nlocal);
	verbosemsg("recorded the files of %zu %s for dpkg-apply%s; %zu .debs not trusted (no verified Release lists them)",
		   nrecs, plural(nrecs, "package", "packages"),
		   list ? ", their digests on the kernel's list" : "", nskipped);
	status = EXIT_OK;
	goto out;
rollback:
	for (size_t i = 0; i < nrecs; i++) {
		if (recs[i].loaded)
			digests_remove(&recs[i]);
		unlink(recs[i].file);
	}
refuse:
	warnmsg("apt-prepare: refusing the installation: dpkg will not run, nothing was trusted");
out:
	for (size_t i = 0; recs && i < h.ndebs; i++)
		rec_free(&recs[i]);
	for (size_t i = 0; debs && i < h.ndebs; i++)
		deb_free(&debs[i]);
	free(recs);
	free(debs);
	free(want);
	free(found);
	apt_hook_free(&h);
	return status;
}
