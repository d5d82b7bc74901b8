// SPDX-License-Identifier: GPL-2.0-only
/*
 * execmark: the mode, its lock and the boot parameter execmark.mode=.
 *
 * The bottom layer of the LSM: it depends on nothing else of execmark.
 * Every change of the mode, refused ones too, is an AUDIT_MAC_STATUS record.
 */

#define pr_fmt(fmt) "execmark: " fmt

#include <linux/audit.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/string.h>

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

/**
 * execmark_mode_name - the name of a mode
 * @mode: enum execmark_mode
 *
 * Return: the name, or "invalid".
 */
const char *execmark_mode_name(int mode)
{
	if (mode < 0 || mode >= ARRAY_SIZE(mode_names))
		return "invalid";
	return mode_names[mode];
}

/**
 * execmark_mode_parse - parse a mode name
 * @s: the name, NUL-terminated, optionally followed by one newline
 *
 * Return: the mode, or -EINVAL.
 */
int execmark_mode_parse(const char *s)
{
	return sysfs_match_string(mode_names, s);
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

/**
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

/**
 * execmark_locked - is the mode locked?
 *
 * Return: true once execmark_lock() has run.
 */
bool execmark_locked(void)
{
	return READ_ONCE(mode_locked);
}

/**
 * execmark_lock - lock the mode until reboot
 */
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
	int mode = execmark_mode_parse(val);

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

module_param_cb(mode, &mode_param_ops, NULL, 0);
MODULE_PARM_DESC(mode, "off, permissive or enforce (default from Kconfig)");

#ifdef CONFIG_SECURITY_EXECMARK_KUNIT_TEST
#include <kunit/test.h>

static void mode_parse_test(struct kunit *test)
{
	int m;

	for (m = EXECMARK_MODE_OFF; m <= EXECMARK_MODE_ENFORCE; m++) {
		const char *name = execmark_mode_name(m);
		char buf[16];

		KUNIT_EXPECT_EQ(test, execmark_mode_parse(name), m);
		snprintf(buf, sizeof(buf), "%s\n", name);
		KUNIT_EXPECT_EQ(test, execmark_mode_parse(buf), m);
	}
	KUNIT_EXPECT_EQ(test, execmark_mode_parse(""), -EINVAL);
	KUNIT_EXPECT_EQ(test, execmark_mode_parse("\n"), -EINVAL);
	KUNIT_EXPECT_EQ(test, execmark_mode_parse("enforc"), -EINVAL);
	KUNIT_EXPECT_EQ(test, execmark_mode_parse("enforced"), -EINVAL);
	KUNIT_EXPECT_EQ(test, execmark_mode_parse("Enforce"), -EINVAL);
	KUNIT_EXPECT_EQ(test, execmark_mode_parse("off\n\n"), -EINVAL);
	KUNIT_EXPECT_EQ(test, execmark_mode_parse(" off"), -EINVAL);
}

static void mode_name_test(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test, execmark_mode_name(EXECMARK_MODE_OFF), "off");
	KUNIT_EXPECT_STREQ(test, execmark_mode_name(EXECMARK_MODE_ENFORCE), "enforce");
	KUNIT_EXPECT_STREQ(test, execmark_mode_name(3), "invalid");
	KUNIT_EXPECT_STREQ(test, execmark_mode_name(-1), "invalid");
}

static struct kunit_case mode_test_cases[] = {
	KUNIT_CASE(mode_parse_test),
	KUNIT_CASE(mode_name_test),
	{}
};

static struct kunit_suite mode_test_suite = {
	.name = "execmark_mode",
	.test_cases = mode_test_cases,
};

kunit_test_suite(mode_test_suite);

#endif /* CONFIG_SECURITY_EXECMARK_KUNIT_TEST */
