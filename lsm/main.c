// SPDX-License-Identifier: GPL-2.0-only
/*
 * execmark: the hooks, modes and the lock.
 */

#define pr_fmt(fmt) "execmark: " fmt

#include <linux/audit.h>
#include <linux/binfmts.h>
#include <linux/capability.h>
#include <linux/init.h>
#include <linux/lsm_hooks.h>
#include <linux/mman.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include <uapi/linux/lsm.h>

#include "execmark.h"
#include "../xattr/execmark_xattr.h"

#if defined(CONFIG_SECURITY_EXECMARK_BOOT_ENFORCE)
#define EXECMARK_BOOT_MODE EXECMARK_MODE_ENFORCE
#elif defined(CONFIG_SECURITY_EXECMARK_BOOT_OFF)
#define EXECMARK_BOOT_MODE EXECMARK_MODE_OFF
#else
#define EXECMARK_BOOT_MODE EXECMARK_MODE_PERMISSIVE
#endif

int execmark_mode = EXECMARK_BOOT_MODE;
static bool mode_locked;
static DEFINE_MUTEX(mode_mutex);	/* serialises mode changes and the lock */

static const char *const mode_names[] = {
	[EXECMARK_MODE_OFF] = "off",
	[EXECMARK_MODE_PERMISSIVE] = "permissive",
	[EXECMARK_MODE_ENFORCE] = "enforce",
};

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

const char *execmark_mode_name(int mode)
{
	return name_of(mode_names, ARRAY_SIZE(mode_names), mode);
}

const char *execmark_op_name(int op)
{
	return name_of(op_names, ARRAY_SIZE(op_names), op);
}

const char *execmark_verdict_name(int verdict)
{
	return name_of(verdict_names, ARRAY_SIZE(verdict_names), verdict);
}

/*
 * execmark_mode_parse - parse a mode name
 * @buf: the name, optionally followed by one newline; need not be
 *       NUL-terminated
 * @len: its length
 *
 * Return: the mode, or -EINVAL.
 */
int execmark_mode_parse(const char *buf, size_t len)
{
	int i;

	if (len && buf[len - 1] == '\n')
		len--;
	for (i = 0; i < ARRAY_SIZE(mode_names); i++)
		if (len == strlen(mode_names[i]) &&
		    !memcmp(buf, mode_names[i], len))
			return i;
	return -EINVAL;
}

static void audit_mode_change(int new, int old, int res)
{
	struct audit_buffer *ab;

	ab = audit_log_start(audit_context(), GFP_KERNEL, AUDIT_MAC_STATUS);
	if (!ab)
		return;
	/* Not "mode=": ausearch -i reads that as a file mode. */
	audit_log_format(ab, "lsm=execmark execmark_mode=%s old_execmark_mode=%s",
			 execmark_mode_name(new), execmark_mode_name(old));
	audit_log_format(ab, " auid=%u ses=%u res=%d",
			 from_kuid(&init_user_ns, audit_get_loginuid(current)),
			 audit_get_sessionid(current), res);
	audit_log_end(ab);
}

/*
 * execmark_set_mode - change the mode at run time
 * @mode: the new mode
 *
 * Every attempt is logged, refused ones too.
 *
 * Return: 0, or -EPERM when the mode is locked.
 */
int execmark_set_mode(int mode)
{
	int old, ret = 0;

	mutex_lock(&mode_mutex);
	old = READ_ONCE(execmark_mode);
	if (mode_locked && mode != old) {
		ret = -EPERM;
	} else if (mode != old) {
		WRITE_ONCE(execmark_mode, mode);
		pr_notice("mode changed from %s to %s by pid %d (%s)\n",
			  execmark_mode_name(old), execmark_mode_name(mode),
			  task_pid_nr(current), current->comm);
	}
	mutex_unlock(&mode_mutex);
	if (ret)
		pr_notice("refused mode change from %s to %s: locked\n",
			  execmark_mode_name(old), execmark_mode_name(mode));
	if (mode != old)
		audit_mode_change(mode, old, !ret);
	return ret;
}

bool execmark_locked(void)
{
	return READ_ONCE(mode_locked);
}

