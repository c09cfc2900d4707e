/*
 * SQLite backend: members (the chamber's register), accounts, one-time
 * tokens, sessions and login throttling (store.h).
 */
#include <string.h>
#include <time.h>

#include "store/sqlite_int.h"

/* The columns every SELECT of a table reads (sqlite_int.h). */
#define MEMBER_COLS(X, _)                                                                          \
	X("id", INT64, id) _ X("license_number", TEXT, license_number)                             \
	_ X("first_name", TEXT, first_name)                                                        \
	_ X("last_name", TEXT, last_name)                                                          \
	_ X("jmbg", TEXT, jmbg)                                                                    \
	_ X("email", TEXT, email)
#define ACCOUNT_COLS(X, _)                                                                         \
	X("id", INT64, id) _ X("member_id", INT64, member_id)                                      \
	_ X("username", TEXT, username)                                                            \
	_ X("password_hash", TEXT, password_hash)                                                  \
	_ X("email", TEXT, email)                                                                  \
	_ X("lang", TEXT, lang)                                                                    \
	_ X("created_at", TIME, created_at)                                                        \
	_ X("COALESCE(confirmed_at, 0)", TIME, confirmed_at)
/* id_hash is the key looked up, not read back. */
#define SESSION_COLS(X, _)                                                                         \
	X("kind", INT, kind) _ X("account_id", INT64, account_id)                                  \
	_ X("created_at", TIME, created_at)                                                        \
	_ X("last_seen_at", TIME, last_seen_at)

SQ_READER(member, struct member, MEMBER_COLS)
SQ_READER(account, struct account, ACCOUNT_COLS)
SQ_READER(session, struct session, SESSION_COLS)

static const char SQL_MEMBER_BY_LICENSE[] =
	"SELECT " SQ_NAMES(MEMBER_COLS) " FROM members WHERE license_number = $1";
static const char SQL_MEMBER_GET[] = "SELECT " SQ_NAMES(MEMBER_COLS) " FROM members WHERE id = $1";
static const char SQL_MEMBER_INSERT[] =
	"INSERT INTO members (license_number, first_name, last_name, jmbg, email, created_at, "
	"updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)";
static const char SQL_MEMBER_UPDATE[] = "UPDATE members SET first_name = $2, last_name = $3, jmbg "
					"= $4, email = $5, updated_at = $6 WHERE id = $1";
static const char SQL_MEMBER_COUNT[] = "SELECT COUNT(*) FROM members";
static const char SQL_ACCOUNT_INSERT[] =
	"INSERT INTO accounts (member_id, username, password_hash, email, lang, created_at) VALUES "
	"($1, $2, $3, $4, $5, $6)";
static const char SQL_ACCOUNT_GET[] =
	"SELECT " SQ_NAMES(ACCOUNT_COLS) " FROM accounts WHERE id = $1";
static const char SQL_ACCOUNT_BY_USERNAME[] =
	"SELECT " SQ_NAMES(ACCOUNT_COLS) " FROM accounts WHERE username = $1";
static const char SQL_ACCOUNT_BY_MEMBER[] =
	"SELECT " SQ_NAMES(ACCOUNT_COLS) " FROM accounts WHERE member_id = $1";
static const char SQL_ACCOUNT_BY_EMAIL[] = "SELECT " SQ_NAMES(
	ACCOUNT_COLS) " FROM accounts WHERE lower(email) = lower($1) ORDER BY id LIMIT 1";
static const char SQL_ACCOUNT_CONFIRM[] =
	"UPDATE accounts SET confirmed_at = $2 WHERE id = $1 AND confirmed_at IS NULL";
static const char SQL_ACCOUNT_SET_PASSWORD[] =
	"UPDATE accounts SET password_hash = $2 WHERE id = $1";
static const char SQL_TOKEN_INSERT[] =
	"INSERT INTO tokens (hash, kind, account_id, expires_at) VALUES ($1, $2, $3, $4)";
static const char SQL_TOKEN_WITHHELD[] = "INSERT INTO tokens (hash, kind, account_id, expires_at, "
					 "used_at) VALUES ($1, $2, NULL, $3, $3)";
