/*
 * The audit log, append-only and chained (domain/audit.h).
 * Entries are keyed with the installation secret once the store has it
 * (store_set_audit_secret); the first keyed entry after unkeyed ones is
 * a chain.keyed entry, so the chain itself says where the keyed scheme
 * starts.
 */
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "util/log.h"

static const char SQL_AUDIT_LAST[] =
	"SELECT id, hash, key_epoch FROM audit_log ORDER BY id DESC LIMIT 1";
static const char SQL_AUDIT_HEAD[] = "SELECT id, hash, (SELECT count(*) FROM audit_log) FROM "
				     "audit_log ORDER BY id DESC LIMIT 1";
static const char SQL_AUDIT_INSERT[] =
	"INSERT INTO audit_log (id, at, actor, addr, action, object, outcome, detail, prev_hash, "
	"hash, key_epoch) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
#define AUDIT_COLS                                                                                 \
	"SELECT id, at, actor, addr, action, object, outcome, detail, prev_hash, hash, key_epoch " \
	"FROM audit_log WHERE ($1 = '' OR actor = $1) AND ($2 = '' OR substr(action, 1, "          \
	"length($2)) = $2) AND ($3 = '' OR object = $3) AND ($4 = 0 OR at >= $4) AND "             \
	"($5 = 0 OR at <= $5) AND id > $6 AND ($7 = 0 OR id < $7) "
static const char SQL_AUDIT_EACH[] = AUDIT_COLS "ORDER BY id LIMIT $8";
static const char SQL_AUDIT_EACH_DESC[] = AUDIT_COLS "ORDER BY id DESC LIMIT $8";

void store_set_audit_secret(struct store *st, const unsigned char secret[32])
{
	memcpy(st->audit_secret, secret, sizeof(st->audit_secret));
	st->audit_set = 1;
	st->audit_gen++;
}

/*
 * The newest entry's id, hash and the third column sql selects
 * (SQL_AUDIT_LAST: its key epoch; SQL_AUDIT_HEAD: the number of
 * entries); an empty log reads as 0, AUDIT_GENESIS, 0.  STORE_OK or
 * STORE_ERROR (logged); the outputs are set either way.
 */
static int audit_newest(struct store *st, const char *sql, const char *what, long long *id,
			char hash[65], long long *third)
{
	struct db_stmt *s = db_stmt(st, sql);
	int rc;

	*id = *third = 0;
	snprintf(hash, 65, "%s", AUDIT_GENESIS);
	if ((rc = db_step_row(s, what)) != STORE_OK)
		return rc == STORE_NOTFOUND ? STORE_OK : rc;
	*id = db_col_int64(s, 0);
	db_col_copy(s, 1, hash, 65);
	*third = db_col_int64(s, 2);
	db_reset(s);
	return STORE_OK;
}

/* The last entry: id, hash and key epoch (0, AUDIT_GENESIS, 0 when the
 * log is empty); in a write transaction from what this connection
 * appended last, without reading it back. */
struct tip {
	long long id;
	int epoch;
	char hash[65];
};

static int audit_tip(struct store *st, struct db_conn *c, struct tip *t)
{
	long long epoch;
	int rc;

	if (c->writing && c->audit_last[0] != '\0') {
		t->id = c->audit_last_id;
		t->epoch = c->audit_last_epoch;
		memcpy(t->hash, c->audit_last, sizeof(t->hash));
		return STORE_OK;
	}
	rc = audit_newest(st, SQL_AUDIT_LAST, "audit last", &t->id, t->hash, &epoch);
	t->epoch = (int)epoch;
	return rc;
}

/* e's hash (audit_seal), a keyed one with the connection's HMAC of the
 * epoch when it has it.  0 or -1. */
static int audit_row_seal(struct store *st, struct db_conn *c, struct audit_entry *e)
{
	if (e->key_epoch <= 0 || !st->audit_set)
		return audit_seal(e, st->audit_set ? st->audit_secret : NULL, e->hash);
	if (c->audit_mac.epoch != e->key_epoch || c->audit_mac_gen != st->audit_gen) {
		audit_mac_key_set(&c->audit_mac, st->audit_secret, e->key_epoch);
		c->audit_mac_gen = st->audit_gen;
	}
	audit_mac_with(e, &c->audit_mac, e->hash);
	return 0;
}

/* Writes e as the entry after t (its id, prev_hash and hash filled in
 * here, its key epoch set by the caller); t becomes e. */
static int audit_row(struct store *st, struct db_conn *c, struct audit_entry *e, struct tip *t)
{
	int rc;

	e->id = t->id + 1;
	memcpy(e->prev_hash, t->hash, sizeof(e->prev_hash));
	if (audit_row_seal(st, c, e) != 0)
		return STORE_ERROR;
	if ((rc = db_run(st, SQL_AUDIT_INSERT, "audit append", SQ_INT(e->id), SQ_INT(e->at),
			 SQ_TEXT(e->actor), SQ_TEXT(e->addr), SQ_TEXT(e->action),
			 SQ_TEXT(e->object), SQ_TEXT(e->outcome), SQ_TEXT(e->detail),
			 SQ_TEXT(e->prev_hash), SQ_TEXT(e->hash), SQ_INT(e->key_epoch))) !=
	    STORE_OK)
		return rc;
	t->id = e->id;
	t->epoch = e->key_epoch;
	memcpy(t->hash, e->hash, sizeof(t->hash));
	if (c->writing) {
		memcpy(c->audit_last, t->hash, sizeof(c->audit_last));
		c->audit_last_id = t->id;
		c->audit_last_epoch = t->epoch;
	}
	return STORE_OK;
}

