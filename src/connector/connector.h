/*
 * The CA connector: how the portal (the registration authority) talks
 * to the certification authority.  The RA submits verified
 * registrations, learns of the shipments of issued certificates to its
 * offices, confirms that a shipment arrived, and asks for revocations.
 * The portal never holds CA keys; everything the CA does happens
 * behind this interface.
 *
 * Implementations, chosen by the configuration key ca_connector:
 *   testca   an in-process TEST CA (testca.c) for the tests and the
 *            demo only: it records submissions in the portal's database
 *            and issues nothing until `qcra testca issue` says so.
 *   (the CA service connector is added as ca_connector = service)
 *
 * Error handling: every operation returns 0, or -1 with a message in
 * err meant for the operator (what the CA said, in its words); the
 * caller shows it and changes nothing of its own.
 */
#ifndef QCRA_CONNECTOR_H
#define QCRA_CONNECTOR_H

#include <stddef.h>
#include <time.h>

#include "app/ca_port.h"
#include "core/config.h"
#include "domain/order.h"

struct store;

struct ca_connector *ca_connector_open(const struct config *cfg, struct store *st, char *err,
				       size_t errlen);
void ca_connector_close(struct ca_connector *c); /* NULL-safe */
/* For the implementations: a connector with the name and operations of
 * ops and the state impl (NULL: out of memory).  NULL with err when
 * either is missing (the caller frees impl). */
struct ca_connector *ca_connector_new(const struct ca_connector *ops, void *impl, char *err,
				      size_t errlen);

/* The TEST CA (testca.c). */
struct ca_connector *testca_open(struct store *st, char *err, size_t errlen);

/* Its issuing (qcra testca issue) is a use case: testca_issue, app/testca.h. */
/* TEST CA: from now on every submission fails with message (NULL or
 * "": submissions succeed again); with a refusal code (not NULL or "")
 * it is refused as the CA service refuses one (CA_SUBMIT_REFUSED),
 * else it cannot be done (CA_SUBMIT_FAILED).  0 or -1. */
int testca_fail_submissions(struct store *st, const char *message, const char *code);

#endif
