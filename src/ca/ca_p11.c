/*
 * PKCS#11 driven directly (no pkcs11-provider in Debian 12, and libp11
 * 0.4.12 cannot generate EC keys).  The token key is wrapped as an
 * OpenSSL "foreign" EC_KEY / RSA whose method signs with C_Sign: the
 * route libp11 itself takes on OpenSSL 3.  Those method APIs are
 * deprecated in OpenSSL 3 but supported for its whole lifetime; this
 * file alone uses them, hence the suppression below.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "ca/ca_p11.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <p11-kit/pkcs11.h>

struct p11 {
	void *dl;
	CK_FUNCTION_LIST *f;
};

struct p11_session {
	struct p11 *p;
	CK_SESSION_HANDLE h;
	pthread_mutex_t lock; /* one operation at a time per session */
};

/* What a wrapped key needs to sign: attached to the EC_KEY/RSA. */
struct p11_keyref {
	struct p11_session *s;
	CK_OBJECT_HANDLE obj;
};

static const char *const alg_names[P11_ALG__MAX] = {"ec-p256", "ec-p384", "rsa-3072"};

int p11_alg_parse(const char *s, enum p11_alg *out)
{
	int i;

	for (i = 0; i < P11_ALG__MAX; i++)
		if (strcmp(s, alg_names[i]) == 0) {
			*out = (enum p11_alg)i;
			return 0;
		}
	return -1;
}

const char *p11_alg_name(enum p11_alg a)
{
	return a < P11_ALG__MAX ? alg_names[a] : "?";
}

static void seterr(char *err, size_t errlen, const char *what, CK_RV rv)
{
	if (err != NULL)
		snprintf(err, errlen, "%s: PKCS#11 error 0x%lx", what, (unsigned long)rv);
}

struct p11 *p11_open(const char *path, char *err, size_t errlen)
{
	CK_C_GetFunctionList getfl;
	CK_C_INITIALIZE_ARGS args;
	struct p11 *p;
	CK_RV rv;

	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	p->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (p->dl == NULL) {
		snprintf(err, errlen, "cannot load PKCS#11 module %s: %s", path, dlerror());
		goto err;
	}
	*(void **)&getfl = dlsym(p->dl, "C_GetFunctionList");
	if (getfl == NULL || getfl(&p->f) != CKR_OK) {
		snprintf(err, errlen, "%s is not a PKCS#11 module", path);
		goto err;
	}
	memset(&args, 0, sizeof(args));
	args.flags = CKF_OS_LOCKING_OK;
	rv = p->f->C_Initialize(&args);
	if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
		seterr(err, errlen, "C_Initialize", rv);
		goto err;
	}
	return p;
err:
	if (p->dl != NULL)
		dlclose(p->dl);
	free(p);
	return NULL;
}

void p11_close(struct p11 *p)
{
	if (p == NULL)
		return;
	p->f->C_Finalize(NULL);
	dlclose(p->dl);
	free(p);
}

/* Token labels are 32 bytes padded with spaces (PKCS#11 2.40 3.2). */
static void label_pad(CK_UTF8CHAR out[32], const char *label)
{
	size_t n = strlen(label);

	memset(out, ' ', 32);
	memcpy(out, label, n > 32 ? 32 : n);
}

/* Finds the slot whose token has label (initialised == 1) or the first
 * slot with an uninitialised token (label NULL).  0 or -1. */
static int slot_find(struct p11 *p, const char *label, CK_SLOT_ID *out)
{
	CK_SLOT_ID *slots = NULL;
	CK_ULONG n = 0, i;
	CK_UTF8CHAR want[32];
	int rc = -1;

	if (label != NULL)
		label_pad(want, label);
	if (p->f->C_GetSlotList(CK_TRUE, NULL, &n) != CKR_OK || n == 0)
		return -1;
	slots = calloc(n, sizeof(*slots));
	if (slots == NULL || p->f->C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK)
		goto out;
	for (i = 0; i < n; i++) {
		CK_TOKEN_INFO ti;

		if (p->f->C_GetTokenInfo(slots[i], &ti) != CKR_OK)
			continue;
		if (label == NULL ? !(ti.flags & CKF_TOKEN_INITIALIZED)
				  : ((ti.flags & CKF_TOKEN_INITIALIZED) &&
				     memcmp(ti.label, want, 32) == 0)) {
			*out = slots[i];
			rc = 0;
			break;
		}
	}
out:
	free(slots);
	return rc;
}

