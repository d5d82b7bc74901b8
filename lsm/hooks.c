// SPDX-License-Identifier: GPL-2.0-only
/*
 * execmark: the hooks. Each adapter turns its hook's arguments into an
 * access (enum execmark_op) and a file; execmark_check() judges it.
 */

#define pr_fmt(fmt) "execmark: " fmt

#include <linux/binfmts.h>
#include <linux/capability.h>
#include <linux/init.h>
#include <linux/key.h>
#include <linux/lsm_hooks.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include <uapi/linux/execmark.h>
#include <uapi/linux/lsm.h>

#include "execmark.h"

DEFINE_PER_CPU(struct execmark_stats, execmark_stats);

/* The file blob: whether the file keeps its inode from being written. */
struct execmark_file {
	unsigned long flags;
#define XM_FILE_DENIES_WRITE	0
};

struct lsm_blob_sizes execmark_blob_sizes __ro_after_init = {
	.lbs_file = sizeof(struct execmark_file),
	.lbs_inode = sizeof(struct execmark_inode),
	.lbs_task = sizeof(struct execmark_task),
};

static inline struct execmark_file *execmark_file(const struct file *file)
{
	return file->f_security + execmark_blob_sizes.lbs_file;
}

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
	if (v == XM_LISTED)
		xm_stat_add(listed, 1);
	if (execmark_allowed(v))
		return 0;
	xm_stat_add(denials, 1);
	/* A task killed while it waited or hashed has nothing to report. */
	if (v != XM_ERROR || !fatal_signal_pending(current))
		execmark_report(file_user_path(file), op, mode, v);
	return mode == EXECMARK_MODE_ENFORCE ? -EACCES : 0;
}

/*
 * hold_write_denial - keep a trusted executable mapping's file unwritten
 * @file: the file being mapped, or the backing file of a stacked one
 * @op: the access, for the report
 *
 * As for a running program, opening the file for writing or truncating it
 * then fails with ETXTBSY until @file is released (its last mapping gone
 * and its descriptors closed). Called in enforce mode only.
 *
 * Return: 0, or -EACCES when a writer came after the verdict.
 */
static int hold_write_denial(struct file *file, int op)
{
	struct execmark_file *xf = execmark_file(file);

	if (test_bit(XM_FILE_DENIES_WRITE, &xf->flags) ||
	    test_and_set_bit(XM_FILE_DENIES_WRITE, &xf->flags))
		return 0;
	if (!deny_write_access(file))
		return 0;
	clear_bit(XM_FILE_DENIES_WRITE, &xf->flags);
	xm_stat_add(denials, 1);
	execmark_report(file_user_path(file), op, EXECMARK_MODE_ENFORCE,
			XM_UNVERIFIABLE);
	return -EACCES;
}

/* An executable mapping: judged, and in enforce mode held unwritten. */
static int check_mapping(struct file *file, int op)
{
	int ret = execmark_check(file, op);

	if (ret || READ_ONCE(execmark_mode) != EXECMARK_MODE_ENFORCE ||
	    !S_ISREG(file_inode(file)->i_mode))
		return ret;
	return hold_write_denial(file, op);
}

/* Is any part of the inode's content mapped executable? */
static bool mapped_exec(struct inode *inode)
{
	struct address_space *mapping = inode->i_mapping;
	struct vm_area_struct *vma;
	bool ret = false;

	if (!mapping_mapped(mapping))
		return false;
	i_mmap_lock_read(mapping);
	vma_interval_tree_foreach(vma, &mapping->i_mmap, 0, ULONG_MAX) {
		if (vma->vm_flags & VM_EXEC) {
			ret = true;
			break;
		}
	}
	i_mmap_unlock_read(mapping);
	return ret;
}

/*
 * A writer for content that is mapped executable ("time of measure, time
 * of use"). Mappings made in enforce mode already hold a write denial, so
 * the writer never gets here; this catches mappings made before enforce
 * mode (refused now) and reports writers in permissive mode.
 */
static int check_writer(const struct path *path, struct inode *inode)
{
	int mode = READ_ONCE(execmark_mode);

	if (mode == EXECMARK_MODE_OFF || !S_ISREG(inode->i_mode) ||
	    !mapped_exec(inode))
		return 0;
	xm_stat_add(denials, 1);
	execmark_report(path, XM_OP_WRITE, mode, XM_MAPPED);
	return mode == EXECMARK_MODE_ENFORCE ? -ETXTBSY : 0;
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
		return is_exe_file(file) ? 0 : check_mapping(file, XM_OP_EXEC);
	return check_mapping(file, XM_OP_MMAP);
}

/*
 * Overlayfs maps its backing file, on the layer, in place of the user's
 * file, which mmap_file judged: the backing file is what must stay
 * unwritten.
 */
static int execmark_mmap_backing_file(struct vm_area_struct *vma,
				      struct file *backing_file,
				      struct file *user_file)
{
	if (!(vma->vm_flags & VM_EXEC) ||
	    READ_ONCE(execmark_mode) != EXECMARK_MODE_ENFORCE ||
	    !S_ISREG(file_inode(backing_file)->i_mode))
		return 0;
	return hold_write_denial(backing_file, XM_OP_MMAP);
}

