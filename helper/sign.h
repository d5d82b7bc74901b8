/* SPDX-License-Identifier: GPL-2.0 */
/*
 * execmark helper: signatures of marks (sign.c): a detached PKCS#7 (CMS)
 * signature, DER, over the message execmark_sig_message() defines, made and
 * checked with OpenSSL's CMS code.
 */
#ifndef EXECMARK_SIGN_H
#define EXECMARK_SIGN_H

#include <stddef.h>

#include "execmark.h"

struct signer;

struct signer *signer_load(const char *keyfile, const char *certfile);
void signer_free(struct signer *s);
int signer_sign(const struct signer *s, const struct execmark_parsed *p,
		unsigned char *sig, size_t *sig_len);

struct sig_cert;

struct sig_cert *sig_cert_load(const char *certfile);
void sig_cert_free(struct sig_cert *c);
const char *sig_check(const struct sig_cert *c, const struct execmark_parsed *p);

#endif /* EXECMARK_SIGN_H */
