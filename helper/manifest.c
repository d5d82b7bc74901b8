// SPDX-License-Identifier: GPL-2.0
/*
 * execmark helper: manifest export and apply. A manifest is the output of
 * sha256sum (sha384sum, sha512sum): one "HEXDIGEST  PATH" line per file. A
 * name containing a backslash, a newline or a carriage return is written
 * with those escaped as \\, \n and \r, and the line then starts with a
 * backslash (the rule of GNU coreutils 9). Apply also reads the other
 * lines that sha256sum -c accepts: CRLF line ends, one space between digest
 * and name, and the BSD form of --tag, "SHA256 (NAME) = HEXDIGEST".
 *
 * Marks of format version 2 (fs-verity digests, signatures) do not fit in
 * that format: their lines are "mark:HEXMARK  PATH", HEXMARK being the
 * whole value of security.execmark that apply sets, signature included, if
 * the file's digest is the one it holds. A signed manifest is made of such
 * lines: apply needs no key to set signed marks.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "manifest.h"
#include "mark.h"
#include "opts.h"
#include "sign.h"
#include "util.h"
#include "verity.h"
#include "walk.h"

/* @path as sha256sum writes it, after the digest, and the newline. */
static void write_name(FILE *f, const char *path)
{
	fputs("  ", f);
	for (const char *s = path; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '\r')
			fputs("\\r", f);
		else
			putc(*s, f);
	}
	putc('\n', f);
}

/* Write the manifest line of @path, whose content has @digest. */
void manifest_write_line(FILE *f, const struct algo *a,
			 const unsigned char *digest, const char *path)
{
	char hex[2 * EXECMARK_MAX_DIGEST + 1];

	hex_encode(hex, digest, a->size);
	if (strpbrk(path, "\\\n\r"))
		putc('\\', f);
	fputs(hex, f);
	write_name(f, path);
}

/* Write the line "mark:HEXMARK  PATH" that sets the mark @m on @path. */
void manifest_write_mark_line(FILE *f, const struct mark *m, const char *path)
{
	char hex[2 * EXECMARK_V2_MAX_SIZE + 1];

	hex_encode(hex, m->value, m->len);
	if (strpbrk(path, "\\\n\r"))
		putc('\\', f);
	fputs(MANIFEST_MARK_PREFIX, f);
	fputs(hex, f);
	write_name(f, path);
}

struct export_ctx {
	struct mark_how how;		/* --algo, --verity, --sign */
	bool marks;			/* mark: lines (--verity or --sign) */
	unsigned long exported, errors;
};

/*
 * The fs-verity digest of j->fd: measured if fs-verity is enabled on it
 * (O(1), and the algorithm is the file's), else computed by libfsverity
 * from the content with @a.
 */
static int export_verity(struct job *j, const struct algo *a)
{
	int ret = verity_measure(j->fd, &j->algo, j->digest);

	if (ret != -ENODATA && ret != -ENOTTY && ret != -EOPNOTSUPP) {
		if (ret)
			job_fail(j, "measuring fs-verity", -ret);
		return ret;
	}
	j->algo = a;
	ret = verity_compute(j->fd, a, j->digest);
	if (ret < 0)
		job_fail(j, "read", -ret);
	return ret;
}

