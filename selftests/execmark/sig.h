/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the selftests of signed marks (format version 2): keys and
 * certificates made at run time with libcrypto, the test CA (built into
 * the test kernel's trusted keys; its key is copied into the test
 * initramfs only), the .execmark and .blacklist keyrings, marks and
 * signatures.
 */
#ifndef _EXECMARK_SELFTEST_SIG_H
#define _EXECMARK_SELFTEST_SIG_H

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <linux/fsverity.h>
#include <linux/keyctl.h>

#include "common.h"

#define XM_KEYS		"/usr/lib/execmark/keys/"

/* A signer: a key and its certificate. */
struct xm_signer {
	EVP_PKEY *key;
	X509 *cert;
};

static inline int xm_add_key(const char *type, const char *desc,
			     const void *payload, size_t len, long keyring)
{
	long id = syscall(SYS_add_key, type, desc, payload, len, keyring);

	return id < 0 ? -errno : 0;
}

/* The serial of a keyring of the kernel, by name, from /proc/keys. */
static inline long xm_keyring(const char *name)
{
	char line[512], want[64];
	long id = -1;
	FILE *f = fopen("/proc/keys", "re");

	if (!f)
		return -1;
	snprintf(want, sizeof(want), " %s:", name);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, " keyring ") && strstr(line, want)) {
			id = strtol(line, NULL, 16);
			break;
		}
	fclose(f);
	return id;
}

static inline int xm_load_ca(struct xm_signer *ca)
{
	FILE *f = fopen(XM_KEYS "test-ca.pem", "re");

	ca->cert = NULL;
	ca->key = NULL;
	if (!f)
		return -errno;
	ca->cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	f = fopen(XM_KEYS "test-ca.key", "re");
	if (!f)
		return -errno;
	ca->key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	return ca->cert && ca->key ? 0 : -EIO;
}

static inline int xm_add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return 0;
	ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok;
}

/*
 * A new RSA key and a certificate for it, issued by @ca, or self-signed
 * when @ca is NULL. Return: 0 or -EIO.
 */
static inline int xm_make_signer(struct xm_signer *s, const char *cn,
				 const struct xm_signer *ca)
{
	X509_NAME *name;
	X509 *issuer;
	EVP_PKEY *ikey;
	long serial;

	s->key = EVP_RSA_gen(2048);
	s->cert = X509_new();
	if (!s->key || !s->cert)
		return -EIO;
	issuer = ca ? ca->cert : s->cert;
	ikey = ca ? ca->key : s->key;
	X509_set_version(s->cert, 2);
	if (RAND_bytes((unsigned char *)&serial, sizeof(serial)) != 1)
		return -EIO;
	ASN1_INTEGER_set(X509_get_serialNumber(s->cert), serial & 0x7fffffff);
	X509_gmtime_adj(X509_getm_notBefore(s->cert), -3600);
	X509_gmtime_adj(X509_getm_notAfter(s->cert), 3600L * 24 * 365);
	X509_set_pubkey(s->cert, s->key);
	name = X509_get_subject_name(s->cert);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
				   (const unsigned char *)cn, -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
				   (const unsigned char *)"execmark tests", -1, -1, 0);
	X509_set_issuer_name(s->cert, X509_get_subject_name(issuer));
	if (!xm_add_ext(s->cert, issuer, NID_basic_constraints, "critical,CA:FALSE") ||
	    !xm_add_ext(s->cert, issuer, NID_key_usage, "critical,digitalSignature") ||
	    !xm_add_ext(s->cert, issuer, NID_subject_key_identifier, "hash") ||
	    !xm_add_ext(s->cert, issuer, NID_authority_key_identifier, "keyid:always"))
		return -EIO;
	return X509_sign(s->cert, ikey, EVP_sha256()) > 0 ? 0 : -EIO;
}

