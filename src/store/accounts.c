/*
 * Members (the chamber's register), accounts, one-time
 * tokens, sessions and login throttling (store.h).
 */
#include <string.h>
#include <time.h>

#include "store/store_int.h"

/* The columns every SELECT of a table reads (store_int.h). */
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

DB_READER(member, struct member, MEMBER_COLS)
DB_READER(account, struct account, ACCOUNT_COLS)
DB_READER(session, struct session, SESSION_COLS)

static const char SQL_MEMBER_BY_LICENSE[] =
	"SELECT " DB_NAMES(MEMBER_COLS) " FROM members WHERE license_number = $1";
static const char SQL_MEMBER_GET[] = "SELECT " DB_NAMES(MEMBER_COLS) " FROM members WHERE id = $1";
static const char SQL_MEMBER_OF_ACCOUNT[] = "SELECT " DB_NAMES(
	MEMBER_COLS) " FROM members WHERE id = (SELECT member_id FROM accounts WHERE id = $1)";
static const char SQL_MEMBER_INSERT[] =
	"INSERT INTO members (license_number, first_name, last_name, jmbg, email, created_at, "
	"updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)";
static const char SQL_MEMBER_UPDATE[] = "UPDATE members SET first_name = $2, last_name = $3, jmbg "
					"= $4, email = $5, updated_at = $6 WHERE id = $1";
static const char SQL_MEMBER_COUNT[] = "SELECT COUNT(*) FROM members";
static const char SQL_ACCOUNT_INSERT[] =
	"INSERT INTO accounts (member_id, username, password_hash, email, lang, created_at) VALUES "
	"($1, $2, $3, $4, $5, $6) RETURNING id";
static const char SQL_ACCOUNT_GET[] =
	"SELECT " DB_NAMES(ACCOUNT_COLS) " FROM accounts WHERE id = $1";
static const char SQL_ACCOUNT_BY_USERNAME[] =
	"SELECT " DB_NAMES(ACCOUNT_COLS) " FROM accounts WHERE username = $1";
static const char SQL_ACCOUNT_BY_MEMBER[] =
	"SELECT " DB_NAMES(ACCOUNT_COLS) " FROM accounts WHERE member_id = $1";
static const char SQL_ACCOUNT_BY_JMBG[] = "SELECT " DB_NAMES(
	ACCOUNT_COLS) " FROM accounts WHERE member_id IN "
		      "(SELECT id FROM members WHERE jmbg = $1) ORDER BY id LIMIT 1";
static const char SQL_ACCOUNT_BY_EMAIL[] = "SELECT " DB_NAMES(
	ACCOUNT_COLS) " FROM accounts WHERE lower(email) = lower($1) ORDER BY id LIMIT 1";
static const char SQL_ACCOUNT_CONFIRM[] =
	"UPDATE accounts SET confirmed_at = $2 WHERE id = $1 AND confirmed_at IS NULL";
static const char SQL_ACCOUNT_SET_PASSWORD[] =
	"UPDATE accounts SET password_hash = $2 WHERE id = $1";
static const char SQL_ACCOUNT_SET_LANG[] = "UPDATE accounts SET lang = $2 WHERE id = $1";
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
static const char SQL_TOKEN_VOID_ACCOUNT[] =
	"UPDATE tokens SET used_at = $2 WHERE account_id = $1 AND used_at IS NULL";
static const char SQL_SESSION_INSERT[] = "INSERT INTO sessions (id_hash, kind, account_id, "
					 "created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)";
static const char SQL_SESSION_GET[] =
	"SELECT " DB_NAMES(SESSION_COLS) " FROM sessions WHERE id_hash = $1";
static const char SQL_SESSION_TOUCH[] = "UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1";
static const char SQL_SESSION_DELETE[] = "DELETE FROM sessions WHERE id_hash = $1";
static const char SQL_SESSION_DELETE_ACCOUNT[] =
	"DELETE FROM sessions WHERE kind = $1 AND account_id = $2";
static const char SQL_SESSION_DELETE_ACCOUNT_EXCEPT[] =
	"DELETE FROM sessions WHERE kind = $1 AND account_id = $2 AND id_hash <> $3";
static const char SQL_LOGIN_FAILURE_ADD[] =
	"INSERT INTO login_failures (key, at) VALUES ($1, $2) RETURNING id";
static const char SQL_LOGIN_FAILURES[] = "SELECT COUNT(*), COALESCE(MIN(at), 0), COALESCE(MAX(at), "
					 "0) FROM login_failures WHERE key = $1 AND at >= $2";