int p11_token_init(struct p11 *p, const char *label, const char *so_pin, const char *pin, char *err,
		   size_t errlen)
{
	CK_SESSION_HANDLE h = CK_INVALID_HANDLE;
	CK_UTF8CHAR lab[32];
	CK_SLOT_ID slot;
	CK_RV rv;

	if (slot_find(p, label, &slot) == 0) {
		snprintf(err, errlen, "a token labelled \"%s\" already exists", label);
		return -1;
	}
	if (slot_find(p, NULL, &slot) != 0) {
		snprintf(err, errlen, "no free token slot");
		return -1;
	}
	label_pad(lab, label);
	rv = p->f->C_InitToken(slot, (CK_UTF8CHAR *)so_pin, strlen(so_pin), lab);
	if (rv != CKR_OK) {
		seterr(err, errlen, "C_InitToken", rv);
		return -1;
	}
	/* SoftHSM moves an initialised token to a new slot id. */
	if (slot_find(p, label, &slot) != 0) {
		snprintf(err, errlen, "token \"%s\" vanished after initialisation", label);
		return -1;
	}
	rv = p->f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &h);
	if (rv == CKR_OK)
		rv = p->f->C_Login(h, CKU_SO, (CK_UTF8CHAR *)so_pin, strlen(so_pin));
	if (rv == CKR_OK) {
		rv = p->f->C_InitPIN(h, (CK_UTF8CHAR *)pin, strlen(pin));
		p->f->C_Logout(h);
	}
	if (h != CK_INVALID_HANDLE)
		p->f->C_CloseSession(h);
	if (rv != CKR_OK) {
		seterr(err, errlen, "setting the user PIN", rv);
		return -1;
	}
	return 0;
}

struct p11_session *p11_login(struct p11 *p, const char *label, const char *pin, char *err,
			      size_t errlen)
{
	struct p11_session *s;
	CK_SLOT_ID slot;
	CK_RV rv;

	if (slot_find(p, label, &slot) != 0) {
		snprintf(err, errlen, "no token labelled \"%s\"", label);
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->p = p;
	rv = p->f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s->h);
	if (rv != CKR_OK) {
		seterr(err, errlen, "C_OpenSession", rv);
		free(s);
		return NULL;
	}
	rv = p->f->C_Login(s->h, CKU_USER, (CK_UTF8CHAR *)pin, strlen(pin));
	if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
		seterr(err, errlen, "C_Login", rv);
		p->f->C_CloseSession(s->h);
		free(s);
		return NULL;
	}
	pthread_mutex_init(&s->lock, NULL);
	return s;
}

void p11_logout(struct p11_session *s)
{
	if (s == NULL)
		return;
	s->p->f->C_Logout(s->h);
	s->p->f->C_CloseSession(s->h);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* C_Sign with mechanism mech over in; sig receives at most *siglen
 * bytes.  0 or -1. */
static int token_sign(struct p11_keyref *k, CK_MECHANISM_TYPE mech, const unsigned char *in,
		      size_t inlen, unsigned char *sig, CK_ULONG *siglen)
{
	CK_MECHANISM m = {mech, NULL, 0};
	CK_FUNCTION_LIST *f = k->s->p->f;
	CK_RV rv;

	pthread_mutex_lock(&k->s->lock);
	rv = f->C_SignInit(k->s->h, &m, k->obj);
	if (rv == CKR_OK)
		rv = f->C_Sign(k->s->h, (CK_BYTE *)in, inlen, sig, siglen);
	pthread_mutex_unlock(&k->s->lock);
	return rv == CKR_OK ? 0 : -1;
}

/* ---- OpenSSL key methods ---- */

static int ec_idx = -1, rsa_idx = -1;
static EC_KEY_METHOD *ec_meth;
static RSA_METHOD *rsa_meth;
static pthread_once_t meth_once = PTHREAD_ONCE_INIT;

static void keyref_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
	free(ptr);
}

