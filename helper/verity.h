/* SPDX-License-Identifier: GPL-2.0 */
/*
 * execmark helper: fs-verity, for marks of EXECMARK_KIND_VERITY (verity.c):
 * enabling it on a file, measuring a file's fs-verity digest, and computing
 * the same digest offline with libfsverity.
 */
#ifndef EXECMARK_VERITY_H
#define EXECMARK_VERITY_H

#include <stdbool.h>

#include "hash.h"

const struct algo *verity_algo_by_name(const char *name);
const struct algo *verity_algo_by_id(unsigned int id);
int verity_measure(int fd, const struct algo **a, unsigned char *digest);
int verity_enable(int fd, const struct algo *a);
bool verity_statx(int fd);
int verity_compute(int fd, const struct algo *a, unsigned char *digest);
void verity_warn(const char *path, int err, const char *what);

#endif /* EXECMARK_VERITY_H */
