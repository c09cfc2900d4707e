/*
 * The CA's own SQLite database (DIR/ca.db), separate from the portal's:
 * issued certificates and their revocation, registrations by the RA's
 * order id, shipments to pickup offices, and an append-only event log.
 * Functions return 0 on success and -1 on a database error unless said
 * otherwise.
 */
#ifndef QCRA_CA_DB_H
#define QCRA_CA_DB_H

#include <stddef.h>
#include <time.h>

#include <jansson.h>

struct ca_db;

struct ca_db *ca_db_open(const char *path, char *err, size_t errlen);
void ca_db_close(struct ca_db *db);

int ca_db_begin(struct ca_db *db);
int ca_db_commit(struct ca_db *db);
void ca_db_rollback(struct ca_db *db);

/* Records an issued certificate.  kind: "root", "issuing", "tls-server",
 * "ra", "qualified". */
int ca_db_cert_add(struct ca_db *db, const char *serial, const char *kind, const char *subject,
		   time_t not_before, time_t not_after, const unsigned char *der, size_t derlen);

enum ca_cert_status { CA_CERT_GOOD, CA_CERT_REVOKED, CA_CERT_UNKNOWN };

/* Status of the certificate with serial (upper-case hex) among those
 * the issuing CA signed.  On CA_CERT_REVOKED, *at and *reason are set.
 * -1 on a database error. */
int ca_db_cert_status(struct ca_db *db, const char *serial, time_t *at, int *reason);

/* Marks a certificate revoked unless it already is.  1 revoked now, 0
 * already revoked or unknown, -1 error. */
int ca_db_cert_revoke(struct ca_db *db, const char *serial, int reason, time_t at);

/* Calls fn for every revoked certificate not issued by the root. */
int ca_db_revoked_each(struct ca_db *db,
		       int (*fn)(void *arg, const char *serial, time_t at, int reason), void *arg);

/* Increments and returns the CRL number (RFC 5280 5.2.3), -1 on error. */
long ca_db_crl_number_next(struct ca_db *db);

/* A registration as stored. */
struct ca_db_reg {
	char order_id[65];
	char *request; /* canonical JSON (owned) */
	char profile[16];
	char office[33];
	char serial[80];
	char card[33];
	long long shipment_id;
	char state[16]; /* in_transit, delivered, revoked */
	time_t created, not_before, not_after, revoked_at;
	int reason;
	unsigned char *der; /* the certificate (owned) */
	size_t derlen;
};
void ca_db_reg_free(struct ca_db_reg *r);

/* 1 found (r filled; free with ca_db_reg_free), 0 not found, -1 error. */
int ca_db_reg_get(struct ca_db *db, const char *order_id, struct ca_db_reg *r);
int ca_db_reg_add(struct ca_db *db, const char *order_id, const char *request, const char *profile,
		  const char *office, const char *serial, const char *card, long long shipment_id,
		  time_t now);

/* The shipment collecting cards for office produced on the UTC day of
 * now and not yet received; created when there is none.  id in *id. */
int ca_db_shipment_current(struct ca_db *db, const char *office, time_t now, long long *id);
/* Appends the shipments to office (state: NULL for all, or "in_transit",
 * "received"), newest first, as JSON objects to arr. */
int ca_db_shipments_list(struct ca_db *db, const char *office, const char *state, json_t *arr);
/* The shipment as JSON (caller owns), NULL when unknown or on error. */
json_t *ca_db_shipment_json(struct ca_db *db, long long id);
/* Marks the shipment received.  1 now, 0 already received, -1 unknown
 * or error. */
int ca_db_shipment_receive(struct ca_db *db, long long id, time_t now);

/* CMP enrollment secrets (see ca_cmp.c).  The secret itself is kept
 * because PBM verification needs it; it is erased once the transaction
 * that used it is confirmed, and a new secret for the same order erases
 * the unused earlier ones. */
struct ca_db_cmp {
	char order_id[65];
	char secret[65]; /* "" once erased */
	int used;
	char transaction_id[80];
	time_t created;
};
int ca_db_cmp_secret_add(struct ca_db *db, const char *reference, const char *order_id,
			 const char *secret, time_t now);
/* 1 found, 0 not found, -1 error. */
int ca_db_cmp_secret_get(struct ca_db *db, const char *reference, struct ca_db_cmp *c);
/* Marks the secret used by the transaction.  1 now, 0 already used or
 * erased, -1 error. */
int ca_db_cmp_secret_use(struct ca_db *db, const char *reference, const char *transaction_id,
			 const char *serial, time_t now);
int ca_db_cmp_secret_wipe(struct ca_db *db, const char *reference);
/* Revokes the certificates issued over CMP for the order.  The number
 * revoked now, -1 on error. */
int ca_db_cmp_certs_revoke(struct ca_db *db, const char *order_id, int reason, time_t at);

/* Appends to the event log (EN 319 401 7.10): action and object, detail
 * may be NULL.  Never pass a PIN or key. */
int ca_db_event(struct ca_db *db, const char *action, const char *object, const char *detail);

#endif