static const char SQL_TOKEN_PEEK[] =
	"SELECT account_id FROM tokens WHERE hash = $1 AND kind = $2 AND used_at IS NULL AND "
	"expires_at > $3 AND account_id IS NOT NULL";
static const char SQL_TOKEN_USE[] =
	"UPDATE tokens SET used_at = $3 WHERE hash = $1 AND kind = $2 AND used_at IS NULL AND "
	"expires_at > $3 AND account_id IS NOT NULL";
static const char SQL_SESSION_INSERT[] = "INSERT INTO sessions (id_hash, kind, account_id, "
					 "created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)";
static const char SQL_SESSION_GET[] =
	"SELECT " SQ_NAMES(SESSION_COLS) " FROM sessions WHERE id_hash = $1";
static const char SQL_SESSION_TOUCH[] = "UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1";
static const char SQL_SESSION_DELETE[] = "DELETE FROM sessions WHERE id_hash = $1";
static const char SQL_SESSION_DELETE_ACCOUNT[] =
	"DELETE FROM sessions WHERE kind = $1 AND account_id = $2";
static const char SQL_SESSION_DELETE_ACCOUNT_EXCEPT[] =
	"DELETE FROM sessions WHERE kind = $1 AND account_id = $2 AND id_hash <> $3";
static const char SQL_LOGIN_FAILURE_ADD[] = "INSERT INTO login_failures (key, at) VALUES ($1, $2)";
static const char SQL_LOGIN_FAILURES[] = "SELECT COUNT(*), COALESCE(MIN(at), 0), COALESCE(MAX(at), "
					 "0) FROM login_failures WHERE key = $1 AND at >= $2";
static const char SQL_LOGIN_FAILURES_CLEAR[] = "DELETE FROM login_failures WHERE key = $1";
static const char SQL_LOGIN_FAILURE_REMOVE[] = "DELETE FROM login_failures WHERE id = $1";
static const char SQL_LOGIN_FAILURES_PURGE[] = "DELETE FROM login_failures WHERE at < $1";

/* ---- Members ------------------------------------------------------------ */

int store_member_get(struct store *st, long long id, struct member *out)
{
	sqlite3_stmt *s = sq_stmt(st, SQL_MEMBER_GET);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, id);
	return member_one(s, out, "member get");
}

int store_member_by_license(struct store *st, const char *license, struct member *out)
{
	sqlite3_stmt *s = sq_stmt(st, SQL_MEMBER_BY_LICENSE);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_text(s, 1, license);
	return member_one(s, out, "member by license");
}

int store_member_upsert(struct store *st, const struct member *m, enum member_upsert *outcome)
{
	struct member old;
	sqlite3_stmt *s;
	int rc;

	rc = store_member_by_license(st, m->license_number, &old);
	if (rc == STORE_ERROR)
		return rc;
	if (rc == STORE_OK && strcmp(old.first_name, m->first_name) == 0 &&
	    strcmp(old.last_name, m->last_name) == 0 && strcmp(old.jmbg, m->jmbg) == 0 &&
	    strcmp(old.email, m->email) == 0) {
		*outcome = MEMBER_UNCHANGED;
		return STORE_OK;
	}
	if ((s = sq_stmt(st, rc == STORE_OK ? SQL_MEMBER_UPDATE : SQL_MEMBER_INSERT)) == NULL)
		return STORE_ERROR;
	if (rc == STORE_OK)
		sq_bind_int64(s, 1, old.id);
	else
		sq_bind_text(s, 1, m->license_number);
	sq_bind_text(s, 2, m->first_name);
	sq_bind_text(s, 3, m->last_name);
	sq_bind_text(s, 4, m->jmbg);
	sq_bind_text(s, 5, m->email);
	sq_bind_int64(s, 6, (sqlite3_int64)time(NULL));
	*outcome = rc == STORE_OK ? MEMBER_UPDATED : MEMBER_ADDED;
	return sq_step_done(s, "member upsert");
}

int store_member_count(struct store *st, long long *count)
{
	return sq_count(st, SQL_MEMBER_COUNT, count, "member count");
}

/* ---- Accounts ------------------------------------------------------------ */

