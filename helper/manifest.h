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

/* What a manifest line says: the digest that its file must have. */
struct manifest_entry {
	const struct algo *algo;
	unsigned char digest[EXECMARK_MAX_DIGEST];
};

char *manifest_parse_line(char *line, size_t len, struct manifest_entry *e);
void manifest_write_line(FILE *f, const struct algo *a,
			 const unsigned char *digest, const char *path);

#endif /* EXECMARK_MANIFEST_H */
