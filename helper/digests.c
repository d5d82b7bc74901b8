// SPDX-License-Identifier: GPL-2.0
/*
 * execmark helper: the digests subcommand, the kernel's digest allow-list
 * (/sys/kernel/security/execmark/digests).
 *
 * add and remove collect every digest first -- files hashed, --digest
 * values and standard input checked -- and write them in one write(), which
 * the kernel applies whole or not at all. Only a list larger than the
 * kernel takes in one write is written in several; if a later one fails,
 * the earlier ones are undone.
 *
 * add --sign KEY --cert CERT signs each digest as the kernel expects of a
 * signed entry: the signature a signed content mark of format version 2
 * with that SHA-256 digest carries (sign.c), in hex after " sig:".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "execmark.h"
#include "hash.h"
#include "opts.h"
#include "securityfs.h"
#include "sign.h"
#include "util.h"

static const char digests_usage[] =
"usage: execmark digests list [-q|-v]\n"
"       execmark digests add    [-q|-v] [--sign KEY --cert CERT]\n"
"                               [--digest sha256:HEX]... [FILE|-]...\n"
"       execmark digests remove [-q|-v] [--digest sha256:HEX]... [FILE|-]...\n"
"       execmark digests clear [-q|-v]\n"
"Show or change the kernel's digest allow-list (needs CAP_MAC_ADMIN): an\n"
"unmarked file whose content's sha256 is listed may be executed. add and\n"
"remove take the content of each FILE, each --digest, and with - one\n"
"sha256:HEX per line of standard input; all of them or none are applied.\n"
"A digest added twice is listed until it is removed twice.\n"
"      --digest sha256:HEX  this digest (64 hexadecimal digits)\n"
"      --sign KEY    add signed entries, signed with the private key KEY...\n"
"      --cert CERT   ...whose X.509 certificate is CERT; the kernel verifies\n"
"                    each against its .execmark keyring, and under\n"
"                    require_signed trusts only signed entries\n"
"  -q, --quiet       only errors\n"
"  -v, --verbose     say how many digests were added or removed\n"
SHARED_HELP;

#define PREFIX		"sha256:"
#define PREFIX_LEN	(sizeof(PREFIX) - 1)
#define HEX_LEN		(2 * EXECMARK_SHA256_SIZE)
#define LINE_LEN	(1 + PREFIX_LEN + HEX_LEN + 1)	/* "+sha256:HEX\n" */
#define SIG_PREFIX	" sig:"
/* Well below the kernel's limit of 32 MiB per write. */
#define WRITE_MAX	(16u << 20)

/*
 * The digests to add or remove, as "sha256:hex" (lower case), and whence;
 * with add --sign, each one's signature in hex.
 */
struct dlist {
	char (*digest)[PREFIX_LEN + HEX_LEN + 1];
	char **from;
	char **sig;
	size_t n, cap;
};

static void dlist_add(struct dlist *d, const char *digest, const char *from)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 64;
		d->digest = xrealloc(d->digest, d->cap * sizeof(*d->digest));
		d->from = xrealloc(d->from, d->cap * sizeof(*d->from));
		d->sig = xrealloc(d->sig, d->cap * sizeof(*d->sig));
	}
	memcpy(d->digest[d->n], digest, sizeof(*d->digest));
	d->sig[d->n] = NULL;
	d->from[d->n++] = xstrdup(from);
}

static void dlist_free(struct dlist *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->from[i]);
		free(d->sig[i]);
	}
	free(d->digest);
	free(d->from);
	free(d->sig);
}

/* Sign every digest of @d with @s. Return: 0, or -1 (reported). */
static int dlist_sign(struct dlist *d, const struct signer *s)
{
	unsigned char bin[EXECMARK_SHA256_SIZE], sig[EXECMARK_MAX_SIG];
	struct execmark_parsed p = {
		.version = EXECMARK_FORMAT_V2, .kind = EXECMARK_KIND_CONTENT,
		.algo = HASH_ALGO_SHA256, .dsize = EXECMARK_SHA256_SIZE,
		.digest = bin,
	};
	size_t len;

	for (size_t i = 0; i < d->n; i++) {
		int ret;

		if (hex_decode(bin, d->digest[i] + PREFIX_LEN, HEX_LEN))
			return -1;	/* cannot be: parse_digest() checked it */
		ret = signer_sign(s, &p, sig, &len);
		if (ret) {
			warnmsg("%s (%s): cannot sign it: %s", d->digest[i], d->from[i],
				ret == -EMSGSIZE ? "the signature would be longer than 2048 bytes" :
						   "OpenSSL failed");
			return -1;
		}
		d->sig[i] = xmalloc(2 * len + 1);
		hex_encode(d->sig[i], sig, len);
	}
	return 0;
}

