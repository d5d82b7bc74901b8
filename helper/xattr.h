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

enum mark_state {
	MARK_NONE,		/* no security.execmark */
	MARK_CORRUPT,		/* a value execmark_mark_valid() rejects */
	MARK_VALID,
};

int mark_read(int fd, struct execmark_mark *m, enum mark_state *state);
int mark_write(int fd, const struct algo *a, const unsigned char *digest,
	       bool *already);
int mark_remove(int fd);
void mark_warn(const char *path, int err, const char *action);

#endif /* EXECMARK_XATTR_H */
