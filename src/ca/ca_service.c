/*
 * The CA's operations for the RA: registration and issuance onto a new
 * card (a SoftHSM2 token stands for the smart card), state queries,
 * shipments to pickup offices, revocation.
 */
#include "ca/ca_service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#include "ca/ca_int.h"
#include "ca/ca_letter.h"
#include "util/log.h"

#define ISSUING_KEY_LABEL "issuing-ca"
#define CARD_KEY_LABEL "signature"

/* RFC 5280 5.3.1 CRLReason; 7 is unused and certificateHold (6) is
 * suspension, which this CA does not offer yet. */
static const char *const reasons[] = {
	[0] = "unspecified", [1] = "keyCompromise",        [3] = "affiliationChanged",
	[4] = "superseded",  [5] = "cessationOfOperation", [9] = "privilegeWithdrawn",
};
#define NREASONS ((int)(sizeof(reasons) / sizeof(reasons[0])))

int ca_reason_parse(const char *name)
{
	int i;

	for (i = 0; i < NREASONS; i++)
		if (reasons[i] != NULL && strcmp(reasons[i], name) == 0)
			return i;
	return -1;
}

const char *ca_reason_name(int reason)
{
	return reason >= 0 && reason < NREASONS && reasons[reason] != NULL ? reasons[reason]
									   : "unspecified";
}

void ca_softhsm_env(const struct ca_conf *c)
{
	char path[PATH_MAX + 32];
	struct stat st;

	ca_path(c, "softhsm2.conf", path, sizeof(path));
	if (stat(path, &st) == 0)
		setenv("SOFTHSM2_CONF", path, 1);
}

/* The CA token's PIN: QCRA_CA_PIN, else the first line of the PIN file.
 * 0 or -1. */
static int read_pin(const struct ca_conf *c, char *pin, size_t pinlen)
{
	const char *env = getenv("QCRA_CA_PIN");
	char path[PATH_MAX + 32];
	FILE *f;
	int ok;

	if (env != NULL && *env != '\0') {
		snprintf(pin, pinlen, "%s", env);
		return 0;
	}
	ca_path(c, c->pin_file, path, sizeof(path));
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	ok = fgets(pin, (int)pinlen, f) != NULL;
	fclose(f);
	pin[strcspn(pin, "\r\n")] = '\0';
	return ok && pin[0] != '\0' ? 0 : -1;
}

struct ca *ca_open(const struct ca_conf *c, char *err, size_t errlen)
{
	char pin[128], path[PATH_MAX + 32];
	struct ca *ca = calloc(1, sizeof(*ca));

	if (ca == NULL)
		return NULL;
	ca->conf = *c;
	pthread_mutex_init(&ca->lock, NULL);
	ca_softhsm_env(c);
	if (read_pin(c, pin, sizeof(pin)) != 0) {
		snprintf(err, errlen, "no PIN for the CA token (QCRA_CA_PIN or %s)", c->pin_file);
		goto err;
	}
	ca->p11 = p11_open(c->module, err, errlen);
	if (ca->p11 == NULL)
		goto err;
	ca->session = p11_login(ca->p11, c->token_label, pin, err, errlen);
	OPENSSL_cleanse(pin, sizeof(pin));
	if (ca->session == NULL)
		goto err;
	ca->issuing_key = p11_key_find(ca->session, ISSUING_KEY_LABEL, err, errlen);
	if (ca->issuing_key == NULL)
		goto err;
	ca_path(c, "root.pem", path, sizeof(path));
	ca->root = ca_cert_read(path);
	ca_path(c, "issuing.pem", path, sizeof(path));
	ca->issuing = ca_cert_read(path);
	if (ca->root == NULL || ca->issuing == NULL) {
		snprintf(err, errlen, "%s: cannot read the CA certificates", c->dir);
		goto err;
	}
	if (X509_check_private_key(ca->issuing, ca->issuing_key) != 1 &&
	    EVP_PKEY_eq(X509_get0_pubkey(ca->issuing), ca->issuing_key) != 1) {
		snprintf(err, errlen, "the token's issuing key does not match issuing.pem");
		goto err;
	}
	ca_path(c, "ca.db", path, sizeof(path));
	ca->db = ca_db_open(path, err, errlen);
	if (ca->db == NULL)
		goto err;
	return ca;
err:
	ca_close(ca);
	return NULL;
}