/* The length of line @i of @d, newline included. */
static size_t line_len(const struct dlist *d, size_t i, char op)
{
	if (op != '+' || !d->sig[i])
		return LINE_LEN;
	return LINE_LEN + strlen(SIG_PREFIX) + strlen(d->sig[i]);
}

/*
 * Parse "sha256:HEX" (64 hex digits, either case) into @out, lower case.
 * Return: NULL, or what is wrong with it.
 */
static const char *parse_digest(const char *s, size_t len, char *out)
{
	unsigned char bin[EXECMARK_SHA256_SIZE];
	const char *colon = memchr(s, ':', len);

	if (!colon)
		return "not ALGORITHM:HEX (e.g. sha256:e3b0c442...)";
	if ((size_t)(colon - s) != PREFIX_LEN - 1 || memcmp(s, PREFIX, PREFIX_LEN - 1))
		return "unknown algorithm (only sha256 is accepted)";
	if (len - PREFIX_LEN != HEX_LEN)
		return "a sha256 digest has 64 hexadecimal digits";
	if (hex_decode(bin, s + PREFIX_LEN, HEX_LEN))
		return "not a hexadecimal digit";
	memcpy(out, PREFIX, PREFIX_LEN);
	hex_encode(out + PREFIX_LEN, bin, sizeof(bin));
	return NULL;
}

/* The sha256 of a regular file's content. Return: 0, or -1 (reported). */
static int digest_file(const char *path, struct dlist *d, unsigned char *buf)
{
	unsigned char bin[EXECMARK_SHA256_SIZE];
	char digest[PREFIX_LEN + HEX_LEN + 1];
	struct stat st;
	int fd, ret;

	fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		warn_path(path, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		warn_path(path, "not a regular file");
		close(fd);
		return -1;
	}
	ret = hash_file(fd, algo_by_name("sha256"), bin, buf, false);
	close(fd);
	if (ret == HASH_CHANGED) {
		warn_path(path, "changed while it was hashed; nothing done");
		return -1;
	}
	if (ret) {
		warn_path(path, "%s", strerror(-ret));
		return -1;
	}
	memcpy(digest, PREFIX, PREFIX_LEN);
	hex_encode(digest + PREFIX_LEN, bin, sizeof(bin));
	dlist_add(d, digest, path);
	return 0;
}

/* One sha256:HEX per line of standard input. Return: 0, or -1 (reported). */
static int digest_stdin(struct dlist *d)
{
	char *line = NULL, digest[PREFIX_LEN + HEX_LEN + 1], from[64];
	size_t cap = 0, lineno = 0;
	ssize_t len;
	int ret = 0;

	errno = 0;
	while ((len = getline(&line, &cap, stdin)) >= 0) {
		const char *why;

		lineno++;
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		if (memchr(line, '\0', len))
			why = "a NUL byte in the line";
		else
			why = parse_digest(line, len, digest);
		if (why) {
			char *e = esc(line);

			warnmsg("standard input: line %zu: %s: %s", lineno, why, e);
			free(e);
			ret = -1;
			break;
		}
		snprintf(from, sizeof(from), "standard input, line %zu", lineno);
		dlist_add(d, digest, from);
	}
	if (!ret && ferror(stdin)) {
		warnmsg("standard input: %s", strerror(errno));
		ret = -1;
	}
	free(line);
	return ret;
}

/* Write the lines [@from, @to) of @d with @op ('+' or '-'): 0 or -errno. */
static int write_lines(int fd, const struct dlist *d, char op, size_t from,
		       size_t to)
{
	size_t size = 1;
	char *buf, *p;
	int ret = 0;

	for (size_t i = from; i < to; i++)
		size += line_len(d, i, op);
	buf = xmalloc(size);
	p = buf;
	for (size_t i = from; i < to; i++) {
		if (line_len(d, i, op) != LINE_LEN)
			p += sprintf(p, "%c%s%s%s\n", op, d->digest[i], SIG_PREFIX,
				     d->sig[i]);
		else
			p += sprintf(p, "%c%s\n", op, d->digest[i]);
	}
	if (write_full(fd, buf, p - buf))
		ret = -errno;
	free(buf);
	return ret;
}