/* Add @s's certificate (DER) to a keyring. Return: 0 or -errno. */
static inline int xm_enrol(const struct xm_signer *s, long keyring)
{
	unsigned char *der = NULL;
	int len = i2d_X509(s->cert, &der), ret;

	if (len <= 0)
		return -EIO;
	ret = xm_add_key("asymmetric", "", der, len, keyring);
	OPENSSL_free(der);
	return ret;
}

/*
 * A detached PKCS#7 (CMS) signature, DER, of @len bytes of @msg by @s,
 * without signed attributes, with @s's certificate in it if @cert.
 * Return: its length or -EIO.
 */
static inline int xm_sign_cert(const struct xm_signer *s, const void *msg,
			       size_t len, unsigned char *out, size_t size,
			       int cert)
{
	BIO *in = BIO_new_mem_buf(msg, len);
	unsigned char *der = NULL;
	CMS_ContentInfo *cms;
	int n = -EIO;

	if (!in)
		return -EIO;
	cms = CMS_sign(s->cert, s->key, NULL, in,
		       CMS_BINARY | CMS_DETACHED | (cert ? 0 : CMS_NOCERTS) |
		       CMS_NOATTR | CMS_NOSMIMECAP);
	if (cms) {
		n = i2d_CMS_ContentInfo(cms, &der);
		if (n > 0 && (size_t)n <= size)
			memcpy(out, der, n);
		else
			n = -EIO;
		OPENSSL_free(der);
		CMS_ContentInfo_free(cms);
	}
	BIO_free(in);
	return n;
}

/* As xm_sign_cert(), without the certificate: as the helper signs. */
static inline int xm_sign(const struct xm_signer *s, const void *msg, size_t len,
			  unsigned char *out, size_t size)
{
	return xm_sign_cert(s, msg, len, out, size, 0);
}

/* The digest a mark of @kind and @algo would carry for @path. */
static inline int xm_digest(const char *path, int kind, int algo,
			    unsigned char *digest)
{
	if (kind == EXECMARK_KIND_VERITY) {
		struct {
			struct fsverity_digest d;
			unsigned char buf[64];
		} m = { .d.digest_size = 64 };
		int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

		if (fd < 0)
			return -errno;
		ret = ioctl(fd, FS_IOC_MEASURE_VERITY, &m.d);
		close(fd);
		if (ret)
			return -errno;
		if (m.d.digest_algorithm != algo)
			return -EINVAL;
		memcpy(digest, m.d.digest, m.d.digest_size);
		return 0;
	} else {
		const EVP_MD *md = algo == HASH_ALGO_SHA512 ? EVP_sha512() :
				   algo == HASH_ALGO_SHA384 ? EVP_sha384() : EVP_sha256();
		unsigned char buf[65536];
		EVP_MD_CTX *ctx = EVP_MD_CTX_new();
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n = 0;

		if (fd < 0 || !ctx) {
			EVP_MD_CTX_free(ctx);
			if (fd >= 0)
				close(fd);
			return -EIO;
		}
		EVP_DigestInit_ex(ctx, md, NULL);
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			EVP_DigestUpdate(ctx, buf, n);
		close(fd);
		EVP_DigestFinal_ex(ctx, digest, NULL);
		EVP_MD_CTX_free(ctx);
		return n < 0 ? -EIO : 0;
	}
}

static inline unsigned int xm_dsize(int kind, int algo)
{
	return kind == EXECMARK_KIND_VERITY ? execmark_verity_digest_size(algo) :
					      execmark_digest_size(algo);
}

/*
 * A version 2 mark in @mark (EXECMARK_V2_MAX_SIZE bytes at least) with a
 * signature of @sig_len bytes (none if 0). Return: its length.
 */
