// SPDX-License-Identifier: GPL-2.0
/*
 * execmark helper: reading a .deb with libarchive.
 *
 * A .deb is an ar archive: "debian-binary" ("2.0\n"), then control.tar
 * (uncompressed, .gz, .xz or .zst), then data.tar (also .bz2 or .lzma), with
 * members named "_..." allowed and ignored between them (deb(5)). libarchive
 * reads the ar archive from our read callback, which hashes every byte it
 * hands over, and each tar member is read by a second libarchive reader
 * straight from the first: one pass, no temporary file, and the SHA-256 of
 * the .deb is that of exactly the bytes whose content was digested.
 *
 * Anything unusual is an error naming the member and the entry: a member
 * out of order or unknown, a compression other than the member's name
 * says, an entry whose name leaves the root (".."), a hard link to nothing,
 * a name twice, more than DEB_MAX_FILES entries, a truncated archive.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "deb.h"
#include "util.h"

#define DEB_BUF	(64 * 1024)

struct outer {
	int fd;
	EVP_MD_CTX *md;
	uint64_t size;
	int err;		/* errno of a failed read */
	unsigned char buf[DEB_BUF];
};

struct inner {
	struct archive *outer;
	unsigned char buf[DEB_BUF];
};

/* A path -> index table of the files read so far (hard links, duplicates). */
struct names {
	size_t *slot;		/* index + 1, 0 for empty */
	size_t cap;
};

static la_ssize_t outer_read(struct archive *a, void *arg, const void **buf)
{
	struct outer *o = arg;
	ssize_t n;

	(void)a;
	do
		n = read(o->fd, o->buf, sizeof(o->buf));
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		o->err = errno;
		archive_set_error(a, errno, "read error");
		return -1;
	}
	if (n > 0 && !EVP_DigestUpdate(o->md, o->buf, n)) {
		archive_set_error(a, EIO, "SHA-256 failed");
		return -1;
	}
	o->size += n;
	*buf = o->buf;
	return n;
}

static la_ssize_t inner_read(struct archive *a, void *arg, const void **buf)
{
	struct inner *in = arg;
	la_ssize_t n = archive_read_data(in->outer, in->buf, sizeof(in->buf));

	if (n < 0) {
		archive_set_error(a, archive_errno(in->outer), "%s",
				  archive_error_string(in->outer));
		return -1;
	}
	*buf = in->buf;
	return n;
}

static uint64_t name_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

/* The index of @path in @files, or -1; @pos receives its slot or a free one. */
static long names_find(const struct names *t, const struct deb_file *files,
		       const char *path, size_t *pos)
{
	size_t i = name_hash(path) & (t->cap - 1);

	while (t->slot[i]) {
		if (!strcmp(files[t->slot[i] - 1].path, path)) {
			*pos = i;
			return (long)(t->slot[i] - 1);
		}
		i = (i + 1) & (t->cap - 1);
	}
	*pos = i;
	return -1;
}

static void names_grow(struct names *t, const struct deb_file *files, size_t n)
{
	size_t pos;

	if (2 * (n + 1) <= t->cap)
		return;
	free(t->slot);
	t->cap = t->cap ? 2 * t->cap : 256;
	t->slot = xcalloc(t->cap, sizeof(*t->slot));
	for (size_t i = 0; i < n; i++) {
		names_find(t, files, files[i].path, &pos);
		t->slot[pos] = i + 1;
	}
}

/*
 * deb_normalize_path - the path a tar entry name stands for, below the root
 * @in: "./usr/bin/x", "usr/bin/x" or "/usr/bin/x"
 * @out: receives "/usr/bin/x" ("/" for the root itself)
 *
 * Empty and "." components are dropped. Return: 0, -EINVAL for a ".."
 * component (the name would leave the root), -ENAMETOOLONG.
 */
int deb_normalize_path(const char *in, char *out, size_t outsize)
{
	size_t len = 0;

	while (*in) {
		const char *end = strchrnul(in, '/');
		size_t n = end - in;

		if (n == 2 && in[0] == '.' && in[1] == '.')
			return -EINVAL;
		if (n && !(n == 1 && in[0] == '.')) {
			if (len + 1 + n + 1 > outsize)
				return -ENAMETOOLONG;
			out[len++] = '/';
			memcpy(out + len, in, n);
			len += n;
		}
		in = *end ? end + 1 : end;
	}
	if (!len) {
		if (outsize < 2)
			return -ENAMETOOLONG;
		out[len++] = '/';
	}
	out[len] = '\0';
	return 0;
}