int store_account_create(struct store *st, struct account *a)
{
	sqlite3_stmt *s = sq_stmt(st, SQL_ACCOUNT_INSERT);
	int rc;

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, a->member_id);
	sq_bind_text(s, 2, a->username);
	sq_bind_text(s, 3, a->password_hash);
	sq_bind_text(s, 4, a->email);
	sq_bind_text(s, 5, a->lang[0] ? a->lang : "sr");
	sq_bind_int64(s, 6, (sqlite3_int64)a->created_at);
	rc = sq_step_done(s, "account create");
	if (rc == STORE_OK)
		a->id = sqlite3_last_insert_rowid(sqlite3_db_handle(s));
	return rc;
}

int store_account_get(struct store *st, long long id, struct account *out)
{
	sqlite3_stmt *s = sq_stmt(st, SQL_ACCOUNT_GET);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, id);
	return account_one(s, out, "account get");
}

int store_account_by_username(struct store *st, const char *username, struct account *out)
{
	sqlite3_stmt *s = sq_stmt(st, SQL_ACCOUNT_BY_USERNAME);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_text(s, 1, username);
	return account_one(s, out, "account by username");
}

int store_account_by_member(struct store *st, long long member_id, struct account *out)
{
	sqlite3_stmt *s = sq_stmt(st, SQL_ACCOUNT_BY_MEMBER);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, member_id);
	return account_one(s, out, "account by member");
}

int store_account_by_email(struct store *st, const char *email, struct account *out)
{
	sqlite3_stmt *s = sq_stmt(st, SQL_ACCOUNT_BY_EMAIL);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_text(s, 1, email);
	return account_one(s, out, "account by email");
}

int store_account_confirm(struct store *st, long long id, time_t now)
{
	sqlite3_stmt *s = sq_stmt(st, SQL_ACCOUNT_CONFIRM);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, id);
	sq_bind_int64(s, 2, (sqlite3_int64)now);
	return sq_step_changed(s, "account confirm");
}

int store_account_set_password(struct store *st, long long id, const char *hash)
{
	sqlite3_stmt *s = sq_stmt(st, SQL_ACCOUNT_SET_PASSWORD);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, id);
	sq_bind_text(s, 2, hash);
	return sq_step_changed(s, "account set password");
}

/* ---- Tokens ---------------------------------------------------------------- */

int store_token_add(struct store *st, const unsigned char hash[32], enum token_kind kind,
		    long long account_id, time_t expires_at)
{
	sqlite3_stmt *s = sq_stmt(st, SQL_TOKEN_INSERT);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_blob(s, 1, hash, 32);
	sq_bind_int(s, 2, (int)kind);
	sq_bind_int64(s, 3, account_id);
	sq_bind_int64(s, 4, (sqlite3_int64)expires_at);
	return sq_step_done(s, "token add");
}

int store_token_withheld(struct store *st, const unsigned char hash[32], enum token_kind kind,
			 time_t now)
{
	sqlite3_stmt *s = sq_stmt(st, SQL_TOKEN_WITHHELD);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_blob(s, 1, hash, 32);
	sq_bind_int(s, 2, (int)kind);
	sq_bind_int64(s, 3, (sqlite3_int64)now);
	return sq_step_done(s, "token withheld");
}

int store_token_peek(struct store *st, const unsigned char hash[32], enum token_kind kind,
		     time_t now, long long *account_id)
{
	sqlite3_stmt *s = sq_stmt(st, SQL_TOKEN_PEEK);
	int rc;

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_blob(s, 1, hash, 32);
	sq_bind_int(s, 2, (int)kind);
	sq_bind_int64(s, 3, (sqlite3_int64)now);
	if ((rc = sq_step_row(s, "token peek")) == STORE_OK) {
		*account_id = sqlite3_column_int64(s, 0);
		sq_done(s);
	}
	return rc;
}

int store_token_use(struct store *st, const unsigned char hash[32], enum token_kind kind,
		    time_t now, long long *account_id)
{
	sqlite3_stmt *s;
	int rc;

	/* Peek and mark in one transaction when the caller has none open. */
	rc = store_token_peek(st, hash, kind, now, account_id);
	if (rc != STORE_OK)
		return rc;
	if ((s = sq_stmt(st, SQL_TOKEN_USE)) == NULL)
		return STORE_ERROR;
	sq_bind_blob(s, 1, hash, 32);
	sq_bind_int(s, 2, (int)kind);
	sq_bind_int64(s, 3, (sqlite3_int64)now);
	return sq_step_changed(s, "token use");
}

