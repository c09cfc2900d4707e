/*
 * The TEST CA: an in-process stand-in for the certification authority,
 * for the tests and the demo ONLY (ca_connector = testca).  It issues
 * no certificates: it records each submitted registration in the
 * portal's own database (tables testca_*), and `qcra testca issue`
 * (testca_issue, app/testca.c) marks registrations issued with
 * made-up serial numbers and packs them into shipments to their pickup
 * offices, as the real CA's courier would.  `qcra testca fail` makes submissions fail, to show
 * what an operator sees when the CA refuses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connector/connector.h"
#include "store/store_office.h"
#include "util/log.h"

#define SETTING_SUBMIT_ERROR "submit_error"
#define SETTING_SUBMIT_REFUSE "submit_refuse"

struct testca {
	struct store *st;
};

static struct store *tc_store(struct ca_connector *c)
{
	return ((struct testca *)c->impl)->st;
}

/* The subject as the CA would put it in the certificate (EN 319 412). */
static void subject_of(const struct order *o, char *out, size_t size)
{
	int n;

	if (o->type == ORDER_LEGAL)
		n = snprintf(out, size, "CN=%s %s, SERIALNUMBER=PNORS-%s, O=%s, OI=VATRS-%s, C=RS",
			     o->first_name, o->last_name, o->jmbg,
			     o->company_cert_name[0] ? o->company_cert_name : o->company_name,
			     o->company_pib);
	else
		n = snprintf(out, size, "CN=%s %s, SERIALNUMBER=PNORS-%s, C=RS", o->first_name,
			     o->last_name, o->jmbg);
	if (n < 0 || (size_t)n >= size) /* only a record: a shortened one will do */
		log_warnx("testca: order %lld: subject shortened", o->id);
}

static int tc_submit(struct ca_connector *c, const struct order *o, char ref[CA_REF_MAX],
		     char code[CA_CODE_MAX], char *err, size_t errlen)
{
	struct store *st = tc_store(c);
	struct testca_request r;
	char fail[256];
	int rc;

	code[0] = '\0';
	rc = store_testca_setting_get(st, SETTING_SUBMIT_ERROR, fail, sizeof(fail));
	if (rc == STORE_OK && fail[0]) {
		snprintf(err, errlen, "%s", fail);
		if (store_testca_setting_get(st, SETTING_SUBMIT_REFUSE, code, CA_CODE_MAX) ==
			    STORE_OK &&
		    code[0] != '\0')
			return CA_SUBMIT_REFUSED;
		code[0] = '\0';
		return CA_SUBMIT_FAILED;
	}
	memset(&r, 0, sizeof(r));
	r.order_id = o->id;
	snprintf(r.office, sizeof(r.office), "%s", o->office);
	subject_of(o, r.subject, sizeof(r.subject));
	r.submitted_at = time(NULL);
	if (rc == STORE_ERROR || store_testca_request_add(st, &r) != STORE_OK) {
		snprintf(err, errlen, "test CA: the request cannot be recorded (database error)");
		return CA_SUBMIT_FAILED;
	}
	snprintf(ref, CA_REF_MAX, "%s", r.reference);
	return CA_SUBMIT_OK;
}

static void shipment_of(const struct testca_shipment *t, struct ca_shipment *s)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->reference, sizeof(s->reference), "%s", t->reference);
	snprintf(s->office, sizeof(s->office), "%s", t->office);
	s->created_at = t->created_at;
	s->received_at = t->received_at;
	s->count = t->count;
}

struct each_shipment {
	int (*fn)(void *arg, const struct ca_shipment *s);
	void *arg;
};

static int each_shipment(void *arg, const struct testca_shipment *t)
{
	struct each_shipment *x = arg;
	struct ca_shipment s;

	shipment_of(t, &s);
	return x->fn(x->arg, &s);
}

static int tc_shipments(struct ca_connector *c, const char *office,
			int (*fn)(void *arg, const struct ca_shipment *s), void *arg, char *err,
			size_t errlen)
{
	struct each_shipment x = {fn, arg};

	if (store_testca_shipments_open(tc_store(c), office, each_shipment, &x) != STORE_OK) {
		snprintf(err, errlen, "test CA: shipments cannot be read (database error)");
		return -1;
	}
	return 0;
}

