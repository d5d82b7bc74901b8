/* SPDX-License-Identifier: GPL-2.0 */
/*
 * execmark helper: the files of execmark's securityfs directory
 * (securityfs.c).
 */
#ifndef EXECMARK_SECURITYFS_H
#define EXECMARK_SECURITYFS_H

#include <stdbool.h>

const char *securityfs_dir(void);
char *securityfs_path(const char *name);
bool securityfs_active(void);
int securityfs_open(const char *name, int flags);
char *securityfs_read(const char *name);
char *securityfs_read_line(const char *name);
int securityfs_write(const char *name, const char *value);

#endif /* EXECMARK_SECURITYFS_H */
