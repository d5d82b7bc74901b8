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
#include <linux/random.h>
#include <linux/unaligned.h>
#include <linux/verification.h>
#include <crypto/sha2.h>
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
static atomic64_t keys_epoch = ATOMIC64_INIT(0);	/* 64 bits: never wraps */
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
	atomic64_inc(&keys_epoch);
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
		atomic64_inc(&keys_epoch);
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
u64 execmark_keys_epoch(void)
{
	time64_t now = ktime_get_real_seconds();

	if (unlikely(now >= READ_ONCE(next_expiry)))
		keys_expired(now);
	return atomic64_read(&keys_epoch);
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
	atomic64_inc(&keys_epoch);
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

/*
 * Verifications that succeeded, so that a mark written again, or read again
 * after its inode was evicted, is not verified again: an RSA-2048 PKCS#7
 * verification costs about 1.2e6 instructions, twice a whole exec of a
 * small program. An entry is the SHA-256 of the signed message and the
 * signature (sig_id()) and the keys epoch read before they were verified;
 * it counts only while the epoch is still the same, so every change that
 * drops the cached verdicts (a key of .execmark added, unlinked, revoked,
 * invalidated or expired, an entry added to .blacklist) retires every entry
 * too. Failures are never cached. Fixed size, XM_SIG_SETS sets of
 * XM_SIG_WAYS entries in static memory: nothing is allocated, and only
 * signatures that verified against .execmark ever get in.
 */
#define XM_SIG_SETS	32
#define XM_SIG_WAYS	16

struct xm_sig_entry {
	u64 epoch;
	u8 id[SHA256_DIGEST_SIZE];
	bool used;
};

struct xm_sig_cache {
	spinlock_t lock;	/* serialises lookups and updates of @set */
	struct xm_sig_entry set[XM_SIG_SETS][XM_SIG_WAYS];
};

static struct xm_sig_cache sig_cache = {
	.lock = __SPIN_LOCK_UNLOCKED(sig_cache.lock),
};

/*
 * sig_id - what a verification is cached under
 * @msg: the signed message, execmark_sig_message()
 * @len: its length
 * @sig: the signature
 * @sig_len: its length
 * @id: the result, SHA-256 of the length of @msg, @msg and @sig
 *
 * The length prefix makes the split between message and signature part of
 * what is hashed.
 */
static void sig_id(const u8 *msg, unsigned int len, const u8 *sig,
		   unsigned int sig_len, u8 id[SHA256_DIGEST_SIZE])
{
	struct sha256_ctx ctx;
	__le32 n = cpu_to_le32(len);

	sha256_init(&ctx);
	sha256_update(&ctx, (const u8 *)&n, sizeof(n));
	sha256_update(&ctx, msg, len);
	sha256_update(&ctx, sig, sig_len);
	sha256_final(&ctx, id);
}

/* The set of @id: SHA-256 output is uniform, its first bytes choose. */
static struct xm_sig_entry *sig_set(struct xm_sig_cache *c, const u8 *id)
{
	return c->set[get_unaligned_le32(id) % XM_SIG_SETS];
}

/* Whether @id verified under @epoch. Never sleeps. */
static bool sig_cache_get(struct xm_sig_cache *c, const u8 *id, u64 epoch)
{
	struct xm_sig_entry *set = sig_set(c, id);
	bool hit = false;
	unsigned int i;

	spin_lock(&c->lock);
	for (i = 0; i < XM_SIG_WAYS && !hit; i++)
		hit = set[i].used && set[i].epoch == epoch &&
		      !memcmp(set[i].id, id, SHA256_DIGEST_SIZE);
	spin_unlock(&c->lock);
	return hit;
}

/*
 * Record that @id verified under @epoch: in its own entry if it has one,
 * else in a free entry or one of another epoch, else in the entry @victim
 * (random: no order of accesses makes a set miss every time). Never sleeps.
 */
static void sig_cache_put(struct xm_sig_cache *c, const u8 *id, u64 epoch,
			  unsigned int victim)
{
	struct xm_sig_entry *set = sig_set(c, id), *e = NULL;
	unsigned int i;

	spin_lock(&c->lock);
	for (i = 0; i < XM_SIG_WAYS; i++) {
		if (set[i].used && !memcmp(set[i].id, id, SHA256_DIGEST_SIZE)) {
			e = &set[i];
			break;
		}
		if (!e && (!set[i].used || set[i].epoch != epoch))
			e = &set[i];
	}
	if (!e)
		e = &set[victim % XM_SIG_WAYS];
	memcpy(e->id, id, SHA256_DIGEST_SIZE);
	e->epoch = epoch;
	e->used = true;
	spin_unlock(&c->lock);
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
 * A signature that verified under the same keys before (the same message
 * and signature bytes, the keys epoch unchanged) is not verified again.
 * Sleeps: PKCS#7 parsing and verification allocate with GFP_KERNEL.
 *
 * Return: 0 if a key of the .execmark keyring that is not revoked signed
 * execmark_sig_message() of @p; -ENOMEM; any other -errno is a bad
 * signature.
 */
int execmark_sig_verify(const struct execmark_parsed *p)
{
	u8 msg[EXECMARK_SIG_MSG_MAX], id[SHA256_DIGEST_SIZE];
	unsigned int len;
	u64 epoch;
	int ret;

	if (!execmark_keyring || !p->sig || !p->sig_len)
		return -ENOKEY;
	len = execmark_sig_message(p, msg);
	if (!der_exact(p->sig, p->sig_len)) {
		ret = -EBADMSG;
	} else {
		/* Read before verifying: a change meanwhile retires the entry. */
		epoch = execmark_keys_epoch();
		sig_id(msg, len, p->sig, p->sig_len, id);
		if (sig_cache_get(&sig_cache, id, epoch)) {
			xm_stat_add(sig_cache_hits, 1);
			return 0;
		}
		ret = verify_pkcs7(msg, len, p->sig, p->sig_len);
		if (!ret)
			sig_cache_put(&sig_cache, id, epoch, get_random_u32());
	}
	xm_stat_add(sig_checks, 1);
	if (ret)
		xm_stat_add(sig_failures, 1);
	return ret;
}

#else /* !CONFIG_SECURITY_EXECMARK_SIGNATURES */

u64 execmark_keys_epoch(void)
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

/* Message and signature make the id; so does where one ends. */
static void sig_id_test(struct kunit *test)
{
	static const u8 ab[] = { 'a', 'b' };
	u8 a[SHA256_DIGEST_SIZE], b[SHA256_DIGEST_SIZE];

	sig_id(ab, 2, ab, 2, a);
	sig_id(ab, 2, ab, 2, b);
	KUNIT_EXPECT_MEMEQ(test, a, b, SHA256_DIGEST_SIZE);
	sig_id(ab, 1, ab, 2, b);
	KUNIT_EXPECT_MEMNEQ(test, a, b, SHA256_DIGEST_SIZE);
	sig_id(ab, 2, ab, 1, b);
	KUNIT_EXPECT_MEMNEQ(test, a, b, SHA256_DIGEST_SIZE);
	/* "ab" + "a" is not "a" + "ba". */
	sig_id(ab, 2, ab, 1, a);
	sig_id(ab, 1, (const u8 *)"ba", 2, b);
	KUNIT_EXPECT_MEMNEQ(test, a, b, SHA256_DIGEST_SIZE);
}

/* An id of set @s, distinct per @n. */
static void test_id(u8 *id, unsigned int s, u8 n)
{
	memset(id, n, SHA256_DIGEST_SIZE);
	put_unaligned_le32(s, id);
}

static void sig_cache_test(struct kunit *test)
{
	struct xm_sig_cache *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	u8 id[SHA256_DIGEST_SIZE], other[SHA256_DIGEST_SIZE];
	unsigned int i, n;

	KUNIT_ASSERT_NOT_NULL(test, c);
	spin_lock_init(&c->lock);
	test_id(id, 5, 1);
	test_id(other, 5, 2);
	KUNIT_EXPECT_FALSE(test, sig_cache_get(c, id, 0));
	sig_cache_put(c, id, 7, 0);
	KUNIT_EXPECT_TRUE(test, sig_cache_get(c, id, 7));
	/* Another epoch, another id: no. */
	KUNIT_EXPECT_FALSE(test, sig_cache_get(c, id, 8));
	KUNIT_EXPECT_FALSE(test, sig_cache_get(c, id, 6));
	KUNIT_EXPECT_FALSE(test, sig_cache_get(c, other, 7));
	id[SHA256_DIGEST_SIZE - 1] ^= 1;
	KUNIT_EXPECT_FALSE(test, sig_cache_get(c, id, 7));
	id[SHA256_DIGEST_SIZE - 1] ^= 1;
	/* Put again under a new epoch: one entry, the new epoch only. */
	sig_cache_put(c, id, 8, 3);
	KUNIT_EXPECT_FALSE(test, sig_cache_get(c, id, 7));
	KUNIT_EXPECT_TRUE(test, sig_cache_get(c, id, 8));
	for (i = 0, n = 0; i < XM_SIG_WAYS; i++)
		n += c->set[5][i].used;
	KUNIT_EXPECT_EQ(test, n, 1);
	/* A full set of the current epoch: the victim goes, the rest stay. */
	for (i = 1; i < XM_SIG_WAYS; i++) {
		test_id(other, 5, 10 + i);
		sig_cache_put(c, other, 8, 0);
	}
	KUNIT_EXPECT_TRUE(test, sig_cache_get(c, id, 8));
	KUNIT_EXPECT_EQ(test, c->set[5][0].epoch, 8);
	test_id(other, 5, 99);
	sig_cache_put(c, other, 8, XM_SIG_WAYS + 2);
	KUNIT_EXPECT_TRUE(test, sig_cache_get(c, other, 8));
	for (i = 0, n = 0; i < XM_SIG_WAYS; i++)
		n += sig_cache_get(c, c->set[5][i].id, 8);
	KUNIT_EXPECT_EQ(test, n, XM_SIG_WAYS);
	test_id(other, 5, 12);	/* was in way 2, the victim */
	KUNIT_EXPECT_FALSE(test, sig_cache_get(c, other, 8));
	/* Other sets are untouched. */
	test_id(other, 6, 1);
	KUNIT_EXPECT_FALSE(test, sig_cache_get(c, other, 8));
	/* An entry of an older epoch is replaced before any current one. */
	sig_cache_put(c, id, 9, 0);
	test_id(other, 5, 100);
	sig_cache_put(c, other, 9, 0);
	KUNIT_EXPECT_TRUE(test, sig_cache_get(c, id, 9));
	KUNIT_EXPECT_TRUE(test, sig_cache_get(c, other, 9));
}
#endif

static struct kunit_case signed_test_cases[] = {
	KUNIT_CASE(signed_parse_test),
#ifdef CONFIG_SECURITY_EXECMARK_SIGNATURES
	KUNIT_CASE(der_exact_test),
	KUNIT_CASE(sig_id_test),
	KUNIT_CASE(sig_cache_test),
#endif
	{}
};

static struct kunit_suite signed_test_suite = {
	.name = "execmark_signed",
	.test_cases = signed_test_cases,
};

kunit_test_suite(signed_test_suite);

#endif /* CONFIG_SECURITY_EXECMARK_KUNIT_TEST */
