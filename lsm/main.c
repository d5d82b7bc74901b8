// SPDX-License-Identifier: GPL-2.0-only
/*
 * execmark: registration, modes and the lock.
 */

#define pr_fmt(fmt) "execmark: " fmt

#include <linux/audit.h>
#include <linux/init.h>
#include <linux/lsm_hooks.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <uapi/linux/lsm.h>

#include "execmark.h"

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

const char *execmark_mode_name(int mode)
{
	if (mode < 0 || mode >= ARRAY_SIZE(mode_names))
		return "invalid";
	return mode_names[mode];
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
	audit_log_format(ab, "lsm=execmark mode=%s old_mode=%s auid=%u ses=%u res=%d",
			 execmark_mode_name(new), execmark_mode_name(old),
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

int execmark_lock(void)
{
	mutex_lock(&mode_mutex);
	if (!mode_locked) {
		WRITE_ONCE(mode_locked, true);
		pr_notice("mode locked at %s until reboot\n",
			  execmark_mode_name(execmark_mode));
	}
	mutex_unlock(&mode_mutex);
	return 0;
}

static int __init execmark_mode_setup(char *str)
{
	int mode = execmark_mode_parse(str, strlen(str));

	if (mode < 0)
		pr_err("unknown execmark.mode=%s, keeping %s\n", str,
		       execmark_mode_name(execmark_mode));
	else
		execmark_mode = mode;
	return 1;
}
__setup("execmark.mode=", execmark_mode_setup);

static const struct lsm_id execmark_lsmid = {
	.name = "execmark",
	.id = LSM_ID_EXECMARK,
};

static struct security_hook_list execmark_hooks[] __ro_after_init = {
};

static int __init execmark_init(void)
{
	security_add_hooks(execmark_hooks, ARRAY_SIZE(execmark_hooks),
			   &execmark_lsmid);
	pr_info("initialized, mode %s\n", execmark_mode_name(execmark_mode));
	return 0;
}

DEFINE_LSM(execmark) = {
	.id = &execmark_lsmid,
	.init = execmark_init,
	.initcall_fs = execmark_init_securityfs,
};