void ca_close(struct ca *ca)
{
	if (ca == NULL)
		return;
	EVP_PKEY_free(ca->issuing_key);
	p11_logout(ca->session);
	p11_close(ca->p11);
	X509_free(ca->root);
	X509_free(ca->issuing);
	ca_db_close(ca->db);
	free(ca->crl);
	pthread_mutex_destroy(&ca->lock);
	free(ca);
}

static json_t *error_json(const char *code, const char *message, const char *field)
{
	json_t *o = json_pack("{s:s, s:s}", "error", code, "message", message);

	if (o != NULL && field != NULL)
		json_object_set_new(o, "field", json_string(field));
	return o;
}

static void iso_time(time_t t, char *out, size_t outlen)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The registration as the API shows it. */
static json_t *reg_json(const struct ca_db_reg *r)
{
	const unsigned char *p = r->der;
	X509 *x = d2i_X509(NULL, &p, (long)r->derlen);
	char nb[32], na[32], subject[512] = "";
	char *pem = x != NULL ? ca_cert_pem(x) : NULL;
	json_t *o = NULL;

	if (x == NULL || pem == NULL)
		goto out;
	ca_cert_subject(x, subject, sizeof(subject));
	iso_time(r->not_before, nb, sizeof(nb));
	iso_time(r->not_after, na, sizeof(na));
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s}", "order_id",
		      r->order_id, "state", r->state, "profile", r->profile, "office", r->office,
		      "serial", r->serial, "subject", subject, "not_before", nb, "not_after", na,
		      "certificate", pem, "shipment_id", (json_int_t)r->shipment_id, "card",
		      r->card);
	if (o != NULL && strcmp(r->state, "revoked") == 0) {
		iso_time(r->revoked_at, nb, sizeof(nb));
		json_object_set_new(o, "revocation",
				    json_pack("{s:s, s:s}", "reason", ca_reason_name(r->reason),
					      "revoked_at", nb));
	}
out:
	free(pem);
	X509_free(x);
	return o;
}

/* Produces the card: a new token with random PUK and PIN, the key pair
 * generated on it, the certificate issued and stored next to the key.
 * The PIN and PUK go only on the PIN letter (DIR/letters/ORDER.pdf, see
 * ca_letter.h) and are wiped here.  Returns the certificate
 * (caller frees) and the card label in card; NULL on error. */
static X509 *produce_card(struct ca *ca, const struct ca_registration *r, char *card,
			  size_t cardlen)
{
	char pin[7], puk[9], err[256];
	unsigned char id[8];
	struct p11_session *s = NULL;
	EVP_PKEY *pub = NULL;
	X509 *x = NULL;
	size_t i;

	if (RAND_bytes(id, sizeof(id)) != 1 || p11_random_pin(pin, 6) != 0 ||
	    p11_random_pin(puk, 8) != 0)
		return NULL;
	snprintf(card, cardlen, "card-");
	for (i = 0; i < sizeof(id); i++)
		snprintf(card + 5 + 2 * i, cardlen - 5 - 2 * i, "%02x", id[i]);
	if (p11_token_init(ca->p11, card, puk, pin, err, sizeof(err)) != 0 ||
	    (s = p11_login(ca->p11, card, pin, err, sizeof(err))) == NULL ||
	    (pub = p11_keygen(s, ca->conf.holder_alg, CARD_KEY_LABEL, err, sizeof(err))) == NULL) {
		log_warnx("order %s: card %s: %s", r->order_id, card, err);
		goto out;
	}
	x = ca_cert_qualified(&ca->conf, &r->subject, pub, ca->issuing, ca->issuing_key,
			      r->validity_years);
	if (x == NULL) {
		log_warnx("order %s: issuing the certificate failed", r->order_id);
		goto out;
	}
	if (p11_cert_store(s, x, CARD_KEY_LABEL, err, sizeof(err)) != 0 ||
	    !p11_key_is_protected(s, CARD_KEY_LABEL)) {
		log_warnx("order %s: card %s: key not protected or certificate not stored",
			  r->order_id, card);
		X509_free(x);
		x = NULL;
	} else if (ca_letter_write(&ca->conf, r, card, pin, puk, err, sizeof(err)) != 0) {
		log_warnx("order %s: PIN letter: %s", r->order_id, err);
		X509_free(x);
		x = NULL;
	}
out:
	OPENSSL_cleanse(pin, sizeof(pin));
	OPENSSL_cleanse(puk, sizeof(puk));
	EVP_PKEY_free(pub);
	p11_logout(s);
	ERR_clear_error();
	return x;
}

