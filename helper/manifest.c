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

static unsigned long errors;

static void export_job(struct job *j, unsigned char *buf)
{
	int ret = hash_file(j->fd, j->algo, j->digest, buf);

	j->result = ret;
	if (ret < 0) {
		j->what = "read";
		j->err = -ret;
	}
}

static void export_done(struct job *j)
{
	char hex[2 * EXECMARK_MAX_DIGEST + 1];
	const char *s;

	if (j->result < 0) {
		report_job_error(j);
		errors++;
		return;
	}
	if (j->result == HASH_CHANGED) {
		report_changed(j, "not exported");
		errors++;
		return;
	}
	hex_encode(hex, j->digest, j->algo->size);
	if (strpbrk(j->path, "\\\n\r"))
		putchar('\\');
	fputs(hex, stdout);
	fputs("  ", stdout);
	for (s = j->path; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", stdout);
		else if (*s == '\n')
			fputs("\\n", stdout);
		else if (*s == '\r')
			fputs("\\r", stdout);
		else
			putchar(*s);
	}
	putchar('\n');
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
	static const struct pool_ops ops = { export_job, export_done };
	struct file_opts o;
	struct job tmpl = { 0 };
	struct pool *p;
	int ret, i = parse_file_opts(argc, argv, export_usage, "rxja", true, &o, &ret);

	if (i < 0)
		return ret;
	hash_init();
	tmpl.algo = o.algo;
	p = pool_start(&ops, &o.walk);
	for (; i < argc; i++)
		pool_add(p, argv[i], &tmpl);
	errors += pool_finish(p).errors;
	if (fflush(stdout) || ferror(stdout)) {
		warnmsg("standard output: write error");
		return EXIT_ERROR;
	}
	return errors ? EXIT_ERROR : EXIT_OK;
}

static struct {
	unsigned long marked, already, changed, mismatch;
	uint64_t bytes;
} apply_sum;

static void apply_done(struct job *j)
{
	char *e;

	switch (j->result) {
	case MARK_MARKED:
		apply_sum.marked++;
		apply_sum.bytes += j->st.st_size;
		break;
	case MARK_ALREADY:
		apply_sum.already++;
		break;
	case MARK_CHANGED:
		report_changed(j, "not marked");
		apply_sum.changed++;
		break;
	case MARK_MISMATCH:
		e = esc(j->path);
		warnmsg("%s: content does not match the manifest, not marked", e);
		free(e);
		apply_sum.mismatch++;
		break;
	default:
		report_job_error(j);
		errors++;
		break;
	}
}

/*
 * Parse one manifest line (without its newline) into @j's digest and
 * return the file name, unescaped in place; NULL if the line is malformed.
 */
static char *parse_line(char *line, size_t len, struct job *j)
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
	j->want_algo = n % 2 ? NULL : algo_by_size(n / 2);
	if (!j->want_algo || hex[n] != ' ' ||
	    (hex[n + 1] != ' ' && hex[n + 1] != '*') || !hex[n + 2])
		return NULL;
	hex_decode(j->want, hex, n);
	j->algo = j->want_algo;
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
	static const struct pool_ops ops = { mark_job, apply_done };
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
			char *e = esc(name);

			warnmsg("%s: %s", e, strerror(errno));
			free(e);
			return EXIT_ERROR;
		}
	}
	hash_init();
	p = pool_start(&ops, &o.walk);
	while ((len = getline(&line, &cap, f)) > 0) {
		struct job tmpl = { 0 };
		char *path;

		lineno++;
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (!len)	/* an empty line is ignored */
			continue;
		path = parse_line(line, len, &tmpl);
		if (!path) {
			char *e = esc(name);

			warnmsg("%s:%lu: malformed line", e, lineno);
			free(e);
			malformed++;
			continue;
		}
		pool_add(p, path, &tmpl);
	}
	if (ferror(f)) {
		char *e = esc(name);

		warnmsg("%s: read: %s", e, strerror(errno));
		free(e);
		errors++;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	errors += pool_finish(p).errors;
	human_size(size, sizeof(size), apply_sum.bytes);
	fprintf(stderr,
		"marked %lu files (%s), %lu already marked, %lu mismatch, %lu changed while hashing, %lu malformed lines, %lu errors\n",
		apply_sum.marked, size, apply_sum.already, apply_sum.mismatch,
		apply_sum.changed, malformed, errors);
	if (errors || malformed)
		return EXIT_ERROR;
	return apply_sum.mismatch || apply_sum.changed ? EXIT_NOTOK : EXIT_OK;
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