/* Appends e, starting the keyed chain first when this is the first
 * keyed entry after unkeyed ones; with rekey, e is the chain.rekey
 * entry that starts the next key epoch.  In the caller's transaction,
 * which holds the audit lock (the driver's audit_lock_sql) when there
 * is one. */
static int audit_write(struct store *st, struct db_conn *c, struct audit_entry *e, int rekey)
{
	struct audit_entry k;
	struct tip t;
	int rc;

	if ((rc = audit_tip(st, c, &t)) != STORE_OK)
		return rc;
	if (!st->audit_set) {
		if (t.epoch != 0 || rekey) {
			log_warnx("audit: the log is keyed and this process has no key "
				  "(VAR/secret.key): %s not written",
				  e->action);
			return STORE_ERROR;
		}
		e->key_epoch = 0;
		return audit_row(st, c, e, &t);
	}
	if (t.epoch == 0 && (t.id > 0 || rekey)) {
		memset(&k, 0, sizeof(k));
		k.at = e->at;
		k.key_epoch = 1;
		snprintf(k.actor, sizeof(k.actor), "system");
		snprintf(k.action, sizeof(k.action), "%s", AUDIT_KEYED);
		snprintf(k.outcome, sizeof(k.outcome), "ok");
		if (t.id > 0)
			snprintf(k.detail, sizeof(k.detail),
				 "keyed chain starts; entries 1-%lld before it are unkeyed", t.id);
		else
			snprintf(k.detail, sizeof(k.detail), "keyed chain starts");
		if ((rc = audit_row(st, c, &k, &t)) != STORE_OK)
			return rc;
	}
	e->key_epoch = t.epoch > 0 ? t.epoch : 1;
	if (rekey) {
		e->key_epoch++;
		snprintf(e->action, sizeof(e->action), "%s", AUDIT_REKEY);
		snprintf(e->detail, sizeof(e->detail), "key epoch %d -> %d", t.epoch, e->key_epoch);
	}
	return audit_row(st, c, e, &t);
}

/* The audit lock, to the end of the transaction (nothing to take on a
 * driver without one). */
static int audit_lock(struct store *st)
{
	struct db_stmt *s;
	int rc;

	if (st->drv->audit_lock_sql == NULL)
		return STORE_OK;
	s = db_stmt(st, st->drv->audit_lock_sql);
	if ((rc = db_step_row(s, "audit lock")) == STORE_OK)
		db_reset(s);
	return rc == STORE_NOTFOUND ? STORE_ERROR : rc;
}

/* Keeps e for the commit, at its length (the detail, last in the
 * struct, cut after its NUL).  STORE_OK, or STORE_ERROR out of memory. */
static int audit_keep(struct db_conn *c, const struct audit_entry *e)
{
	size_t at, len = offsetof(struct audit_entry, detail) + strlen(e->detail) + 1, cap;
	unsigned char *q;
	size_t *off;

	if (c->audit_n + 2 > c->audit_offcap) {
		cap = c->audit_offcap ? 2 * c->audit_offcap : 16;
		if ((off = realloc(c->audit_off, cap * sizeof(*off))) == NULL)
			goto oom;
		off[0] = 0;
		c->audit_off = off;
		c->audit_offcap = cap;
	}
	at = c->audit_off[c->audit_n];
	if (at + len > c->audit_qcap) {
		cap = c->audit_qcap ? 2 * c->audit_qcap : 16384;
		while (cap < at + len)
			cap *= 2;
		if ((q = realloc(c->audit_q, cap)) == NULL)
			goto oom;
		c->audit_q = q;
		c->audit_qcap = cap;
	}
	memcpy(c->audit_q + at, e, len);
	c->audit_off[++c->audit_n] = at + len;
	return STORE_OK;
oom:
	log_warnx("audit: out of memory: %s not written", e->action);
	return STORE_ERROR;
}

/* Appends e in the caller's transaction: kept for its commit when the
 * driver defers (a write transaction, not a rekey: its caller reads
 * the entry's epoch and id back), else written now under the lock. */
static int audit_insert(struct store *st, struct audit_entry *e, int rekey)
{
	struct db_conn *c = db_conn(st);
	int rc;

	if (c == NULL)
		return STORE_ERROR;
	if (!st->drv->in_tx(st))
		c->writing = 0; /* the transaction ended under us (an I/O error) */
	if (st->drv->audit_lock_sql != NULL && c->writing && !rekey)
		return audit_keep(c, e);
	if ((rc = audit_lock(st)) != STORE_OK)
		return rc;
	return audit_write(st, c, e, rekey);
}