static inline size_t xm_mark_v2(unsigned char *mark, int kind, int algo,
				const unsigned char *digest,
				const unsigned char *sig, size_t sig_len)
{
	unsigned int dsize = xm_dsize(kind, algo);
	size_t n = EXECMARK_V2_HDR_SIZE;

	mark[0] = EXECMARK_FORMAT_V2;
	mark[1] = kind;
	mark[2] = algo;
	mark[3] = sig_len ? EXECMARK_FLAG_SIGNED : 0;
	memcpy(mark + n, digest, dsize);
	n += dsize;
	if (!sig_len)
		return n;
	mark[n++] = sig_len & 0xff;
	mark[n++] = sig_len >> 8;
	memcpy(mark + n, sig, sig_len);
	return n + sig_len;
}

/*
 * The signature by @s of the message of a mark that says (@kind, @algo,
 * @digest): what execmark_sig_message() builds. Return: length or -EIO.
 */
static inline int xm_sign_mark_cert(const struct xm_signer *s, int kind, int algo,
				    const unsigned char *digest, unsigned int dsize,
				    unsigned char *sig, size_t size, int cert)
{
	struct execmark_parsed p = {
		.version = EXECMARK_FORMAT_V2, .kind = kind, .algo = algo,
		.dsize = dsize, .digest = digest,
	};
	unsigned char msg[EXECMARK_SIG_MSG_MAX];

	return xm_sign_cert(s, msg, execmark_sig_message(&p, msg), sig, size, cert);
}

static inline int xm_sign_mark(const struct xm_signer *s, int kind, int algo,
			       const unsigned char *digest, unsigned int dsize,
			       unsigned char *sig, size_t size)
{
	return xm_sign_mark_cert(s, kind, algo, digest, dsize, sig, size, 0);
}

/*
 * Mark @path (v2, @kind, @algo), signed by @s if not NULL, the signature
 * carrying @s's certificate if @cert.
 */
static inline int xm_mark_signed_cert(const char *path, int kind, int algo,
				      const struct xm_signer *s, int cert)
{
	unsigned char digest[64], sig[EXECMARK_MAX_SIG], mark[EXECMARK_V2_MAX_SIZE];
	unsigned int dsize = xm_dsize(kind, algo);
	int n = 0;
	size_t len;

	if (xm_digest(path, kind, algo, digest))
		return -EIO;
	if (s) {
		n = xm_sign_mark_cert(s, kind, algo, digest, dsize, sig,
				      sizeof(sig), cert);
		if (n < 0)
			return n;
	}
	len = xm_mark_v2(mark, kind, algo, digest, sig, n);
	return setxattr(path, EXECMARK_XATTR_NAME, mark, len, 0) ? -errno : 0;
}

/* Mark @path (v2, @kind, @algo), signed by @s if not NULL. */
static inline int xm_mark_signed(const char *path, int kind, int algo,
				 const struct xm_signer *s)
{
	return xm_mark_signed_cert(path, kind, algo, s, 0);
}

/*
 * Write the mark of @path again, the same bytes: a new mark generation,
 * judged afresh. Return: 0 or -errno.
 */
static inline int xm_remark(const char *path)
{
	unsigned char mark[EXECMARK_V2_MAX_SIZE];
	ssize_t n = getxattr(path, EXECMARK_XATTR_NAME, mark, sizeof(mark));

	if (n < 0)
		return -errno;
	return setxattr(path, EXECMARK_XATTR_NAME, mark, n, 0) ? -errno : 0;
}

/*
 * An entry "@type:HEX of @digest" of the .blacklist keyring, whose
 * description the built-in CA signs. Return: 0 or -errno.
 */
static inline int xm_blacklist(const struct xm_signer *ca, const char *type,
			       const unsigned char *digest, unsigned int dsize)
{
	char desc[4 + 2 * 64 + 1];
	unsigned char sig[4096];
	unsigned int i;
	long bl = xm_keyring(".blacklist");
	int n;

	if (bl < 0)
		return -ENOKEY;
	if (strlen(type) != 3 || dsize > 64)
		return -EINVAL;
	sprintf(desc, "%s:", type);
	for (i = 0; i < dsize; i++)
		sprintf(desc + 4 + 2 * i, "%02x", digest[i]);
	n = xm_sign(ca, desc, strlen(desc), sig, sizeof(sig));
	if (n < 0)
		return n;
	return xm_add_key("blacklist", desc, sig, n, bl);
}