void execmark_lock(void)
{
	mutex_lock(&mode_mutex);
	if (!mode_locked) {
		WRITE_ONCE(mode_locked, true);
		pr_notice("mode locked at %s until reboot by pid %d (%s)\n",
			  execmark_mode_name(execmark_mode),
			  task_pid_nr(current), current->comm);
	}
	mutex_unlock(&mode_mutex);
}

/* The boot parameter execmark.mode=; read-only after boot (perm 0). */
static int mode_param_set(const char *val, const struct kernel_param *kp)
{
	int mode = execmark_mode_parse(val, strlen(val));

	if (mode < 0) {
		pr_err("unknown execmark.mode=%s, keeping %s\n", val,
		       execmark_mode_name(execmark_mode));
		return mode;
	}
	execmark_mode = mode;
	return 0;
}

static const struct kernel_param_ops mode_param_ops = {
	.set = mode_param_set,
};

#undef KBUILD_MODNAME
#define KBUILD_MODNAME "execmark"
module_param_cb(mode, &mode_param_ops, NULL, 0);
MODULE_PARM_DESC(mode, "off, permissive or enforce (default from Kconfig)");

DEFINE_PER_CPU(struct execmark_stats, execmark_stats);

struct lsm_blob_sizes execmark_blob_sizes __ro_after_init = {
	.lbs_inode = sizeof(struct execmark_inode),
};

/*
 * check - judge an exec-intent access
 * @file: the file
 * @op: the access
 *
 * Return: 0, or -EACCES when enforcing and the file is not trusted.
 */
static int check(struct file *file, int op)
{
	int mode = READ_ONCE(execmark_mode);
	int v;

	/* Only regular files hold code; exec refuses anything else anyway. */
	if (mode == EXECMARK_MODE_OFF || !S_ISREG(file_inode(file)->i_mode))
		return 0;
	xm_stat_add(checks, 1);
	v = execmark_verdict(file, op == XM_OP_MPROTECT);
	if (v == XM_TRUSTED)
		return 0;
	xm_stat_add(denials, 1);
	/* A task killed while it waited or hashed has nothing to report. */
	if (v != XM_ERROR || !fatal_signal_pending(current))
		execmark_report(file, op, mode, v);
	return mode == EXECMARK_MODE_ENFORCE ? -EACCES : 0;
}

/* Every file an execve runs: the binary, scripts, shebang interpreters. */
static int execmark_bprm_check(struct linux_binprm *bprm)
{
	return check(bprm->file, XM_OP_EXEC);
}

/* execveat(AT_EXECVE_CHECK): an interpreter asks before it runs a file. */
static int execmark_bprm_creds_for_exec(struct linux_binprm *bprm)
{
	return bprm->is_check ? check(bprm->file, XM_OP_CHECK) : 0;
}

/*
 * The ELF interpreter (and each script interpreter) is opened with exec
 * intent during execve, before its point of no return: denying here gives
 * the caller a clean EACCES instead of a SIGSEGV at mmap. Only enforce mode
 * acts here; in permissive mode the same file is reported once, by
 * bprm_check (interpreters) or by the exec-time mmap (ELF interpreter).
 */
static int execmark_file_post_open(struct file *file, int mask)
{
	if (!(mask & MAY_EXEC) || !current->in_execve ||
	    READ_ONCE(execmark_mode) != EXECMARK_MODE_ENFORCE)
		return 0;
	return check(file, XM_OP_EXEC);
}

static bool is_exe_file(struct file *file)
{
	struct file *exe;
	bool ret;

	rcu_read_lock();
	exe = rcu_dereference(current->mm->exe_file);
	ret = exe && file_inode(exe) == file_inode(file);
	rcu_read_unlock();
	return ret;
}

/*
 * Shared libraries, dlopen(), ld.so mapping a program. During execve the
 * kernel maps the binary (checked by bprm_check) and the ELF interpreter,
 * which is reported as part of the exec.
 */
static int execmark_mmap_file(struct file *file, unsigned long reqprot,
			      unsigned long prot, unsigned long flags)
{
	if (!file || !(prot & PROT_EXEC) ||
	    READ_ONCE(execmark_mode) == EXECMARK_MODE_OFF)
		return 0;
	if (unlikely(current->in_execve))
		return is_exe_file(file) ? 0 : check(file, XM_OP_EXEC);
	return check(file, XM_OP_MMAP);
}