struct each_item {
	int (*fn)(void *arg, const struct ca_shipment_item *it);
	void *arg;
};

static int each_item(void *arg, const struct testca_request *r)
{
	struct each_item *x = arg;
	struct ca_shipment_item it;

	memset(&it, 0, sizeof(it));
	it.order_id = r->order_id;
	snprintf(it.reference, sizeof(it.reference), "%s", r->reference);
	snprintf(it.serial, sizeof(it.serial), "%s", r->serial);
	return x->fn(x->arg, &it);
}

static int tc_shipment(struct ca_connector *c, const char *ref, struct ca_shipment *out,
		       int (*fn)(void *arg, const struct ca_shipment_item *it), void *arg,
		       char *err, size_t errlen)
{
	struct testca_shipment t;
	struct each_item x = {fn, arg};
	int rc = store_testca_shipment_get(tc_store(c), ref, &t);

	if (rc == STORE_NOTFOUND) {
		snprintf(err, errlen, "test CA: there is no shipment %s", ref);
		return -1;
	}
	if (rc == STORE_OK && fn != NULL)
		rc = store_testca_shipment_items(tc_store(c), t.id, each_item, &x);
	if (rc != STORE_OK) {
		snprintf(err, errlen, "test CA: the shipment cannot be read (database error)");
		return -1;
	}
	shipment_of(&t, out);
	return 0;
}

static int tc_shipment_received(struct ca_connector *c, const char *ref, const char *by, time_t now,
				char *err, size_t errlen)
{
	struct testca_shipment t;
	int rc = store_testca_shipment_get(tc_store(c), ref, &t);

	if (rc == STORE_NOTFOUND) {
		snprintf(err, errlen, "test CA: there is no shipment %s", ref);
		return -1;
	}
	if (rc == STORE_OK && t.received_at != 0)
		return 0; /* confirmed before: idempotent */
	if (rc == STORE_OK)
		rc = store_testca_shipment_received(tc_store(c), t.id, by, now);
	if (rc != STORE_OK && rc != STORE_NOTFOUND) {
		snprintf(err, errlen, "test CA: the receipt cannot be recorded (database error)");
		return -1;
	}
	return 0;
}

static int tc_revoke(struct ca_connector *c, const struct order *o, const char *reason, char *err,
		     size_t errlen)
{
	struct testca_request r;
	int rc = store_testca_request_get(tc_store(c), o->id, &r);

	if (rc == STORE_OK && r.issued_at == 0)
		rc = STORE_NOTFOUND;
	if (rc == STORE_OK && r.revoked_at != 0)
		return 0;
	if (rc == STORE_OK)
		rc = store_testca_revoke(tc_store(c), o->id, reason, time(NULL));
	if (rc == STORE_NOTFOUND) {
		snprintf(err, errlen, "test CA: no certificate was issued for order %lld", o->id);
		return -1;
	}
	if (rc != STORE_OK) {
		snprintf(err, errlen, "test CA: the revocation was not recorded (database error)");
		return -1;
	}
	return 0;
}

static void tc_close(struct ca_connector *c)
{
	free(c->impl);
	free(c);
}

static const struct ca_connector testca_ops = {
	.name = "testca",
	.submit = tc_submit,
	.shipments = tc_shipments,
	.shipment = tc_shipment,
	.shipment_received = tc_shipment_received,
	.revoke = tc_revoke,
	.close = tc_close,
};

struct ca_connector *testca_open(struct store *st, char *err, size_t errlen)
{
	struct testca *t = calloc(1, sizeof(*t));
	struct ca_connector *c;

	if (t != NULL)
		t->st = st;
	if ((c = ca_connector_new(&testca_ops, t, err, errlen)) == NULL)
		free(t);
	return c;
}

int testca_fail_submissions(struct store *st, const char *message, const char *code)
{
	int on = message != NULL && *message != '\0';

	return store_testca_setting_set(st, SETTING_SUBMIT_ERROR, on ? message : NULL) ==
				       STORE_OK &&
			       store_testca_setting_set(st, SETTING_SUBMIT_REFUSE,
							on && code && *code ? code : NULL) ==
				       STORE_OK
		       ? 0
		       : -1;
}