/* CKM_ECDSA returns r || s, each half the length (PKCS#11 2.40 2.3.1). */
static ECDSA_SIG *ec_sign_sig(const unsigned char *dgst, int dlen, const BIGNUM *kinv,
			      const BIGNUM *rp, EC_KEY *ec)
{
	struct p11_keyref *k = EC_KEY_get_ex_data(ec, ec_idx);
	unsigned char sig[256];
	CK_ULONG siglen = sizeof(sig);
	ECDSA_SIG *es;
	BIGNUM *r, *s;

	if (k == NULL || dlen < 0 || token_sign(k, CKM_ECDSA, dgst, (size_t)dlen, sig, &siglen))
		return NULL;
	es = ECDSA_SIG_new();
	r = BN_bin2bn(sig, (int)(siglen / 2), NULL);
	s = BN_bin2bn(sig + siglen / 2, (int)(siglen / 2), NULL);
	if (es == NULL || r == NULL || s == NULL || !ECDSA_SIG_set0(es, r, s)) {
		ECDSA_SIG_free(es);
		BN_free(r);
		BN_free(s);
		return NULL;
	}
	return es;
}

static int ec_sign(int type, const unsigned char *dgst, int dlen, unsigned char *sig,
		   unsigned int *siglen, const BIGNUM *kinv, const BIGNUM *r, EC_KEY *ec)
{
	ECDSA_SIG *es = ec_sign_sig(dgst, dlen, kinv, r, ec);
	int n;

	if (es == NULL)
		return 0;
	n = i2d_ECDSA_SIG(es, &sig);
	ECDSA_SIG_free(es);
	if (n <= 0)
		return 0;
	*siglen = (unsigned int)n;
	return 1;
}

/* RSA_sign hands over the DigestInfo already encoded: CKM_RSA_PKCS pads
 * it (PKCS#1 v1.5 block type 1). */
static int rsa_priv_enc(int flen, const unsigned char *from, unsigned char *to, RSA *rsa,
			int padding)
{
	struct p11_keyref *k = RSA_get_ex_data(rsa, rsa_idx);
	CK_ULONG siglen = (CK_ULONG)RSA_size(rsa);

	if (k == NULL || padding != RSA_PKCS1_PADDING || flen < 0)
		return -1;
	if (token_sign(k, CKM_RSA_PKCS, from, (size_t)flen, to, &siglen) != 0)
		return -1;
	return (int)siglen;
}

static void meth_init(void)
{
	int (*osign)(int, const unsigned char *, int, unsigned char *, unsigned int *,
		     const BIGNUM *, const BIGNUM *, EC_KEY *) = NULL;
	int (*osetup)(EC_KEY *, BN_CTX *, BIGNUM **, BIGNUM **) = NULL;
	ECDSA_SIG *(*osig)(const unsigned char *, int, const BIGNUM *, const BIGNUM *, EC_KEY *) =
		NULL;

	ec_idx = EC_KEY_get_ex_new_index(0, NULL, NULL, NULL, keyref_free);
	rsa_idx = RSA_get_ex_new_index(0, NULL, NULL, NULL, keyref_free);
	ec_meth = EC_KEY_METHOD_new(EC_KEY_OpenSSL());
	EC_KEY_METHOD_get_sign(ec_meth, &osign, &osetup, &osig);
	EC_KEY_METHOD_set_sign(ec_meth, ec_sign, osetup, ec_sign_sig);
	rsa_meth = RSA_meth_dup(RSA_PKCS1_OpenSSL());
	RSA_meth_set1_name(rsa_meth, "qcra PKCS#11");
	RSA_meth_set_priv_enc(rsa_meth, rsa_priv_enc);
}

/* Reads one attribute into a fresh buffer.  Caller frees.  NULL on
 * error. */
