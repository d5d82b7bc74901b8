// SPDX-License-Identifier: GPL-2.0-only
/*
 * execmark: signed marks, the .execmark keyring and require_signed.
 *
 * A mark of format version 2 may carry a detached PKCS#7 signature over
 * execmark_sig_message(). It is verified against the .execmark keyring,
 * which accepts only keys vouched for by the built-in or secondary trusted
 * keyrings: root can enrol a key only if someone who holds a trusted CA's
 * key has signed it. The kernel's PKCS#7 code refuses signers on the
 * blacklist keyring (revocation).
 *
 * require_signed (off, on, locked) decides whether unsigned marks are
 * trusted. It only ever goes up once "locked", or once the mode is locked.
 */

#define pr_fmt(fmt) "execmark: " fmt

#include <linux/assoc_array.h>
#include <linux/atomic.h>
#include <linux/audit.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/key.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/task_work.h>
#include <linux/timekeeping.h>
#include <linux/verification.h>
#include <keys/asymmetric-type.h>
#include <keys/system_keyring.h>
#include <uapi/linux/execmark.h>

#include "execmark.h"

#ifdef CONFIG_SECURITY_EXECMARK_REQUIRE_SIGNED
#define XM_BOOT_REQUIRE_SIGNED	XM_SIGNED_ON
#else
#define XM_BOOT_REQUIRE_SIGNED	XM_SIGNED_OFF
#endif

static int require_signed = XM_BOOT_REQUIRE_SIGNED;
static DEFINE_MUTEX(signed_mutex);	/* serialises changes of require_signed */

static const char *const signed_names[] = {
	[XM_SIGNED_OFF] = "off",
	[XM_SIGNED_ON] = "on",
	[XM_SIGNED_LOCKED] = "locked",
};

/**
 * execmark_require_signed - the require_signed setting
 *
 * Return: enum execmark_require_signed; unsigned marks and unsigned
 * allow-list entries are trusted only at XM_SIGNED_OFF.
 */
int execmark_require_signed(void)
{
	return READ_ONCE(require_signed);
}

/**
 * execmark_signed_name - the name of a require_signed setting
 * @s: enum execmark_require_signed
 *
 * Return: the name, or "invalid".
 */
const char *execmark_signed_name(int s)
{
	if (s < 0 || s >= ARRAY_SIZE(signed_names))
		return "invalid";
	return signed_names[s];
}

/**
 * execmark_signed_parse - parse a require_signed setting
 * @s: "off", "on" or "locked", optionally followed by one newline
 *
 * Return: the setting, or -EINVAL.
 */
int execmark_signed_parse(const char *s)
{
	return sysfs_match_string(signed_names, s);
}

static void audit_signed_change(int new, int old, int res)
{
	struct audit_buffer *ab;

	ab = audit_log_start(audit_context(), GFP_KERNEL, AUDIT_MAC_STATUS);
	if (!ab)
		return;
	audit_log_format(ab, "lsm=execmark require_signed=%s old_require_signed=%s",
			 execmark_signed_name(new), execmark_signed_name(old));
	audit_log_format(ab, " auid=%u ses=%u res=%d",
			 from_kuid(&init_user_ns, audit_get_loginuid(current)),
			 audit_get_sessionid(current), res);
	audit_log_end(ab);
}

/**
 * execmark_set_require_signed - change require_signed at run time
 * @s: the new setting
 *
 * It may always go up (off, on, locked). It may go down only while it is
 * not locked and the mode is not locked. Every change is logged, refused
 * ones too.
 *
 * Return: 0, or -EPERM when that would lower a locked setting.
 */