static const char SQL_LOGIN_FAILURES_CLEAR[] = "DELETE FROM login_failures WHERE key = $1";
static const char SQL_LOGIN_FAILURE_REMOVE[] = "DELETE FROM login_failures WHERE id = $1";
static const char SQL_LOGIN_FAILURE_RESTAMP[] = "UPDATE login_failures SET at = $2 WHERE id = $1";
static const char SQL_LOGIN_FAILURES_PURGE[] = "DELETE FROM login_failures WHERE at < $1";

/* ---- Members ------------------------------------------------------------ */

int store_member_get(struct store *st, long long id, struct member *out)
{
	return member_one(db_bound(st, SQL_MEMBER_GET, SQ_INT(id)), out, "member get");
}

int store_member_of_account(struct store *st, long long account_id, struct member *out)
{
	return member_one(db_bound(st, SQL_MEMBER_OF_ACCOUNT, SQ_INT(account_id)), out,
			  "member of account");
}

int store_member_by_license(struct store *st, const char *license, struct member *out)
{
	return member_one(db_bound(st, SQL_MEMBER_BY_LICENSE, SQ_TEXT(license)), out,
			  "member by license");
}

int store_member_upsert(struct store *st, const struct member *m, enum member_upsert *outcome)
{
	struct member old;
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
	*outcome = rc == STORE_OK ? MEMBER_UPDATED : MEMBER_ADDED;
	/* $1 is the row: the existing one's id, or the new one's license. */
	return db_run(st, rc == STORE_OK ? SQL_MEMBER_UPDATE : SQL_MEMBER_INSERT, "member upsert",
		      rc == STORE_OK ? SQ_INT(old.id) : SQ_TEXT(m->license_number),
		      SQ_TEXT(m->first_name), SQ_TEXT(m->last_name), SQ_TEXT(m->jmbg),
		      SQ_TEXT(m->email), SQ_INT(time(NULL)));
}

int store_member_count(struct store *st, long long *count)
{
	return db_count(st, SQL_MEMBER_COUNT, count, "member count");
}

/* ---- Accounts ------------------------------------------------------------ */

int store_account_create(struct store *st, struct account *a)
{
	return db_insert(st, SQL_ACCOUNT_INSERT, "account create", &a->id, SQ_INT(a->member_id),
			 SQ_TEXT(a->username), SQ_TEXT(a->password_hash), SQ_TEXT(a->email),
			 SQ_TEXT(a->lang[0] ? a->lang : "sr"), SQ_INT(a->created_at));
}

int store_account_get(struct store *st, long long id, struct account *out)
{
	return account_one(db_bound(st, SQL_ACCOUNT_GET, SQ_INT(id)), out, "account get");
}

int store_account_by_username(struct store *st, const char *username, struct account *out)
{
	return account_one(db_bound(st, SQL_ACCOUNT_BY_USERNAME, SQ_TEXT(username)), out,
			   "account by username");
}

int store_account_by_member(struct store *st, long long member_id, struct account *out)
{
	return account_one(db_bound(st, SQL_ACCOUNT_BY_MEMBER, SQ_INT(member_id)), out,
			   "account by member");
}

int store_account_by_jmbg(struct store *st, const char *jmbg, struct account *out)
{
	return account_one(db_bound(st, SQL_ACCOUNT_BY_JMBG, SQ_TEXT(jmbg)), out,
			   "account by jmbg");
}

int store_account_by_email(struct store *st, const char *email, struct account *out)
{
	return account_one(db_bound(st, SQL_ACCOUNT_BY_EMAIL, SQ_TEXT(email)), out,
			   "account by email");
}

int store_account_confirm(struct store *st, long long id, time_t now)
{
	return db_changed(st, SQL_ACCOUNT_CONFIRM, "account confirm", SQ_INT(id), SQ_INT(now));
}

int store_account_set_password(struct store *st, long long id, const char *hash)
{
	return db_changed(st, SQL_ACCOUNT_SET_PASSWORD, "account set password", SQ_INT(id),
			  SQ_TEXT(hash));
}

int store_account_set_lang(struct store *st, long long id, const char *lang)
{
	return db_changed(st, SQL_ACCOUNT_SET_LANG, "account set lang", SQ_INT(id), SQ_TEXT(lang));
}

/* ---- Tokens ---------------------------------------------------------------- */

int store_token_add(struct store *st, const unsigned char hash[32], enum token_kind kind,
		    long long account_id, time_t expires_at)
{
	return db_run(st, SQL_TOKEN_INSERT, "token add", SQ_BLOB(hash, 32), SQ_INT(kind),
		      SQ_INT(account_id), SQ_INT(expires_at));
}