static unsigned char *attr_get(struct p11_session *s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE t,
			       CK_ULONG *len)
{
	CK_ATTRIBUTE a = {t, NULL, 0};
	unsigned char *v;

	if (s->p->f->C_GetAttributeValue(s->h, o, &a, 1) != CKR_OK || a.ulValueLen == (CK_ULONG)-1)
		return NULL;
	v = malloc(a.ulValueLen + 1);
	if (v == NULL)
		return NULL;
	a.pValue = v;
	if (s->p->f->C_GetAttributeValue(s->h, o, &a, 1) != CKR_OK) {
		free(v);
		return NULL;
	}
	*len = a.ulValueLen;
	return v;
}

/* EC public key from CKA_EC_PARAMS and CKA_EC_POINT (a DER OCTET
 * STRING, PKCS#11 2.40 2.3.3), signing through k.  Takes k on success.
 * 0 or -1. */
static int wrap_ec(struct p11_session *s, CK_OBJECT_HANDLE pub, struct p11_keyref *k,
		   EVP_PKEY *pkey)
{
	CK_ULONG alen = 0, blen = 0;
	unsigned char *a = attr_get(s, pub, CKA_EC_PARAMS, &alen);
	unsigned char *b = attr_get(s, pub, CKA_EC_POINT, &blen);
	ASN1_OCTET_STRING *pt = NULL;
	ASN1_OBJECT *oid = NULL;
	EC_KEY *ec = NULL;
	const unsigned char *pp;
	int rc = -1;

	if (a == NULL || b == NULL)
		goto out;
	pp = a;
	oid = d2i_ASN1_OBJECT(NULL, &pp, (long)alen);
	pp = b;
	pt = d2i_ASN1_OCTET_STRING(NULL, &pp, (long)blen);
	if (oid == NULL || pt == NULL || (ec = EC_KEY_new_by_curve_name(OBJ_obj2nid(oid))) == NULL)
		goto out;
	pp = pt->data;
	if (o2i_ECPublicKey(&ec, &pp, pt->length) == NULL || !EC_KEY_set_method(ec, ec_meth) ||
	    !EC_KEY_set_ex_data(ec, ec_idx, k))
		goto out;
	/* With the method set first, OpenSSL marks the key foreign and
	 * routes signing to it instead of a provider. */
	if (!EVP_PKEY_assign_EC_KEY(pkey, ec)) {
		EC_KEY_set_ex_data(ec, ec_idx, NULL);
		goto out;
	}
	ec = NULL;
	rc = 0;
out:
	EC_KEY_free(ec);
	ASN1_OCTET_STRING_free(pt);
	ASN1_OBJECT_free(oid);
	free(a);
	free(b);
	return rc;
}

/* RSA public key from CKA_MODULUS and CKA_PUBLIC_EXPONENT.  As wrap_ec. */
static int wrap_rsa(struct p11_session *s, CK_OBJECT_HANDLE pub, struct p11_keyref *k,
		    EVP_PKEY *pkey)
{
	CK_ULONG alen = 0, blen = 0;
	unsigned char *a = attr_get(s, pub, CKA_MODULUS, &alen);
	unsigned char *b = attr_get(s, pub, CKA_PUBLIC_EXPONENT, &blen);
	BIGNUM *n = NULL, *e = NULL;
	RSA *rsa = RSA_new();
	int rc = -1;

	if (rsa == NULL || a == NULL || b == NULL)
		goto out;
	n = BN_bin2bn(a, (int)alen, NULL);
	e = BN_bin2bn(b, (int)blen, NULL);
	if (n == NULL || e == NULL || !RSA_set0_key(rsa, n, e, NULL)) {
		BN_free(n);
		BN_free(e);
		goto out;
	}
	if (!RSA_set_method(rsa, rsa_meth) || !RSA_set_ex_data(rsa, rsa_idx, k))
		goto out;
	if (!EVP_PKEY_assign_RSA(pkey, rsa)) {
		RSA_set_ex_data(rsa, rsa_idx, NULL);
		goto out;
	}
	rsa = NULL;
	rc = 0;
out:
	RSA_free(rsa);
	free(a);
	free(b);
	return rc;
}

/* Builds an EVP_PKEY from the public key object pub whose private
 * operations go to priv.  NULL on error. */