/* Adding PROT_EXEC to a file mapping: judged from the cache only. */
static int execmark_file_mprotect(struct vm_area_struct *vma,
				  unsigned long reqprot, unsigned long prot)
{
	if (!vma->vm_file || !(prot & PROT_EXEC) || (vma->vm_flags & VM_EXEC))
		return 0;
	return check(vma->vm_file, XM_OP_MPROTECT);
}

/* Marks are set by CAP_MAC_ADMIN in the initial user namespace, well formed. */
static int execmark_inode_setxattr(struct mnt_idmap *idmap, struct dentry *dentry,
				   const char *name, const void *value,
				   size_t size, int flags)
{
	if (strcmp(name, EXECMARK_XATTR_NAME))
		return 0;
	if (!capable(CAP_MAC_ADMIN))
		return -EPERM;
	return execmark_mark_valid(value, size) ? 0 : -EINVAL;
}

static int execmark_inode_removexattr(struct mnt_idmap *idmap,
				      struct dentry *dentry, const char *name)
{
	if (strcmp(name, EXECMARK_XATTR_NAME))
		return 0;
	return capable(CAP_MAC_ADMIN) ? 0 : -EPERM;
}

/* A new or removed mark drops the cached verdict. */
static void mark_changed(struct dentry *dentry, const char *name)
{
	struct execmark_inode *xi;

	if (strcmp(name, EXECMARK_XATTR_NAME))
		return;
	xi = execmark_inode(d_inode(dentry));
	if (xi)
		atomic_inc(&xi->gen);
}

/*
 * Overlayfs copies the mark up with the mounter's credentials; a mounter
 * without CAP_MAC_ADMIN gets an unmarked copy rather than a failed copy-up.
 * A marked copy whose content is then written is a mismatch.
 */
static int execmark_inode_copy_up_xattr(struct dentry *src, const char *name)
{
	if (strcmp(name, EXECMARK_XATTR_NAME) || capable(CAP_MAC_ADMIN))
		return -EOPNOTSUPP;	/* no opinion: copied as usual */
	return -ECANCELED;
}

static void execmark_inode_post_setxattr(struct dentry *dentry, const char *name,
					 const void *value, size_t size, int flags)
{
	mark_changed(dentry, name);
}

static void execmark_inode_post_removexattr(struct dentry *dentry,
					    const char *name)
{
	mark_changed(dentry, name);
}

static const struct lsm_id execmark_lsmid = {
	.name = "execmark",
	.id = LSM_ID_EXECMARK,
};

static struct security_hook_list execmark_hooks[] __ro_after_init = {
	LSM_HOOK_INIT(bprm_check_security, execmark_bprm_check),
	LSM_HOOK_INIT(bprm_creds_for_exec, execmark_bprm_creds_for_exec),
	LSM_HOOK_INIT(file_post_open, execmark_file_post_open),
	LSM_HOOK_INIT(mmap_file, execmark_mmap_file),
	LSM_HOOK_INIT(file_mprotect, execmark_file_mprotect),
	LSM_HOOK_INIT(inode_setxattr, execmark_inode_setxattr),
	LSM_HOOK_INIT(inode_removexattr, execmark_inode_removexattr),
	LSM_HOOK_INIT(inode_post_setxattr, execmark_inode_post_setxattr),
	LSM_HOOK_INIT(inode_post_removexattr, execmark_inode_post_removexattr),
	LSM_HOOK_INIT(inode_copy_up_xattr, execmark_inode_copy_up_xattr),
};

static int __init execmark_init(void)
{
	/* Without the ring the checks still hold; events count as lost. */
	if (execmark_events_init())
		pr_err("no memory for the event ring: events will be lost\n");
	security_add_hooks(execmark_hooks, ARRAY_SIZE(execmark_hooks),
			   &execmark_lsmid);
	pr_info("initialized, mode %s\n", execmark_mode_name(execmark_mode));
	return 0;
}

DEFINE_LSM(execmark) = {
	.id = &execmark_lsmid,
	.blobs = &execmark_blob_sizes,
	.init = execmark_init,
	.initcall_fs = execmark_init_securityfs,
};