/*
 * deb_control_field - the value of @field in the first paragraph of a
 * control file (deb822: "Field: value", continuation lines start with a
 * space or a tab; field names are case-insensitive)
 *
 * Return: the value, without leading blanks, and its length up to the end
 * of its first line in @vlen; NULL if there is no such field.
 */
const char *deb_control_field(const char *control, size_t len,
			      const char *field, size_t *vlen)
{
	size_t flen = strlen(field);
	const char *p = control, *end = control + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		const char *eol = nl ? nl : end;

		if (eol == p)		/* the end of the first paragraph */
			return NULL;
		if ((size_t)(eol - p) > flen && p[flen] == ':' &&
		    !strncasecmp(p, field, flen)) {
			const char *v = p + flen + 1;

			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			*vlen = eol - v;
			while (*vlen && (v[*vlen - 1] == ' ' || v[*vlen - 1] == '\t' ||
					 v[*vlen - 1] == '\r'))
				(*vlen)--;
			return v;
		}
		p = eol + 1;
	}
	return NULL;
}

struct reader {
	const char *name;	/* the .deb, for messages */
	const char *member;	/* the ar member being read */
	struct deb *d;
	char **err;
	struct names names;
	size_t entries;
	char *control;		/* the control file's content */
	size_t control_len;
	unsigned char buf[DEB_BUF];
};

static int fail(struct reader *r, const char *entry, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct reader *r, const char *entry, const char *fmt, ...)
{
	va_list ap;
	char *what, *e = entry ? esc(entry) : NULL;

	va_start(ap, fmt);
	if (vasprintf(&what, fmt, ap) < 0)
		fatal("out of memory");
	va_end(ap);
	free(*r->err);
	if (r->member && e)
		*r->err = xasprintf("%s: %s: %s: %s", r->name, r->member, e, what);
	else if (r->member)
		*r->err = xasprintf("%s: %s: %s", r->name, r->member, what);
	else
		*r->err = xasprintf("%s: %s", r->name, what);
	free(what);
	free(e);
	return -1;
}

/* Digest the current entry's data; keep the first @keep bytes in *@kept. */
static int digest_entry(struct reader *r, struct archive *a, const char *entry,
			unsigned char *digest, uint64_t *size, char **kept,
			size_t keep)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned int len;
	la_ssize_t n;
	size_t have = 0;

	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL))
		fatal("OpenSSL: SHA-256 is not available");
	*size = 0;
	while ((n = archive_read_data(a, r->buf, sizeof(r->buf))) > 0) {
		if (!EVP_DigestUpdate(md, r->buf, n))
			fatal("OpenSSL: SHA-256 failed");
		if (kept) {
			if (have + n > keep) {
				EVP_MD_CTX_free(md);
				return fail(r, entry, "larger than %zu bytes", keep);
			}
			*kept = xrealloc(*kept, have + n + 1);
			memcpy(*kept + have, r->buf, n);
			have += n;
			(*kept)[have] = '\0';
		}
		*size += n;
	}
	if (n < 0) {
		EVP_MD_CTX_free(md);
		return fail(r, entry, "%s", archive_error_string(a));
	}
	if (!EVP_DigestFinal_ex(md, digest, &len) || len != DEB_DIGEST_SIZE)
		fatal("OpenSSL: SHA-256 failed");
	EVP_MD_CTX_free(md);
	if (kept && !*kept)
		*kept = xstrdup("");
	return 0;
}

static struct deb_file *add_file(struct deb_file **files, size_t *n,
				 const char *path, mode_t mode)
{
	struct deb_file *f;

	/* The capacity is 16, then each power of two reached doubles it. */
	if (!*n || (*n >= 16 && !(*n & (*n - 1))))
		*files = xrealloc(*files, (*n ? 2 * *n : 16) * sizeof(**files));
	f = &(*files)[(*n)++];
	memset(f, 0, sizeof(*f));
	f->path = xstrdup(path);
	f->mode = mode;
	return f;
}

