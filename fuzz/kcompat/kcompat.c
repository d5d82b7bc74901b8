// SPDX-License-Identifier: GPL-2.0
/* The state of kcompat.h, and its functions. */
#include "kcompat.h"

int kc_fail_allocs;
int kc_fail_nth;
int kc_locks_held;
unsigned long kc_wakeups;
int kc_rcu_depth;
int kc_preempt_depth;
u32 kc_random = 0x9e3779b9;
struct task_struct kc_task;
struct user_namespace init_user_ns;
char kc_last_msg[512];
unsigned long kc_msgs;

struct kmem_cache *kc_cache_create(size_t size)
{
	struct kmem_cache *c = malloc(sizeof(*c));

	if (c)
		c->size = size;
	return c;
}

/* Append @n bytes of @s at *@len of @buf (of @size), as vsnprintf() counts. */
static void put(char *buf, size_t size, size_t *len, const char *s, size_t n)
{
	if (*len < size) {
		size_t room = size - 1 - *len;

		memcpy(buf + *len, s, n < room ? n : room);
	}
	*len += n;
}

int kc_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	size_t len = 0;

	while (*fmt) {
		char spec[32], tmp[128];
		size_t k = 0;
		int width = -1, prec = -1, lng = 0, n = 0;

		if (*fmt != '%') {
			put(buf, size, &len, fmt++, 1);
			continue;
		}
		spec[k++] = *fmt++;
		if (*fmt == '%') {
			put(buf, size, &len, fmt++, 1);
			continue;
		}
		while (*fmt && strchr("-0+ #", *fmt) && k < 8)
			spec[k++] = *fmt++;
		if (*fmt == '*') {
			width = va_arg(ap, int);
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9')
				width = (width < 0 ? 0 : width * 10) + (*fmt++ - '0');
		}
		if (*fmt == '.') {
			fmt++;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
			} else {
				prec = 0;
				while (*fmt >= '0' && *fmt <= '9')
					prec = prec * 10 + (*fmt++ - '0');
			}
		}
		if (*fmt == 'p' && fmt[1] == 'h') {
			/* %*ph: a buffer in hex; N: no separator, C: ':', D: '-' */
			const u8 *p = va_arg(ap, const void *);
			char sep = fmt[2] == 'N' ? 0 : fmt[2] == 'C' ? ':' :
				   fmt[2] == 'D' ? '-' : ' ';

			fmt += strchr("NCD", fmt[2]) && fmt[2] ? 3 : 2;
			for (int i = 0; i < (width < 0 ? 1 : width); i++) {
				char h[2] = { "0123456789abcdef"[p[i] >> 4],
					      "0123456789abcdef"[p[i] & 15] };

				if (i && sep)
					put(buf, size, &len, &sep, 1);
				put(buf, size, &len, h, 2);
			}
			continue;
		}
		if (width >= 0)
			k += snprintf(spec + k, sizeof(spec) - k, "%d", width);
		if (prec >= 0)
			k += snprintf(spec + k, sizeof(spec) - k, ".%d", prec);
		while (*fmt == 'l' || *fmt == 'z' || *fmt == 'h') {
			lng = *fmt == 'z' ? 3 : *fmt == 'l' ? lng + 1 : lng;
			spec[k++] = *fmt++;
		}
		spec[k++] = *fmt;
		spec[k] = 0;
		switch (*fmt) {
		case 'd':
		case 'i':
			if (lng == 3)
				n = snprintf(tmp, sizeof(tmp), spec, va_arg(ap, ssize_t));
			else if (lng == 2)
				n = snprintf(tmp, sizeof(tmp), spec, va_arg(ap, long long));
			else if (lng == 1)
				n = snprintf(tmp, sizeof(tmp), spec, va_arg(ap, long));
			else
				n = snprintf(tmp, sizeof(tmp), spec, va_arg(ap, int));
			break;
		case 'u':
		case 'x':
		case 'X':
			if (lng == 3)
				n = snprintf(tmp, sizeof(tmp), spec, va_arg(ap, size_t));
			else if (lng == 2)
				n = snprintf(tmp, sizeof(tmp), spec,
					     va_arg(ap, unsigned long long));
			else if (lng == 1)
				n = snprintf(tmp, sizeof(tmp), spec, va_arg(ap, unsigned long));
			else
				n = snprintf(tmp, sizeof(tmp), spec, va_arg(ap, unsigned int));
			break;
		case 'c':
			n = snprintf(tmp, sizeof(tmp), spec, va_arg(ap, int));
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			size_t sl = strlen(s ? s : "(null)");

			if (prec >= 0 && (size_t)prec < sl)
				sl = prec;
			put(buf, size, &len, s ? s : "(null)", sl);
			fmt++;
			continue;
		}
		default:
			fprintf(stderr, "kcompat: unknown conversion %s\n", spec);
			abort();
		}
		fmt++;
		if (n > 0)
			put(buf, size, &len, tmp, (size_t)n < sizeof(tmp) ? (size_t)n :
			    sizeof(tmp) - 1);
	}
	if (size)
		buf[len < size ? len : size - 1] = 0;
	return (int)len;
}

