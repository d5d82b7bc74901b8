// SPDX-License-Identifier: GPL-2.0
/*
 * execmark helper: manifest export and apply. A manifest is the output of
 * sha256sum (sha384sum, sha512sum): one "HEXDIGEST  PATH" line per file. A
 * name containing a backslash, a newline or a carriage return is written
 * with those escaped as \\, \n and \r, and the line then starts with a
 * backslash (the rule of GNU coreutils 9).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "manifest.h"
#include "mark.h"
#include "opts.h"
#include "util.h"
#include "walk.h"

/* Write the manifest line of @path, whose content has @digest. */
void manifest_write_line(FILE *f, const struct algo *a,
			 const unsigned char *digest, const char *path)
{
	char hex[2 * EXECMARK_MAX_DIGEST + 1];
	const char *s;

	hex_encode(hex, digest, a->size);
	if (strpbrk(path, "\\\n\r"))
		putc('\\', f);
	fputs(hex, f);
	fputs("  ", f);
	for (s = path; *s; s++) {
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

struct export_ctx {
	const struct algo *algo;	/* --algo */
	unsigned long exported, errors;
};

static void export_work(void *ctx, struct job *j, unsigned char *buf)
{
	struct export_ctx *c = ctx;
	int ret;

	j->algo = c->algo;
	ret = hash_file(j->fd, j->algo, j->digest, buf);
	j->result = ret;
	if (ret < 0)
		job_fail(j, "read", -ret);
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
	manifest_write_line(stdout, j->algo, j->digest, j->path);
	c->exported++;
}

static const char export_usage[] =
"usage: execmark manifest export [-r] [-x] [-j N] [--algo sha256|sha384|sha512] PATH...\n"
"Write \"HEXDIGEST  PATH\" for each regular file to standard output, in the\n"
"format of sha256sum (sha384sum, sha512sum), digesting the current content.\n"
"  -r, --recursive   descend into directories (symbolic links are not followed)\n"
"  -x, --one-file-system  do not cross into other file systems with -r\n"
"  -j, --jobs N      hash with N threads (default: online CPUs)\n"
"      --algo ALGO   sha256 (default), sha384 or sha512\n"
"  -h, --help        show this help\n";

static int manifest_export(int argc, char **argv)
{
	static const struct pool_ops ops = { export_work, export_done };
	struct export_ctx c = { 0 };
	struct file_opts o;
	struct pool_counts pc;
	struct pool *p;
	int ret, i = parse_file_opts(argc, argv, export_usage, "rxja", true, &o, &ret);

	if (i < 0)
		return ret;
	hash_init();
	c.algo = o.algo;
	p = pool_start(&ops, &c, &o.walk);
	for (; i < argc; i++)
		pool_add(p, argv[i], NULL);
	pc = pool_finish(p);
	c.errors += pc.errors;
	if (fflush(stdout) || ferror(stdout)) {
		warnmsg("standard output: write error");
		return EXIT_ERROR;
	}
	fprintf(stderr, "exported %lu files, %lu skipped, %lu on pseudo file systems, %lu errors\n",
		c.exported, pc.skipped, pc.pseudo, c.errors);
	return c.errors ? EXIT_ERROR : EXIT_OK;
}

/* A manifest line given to the pool. */
struct want {
	struct want *next;
	struct manifest_entry e;
};

struct apply_ctx {
	struct marker marker;
	struct want *wants;	/* every line given to the pool, to free */
};

static void apply_work(void *ctx, struct job *j, unsigned char *buf)
{
	struct apply_ctx *c = ctx;
	const struct want *w = j->arg;

	mark_file(&c->marker, j, w->e.algo, w->e.digest, buf);
}

static void apply_done(void *ctx, struct job *j)
{
	struct apply_ctx *c = ctx;

	mark_count(&c->marker, j);
}

/*
 * Parse one manifest line (without its newline) of @len bytes into @e and
 * return the file name, unescaped in place; NULL if the line is malformed.
 * @line[@len] must be '\0'.
 */
char *manifest_parse_line(char *line, size_t len, struct manifest_entry *e)
{
	bool escaped = line[0] == '\\';
	char *hex = line + escaped, *name, *in, *out;
	size_t n = 0;

	if (strlen(line) != len)	/* a NUL byte */
		return NULL;
	while ((hex[n] >= '0' && hex[n] <= '9') ||
	       (hex[n] >= 'a' && hex[n] <= 'f') ||
	       (hex[n] >= 'A' && hex[n] <= 'F'))
		n++;
	e->algo = n % 2 ? NULL : algo_by_size(n / 2);
	if (!e->algo || hex[n] != ' ' ||
	    (hex[n + 1] != ' ' && hex[n + 1] != '*') || !hex[n + 2])
		return NULL;
	hex_decode(e->digest, hex, n);
	name = hex + n + 2;
	if (!escaped)
		return name;
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

static const char apply_usage[] =
"usage: execmark manifest apply [-j N] [FILE|-]\n"
"Mark each file listed in the manifest FILE (default: standard input) if,\n"
"and only if, its current content matches the listed digest. The digest's\n"
"length selects the algorithm: 64 hex digits sha256, 96 sha384, 128 sha512.\n"
"  -j, --jobs N      hash with N threads (default: online CPUs)\n"
"  -h, --help        show this help\n";

static int manifest_apply(int argc, char **argv)
{
	static const struct pool_ops ops = { apply_work, apply_done };
	struct apply_ctx c;
	struct marker *m = &c.marker;
	struct file_opts o;
	const char *name = "-";
	unsigned long lineno = 0, malformed = 0;
	char *line = NULL, size[32];
	size_t cap = 0;
	ssize_t len;
	struct pool *p;
	FILE *f = stdin;
	int ret, i;

	i = parse_file_opts(argc, argv, apply_usage, "j", false, &o, &ret);
	if (i < 0)
		return ret;
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
	c.wants = NULL;
	p = pool_start(&ops, &c, &o.walk);
	while ((len = getline(&line, &cap, f)) > 0) {
		struct want *w = xcalloc(1, sizeof(*w));
		char *path;

		lineno++;
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		path = len ? manifest_parse_line(line, len, &w->e) : NULL;
		if (!path) {
			free(w);
			if (!len)	/* an empty line is ignored */
				continue;
			char *where = xasprintf("%s:%lu", name, lineno);

			warn_path(where, "malformed line");
			free(where);
			malformed++;
			continue;
		}
		w->next = c.wants;
		c.wants = w;
		pool_add(p, path, w);
	}
	if (ferror(f)) {
		warn_path(name, "read: %s", strerror(errno));
		m->errors++;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	m->errors += pool_finish(p).errors;
	marker_destroy(m);
	while (c.wants) {
		struct want *w = c.wants;

		c.wants = w->next;
		free(w);
	}
	human_size(size, sizeof(size), m->bytes);
	fprintf(stderr,
		"marked %lu files (%s), %lu already marked, %lu mismatch, %lu changed while hashing, %lu open for writing, %lu malformed lines, %lu errors\n",
		m->marked, size, m->already, m->mismatch, m->changed, m->writers,
		malformed, m->errors);
	if (m->errors || malformed)
		return EXIT_ERROR;
	return m->mismatch || m->changed || m->writers ? EXIT_NOTOK : EXIT_OK;
}

static const char manifest_usage[] =
"usage: execmark manifest export [-r] [-x] [-j N] [--algo ALGO] PATH...\n"
"       execmark manifest apply [-j N] [FILE|-]\n"
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
	return usage_error(manifest_usage, "manifest: unknown subcommand: %s",
			   argv[1]);
}