/* One entry of data.tar. */
static int data_entry(struct reader *r, struct archive *a, struct archive_entry *e)
{
	const char *name = archive_entry_pathname(e), *link;
	char path[DEB_MAX_PATH + 2], target[DEB_MAX_PATH + 2];
	struct deb *d = r->d;
	struct deb_file *f;
	size_t pos, tpos;
	long prev;
	int ret;

	if (!name)
		return fail(r, NULL, "an entry without a name");
	if (++r->entries > DEB_MAX_FILES)
		return fail(r, NULL, "more than %u entries", DEB_MAX_FILES);
	ret = deb_normalize_path(name, path, sizeof(path));
	if (ret == -EINVAL)
		return fail(r, name, "name leaves the root (a '..' component)");
	if (ret)
		return fail(r, name, "name longer than %u bytes", DEB_MAX_PATH);
	link = archive_entry_hardlink(e);
	if (!link && archive_entry_filetype(e) != AE_IFREG)
		return 0;	/* directories, symbolic links: no content */
	if (!strcmp(path, "/"))
		return fail(r, name, "a file named as the root");
	names_grow(&r->names, d->files, d->nfiles);
	if (names_find(&r->names, d->files, path, &pos) >= 0)
		return fail(r, name, "the same name twice");
	if (link) {
		ret = deb_normalize_path(link, target, sizeof(target));
		if (ret)
			return fail(r, name, "hard link to a name that %s",
				    ret == -EINVAL ? "leaves the root" : "is too long");
		prev = names_find(&r->names, d->files, target, &tpos);
		if (prev < 0)
			return fail(r, name, "hard link to %s, which is no earlier regular file",
				    target);
		f = add_file(&d->files, &d->nfiles, path, d->files[prev].mode);
		memcpy(f->digest, d->files[prev].digest, DEB_DIGEST_SIZE);
		f->size = d->files[prev].size;
	} else {
		f = add_file(&d->files, &d->nfiles, path, archive_entry_perm(e));
		if (digest_entry(r, a, name, f->digest, &f->size, NULL, 0))
			return -1;
	}
	r->names.slot[pos] = d->nfiles;
	return 0;
}

/* One entry of control.tar. */
static int control_entry(struct reader *r, struct archive *a, struct archive_entry *e)
{
	const char *name = archive_entry_pathname(e);
	char path[DEB_MAX_PATH + 2];
	struct deb *d = r->d;
	struct deb_file *f;
	bool is_control;

	if (!name)
		return fail(r, NULL, "an entry without a name");
	if (++r->entries > DEB_MAX_CONTROL)
		return fail(r, NULL, "more than %u entries", DEB_MAX_CONTROL);
	if (deb_normalize_path(name, path, sizeof(path)))
		return fail(r, name, "name leaves the root or is too long");
	if (archive_entry_filetype(e) == AE_IFDIR && !strcmp(path, "/"))
		return 0;
	if (archive_entry_hardlink(e) || archive_entry_filetype(e) != AE_IFREG ||
	    strchr(path + 1, '/'))
		return fail(r, name, "not a regular file at the top of control.tar");
	for (size_t i = 0; i < d->ncontrol; i++)
		if (!strcmp(d->control[i].path, path + 1))
			return fail(r, name, "the same name twice");
	is_control = !strcmp(path, "/control");
	f = add_file(&d->control, &d->ncontrol, path + 1, archive_entry_perm(e));
	return digest_entry(r, a, name, f->digest, &f->size,
			    is_control ? &r->control : NULL, DEB_MAX_CONTROL_FILE);
}

/* The filter a member's name asks for; data.tar also takes bzip2 and lzma. */
static int member_filter(const char *suffix, bool data, int *code)
{
	static const struct {
		const char *suffix;
		int code;
		bool data_only;
	} filters[] = {
		{ "", ARCHIVE_FILTER_NONE, false },
		{ ".gz", ARCHIVE_FILTER_GZIP, false },
		{ ".xz", ARCHIVE_FILTER_XZ, false },
		{ ".zst", ARCHIVE_FILTER_ZSTD, false },
		{ ".bz2", ARCHIVE_FILTER_BZIP2, true },
		{ ".lzma", ARCHIVE_FILTER_LZMA, true },
	};

	for (size_t i = 0; i < ARRAY_SIZE(filters); i++) {
		if (!strcmp(suffix, filters[i].suffix) && (data || !filters[i].data_only)) {
			*code = filters[i].code;
			return 0;
		}
	}
	return -1;
}

