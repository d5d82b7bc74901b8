/* SPDX-License-Identifier: GPL-2.0 */
/*
 * execmark helper: one line of a manifest, read by manifest apply and
 * written by manifest export (manifest.c); the fuzz harness uses both.
 */
#ifndef EXECMARK_MANIFEST_H
#define EXECMARK_MANIFEST_H

#include <stddef.h>
#include <stdio.h>

#include "execmark.h"
#include "hash.h"
#include "xattr.h"

/* The start of a line that holds a whole mark (format version 2). */
#define MANIFEST_MARK_PREFIX	"mark:"

/*
 * What a manifest line says: the mark its file gets if the file's digest
 * is the one the mark holds.
 */
struct manifest_entry {
	const struct algo *algo;	/* a sha256sum line's; NULL for mark: */
	unsigned char digest[EXECMARK_MAX_DIGEST];	/* a sha256sum line's */
	struct mark mark;		/* the mark the line sets */
	const char *why;		/* why a mark: line is malformed */
};

char *manifest_parse_line(char *line, size_t len, struct manifest_entry *e);
void manifest_write_line(FILE *f, const struct algo *a,
			 const unsigned char *digest, const char *path);
void manifest_write_mark_line(FILE *f, const struct mark *m, const char *path);

#endif /* EXECMARK_MANIFEST_H */