int execmark_set_require_signed(int s)
{
	int old, ret = 0;

	mutex_lock(&signed_mutex);
	old = READ_ONCE(require_signed);
	if (s < old && (old == XM_SIGNED_LOCKED || execmark_locked()))
		ret = -EPERM;
	else if (s != old)
		WRITE_ONCE(require_signed, s);
	mutex_unlock(&signed_mutex);
	if (s != old) {
		pr_notice("%s require_signed change from %s to %s by pid %d (%s)\n",
			  ret ? "refused" : "made", execmark_signed_name(old),
			  execmark_signed_name(s), task_pid_nr(current),
			  current->comm);
		audit_signed_change(s, old, !ret);
	}
	return ret;
}

/* The boot parameter execmark.require_signed=; read-only after boot. */
static int signed_param_set(const char *val, const struct kernel_param *kp)
{
	int s = execmark_signed_parse(val);

	if (s < 0) {
		pr_err("unknown execmark.require_signed=%s, keeping %s\n", val,
		       execmark_signed_name(require_signed));
		return s;
	}
	require_signed = s;
	return 0;
}

static const struct kernel_param_ops signed_param_ops = {
	.set = signed_param_set,
};

module_param_cb(require_signed, &signed_param_ops, NULL, 0);
MODULE_PARM_DESC(require_signed, "off, on or locked (default from Kconfig)");

#ifdef CONFIG_SECURITY_EXECMARK_SIGNATURES

static struct key *execmark_keyring;
/* Set at device_initcall, after the kernel's .blacklist exists (certs/). */
static bool keys_ready;

/*
 * The generation of the keys that signatures and revocations are checked
 * against. Every cached verdict is keyed by it (verify.c), so each change
 * below makes every file be judged again at its next check:
 *
 *  - a key added to .execmark, an entry added to .blacklist:
 *    execmark_keys_changed(), after the change;
 *  - a key unlinked from .execmark or linked into it, the keyring cleared,
 *    a key of it revoked, invalidated or given a timeout: these have no
 *    hook after the change, only a permission check before it.
 *    execmark_key_used() bumps the generation then, and once more when the
 *    task returns to user space, after the change is made: a verdict
 *    computed in between was cached under the first bump, and goes at the
 *    second;
 *  - a key of .execmark that expires: execmark_keys_epoch() bumps the
 *    generation when the earliest expiry time of its keys has passed.
 */
static atomic_t keys_epoch = ATOMIC_INIT(0);
static time64_t next_expiry = TIME64_MAX;	/* of a key of .execmark */
static DEFINE_SPINLOCK(expiry_lock);		/* serialises its updates */

/*
 * A keyring holds its keys in an assoc_array whose leaves are the keys,
 * with bit 1 set on those that are keyrings (security/keys/keyring.c).
 */
static const struct key *leaf_key(const void *object)
{
	return (const struct key *)((unsigned long)object & ~3UL);
}

struct keys_scan {
	const struct key *find;		/* the key looked for, or NULL */
	time64_t now, min;		/* the earliest expiry after @now */
};

static int scan_key(const void *object, void *data)
{
	const struct key *key = leaf_key(object);
	struct keys_scan *s = data;
	time64_t e;

	if (s->find)
		return key == s->find;
	e = READ_ONCE(key->expiry);
	if (e && e > s->now && e < s->min)
		s->min = e;
	return 0;
}

/* Whether @key is linked in .execmark. Under RCU; never sleeps. */
static bool in_keyring(const struct key *key)
{
	struct keys_scan s = { .find = key };
	int found;

	rcu_read_lock();
	found = assoc_array_iterate(&execmark_keyring->keys, scan_key, &s);
	rcu_read_unlock();
	return found > 0;
}

/* Find the next expiry of a key of .execmark, with @expiry_lock held. */
static void update_expiry(time64_t now)
{
	struct keys_scan s = { .now = now, .min = TIME64_MAX };

	rcu_read_lock();
	assoc_array_iterate(&execmark_keyring->keys, scan_key, &s);
	rcu_read_unlock();
	WRITE_ONCE(next_expiry, s.min);
}

