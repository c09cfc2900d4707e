/*
 * SQLite backend of the CA (see ca_db.h).  WAL with synchronous=FULL: a
 * certificate the CA answered with survives a crash.  All SQL of the CA
 * is in this file, always prepared and bound; preparing, binding,
 * stepping and reading go through util/sq.h, the helpers the portal's
 * store uses: a value that cannot be bound fails the call.  Errors are
 * logged here ("CA db: ...").
 */
#include "ca/ca_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "util/log.h"
#include "util/sq.h"

struct ca_db {
	sqlite3 *h;
};

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS certs("
	" serial TEXT PRIMARY KEY, kind TEXT NOT NULL, subject TEXT NOT NULL,"
	" not_before INTEGER NOT NULL, not_after INTEGER NOT NULL, der BLOB NOT NULL,"
	" revoked_at INTEGER, reason INTEGER);"
	"CREATE TABLE IF NOT EXISTS shipments("
	" id INTEGER PRIMARY KEY, office TEXT NOT NULL, day TEXT NOT NULL,"
	" state TEXT NOT NULL DEFAULT 'in_transit', created INTEGER NOT NULL,"
	" received_at INTEGER);"
	"CREATE INDEX IF NOT EXISTS shipments_office ON shipments(office, state);"
	"CREATE TABLE IF NOT EXISTS registrations("
	" order_id TEXT PRIMARY KEY, request TEXT NOT NULL, profile TEXT NOT NULL,"
	" office TEXT NOT NULL, serial TEXT NOT NULL UNIQUE REFERENCES certs(serial),"
	" card TEXT NOT NULL, shipment_id INTEGER NOT NULL REFERENCES shipments(id),"
	" created INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS registrations_shipment ON registrations(shipment_id);"
	"CREATE TABLE IF NOT EXISTS cmp_secrets("
	" reference TEXT PRIMARY KEY, order_id TEXT NOT NULL REFERENCES registrations(order_id),"
	" secret TEXT, created INTEGER NOT NULL, used_at INTEGER, transaction_id TEXT,"
	" serial TEXT);"
	"CREATE TABLE IF NOT EXISTS events("
	" id INTEGER PRIMARY KEY, at TEXT NOT NULL, action TEXT NOT NULL,"
	" object TEXT NOT NULL, detail TEXT);"
	"CREATE TRIGGER IF NOT EXISTS events_append_only BEFORE UPDATE ON events"
	" BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;"
	"CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events"
	" BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;";

struct ca_db *ca_db_open(const char *path, char *err, size_t errlen)
{
	struct ca_db *db = calloc(1, sizeof(*db));
	char why[256];

	if (db == NULL)
		return NULL;
	if (sqlite3_open_v2(path, &db->h,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
			    NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(db->h));
		goto err;
	}
	sqlite3_busy_timeout(db->h, 5000);
	if (sq_exec(db->h,
		    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
		    "PRAGMA foreign_keys=ON;",
		    why, sizeof(why)) != 0 ||
	    sq_exec(db->h, schema, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "%s: %s", path, why);
		goto err;
	}
	return db;
err:
	sqlite3_close(db->h);
	free(db);
	return NULL;
}

void ca_db_close(struct ca_db *db)
{
	if (db == NULL)
		return;
	/* Every statement is finalised where it is used: a failure here
	 * would leave the database open (and its WAL unchecked). */
	if (sqlite3_close(db->h) != SQLITE_OK)
		log_warnx("CA db: close: %s", sqlite3_errmsg(db->h));
	free(db);
}

static int exec(struct ca_db *db, const char *sql)
{
	char why[256];

	if (sq_exec(db->h, sql, why, sizeof(why)) == 0)
		return 0;
	log_warnx("CA db: %s: %s", sql, why);
	return -1;
}

int ca_db_begin(struct ca_db *db)
{
	return exec(db, "BEGIN IMMEDIATE");
}

int ca_db_commit(struct ca_db *db)
{
	return exec(db, "COMMIT");
}

void ca_db_rollback(struct ca_db *db)
{
	exec(db, "ROLLBACK");
}

/* The statement for sql (whole: one statement; util/sq.h), NULL on an
 * error (logged).  Finalised where it is used. */
static sqlite3_stmt *prep(struct ca_db *db, const char *sql)
{
	return sq_prepare(db->h, sql, 0, "CA db");
}

/* prep, then args bound in order (util/sq.h); NULL on error. */
static sqlite3_stmt *prep_args(struct ca_db *db, const char *sql, const struct sq_arg *args)
{
	sqlite3_stmt *st = prep(db, sql);

	if (st != NULL)
		sq_bind_list(st, args);
	return st;
}
#define bound(db, sql, ...) prep_args((db), (sql), SQ_ARGS_(__VA_ARGS__))

/* sq_step, logging an error (a bind that failed, or the step's own). */
static int step(sqlite3_stmt *st)
{
	return sq_step_warn(st, "CA db");
}

/* Steps a statement that returns no row and finalises it. */
static int run(sqlite3_stmt *st)
{
	int rc = st != NULL && step(st) == SQLITE_DONE ? 0 : -1;

	sqlite3_finalize(st);
	return rc;
}

/* run(st), then the number of rows it changed, or -1 on an error. */
static int run_changes(struct ca_db *db, sqlite3_stmt *st)
{
	return run(st) == 0 ? sqlite3_changes(db->h) : -1;
}

int ca_db_cert_add(struct ca_db *db, const char *serial, const char *kind, const char *subject,
		   time_t not_before, time_t not_after, const unsigned char *der, size_t derlen)
{
	return run(bound(db,
			 "INSERT INTO certs(serial, kind, subject, not_before,"
			 " not_after, der) VALUES(?, ?, ?, ?, ?, ?)",
			 SQ_TEXT(serial), SQ_TEXT(kind), SQ_TEXT(subject), SQ_INT(not_before),
			 SQ_INT(not_after), SQ_BLOB(der, derlen)));
}

int ca_db_cert_status(struct ca_db *db, const char *serial, time_t *at, int *reason)
{
	sqlite3_stmt *st = bound(db,
				 "SELECT revoked_at, reason FROM certs"
				 " WHERE serial = ? AND kind NOT IN ('root', 'issuing')",
				 SQ_TEXT(serial));
	int rc = -1, s;

	if (st == NULL)
		return -1;
	s = step(st);
	if (s == SQLITE_DONE)
		rc = CA_CERT_UNKNOWN;
	else if (s == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_NULL)
		rc = CA_CERT_GOOD;
	else if (s == SQLITE_ROW) {
		*at = (time_t)sqlite3_column_int64(st, 0);
		*reason = sqlite3_column_int(st, 1);
		rc = CA_CERT_REVOKED;
	}
	sqlite3_finalize(st);
	return rc;
}

int ca_db_cert_revoke(struct ca_db *db, const char *serial, int reason, time_t at)
{
	sqlite3_stmt *st = bound(db,
				 "UPDATE certs SET revoked_at = ?, reason = ?"
				 " WHERE serial = ? AND revoked_at IS NULL",
				 SQ_INT(at), SQ_INT(reason), SQ_TEXT(serial));
	int n;

	if (st == NULL)
		return -1;
	if ((n = run_changes(db, st)) < 0)
		return -1;
	return n > 0 ? 1 : 0;
}

int ca_db_revoked_each(struct ca_db *db,
		       int (*fn)(void *arg, const char *serial, time_t at, int reason), void *arg)
{
	sqlite3_stmt *st =
		prep(db, "SELECT serial, revoked_at, reason FROM certs"
			 " WHERE revoked_at IS NOT NULL AND kind NOT IN ('root', 'issuing')"
			 " ORDER BY revoked_at");
	const char *serial;
	int s = SQLITE_DONE, rc = 0;

	if (st == NULL)
		return -1;
	while (rc == 0 && (s = step(st)) == SQLITE_ROW) {
		if ((serial = (const char *)sqlite3_column_text(st, 0)) == NULL) {
			rc = -1; /* out of memory: no serial is NULL */
			break;
		}
		rc = fn(arg, serial, (time_t)sqlite3_column_int64(st, 1),
			sqlite3_column_int(st, 2));
	}
	if (s != SQLITE_DONE && s != SQLITE_ROW)
		rc = -1;
	sqlite3_finalize(st);
	return rc;
}

long ca_db_crl_number_next(struct ca_db *db)
{
	sqlite3_stmt *st;
	long n = -1;

	if (run(prep(db, "INSERT INTO meta(key, value) VALUES('crl_number', 1)"
			 " ON CONFLICT(key) DO UPDATE SET value = value + 1")) != 0)
		return -1;
	st = prep(db, "SELECT value FROM meta WHERE key = 'crl_number'");
	if (st != NULL && step(st) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

void ca_db_reg_free(struct ca_db_reg *r)
{
	if (r == NULL)
		return;
	free(r->request);
	free(r->der);
	r->request = NULL;
	r->der = NULL;
}

int ca_db_reg_get(struct ca_db *db, const char *order_id, struct ca_db_reg *r)
{
	sqlite3_stmt *st = bound(
		db,
		"SELECT r.order_id, r.request, r.profile, r.office, r.serial, r.card,"
		" r.shipment_id, r.created, c.not_before, c.not_after, c.revoked_at, c.reason,"
		" c.der, CASE WHEN c.revoked_at IS NOT NULL THEN 'revoked'"
		" WHEN s.state = 'received' THEN 'delivered' ELSE 'in_transit' END"
		" FROM registrations r JOIN certs c ON c.serial = r.serial"
		" JOIN shipments s ON s.id = r.shipment_id WHERE r.order_id = ?",
		SQ_TEXT(order_id));
	const unsigned char *request;
	const void *der;
	int s, rc = -1;

	if (st == NULL)
		return -1;
	memset(r, 0, sizeof(*r));
	s = step(st);
	if (s == SQLITE_DONE)
		rc = 0;
	if (s != SQLITE_ROW)
		goto out;
	/* The request and the certificate are NOT NULL, and a certificate
	 * is never empty: NULL here is SQLite out of memory. */
	request = sqlite3_column_text(st, 1);
	der = sqlite3_column_blob(st, 12);
	r->derlen = (size_t)sqlite3_column_bytes(st, 12);
	if (request == NULL || der == NULL || r->derlen == 0) {
		log_warnx("CA db: registration %s: request or certificate unreadable", order_id);
		goto out;
	}
	sq_col_text(st, 0, r->order_id, sizeof(r->order_id));
	r->request = strdup((const char *)request);
	sq_col_text(st, 2, r->profile, sizeof(r->profile));
	sq_col_text(st, 3, r->office, sizeof(r->office));
	sq_col_text(st, 4, r->serial, sizeof(r->serial));
	sq_col_text(st, 5, r->card, sizeof(r->card));
	r->shipment_id = sqlite3_column_int64(st, 6);
	r->created = (time_t)sqlite3_column_int64(st, 7);
	r->not_before = (time_t)sqlite3_column_int64(st, 8);
	r->not_after = (time_t)sqlite3_column_int64(st, 9);
	r->revoked_at = (time_t)sqlite3_column_int64(st, 10);
	r->reason = sqlite3_column_int(st, 11);
	if ((r->der = malloc(r->derlen + 1)) != NULL)
		memcpy(r->der, der, r->derlen);
	sq_col_text(st, 13, r->state, sizeof(r->state));
	if (r->request == NULL || r->der == NULL) {
		ca_db_reg_free(r);
		goto out;
	}
	rc = 1;
out:
	sqlite3_finalize(st);
	return rc;
}

int ca_db_reg_add(struct ca_db *db, const char *order_id, const char *request, const char *profile,
		  const char *office, const char *serial, const char *card, long long shipment_id,
		  time_t now)
{
	return run(bound(db,
			 "INSERT INTO registrations(order_id, request, profile, office,"
			 " serial, card, shipment_id, created) VALUES(?,?,?,?,?,?,?,?)",
			 SQ_TEXT(order_id), SQ_TEXT(request), SQ_TEXT(profile), SQ_TEXT(office),
			 SQ_TEXT(serial), SQ_TEXT(card), SQ_INT(shipment_id), SQ_INT(now)));
}

int ca_db_shipment_current(struct ca_db *db, const char *office, time_t now, long long *id)
{
	char day[16];
	struct tm tm;
	sqlite3_stmt *st;
	int s;

	gmtime_r(&now, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	st = bound(db,
		   "SELECT id FROM shipments WHERE office = ? AND day = ?"
		   " AND state = 'in_transit' ORDER BY id DESC LIMIT 1",
		   SQ_TEXT(office), SQ_TEXT(day));
	if (st == NULL)
		return -1;
	s = step(st);
	if (s == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (s == SQLITE_ROW)
		return 0;
	if (s != SQLITE_DONE)
		return -1;
	st = bound(db, "INSERT INTO shipments(office, day, created) VALUES(?, ?, ?)",
		   SQ_TEXT(office), SQ_TEXT(day), SQ_INT(now));
	if (st == NULL)
		return -1;
	if (run(st) != 0)
		return -1;
	*id = sqlite3_last_insert_rowid(db->h);
	return 0;
}

/* The shipment in st's current row with its items, NULL on an error:
 * never a list cut short (a step that failed, a value unreadable). */
static json_t *shipment_row(struct ca_db *db, sqlite3_stmt *st)
{
	long long id = sqlite3_column_int64(st, 0);
	sqlite3_stmt *items = bound(db,
				    "SELECT order_id, serial FROM registrations"
				    " WHERE shipment_id = ? ORDER BY created, order_id",
				    SQ_INT(id));
	json_t *o, *arr = json_array();
	char at[32];
	time_t t;
	struct tm tm;
	int s;

	if (items == NULL || arr == NULL) {
		sqlite3_finalize(items);
		json_decref(arr);
		return NULL;
	}
	while ((s = step(items)) == SQLITE_ROW)
		/* json_pack refuses a NULL string (out of memory in SQLite). */
		if (json_array_append_new(
			    arr, json_pack("{s:s, s:s}", "order_id",
					   (const char *)sqlite3_column_text(items, 0), "serial",
					   (const char *)sqlite3_column_text(items, 1))) != 0)
			break;
	sqlite3_finalize(items);
	if (s != SQLITE_DONE) {
		json_decref(arr);
		return NULL;
	}
	t = (time_t)sqlite3_column_int64(st, 4);
	gmtime_r(&t, &tm);
	strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm);
	o = json_pack("{s:I, s:s, s:s, s:s, s:o}", "id", (json_int_t)id, "office",
		      (const char *)sqlite3_column_text(st, 1), "state",
		      (const char *)sqlite3_column_text(st, 3), "created", at, "items", arr);
	if (o != NULL && sqlite3_column_type(st, 5) != SQLITE_NULL) {
		t = (time_t)sqlite3_column_int64(st, 5);
		gmtime_r(&t, &tm);
		strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm);
		json_object_set_new(o, "received_at", json_string(at));
	}
	return o;
}

int ca_db_shipments_list(struct ca_db *db, const char *office, const char *state, json_t *arr)
{
	sqlite3_stmt *st = bound(db,
				 "SELECT id, office, day, state, created, received_at"
				 " FROM shipments WHERE office = ? AND (?2 IS NULL OR state = ?2)"
				 " ORDER BY id DESC",
				 SQ_TEXT(office), SQ_TEXT(state));
	int s, rc = 0;

	if (st == NULL)
		return -1;
	while ((s = step(st)) == SQLITE_ROW) {
		json_t *o = shipment_row(db, st);

		if (o == NULL) {
			rc = -1;
			break;
		}
		json_array_append_new(arr, o);
	}
	if (s != SQLITE_DONE && s != SQLITE_ROW)
		rc = -1;
	sqlite3_finalize(st);
	return rc;
}

json_t *ca_db_shipment_json(struct ca_db *db, long long id)
{
	sqlite3_stmt *st = bound(db,
				 "SELECT id, office, day, state, created, received_at"
				 " FROM shipments WHERE id = ?",
				 SQ_INT(id));
	json_t *o = NULL;

	if (st == NULL)
		return NULL;
	if (step(st) == SQLITE_ROW)
		o = shipment_row(db, st);
	sqlite3_finalize(st);
	return o;
}

int ca_db_shipment_receive(struct ca_db *db, long long id, time_t now)
{
	sqlite3_stmt *st = bound(db, "SELECT state FROM shipments WHERE id = ?", SQ_INT(id));
	int s, received = 0;

	if (st == NULL)
		return -1;
	s = step(st);
	if (s == SQLITE_ROW) {
		const unsigned char *state = sqlite3_column_text(st, 0);

		if (state == NULL) /* NOT NULL: SQLite out of memory */
			s = SQLITE_NOMEM;
		else
			received = strcmp((const char *)state, "received") == 0;
	}
	sqlite3_finalize(st);
	if (s != SQLITE_ROW)
		return -1;
	if (received)
		return 0;
	st = bound(db, "UPDATE shipments SET state = 'received', received_at = ? WHERE id = ?",
		   SQ_INT(now), SQ_INT(id));
	if (st == NULL)
		return -1;
	return run(st) == 0 ? 1 : -1;
}

int ca_db_event(struct ca_db *db, const char *action, const char *object, const char *detail)
{
	return run(bound(db,
			 "INSERT INTO events(at, action, object, detail)"
			 " VALUES(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?, ?, ?)",
			 SQ_TEXT(action), SQ_TEXT(object), SQ_TEXT(detail)));
}

int ca_db_cmp_secret_add(struct ca_db *db, const char *reference, const char *order_id,
			 const char *secret, time_t now)
{
	sqlite3_stmt *st = bound(db,
				 "UPDATE cmp_secrets SET secret = NULL"
				 " WHERE order_id = ? AND used_at IS NULL",
				 SQ_TEXT(order_id));

	if (st == NULL)
		return -1;
	if (run(st) != 0)
		return -1;
	st = bound(db,
		   "INSERT INTO cmp_secrets(reference, order_id, secret, created)"
		   " VALUES(?, ?, ?, ?)",
		   SQ_TEXT(reference), SQ_TEXT(order_id), SQ_TEXT(secret), SQ_INT(now));
	if (st == NULL)
		return -1;
	return run(st);
}

int ca_db_cmp_secret_get(struct ca_db *db, const char *reference, struct ca_db_cmp *c)
{
	sqlite3_stmt *st = bound(db,
				 "SELECT order_id, secret, used_at IS NOT NULL,"
				 " transaction_id, created FROM cmp_secrets WHERE reference = ?",
				 SQ_TEXT(reference));
	int rc = -1, s;

	memset(c, 0, sizeof(*c));
	if (st == NULL)
		return -1;
	s = step(st);
	if (s == SQLITE_ROW) {
		sq_col_text(st, 0, c->order_id, sizeof(c->order_id));
		sq_col_text(st, 1, c->secret, sizeof(c->secret));
		c->used = sqlite3_column_int(st, 2);
		sq_col_text(st, 3, c->transaction_id, sizeof(c->transaction_id));
		c->created = (time_t)sqlite3_column_int64(st, 4);
		rc = 1;
	} else if (s == SQLITE_DONE)
		rc = 0;
	sqlite3_finalize(st);
	return rc;
}

int ca_db_cmp_secret_use(struct ca_db *db, const char *reference, const char *transaction_id,
			 const char *serial, time_t now)
{
	sqlite3_stmt *st =
		bound(db,
		      "UPDATE cmp_secrets SET used_at = ?, transaction_id = ?,"
		      " serial = ? WHERE reference = ? AND used_at IS NULL"
		      " AND secret IS NOT NULL",
		      SQ_INT(now), SQ_TEXT(transaction_id), SQ_TEXT(serial), SQ_TEXT(reference));
	int n;

	if (st == NULL)
		return -1;
	if ((n = run_changes(db, st)) < 0)
		return -1;
	return n == 1 ? 1 : 0;
}

int ca_db_cmp_secret_wipe(struct ca_db *db, const char *reference)
{
	return run(bound(db, "UPDATE cmp_secrets SET secret = NULL WHERE reference = ?",
			 SQ_TEXT(reference)));
}

int ca_db_cmp_certs_revoke(struct ca_db *db, const char *order_id, int reason, time_t at)
{
	sqlite3_stmt *st = bound(db,
				 "UPDATE certs SET revoked_at = ?, reason = ?"
				 " WHERE revoked_at IS NULL AND serial IN (SELECT serial"
				 " FROM cmp_secrets WHERE order_id = ? AND serial IS NOT NULL)",
				 SQ_INT(at), SQ_INT(reason), SQ_TEXT(order_id));

	if (st == NULL)
		return -1;
	return run_changes(db, st);
}