/* Adding PROT_EXEC to a file mapping: judged from the cache only. */
static int execmark_file_mprotect(struct vm_area_struct *vma,
				  unsigned long reqprot, unsigned long prot)
{
	if (!vma->vm_file || !(prot & PROT_EXEC) || (vma->vm_flags & VM_EXEC))
		return 0;
	return check_mapping(vma->vm_file, XM_OP_MPROTECT);
}

static int execmark_file_open(struct file *file)
{
	if (likely(!(file->f_mode & FMODE_WRITE)))
		return 0;
	return check_writer(&file->f_path, file_inode(file));
}

static int execmark_path_truncate(const struct path *path)
{
	return check_writer(path, d_inode(path->dentry));
}

/*
 * A released writer may have changed the content in ways i_version does
 * not count (userfaultfd into tmpfs holes): the cached verdict goes.
 */
static void execmark_file_release(struct file *file)
{
	struct execmark_file *xf = execmark_file(file);

	if (unlikely(test_bit(XM_FILE_DENIES_WRITE, &xf->flags)))
		allow_write_access(file);
	if ((file->f_mode & FMODE_WRITE) && S_ISREG(file_inode(file)->i_mode))
		execmark_writer_gone(file_inode(file));
}

static int execmark_inode_alloc_security(struct inode *inode)
{
	execmark_inode_init(inode);
	return 0;
}

/*
 * Marks are set by CAP_MAC_ADMIN in the initial user namespace, well formed.
 * Their signatures are checked when they are used: a key may be enrolled
 * or revoked in between.
 */
static int execmark_inode_setxattr(struct mnt_idmap *idmap, struct dentry *dentry,
				   const char *name, const void *value,
				   size_t size, int flags)
{
	struct execmark_parsed p;

	if (strcmp(name, EXECMARK_XATTR_NAME))
		return 0;
	if (!capable(CAP_MAC_ADMIN))
		return -EPERM;
	return execmark_mark_parse(value, size, &p) ? -EINVAL : 0;
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

#ifdef CONFIG_SECURITY_EXECMARK_SIGNATURES
/* A key enrolled in .execmark or a revocation: cached verdicts go. */
static void execmark_key_post_create_or_update(struct key *keyring,
					       struct key *key,
					       const void *payload,
					       size_t payload_len,
					       unsigned long flags, bool create)
{
	execmark_keys_changed(keyring);
}

/*
 * Unlinking, revoking, invalidating a key or setting its timeout has no
 * hook of its own; each asks for a permission first (security/keys/keyctl.c).
 */
static int execmark_key_permission(key_ref_t key_ref, const struct cred *cred,
				   enum key_need_perm need_perm)
{
	execmark_key_used(key_ref_to_ptr(key_ref), need_perm);
	return 0;
}
#endif

static const struct lsm_id execmark_lsmid = {
	.name = "execmark",
	.id = LSM_ID_EXECMARK,
};

static struct security_hook_list execmark_hooks[] __ro_after_init = {
	LSM_HOOK_INIT(bprm_check_security, execmark_bprm_check),
	LSM_HOOK_INIT(bprm_creds_for_exec, execmark_bprm_creds_for_exec),
	LSM_HOOK_INIT(file_post_open, execmark_file_post_open),
	LSM_HOOK_INIT(mmap_file, execmark_mmap_file),
	LSM_HOOK_INIT(mmap_backing_file, execmark_mmap_backing_file),
	LSM_HOOK_INIT(file_mprotect, execmark_file_mprotect),
	LSM_HOOK_INIT(file_open, execmark_file_open),
	LSM_HOOK_INIT(path_truncate, execmark_path_truncate),
	LSM_HOOK_INIT(file_release, execmark_file_release),
	LSM_HOOK_INIT(inode_alloc_security, execmark_inode_alloc_security),
	LSM_HOOK_INIT(inode_setxattr, execmark_inode_setxattr),
	LSM_HOOK_INIT(inode_removexattr, execmark_inode_removexattr),
	LSM_HOOK_INIT(inode_post_setxattr, execmark_inode_post_setxattr),
	LSM_HOOK_INIT(inode_post_removexattr, execmark_inode_post_removexattr),
	LSM_HOOK_INIT(inode_copy_up_xattr, execmark_inode_copy_up_xattr),
#ifdef CONFIG_SECURITY_EXECMARK_SIGNATURES
	LSM_HOOK_INIT(key_post_create_or_update, execmark_key_post_create_or_update),
	LSM_HOOK_INIT(key_permission, execmark_key_permission),
#endif
};

static int __init execmark_init(void)
{
	/* Without the ring the checks still hold; events count as lost. */
	if (execmark_events_init())
		pr_err("no memory for the event ring: events will be lost\n");
	if (execmark_digests_init())
		pr_err("no memory for the digest allow-list: it stays empty\n");
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
	/* Without the keyring, signed marks are denied. */
	.initcall_device = execmark_sig_init,
};