int kc_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kc_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void kc_printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kc_vsnprintf(kc_last_msg, sizeof(kc_last_msg), fmt, ap);
	va_end(ap);
	kc_msgs++;
	if (getenv("KCOMPAT_PRINTK"))
		fprintf(stderr, "printk: %s", kc_last_msg);
}

void seq_printf(struct seq_file *m, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kc_vsnprintf(m->buf + m->count, m->size - m->count, fmt, ap);
	va_end(ap);
	/* As seq_file: output that does not fit overflows the buffer. */
	m->count = (size_t)n < m->size - m->count ? m->count + n : m->size;
}

/* The harness calls no file operation: these only fill the tables. */
static void kc_unused(const char *what)
{
	fprintf(stderr, "kcompat: %s is not implemented\n", what);
	abort();
}

bool file_ns_capable(const struct file *file, struct user_namespace *ns, int cap)
{
	(void)file;
	(void)ns;
	(void)cap;
	kc_unused("file_ns_capable()");
	return false;
}

void *vmemdup_user(const void __user *src, size_t len)
{
	(void)src;
	(void)len;
	kc_unused("vmemdup_user()");
	return NULL;
}

ssize_t simple_read_from_buffer(void __user *to, size_t count, loff_t *ppos,
				const void *from, size_t available)
{
	(void)to;
	(void)count;
	(void)ppos;
	(void)from;
	(void)available;
	kc_unused("simple_read_from_buffer()");
	return -EINVAL;
}

int kstrtouint(const char *s, unsigned int base, unsigned int *res)
{
	(void)s;
	(void)base;
	(void)res;
	kc_unused("kstrtouint()");
	return -EINVAL;
}

int kstrtouint_from_user(const char __user *s, size_t count, unsigned int base,
			 unsigned int *res)
{
	(void)s;
	(void)count;
	(void)base;
	(void)res;
	kc_unused("kstrtouint_from_user()");
	return -EINVAL;
}

loff_t generic_file_llseek(struct file *file, loff_t offset, int whence)
{
	(void)file;
	(void)offset;
	(void)whence;
	kc_unused("generic_file_llseek()");
	return -EINVAL;
}

void *__seq_open_private(struct file *f, const struct seq_operations *ops,
			 int psize)
{
	(void)f;
	(void)ops;
	(void)psize;
	kc_unused("__seq_open_private()");
	return NULL;
}

ssize_t seq_read(struct file *file, char __user *buf, size_t len, loff_t *ppos)
{
	(void)file;
	(void)buf;
	(void)len;
	(void)ppos;
	kc_unused("seq_read()");
	return -EINVAL;
}

loff_t seq_lseek(struct file *file, loff_t offset, int whence)
{
	(void)file;
	(void)offset;
	(void)whence;
	kc_unused("seq_lseek()");
	return -EINVAL;
}

int seq_release_private(struct inode *inode, struct file *file)
{
	(void)inode;
	(void)file;
	kc_unused("seq_release_private()");
	return -EINVAL;
}