int store_audit_flush(struct store *st, struct db_conn *c)
{
	struct audit_entry *e;
	size_t i, n = c->audit_n;
	int rc = STORE_OK;

	if (n == 0)
		return STORE_OK;
	c->audit_n = 0;
	if ((rc = audit_lock(st)) != STORE_OK)
		return rc;
	if ((e = malloc(sizeof(*e))) == NULL)
		return STORE_ERROR;
	for (i = 0; i < n && rc == STORE_OK; i++) {
		memcpy(e, c->audit_q + c->audit_off[i], c->audit_off[i + 1] - c->audit_off[i]);
		rc = audit_write(st, c, e, 0);
	}
	free(e);
	return rc;
}

void audit_q_free(struct db_conn *c)
{
	free(c->audit_q);
	free(c->audit_off);
	c->audit_q = NULL;
	c->audit_off = NULL;
	c->audit_n = c->audit_mark = c->audit_qcap = c->audit_offcap = 0;
}

/* Runs audit_insert in the caller's transaction, or in one of its own:
 * reading the last entry and appending must not interleave. */
static int audit_append(struct store *st, struct audit_entry *e, int rekey)
{
	struct db_conn *c = db_conn(st);
	int rc;

	if (c == NULL)
		return STORE_ERROR;
	if (st->drv->in_tx(st))
		return audit_insert(st, e, rekey);
	if (store_begin(st) != STORE_OK)
		return STORE_ERROR;
	rc = audit_insert(st, e, rekey);
	if (rc != STORE_OK || store_commit(st) != STORE_OK) {
		store_rollback(st);
		return rc == STORE_OK ? STORE_ERROR : rc;
	}
	return STORE_OK;
}

int store_audit_append(struct store *st, struct audit_entry *e)
{
	return audit_append(st, e, 0);
}

int store_audit_rekey(struct store *st, struct audit_entry *e)
{
	return audit_append(st, e, 1);
}

int store_audit_head(struct store *st, struct audit_head *h)
{
	memset(h, 0, sizeof(*h));
	return audit_newest(st, SQL_AUDIT_HEAD, "audit head", &h->id, h->hash, &h->count);
}

/* Column i into dst (size bytes).  1 when it is not what the store
 * writes: not text, a NUL byte inside, or longer than size - 1 (it is
 * then cut); else 0. */
static int audit_text(struct db_stmt *s, int i, char *dst, size_t size)
{
	int type = db_col_type(s, i);
	const char *v = db_col_text(s, i);
	size_t n = db_col_bytes(s, i), k;
	int odd = type != DB_T_TEXT || n > size - 1;

	if (n > size - 1)
		n = size - 1;
	k = v != NULL ? strnlen(v, n) : 0;
	memcpy(dst, v != NULL ? v : "", k);
	dst[k] = '\0';
	return odd || k != n;
}

/* The entry in the current row of s (an AUDIT_COLS statement). */
static void audit_read(struct db_stmt *s, struct audit_entry *e)
{
	int odd;

	memset(e, 0, sizeof(*e));
	odd = db_col_type(s, 0) != DB_T_INT || db_col_type(s, 1) != DB_T_INT ||
	      db_col_type(s, 10) != DB_T_INT;
	e->id = db_col_int64(s, 0);
	e->at = (time_t)db_col_int64(s, 1);
	odd |= audit_text(s, 2, e->actor, sizeof(e->actor));
	odd |= audit_text(s, 3, e->addr, sizeof(e->addr));
	odd |= audit_text(s, 4, e->action, sizeof(e->action));
	odd |= audit_text(s, 5, e->object, sizeof(e->object));
	odd |= audit_text(s, 6, e->outcome, sizeof(e->outcome));
	odd |= audit_text(s, 7, e->detail, sizeof(e->detail));
	odd |= audit_text(s, 8, e->prev_hash, sizeof(e->prev_hash));
	odd |= audit_text(s, 9, e->hash, sizeof(e->hash));
	e->key_epoch = db_col_int(s, 10);
	e->malformed = odd;
}

int store_audit_each(struct store *st, const struct audit_filter *f,
		     int (*fn)(void *arg, const struct audit_entry *e), void *arg)
{
	struct db_stmt *s =
		db_bound(st, f->newest_first ? SQL_AUDIT_EACH_DESC : SQL_AUDIT_EACH,
			 SQ_TEXT(f->actor ? f->actor : ""), SQ_TEXT(f->action ? f->action : ""),
			 SQ_TEXT(f->object ? f->object : ""), SQ_INT(f->since), SQ_INT(f->until),
			 SQ_INT(f->after_id), SQ_INT(f->before_id),
			 SQ_INT(f->limit > 0 ? f->limit : INT64_MAX));
	struct audit_entry e;
	int rc;

	if (s == NULL)
		return STORE_ERROR;
	while ((rc = db_step(s)) == DB_ROW) {
		audit_read(s, &e);
		if (fn(arg, &e) != 0)
			break;
	}
	return db_rows_end(s, rc, "audit list");
}
