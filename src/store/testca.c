/*
 * The tables of the in-process TEST CA (store_office.h;
 * connector/testca.c, for tests and the demo only).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "store/store_office.h"

#define TREQ_COLS(X, _)                                                                            \
	X("id", INT64, id) _ X("order_id", INT64, order_id)                                        \
	_ X("reference", TEXT, reference)                                                          \
	_ X("office", TEXT, office)                                                                \
	_ X("subject", TEXT, subject)                                                              \
	_ X("submitted_at", TIME, submitted_at)                                                    \
	_ X("issued_at", TIME, issued_at)                                                          \
	_ X("serial", TEXT, serial)                                                                \
	_ X("COALESCE(shipment_id, 0)", INT64, shipment_id)                                        \
	_ X("revoked_at", TIME, revoked_at)                                                        \
	_ X("revoke_reason", TEXT, revoke_reason)

static const char SQL_TREQ_INSERT[] =
	"INSERT INTO testca_requests (order_id, reference, office, subject, submitted_at) "
	"VALUES ($1, $2, $3, $4, $5) RETURNING id";
static const char SQL_TREQ_GET[] =
	"SELECT " DB_NAMES(TREQ_COLS) " FROM testca_requests WHERE order_id = $1";
static const char SQL_TREQ_PENDING[] =
	"SELECT " DB_NAMES(TREQ_COLS) " FROM testca_requests WHERE "
				      "issued_at = 0 AND ($1 = 0 OR order_id = $1) ORDER BY id";
static const char SQL_TREQ_ISSUE[] = "UPDATE testca_requests SET issued_at = $2, serial = $3, "
				     "shipment_id = $4 WHERE id = $1 AND issued_at = 0";
static const char SQL_TREQ_REVOKE[] = "UPDATE testca_requests SET revoked_at = $2, "
				      "revoke_reason = $3 WHERE order_id = $1 AND revoked_at = 0";
static const char SQL_TREQ_ITEMS[] = "SELECT " DB_NAMES(
	TREQ_COLS) " FROM testca_requests WHERE shipment_id = $1 ORDER BY order_id";

#define TSHIP_COLS(X, _)                                                                           \
	X("s.id", INT64, id) _ X("s.reference", TEXT, reference)                                   \
	_ X("s.office", TEXT, office)                                                              \
	_ X("s.created_at", TIME, created_at)                                                      \
	_ X("s.received_at", TIME, received_at)                                                    \
	_ X("s.received_by", TEXT, received_by)                                                    \
	_ X("(SELECT COUNT(*) FROM testca_requests r WHERE r.shipment_id = s.id)", INT64, count)

static const char SQL_TSHIP_INSERT[] = "INSERT INTO testca_shipments (reference, office, "
				       "created_at) VALUES ($1, $2, $3) RETURNING id";
static const char SQL_TSHIP_SET_REF[] = "UPDATE testca_shipments SET reference = $2 WHERE id = $1";
static const char SQL_TSHIP_GET[] =
	"SELECT " DB_NAMES(TSHIP_COLS) " FROM testca_shipments s WHERE s.reference = $1";
static const char SQL_TSHIP_OPEN[] = "SELECT " DB_NAMES(
	TSHIP_COLS) " FROM testca_shipments s WHERE s.received_at = 0 AND ($1 = '' OR "
		    "s.office = $1) ORDER BY s.id";
static const char SQL_TSHIP_RECEIVED[] = "UPDATE testca_shipments SET received_at = $2, "
					 "received_by = $3 WHERE id = $1 AND received_at = 0";

static const char SQL_TSET_GET[] = "SELECT value FROM testca_settings WHERE name = $1";
static const char SQL_TSET_PUT[] = "INSERT INTO testca_settings (name, value) VALUES ($1, $2) "
				   "ON CONFLICT (name) DO UPDATE SET value = $2";
static const char SQL_TSET_DEL[] = "DELETE FROM testca_settings WHERE name = $1";

DB_READER(treq, struct testca_request, TREQ_COLS)
DB_READER(tship, struct testca_shipment, TSHIP_COLS)

int store_testca_request_get(struct store *st, long long order_id, struct testca_request *out)
{
	return treq_one(db_bound(st, SQL_TREQ_GET, SQ_INT(order_id)), out, "testca request get");
}

int store_testca_request_add(struct store *st, struct testca_request *r)
{
	int rc = store_testca_request_get(st, r->order_id, r);

	if (rc != STORE_NOTFOUND)
		return rc;
	/* One request per order, so the order number makes the reference. */
	snprintf(r->reference, sizeof(r->reference), "TESTCA-R%06lld", r->order_id);
	rc = db_insert(st, SQL_TREQ_INSERT, "testca request add", &r->id, SQ_INT(r->order_id),
		       SQ_TEXT(r->reference), SQ_TEXT(r->office), SQ_TEXT(r->subject),
		       SQ_INT(r->submitted_at));
	if (rc == STORE_CONFLICT) /* a concurrent first submission won */
		return store_testca_request_get(st, r->order_id, r);
	return rc;
}