/* Whether entry @i of @d is its digest's first. */
static bool first_of(const struct dlist *d, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (!strcmp(d->digest[j], d->digest[i]))
			return false;
	return true;
}

/* After ENOENT: name the digests that are not listed (as many as remain). */
static void report_missing(const struct dlist *d)
{
	char *list = securityfs_read("digests");
	size_t named = 0;

	for (size_t i = 0; list && i < d->n; i++) {
		size_t need = 0, have = 0;
		const char *p;

		for (size_t j = 0; j < d->n; j++)
			need += !strcmp(d->digest[j], d->digest[i]);
		p = strstr(list, d->digest[i]);
		if (p)
			have = strtoul(p + PREFIX_LEN + HEX_LEN + 1, NULL, 10);
		/* Name each missing digest once, at its first occurrence. */
		if (need <= have || !first_of(d, i))
			continue;
		if (have)
			warnmsg("%s (%s): listed %zu times, removed %zu times",
				d->digest[i], d->from[i], have, need);
		else
			warnmsg("%s (%s): not on the list", d->digest[i], d->from[i]);
		named++;
	}
	if (!named)
		warnmsg("a digest to remove is not on the list");
	free(list);
}

static void report_full(void)
{
	char *max = securityfs_read_line("digests_max");
	char *stats = securityfs_read("stats");
	const char *n = stats ? strstr(stats, "\ndigests ") : NULL;

	warnmsg("the digest list is full: %ld entries listed, at most %s (raise %s/digests_max); nothing added",
		n ? strtol(n + strlen("\ndigests "), NULL, 10) : -1L,
		max ? max : "?", securityfs_dir());
	free(max);
	free(stats);
}

static void report_error(int err, char op, const struct dlist *d)
{
	switch (err) {
	case -EPERM:
	case -EACCES:
		warnmsg("changing the digest list needs CAP_MAC_ADMIN");
		break;
	case -ENOENT:
		if (d)
			report_missing(d);
		warnmsg("nothing removed");
		break;
	case -ENOSPC:
		report_full();
		break;
	case -EINVAL:
		warnmsg("the kernel refused the list of digests (see its log); nothing %s",
			op == '+' ? "added" : "removed");
		break;
	case -EKEYREJECTED:
		warnmsg("the kernel refused a signature: it does not verify against a key of the .execmark keyring (see its log); nothing added");
		break;
	default:
		warnmsg("%s the digest list: %s", op == '+' ? "adding to" : "removing from",
			strerror(-err));
	}
}

/* The end of the write that starts at line @from: at most WRITE_MAX bytes. */
static size_t chunk_end(const struct dlist *d, char op, size_t from)
{
	size_t to = from, bytes = 0;

	while (to < d->n && (to == from || bytes + line_len(d, to, op) <= WRITE_MAX))
		bytes += line_len(d, to++, op);
	return to;
}

/* Apply all of @d with @op. Return: an exit status. */
static int apply(const struct dlist *d, char op)
{
	size_t done = 0, *starts = NULL, nw = 0;
	int fd, ret = 0;

	if (!d->n)
		return EXIT_OK;
	fd = securityfs_open("digests", O_WRONLY);
	if (fd < 0) {
		report_error(fd, op, d);
		return EXIT_ERROR;
	}
	while (done < d->n && !ret) {
		size_t to = chunk_end(d, op, done);

		starts = xrealloc(starts, (nw + 1) * sizeof(*starts));
		starts[nw++] = done;
		ret = write_lines(fd, d, op, done, to);
		done = to;
	}
	if (ret) {
		report_error(ret, op, d);
		/* Undo the writes that were applied (all but the last), in reverse. */
		for (nw--; nw--; )
			if (write_lines(fd, d, op == '+' ? '-' : '+', starts[nw],
					starts[nw + 1]))
				warnmsg("could not undo: the list holds part of the change");
	}
	free(starts);
	if (close(fd) && !ret) {
		warnmsg("%s/digests: %s", securityfs_dir(), strerror(errno));
		ret = -errno;
	}
	return ret ? EXIT_ERROR : EXIT_OK;
}