static EVP_PKEY *wrap_key(struct p11_session *s, CK_OBJECT_HANDLE pub, CK_OBJECT_HANDLE priv,
			  CK_KEY_TYPE type)
{
	struct p11_keyref *k;
	EVP_PKEY *pkey;
	int rc = -1;

	pthread_once(&meth_once, meth_init);
	k = calloc(1, sizeof(*k));
	pkey = EVP_PKEY_new();
	if (k != NULL && pkey != NULL) {
		k->s = s;
		k->obj = priv;
		if (type == CKK_EC)
			rc = wrap_ec(s, pub, k, pkey);
		else if (type == CKK_RSA)
			rc = wrap_rsa(s, pub, k, pkey);
	}
	if (rc != 0) {
		free(k);
		EVP_PKEY_free(pkey);
		return NULL;
	}
	return pkey;
}

static int curve_params(int nid, unsigned char **der)
{
	*der = NULL;
	return i2d_ASN1_OBJECT(OBJ_nid2obj(nid), der);
}

EVP_PKEY *p11_keygen(struct p11_session *s, enum p11_alg alg, const char *label, char *err,
		     size_t errlen)
{
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ULONG bits = 3072;
	CK_BYTE exp[] = {1, 0, 1};
	CK_OBJECT_HANDLE pub, priv;
	CK_MECHANISM m = {CKM_EC_KEY_PAIR_GEN, NULL, 0};
	unsigned char *params = NULL;
	CK_KEY_TYPE type = CKK_EC;
	CK_ULONG lablen = strlen(label), npub = 0;
	CK_ATTRIBUTE pubt[8],
		privt[] = {
			{CKA_TOKEN, &yes, sizeof(yes)},     {CKA_PRIVATE, &yes, sizeof(yes)},
			{CKA_SENSITIVE, &yes, sizeof(yes)}, {CKA_EXTRACTABLE, &no, sizeof(no)},
			{CKA_SIGN, &yes, sizeof(yes)},      {CKA_DECRYPT, &no, sizeof(no)},
			{CKA_LABEL, (void *)label, lablen}, {CKA_ID, (void *)label, lablen},
		};
	EVP_PKEY *pkey = NULL;
	int plen;
	CK_RV rv;

	pubt[npub++] = (CK_ATTRIBUTE){CKA_TOKEN, &yes, sizeof(yes)};
	pubt[npub++] = (CK_ATTRIBUTE){CKA_VERIFY, &yes, sizeof(yes)};
	pubt[npub++] = (CK_ATTRIBUTE){CKA_LABEL, (void *)label, lablen};
	pubt[npub++] = (CK_ATTRIBUTE){CKA_ID, (void *)label, lablen};
	if (alg == P11_ALG_RSA_3072) {
		m.mechanism = CKM_RSA_PKCS_KEY_PAIR_GEN;
		type = CKK_RSA;
		pubt[npub++] = (CK_ATTRIBUTE){CKA_MODULUS_BITS, &bits, sizeof(bits)};
		pubt[npub++] = (CK_ATTRIBUTE){CKA_PUBLIC_EXPONENT, exp, sizeof(exp)};
	} else {
		plen = curve_params(alg == P11_ALG_EC_P256 ? NID_X9_62_prime256v1 : NID_secp384r1,
				    &params);
		if (plen <= 0)
			goto out;
		pubt[npub++] = (CK_ATTRIBUTE){CKA_EC_PARAMS, params, (CK_ULONG)plen};
	}
	pthread_mutex_lock(&s->lock);
	rv = s->p->f->C_GenerateKeyPair(s->h, &m, pubt, npub, privt,
					sizeof(privt) / sizeof(privt[0]), &pub, &priv);
	pthread_mutex_unlock(&s->lock);
	if (rv != CKR_OK) {
		seterr(err, errlen, "C_GenerateKeyPair", rv);
		goto out;
	}
	pkey = wrap_key(s, pub, priv, type);
	if (pkey == NULL)
		snprintf(err, errlen, "cannot read the public key of \"%s\"", label);
out:
	OPENSSL_free(params);
	return pkey;
}