int store_testca_pending(struct store *st, long long order_id,
			 int (*fn)(void *arg, const struct testca_request *r), void *arg)
{
	return treq_each(db_bound(st, SQL_TREQ_PENDING, SQ_INT(order_id)), fn, arg,
			 "testca pending");
}

int store_testca_issue(struct store *st, long long id, const char *serial, long long shipment_id,
		       time_t now)
{
	return db_changed(st, SQL_TREQ_ISSUE, "testca issue", SQ_INT(id), SQ_INT(now),
			  SQ_TEXT(serial), SQ_INT(shipment_id));
}

int store_testca_revoke(struct store *st, long long order_id, const char *reason, time_t now)
{
	return db_changed(st, SQL_TREQ_REVOKE, "testca revoke", SQ_INT(order_id), SQ_INT(now),
			  SQ_TEXT(reason));
}

int store_testca_shipment_add(struct store *st, struct testca_shipment *sh)
{
	char tmp[64];
	int rc;

	/* The reference names the id, known only after the insert. */
	snprintf(tmp, sizeof(tmp), "new-%s-%lld", sh->office, (long long)sh->created_at);
	if ((rc = db_insert(st, SQL_TSHIP_INSERT, "testca shipment add", &sh->id, SQ_TEXT(tmp),
			    SQ_TEXT(sh->office), SQ_INT(sh->created_at))) != STORE_OK)
		return rc;
	snprintf(sh->reference, sizeof(sh->reference), "TESTCA-S%06lld", sh->id);
	return db_changed(st, SQL_TSHIP_SET_REF, "testca shipment reference", SQ_INT(sh->id),
			  SQ_TEXT(sh->reference));
}

int store_testca_shipment_get(struct store *st, const char *reference, struct testca_shipment *out)
{
	return tship_one(db_bound(st, SQL_TSHIP_GET, SQ_TEXT(reference)), out,
			 "testca shipment get");
}

int store_testca_shipments_open(struct store *st, const char *office,
				int (*fn)(void *arg, const struct testca_shipment *s), void *arg)
{
	return tship_each(db_bound(st, SQL_TSHIP_OPEN, SQ_TEXT(office ? office : "")), fn, arg,
			  "testca shipments");
}

int store_testca_shipment_items(struct store *st, long long shipment_id,
				int (*fn)(void *arg, const struct testca_request *r), void *arg)
{
	return treq_each(db_bound(st, SQL_TREQ_ITEMS, SQ_INT(shipment_id)), fn, arg,
			 "testca shipment items");
}

int store_testca_shipment_received(struct store *st, long long id, const char *by, time_t now)
{
	return db_changed(st, SQL_TSHIP_RECEIVED, "testca shipment received", SQ_INT(id),
			  SQ_INT(now), SQ_TEXT(by));
}

int store_testca_setting_get(struct store *st, const char *name, char *out, size_t size)
{
	struct db_stmt *s = db_bound(st, SQL_TSET_GET, SQ_TEXT(name));
	int rc;

	if (size > 0)
		out[0] = '\0';
	if ((rc = db_step_row(s, "testca setting get")) != STORE_OK)
		return rc;
	db_col_copy(s, 0, out, size);
	db_reset(s);
	return STORE_OK;
}

int store_testca_setting_set(struct store *st, const char *name, const char *value)
{
	if (value)
		return db_run(st, SQL_TSET_PUT, "testca setting set", SQ_TEXT(name),
			      SQ_TEXT(value));
	return db_run(st, SQL_TSET_DEL, "testca setting set", SQ_TEXT(name));
}