/* Revoke a digest: a "bin:" entry of .blacklist. Return: 0 or -errno. */
static inline int xm_revoke(const struct xm_signer *ca, const unsigned char *digest,
			    unsigned int dsize)
{
	return xm_blacklist(ca, "bin", digest, dsize);
}

/*
 * Revoke a certificate: a "tbs:" entry of .blacklist with the SHA-256 of
 * its TBSCertificate. Return: 0 or -errno.
 */
static inline int xm_revoke_cert(const struct xm_signer *ca, X509 *cert)
{
	unsigned char *tbs = NULL, d[32];
	int len = i2d_re_X509_tbs(cert, &tbs);

	if (len <= 0)
		return -EIO;
	SHA256(tbs, len, d);
	OPENSSL_free(tbs);
	return xm_blacklist(ca, "tbs", d, 32);
}

/*
 * A line of the digest allow-list for the SHA-256 @d: "+sha256:HEX\n", or
 * with @sig_len bytes of @sig "+sha256:HEX sig:HEX\n". @line holds
 * XM_LIST_LINE_MAX bytes.
 */
#define XM_LIST_LINE_MAX	(80 + 5 + 2 * EXECMARK_MAX_SIG)

static inline char *xm_list_line(char *line, char op, const unsigned char *d,
				 const unsigned char *sig, size_t sig_len)
{
	char *p = line + sprintf(line, "%csha256:", op);
	size_t i;

	for (i = 0; i < 32; i++)
		p += sprintf(p, "%02x", d[i]);
	if (sig_len)
		p += sprintf(p, " sig:");
	for (i = 0; i < sig_len; i++)
		p += sprintf(p, "%02x", sig[i]);
	strcpy(p, "\n");
	return line;
}

/*
 * The line that adds @path's SHA-256 to the allow-list, signed by @s over
 * @over's digest (@path's when NULL), unsigned when @s is NULL.
 */
static inline int xm_signed_line(char *line, const char *path,
				 const struct xm_signer *s, const char *over)
{
	unsigned char d[64], o[64], sig[EXECMARK_MAX_SIG];
	int n = 0;

	if (xm_digest(path, EXECMARK_KIND_CONTENT, HASH_ALGO_SHA256, d) ||
	    xm_digest(over ?: path, EXECMARK_KIND_CONTENT, HASH_ALGO_SHA256, o))
		return -EIO;
	if (s) {
		n = xm_sign_mark(s, EXECMARK_KIND_CONTENT, HASH_ALGO_SHA256, o, 32,
				 sig, sizeof(sig));
		if (n < 0)
			return n;
	}
	xm_list_line(line, '+', d, sig, n);
	return 0;
}

/* Run @path with no arguments. Return: as xm_run(). */
static inline int xm_exec(const char *path)
{
	char *const argv[] = { (char *)path, NULL }, *const envp[] = { NULL };

	return xm_run(argv, envp, NULL, 0);
}

/*
 * A copy of busybox (runs "true" by its name) with @tag appended, so that
 * its digest is its own: revocations must not hit other tests' files.
 */
static inline int xm_unique_true(const char *path)
{
	unsigned char tag[16];
	char hex[40];
	unsigned int i;

	if (xm_copy(XM_BUSYBOX, path, 0755) || RAND_bytes(tag, sizeof(tag)) != 1)
		return -EIO;
	for (i = 0; i < sizeof(tag); i++)
		sprintf(hex + 2 * i, "%02x", tag[i]);
	return xm_append(path, hex);
}

#endif /* _EXECMARK_SELFTEST_SIG_H */
