// SPDX-License-Identifier: GPL-2.0
/*
 * execmark helper: messages, allocation, escaping and small I/O helpers.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

const char *progname = "execmark";
int verbosity;

static bool use_syslog;
static int progress_tty = -1;	/* -1: not decided yet */
static bool progress_shown;

void msg_to_syslog(void)
{
	openlog(progname, LOG_PID, LOG_DAEMON);
	use_syslog = true;
}

bool progress_enabled(void)
{
	if (progress_tty < 0)
		progress_tty = isatty(STDERR_FILENO);
	return progress_tty;
}

void progress_show(const char *line)
{
	fprintf(stderr, "\r\033[K%s", line);
	fflush(stderr);
	progress_shown = true;
}

void progress_clear(void)
{
	if (!progress_shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	progress_shown = false;
}

void vwarnmsg(int prio, const char *fmt, va_list ap)
{
	char *s;

	if (use_syslog) {
		vsyslog(prio, fmt, ap);
		return;
	}
	if (vasprintf(&s, fmt, ap) < 0) {
		fputs("execmark: out of memory\n", stderr);
		return;
	}
	progress_clear();
	fprintf(stderr, "%s: %s\n", progname, s);
	free(s);
}

void warnmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnmsg(LOG_ERR, fmt, ap);
	va_end(ap);
}

/* A notice: not with -q. */
void infomsg(const char *fmt, ...)
{
	va_list ap;

	if (verbosity < 0)
		return;
	va_start(ap, fmt);
	vwarnmsg(LOG_NOTICE, fmt, ap);
	va_end(ap);
}

/* A detail: only with -v. */
void verbosemsg(const char *fmt, ...)
{
	va_list ap;

	if (verbosity <= 0)
		return;
	va_start(ap, fmt);
	vwarnmsg(LOG_INFO, fmt, ap);
	va_end(ap);
}

static char *xvasprintf(const char *fmt, va_list ap)
	__attribute__((format(printf, 1, 0)));

/* "PATH: message", the path escaped by esc(). */
void warn_path(const char *path, const char *fmt, ...)
{
	char *e = esc(path), *s;
	va_list ap;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	warnmsg("%s: %s", e, s);
	free(s);
	free(e);
}

_Noreturn void fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnmsg(LOG_ERR, fmt, ap);
	va_end(ap);
	exit(EXIT_ERROR);
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		fatal("out of memory");
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		fatal("out of memory");
	return p;
}

void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (!p)
		fatal("out of memory");
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		fatal("out of memory");
	return p;
}

static char *xvasprintf(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		fatal("out of memory");
	return s;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

char *path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir);

	if (n && dir[n - 1] == '/')
		return xasprintf("%s%s", dir, name);
	return xasprintf("%s/%s", dir, name);
}

/*
 * Escape a path for a line of output: printable ASCII other than the
 * backslash stays as it is, a backslash becomes "\\" and every other byte
 * (control characters, DEL, bytes >= 0x80) becomes "\xHH". The result is
 * unambiguous and always one line. The caller frees it.
 */
char *esc(const char *s)
{
	static const char hex[] = "0123456789abcdef";
	char *out = xmalloc(4 * strlen(s) + 1), *o = out;

	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '\\') {
			*o++ = '\\';
			*o++ = '\\';
		} else if (c >= 0x20 && c < 0x7f) {
			*o++ = c;
		} else {
			*o++ = '\\';
			*o++ = 'x';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	*o = '\0';
	return out;
}

void hex_encode(char *out, const unsigned char *in, size_t len)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		*out++ = hex[in[i] >> 4];
		*out++ = hex[in[i] & 15];
	}
	*out = '\0';
}

int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode @hexlen hex digits (even) into @out; -1 on a non-hex digit. */
int hex_decode(unsigned char *out, const char *in, size_t hexlen)
{
	for (size_t i = 0; i < hexlen; i += 2) {
		int hi = hexval(in[i]), lo = hexval(in[i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i / 2] = hi << 4 | lo;
	}
	return 0;
}

/* @one or @many, as @n says: "1 file", "2 files", "0 files". */
const char *plural(unsigned long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

void human_size(char *buf, size_t len, double bytes)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned int i = 0;

	while (bytes >= 1024 && i + 1 < ARRAY_SIZE(unit)) {
		bytes /= 1024;
		i++;
	}
	if (i == 0)
		snprintf(buf, len, "%.0f B", bytes);
	else
		snprintf(buf, len, "%.1f %s", bytes, unit[i]);
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int write_full(int fd, const void *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf = (const char *)buf + n;
		len -= n;
	}
	return 0;
}

int parse_uint(const char *s, unsigned int min, unsigned int max,
	       unsigned int *out)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}