int store_token_withheld(struct store *st, const unsigned char hash[32], enum token_kind kind,
			 time_t now)
{
	return db_run(st, SQL_TOKEN_WITHHELD, "token withheld", SQ_BLOB(hash, 32), SQ_INT(kind),
		      SQ_INT(now));
}

int store_token_peek(struct store *st, const unsigned char hash[32], enum token_kind kind,
		     time_t now, long long *account_id)
{
	return db_step_int64(
		db_bound(st, SQL_TOKEN_PEEK, SQ_BLOB(hash, 32), SQ_INT(kind), SQ_INT(now)),
		account_id, "token peek");
}

int store_token_use(struct store *st, const unsigned char hash[32], enum token_kind kind,
		    time_t now, long long *account_id)
{
	int rc;

	/* Peek and mark in one transaction when the caller has none open. */
	rc = store_token_peek(st, hash, kind, now, account_id);
	if (rc != STORE_OK)
		return rc;
	return db_changed(st, SQL_TOKEN_USE, "token use", SQ_BLOB(hash, 32), SQ_INT(kind),
			  SQ_INT(now));
}

int store_token_void_account(struct store *st, long long account_id, time_t now)
{
	return db_run(st, SQL_TOKEN_VOID_ACCOUNT, "token void account", SQ_INT(account_id),
		      SQ_INT(now));
}

/* ---- Sessions ---------------------------------------------------------------- */

int store_session_add(struct store *st, const struct session *se)
{
	return db_run(st, SQL_SESSION_INSERT, "session add", SQ_BLOB(se->id_hash, 32),
		      SQ_INT(se->kind), SQ_INT(se->account_id), SQ_INT(se->created_at));
}

int store_session_get(struct store *st, const unsigned char id_hash[32], struct session *out)
{
	int rc = session_one(db_bound(st, SQL_SESSION_GET, SQ_BLOB(id_hash, 32)), out,
			     "session get");

	if (rc == STORE_OK)
		memcpy(out->id_hash, id_hash, 32);
	return rc;
}

int store_session_touch(struct store *st, const unsigned char id_hash[32], time_t now)
{
	return db_changed(st, SQL_SESSION_TOUCH, "session touch", SQ_BLOB(id_hash, 32),
			  SQ_INT(now));
}

int store_session_delete(struct store *st, const unsigned char id_hash[32])
{
	return db_run(st, SQL_SESSION_DELETE, "session delete", SQ_BLOB(id_hash, 32));
}

int store_session_delete_account(struct store *st, enum session_kind kind, long long account_id,
				 const unsigned char *keep)
{
	/* SQL_SESSION_DELETE_ACCOUNT has no $3: keep is bound only to the other. */
	if (keep)
		return db_run(st, SQL_SESSION_DELETE_ACCOUNT_EXCEPT, "session delete account",
			      SQ_INT(kind), SQ_INT(account_id), SQ_BLOB(keep, 32));
	return db_run(st, SQL_SESSION_DELETE_ACCOUNT, "session delete account", SQ_INT(kind),
		      SQ_INT(account_id));
}

/* ---- Login throttling --------------------------------------------------------- */

int store_login_failure_add(struct store *st, const char *key, time_t now, long long *id)
{
	return db_insert(st, SQL_LOGIN_FAILURE_ADD, "login failure add", id, SQ_TEXT(key),
			 SQ_INT(now));
}

int store_login_failures(struct store *st, const char *key, time_t since, int *count,
			 time_t *oldest, time_t *newest)
{
	struct db_stmt *s = db_bound(st, SQL_LOGIN_FAILURES, SQ_TEXT(key), SQ_INT(since));

	if (s == NULL)
		return STORE_ERROR;
	if (db_step(s) != DB_ROW)
		return db_fail(s, "login failures");
	*count = db_col_int(s, 0);
	*oldest = (time_t)db_col_int64(s, 1);
	if (newest != NULL)
		*newest = (time_t)db_col_int64(s, 2);
	db_reset(s);
	return STORE_OK;
}

int store_login_failures_clear(struct store *st, const char *key)
{
	return db_run(st, SQL_LOGIN_FAILURES_CLEAR, "login failures clear", SQ_TEXT(key));
}

int store_login_failure_remove(struct store *st, long long id)
{
	return db_run(st, SQL_LOGIN_FAILURE_REMOVE, "login failure remove", SQ_INT(id));
}

int store_login_failure_restamp(struct store *st, long long id, time_t at)
{
	return db_run(st, SQL_LOGIN_FAILURE_RESTAMP, "login failure restamp", SQ_INT(id),
		      SQ_INT(at));
}

int store_login_failures_purge(struct store *st, time_t before)
{
	return db_run(st, SQL_LOGIN_FAILURES_PURGE, "login failures purge", SQ_INT(before));
}
