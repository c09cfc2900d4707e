/*
 * The CA as the use cases see it (the port): submit a registration,
 * list and confirm shipments, revoke.  The implementations are in
 * src/connector/ (connector.h opens the configured one); the use cases
 * get one through their caller and know none of them.
 */
#ifndef QCRA_APP_CA_PORT_H
#define QCRA_APP_CA_PORT_H

#include <stddef.h>
#include <time.h>

#include "domain/order.h"

#define CA_REF_MAX 64
#define CA_CODE_MAX 48

/* How a submission ended. */
enum ca_submit {
	CA_SUBMIT_OK = 0,       /* accepted, or queued until the CA is back */
	CA_SUBMIT_REFUSED = -1, /* the CA refused the registration: code says why */
	CA_SUBMIT_FAILED = -2,  /* nothing done (configuration, database): retry */
};

/* A batch of certificates the CA sent to one pickup office. */
struct ca_shipment {
	char reference[CA_REF_MAX];
	char office[16];
	time_t created_at;
	time_t received_at; /* 0 until confirmed with shipment_received */
	long long count;    /* certificates in it */
};

/* One certificate of a shipment: for which order. */
struct ca_shipment_item {
	long long order_id;
	char reference[CA_REF_MAX]; /* the registration's reference */
	char serial[48];            /* the certificate's serial number, hex */
};

struct ca_connector {
	const char *name; /* "testca", ... as in the configuration */
	void *impl;       /* the implementation's state */

	/*
	 * Submits the registration of order o (verified by an operator).
	 * Idempotent per order: submitting the same order again gives the
	 * same reference and creates nothing new, so a retry after a lost
	 * answer is safe.  CA_SUBMIT_OK with the CA's reference in ref;
	 * CA_SUBMIT_REFUSED with the CA's reason code (its API's "error",
	 * docs/ca-api.md) in code and its words in err; CA_SUBMIT_FAILED
	 * with err.
	 */
	int (*submit)(struct ca_connector *c, const struct order *o, char ref[CA_REF_MAX],
		      char code[CA_CODE_MAX], char *err, size_t errlen);
	/* Calls fn for each shipment to office (NULL: every office) that
	 * was not yet confirmed received, oldest first. */
	int (*shipments)(struct ca_connector *c, const char *office,
			 int (*fn)(void *arg, const struct ca_shipment *s), void *arg, char *err,
			 size_t errlen);
	/* Fills *out with shipment ref (received or not) and calls fn for
	 * each of its certificates (fn may be NULL).  -1 with err when the
	 * CA knows no such shipment. */
	int (*shipment)(struct ca_connector *c, const char *ref, struct ca_shipment *out,
			int (*fn)(void *arg, const struct ca_shipment_item *it), void *arg,
			char *err, size_t errlen);
	/* Confirms shipment ref arrived (by: who received it).  Called
	 * after the portal committed the arrival of its orders; idempotent,
	 * so it is simply repeated when it failed. */
	int (*shipment_received)(struct ca_connector *c, const char *ref, const char *by,
				 time_t now, char *err, size_t errlen);
	/* Asks the CA to revoke the certificate issued for order o. */
	int (*revoke)(struct ca_connector *c, const struct order *o, const char *reason, char *err,
		      size_t errlen);
	/* 0 when the CA answers now, else -1 with err (GET /readyz).
	 * NULL: always ready (a CA in this process). */
	int (*ready)(struct ca_connector *c, char *err, size_t errlen);
	void (*close)(struct ca_connector *c);
};

/*
 * The connector named by cfg->ca_connector, working with the portal's
 * store st (borrowed: it must outlive the connector).  Returns a
 * connector to free with ca_connector_close, or NULL with "ca_connector:
 * ..." in err (an unknown name stops start-up).
 */
#endif
