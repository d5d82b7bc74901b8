/* SPDX-License-Identifier: GPL-2.0 */
/*
 * execmark helper: the one place that reads, writes and removes a file's
 * mark, security.execmark (xattr.c).
 */
#ifndef EXECMARK_XATTR_H
#define EXECMARK_XATTR_H

#include <stdbool.h>

#include "execmark.h"
#include "hash.h"

#include <stddef.h>

enum mark_state {
	MARK_NONE,		/* no security.execmark */
	MARK_CORRUPT,		/* a value execmark_mark_parse() rejects */
	MARK_VALID,
};

/*
 * A mark of either version: its value and, if valid, its parse by
 * execmark_mark_parse(), whose pointers point into @value (so a struct
 * mark must not be copied by assignment; mark_copy() does it).
 */
struct mark {
	struct execmark_parsed p;
	size_t len;
	unsigned char value[EXECMARK_V2_MAX_SIZE];
};

int mark_read(int fd, struct mark *m, enum mark_state *state);
int mark_parse(struct mark *m, const void *value, size_t len);
void mark_copy(struct mark *dst, const struct mark *src);
int mark_make(struct mark *m, unsigned int version, unsigned int kind,
	      unsigned int algo, const unsigned char *digest,
	      const unsigned char *sig, size_t sig_len);
int mark_write(int fd, const struct mark *m, bool *already);
const char *mark_kind_name(unsigned int kind);
const struct algo *mark_algo(const struct execmark_parsed *p);
int mark_remove(int fd);
void mark_warn(const char *path, int err, const char *action);

#endif /* EXECMARK_XATTR_H */
