/* SPDX-License-Identifier: GPL-2.0 */
/*
 * execmark helper: messages, allocation, escaping and small I/O helpers
 * (util.c), and the exit statuses every subcommand shares.
 */
#ifndef EXECMARK_UTIL_H
#define EXECMARK_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit statuses, the same for every subcommand (see execmark(8)). */
#define EXIT_OK		0	/* everything done and everything ok */
#define EXIT_NOTOK	1	/* verify: not ok; mark/apply: changed, mismatch */
#define EXIT_ERROR	2	/* bad usage, I/O or permission errors */

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

extern const char *progname;
/* -q (-1), default (0), -v (1): set by the option parser (opts.c). */
extern int verbosity;
void msg_to_syslog(void);
void warnmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vwarnmsg(int prio, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
void infomsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void verbosemsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warn_path(const char *path, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
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
/* The value of one hexadecimal digit, either case; -1 if C is none. */
int hexval(char c);
const char *plural(unsigned long n, const char *one, const char *many);
void human_size(char *buf, size_t len, double bytes);
uint64_t now_ns(void);
uint64_t realtime_ns(void);	/* CLOCK_REALTIME */
void sleep_ms(unsigned int ms);
int write_full(int fd, const void *buf, size_t len);
int parse_uint(const char *s, unsigned int min, unsigned int max,
	       unsigned int *out);

/* Progress line on standard error; only drawn on a terminal. */
bool progress_enabled(void);
void progress_show(const char *line);
void progress_clear(void);

#endif /* EXECMARK_UTIL_H */
