/* SPDX-License-Identifier: GPL-2.0 */
/*
 * execmark helper: the digest algorithms of a mark and the one function
 * that hashes a file (hash.c).
 */
#ifndef EXECMARK_HASH_H
#define EXECMARK_HASH_H

#include <stdbool.h>
#include <stdint.h>

struct algo {
	const char *name;	/* "sha256" */
	unsigned int id;	/* enum hash_algo: HASH_ALGO_SHA* */
	unsigned int size;	/* digest size in bytes */
};

#define HASH_BUF_SIZE	(1u << 20)

const struct algo *algo_by_name(const char *name);
const struct algo *algo_by_id(unsigned int id);
const struct algo *algo_by_size(unsigned int size);
void hash_init(void);
uint64_t hash_bytes_done(void);
int hash_file(int fd, const struct algo *a, unsigned char *digest,
	      unsigned char *buf, bool leased);
int hash_hold_still(int fd);

/* Return values of hash_file() besides 0 and -errno. */
#define HASH_CHANGED	1	/* content or identity changed while hashing */

#endif /* EXECMARK_HASH_H */