static const char *filter_name(int code)
{
	switch (code) {
	case ARCHIVE_FILTER_NONE: return "uncompressed";
	case ARCHIVE_FILTER_GZIP: return "gzip";
	case ARCHIVE_FILTER_XZ: return "xz";
	case ARCHIVE_FILTER_ZSTD: return "zstd";
	case ARCHIVE_FILTER_BZIP2: return "bzip2";
	case ARCHIVE_FILTER_LZMA: return "lzma";
	}
	return "another compression";
}

/* Read a tar member of the outer archive @outer, compressed as @code says. */
static int read_tar(struct reader *r, struct archive *outer, int code, bool data)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	struct inner *in = xmalloc(sizeof(*in));
	int ret = -1, st;

	if (!a)
		fatal("out of memory");
	in->outer = outer;
	archive_read_support_format_tar(a);
	switch (code) {
	case ARCHIVE_FILTER_GZIP: st = archive_read_support_filter_gzip(a); break;
	case ARCHIVE_FILTER_XZ: st = archive_read_support_filter_xz(a); break;
	case ARCHIVE_FILTER_ZSTD: st = archive_read_support_filter_zstd(a); break;
	case ARCHIVE_FILTER_BZIP2: st = archive_read_support_filter_bzip2(a); break;
	case ARCHIVE_FILTER_LZMA: st = archive_read_support_filter_lzma(a); break;
	default: st = ARCHIVE_OK; break;
	}
	/* ARCHIVE_WARN: an external program would do it; we do not run one. */
	if (st != ARCHIVE_OK) {
		fail(r, NULL, "libarchive cannot read %s itself", filter_name(code));
		goto out;
	}
	if (archive_read_open(a, in, NULL, inner_read, NULL) != ARCHIVE_OK) {
		fail(r, NULL, "not a %s tar archive (%s)", filter_name(code),
		     archive_error_string(a));
		goto out;
	}
	r->entries = 0;
	for (;;) {
		st = archive_read_next_header(a, &e);
		if (st == ARCHIVE_EOF)
			break;
		if (st != ARCHIVE_OK) {
			/* A compression other than the name says is no tar to us. */
			if (archive_filter_code(a, 0) != code)
				fail(r, NULL, "not %s (%s)", filter_name(code),
				     archive_error_string(a));
			else
				fail(r, NULL, "%s", archive_error_string(a));
			goto out;
		}
		if (archive_filter_code(a, 0) != code) {
			fail(r, NULL, "%s, but its name says %s",
			     filter_name(archive_filter_code(a, 0)), filter_name(code));
			goto out;
		}
		if ((data ? data_entry : control_entry)(r, a, e))
			goto out;
	}
	ret = 0;
out:
	archive_read_free(a);
	free(in);
	return ret;
}

static char *field(struct reader *r, const char *name, bool required)
{
	size_t len;
	const char *v = deb_control_field(r->control, r->control_len, name, &len);

	if (!v || !len) {
		if (required)
			fail(r, NULL, "no %s field", name);
		return NULL;
	}
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)v[i] <= ' ' || v[i] == 0x7f) {
			fail(r, NULL, "%s: a blank or control character in the value",
			     name);
			return NULL;
		}
	return strndup(v, len);
}

/*
 * deb_read - read the .deb open on @fd from its current offset to its end
 * @name: its name, for messages
 * @d: receives the package (deb_free() it, also on error)
 * @err: receives the message of an error (free() it)
 *
 * Return: 0, or -1 with *@err set.
 */