static void keys_bump(void)
{
	atomic_inc(&keys_epoch);
	if (!execmark_keyring)
		return;
	spin_lock(&expiry_lock);
	update_expiry(ktime_get_real_seconds());
	spin_unlock(&expiry_lock);
}

/* A key of .execmark expired: bump once, then wait for the next. */
static void keys_expired(time64_t now)
{
	spin_lock(&expiry_lock);
	if (now >= next_expiry) {
		atomic_inc(&keys_epoch);
		update_expiry(now);
	}
	spin_unlock(&expiry_lock);
}

/**
 * execmark_keys_epoch - the generation of the keys signatures depend on
 *
 * Never sleeps.
 *
 * Return: a number that changes whenever a key joins, leaves or changes
 * in .execmark, or an entry joins .blacklist.
 */
u32 execmark_keys_epoch(void)
{
	time64_t now = ktime_get_real_seconds();

	if (unlikely(now >= READ_ONCE(next_expiry)))
		keys_expired(now);
	return atomic_read(&keys_epoch);
}

/**
 * execmark_keys_changed - a key was added to or updated in a keyring
 * @keyring: the keyring
 *
 * A revocation (an entry of .blacklist) or a newly enrolled key may change
 * any verdict: all cached verdicts are dropped. Names that begin with a dot
 * are reserved for the kernel's keyrings.
 */
void execmark_keys_changed(const struct key *keyring)
{
	if (keyring == execmark_keyring ||
	    (keyring->description && !strcmp(keyring->description, ".blacklist")))
		keys_bump();
}

static void keys_after_change(struct callback_head *work)
{
	struct execmark_task *xt = container_of(work, struct execmark_task, keys_work);

	clear_bit(XM_TASK_KEYS_QUEUED, &xt->flags);
	keys_bump();
}

/**
 * execmark_key_used - a key is asked for a permission
 * @key: the key
 * @need: enum key_need_perm
 *
 * Anything but viewing or reading .execmark, or a key linked in it, may
 * change it: unlink, link, clear, revoke, invalidate, set a timeout. The
 * generation moves now and again when the task returns to user space.
 * The searches of execmark_sig_verify() itself change nothing.
 *
 * May run under RCU (keyring searches): never sleeps.
 */
void execmark_key_used(const struct key *key, int need)
{
	struct execmark_task *xt = execmark_task(current);

	if (need == KEY_NEED_VIEW || need == KEY_NEED_READ ||
	    need == KEY_DEFER_PERM_CHECK || !execmark_keyring)
		return;
	if (xt && test_bit(XM_TASK_VERIFYING, &xt->flags))
		return;
	if (key != execmark_keyring &&
	    (key->type != &key_type_asymmetric || !in_keyring(key)))
		return;
	atomic_inc(&keys_epoch);
	/* A task that never returns to user space: the bump above only. */
	if (!xt || (current->flags & PF_KTHREAD) ||
	    test_and_set_bit(XM_TASK_KEYS_QUEUED, &xt->flags))
		return;
	init_task_work(&xt->keys_work, keys_after_change);
	if (task_work_add(current, &xt->keys_work, TWA_RESUME))
		clear_bit(XM_TASK_KEYS_QUEUED, &xt->flags);
}

/**
 * execmark_digest_revoked - is a digest on the blacklist?
 * @digest: a mark's digest, or the SHA-256 of an allow-listed file
 * @size: its size in bytes
 *
 * A "bin:" entry of the .blacklist keyring with the digest (as IMA honours
 * it for file digests) revokes every mark that carries it and the digest
 * allow-list's entry of it.
 *
 * Return: true if revoked.
 */
bool execmark_digest_revoked(const u8 *digest, unsigned int size)
{
	if (!READ_ONCE(keys_ready))
		return false;	/* before device_initcall: nothing is revoked yet */
	return is_binary_blacklisted(digest, size) == -EPERM;
}

/**
 * execmark_sig_init - create the .execmark keyring
 *
 * Without it every signature is bad: signed marks are denied.
 *
 * Return: 0 or -errno.
 */
