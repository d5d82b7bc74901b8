// SPDX-License-Identifier: GPL-2.0
/*
 * execmark helper: signing marks and checking their signatures, with
 * OpenSSL's CMS code.
 *
 * A signed mark (format version 2, EXECMARK_FLAG_SIGNED) carries a
 * detached PKCS#7 signature in DER over the message of
 * execmark_sig_message(): "EXECMARK", version, kind, algorithm, digest size
 * and digest. It is made as "openssl cms -sign -binary -noattr -nocerts
 * -md sha256 -outform DER" makes it: one signer, identified by the issuer
 * and serial number of its certificate, no signed attributes, SHA-256, and
 * no certificate. The kernel finds the signer's key by issuer and serial
 * number in its .execmark keyring and trusts nothing a signature carries,
 * so a certificate inside would only cost room in the mark (about 800
 * bytes for RSA-2048, more than the signature itself; EXECMARK_MAX_SIG
 * bounds a signature at 2048 bytes) and would not be used.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "sign.h"
#include "util.h"

struct signer {
	EVP_PKEY *key;
	X509 *cert;
};

struct sig_cert {
	X509 *cert;
};

/* The last OpenSSL error of this thread, as text, and clear the queue. */
static const char *ossl_error(char *buf, size_t len)
{
	unsigned long e = ERR_peek_last_error();

	if (!e) {
		snprintf(buf, len, "unknown OpenSSL error");
	} else {
		const char *r = ERR_reason_error_string(e);

		if (r)
			snprintf(buf, len, "%s", r);
		else
			ERR_error_string_n(e, buf, len);
	}
	ERR_clear_error();
	return buf;
}

/* A certificate in PEM or DER. NULL after saying why. */
static X509 *read_cert(const char *path)
{
	BIO *b = BIO_new_file(path, "rb");
	X509 *x;
	char err[256];

	if (!b) {
		warn_path(path, "cannot open the certificate: %s", strerror(errno));
		ERR_clear_error();
		return NULL;
	}
	x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	if (!x && BIO_reset(b) == 0)
		x = d2i_X509_bio(b, NULL);
	BIO_free(b);
	if (!x)
		warn_path(path, "not an X.509 certificate in PEM or DER (%s)",
			  ossl_error(err, sizeof(err)));
	ERR_clear_error();
	return x;
}

/* A private key in PEM (PKCS#8 or traditional) or DER. */
static EVP_PKEY *read_key(const char *path)
{
	BIO *b = BIO_new_file(path, "rb");
	EVP_PKEY *k;
	char err[256];

	if (!b) {
		warn_path(path, "cannot open the private key: %s", strerror(errno));
		ERR_clear_error();
		return NULL;
	}
	k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	if (!k && BIO_reset(b) == 0)
		k = d2i_PrivateKey_bio(b, NULL);
	BIO_free(b);
	if (!k)
		warn_path(path, "not a private key in PEM or DER, or a wrong passphrase (%s)",
			  ossl_error(err, sizeof(err)));
	ERR_clear_error();
	return k;
}

/* Key types the kernel's PKCS#7 code verifies: RSA (PKCS#1 v1.5) and ECDSA. */
static bool kernel_key_type(EVP_PKEY *k)
{
	int id = EVP_PKEY_get_base_id(k);

	return id == EVP_PKEY_RSA || id == EVP_PKEY_EC;
}

/*
 * signer_load - the key and certificate that sign marks
 *
 * Return: the signer, or NULL after saying what is wrong with the files.
 */
struct signer *signer_load(const char *keyfile, const char *certfile)
{
	struct signer *s = xcalloc(1, sizeof(*s));

	s->cert = read_cert(certfile);
	s->key = read_key(keyfile);
	if (!s->cert || !s->key)
		goto fail;
	if (!kernel_key_type(s->key)) {
		warn_path(keyfile, "a key of type %s: the kernel verifies RSA and ECDSA signatures only",
			  EVP_PKEY_get0_type_name(s->key));
		goto fail;
	}
	if (X509_check_private_key(s->cert, s->key) != 1) {
		ERR_clear_error();
		warnmsg("%s is not the private key of the certificate %s", keyfile,
			certfile);
		goto fail;
	}
	return s;
fail:
	signer_free(s);
	return NULL;
}

void signer_free(struct signer *s)
{
	if (!s)
		return;
	EVP_PKEY_free(s->key);
	X509_free(s->cert);
	free(s);
}

/*
 * signer_sign - sign the mark @p (version 2; its flags and any signature
 * are not part of the message)
 * @sig: EXECMARK_MAX_SIG bytes; receives the DER signature
 * @sig_len: receives its length
 *
 * Return: 0, -EMSGSIZE if the signature would not fit in a mark, or -EIO
 * (OpenSSL failed; its error queue is cleared).
 */
