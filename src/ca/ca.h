/*
 * The certification authority service: configuration, the registration
 * the RA submits, and the running CA (keys on the token, certificates,
 * database).  The CA is its own process (`qcra ca serve`); the portal
 * reaches it only over HTTPS with the RA's client certificate.
 */
#ifndef QCRA_CA_H
#define QCRA_CA_H

#include <limits.h>
#include <stddef.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ca/ca_p11.h"

#define CA_URL_MAX 256

/* DIR/ca.conf (ini).  Paths are relative to dir unless absolute. */
struct ca_conf {
	char dir[PATH_MAX];
	enum p11_alg ca_alg;     /* root and issuing CA keys */
	enum p11_alg holder_alg; /* keys generated on holders' cards */
	char organization[65];   /* O of the CA certificates */
	char module[PATH_MAX];   /* PKCS#11 module */
	char token_label[33];    /* the CA's token */
	char pin_file[PATH_MAX]; /* the CA token's user PIN (0600) */
	char listen_addr[64];    /* RA API over TLS */
	unsigned short listen_port;
	char public_addr[64]; /* CRL, OCSP, CA certificates over plain HTTP */
	unsigned short public_port;
	char public_url[CA_URL_MAX]; /* base of the CRL/OCSP/caIssuers URLs */
	char tls_names[CA_URL_MAX];  /* DNS names and IPs of the TLS server cert */
	char pds_url_en[CA_URL_MAX], pds_url_sr[CA_URL_MAX];
	char cps_url[CA_URL_MAX];
	char policy_oid[64]; /* the CA's own policy, besides QCP-n-qscd; may be empty */
	int crl_days;        /* nextUpdate - thisUpdate */
	int max_validity_years;
};

void ca_conf_defaults(struct ca_conf *c, const char *dir);
/* Reads DIR/ca.conf over the defaults.  0 or -1 (err names the key). */
int ca_conf_load(struct ca_conf *c, char *err, size_t errlen);
/* Writes c to DIR/ca.conf.  0 or -1. */
int ca_conf_save(const struct ca_conf *c, char *err, size_t errlen);
/* Sets one key of the file ("listen", "key_algorithm", ...).  0 or -1. */
int ca_conf_set(struct ca_conf *c, const char *key, const char *val, char *err, size_t errlen);
/* dir + "/" + name into out (name unchanged when absolute). */
void ca_path(const struct ca_conf *c, const char *name, char *out, size_t outlen);

/* ---- The registration the RA submits ---- */

enum ca_profile {
	CA_PROFILE_NATURAL, /* EN 319 412-2 natural person */
	CA_PROFILE_LEGAL,   /* natural person on behalf of a company */
	CA_PROFILE__MAX
};

struct ca_subject {
	enum ca_profile profile;
	char given_name[257]; /* UTF-8, at most 64 characters */
	char surname[257];
	char common_name[260];
	char jmbg[14];
	char organization[257]; /* legal only */
	char pib[10];           /* legal only */
};

struct ca_registration {
	char order_id[65];
	struct ca_subject subject;
	int validity_years;
	char office[33];
};

enum ca_reg_error {
	CA_REG_OK = 0,
	CA_REG_MALFORMED,    /* not a JSON object, or a field of the wrong type */
	CA_REG_ORDER_ID,     /* order_id missing or not [A-Za-z0-9._-]{1,64} */
	CA_REG_PROFILE,      /* profile not "natural" or "legal" */
	CA_REG_GIVEN_NAME,   /* missing or not a Latin name of 1-64 characters */
	CA_REG_SURNAME,      /* ditto */
	CA_REG_COMMON_NAME,  /* given name + surname over 64 characters */
	CA_REG_JMBG,         /* not a valid JMBG */
	CA_REG_ORGANIZATION, /* legal: missing or invalid */
	CA_REG_PIB,          /* legal: not a valid PIB */
	CA_REG_VALIDITY,     /* validity_years not 1..max */
	CA_REG_OFFICE,       /* office missing or not [A-Za-z0-9_-]{1,32} */
	CA_REG_UNEXPECTED,   /* organization/pib given for a natural person */
	CA_REG__MAX
};

/* The machine-readable code ("invalid_jmbg", ...) and a sentence. */
const char *ca_reg_code(enum ca_reg_error e);
const char *ca_reg_strerror(enum ca_reg_error e);
/* The JSON field an error is about ("subject.jmbg"), or NULL. */
const char *ca_reg_field(enum ca_reg_error e);

/* Parses and validates the JSON text of a registration.  canon receives
 * a canonical JSON form of the validated values (caller frees), used to
 * tell a replay from a conflicting resubmission. */
enum ca_reg_error ca_reg_parse(const char *json, size_t len, int max_years,
			       struct ca_registration *r, char **canon);

const char *ca_profile_name(enum ca_profile p);

/* Name validity: valid UTF-8, 1-64 characters of Latin letters, space,
 * '-', '\'' and '.', no leading/trailing or double spaces.  1 or 0. */
int ca_name_valid(const char *s);
/* Organisation: 1-64 characters of printable ASCII, Latin and Cyrillic
 * letters, no control characters.  1 or 0. */
int ca_org_valid(const char *s);

/* ---- Certificates ---- */

/* Names of the CA certificates. */
X509_NAME *ca_cert_ca_name(const char *organization, const char *cn);

/* A new self-signed root.  NULL on error. */
X509 *ca_cert_root(EVP_PKEY *key, const char *organization, int years);
/* The issuing CA under the root.  NULL on error. */
X509 *ca_cert_issuing(EVP_PKEY *pub, X509 *root, EVP_PKEY *rootkey, const char *organization,
		      int years, const char *public_url);
/* A TLS certificate: server (SANs from names, "a,b,127.0.0.1") or
 * client (the RA).  NULL on error. */
X509 *ca_cert_tls(EVP_PKEY *pub, X509 *issuer, EVP_PKEY *ikey, int server, const char *cn,
		  const char *names, const char *public_url);
/* The qualified certificate of a holder (EN 319 412-2/-5).  NULL on error. */
X509 *ca_cert_qualified(const struct ca_conf *c, const struct ca_subject *s, EVP_PKEY *pub,
			X509 *issuer, EVP_PKEY *ikey, int years);
/* The DER of the QCStatements extension for profile p.  Caller frees.
 * NULL on error. */
unsigned char *ca_cert_qcstatements(const struct ca_conf *c, enum ca_profile p, size_t *len);
/* The digest that goes with the key (SHA-384 for P-384, else SHA-256). */
const EVP_MD *ca_cert_md(EVP_PKEY *key);
/* The subject as an RFC 2253 string in UTF-8 ("CN=Ana Petrović,..."). */
void ca_cert_subject(const X509 *x, char *out, size_t outlen);
/* Serial as upper-case hex (no leading zeros kept).  Caller frees. */
char *ca_cert_serial_hex(const X509 *x);
/* PEM of x.  Caller frees.  NULL on error. */
char *ca_cert_pem(const X509 *x);
/* Reads/writes one PEM certificate file.  NULL / -1 on error. */
X509 *ca_cert_read(const char *path);
int ca_cert_write(const char *path, X509 *const *certs, int n);

#endif