int __init execmark_sig_init(void)
{
	struct key_restriction *restriction;
	struct key *keyring;

	WRITE_ONCE(keys_ready, true);
	restriction = kzalloc_obj(*restriction);
	if (!restriction)
		return -ENOMEM;
	restriction->check = restrict_link_by_builtin_and_secondary_trusted;
	keyring = keyring_alloc(".execmark", GLOBAL_ROOT_UID, GLOBAL_ROOT_GID,
				current_cred(),
				(KEY_POS_ALL & ~KEY_POS_SETATTR) | KEY_USR_VIEW |
				KEY_USR_READ | KEY_USR_SEARCH | KEY_USR_WRITE,
				KEY_ALLOC_NOT_IN_QUOTA, restriction, NULL);
	if (IS_ERR(keyring)) {
		kfree(restriction);
		pr_err("cannot allocate the .execmark keyring (%ld): signed marks will be denied\n",
		       PTR_ERR(keyring));
		return PTR_ERR(keyring);
	}
	execmark_keyring = keyring;
	return 0;
}

/*
 * der_exact - is @p exactly one DER SEQUENCE of @len bytes?
 *
 * The kernel's ASN.1 decoder ignores bytes after the outer element; a
 * signature must not carry any, so that a mark has one encoding only.
 */
static bool der_exact(const u8 *p, size_t len)
{
	size_t n, hdr = 2, i, k;

	if (len < 2 || p[0] != 0x30)
		return false;
	n = p[1];
	if (n & 0x80) {
		k = n & 0x7f;	/* 0: indefinite length, not DER */
		if (!k || k > 2 || len < 2 + k)
			return false;
		for (n = 0, i = 0; i < k; i++)
			n = n << 8 | p[2 + i];
		hdr += k;
	}
	return hdr + n == len;
}

/* Verify, with the keyring searches marked as our own (execmark_key_used()). */
static int verify_pkcs7(const void *msg, size_t len, const void *sig,
			size_t sig_len)
{
	struct execmark_task *xt = execmark_task(current);
	bool nested = xt && test_and_set_bit(XM_TASK_VERIFYING, &xt->flags);
	int ret;

	ret = verify_pkcs7_signature(msg, len, sig, sig_len, execmark_keyring,
				     VERIFYING_UNSPECIFIED_SIGNATURE, NULL, NULL);
	if (xt && !nested)
		clear_bit(XM_TASK_VERIFYING, &xt->flags);
	return ret;
}

/**
 * execmark_sig_verify - verify the signature of a mark
 * @p: a parsed mark with a signature
 *
 * Sleeps: PKCS#7 parsing and verification allocate with GFP_KERNEL.
 *
 * Return: 0 if a key of the .execmark keyring that is not revoked signed
 * execmark_sig_message() of @p; -ENOMEM; any other -errno is a bad
 * signature.
 */
int execmark_sig_verify(const struct execmark_parsed *p)
{
	u8 msg[EXECMARK_SIG_MSG_MAX];
	unsigned int len;
	int ret;

	if (!execmark_keyring || !p->sig || !p->sig_len)
		return -ENOKEY;
	len = execmark_sig_message(p, msg);
	if (!der_exact(p->sig, p->sig_len))
		ret = -EBADMSG;
	else
		ret = verify_pkcs7(msg, len, p->sig, p->sig_len);
	xm_stat_add(sig_checks, 1);
	if (ret)
		xm_stat_add(sig_failures, 1);
	return ret;
}

#else /* !CONFIG_SECURITY_EXECMARK_SIGNATURES */

u32 execmark_keys_epoch(void)
{
	return 0;
}

void execmark_key_used(const struct key *key, int need)
{
}

bool execmark_digest_revoked(const u8 *digest, unsigned int size)
{
	return false;
}

int __init execmark_sig_init(void)
{
	return 0;
}