int deb_read(int fd, const char *name, struct deb *d, char **err)
{
	struct outer *o = xmalloc(sizeof(*o));
	struct reader *r = xcalloc(1, sizeof(*r));
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	enum { BINARY, CONTROL, DATA, DONE } state = BINARY;
	unsigned int len;
	int ret = -1, st, code;

	memset(d, 0, sizeof(*d));
	*err = NULL;
	r->name = name;
	r->d = d;
	r->err = err;
	o->fd = fd;
	o->size = 0;
	o->err = 0;
	o->md = EVP_MD_CTX_new();
	if (!a || !o->md || !EVP_DigestInit_ex(o->md, EVP_sha256(), NULL))
		fatal("out of memory, or OpenSSL without SHA-256");
	archive_read_support_format_ar(a);
	if (archive_read_open(a, o, NULL, outer_read, NULL) != ARCHIVE_OK) {
		if (o->err)
			fail(r, NULL, "read: %s", strerror(o->err));
		else
			fail(r, NULL, "not a Debian package (an ar archive): %s",
			     archive_error_string(a));
		goto out;
	}
	for (;;) {
		const char *m;

		st = archive_read_next_header(a, &e);
		if (st == ARCHIVE_EOF)
			break;
		if (st != ARCHIVE_OK) {
			r->member = NULL;
			if (o->err)
				fail(r, NULL, "read: %s", strerror(o->err));
			else
				fail(r, NULL, "not a Debian package (%s)",
				     archive_error_string(a));
			goto out;
		}
		m = archive_entry_pathname(e);
		if (!m)
			m = "";
		r->member = m;
		if (state == BINARY) {
			char *v = NULL;
			unsigned char dg[DEB_DIGEST_SIZE];
			uint64_t size;

			if (strcmp(m, "debian-binary")) {
				fail(r, NULL, "not a Debian package: its first member is not debian-binary");
				goto out;
			}
			if (digest_entry(r, a, NULL, dg, &size, &v, 64)) {
				free(v);
				goto out;
			}
			if (strncmp(v, "2.", 2) || !strchr(v, '\n')) {
				fail(r, NULL, "format version %.*s: only 2.x is known",
				     (int)strcspn(v, "\n"), v);
				free(v);
				goto out;
			}
			free(v);
			state = CONTROL;
			continue;
		}
		if (m[0] == '_')
			continue;	/* dpkg ignores these members */
		if (state == CONTROL && !strncmp(m, "control.tar", 11)) {
			if (member_filter(m + 11, false, &code)) {
				fail(r, NULL, "unknown compression of control.tar");
				goto out;
			}
			if (read_tar(r, a, code, false))
				goto out;
			if (!r->control) {
				fail(r, NULL, "no control file");
				goto out;
			}
			r->control_len = strlen(r->control);
			r->member = "control";
			if (!(d->package = field(r, "Package", true)) ||
			    !(d->version = field(r, "Version", true)) ||
			    !(d->arch = field(r, "Architecture", true)))
				goto out;
			d->multiarch = field(r, "Multi-Arch", false);
			if (*r->err)
				goto out;
			state = DATA;
			continue;
		}
		if (state == DATA && !strncmp(m, "data.tar", 8)) {
			if (member_filter(m + 8, true, &code)) {
				fail(r, NULL, "unknown compression of data.tar");
				goto out;
			}
			if (read_tar(r, a, code, true))
				goto out;
			state = DONE;
			continue;
		}
		fail(r, NULL, "unexpected member %s", state == DONE ? "after data.tar" :
		     state == DATA ? "before data.tar" : "before control.tar");
		goto out;
	}
	r->member = NULL;
	if (state != DONE) {
		fail(r, NULL, "truncated: no %s", state == BINARY ? "debian-binary" :
		     state == CONTROL ? "control.tar" : "data.tar");
		goto out;
	}
	/* What libarchive did not ask for (the last padding) is the .deb's too. */
	for (;;) {
		const void *buf;
		la_ssize_t n = outer_read(a, o, &buf);

		if (n < 0) {
			fail(r, NULL, "read: %s", strerror(o->err));
			goto out;
		}
		if (!n)
			break;
	}
	if (!EVP_DigestFinal_ex(o->md, d->sha256, &len) || len != DEB_DIGEST_SIZE)
		fatal("OpenSSL: SHA-256 failed");
	d->size = o->size;
	ret = 0;
out:
	archive_read_free(a);
	EVP_MD_CTX_free(o->md);
	free(o);
	free(r->names.slot);
	free(r->control);
	free(r);
	return ret;
}

void deb_free(struct deb *d)
{
	for (size_t i = 0; i < d->nfiles; i++)
		free(d->files[i].path);
	for (size_t i = 0; i < d->ncontrol; i++)
		free(d->control[i].path);
	free(d->files);
	free(d->control);
	free(d->package);
	free(d->version);
	free(d->arch);
	free(d->multiarch);
	memset(d, 0, sizeof(*d));
}
