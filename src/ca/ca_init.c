/*
 * The key ceremony of `qcra ca init`.  The root and issuing CA keys are
 * generated inside the CA's PKCS#11 token and never leave it.  The TLS
 * keys are not CA keys: the CA server's TLS key is kept in a file only
 * the CA can read (libmicrohttpd takes it from memory), and the RA's
 * client key is written for the portal to pick up (in production the RA
 * would send a CSR instead).
 */
#include "ca/ca_service.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "ca/ca_db.h"
#include "ca/ca_int.h"

#define ROOT_YEARS 20
#define ISSUING_YEARS 10

static int mkdir_private(const struct ca_conf *c, const char *name, char *err, size_t errlen)
{
	char path[PATH_MAX + 32];

	ca_path(c, name, path, sizeof(path));
	if (mkdir(path, 0700) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* mkdir -p dir, each new component private (0700). */
static int mkdir_p(const char *dir, char *err, size_t errlen)
{
	char path[PATH_MAX], save;
	size_t i, n;

	snprintf(path, sizeof(path), "%s", dir);
	n = strlen(path);
	for (i = 1; i <= n; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		save = path[i];
		path[i] = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return -1;
		}
		path[i] = save;
	}
	return 0;
}

/* Writes text to a new file readable only by the CA (0600). */
static int write_secret(const struct ca_conf *c, const char *name, const char *text, char *err,
			size_t errlen)
{
	char path[PATH_MAX + 32];
	size_t n = strlen(text);
	int fd;

	ca_path(c, name, path, sizeof(path));
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, n) != (ssize_t)n || close(fd) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return 0;
}

static int write_softhsm_conf(const struct ca_conf *c, char *err, size_t errlen)
{
	char path[PATH_MAX + 32], tokens[PATH_MAX + 32], abs[PATH_MAX];
	FILE *f;

	ca_path(c, "tokens", tokens, sizeof(tokens));
	if (realpath(tokens, abs) == NULL) {
		snprintf(err, errlen, "%s: %s", tokens, strerror(errno));
		return -1;
	}
	ca_path(c, "softhsm2.conf", path, sizeof(path));
	f = fopen(path, "w");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(f,
		"# SoftHSM2 stands for the CA's HSM and for the holders' cards.\n"
		"directories.tokendir = %s\nobjectstore.backend = file\n"
		"log.level = ERROR\nslots.removable = false\n",
		abs);
	return fclose(f) == 0 ? 0 : -1;
}

/* Software key for TLS, PEM into DIR/name (0600).  NULL on error. */
static EVP_PKEY *tls_key(const struct ca_conf *c, const char *name, char *err, size_t errlen)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	BIO *b = BIO_new(BIO_s_mem());
	char *pem = NULL;
	long n;
	int rc = -1;

	if (k != NULL && b != NULL && PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) &&
	    (n = BIO_get_mem_data(b, &pem)) > 0) {
		char *text = OPENSSL_strndup(pem, (size_t)n);

		rc = text != NULL ? write_secret(c, name, text, err, errlen) : -1;
		if (text != NULL)
			OPENSSL_clear_free(text, strlen(text));
	}
	BIO_free(b); /* BIO_s_mem clears nothing; the key stays in this process */
	if (rc != 0) {
		if (err[0] == '\0')
			snprintf(err, errlen, "cannot create the TLS key %s", name);
		EVP_PKEY_free(k);
		return NULL;
	}
	return k;
}

static int record(struct ca_db *db, X509 *x, const char *kind)
{
	unsigned char *der = NULL;
	int n = i2d_X509(x, &der), rc = -1;
	char *serial = ca_cert_serial_hex(x), subject[512];
	struct tm a, b;

	ca_cert_subject(x, subject, sizeof(subject));
	if (n > 0 && serial != NULL && ASN1_TIME_to_tm(X509_get0_notBefore(x), &a) == 1 &&
	    ASN1_TIME_to_tm(X509_get0_notAfter(x), &b) == 1)
		rc = ca_db_cert_add(db, serial, kind, subject, timegm(&a), timegm(&b), der,
				    (size_t)n);
	if (rc == 0)
		rc = ca_db_event(db, "init", kind, serial);
	OPENSSL_free(der);
	free(serial);
	return rc;
}

/* Writes each certificate file; 0 or -1. */
static int write_certs(const struct ca_conf *c, X509 *root, X509 *issuing, X509 *server, X509 *ra,
		       char *err, size_t errlen)
{
	X509 *chain[2] = {issuing, root}, *srv[2] = {server, issuing}, *rac[2] = {ra, issuing};
	static const char *const names[] = {"root.pem",       "issuing.pem", "chain.pem",
					    "tls/server.pem", "ra/ra.pem",   "ra/ca.pem"};
	X509 *const *lists[] = {&root, &issuing, chain, srv, rac, &root};
	const int counts[] = {1, 1, 2, 2, 2, 1};
	char path[PATH_MAX + 32];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ca_path(c, names[i], path, sizeof(path));
		if (ca_cert_write(path, lists[i], counts[i]) != 0) {
			snprintf(err, errlen, "%s: cannot write", path);
			return -1;
		}
	}
	return 0;
}

