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
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/timekeeping.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "encode.h"
#include "execmark.h"
#include "ring.h"

#define XM_RING_SLOTS	4096
#define XM_RING_BYTES	SZ_1M

static struct xm_ring ring;
static unsigned long reader_busy;

static const char *const op_names[] = {
	[XM_OP_EXEC] = "exec",
	[XM_OP_CHECK] = "check",
	[XM_OP_MMAP] = "mmap",
	[XM_OP_MPROTECT] = "mprotect",
	[XM_OP_WRITE] = "write",
};

static const char *const verdict_names[] = {
	[XM_NONE] = "none",
	[XM_TRUSTED] = "trusted",
	[XM_UNMARKED] = "unmarked",
	[XM_CORRUPT] = "corrupt",
	[XM_MISMATCH] = "mismatch",
	[XM_UNVERIFIABLE] = "unverifiable",
	[XM_ERROR] = "error",
	[XM_MAPPED] = "mapped",
	[XM_NOT_VERITY] = "not-verity",
	[XM_UNSIGNED] = "unsigned",
	[XM_BAD_SIGNATURE] = "bad-signature",
	[XM_REVOKED] = "revoked",
	[XM_LISTED] = "listed",
};

static const char *name_of(const char *const *names, int n, int i)
{
	return i >= 0 && i < n ? names[i] : "invalid";
}

#define op_name(op)	name_of(op_names, ARRAY_SIZE(op_names), (op))
#define verdict_name(v)	name_of(verdict_names, ARRAY_SIZE(verdict_names), (v))

/* The encoding of a string of @len bytes takes at most this, with a NUL. */
#define XM_ENCODED_MAX(len)	(2 * (len) + 3)

/* An event line: the fields, comm, and two paths encoded as hex at worst. */
#define XM_FIELDS_MAX	256
#define XM_LINE_MAX	(XM_FIELDS_MAX + XM_ENCODED_MAX(TASK_COMM_LEN - 1) + \
			 2 * XM_ENCODED_MAX(PATH_MAX - 1))

static const char *path_name(const struct path *path, char *buf)
{
	char *p;

	if (!buf)
		return "?";
	p = d_path(path, buf, PATH_MAX);
	return IS_ERR(p) ? "?" : p;
}

static size_t encode_name(char *out, size_t size, const char *s)
{
	/* "?" is the audit convention for a name that is unknown. */
	if (s[0] == '?' && !s[1])
		return scnprintf(out, size, "?");
	return xm_encode_untrusted(out, size, s, strlen(s));
}

/**
 * execmark_report - report a denial
 * @path: the file of the access, as the user named it
 * @op: the access, enum execmark_op
 * @mode: the mode it was judged in
 * @verdict: the reason
 *
 * The event takes what its line needs, usually well under a page. An event
 * that cannot be allocated, without retrying hard, counts as lost.
 */
