// SPDX-License-Identifier: GPL-2.0
/*
 * execmark helper: the one function that hashes a file.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "execmark.h"
#include "hash.h"
#include "util.h"

static const struct algo algos[] = {
	{ "sha256", HASH_ALGO_SHA256, EXECMARK_SHA256_SIZE },
	{ "sha384", HASH_ALGO_SHA384, EXECMARK_SHA384_SIZE },
	{ "sha512", HASH_ALGO_SHA512, EXECMARK_SHA512_SIZE },
};

static EVP_MD *mds[ARRAY_SIZE(algos)];
static _Atomic uint64_t bytes_done;
static unsigned int test_delay_ms;

const struct algo *algo_by_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(algos); i++)
		if (!strcmp(algos[i].name, name))
			return &algos[i];
	return NULL;
}

const struct algo *algo_by_id(unsigned int id)
{
	for (size_t i = 0; i < ARRAY_SIZE(algos); i++)
		if (algos[i].id == id)
			return &algos[i];
	return NULL;
}

const struct algo *algo_by_size(unsigned int size)
{
	for (size_t i = 0; i < ARRAY_SIZE(algos); i++)
		if (algos[i].size == size)
			return &algos[i];
	return NULL;
}

/* Fetch the digests once, before any worker thread starts. */
void hash_init(void)
{
	const char *delay = getenv("EXECMARK_TEST_HASH_DELAY_MS");

	for (size_t i = 0; i < ARRAY_SIZE(algos); i++) {
		mds[i] = EVP_MD_fetch(NULL, algos[i].name, NULL);
		if (!mds[i] ||
		    (unsigned int)EVP_MD_get_size(mds[i]) != algos[i].size)
			fatal("OpenSSL does not provide %s", algos[i].name);
	}
	/*
	 * A lease break is signalled with SIGIO, whose default action would
	 * end us; hash_file() asks F_GETLEASE instead.
	 */
	signal(SIGIO, SIG_IGN);
	if (delay && parse_uint(delay, 0, 60000, &test_delay_ms))
		fatal("EXECMARK_TEST_HASH_DELAY_MS: not a number of milliseconds: %s",
		      delay);
}

/* Bytes hashed so far by all threads, for the progress line. */
uint64_t hash_bytes_done(void)
{
	return atomic_load_explicit(&bytes_done, memory_order_relaxed);
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	       a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	       a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/*
 * hash_hold_still - make sure that the content of @fd holds still while it
 * is hashed: take a read lease. The kernel grants it only while nobody has
 * the file open for writing -- which includes a shared writable mapping,
 * whose writes change neither mtime nor ctime -- and while it is held, an
 * open for writing (or a truncate) first breaks it, which hash_file() sees
 * with F_GETLEASE; the writer waits until we close the file. The caller
 * must own the file or have CAP_LEASE; the file system must support leases.
 *
 * Return: 0, -EAGAIN if the file is open for writing (or mapped shared and
 * writable) now, or another -errno: it cannot be told.
 */
int hash_hold_still(int fd)
{
	if (fcntl(fd, F_SETLEASE, F_RDLCK))
		return -errno;
	/* Tests: a writer that comes before the first read breaks it too. */
	if (test_delay_ms)
		sleep_ms(test_delay_ms);
	return 0;
}

/* A lease of hash_hold_still() that was broken by a writer. */
static bool lease_broken(int fd, bool leased)
{
	return leased && fcntl(fd, F_GETLEASE) != F_RDLCK;
}

/*
 * hash_file - digest a regular file's entire content
 * @fd: the file, open for reading at offset 0
 * @a: the algorithm
 * @digest: receives a->size bytes
 * @buf: a HASH_BUF_SIZE scratch buffer owned by the calling thread
 * @leased: hash_hold_still() took a lease on @fd. A writer may already
 *	have broken it (F_GETLEASE then says F_UNLCK, as for no lease at
 *	all, and the writer waits for our close): the caller's word counts.
 *
 * Return: 0, HASH_CHANGED if the file's identity, size, mtime or ctime
 * changed while it was read (or it did not hold st_size bytes) or, if it
 * held a lease of hash_hold_still(), a writer broke it; or -errno.
 */
int hash_file(int fd, const struct algo *a, unsigned char *digest,
	      unsigned char *buf, bool leased)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint64_t total = 0;
	struct stat before, after;
	unsigned int len;
	int ret = -EIO;

	if (!ctx)
		return -ENOMEM;
	if (fstat(fd, &before)) {
		ret = -errno;
		goto out;
	}
	if (lease_broken(fd, leased)) {
		ret = HASH_CHANGED;
		goto out;
	}
	if (!EVP_DigestInit_ex(ctx, mds[a - algos], NULL))
		goto out;
	for (;;) {
		ssize_t n = read(fd, buf, HASH_BUF_SIZE);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto out;
		}
		if (n == 0)
			break;
		if (!EVP_DigestUpdate(ctx, buf, n))
			goto out;
		total += n;
		if (total > (uint64_t)before.st_size ||	/* it grows */
		    lease_broken(fd, leased)) {	/* let the writer in soon */
			ret = HASH_CHANGED;
			goto out;
		}
		atomic_fetch_add_explicit(&bytes_done, n, memory_order_relaxed);
		if (test_delay_ms)
			sleep_ms(test_delay_ms);
	}
	if (!EVP_DigestFinal_ex(ctx, digest, &len) || len != a->size)
		goto out;
	if (fstat(fd, &after)) {
		ret = -errno;
		goto out;
	}
	ret = 0;
	if (!same_file(&before, &after) || total != (uint64_t)after.st_size ||
	    lease_broken(fd, leased))
		ret = HASH_CHANGED;
out:
	EVP_MD_CTX_free(ctx);
	return ret;
}
