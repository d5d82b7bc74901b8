// SPDX-License-Identifier: GPL-2.0-only
/*
 * execmark: denial events.
 *
 * Each denial becomes one line of text in a bounded ring, read by one
 * reader through securityfs (the execmark helper forwards them to audit).
 * A denied process never waits for the reader: when the ring is full the
 * event is counted as lost, and the reader later finds a
 * "seq=<first> lost=<count>" line where the lost events would have been.
 * While no reader is attached, denials are also written to the kernel log,
 * ratelimited.
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

#define XM_RING_SLOTS	4096
#define XM_RING_BYTES	SZ_1M

static struct xm_ring ring;
static unsigned long reader_busy;

int xm_ring_init(struct xm_ring *r, unsigned int slots, size_t max_bytes)
{
	memset(r, 0, sizeof(*r));
	spin_lock_init(&r->lock);
	init_waitqueue_head(&r->wait);
	/* Without slots every event counts as lost; the ring still works. */
	r->slot = kcalloc(slots, sizeof(*r->slot), GFP_KERNEL);
	if (!r->slot)
		return -ENOMEM;
	r->size = slots;
	r->max_bytes = max_bytes;
	return 0;
}

void xm_ring_destroy(struct xm_ring *r)
{
	while (r->count) {
		kfree(r->slot[r->head]);
		r->head = (r->head + 1) % r->size;
		r->count--;
	}
	kfree(r->slot);
	r->slot = NULL;
}

/*
 * xm_ring_push - queue an event, or count it as lost
 * @r: the ring
 * @ev: the event, or NULL when it could not be allocated
 *
 * Every event takes a sequence number, lost ones too. Takes ownership of @ev.
 */
void xm_ring_push(struct xm_ring *r, struct xm_event *ev)
{
	unsigned long flags;
	u64 seq;

	spin_lock_irqsave(&r->lock, flags);
	seq = r->next_seq++;
	if (!ev || r->count == r->size || r->bytes + ev->len > r->max_bytes) {
		r->lost++;
		r->lost_total++;
		spin_unlock_irqrestore(&r->lock, flags);
		kfree(ev);
		wake_up_interruptible(&r->wait);	/* a lost= line to read */
		return;
	}
	ev->seq = seq;
	ev->lost = r->lost;
	r->lost = 0;
	r->slot[(r->head + r->count) % r->size] = ev;
	r->count++;
	r->bytes += ev->len;
	spin_unlock_irqrestore(&r->lock, flags);
	wake_up_interruptible(&r->wait);
}

bool xm_ring_ready(struct xm_ring *r)
{
	return READ_ONCE(r->count) || READ_ONCE(r->lost);
}

/*
 * xm_ring_pop - take the next lines of the stream
 * @r: the ring
 * @buf: where to write them; at least XM_LINE_MAX + 64 bytes
 * @size: size of @buf
 *
 * Return: the number of bytes written: a "lost" line, an event line, or
 * both; 0 when there is nothing to read.
 */
size_t xm_ring_pop(struct xm_ring *r, char *buf, size_t size)
{
	struct xm_event *ev = NULL;
	unsigned long flags;
	u64 lost, lost_seq;
	size_t n = 0;

	spin_lock_irqsave(&r->lock, flags);
	if (r->count) {
		ev = r->slot[r->head];
		r->head = (r->head + 1) % r->size;
		r->count--;
		r->bytes -= ev->len;
		lost = ev->lost;
		lost_seq = ev->seq - lost;
	} else {
		/* The lost run is after every queued event. */
		lost = r->lost;
		lost_seq = r->next_seq - lost;
		r->lost = 0;
	}
	spin_unlock_irqrestore(&r->lock, flags);

	if (lost)
		n = scnprintf(buf, size, "seq=%llu lost=%llu\n", lost_seq, lost);
	if (ev) {
		n += scnprintf(buf + n, size - n, "seq=%llu %.*s\n", ev->seq,
			       (int)ev->len, ev->body);
		kfree(ev);
	}
	return n;
}

/*
 * xm_encode_untrusted - encode a string as audit encodes untrusted strings
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
size_t xm_encode_untrusted(char *buf, size_t size, const char *s, size_t len)
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
	return xm_encode_untrusted(out, size, p, strlen(p));
}

/*
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
		      execmark_op_name(op), execmark_mode_name(mode),
		      execmark_verdict_name(verdict), task_tgid_nr(current),
		      from_kuid(&init_user_ns, current_uid()),
		      from_kuid(&init_user_ns, audit_get_loginuid(current)),
		      audit_get_sessionid(current));
	get_task_comm(comm, current);
	n += xm_encode_untrusted(line + n, XM_LINE_MAX - n, comm, strlen(comm));
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

u64 execmark_events_lost(void)
{
	return READ_ONCE(ring.lost_total);
}

/* The reader's state: the rest of the lines taken from the ring. */
struct xm_reader {
	size_t len, off;
	char buf[];
};

#define XM_READER_BUF	(XM_LINE_MAX + 64)

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

int __init execmark_events_init(void)
{
	return xm_ring_init(&ring, XM_RING_SLOTS, XM_RING_BYTES);
}
