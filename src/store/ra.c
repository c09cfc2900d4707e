/*
 * Registration authority staff (the audit log: audit.c).
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/secret.h"
#include "store/store_int.h"
#include "util/log.h"

#define OPERATOR_COLS                                                                              \
	"id, username, password_hash, role, office, totp_secret, totp_last_step, "                 \
	"totp_enrolled_at, active, created_at"

static const char SQL_OP_INSERT[] =
	"INSERT INTO operators (username, password_hash, role, office, totp_secret, "
	"totp_last_step, totp_enrolled_at, active, created_at) VALUES ($1, $2, $3, $4, $5, 0, 0, "
	"$6, $7) RETURNING id";
static const char SQL_OP_GET[] = "SELECT " OPERATOR_COLS " FROM operators WHERE id = $1";
static const char SQL_OP_BY_NAME[] = "SELECT " OPERATOR_COLS " FROM operators WHERE username = $1";
static const char SQL_OP_UPDATE[] = "UPDATE operators SET role = $2, office = $3, active = $4, "
				    "password_hash = $5 WHERE id = $1";
static const char SQL_OP_TOTP[] =
	"UPDATE operators SET totp_last_step = $2, totp_enrolled_at = CASE WHEN "
	"totp_enrolled_at = 0 THEN $3 ELSE totp_enrolled_at END WHERE id = $1 AND "
	"totp_last_step < $2";
static const char SQL_OP_UNSEALED[] =
	"SELECT id, totp_secret FROM operators WHERE totp_secret <> '' AND totp_secret NOT LIKE "
	"'s1:%' ORDER BY id LIMIT 1";
static const char SQL_OP_SEAL[] = "UPDATE operators SET totp_secret = $2 WHERE id = $1 AND "
				  "totp_secret = $3";
static const char SQL_OP_EACH[] = "SELECT " OPERATOR_COLS " FROM operators ORDER BY username";

static const char SQL_SESSION_VIEW[] =
	"SELECT s.kind, s.account_id, s.created_at, s.last_seen_at, "
	"COALESCE(a.username, o.username, ''), COALESCE(m.first_name, ''), "
	"COALESCE(m.last_name, ''), COALESCE(o.role, ''), COALESCE(o.office, ''), "
	"COALESCE(o.active, 0) FROM sessions s "
	"LEFT JOIN accounts a ON s.kind = 1 AND a.id = s.account_id "
	"LEFT JOIN members m ON m.id = a.member_id "
	"LEFT JOIN operators o ON s.kind <> 1 AND o.id = s.account_id "
	"WHERE s.id_hash = $1";

int store_session_view(struct store *st, const unsigned char id_hash[32], struct session_view *out)
{
	struct db_stmt *s = db_bound(st, SQL_SESSION_VIEW, SQ_BLOB(id_hash, 32));
	int rc;

	if ((rc = db_step_row(s, "session view")) != STORE_OK)
		return rc;
	memset(out, 0, sizeof(*out));
	memcpy(out->s.id_hash, id_hash, 32);
	out->s.kind = (enum session_kind)db_col_int(s, 0);
	out->s.account_id = db_col_int64(s, 1);
	out->s.created_at = (time_t)db_col_int64(s, 2);
	out->s.last_seen_at = (time_t)db_col_int64(s, 3);
	db_col_copy(s, 4, out->username, sizeof(out->username));
	db_col_copy(s, 5, out->first_name, sizeof(out->first_name));
	db_col_copy(s, 6, out->last_name, sizeof(out->last_name));
	db_col_copy(s, 7, out->role, sizeof(out->role));
	db_col_copy(s, 8, out->office, sizeof(out->office));
	out->active = db_col_int(s, 9);
	db_reset(s);
	return STORE_OK;
}

static void op_read(struct store *st, struct db_stmt *s, struct operator* o)
{
	char stored[256];

	memset(o, 0, sizeof(*o));
	o->id = db_col_int64(s, 0);
	db_col_copy(s, 1, o->username, sizeof(o->username));
	db_col_copy(s, 2, o->password_hash, sizeof(o->password_hash));
	db_col_copy(s, 3, o->role, sizeof(o->role));
	db_col_copy(s, 4, o->office, sizeof(o->office));
	db_col_copy(s, 5, stored, sizeof(stored));
	if (!st->seal_set) /* as stored (a sealed one cut short) */
		db_col_copy(s, 5, o->totp_secret, sizeof(o->totp_secret));
	else if (secret_open(st->seal_key, stored, o->totp_secret, sizeof(o->totp_secret)) < 0)
		log_warnx("operator %s: the TOTP secret does not open with this installation's "
			  "secret.key",
			  o->username);
	sodium_memzero(stored, sizeof(stored));
	o->totp_last_step = db_col_int64(s, 6);
	o->totp_enrolled_at = (time_t)db_col_int64(s, 7);
	o->active = db_col_int(s, 8);
	o->created_at = (time_t)db_col_int64(s, 9);
}