static int cmp_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The list, one "sha256:HEX COUNT" (and " signed") per line, sorted. */
static int list(void)
{
	char *text = securityfs_read("digests"), **lines = NULL, *p;
	size_t n = 0, cap = 0;

	if (!text)
		return EXIT_ERROR;
	for (p = strtok(text, "\n"); p; p = strtok(NULL, "\n")) {
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			lines = xrealloc(lines, cap * sizeof(*lines));
		}
		lines[n++] = p;
	}
	qsort(lines, n, sizeof(*lines), cmp_lines);
	for (size_t i = 0; i < n; i++)
		printf("%s\n", lines[i]);
	free(lines);
	free(text);
	return EXIT_OK;
}

/* --digest: parsed and collected as the command line gives it. */
static const char *set_digest(void *ctx, int key, const char *arg)
{
	char digest[PREFIX_LEN + HEX_LEN + 1];
	const char *why = parse_digest(arg, strlen(arg), digest);

	(void)key;	/* the only option */
	if (!why)
		dlist_add(ctx, digest, "--digest");
	return why;
}

static int add_remove(int argc, char **argv, char op)
{
	static const struct verb_opt opts[] = {
		{ "digest", 'd', true },
		{ NULL, 0, false },
	};
	struct dlist d = { 0 }, *dl = &d;
	const struct verb_opts x = { opts, set_digest, &d };
	struct file_opts o;
	struct signer *signer = NULL;
	unsigned char *buf = NULL;
	bool from_stdin = false;
	int first, ret = EXIT_OK;

	/* --sign and --cert (together, or neither) for add only. */
	first = parse_file_opts_x(argc, argv, digests_usage, op == '+' ? "SC" : "",
				  false, &o, &x, &ret);
	if (first < 0)
		goto out;
	if (first == argc && !dl->n) {
		ret = usage_error(digests_usage, "digests %s: no FILE, - or --digest given",
				  argv[0]);
		goto out;
	}
	hash_init();
	for (int i = first; i < argc; i++) {
		if (!strcmp(argv[i], "-")) {
			if (from_stdin) {
				ret = usage_error(digests_usage, "digests %s: - given twice",
						  argv[0]);
				goto out;
			}
			from_stdin = true;
			if (digest_stdin(dl))
				ret = EXIT_ERROR;
			continue;
		}
		if (!buf)
			buf = xmalloc(HASH_BUF_SIZE);
		if (digest_file(argv[i], dl, buf))
			ret = EXIT_ERROR;
	}
	if (ret) {
		warnmsg("nothing %s", op == '+' ? "added" : "removed");
		goto out;
	}
	if (o.sign_key) {
		signer = signer_load(o.sign_key, o.cert);
		if (!signer || dlist_sign(dl, signer)) {
			warnmsg("nothing added");
			ret = EXIT_ERROR;
			goto out;
		}
	}
	if (!securityfs_active()) {
		ret = EXIT_ERROR;
		goto out;
	}
	ret = apply(dl, op);
	if (!ret && verbosity > 0)
		printf("%s %zu %sdigest%s\n", op == '+' ? "added" : "removed", dl->n,
		       signer ? "signed " : "", dl->n == 1 ? "" : "s");
out:
	signer_free(signer);
	free(buf);
	dlist_free(dl);
	return ret;
}

int cmd_digests(int argc, char **argv)
{
	char *e;
	int ret;

	if (argc < 2)
		return usage_error(digests_usage, "digests: list, add, remove or clear?");
	if (argv[1][0] == '-') {	/* --help, --version; else an error */
		if (parse_opts(argc, argv, digests_usage, NULL, 0, 0, &ret) < 0)
			return ret;
		return usage_error(digests_usage, "digests: list, add, remove or clear?");
	}
	if (!strcmp(argv[1], "add"))
		return add_remove(argc - 1, argv + 1, '+');
	if (!strcmp(argv[1], "remove"))
		return add_remove(argc - 1, argv + 1, '-');
	if (!strcmp(argv[1], "list") || !strcmp(argv[1], "clear")) {
		if (parse_opts(argc - 1, argv + 1, digests_usage, NULL, 0, 0, &ret) < 0)
			return ret;
		if (!securityfs_active())
			return EXIT_ERROR;
		if (!strcmp(argv[1], "list"))
			return list();
		ret = securityfs_write("digests", "clear\n");
		if (ret)
			report_error(ret, '-', NULL);
		return ret ? EXIT_ERROR : EXIT_OK;
	}
	e = esc(argv[1]);
	ret = usage_error(digests_usage, "digests: unknown command: %s", e);
	free(e);
	return ret;
}
