// SPDX-License-Identifier: GPL-2.0-only
/*
 * execmark: the securityfs interface, /sys/kernel/security/execmark/.
 */

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/percpu.h>
#include <linux/security.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "execmark.h"

static bool may_admin(const struct file *f)
{
	return file_ns_capable(f, &init_user_ns, CAP_MAC_ADMIN);
}

/*
 * word_from_user - the word written to a setting's file, as a C string
 * @f: the file
 * @buf: what the user wrote
 * @len: its length
 * @ppos: the file position
 * @tmp: the kernel's copy, NUL-terminated
 * @size: the size of @tmp; @len must be less
 *
 * Return: 0; -EPERM without CAP_MAC_ADMIN; -EINVAL when the write is not
 * at offset 0, is empty, does not fit @tmp or holds a NUL; -EFAULT.
 */
static int word_from_user(const struct file *f, const char __user *buf,
			  size_t len, const loff_t *ppos, char *tmp, size_t size)
{
	if (!may_admin(f))
		return -EPERM;
	if (*ppos != 0 || len == 0 || len >= size)
		return -EINVAL;
	if (copy_from_user(tmp, buf, len))
		return -EFAULT;
	tmp[len] = '\0';
	if (strlen(tmp) != len)
		return -EINVAL;
	return 0;
}

static ssize_t mode_read(struct file *f, char __user *buf, size_t len,
			 loff_t *ppos)
{
	char tmp[16];
	int n;

	n = scnprintf(tmp, sizeof(tmp), "%s\n",
		      execmark_mode_name(READ_ONCE(execmark_mode)));
	return simple_read_from_buffer(buf, len, ppos, tmp, n);
}

static ssize_t mode_write(struct file *f, const char __user *buf, size_t len,
			  loff_t *ppos)
{
	char tmp[16];
	int mode, ret;

	ret = word_from_user(f, buf, len, ppos, tmp, sizeof(tmp));
	if (ret)
		return ret;
	mode = execmark_mode_parse(tmp);
	if (mode < 0)
		return mode;
	ret = execmark_set_mode(mode);
	return ret ? ret : len;
}

static const struct file_operations mode_fops = {
	.read = mode_read,
	.write = mode_write,
	.llseek = generic_file_llseek,
};

static ssize_t lock_read(struct file *f, char __user *buf, size_t len,
			 loff_t *ppos)
{
	const char *s = execmark_locked() ? "1\n" : "0\n";

	return simple_read_from_buffer(buf, len, ppos, s, 2);
}

static ssize_t lock_write(struct file *f, const char __user *buf, size_t len,
			  loff_t *ppos)
{
	char tmp[4];
	size_t n = len;

	if (!may_admin(f))
		return -EPERM;
	if (*ppos != 0 || len == 0 || len >= sizeof(tmp))
		return -EINVAL;
	if (copy_from_user(tmp, buf, len))
		return -EFAULT;
	if (tmp[n - 1] == '\n')
		n--;
	if (n != 1 || tmp[0] != '1')
		return -EINVAL;
	execmark_lock();
	return len;
}

static const struct file_operations lock_fops = {
	.read = lock_read,
	.write = lock_write,
	.llseek = generic_file_llseek,
};

static ssize_t signed_read(struct file *f, char __user *buf, size_t len,
			   loff_t *ppos)
{
	char tmp[16];
	int n;

	n = scnprintf(tmp, sizeof(tmp), "%s\n",
		      execmark_signed_name(execmark_require_signed()));
	return simple_read_from_buffer(buf, len, ppos, tmp, n);
}

static ssize_t signed_write(struct file *f, const char __user *buf, size_t len,
			    loff_t *ppos)
{
	char tmp[16];
	int s, ret;

	ret = word_from_user(f, buf, len, ppos, tmp, sizeof(tmp));
	if (ret)
		return ret;
	s = execmark_signed_parse(tmp);
	if (s < 0)
		return s;
	ret = execmark_set_require_signed(s);
	return ret ? ret : len;
}

static const struct file_operations signed_fops = {
	.read = signed_read,
	.write = signed_write,
	.llseek = generic_file_llseek,
};

static int stats_show(struct seq_file *m, void *v)
{
	struct execmark_stats sum = {};
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct execmark_stats *s = per_cpu_ptr(&execmark_stats, cpu);

		sum.checks += READ_ONCE(s->checks);
		sum.cache_hits += READ_ONCE(s->cache_hits);
		sum.hashes += READ_ONCE(s->hashes);
		sum.hash_bytes += READ_ONCE(s->hash_bytes);
		sum.denials += READ_ONCE(s->denials);
		sum.verity_checks += READ_ONCE(s->verity_checks);
		sum.sig_checks += READ_ONCE(s->sig_checks);
		sum.sig_failures += READ_ONCE(s->sig_failures);
		sum.sig_cache_hits += READ_ONCE(s->sig_cache_hits);
		sum.listed += READ_ONCE(s->listed);
	}
	seq_printf(m, "checks %llu\ncache_hits %llu\nhashes %llu\nhash_bytes %llu\n"
		   "denials %llu\nevents_lost %llu\n",
		   sum.checks, sum.cache_hits, sum.hashes, sum.hash_bytes,
		   sum.denials, execmark_events_lost());
	seq_printf(m, "verity_checks %llu\nsig_checks %llu\nsig_failures %llu\n",
		   sum.verity_checks, sum.sig_checks, sum.sig_failures);
	seq_printf(m, "digests_allowed %llu\n", sum.listed);
	execmark_digests_stats(m);
	seq_printf(m, "sig_cache_hits %llu\n", sum.sig_cache_hits);
	return 0;
}

/*
 * Only for CAP_MAC_ADMIN: hashes and hash_bytes tell when another user ran
 * something for the first time, and how big it was.
 */
static int stats_open(struct inode *inode, struct file *file)
{
	if (!may_admin(file))
		return -EPERM;
	return single_open(file, stats_show, inode->i_private);
}

static const struct file_operations stats_fops = {
	.open = stats_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

int __init execmark_init_securityfs(void)
{
	struct dentry *dir, *d;

	dir = securityfs_create_dir("execmark", NULL);
	if (IS_ERR(dir))
		return PTR_ERR(dir);
	d = securityfs_create_file("mode", 0644, dir, NULL, &mode_fops);
	if (IS_ERR(d))
		goto err;
	d = securityfs_create_file("lock", 0644, dir, NULL, &lock_fops);
	if (IS_ERR(d))
		goto err;
	d = securityfs_create_file("require_signed", 0644, dir, NULL, &signed_fops);
	if (IS_ERR(d))
		goto err;
	d = securityfs_create_file("events", 0400, dir, NULL, &execmark_events_fops);
	if (IS_ERR(d))
		goto err;
	d = securityfs_create_file("stats", 0400, dir, NULL, &stats_fops);
	if (IS_ERR(d))
		goto err;
	d = securityfs_create_file("digests", 0600, dir, NULL, &execmark_digests_fops);
	if (IS_ERR(d))
		goto err;
	d = securityfs_create_file("digests_max", 0600, dir, NULL,
				   &execmark_digests_max_fops);
	if (IS_ERR(d))
		goto err;
	return 0;
err:
	securityfs_remove(dir);
	return PTR_ERR(d);
}