static int op_one(struct store *st, struct db_stmt *s, struct operator* out, const char *what)
{
	int rc = db_step_row(s, what);

	if (rc == STORE_OK) {
		op_read(st, s, out);
		db_reset(s);
	}
	return rc;
}

int store_operator_create(struct store *st, struct operator* o)
{
	char sealed[256];

	if (st->seal_set && secret_seal(st->seal_key, o->totp_secret, sealed, sizeof(sealed)) != 0)
		return STORE_ERROR;
	return db_insert(st, SQL_OP_INSERT, "operator create", &o->id, SQ_TEXT(o->username),
			 SQ_TEXT(o->password_hash), SQ_TEXT(o->role), SQ_TEXT(o->office),
			 SQ_TEXT(st->seal_set ? sealed : o->totp_secret), SQ_INT(o->active),
			 SQ_INT(o->created_at));
}

int store_operator_get(struct store *st, long long id, struct operator* out)
{
	return op_one(st, db_bound(st, SQL_OP_GET, SQ_INT(id)), out, "operator get");
}

int store_operator_by_username(struct store *st, const char *username, struct operator* out)
{
	return op_one(st, db_bound(st, SQL_OP_BY_NAME, SQ_TEXT(username)), out,
		      "operator by username");
}

int store_operator_update(struct store *st, const struct operator* o)
{
	return db_changed(st, SQL_OP_UPDATE, "operator update", SQ_INT(o->id), SQ_TEXT(o->role),
			  SQ_TEXT(o->office), SQ_INT(o->active), SQ_TEXT(o->password_hash));
}

int store_operator_totp_step(struct store *st, long long id, long long step, time_t now)
{
	return db_changed(st, SQL_OP_TOTP, "operator totp", SQ_INT(id), SQ_INT(step), SQ_INT(now));
}

int store_operator_each(struct store *st, int (*fn)(void *arg, const struct operator* o), void *arg)
{
	struct db_stmt *s = db_stmt(st, SQL_OP_EACH);
	struct operator o;
	int rc;

	if (s == NULL)
		return STORE_ERROR;
	while ((rc = db_step(s)) == DB_ROW) {
		op_read(st, s, &o);
		if (fn(arg, &o) != 0)
			break;
	}
	return db_rows_end(s, rc, "operator list");
}

int store_operator_seal_all(struct store *st, int *n)
{
	struct db_stmt *s;
	char plain[256], sealed[256];
	long long id;
	int rc = STORE_OK, count = 0;

	if (!st->seal_set || store_begin(st) != STORE_OK)
		return STORE_ERROR;
	/* One at a time: each sealed row leaves the query's result. */
	while (rc == STORE_OK) {
		if ((s = db_stmt(st, SQL_OP_UNSEALED)) == NULL) {
			rc = STORE_ERROR;
			break;
		}
		if ((rc = db_step_row(s, "operators to seal")) != STORE_OK)
			break;
		id = db_col_int64(s, 0);
		db_col_copy(s, 1, plain, sizeof(plain));
		db_reset(s);
		if (secret_seal(st->seal_key, plain, sealed, sizeof(sealed)) != 0) {
			rc = STORE_ERROR;
			break;
		}
		rc = db_changed(st, SQL_OP_SEAL, "operator seal", SQ_INT(id), SQ_TEXT(sealed),
				SQ_TEXT(plain));
		count++;
	}
	sodium_memzero(plain, sizeof(plain));
	if (rc != STORE_NOTFOUND || store_commit(st) != STORE_OK) {
		store_rollback(st);
		return STORE_ERROR;
	}
	if (n != NULL)
		*n = count;
	return STORE_OK;
}