static void export_work(void *ctx, struct job *j, unsigned char *buf)
{
	struct export_ctx *c = ctx;
	const struct mark_how *how = &c->how;
	struct mark *m;
	int ret;

	if (how->kind == EXECMARK_KIND_VERITY) {
		ret = export_verity(j, how->algo);
	} else {
		j->algo = how->algo;
		ret = hash_file(j->fd, j->algo, j->digest, buf, false);
		if (ret < 0)
			job_fail(j, "read", -ret);
	}
	j->result = ret;
	if (ret || !c->marks)
		return;
	m = xmalloc(sizeof(*m));
	ret = mark_make(m, EXECMARK_FORMAT_V2, how->kind, j->algo->id,
			j->digest, NULL, 0);
	if (!ret && how->signer) {
		unsigned char sig[EXECMARK_MAX_SIG];
		size_t sig_len;

		ret = signer_sign(how->signer, &m->p, sig, &sig_len);
		if (!ret)
			ret = mark_make(m, EXECMARK_FORMAT_V2, how->kind,
					j->algo->id, j->digest, sig, sig_len);
		if (ret)
			job_fail(j, "signing", ret == -EMSGSIZE ? EMSGSIZE : EIO);
	}
	if (ret) {
		if (!j->what)
			job_fail(j, "setting", EINVAL);
		free(m);
		j->result = -EIO;
		return;
	}
	j->out = m;
}

static void export_done(void *ctx, struct job *j)
{
	struct export_ctx *c = ctx;

	if (j->result < 0) {
		job_warn(j);
		c->errors++;
		return;
	}
	if (j->result == HASH_CHANGED) {
		warn_path(j->path, "changed while hashing, not exported");
		c->errors++;
		return;
	}
	if (j->out)
		manifest_write_mark_line(stdout, j->out, j->path);
	else
		manifest_write_line(stdout, j->algo, j->digest, j->path);
	free(j->out);
	j->out = NULL;
	c->exported++;
}

static const char export_usage[] =
"usage: execmark manifest export [-r] [-x] [-q|-v] [-j N] [--algo sha256|sha384|sha512]\n"
"                                [--verity] [--sign KEY --cert CERT]\n"
"                                [--files-from FILE [-0]] PATH...\n"
"Write \"HEXDIGEST  PATH\" for each regular file to standard output, in the\n"
"format of sha256sum (sha384sum, sha512sum), digesting the current content;\n"
"with --verity or --sign, \"mark:HEXMARK  PATH\": the whole mark (format 2)\n"
"that manifest apply sets, signature included.\n"
"  -r, --recursive   descend into directories (symbolic links are not followed)\n"
"  -x, --one-file-system  do not cross into other file systems with -r\n"
"  -j, --jobs N      hash with N threads (default: online CPUs)\n"
"      --algo ALGO   sha256 (default), sha384 or sha512 (--verity: sha256, sha512)\n"
"      --verity      fs-verity digests: measured where fs-verity is enabled,\n"
"                    computed from the content elsewhere (4 KiB blocks, no salt)\n"
"      --sign KEY    sign each mark with the private key KEY (PEM or DER)...\n"
"      --cert CERT   ...whose X.509 certificate is CERT (PEM or DER)\n"
FILES_FROM_HELP
"  -q, --quiet       no summary; only what went wrong\n"
"  -v, --verbose     also name each symbolic link skipped by -r\n"
SHARED_HELP;

static int manifest_export(int argc, char **argv)
{
	static const struct pool_ops ops = { export_work, export_done };
	struct export_ctx c = { 0 };
	struct file_opts o;
	struct pool_counts pc;
	struct pool *p;
	char *skipped;
	int ret, i = parse_file_opts(argc, argv, export_usage, "rxjaVSCF0", true, &o, &ret);

	if (i < 0)
		return ret;
	ret = mark_how_init(&c.how, &o, export_usage, argv[0]);
	if (ret)
		return ret;
	c.marks = o.verity || o.sign_key;
	hash_init();
	p = pool_start(&ops, &c, &o.walk);
	pool_add_args(p, &o, argc - i, argv + i);
	pc = pool_finish(p);
	signer_free(c.how.signer);
	c.errors += pc.errors;
	if (fflush(stdout) || ferror(stdout)) {
		warnmsg("standard output: write error");
		return EXIT_ERROR;
	}
	skipped = skipped_summary(&pc);
	if (!o.quiet)
		fprintf(stderr, "exported %lu %s, %s, %lu %s\n", c.exported,
			plural(c.exported, "file", "files"), skipped, c.errors,
			plural(c.errors, "error", "errors"));
	free(skipped);
	return c.errors ? EXIT_ERROR : EXIT_OK;
}

