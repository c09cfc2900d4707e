/*
 * The back office's queries (office queues, search,
 * orders due to expire), the record of CA submissions, and the tables
 * of the in-process TEST CA (store_office.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/fold.h"
#include "domain/ident.h"
#include "domain/payment.h"
#include "store/store_int.h"
#include "store/store_office.h"

/* ---- Office queues and search --------------------------------------------- */

/* The queue and the search, each statement read through an index
 * (tests/unit/app/test_plans.c): no "($1 = '' OR office = $1)", which
 * no index serves, but one statement per case (office or every office;
 * some states or every state staff see), chosen in C.  The filter's
 * parameters: $1 office, $2 number of states, $3..$7 states ('' when
 * fewer), $8 the state staff never see (a draft), $9 confirmed before
 * (0: any).  Every state but a draft is "state NOT IN ($3..$7, $8)",
 * the unused states being ''.  States are bound, never written in SQL. */
#define F_OFFICE " office = $1"
#define F_ANY_OFFICE " $1 = ''"
#define F_STATES " AND $2 > 0 AND state IN ($3, $4, $5, $6, $7) AND state <> $8"
#define F_ANY_STATE " AND $2 = 0 AND state NOT IN ($3, $4, $5, $6, $7, $8)"
#define F_REST " AND ($9 = 0 OR (confirmed_at > 0 AND confirmed_at < $9))"
/* The search's candidates ($10 the text as typed, $11 as an order
 * number or -1, $12 as a license number (domain/ident.h: "315 6789 01"
 * is 315678901) or '', $13 as a payment reference ("97 95 00000001" is
 * 979500000001) or '', $14..$19 up to three words' prefix ranges
 * (words.c; '' when fewer, the longest first: its range read, the
 * others checked per order): each by its own index; a name matches
 * when each word typed starts one of its words. */
#define F_SEARCH                                                                                   \
	" AND id IN (SELECT id FROM orders WHERE id = $11 UNION ALL SELECT id FROM orders WHERE "  \
	"jmbg = $10 UNION ALL SELECT id FROM orders WHERE company_pib = $10 UNION ALL SELECT id "  \
	"FROM orders WHERE license_number = $12 AND $12 <> '' UNION ALL SELECT id FROM orders "    \
	"WHERE payment_ref = $13 AND $13 <> '' UNION ALL SELECT w.order_id FROM order_words w "    \
	"WHERE $14 <> '' AND w.word >= $14 AND w.word < $15 AND ($16 = '' OR EXISTS (SELECT 1 "    \
	"FROM order_words v WHERE v.order_id = w.order_id AND v.word >= $16 AND v.word < $17)) "   \
	"AND ($18 = '' OR EXISTS (SELECT 1 FROM order_words v WHERE v.order_id = w.order_id AND "  \
	"v.word >= $18 AND v.word < $19)))"
/* A list: its filter, then ORDER BY +id (the plus keeps SQLite from
 * walking every order in id order in the hope of filling the page
 * early: the filter's index is read and its rows sorted) with the
 * page's limit and offset;
 * a count: the same filter counted up to a cap (ORDER_COUNT_CAP + 1). */
#define LIST_OF(W, n, m) "SELECT id FROM orders WHERE" W " ORDER BY +id LIMIT $" n " OFFSET $" m
#define COUNT_OF(W, n, m) "SELECT COUNT(*) FROM (SELECT id FROM orders WHERE" W " LIMIT $" n ") c"
#define WHERES(X, S, n, m)                                                                         \
	{                                                                                          \
		X(F_ANY_OFFICE F_ANY_STATE F_REST S, n, m),                                        \
			X(F_ANY_OFFICE F_STATES F_REST S, n, m),                                   \
			X(F_OFFICE F_ANY_STATE F_REST S, n, m),                                    \
			X(F_OFFICE F_STATES F_REST S, n, m)                                        \
	}

static const char *const SQL_QUEUE[] = WHERES(LIST_OF, "", "10", "11");
static const char *const SQL_QUEUE_COUNT[] = WHERES(COUNT_OF, "", "10", "11");
static const char *const SQL_SEARCH[] = WHERES(LIST_OF, F_SEARCH, "20", "21");
static const char *const SQL_SEARCH_COUNT[] = WHERES(COUNT_OF, F_SEARCH, "20", "21");
static const char SQL_STATE_COUNTS[] =
	"SELECT state, COUNT(*) FROM orders WHERE state <> $2 AND ($1 = '' OR office = $1) "
	"GROUP BY state ORDER BY state";

static const char SQL_CA_PUT[] =
	"INSERT INTO ca_requests (order_id, connector, reference, submitted_at) VALUES ($1, $2, "
	"$3, $4) ON CONFLICT (order_id) DO UPDATE SET connector = $2, reference = $3, "
	"submitted_at = $4";
#define CA_REQUEST_COLS(X, _)                                                                      \
	X("order_id", INT64, order_id) _ X("connector", TEXT, connector)                           \
	_ X("reference", TEXT, reference)                                                          \
	_ X("submitted_at", TIME, submitted_at)
static const char SQL_CA_GET[] =
	"SELECT " DB_NAMES(CA_REQUEST_COLS) " FROM ca_requests WHERE order_id = $1";

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

DB_READER(ca_request, struct ca_request, CA_REQUEST_COLS)
DB_READER(treq, struct testca_request, TREQ_COLS)
DB_READER(tship, struct testca_shipment, TSHIP_COLS)

/* A word's prefix range: [word, word + U+10FFFF), every word that
 * starts with it (byte order; the bound stays valid UTF-8). */