/* ---- Sessions ---------------------------------------------------------------- */

int store_session_add(struct store *st, const struct session *se)
{
	sqlite3_stmt *s = sq_stmt(st, SQL_SESSION_INSERT);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_blob(s, 1, se->id_hash, 32);
	sq_bind_int(s, 2, (int)se->kind);
	sq_bind_int64(s, 3, se->account_id);
	sq_bind_int64(s, 4, (sqlite3_int64)se->created_at);
	return sq_step_done(s, "session add");
}

int store_session_get(struct store *st, const unsigned char id_hash[32], struct session *out)
{
	sqlite3_stmt *s = sq_stmt(st, SQL_SESSION_GET);
	int rc;

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_blob(s, 1, id_hash, 32);
	if ((rc = session_one(s, out, "session get")) == STORE_OK)
		memcpy(out->id_hash, id_hash, 32);
	return rc;
}

int store_session_touch(struct store *st, const unsigned char id_hash[32], time_t now)
{
	sqlite3_stmt *s = sq_stmt(st, SQL_SESSION_TOUCH);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_blob(s, 1, id_hash, 32);
	sq_bind_int64(s, 2, (sqlite3_int64)now);
	return sq_step_changed(s, "session touch");
}

int store_session_delete(struct store *st, const unsigned char id_hash[32])
{
	sqlite3_stmt *s = sq_stmt(st, SQL_SESSION_DELETE);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_blob(s, 1, id_hash, 32);
	return sq_step_done(s, "session delete");
}

int store_session_delete_account(struct store *st, enum session_kind kind, long long account_id,
				 const unsigned char *keep)
{
	sqlite3_stmt *s =
		sq_stmt(st, keep ? SQL_SESSION_DELETE_ACCOUNT_EXCEPT : SQL_SESSION_DELETE_ACCOUNT);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int(s, 1, (int)kind);
	sq_bind_int64(s, 2, account_id);
	if (keep)
		sq_bind_blob(s, 3, keep, 32);
	return sq_step_done(s, "session delete account");
}

/* ---- Login throttling --------------------------------------------------------- */

int store_login_failure_add(struct store *st, const char *key, time_t now, long long *id)
{
	sqlite3_stmt *s = sq_stmt(st, SQL_LOGIN_FAILURE_ADD);
	int rc;

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_text(s, 1, key);
	sq_bind_int64(s, 2, (sqlite3_int64)now);
	rc = sq_step_done(s, "login failure add");
	if (rc == STORE_OK && id != NULL)
		*id = sqlite3_last_insert_rowid(sqlite3_db_handle(s));
	return rc;
}

int store_login_failures(struct store *st, const char *key, time_t since, int *count,
			 time_t *oldest, time_t *newest)
{
	sqlite3_stmt *s = sq_stmt(st, SQL_LOGIN_FAILURES);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_text(s, 1, key);
	sq_bind_int64(s, 2, (sqlite3_int64)since);
	if (sq_step(s) != SQLITE_ROW)
		return sq_fail(s, "login failures");
	*count = sqlite3_column_int(s, 0);
	*oldest = (time_t)sqlite3_column_int64(s, 1);
	if (newest != NULL)
		*newest = (time_t)sqlite3_column_int64(s, 2);
	sq_done(s);
	return STORE_OK;
}

int store_login_failures_clear(struct store *st, const char *key)
{
	sqlite3_stmt *s = sq_stmt(st, SQL_LOGIN_FAILURES_CLEAR);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_text(s, 1, key);
	return sq_step_done(s, "login failures clear");
}

int store_login_failure_remove(struct store *st, long long id)
{
	sqlite3_stmt *s = sq_stmt(st, SQL_LOGIN_FAILURE_REMOVE);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, id);
	return sq_step_done(s, "login failure remove");
}

int store_login_failures_purge(struct store *st, time_t before)
{
	sqlite3_stmt *s = sq_stmt(st, SQL_LOGIN_FAILURES_PURGE);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, (sqlite3_int64)before);
	return sq_step_done(s, "login failures purge");
}
