// SPDX-License-Identifier: GPL-2.0-only
/*
 * execmark: the hooks. Each adapter turns its hook's arguments into an
 * access (enum execmark_op) and a file; execmark_check() judges it.
 */

#define pr_fmt(fmt) "execmark: " fmt

#include <linux/binfmts.h>
#include <linux/capability.h>
#include <linux/init.h>
#include <linux/lsm_hooks.h>
#include <linux/mman.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include <uapi/linux/execmark.h>
#include <uapi/linux/lsm.h>

#include "execmark.h"

DEFINE_PER_CPU(struct execmark_stats, execmark_stats);

struct lsm_blob_sizes execmark_blob_sizes __ro_after_init = {
	.lbs_inode = sizeof(struct execmark_inode),
};

/**
 * execmark_check - judge an exec-intent access
 * @file: the file
 * @op: the access, enum execmark_op
 *
 * Return: 0, or -EACCES when enforcing and the file is not trusted.
 */
static int execmark_check(struct file *file, int op)
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
	return execmark_check(bprm->file, XM_OP_EXEC);
}

/* execveat(AT_EXECVE_CHECK): an interpreter asks before it runs a file. */
static int execmark_bprm_creds_for_exec(struct linux_binprm *bprm)
{
	return bprm->is_check ? execmark_check(bprm->file, XM_OP_CHECK) : 0;
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
	return execmark_check(file, XM_OP_EXEC);
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
		return is_exe_file(file) ? 0 : execmark_check(file, XM_OP_EXEC);
	return execmark_check(file, XM_OP_MMAP);
}

/* Adding PROT_EXEC to a file mapping: judged from the cache only. */
static int execmark_file_mprotect(struct vm_area_struct *vma,
				  unsigned long reqprot, unsigned long prot)
{
	if (!vma->vm_file || !(prot & PROT_EXEC) || (vma->vm_flags & VM_EXEC))
		return 0;
	return execmark_check(vma->vm_file, XM_OP_MPROTECT);
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
	if (!strcmp(name, EXECMARK_XATTR_NAME))
		execmark_mark_changed(d_inode(dentry));
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