void execmark_report(const struct path *path, int op, int mode, int verdict)
{
	/* mprotect holds the mmap lock: nothing here may wait for reclaim. */
	gfp_t gfp = (op == XM_OP_MPROTECT ? GFP_NOWAIT : GFP_KERNEL) |
		    __GFP_NORETRY | __GFP_NOWARN;
	struct inode *inode = d_inode(path->dentry);
	const char *exe_name = "?", *name;
	char comm[TASK_COMM_LEN];
	char *exe_buf, *path_buf;
	struct xm_event *ev = NULL;
	struct timespec64 now;
	struct file *exe;
	size_t n, size;

	ktime_get_real_ts64(&now);	/* the time of the denial */
	exe_buf = kmalloc(PATH_MAX, gfp);
	path_buf = kmalloc(PATH_MAX, gfp);
	if (!exe_buf || !path_buf)
		goto out;
	get_task_comm(comm, current);
	exe = current->mm ? get_mm_exe_file(current->mm) : NULL;
	if (exe) {
		exe_name = path_name(&exe->f_path, exe_buf);
		fput(exe);
	}
	name = path_name(path, path_buf);

	size = XM_FIELDS_MAX + XM_ENCODED_MAX(strlen(comm)) +
	       XM_ENCODED_MAX(strlen(exe_name)) + XM_ENCODED_MAX(strlen(name));
	ev = kmalloc(struct_size(ev, body, size), gfp);
	if (!ev)
		goto out;
	n = scnprintf(ev->body, size,
		      "op=%s mode=%s reason=%s pid=%d uid=%u auid=%u ses=%u comm=",
		      op_name(op), execmark_mode_name(mode),
		      verdict_name(verdict), task_tgid_nr(current),
		      from_kuid(&init_user_ns, current_uid()),
		      from_kuid(&init_user_ns, audit_get_loginuid(current)),
		      audit_get_sessionid(current));
	n += xm_encode_untrusted(ev->body + n, size - n, comm, strlen(comm));
	n += scnprintf(ev->body + n, size - n, " exe=");
	n += encode_name(ev->body + n, size - n, exe_name);
	n += scnprintf(ev->body + n, size - n, " path=");
	n += encode_name(ev->body + n, size - n, name);
	n += scnprintf(ev->body + n, size - n, " dev=%u:%u ino=%llu time=%lld.%09ld",
		       MAJOR(inode->i_sb->s_dev), MINOR(inode->i_sb->s_dev),
		       (unsigned long long)inode->i_ino,
		       (long long)now.tv_sec, now.tv_nsec);
	ev->len = n;

	if (!test_bit(0, &reader_busy))
		pr_notice_ratelimited("denied: %.*s\n", (int)n, ev->body);
out:
	xm_ring_push(&ring, ev);	/* NULL: counted as lost */
	kfree(path_buf);
	kfree(exe_buf);
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

/*
 * The reader's state: the rest of the lines taken from the ring. Threads
 * sharing the open file take turns; the file is a stream, so pread() and
 * io_uring cannot bypass the turns with their own offsets.
 */
struct xm_reader {
	struct mutex lock;	/* protects len, off and buf */
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
	mutex_init(&rd->lock);
	rd->len = 0;
	rd->off = 0;
	file->private_data = rd;
	return stream_open(inode, file);
}

static int events_release(struct inode *inode, struct file *file)
{
	kvfree(file->private_data);
	clear_bit_unlock(0, &reader_busy);
	return 0;
}

static ssize_t read_locked(struct file *file, struct xm_reader *rd,
			   char __user *ubuf, size_t count)
{
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

static ssize_t events_read(struct file *file, char __user *ubuf, size_t count,
			   loff_t *ppos)
{
	struct xm_reader *rd = file->private_data;
	ssize_t ret;

	if (mutex_lock_interruptible(&rd->lock))
		return -ERESTARTSYS;
	ret = read_locked(file, rd, ubuf, count);
	mutex_unlock(&rd->lock);
	return ret;
}

static __poll_t events_poll(struct file *file, poll_table *wait)
{
	struct xm_reader *rd = file->private_data;

	poll_wait(file, &ring.wait, wait);
	/* Without the lock: a hint, read() decides. */
	if (READ_ONCE(rd->off) < READ_ONCE(rd->len) || xm_ring_ready(&ring))
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

	KUNIT_EXPECT_EQ(test, xm_encode_untrusted(buf, sizeof(buf), "abc", 3), 5);
	KUNIT_EXPECT_STREQ(test, buf, "\"abc\"");
	xm_encode_untrusted(buf, sizeof(buf), "/usr/bin/x~!", 12);
	KUNIT_EXPECT_STREQ(test, buf, "\"/usr/bin/x~!\"");
	xm_encode_untrusted(buf, sizeof(buf), "", 0);
	KUNIT_EXPECT_STREQ(test, buf, "\"\"");
	/* Space, quote, control, DEL and non-ASCII bytes force hex. */
	xm_encode_untrusted(buf, sizeof(buf), "a b", 3);
	KUNIT_EXPECT_STREQ(test, buf, "612062");
	xm_encode_untrusted(buf, sizeof(buf), "a\"b", 3);
	KUNIT_EXPECT_STREQ(test, buf, "612262");
	xm_encode_untrusted(buf, sizeof(buf), "a\nb", 3);
	KUNIT_EXPECT_STREQ(test, buf, "610A62");
	xm_encode_untrusted(buf, sizeof(buf), "\x7f", 1);
	KUNIT_EXPECT_STREQ(test, buf, "7F");
	xm_encode_untrusted(buf, sizeof(buf), "\xc3\xa9", 2);
	KUNIT_EXPECT_STREQ(test, buf, "C3A9");
	/* A short buffer holds whole hex pairs and a NUL. */
	KUNIT_EXPECT_EQ(test, xm_encode_untrusted(buf, 6, "a b c", 5), 4);
	KUNIT_EXPECT_STREQ(test, buf, "6120");
	/* A short buffer keeps the closing quote. */
	KUNIT_EXPECT_EQ(test, xm_encode_untrusted(buf, 5, "abcdef", 6), 4);
	KUNIT_EXPECT_STREQ(test, buf, "\"ab\"");
	KUNIT_EXPECT_EQ(test, xm_encode_untrusted(buf, 2, "abcdef", 6), 0);
	KUNIT_EXPECT_STREQ(test, buf, "");
}

static void names_test(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test, op_name(XM_OP_MPROTECT), "mprotect");
	KUNIT_EXPECT_STREQ(test, op_name(XM_OP_WRITE), "write");
	KUNIT_EXPECT_STREQ(test, op_name(XM_OP_WRITE + 1), "invalid");
	KUNIT_EXPECT_STREQ(test, verdict_name(XM_MAPPED), "mapped");
	KUNIT_EXPECT_STREQ(test, verdict_name(XM_UNVERIFIABLE), "unverifiable");
	KUNIT_EXPECT_STREQ(test, verdict_name(XM_NOT_VERITY), "not-verity");
	KUNIT_EXPECT_STREQ(test, verdict_name(XM_UNSIGNED), "unsigned");
	KUNIT_EXPECT_STREQ(test, verdict_name(XM_BAD_SIGNATURE), "bad-signature");
	KUNIT_EXPECT_STREQ(test, verdict_name(XM_REVOKED), "revoked");
	KUNIT_EXPECT_STREQ(test, verdict_name(XM_LISTED), "listed");
	KUNIT_EXPECT_STREQ(test, verdict_name(XM_LISTED + 1), "invalid");
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
