/* SPDX-License-Identifier: GPL-2.0 */
/*
 * execmark helper: shared declarations.
 */
#ifndef EXECMARK_UTIL_H
#define EXECMARK_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "execmark.h"

/* Exit statuses, the same for every subcommand (see execmark(8)). */
#define EXIT_OK		0	/* everything done and everything ok */
#define EXIT_NOTOK	1	/* verify: not ok; mark/apply: changed, mismatch */
#define EXIT_ERROR	2	/* bad usage, I/O or permission errors */

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* util.c */
extern const char *progname;
void msg_to_syslog(void);
void warnmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vwarnmsg(int prio, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
void infomsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *path_join(const char *dir, const char *name);
char *esc(const char *s);
void hex_encode(char *out, const unsigned char *in, size_t len);
int hex_decode(unsigned char *out, const char *in, size_t hexlen);
void human_size(char *buf, size_t len, double bytes);
uint64_t now_ns(void);
void sleep_ms(unsigned int ms);
int write_full(int fd, const void *buf, size_t len);
int parse_uint(const char *s, unsigned int min, unsigned int max,
	       unsigned int *out);
int usage_error(const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int print_usage(const char *usage);

/* Progress line on standard error (util.c); only drawn on a terminal. */
bool progress_enabled(void);
void progress_show(const char *line);
void progress_clear(void);

/* hash.c */
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
	      unsigned char *buf);

/* Return values of hash_file() besides 0 and -errno. */
#define HASH_CHANGED	1	/* content or identity changed while hashing */

/* mark.c: the one place that reads, writes and removes a mark. */
enum mark_state {
	MARK_NONE,		/* no security.execmark */
	MARK_CORRUPT,		/* a value execmark_mark_valid() rejects */
	MARK_VALID,
};
int mark_read(int fd, struct execmark_mark *m, enum mark_state *state);
int mark_write(int fd, const struct algo *a, const unsigned char *digest,
	       bool *already);
void report_xattr_error(const char *path, int err, const char *action);

#endif /* EXECMARK_UTIL_H */
