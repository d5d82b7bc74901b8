// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz harness "manifest": the line parser of manifest apply
 * (manifest_parse_line(), helper/manifest.c) and the line writer of
 * manifest export (manifest_write_line()).
 *
 * The input is a manifest; it is cut into lines as manifest apply cuts
 * them (getline(), the newline removed, empty lines ignored), each line in
 * a buffer of its own exact size. Properties:
 *
 * - the parser agrees with spec_parse(), this file's reading of the format
 *   that Documentation/helper.rst gives (what sha256sum -c reads: sha256sum,
 *   sha384sum and sha512sum lines; hex in either case; "  ", " *" or one
 *   space; the BSD "SHA256 (NAME) = HEX" of --tag; a carriage return at
 *   the end ignored; a name escaped the coreutils way when the line starts
 *   with a backslash; anything else malformed);
 *   and the mark lines of format version 2, "mark:HEXMARK" then a name as
 *   above, HEXMARK an even number of hex digits whose bytes
 *   execmark_mark_parse() accepts);
 * - the mark the parser says the line sets is the line's mark, or for a
 *   sha256sum line the version 1 mark of its digest;
 * - what export writes for a parsed line is one line, and it parses back to
 *   the same algorithm, digest, mark and name.
 */
#include <string.h>

#include "fuzz.h"
#include "manifest.h"
#include "util.h"

/* @line[@from, @to) unescaped into @name when @escaped: false if malformed. */
static bool spec_unescape(const char *line, size_t from, size_t to, bool escaped,
		      char *name, size_t *namelen)
{
	*namelen = 0;
	for (size_t i = from; i < to; i++) {
		char c = line[i];

		if (escaped && c == '\\') {
			if (++i == to)
				return false;
			if (line[i] == '\\')
				c = '\\';
			else if (line[i] == 'n')
				c = '\n';
			else if (line[i] == 'r')
				c = '\r';
			else
				return false;
		}
		name[(*namelen)++] = c;
	}
	return *namelen > 0;
}

/*
 * The format as documented: the size of the digest, 0 if malformed. A
 * carriage return ending the line is no part of it; then either
 * "HEX" + " " + optional ' ' or '*' + NAME, or "SHA<bits> (" + NAME +
 * ") = " + HEX where HEX is the rest of the line and has bits/4 digits.
 */
static size_t spec_parse(const char *line, size_t len, unsigned char *digest,
			 char *name, size_t *namelen, unsigned char *mark,
			 size_t *marklen)
{
	size_t i, n = 0, dsize, from, to;
	struct execmark_parsed p;
	bool escaped;

	*marklen = 0;
	if (memchr(line, '\0', len))
		return 0;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	escaped = len > 0 && line[0] == '\\';
	i = escaped;
	if (len - i >= 5 && !memcmp(line + i, "mark:", 5)) {
		i += 5;
		while (i + n < len && fuzz_hexval(line[i + n]) >= 0)
			n++;
		if (!n || n % 2 || n / 2 > EXECMARK_V2_MAX_SIZE)
			return 0;
		for (size_t k = 0; k < n / 2; k++)
			mark[k] = fuzz_hexval(line[i + 2 * k]) << 4 |
				  fuzz_hexval(line[i + 2 * k + 1]);
		if (execmark_mark_parse(mark, n / 2, &p))
			return 0;
		i += n;
		if (i == len || line[i] != ' ')
			return 0;
		i++;
		if (i < len && (line[i] == ' ' || line[i] == '*'))
			i++;
		if (!spec_unescape(line, i, len, escaped, name, namelen))
			return 0;
		*marklen = n / 2;
		return p.dsize;
	}
	if (len - i > 8 && !memcmp(line + i, "SHA", 3) && line[i + 6] == ' ' &&
	    line[i + 7] == '(') {
		/* BSD: the digest is the tail of the line. */
		if (!memcmp(line + i + 3, "256", 3))
			dsize = 32;
		else if (!memcmp(line + i + 3, "384", 3))
			dsize = 48;
		else if (!memcmp(line + i + 3, "512", 3))
			dsize = 64;
		else
			return 0;
		from = i + 8;
		if (len < from + 4 + 2 * dsize)
			return 0;
		to = len - 2 * dsize - 4;
		if (line[to] != ')' || line[to + 1] != ' ' || line[to + 2] != '=' ||
		    line[to + 3] != ' ')
			return 0;
		for (size_t k = to + 4; k < len; k++)
			if (fuzz_hexval(line[k]) < 0)
				return 0;
		for (size_t k = 0; k < dsize; k++)
			digest[k] = fuzz_hexval(line[to + 4 + 2 * k]) << 4 |
				    fuzz_hexval(line[to + 5 + 2 * k]);
		return spec_unescape(line, from, to, escaped, name, namelen) ? dsize : 0;
	}
	while (i + n < len && fuzz_hexval(line[i + n]) >= 0)
		n++;
	if (n != 64 && n != 96 && n != 128)
		return 0;
	dsize = n / 2;
	for (size_t k = 0; k < dsize; k++)
		digest[k] = fuzz_hexval(line[i + 2 * k]) << 4 | fuzz_hexval(line[i + 2 * k + 1]);
	i += n;
	if (i == len || line[i] != ' ')
		return 0;
	i++;
	if (i < len && (line[i] == ' ' || line[i] == '*'))
		i++;
	return spec_unescape(line, i, len, escaped, name, namelen) ? dsize : 0;
}