/* A manifest line: the mark it sets, and where. */
struct want {
	unsigned char *value;
	size_t len;
	char *path;
	unsigned long lineno;
	bool have_id;		/* dev and ino are known (lstat_long()) */
	bool skip;		/* a duplicate or a conflict: not applied */
	dev_t dev;
	ino_t ino;
};

struct apply_ctx {
	struct marker marker;
};

static void apply_work(void *ctx, struct job *j, unsigned char *buf)
{
	struct apply_ctx *c = ctx;
	const struct want *w = j->arg;
	struct mark want;
	struct mark_how how = { .want = &want };

	/* Not the file whose duplicates were looked for: replaced meanwhile. */
	if (w->have_id && (j->st.st_dev != w->dev || j->st.st_ino != w->ino)) {
		j->result = MARK_CHANGED;
		return;
	}
	if (mark_parse(&want, w->value, w->len))
		fatal("internal error: a corrupt mark from the manifest");
	mark_file(&c->marker, j, &how, buf);
}

static int cmp_ids(const void *a, const void *b)
{
	const struct want *x = *(const struct want *const *)a;
	const struct want *y = *(const struct want *const *)b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return x->lineno < y->lineno ? -1 : x->lineno > y->lineno;
}

static bool same_mark(const struct want *a, const struct want *b)
{
	return a->len == b->len && !memcmp(a->value, b->value, a->len);
}

/*
 * Lines for one file, by (dev, ino) -- the same path twice, or two hard
 * links: with the same digest, the first line is applied and the others
 * counted as duplicates; with different digests (another algorithm
 * included) none is applied and each later line is an error naming the
 * first. Otherwise threads would hash and mark one file twice, with a
 * result that depends on -j.
 */
static void find_duplicates(struct want *w, size_t n, const char *name,
			    unsigned long *dups, unsigned long *conflicts)
{
	struct want **by = xcalloc(n ? n : 1, sizeof(*by));
	size_t nid = 0, i, k;

	for (i = 0; i < n; i++) {
		struct stat st;

		if (lstat_long(w[i].path, &st))
			continue;	/* pool_add() says why */
		w[i].dev = st.st_dev;
		w[i].ino = st.st_ino;
		w[i].have_id = true;
		by[nid++] = &w[i];
	}
	qsort(by, nid, sizeof(*by), cmp_ids);
	for (i = 0; i < nid; i = k) {
		bool conflict = false;

		for (k = i + 1; k < nid && by[k]->dev == by[i]->dev &&
		     by[k]->ino == by[i]->ino; k++) {
			if (!same_mark(by[k], by[i]))
				conflict = true;
		}
		for (size_t m = i + 1; m < k; m++) {
			by[m]->skip = true;
			if (!conflict) {
				(*dups)++;
				continue;
			}
			(*conflicts)++;
			if (same_mark(by[m], by[i]))
				continue;	/* a later line names both */
			char *where = xasprintf("%s:%lu", name, by[m]->lineno);
			char *e = esc(by[i]->path);

			warn_path(where, "the same file as line %lu (%s) with another mark: neither is applied",
				  by[i]->lineno, e);
			free(e);
			free(where);
		}
		if (conflict) {
			by[i]->skip = true;
			(*conflicts)++;
		}
	}
	free(by);
}

static void apply_done(void *ctx, struct job *j)
{
	struct apply_ctx *c = ctx;

	mark_count(&c->marker, j);
}