/* Finds the object of class cls labelled label.  0 or -1. */
static int obj_find(struct p11_session *s, CK_OBJECT_CLASS cls, const char *label,
		    CK_OBJECT_HANDLE *out)
{
	CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof(cls)},
			    {CKA_LABEL, (void *)label, strlen(label)}};
	CK_ULONG n = 0;
	CK_FUNCTION_LIST *f = s->p->f;
	int rc = -1;

	pthread_mutex_lock(&s->lock);
	if (f->C_FindObjectsInit(s->h, t, 2) == CKR_OK) {
		if (f->C_FindObjects(s->h, out, 1, &n) == CKR_OK && n == 1)
			rc = 0;
		f->C_FindObjectsFinal(s->h);
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

EVP_PKEY *p11_key_find(struct p11_session *s, const char *label, char *err, size_t errlen)
{
	CK_OBJECT_HANDLE pub, priv;
	CK_KEY_TYPE type;
	CK_ATTRIBUTE a = {CKA_KEY_TYPE, &type, sizeof(type)};
	EVP_PKEY *pkey;

	if (obj_find(s, CKO_PRIVATE_KEY, label, &priv) != 0 ||
	    obj_find(s, CKO_PUBLIC_KEY, label, &pub) != 0 ||
	    s->p->f->C_GetAttributeValue(s->h, priv, &a, 1) != CKR_OK) {
		snprintf(err, errlen, "no key \"%s\" on the token", label);
		return NULL;
	}
	pkey = wrap_key(s, pub, priv, type);
	if (pkey == NULL)
		snprintf(err, errlen, "cannot read the public key of \"%s\"", label);
	return pkey;
}

int p11_cert_store(struct p11_session *s, X509 *x, const char *label, char *err, size_t errlen)
{
	CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
	CK_CERTIFICATE_TYPE ct = CKC_X_509;
	CK_BBOOL yes = CK_TRUE;
	unsigned char *der = NULL, *subj = NULL;
	int dlen = i2d_X509(x, &der), slen = i2d_X509_NAME(X509_get_subject_name(x), &subj);
	CK_OBJECT_HANDLE o;
	CK_RV rv = CKR_GENERAL_ERROR;

	if (dlen > 0 && slen > 0) {
		CK_ATTRIBUTE t[] = {
			{CKA_CLASS, &cls, sizeof(cls)},
			{CKA_CERTIFICATE_TYPE, &ct, sizeof(ct)},
			{CKA_TOKEN, &yes, sizeof(yes)},
			{CKA_LABEL, (void *)label, strlen(label)},
			{CKA_ID, (void *)label, strlen(label)},
			{CKA_SUBJECT, subj, (CK_ULONG)slen},
			{CKA_VALUE, der, (CK_ULONG)dlen},
		};

		pthread_mutex_lock(&s->lock);
		rv = s->p->f->C_CreateObject(s->h, t, sizeof(t) / sizeof(t[0]), &o);
		pthread_mutex_unlock(&s->lock);
	}
	OPENSSL_free(der);
	OPENSSL_free(subj);
	if (rv != CKR_OK) {
		seterr(err, errlen, "storing the certificate", rv);
		return -1;
	}
	return 0;
}

int p11_key_is_protected(struct p11_session *s, const char *label)
{
	CK_OBJECT_HANDLE o;
	CK_BBOOL sens = CK_FALSE, ext = CK_TRUE;
	CK_ATTRIBUTE t[] = {{CKA_SENSITIVE, &sens, sizeof(sens)},
			    {CKA_EXTRACTABLE, &ext, sizeof(ext)}};

	if (obj_find(s, CKO_PRIVATE_KEY, label, &o) != 0 ||
	    s->p->f->C_GetAttributeValue(s->h, o, t, 2) != CKR_OK)
		return 0;
	return sens == CK_TRUE && ext == CK_FALSE;
}

int p11_random_pin(char *pin, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char b;

		if (RAND_bytes(&b, 1) != 1)
			return -1;
		if (b < 250) /* uniform over 0..9 */
			pin[i++] = (char)('0' + b % 10);
	}
	pin[n] = '\0';
	return 0;
}