int signer_sign(const struct signer *s, const struct execmark_parsed *p,
		unsigned char *sig, size_t *sig_len)
{
	const unsigned int flags = CMS_DETACHED | CMS_BINARY | CMS_NOATTR |
				   CMS_NOCERTS | CMS_NOSMIMECAP | CMS_PARTIAL;
	unsigned char msg[EXECMARK_SIG_MSG_MAX], *der = NULL;
	unsigned int mlen = execmark_sig_message(p, msg);
	CMS_ContentInfo *cms = NULL;
	BIO *in = BIO_new_mem_buf(msg, mlen);
	int len, ret = -EIO;

	if (!in)
		goto out;
	cms = CMS_sign(NULL, NULL, NULL, NULL, flags);
	if (!cms ||
	    !CMS_add1_signer(cms, s->cert, s->key, EVP_sha256(), flags) ||
	    !CMS_final(cms, in, NULL, flags & ~CMS_PARTIAL))
		goto out;
	len = i2d_CMS_ContentInfo(cms, &der);
	if (len <= 0)
		goto out;
	if (len > EXECMARK_MAX_SIG) {
		ret = -EMSGSIZE;
		goto out;
	}
	memcpy(sig, der, len);
	*sig_len = len;
	ret = 0;
out:
	OPENSSL_free(der);
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	ERR_clear_error();
	return ret;
}

/* The certificate that verify --cert checks signatures against. */
struct sig_cert *sig_cert_load(const char *certfile)
{
	struct sig_cert *c;
	X509 *x = read_cert(certfile);

	if (!x)
		return NULL;
	c = xcalloc(1, sizeof(*c));
	c->cert = x;
	return c;
}

void sig_cert_free(struct sig_cert *c)
{
	if (!c)
		return;
	X509_free(c->cert);
	free(c);
}

/*
 * sig_check - check the signature of the signed mark @p as the kernel
 * would with @c's key in its .execmark keyring: a DER PKCS#7 SignedData of
 * exactly the signature's length, with detached content, each signer's
 * signature good over execmark_sig_message() of @p and made with @c's key.
 * The certificate is trusted as a key in .execmark is: its own chain is
 * not checked (the kernel checked it when the key was added).
 *
 * Return: NULL if the signature is good, otherwise why it is not.
 */
const char *sig_check(const struct sig_cert *c, const struct execmark_parsed *p)
{
	const unsigned int flags = CMS_BINARY | CMS_NOINTERN |
				   CMS_NO_SIGNER_CERT_VERIFY;
	unsigned char msg[EXECMARK_SIG_MSG_MAX];
	unsigned int mlen = execmark_sig_message(p, msg);
	const unsigned char *der = p->sig;
	STACK_OF(X509) *certs = NULL;
	CMS_ContentInfo *cms;
	BIO *data = NULL, *mem;
	const char *why = NULL;

	cms = d2i_CMS_ContentInfo(NULL, &der, p->sig_len);
	if (!cms) {
		why = "not a PKCS#7 signature in DER (truncated or damaged)";
		goto out;
	}
	if (der != p->sig + p->sig_len) {
		why = "bytes after the PKCS#7 signature";
		goto out;
	}
	if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
		why = "a PKCS#7 message that is not SignedData";
		goto out;
	}
	if (!CMS_is_detached(cms)) {
		why = "the signature carries content (not detached)";
		goto out;
	}
	/*
	 * The message reaches CMS_verify() through a buffering BIO, not as
	 * the memory BIO itself: given a memory BIO, OpenSSL 3.0 copies it
	 * into a new one that it leaks when the signature names a digest it
	 * cannot set up (found by fuzz/sig.c).
	 */
	certs = sk_X509_new_null();
	mem = BIO_new_mem_buf(msg, mlen);
	data = BIO_new(BIO_f_buffer());
	if (!certs || !mem || !data || !sk_X509_push(certs, c->cert)) {
		why = "out of memory";
		BIO_free(mem);
		goto out;
	}
	BIO_push(data, mem);
	if (CMS_verify(cms, certs, NULL, data, NULL, flags) != 1) {
		unsigned long e = ERR_peek_last_error();

		if (ERR_GET_LIB(e) == ERR_LIB_CMS &&
		    ERR_GET_REASON(e) == CMS_R_SIGNER_CERTIFICATE_NOT_FOUND)
			why = "not signed with the key of the certificate";
		else
			why = "the signature does not match the mark (another digest, kind or algorithm, or a damaged signature)";
	}
out:
	sk_X509_free(certs);
	BIO_free_all(data);
	CMS_ContentInfo_free(cms);
	ERR_clear_error();
	return why;
}