static void prefix_end(const char *word, char *out, size_t size)
{
	snprintf(out, size, "%s\xf4\x8f\xbf\xbf", word);
}

static int longest_first(const void *a, const void *b)
{
	size_t x = strlen(a), y = strlen(b);

	return x < y ? 1 : x > y ? -1 : 0;
}

/* The search's words and keys, alive while its statement runs. */
struct search_keys {
	char words[3][SEARCH_WORD_SIZE], ends[3][SEARCH_WORD_SIZE + 4];
	char license[32], ref[PAYMENT_REF_SIZE];
};

/* f's parameters into a[] (the filter's $1..$9, the search's $10..$19
 * when it has text); their count. */
static size_t filter_args(struct sq_arg a[22], const struct order_filter *f, struct search_keys *k)
{
	const char *q = f->q ? f->q : "";
	long long id = -1;
	size_t i, n, c;
	char *end;

	a[0] = SQ_TEXT(f->office ? f->office : "");
	a[1] = SQ_INT(f->nstates < ORDER_FILTER_STATES ? f->nstates : ORDER_FILTER_STATES);
	for (i = 0; i < ORDER_FILTER_STATES; i++)
		a[2 + i] = SQ_TEXT(i < f->nstates && f->states[i] ? f->states[i] : "");
	a[7] = SQ_TEXT(wf_state_name(WF_DRAFT));
	a[8] = SQ_INT(f->confirmed_before);
	if (*q == '\0')
		return 9;
	a[9] = SQ_TEXT(q);
	if (strspn(q, "0123456789") == strlen(q) && strlen(q) <= 15)
		id = strtoll(q, &end, 10);
	a[10] = SQ_INT(id);
	if (!license_normalize(q, k->license, sizeof(k->license)))
		k->license[0] = '\0';
	a[11] = SQ_TEXT(k->license);
	if (payment_ref_normalize(q, k->ref, PAYMENT_REF_SIZE) != 1)
		k->ref[0] = '\0';
	a[12] = SQ_TEXT(k->ref);
	n = search_words(q, k->words, 3);
	qsort(k->words, n, sizeof(k->words[0]), longest_first);
	for (c = 13, i = 0; i < 3; i++) {
		if (i >= n)
			k->words[i][0] = '\0';
		prefix_end(k->words[i], k->ends[i], sizeof(k->ends[i]));
		a[c++] = SQ_TEXT(k->words[i]);
		a[c++] = SQ_TEXT(k->ends[i]);
	}
	return 19;
}

_Static_assert(ORDER_FILTER_STATES == 5, "the filter binds five states, $3..$7");

int store_office_orders(struct store *st, const struct order_filter *f, long long *total,
			int (*fn)(void *arg, const struct order *o), void *arg)
{
	struct sq_arg a[22];
	struct search_keys k;
	size_t c = filter_args(a, f, &k), n, i;
	int which = (f->office && *f->office ? 2 : 0) + (f->nstates > 0 ? 1 : 0);
	const char *list = c == 9 ? SQL_QUEUE[which] : SQL_SEARCH[which];
	const char *count = c == 9 ? SQL_QUEUE_COUNT[which] : SQL_SEARCH_COUNT[which];
	long long *ids;
	struct order o;
	int rc;

	if (total != NULL) {
		a[c] = SQ_INT(ORDER_COUNT_CAP + 1);
		a[c + 1] = SQ_END_;
		rc = db_step_int64(db_bind_args(st, count, a), total, "office order count");
		if (rc != STORE_OK)
			return rc == STORE_NOTFOUND ? STORE_ERROR : rc;
	}
	a[c] = SQ_INT(f->limit > 0 ? f->limit : (long long)1 << 62);
	a[c + 1] = SQ_INT(f->offset > 0 ? f->offset : 0);
	a[c + 2] = SQ_END_;
	/* Ids first, then each order: fn may use the store itself. */
	if ((rc = db_step_ids(db_bind_args(st, list, a), &ids, &n, "office orders")) != STORE_OK)
		return rc;
	for (i = 0; i < n && rc == STORE_OK; i++) {
		rc = store_order_get(st, ids[i], &o);
		if (rc == STORE_NOTFOUND) { /* removed meanwhile: never happens today */
			rc = STORE_OK;
			continue;
		}
		if (rc == STORE_OK && fn(arg, &o) != 0)
			break;
	}
	free(ids);
	return rc;
}

int store_office_state_counts(struct store *st, const char *office,
			      int (*fn)(void *arg, const char *state, long long count), void *arg)
{
	struct db_stmt *s = db_bound(st, SQL_STATE_COUNTS, SQ_TEXT(office ? office : ""),
				     SQ_TEXT(wf_state_name(WF_DRAFT)));
	char state[32];
	int rc;

	if (s == NULL)
		return STORE_ERROR;
	while ((rc = db_step(s)) == DB_ROW) {
		db_col_copy(s, 0, state, sizeof(state));
		if (fn(arg, state, db_col_int64(s, 1)) != 0)
			break;
	}
	return db_rows_end(s, rc, "office state counts");
}

/* ---- CA submissions ------------------------------------------------------------ */

int store_ca_request_put(struct store *st, const struct ca_request *cr)
{
	return db_run(st, SQL_CA_PUT, "ca request put", SQ_INT(cr->order_id),
		      SQ_TEXT(cr->connector), SQ_TEXT(cr->reference), SQ_INT(cr->submitted_at));
}

int store_ca_request_get(struct store *st, long long order_id, struct ca_request *out)
{
	return ca_request_one(db_bound(st, SQL_CA_GET, SQ_INT(order_id)), out, "ca request get");
}

/* ---- TEST CA ------------------------------------------------------------------- */

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