static size_t hex_span(const char *s)
{
	size_t n = 0;

	while ((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f') ||
	       (s[n] >= 'A' && s[n] <= 'F'))
		n++;
	return n;
}

/*
 * The BSD form that sha256sum --tag writes, "SHA256 (NAME) = HEXDIGEST"
 * (SHA384, SHA512), in @s up to @end: the digest is the end of the line and
 * the name what lies between "TAG (" and the ") = " before it. Returns the
 * name, ended in place, or NULL.
 */
static char *parse_tag(char *s, char *end, struct manifest_entry *e)
{
	static const struct { const char *tag; unsigned int size; } tags[] = {
		{ "SHA256 (", 32 }, { "SHA384 (", 48 }, { "SHA512 (", 64 },
	};
	char *name = NULL, *hex;
	size_t n;

	for (size_t i = 0; i < ARRAY_SIZE(tags); i++) {
		if (!strncmp(s, tags[i].tag, strlen(tags[i].tag))) {
			name = s + strlen(tags[i].tag);
			e->algo = algo_by_size(tags[i].size);
			break;
		}
	}
	if (!name || !e->algo)
		return NULL;
	n = 2 * e->algo->size;
	/* At least one byte of name, ") = " and the digest. */
	if ((size_t)(end - name) < 1 + 4 + n)
		return NULL;
	hex = end - n;
	if (memcmp(hex - 4, ") = ", 4) || hex_span(hex) != n)
		return NULL;
	hex_decode(e->digest, hex, n);
	hex[-4] = '\0';
	return name;
}

/*
 * Parse one manifest line (without its newline) of @len bytes into @e and
 * return the file name, unescaped in place; NULL if the line is malformed.
 * @line[@len] must be '\0'. The forms are those sha256sum -c reads: an
 * optional carriage return at the end (CRLF line ends), then
 * "HEXDIGEST  NAME", "HEXDIGEST *NAME" or "HEXDIGEST NAME", or the BSD
 * "SHA256 (NAME) = HEXDIGEST" (SHA384, SHA512); a line that starts with a
 * backslash has its name escaped (\\, \n, \r). Or "mark:HEXMARK" and a
 * name as above, HEXMARK being a mark that execmark_mark_parse() accepts.
 * @e->mark is the mark the line sets (for a sha256sum line a version 1
 * mark); @e->why says why a line that looked like a mark line is malformed.
 */
char *manifest_parse_line(char *line, size_t len, struct manifest_entry *e)
{
	bool escaped;
	char *hex, *name, *in, *out;
	size_t n;

	e->why = NULL;
	if (strlen(line) != len)	/* a NUL byte */
		return NULL;
	if (len && line[len - 1] == '\r')
		line[--len] = '\0';
	escaped = line[0] == '\\';
	hex = line + escaped;
	if (!strncmp(hex, MANIFEST_MARK_PREFIX, strlen(MANIFEST_MARK_PREFIX))) {
		unsigned char value[EXECMARK_V2_MAX_SIZE];

		hex += strlen(MANIFEST_MARK_PREFIX);
		n = hex_span(hex);
		if (hex[n] != ' ' || n % 2 || !n) {
			e->why = "a mark line is \"mark:HEXMARK  PATH\"";
			return NULL;
		}
		if (n / 2 > sizeof(value)) {
			e->why = "its mark is corrupt (longer than any mark)";
			return NULL;
		}
		hex_decode(value, hex, n);
		if (mark_parse(&e->mark, value, n / 2)) {
			e->why = "its mark is corrupt";
			return NULL;
		}
		e->algo = NULL;
		name = hex + n + 1;
		if (*name == ' ' || *name == '*')
			name++;
	} else {
		n = hex_span(hex);
		if (!n) {
			name = parse_tag(hex, line + len, e);
			if (!name)
				return NULL;
		} else {
			e->algo = n % 2 ? NULL : algo_by_size(n / 2);
			if (!e->algo || hex[n] != ' ')
				return NULL;
			hex_decode(e->digest, hex, n);
			name = hex + n + 1;
			if (*name == ' ' || *name == '*')
				name++;
		}
		if (mark_make(&e->mark, EXECMARK_FORMAT_V1, EXECMARK_KIND_CONTENT,
			      e->algo->id, e->digest, NULL, 0))
			return NULL;
	}
	if (!escaped)
		return *name ? name : NULL;
	for (in = out = name; *in; in++) {
		if (*in == '\\') {
			in++;
			if (*in == '\\')
				*out++ = '\\';
			else if (*in == 'n')
				*out++ = '\n';
			else if (*in == 'r')
				*out++ = '\r';
			else
				return NULL;
		} else {
			*out++ = *in;
		}
	}
	*out = '\0';
	return *name ? name : NULL;
}

/*
 * manifest apply --cert, --require-signed: say why the mark of line
 * @lineno is not applied, or return false.
 */
static bool refuse(const struct mark *m, const struct sig_cert *cert,
		   bool require_signed, const char *name, unsigned long lineno)
{
	const char *why = NULL;

	if (!m->p.sig_len && require_signed)
		why = "an unsigned mark (--require-signed)";
	else if (m->p.sig_len && cert && (why = sig_check(cert, &m->p)))
		why = xasprintf("bad signature: %s", why);
	else
		return false;
	char *where = xasprintf("%s:%lu", name, lineno);

	warn_path(where, "%s, not applied", why);
	if (m->p.sig_len)
		free((char *)why);
	free(where);
	return true;
}

static const char apply_usage[] =
"usage: execmark manifest apply [-q|-v] [-j N] [--cert CERT] [--require-signed] [FILE|-]\n"
"Mark each file listed in the manifest FILE (default: standard input) if,\n"
"and only if, its current content matches the listed digest. The digest's\n"
"length selects the algorithm: 64 hex digits sha256, 96 sha384, 128 sha512.\n"
"Lines are those sha256sum -c reads: \"HEXDIGEST  PATH\" (also \" *\" or one\n"
"space), \"SHA256 (PATH) = HEXDIGEST\" (--tag; SHA384, SHA512), CRLF or LF,\n"
"names escaped as sha256sum escapes them; and \"mark:HEXMARK  PATH\" (export\n"
"--verity or --sign): the mark, signature included, is set as it is if the\n"
"file's content (or fs-verity) digest is the one it holds; a verity mark\n"
"enables fs-verity on the file. No key is needed.\n"
"  -j, --jobs N      hash with N threads (default: online CPUs)\n"
"      --cert CERT   apply no signed mark whose signature CERT's key did not\n"
"                    make (as the kernel would refuse it with CERT in .execmark)\n"
"      --require-signed  apply no unsigned mark (sha256sum lines included)\n"
"  -q, --quiet       no summary; only what went wrong\n"
"  -v, --verbose     also \"marked PATH\" or \"already-marked PATH\" per file on\n"
"                    standard output\n"
SHARED_HELP;

static int manifest_apply(int argc, char **argv)
{
	static const struct pool_ops ops = { apply_work, apply_done };
	struct apply_ctx c;
	struct marker *m = &c.marker;
	struct file_opts o;
	const char *name = "-";
	unsigned long lineno = 0, malformed = 0, dups = 0, conflicts = 0, refused = 0;
	struct sig_cert *cert = NULL;
	char *line = NULL, size[32];
	struct want *wants = NULL;
	size_t cap = 0, nwants = 0, wcap = 0;
	ssize_t len;
	struct pool *p;
	FILE *f = stdin;
	int ret, i;

	i = parse_file_opts(argc, argv, apply_usage, "jCR", false, &o, &ret);
	if (i < 0)
		return ret;
	if (o.cert) {
		cert = sig_cert_load(o.cert);
		if (!cert)
			return EXIT_ERROR;
	}
	if (i < argc) {
		name = argv[i];
		if (i + 1 < argc)
			return usage_error(apply_usage, "%s: more than one FILE",
					   argv[0]);
	}
	if (strcmp(name, "-")) {
		f = fopen(name, "re");
		if (!f) {
			warn_path(name, "%s", strerror(errno));
			return EXIT_ERROR;
		}
	}
	hash_init();
	marker_init(m);
	/* The whole manifest first: duplicates are found before any hashing. */
	while ((len = getline(&line, &cap, f)) > 0) {
		struct manifest_entry e;
		char *path;

		lineno++;
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		/* An empty line (CRLF or not) is ignored. */
		if (!len || (len == 1 && line[0] == '\r'))
			continue;
		path = manifest_parse_line(line, len, &e);
		if (!path) {
			char *where = xasprintf("%s:%lu", name, lineno);

			if (e.why)
				warn_path(where, "malformed line: %s", e.why);
			else
				warn_path(where, "malformed line");
			free(where);
			malformed++;
			continue;
		}
		if (refuse(&e.mark, cert, o.require_signed, name, lineno)) {
			refused++;
			continue;
		}
		if (nwants == wcap) {
			wcap = wcap ? 2 * wcap : 256;
			wants = xrealloc(wants, wcap * sizeof(*wants));
		}
		wants[nwants] = (struct want){ .value = xmalloc(e.mark.len),
					       .len = e.mark.len,
					       .path = xstrdup(path),
					       .lineno = lineno };
		memcpy(wants[nwants++].value, e.mark.value, e.mark.len);
	}
	if (ferror(f)) {
		warn_path(name, "read: %s", strerror(errno));
		m->errors++;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	sig_cert_free(cert);
	find_duplicates(wants, nwants, name, &dups, &conflicts);
	p = pool_start(&ops, &c, &o.walk);
	for (size_t k = 0; k < nwants; k++)
		if (!wants[k].skip)
			pool_add(p, wants[k].path, &wants[k]);
	m->errors += pool_finish(p).errors;
	marker_destroy(m);
	for (size_t k = 0; k < nwants; k++) {
		free(wants[k].path);
		free(wants[k].value);
	}
	free(wants);
	human_size(size, sizeof(size), m->bytes);
	if (!o.quiet)
		fprintf(stderr,
			"marked %lu %s (%s), %lu already marked, %lu mismatch, %lu changed while hashing, %lu open for writing, %lu duplicate %s, %lu conflicting %s, %lu malformed %s, %lu %s\n",
			m->marked, plural(m->marked, "file", "files"), size,
			m->already, m->mismatch, m->changed, m->writers, dups,
			plural(dups, "line", "lines"), conflicts,
			plural(conflicts, "line", "lines"), malformed,
			plural(malformed, "line", "lines"), m->errors,
			plural(m->errors, "error", "errors"));
	if (!o.quiet && (o.cert || o.require_signed))
		fprintf(stderr, "refused %lu %s (%s)\n", refused,
			plural(refused, "line", "lines"),
			o.cert ? "bad signatures or unsigned" : "unsigned");
	if (m->errors || malformed || conflicts || refused)
		return EXIT_ERROR;
	return m->mismatch || m->changed || m->writers ? EXIT_NOTOK : EXIT_OK;
}

static const char manifest_usage[] =
"usage: execmark manifest export [-r] [-x] [-q|-v] [-j N] [--algo ALGO]\n"
"                                [--files-from FILE [-0]] PATH...\n"
"       execmark manifest apply [-q|-v] [-j N] [FILE|-]\n"
"'execmark manifest export --help' and 'execmark manifest apply --help' say more.\n";

int cmd_manifest(int argc, char **argv)
{
	if (argc < 2)
		return usage_error(manifest_usage, "manifest: export or apply?");
	if (!strcmp(argv[1], "export"))
		return manifest_export(argc - 1, argv + 1);
	if (!strcmp(argv[1], "apply"))
		return manifest_apply(argc - 1, argv + 1);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return print_usage(manifest_usage);
	if (!strcmp(argv[1], "--version"))
		return print_version();
	return usage_error(manifest_usage, "manifest: unknown subcommand: %s",
			   argv[1]);
}
