// SPDX-License-Identifier: GPL-2.0-only
/*
 * execmark: denial events and the securityfs events file.
 *
 * Each denial becomes one line of text in a bounded ring (ring.c), read by
 * one reader through securityfs (the execmark helper forwards them to
 * audit). A denied process never waits for the reader. While no reader is
 * attached, denials are also written to the kernel log, ratelimited. This
 * file owns the names that the lines carry.
 */

#define pr_fmt(fmt) "execmark: " fmt

#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hex.h>
#include <linux/kdev_t.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "execmark.h"
#include "ring.h"

#define XM_RING_SLOTS	4096
#define XM_RING_BYTES	SZ_1M

/* An event line: the fields, and two paths encoded as hex at worst. */
#define XM_LINE_MAX	(2 * PATH_MAX * 2 + 256)

static struct xm_ring ring;
static unsigned long reader_busy;

static const char *const op_names[] = {
	[XM_OP_EXEC] = "exec",
	[XM_OP_CHECK] = "check",
	[XM_OP_MMAP] = "mmap",
	[XM_OP_MPROTECT] = "mprotect",
};

static const char *const verdict_names[] = {
	[XM_NONE] = "none",
	[XM_TRUSTED] = "trusted",
	[XM_UNMARKED] = "unmarked",
	[XM_CORRUPT] = "corrupt",
	[XM_MISMATCH] = "mismatch",
	[XM_UNVERIFIABLE] = "unverifiable",
	[XM_ERROR] = "error",
};

static const char *name_of(const char *const *names, int n, int i)
{
	return i >= 0 && i < n ? names[i] : "invalid";
}

#define op_name(op)	name_of(op_names, ARRAY_SIZE(op_names), (op))
#define verdict_name(v)	name_of(verdict_names, ARRAY_SIZE(verdict_names), (v))

/**
 * encode_untrusted - encode a string as audit encodes untrusted strings
 * @buf: output
 * @size: its size; the output is NUL-terminated
 * @s: the string
 * @len: its length
 *
 * In double quotes when it has only printable characters other than '"'
 * and space, otherwise as uppercase hex without quotes.
 *
 * Return: the length written, without the NUL.
 */
static size_t encode_untrusted(char *buf, size_t size, const char *s, size_t len)
{
	size_t i, n = 0;
	bool plain = true;

	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c == '"' || c < 0x21 || c > 0x7e) {
			plain = false;
			break;
		}
	}
	if (plain)
		return scnprintf(buf, size, "\"%.*s\"", (int)len, s);
	if (!size)
		return 0;
	for (i = 0; i < len && n + 2 < size; i++) {
		buf[n++] = hex_asc_upper_hi(s[i]);
		buf[n++] = hex_asc_upper_lo(s[i]);
	}
	buf[n] = '\0';
	return n;
}

static size_t encode_path(char *out, size_t size, const struct path *path,
			  char *tmp)
{
	char *p = d_path(path, tmp, PATH_MAX);

	if (IS_ERR(p))
		return scnprintf(out, size, "?");
	return encode_untrusted(out, size, p, strlen(p));
}

/**
 * execmark_report - report a denial
 * @file: the file of the access
 * @op: the access, enum execmark_op
 * @mode: the mode it was judged in
 * @verdict: the reason
 */
void execmark_report(struct file *file, int op, int mode, int verdict)
{
	struct inode *inode = file_inode(file);
	char comm[TASK_COMM_LEN];
	struct file *exe;
	struct xm_event *ev = NULL;
	char *line, *tmp;
	size_t n;

	line = kmalloc(XM_LINE_MAX, GFP_KERNEL | __GFP_NOWARN);
	tmp = kmalloc(PATH_MAX, GFP_KERNEL | __GFP_NOWARN);
	if (!line || !tmp)
		goto out;

	n = scnprintf(line, XM_LINE_MAX,
		      "op=%s mode=%s reason=%s pid=%d uid=%u auid=%u ses=%u comm=",
		      op_name(op), execmark_mode_name(mode),
		      verdict_name(verdict), task_tgid_nr(current),
		      from_kuid(&init_user_ns, current_uid()),
		      from_kuid(&init_user_ns, audit_get_loginuid(current)),
		      audit_get_sessionid(current));
	get_task_comm(comm, current);
	n += encode_untrusted(line + n, XM_LINE_MAX - n, comm, strlen(comm));
	n += scnprintf(line + n, XM_LINE_MAX - n, " exe=");
	exe = current->mm ? get_mm_exe_file(current->mm) : NULL;
	if (exe) {
		n += encode_path(line + n, XM_LINE_MAX - n, &exe->f_path, tmp);
		fput(exe);
	} else {
		n += scnprintf(line + n, XM_LINE_MAX - n, "?");
	}
	n += scnprintf(line + n, XM_LINE_MAX - n, " path=");
	n += encode_path(line + n, XM_LINE_MAX - n, &file->f_path, tmp);
	n += scnprintf(line + n, XM_LINE_MAX - n, " dev=%u:%u ino=%llu",
		       MAJOR(inode->i_sb->s_dev), MINOR(inode->i_sb->s_dev),
		       (unsigned long long)inode->i_ino);

	if (!test_bit(0, &reader_busy))
		pr_notice_ratelimited("denied: %s\n", line);

	ev = kmalloc(struct_size(ev, body, n), GFP_KERNEL | __GFP_NOWARN);
	if (ev) {
		ev->len = n;
		memcpy(ev->body, line, n);
	}
out:
	xm_ring_push(&ring, ev);	/* NULL: counted as lost */
	kfree(tmp);
	kfree(line);
}