static time_t asn1_to_time(const ASN1_TIME *t)
{
	struct tm tm;

	if (ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return timegm(&tm);
}

/* Records the issued certificate, the registration and the shipment in
 * one transaction.  0 or -1. */
static int record_issue(struct ca *ca, const struct ca_registration *r, const char *canon, X509 *x,
			const char *card)
{
	unsigned char *der = NULL;
	int derlen = i2d_X509(x, &der);
	char *serial = ca_cert_serial_hex(x), subject[512];
	long long ship = 0;
	time_t now = time(NULL);
	int rc = -1;

	ca_cert_subject(x, subject, sizeof(subject));
	if (derlen <= 0 || serial == NULL || ca_db_begin(ca->db) != 0)
		goto out;
	if (ca_db_cert_add(ca->db, serial, "qualified", subject,
			   asn1_to_time(X509_get0_notBefore(x)),
			   asn1_to_time(X509_get0_notAfter(x)), der, (size_t)derlen) != 0 ||
	    ca_db_shipment_current(ca->db, r->office, now, &ship) != 0 ||
	    ca_db_reg_add(ca->db, r->order_id, canon, ca_profile_name(r->subject.profile),
			  r->office, serial, card, ship, now) != 0 ||
	    ca_db_event(ca->db, "issue", r->order_id, serial) != 0 ||
	    ca_db_event(ca->db, "pin_letter", r->order_id, card) != 0 ||
	    ca_db_commit(ca->db) != 0) {
		ca_db_rollback(ca->db);
		goto out;
	}
	rc = 0;
out:
	OPENSSL_free(der);
	free(serial);
	return rc;
}

enum ca_result ca_submit(struct ca *ca, const char *body, size_t len, json_t **out)
{
	struct ca_registration r;
	struct ca_db_reg old;
	enum ca_reg_error e;
	enum ca_result res = CA_FAILED;
	char *canon = NULL, card[40];
	X509 *x = NULL;
	int found;

	e = ca_reg_parse(body, len, ca->conf.max_validity_years, &r, &canon);
	if (e != CA_REG_OK) {
		*out = error_json(ca_reg_code(e), ca_reg_strerror(e), ca_reg_field(e));
		return CA_INVALID;
	}
	pthread_mutex_lock(&ca->lock);
	found = ca_db_reg_get(ca->db, r.order_id, &old);
	if (found == 1) {
		if (strcmp(old.request, canon) == 0) {
			*out = reg_json(&old);
			res = *out != NULL ? CA_OK : CA_FAILED;
		} else {
			*out = error_json("conflict",
					  "this order id was submitted before with different data",
					  "order_id");
			res = CA_CONFLICT;
		}
		ca_db_reg_free(&old);
		goto out;
	}
	if (found < 0)
		goto failed;
	x = produce_card(ca, &r, card, sizeof(card));
	if (x == NULL || record_issue(ca, &r, canon, x, card) != 0)
		goto failed;
	log_info("order %s: issued on %s to office %s", r.order_id, card, r.office);
	if (ca_db_reg_get(ca->db, r.order_id, &old) == 1) {
		*out = reg_json(&old);
		ca_db_reg_free(&old);
		res = CA_CREATED;
		goto out;
	}
failed:
	*out = error_json("ca_unavailable", "the CA could not issue now; retry later", NULL);
	res = CA_FAILED;
out:
	pthread_mutex_unlock(&ca->lock);
	X509_free(x);
	free(canon);
	return res;
}

enum ca_result ca_registration_get(struct ca *ca, const char *order_id, json_t **out)
{
	struct ca_db_reg r;
	int found;

	pthread_mutex_lock(&ca->lock);
	found = ca_db_reg_get(ca->db, order_id, &r);
	pthread_mutex_unlock(&ca->lock);
	if (found == 0) {
		*out = error_json("not_found", "no registration with this order id", NULL);
		return CA_NOT_FOUND;
	}
	*out = found == 1 ? reg_json(&r) : NULL;
	ca_db_reg_free(&r);
	if (*out == NULL) {
		*out = error_json("ca_unavailable", "database error", NULL);
		return CA_FAILED;
	}
	return CA_OK;
}

enum ca_result ca_revoke(struct ca *ca, const char *order_id, const char *body, size_t len,
			 json_t **out)
{
	json_t *req = json_loadb(body, len, 0, NULL), *v = json_object_get(req, "reason");
	struct ca_db_reg r;
	enum ca_result res = CA_FAILED;
	int reason, found, changed = 0, cmp_changed = 0;

	reason = json_is_string(v) ? ca_reason_parse(json_string_value(v)) : -1;
	json_decref(req);
	if (reason < 0) {
		*out = error_json("invalid_reason",
				  "reason must be one of unspecified, keyCompromise, "
				  "affiliationChanged, superseded, cessationOfOperation, "
				  "privilegeWithdrawn",
				  "reason");
		return CA_INVALID;
	}
	pthread_mutex_lock(&ca->lock);
	found = ca_db_reg_get(ca->db, order_id, &r);
	if (found == 0) {
		*out = error_json("not_found", "no registration with this order id", NULL);
		res = CA_NOT_FOUND;
		goto out;
	}
	if (found < 0)
		goto failed;
	if (ca_db_begin(ca->db) != 0)
		goto failed;
	changed = ca_db_cert_revoke(ca->db, r.serial, reason, time(NULL));
	/* Certificates the order got over CMP go with it. */
	cmp_changed =
		changed < 0 ? -1 : ca_db_cmp_certs_revoke(ca->db, order_id, reason, time(NULL));
	if (changed < 0 || cmp_changed < 0 ||
	    (changed == 1 && ca_db_event(ca->db, "revoke", order_id, ca_reason_name(reason))) ||
	    (cmp_changed > 0 &&
	     ca_db_event(ca->db, "revoke-cmp", order_id, ca_reason_name(reason))) ||
	    ca_db_commit(ca->db) != 0) {
		ca_db_rollback(ca->db);
		goto failed;
	}
	if (changed == 1)
		log_info("order %s: certificate %s revoked (%s)", order_id, r.serial,
			 ca_reason_name(reason));
	if (cmp_changed > 0)
		log_info("order %s: %d certificate(s) issued over CMP revoked", order_id,
			 cmp_changed);
	if (changed == 1 || cmp_changed > 0) {
		if (ca_crl_refresh_locked(ca) != 0)
			log_warnx("order %s: revoked, but the CRL could not be reissued", order_id);
	}
	ca_db_reg_free(&r);
	if (ca_db_reg_get(ca->db, order_id, &r) == 1) {
		*out = reg_json(&r);
		res = *out != NULL ? CA_OK : CA_FAILED;
		if (res == CA_OK)
			goto out;
	}
failed:
	*out = error_json("ca_unavailable", "the CA could not revoke now; retry later", NULL);
	res = CA_FAILED;
out:
	ca_db_reg_free(&r);
	pthread_mutex_unlock(&ca->lock);
	return res;
}

enum ca_result ca_shipments(struct ca *ca, const char *office, const char *state, json_t **out)
{
	json_t *arr = json_array();
	int rc;

	if (state != NULL && strcmp(state, "in_transit") != 0 && strcmp(state, "received") != 0) {
		json_decref(arr);
		*out = error_json("invalid_state", "state must be in_transit or received", "state");
		return CA_INVALID;
	}
	pthread_mutex_lock(&ca->lock);
	rc = ca_db_shipments_list(ca->db, office, state, arr);
	pthread_mutex_unlock(&ca->lock);
	if (rc != 0) {
		json_decref(arr);
		*out = error_json("ca_unavailable", "database error", NULL);
		return CA_FAILED;
	}
	*out = json_pack("{s:s, s:o}", "office", office, "shipments", arr);
	return CA_OK;
}

enum ca_result ca_shipment_receive(struct ca *ca, long long id, json_t **out)
{
	enum ca_result res = CA_OK;
	char obj[32];
	int rc;

	snprintf(obj, sizeof(obj), "shipment %lld", id);
	pthread_mutex_lock(&ca->lock);
	*out = ca_db_shipment_json(ca->db, id);
	if (*out == NULL) {
		*out = error_json("not_found", "no shipment with this id", NULL);
		res = CA_NOT_FOUND;
		goto out;
	}
	json_decref(*out);
	*out = NULL;
	if (ca_db_begin(ca->db) != 0)
		goto failed;
	rc = ca_db_shipment_receive(ca->db, id, time(NULL));
	if (rc < 0 || (rc == 1 && ca_db_event(ca->db, "receipt", obj, NULL) != 0) ||
	    ca_db_commit(ca->db) != 0) {
		ca_db_rollback(ca->db);
		goto failed;
	}
	*out = ca_db_shipment_json(ca->db, id);
	if (*out != NULL)
		goto out;
failed:
	*out = error_json("ca_unavailable", "database error", NULL);
	res = CA_FAILED;
out:
	pthread_mutex_unlock(&ca->lock);
	return res;
}
