/*
 * The CA service connector's shared parts (caservice.c), for its
 * shipments (caservice_ship.c).  Not for use outside src/connector.
 */
#ifndef QCRA_CASERVICE_INT_H
#define QCRA_CASERVICE_INT_H

#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "connector/caservice.h"
#include "util/buf.h"

struct cs {
	struct store *st;
	struct catalog *cat; /* validity years of the tariff */
	char url[256];
	char cert[600], key[600], cacert[600];
	char base_url[256]; /* the portal's, for links in mail */
};

/* The connector's name; its address tells this connector apart. */
extern const char cs_connector_name[];

static inline struct cs *cs_of(struct ca_connector *c)
{
	return c->impl;
}

/* One request to the CA: the HTTP status with the answer in out, or 0
 * with err when there was no answer. */
long cs_request(struct cs *s, const char *method, const char *path, const char *body,
		struct buf *out, char *err, size_t errlen);
/* The CA's error answer as "message (code)" into err, and its code
 * into ecode when not NULL ("" when the answer had none). */
void cs_error(long status, const struct buf *body, char *ecode, char *err, size_t errlen);
/* "2026-11-25T19:55:44Z" to UTC seconds; 0 when absent or malformed. */
time_t iso_time(const char *s);
/* The string member key of o into dst ("" when there is none). */
void copy_str(char *dst, size_t size, json_t *o, const char *key);

/* The connector's shipment operations (connector.h), over the CA's
 * lists of shipments per office (caservice_ship.c). */
int cs_shipments(struct ca_connector *c, const char *office,
		 int (*fn)(void *arg, const struct ca_shipment *s), void *arg, char *err,
		 size_t errlen);
int cs_shipment(struct ca_connector *c, const char *ref, struct ca_shipment *out,
		int (*fn)(void *arg, const struct ca_shipment_item *it), void *arg, char *err,
		size_t errlen);
int cs_shipment_received(struct ca_connector *c, const char *ref, const char *by, time_t now,
			 char *err, size_t errlen);

#endif