int ca_init_run(const struct ca_conf *c, char *err, size_t errlen)
{
	char path[PATH_MAX + 32], pin[17], so_pin[17], pinline[20];
	struct p11 *p11 = NULL;
	struct p11_session *s = NULL;
	EVP_PKEY *rootk = NULL, *issk = NULL, *srvk = NULL, *rak = NULL;
	X509 *root = NULL, *issuing = NULL, *server = NULL, *ra = NULL;
	struct ca_db *db = NULL;
	struct stat st;
	int rc = -1;

	err[0] = '\0';
	ca_path(c, "ca.conf", path, sizeof(path));
	if (stat(path, &st) == 0) {
		snprintf(err, errlen, "%s: a CA is already initialised here", c->dir);
		return -1;
	}
	umask(077);
	if (mkdir_p(c->dir, err, errlen) != 0 || mkdir_private(c, "tokens", err, errlen) ||
	    mkdir_private(c, "tls", err, errlen) || mkdir_private(c, "ra", err, errlen) ||
	    write_softhsm_conf(c, err, errlen) != 0)
		return -1;
	ca_softhsm_env(c);
	/* The SO PIN is not kept: recovering the CA token means
	 * re-initialising it from a backup, as with an HSM. */
	if (p11_random_pin(pin, 16) != 0 || p11_random_pin(so_pin, 16) != 0)
		return -1;
	snprintf(pinline, sizeof(pinline), "%s\n", pin);
	p11 = p11_open(c->module, err, errlen);
	if (p11 == NULL || p11_token_init(p11, c->token_label, so_pin, pin, err, errlen) != 0 ||
	    (s = p11_login(p11, c->token_label, pin, err, errlen)) == NULL ||
	    write_secret(c, c->pin_file, pinline, err, errlen) != 0)
		goto out;
	rootk = p11_keygen(s, c->ca_alg, "root-ca", err, errlen);
	issk = rootk != NULL ? p11_keygen(s, c->ca_alg, "issuing-ca", err, errlen) : NULL;
	if (issk == NULL)
		goto out;
	root = ca_cert_root(rootk, c->organization, ROOT_YEARS);
	issuing = root != NULL ? ca_cert_issuing(issk, root, rootk, c->organization, ISSUING_YEARS,
						 c->public_url)
			       : NULL;
	if (issuing == NULL) {
		snprintf(err, errlen, "signing the CA certificates on the token failed");
		goto out;
	}
	srvk = tls_key(c, "tls/server.key", err, errlen);
	rak = srvk != NULL ? tls_key(c, "ra/ra.key", err, errlen) : NULL;
	if (rak == NULL)
		goto out;
	server =
		ca_cert_tls(srvk, issuing, issk, 1, "qcra CA service", c->tls_names, c->public_url);
	ra = ca_cert_tls(rak, issuing, issk, 0, "qcra Registration Authority", "", c->public_url);
	if (server == NULL || ra == NULL) {
		snprintf(err, errlen, "signing the TLS certificates failed");
		goto out;
	}
	if (write_certs(c, root, issuing, server, ra, err, errlen) != 0)
		goto out;
	ca_path(c, "ca.db", path, sizeof(path));
	db = ca_db_open(path, err, errlen);
	if (db == NULL)
		goto out;
	if (ca_db_begin(db) != 0 || record(db, root, "root") != 0 ||
	    record(db, issuing, "issuing") != 0 || record(db, server, "tls-server") != 0 ||
	    record(db, ra, "ra") != 0 || ca_db_commit(db) != 0) {
		ca_db_rollback(db);
		snprintf(err, errlen, "%s: cannot record the certificates", path);
		goto out;
	}
	rc = ca_conf_save(c, err, errlen);
out:
	if (rc != 0 && err[0] == '\0')
		snprintf(err, errlen, "initialisation failed");
	OPENSSL_cleanse(pin, sizeof(pin));
	OPENSSL_cleanse(so_pin, sizeof(so_pin));
	OPENSSL_cleanse(pinline, sizeof(pinline));
	ca_db_close(db);
	X509_free(root);
	X509_free(issuing);
	X509_free(server);
	X509_free(ra);
	EVP_PKEY_free(rootk);
	EVP_PKEY_free(issk);
	EVP_PKEY_free(srvk);
	EVP_PKEY_free(rak);
	p11_logout(s);
	p11_close(p11);
	ERR_clear_error();
	return rc;
}