static void check_line(const char *data, size_t len)
{
	char *line = malloc(len + 1), *spec_name = malloc(len + 1), *name, *out = NULL;
	static unsigned char spec_mark[EXECMARK_V2_MAX_SIZE];
	static struct manifest_entry e, back;
	unsigned char spec_digest[EXECMARK_MAX_DIGEST];
	size_t spec_size, spec_namelen = 0, outlen = 0, spec_marklen;
	FILE *f;

	memcpy(line, data, len);
	line[len] = '\0';
	spec_size = spec_parse(line, len, spec_digest, spec_name, &spec_namelen,
			       spec_mark, &spec_marklen);
	name = manifest_parse_line(line, len, &e);
	fuzz_assert(!name == !spec_size, "the parser %s a line the format %s",
		    name ? "accepts" : "refuses", spec_size ? "allows" : "forbids");
	if (!name)
		goto out;
	fuzz_assert(name > line && name < line + len, "name outside the line");
	if (spec_marklen) {
		fuzz_assert(!e.algo && e.mark.len == spec_marklen &&
			    !memcmp(e.mark.value, spec_mark, spec_marklen),
			    "wrong mark");
	} else {
		fuzz_assert(e.algo && e.algo->size == spec_size, "wrong algorithm");
		fuzz_assert(!memcmp(e.digest, spec_digest, spec_size), "wrong digest");
		fuzz_assert(e.mark.len == EXECMARK_HDR_SIZE + spec_size &&
			    e.mark.p.version == EXECMARK_FORMAT_V1 &&
			    e.mark.p.algo == e.algo->id &&
			    !memcmp(e.mark.p.digest, spec_digest, spec_size),
			    "wrong mark for a sha256sum line");
	}
	fuzz_assert(strlen(name) == spec_namelen && !memcmp(name, spec_name, spec_namelen),
		    "wrong name");

	/* What export writes for it reads back the same. */
	f = open_memstream(&out, &outlen);
	fuzz_assert(f, "open_memstream");
	if (e.algo)
		manifest_write_line(f, e.algo, e.digest, name);
	else
		manifest_write_mark_line(f, &e.mark, name);
	fuzz_assert(!fclose(f), "fclose");
	fuzz_assert(outlen > 0 && out[outlen - 1] == '\n' &&
		    memchr(out, '\n', outlen) == out + outlen - 1,
		    "export wrote not exactly one line");
	out[--outlen] = '\0';
	free(spec_name);
	spec_name = xstrdup(name);
	name = manifest_parse_line(out, outlen, &back);
	fuzz_assert(name, "export wrote a line that apply refuses: %s", out);
	fuzz_assert(back.algo == e.algo &&
		    (!e.algo || !memcmp(back.digest, e.digest, e.algo->size)) &&
		    back.mark.len == e.mark.len &&
		    !memcmp(back.mark.value, e.mark.value, e.mark.len) &&
		    !strcmp(name, spec_name), "export and apply do not round-trip");
out:
	free(out);
	free(spec_name);
	free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;

	/* As getline() in manifest_apply(): lines end at '\n'. */
	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		size_t len = (nl ? nl : end) - p;

		if (len)
			check_line(p, len);
		p += len + 1;
	}
	return 0;
}