int execmark_sig_verify(const struct execmark_parsed *p)
{
	xm_stat_add(sig_checks, 1);
	xm_stat_add(sig_failures, 1);
	return -EOPNOTSUPP;	/* fail closed: no signature is good */
}

#endif /* CONFIG_SECURITY_EXECMARK_SIGNATURES */

#ifdef CONFIG_SECURITY_EXECMARK_KUNIT_TEST
#include <kunit/test.h>

static void signed_parse_test(struct kunit *test)
{
	int s;

	for (s = XM_SIGNED_OFF; s <= XM_SIGNED_LOCKED; s++) {
		const char *name = execmark_signed_name(s);
		char buf[16];

		KUNIT_EXPECT_EQ(test, execmark_signed_parse(name), s);
		snprintf(buf, sizeof(buf), "%s\n", name);
		KUNIT_EXPECT_EQ(test, execmark_signed_parse(buf), s);
	}
	KUNIT_EXPECT_EQ(test, execmark_signed_parse(""), -EINVAL);
	KUNIT_EXPECT_EQ(test, execmark_signed_parse("1"), -EINVAL);
	KUNIT_EXPECT_EQ(test, execmark_signed_parse("lock"), -EINVAL);
	KUNIT_EXPECT_EQ(test, execmark_signed_parse("on\n\n"), -EINVAL);
	KUNIT_EXPECT_STREQ(test, execmark_signed_name(3), "invalid");
	KUNIT_EXPECT_STREQ(test, execmark_signed_name(-1), "invalid");
}

#ifdef CONFIG_SECURITY_EXECMARK_SIGNATURES
static void der_exact_test(struct kunit *test)
{
	static const u8 short_form[] = { 0x30, 0x03, 0x02, 0x01, 0x00 };
	static const u8 long1[] = { 0x30, 0x81, 0x01, 0x00 };
	static const u8 indefinite[] = { 0x30, 0x80, 0x00, 0x00 };
	static const u8 not_seq[] = { 0x31, 0x03, 0x02, 0x01, 0x00 };
	u8 *big = kunit_kzalloc(test, 300, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, big);
	KUNIT_EXPECT_TRUE(test, der_exact(short_form, sizeof(short_form)));
	KUNIT_EXPECT_FALSE(test, der_exact(short_form, sizeof(short_form) - 1));
	KUNIT_EXPECT_FALSE(test, der_exact(short_form, 4));
	KUNIT_EXPECT_TRUE(test, der_exact(long1, sizeof(long1)));
	KUNIT_EXPECT_FALSE(test, der_exact(indefinite, sizeof(indefinite)));
	KUNIT_EXPECT_FALSE(test, der_exact(not_seq, sizeof(not_seq)));
	KUNIT_EXPECT_FALSE(test, der_exact(short_form, 1));
	/* Two length bytes: 0x0128 = 296 bytes of content. */
	big[0] = 0x30;
	big[1] = 0x82;
	big[2] = 0x01;
	big[3] = 0x28;
	KUNIT_EXPECT_TRUE(test, der_exact(big, 300));
	KUNIT_EXPECT_FALSE(test, der_exact(big, 299));	/* cut short */
	big[3] = 0x27;
	KUNIT_EXPECT_FALSE(test, der_exact(big, 300));	/* a byte too many */
	big[1] = 0x83;	/* three length bytes: more than a mark holds */
	KUNIT_EXPECT_FALSE(test, der_exact(big, 300));
}
#endif

static struct kunit_case signed_test_cases[] = {
	KUNIT_CASE(signed_parse_test),
#ifdef CONFIG_SECURITY_EXECMARK_SIGNATURES
	KUNIT_CASE(der_exact_test),
#endif
	{}
};

static struct kunit_suite signed_test_suite = {
	.name = "execmark_signed",
	.test_cases = signed_test_cases,
};

kunit_test_suite(signed_test_suite);

#endif /* CONFIG_SECURITY_EXECMARK_KUNIT_TEST */