/**
 * execmark_events_lost - events lost since boot
 *
 * Return: the count.
 */
u64 execmark_events_lost(void)
{
	return xm_ring_lost_total(&ring);
}

/* The reader's state: the rest of the lines taken from the ring. */
struct xm_reader {
	size_t len, off;
	char buf[];
};

#define XM_READER_BUF	(XM_LINE_MAX + XM_RING_POP_EXTRA)

static int events_open(struct inode *inode, struct file *file)
{
	struct xm_reader *rd;

	if (!capable(CAP_MAC_ADMIN))
		return -EPERM;
	if (test_and_set_bit_lock(0, &reader_busy))
		return -EBUSY;
	rd = kvmalloc(struct_size(rd, buf, XM_READER_BUF), GFP_KERNEL);
	if (!rd) {
		clear_bit_unlock(0, &reader_busy);
		return -ENOMEM;
	}
	rd->len = 0;
	rd->off = 0;
	file->private_data = rd;
	return 0;
}

static int events_release(struct inode *inode, struct file *file)
{
	kvfree(file->private_data);
	clear_bit_unlock(0, &reader_busy);
	return 0;
}

static ssize_t events_read(struct file *file, char __user *ubuf, size_t count,
			   loff_t *ppos)
{
	struct xm_reader *rd = file->private_data;
	size_t done = 0;
	int ret;

	while (done < count) {
		size_t n;

		if (rd->off == rd->len) {
			rd->off = 0;
			rd->len = xm_ring_pop(&ring, rd->buf, XM_READER_BUF);
			if (!rd->len) {
				if (done)
					break;
				if (file->f_flags & O_NONBLOCK)
					return -EAGAIN;
				ret = wait_event_interruptible(ring.wait,
							       xm_ring_ready(&ring));
				if (ret)
					return ret;
				continue;
			}
		}
		n = min(count - done, rd->len - rd->off);
		if (copy_to_user(ubuf + done, rd->buf + rd->off, n))
			return done ? done : -EFAULT;
		rd->off += n;
		done += n;
	}
	return done;
}

static __poll_t events_poll(struct file *file, poll_table *wait)
{
	struct xm_reader *rd = file->private_data;

	poll_wait(file, &ring.wait, wait);
	if (rd->off < rd->len || xm_ring_ready(&ring))
		return EPOLLIN | EPOLLRDNORM;
	return 0;
}

const struct file_operations execmark_events_fops = {
	.open = events_open,
	.release = events_release,
	.read = events_read,
	.poll = events_poll,
	.llseek = noop_llseek,
};

/**
 * execmark_events_init - allocate the ring
 *
 * Without it the checks still hold; every event counts as lost.
 *
 * Return: 0 or -ENOMEM.
 */
int __init execmark_events_init(void)
{
	return xm_ring_init(&ring, XM_RING_SLOTS, XM_RING_BYTES);
}

#ifdef CONFIG_SECURITY_EXECMARK_KUNIT_TEST
#include <kunit/test.h>

static void encode_test(struct kunit *test)
{
	char buf[64];

	KUNIT_EXPECT_EQ(test, encode_untrusted(buf, sizeof(buf), "abc", 3), 5);
	KUNIT_EXPECT_STREQ(test, buf, "\"abc\"");
	encode_untrusted(buf, sizeof(buf), "/usr/bin/x~!", 12);
	KUNIT_EXPECT_STREQ(test, buf, "\"/usr/bin/x~!\"");
	encode_untrusted(buf, sizeof(buf), "", 0);
	KUNIT_EXPECT_STREQ(test, buf, "\"\"");
	/* Space, quote, control, DEL and non-ASCII bytes force hex. */
	encode_untrusted(buf, sizeof(buf), "a b", 3);
	KUNIT_EXPECT_STREQ(test, buf, "612062");
	encode_untrusted(buf, sizeof(buf), "a\"b", 3);
	KUNIT_EXPECT_STREQ(test, buf, "612262");
	encode_untrusted(buf, sizeof(buf), "a\nb", 3);
	KUNIT_EXPECT_STREQ(test, buf, "610A62");
	encode_untrusted(buf, sizeof(buf), "\x7f", 1);
	KUNIT_EXPECT_STREQ(test, buf, "7F");
	encode_untrusted(buf, sizeof(buf), "\xc3\xa9", 2);
	KUNIT_EXPECT_STREQ(test, buf, "C3A9");
	/* A short buffer holds whole hex pairs and a NUL. */
	KUNIT_EXPECT_EQ(test, encode_untrusted(buf, 6, "a b c", 5), 4);
	KUNIT_EXPECT_STREQ(test, buf, "6120");
}

static void names_test(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test, op_name(XM_OP_MPROTECT), "mprotect");
	KUNIT_EXPECT_STREQ(test, op_name(XM_OP_MPROTECT + 1), "invalid");
	KUNIT_EXPECT_STREQ(test, verdict_name(XM_UNVERIFIABLE), "unverifiable");
	KUNIT_EXPECT_STREQ(test, verdict_name(-1), "invalid");
}

static struct kunit_case events_test_cases[] = {
	KUNIT_CASE(encode_test),
	KUNIT_CASE(names_test),
	{}
};

static struct kunit_suite events_test_suite = {
	.name = "execmark_events",
	.test_cases = events_test_cases,
};

kunit_test_suite(events_test_suite);

#endif /* CONFIG_SECURITY_EXECMARK_KUNIT_TEST */
