/*
 * PKCS#11 tokens: the only place the CA's private keys are touched.
 *
 * The module (SoftHSM2 by default, an HSM or a smart card in production)
 * is loaded with dlopen and driven directly through its function list.
 * Keys are generated on the token as sensitive and non-extractable; the
 * EVP_PKEY handed out for a key holds only its public half and performs
 * every private operation by C_Sign on the token, so OpenSSL's ordinary
 * X509_sign, X509_CRL_sign and OCSP_basic_sign work with it.
 */
#ifndef QCRA_CA_P11_H
#define QCRA_CA_P11_H

#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

enum p11_alg { P11_ALG_EC_P256, P11_ALG_EC_P384, P11_ALG_RSA_3072, P11_ALG__MAX };

/* "ec-p256", "ec-p384", "rsa-3072".  0 or -1 for an unknown name. */
int p11_alg_parse(const char *s, enum p11_alg *out);
const char *p11_alg_name(enum p11_alg a);

struct p11;         /* a loaded, initialised module */
struct p11_session; /* a logged-in session on one token */

/* Loads and initialises the module at path.  NULL on error (err set). */
struct p11 *p11_open(const char *path, char *err, size_t errlen);
void p11_close(struct p11 *p);

/* Initialises the first uninitialised token of the module with label and
 * SO PIN, then sets the user PIN.  0 or -1 (err set). */
int p11_token_init(struct p11 *p, const char *label, const char *so_pin, const char *pin, char *err,
		   size_t errlen);

/* Opens a read-write session on the token labelled label and logs in as
 * user.  NULL on error (err set).  Keys obtained from the session must
 * be freed before the session is closed. */
struct p11_session *p11_login(struct p11 *p, const char *label, const char *pin, char *err,
			      size_t errlen);
void p11_logout(struct p11_session *s);

/* Generates a key pair on the token (private key sensitive,
 * non-extractable, sign only) with the given label.  Returns an EVP_PKEY
 * signing through the token, owned by the caller; NULL on error. */
EVP_PKEY *p11_keygen(struct p11_session *s, enum p11_alg alg, const char *label, char *err,
		     size_t errlen);

/* Finds the private key labelled label on the token.  As p11_keygen. */
EVP_PKEY *p11_key_find(struct p11_session *s, const char *label, char *err, size_t errlen);

/* Stores a certificate on the token next to the key labelled label.
 * 0 or -1. */
int p11_cert_store(struct p11_session *s, X509 *x, const char *label, char *err, size_t errlen);

/* 1 when the key labelled label is on the token and refuses extraction
 * (CKA_SENSITIVE true, CKA_EXTRACTABLE false); 0 otherwise. */
int p11_key_is_protected(struct p11_session *s, const char *label);

/* Fills pin with n random decimal digits and a NUL (n + 1 bytes). */
int p11_random_pin(char *pin, size_t n);

#endif
