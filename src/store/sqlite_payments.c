/*
 * SQLite backend: payments and bank statement imports
 * (store_payments.h).  Statements are prepared once per connection
 * (sq_stmt), so a statement import of many lines reuses the same few.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "store/sqlite_int.h"
#include "store/store_payments.h"
#include "util/sha256.h"

/* A payment with its order's office and state (LEFT JOIN orders o: NULL, read as 0 and "", without
 * one).  The fingerprint is read as the hex of its key (col_fp). */
#define PAYMENT_COLS(X, _)                                                                         \
	X("p.id", INT64, id) _ X("p.order_id", INT64, order_id)                                    \
	_ X("p.amount_para", INT64, amount_para)                                                   \
	_ X("p.paid_on", TEXT, paid_on)                                                            \
	_ X("p.payer", TEXT, payer)                                                                \
	_ X("p.reference", TEXT, reference)                                                        \
	_ X("p.purpose", TEXT, purpose)                                                            \
	_ X("p.bank_id", TEXT, bank_id)                                                            \
	_ X("p.source", TEXT, source)                                                              \
	_ X("p.import_id", INT64, import_id)                                                       \
	_ X("p.line", INT64, line)                                                                 \
	_ X("p.fingerprint", FP, fingerprint)                                                      \
	_ X("p.match_result", TEXT, match)                                                         \
	_ X("p.resolution", TEXT, resolution)                                                      \
	_ X("p.resolved_at", TIME, resolved_at)                                                    \
	_ X("p.resolved_by", TEXT, resolved_by)                                                    \
	_ X("p.note", TEXT, note)                                                                  \
	_ X("p.created_at", TIME, created_at)                                                      \
	_ X("p.created_by", TEXT, created_by)                                                      \
	_ X("o.office", TEXT, office)                                                              \
	_ X("o.state", STATE, order_state)

static const char SQL_PAY_INSERT[] =
	"INSERT INTO payments (order_id, amount_para, paid_on, payer, reference, purpose, "
	"bank_id, source, import_id, line, fingerprint, match_result, resolution, resolved_at, "
	"resolved_by, note, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
	"$10, $11, $12, $13, $14, $15, $16, $17, $18) ON CONFLICT (fingerprint) DO NOTHING";
static const char SQL_PAY_MANUAL[] =
	"SELECT id FROM payments WHERE order_id = $1 AND source = 'manual' AND import_id IS NULL "
	"AND amount_para = $2 AND paid_on >= $3 AND paid_on <= $4 ORDER BY id LIMIT 1";
static const char SQL_PAY_CLAIM[] =
	"UPDATE payments SET import_id = $2, line = $3, fingerprint = $4, bank_id = $5, note = "
	"CASE WHEN note = '' THEN $6 ELSE note || ' / ' || $6 END WHERE id = $1 AND import_id IS "
	"NULL";
static const char SQL_PAY_GET[] =
	"SELECT " SQ_NAMES(PAYMENT_COLS) " FROM payments p LEFT JOIN orders o "
					 "ON o.id = p.order_id WHERE p.id = $1";
static const char SQL_PAY_ORDER[] =
	"SELECT o.id, o.state, o.office, o.total_para, (SELECT COALESCE(SUM(p.amount_para), 0) "
	"FROM payments p WHERE p.order_id = o.id AND p.resolution <> 'refunded') "
	"FROM orders o WHERE o.id = $1";
static const char SQL_PAY_SUM[] = "SELECT COALESCE(SUM(amount_para), 0) FROM payments WHERE "
				  "order_id = $1 AND resolution <> 'refunded'";
static const char SQL_PAY_EACH_ORDER[] =
	"SELECT " SQ_NAMES(PAYMENT_COLS) " FROM payments p LEFT JOIN orders o ON o.id = p.order_id "
					 "WHERE p.order_id = $1 ORDER BY p.id";
/* Open payments: resolved_at IS NULL is spelled out so that the partial
 * index payments_open serves the scan. */
#define OPEN_WHERE                                                                                 \
	"WHERE p.resolved_at IS NULL AND ($1 = '' OR o.office = $1 OR p.order_id IS NULL) AND "    \
	"($2 = 0 OR p.import_id = $2)"
static const char SQL_PAY_EACH_OPEN[] = "SELECT " SQ_NAMES(
	PAYMENT_COLS) " FROM payments p LEFT JOIN orders o ON o.id = p.order_id " OPEN_WHERE
		      " ORDER BY p.id LIMIT $3 OFFSET $4";
static const char SQL_PAY_COUNT_OPEN[] =
	"SELECT COUNT(*) FROM payments p LEFT JOIN orders o ON o.id = p.order_id " OPEN_WHERE;
static const char SQL_PAY_RESOLVE[] =
	"UPDATE payments SET resolution = $2, resolved_at = $3, resolved_by = $4, note = "
	"CASE WHEN note = '' THEN $5 WHEN $5 = '' THEN note ELSE note || ' / ' || $5 END "
	"WHERE id = $1 AND resolved_at IS NULL";
/* The payments of a cancelled order, back on the unresolved list. */
static const char SQL_PAY_REOPEN[] =
	"UPDATE payments SET resolution = '', resolved_at = NULL, resolved_by = '', note = "
	"CASE WHEN note = '' THEN $2 ELSE note END WHERE order_id = $1 AND resolved_at IS NOT "
	"NULL AND resolution <> 'refunded'";
static const char SQL_PAY_ASSIGN[] =
	"UPDATE payments SET order_id = $2, match_result = $3, resolution = COALESCE($4, ''), "
	"resolved_at = CASE WHEN $4 IS NULL THEN NULL ELSE $6 END, resolved_by = CASE WHEN "
	"$4 IS NULL THEN '' ELSE $5 END WHERE id = $1 AND resolved_at IS NULL AND order_id IS "
	"NULL";
static const char SQL_PAY_COMPLETE[] =
	"UPDATE payments SET resolution = 'completed', resolved_at = $3, resolved_by = $4 "
	"WHERE order_id = $1 AND id <> $2 AND resolved_at IS NULL AND match_result = 'partial'";

/* An import as the list shows it; IMPORT_FULL_COLS adds its error lines. */
#define IMPORT_COLS(X, _)                                                                          \
	X("id", INT64, id) _ X("file_name", TEXT, file_name)                                       \
	_ X("sha256", TEXT, sha256)                                                                \
	_ X("format", TEXT, format)                                                                \
	_ X("lines", INT64, lines)                                                                 \
	_ X("added", INT64, added)                                                                 \
	_ X("duplicates", INT64, duplicates)                                                       \
	_ X("errors", INT64, errors)                                                               \
	_ X("skipped", INT64, skipped)                                                             \
	_ X("settled", INT64, settled)                                                             \
	_ X("unresolved", INT64, unresolved)                                                       \
	_ X("created_at", TIME, created_at)                                                        \
	_ X("created_by", TEXT, created_by)
#define IMPORT_FULL_COLS(X, _) IMPORT_COLS(X, _) _ X("error_lines", TEXT, error_lines)

static const char SQL_IMP_INSERT[] =
	"INSERT INTO statement_imports (file_name, sha256, format, lines, added, duplicates, "
	"errors, skipped, settled, unresolved, error_lines, created_at, created_by) VALUES ($1, "
	"$2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";
static const char SQL_IMP_UPDATE[] =
	"UPDATE statement_imports SET lines = $2, added = $3, duplicates = $4, errors = $5, "
	"skipped = $6, settled = $7, unresolved = $8, error_lines = $9, sha256 = $10, "
	"format = $11 WHERE id = $1";
static const char SQL_IMP_GET[] =
	"SELECT " SQ_NAMES(IMPORT_FULL_COLS) " FROM statement_imports WHERE id = $1";
static const char SQL_IMP_SAME[] = "SELECT MAX(id) FROM statement_imports WHERE sha256 = $1 "
				   "AND id < $2";
static const char SQL_IMP_EACH[] =
	"SELECT " SQ_NAMES(IMPORT_COLS) " FROM statement_imports ORDER BY id DESC LIMIT $1";

/* ---- Payments ------------------------------------------------------------------ */

/* ---- Fingerprint keys ---------------------------------------------------------- */

/*
 * A fingerprint is stored as a 16-byte key (migration 008): an import's
 * (64 hex digits, a SHA-256) as its first 128 bits; any other
 * text (a manual payment's "m:...") as the first 128 bits of its
 * SHA-256.  128 bits keep collisions out of reach for any number of
 * payments an office will see, and the unique index on them is a
 * quarter of the size of one on the hex text (bench/README.md).
 */
void sq_fp_key(const char *fp, size_t len, unsigned char key[SQ_FP_KEY])
{
	unsigned char d[SHA256_LEN];
	size_t n = 0;
	const char *end = NULL;

	/* An import's SHA-256 in hex: its first 128 bits. */
	if (len == 2 * SHA256_LEN && sodium_hex2bin(d, sizeof(d), fp, len, NULL, &n, &end) == 0 &&
	    n == sizeof(d) && end == fp + len) {
		memcpy(key, d, SQ_FP_KEY);
		return;
	}
	sha256(fp, len, d);
	memcpy(key, d, SQ_FP_KEY);
}

/* qcra_fp_key(text): the key of a fingerprint, NULL for NULL (the
 * migration that turned the stored fingerprints into keys uses it). */
void sq_fp_key_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *fp = (const char *)sqlite3_value_text(argv[0]);
	unsigned char key[SQ_FP_KEY];

	(void)argc;
	if (fp == NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	sq_fp_key(fp, (size_t)sqlite3_value_bytes(argv[0]), key);
	sqlite3_result_blob(ctx, key, SQ_FP_KEY, SQLITE_TRANSIENT);
}

/* Binds fingerprint fp as its key; "" or NULL binds NULL. */
static void bind_fp(sqlite3_stmt *s, int i, const char *fp)
{
	unsigned char key[SQ_FP_KEY];

	if (fp == NULL || *fp == '\0') {
		sq_bind_null(s, i);
		return;
	}
	sq_fp_key(fp, strlen(fp), key);
	sq_bind_blob_copy(s, i, key, SQ_FP_KEY);
}

/* The stored key of column i as lowercase hex into out ("" for NULL). */
static void col_fp(sqlite3_stmt *s, int i, char *out, size_t size)
{
	const unsigned char *b = sqlite3_column_blob(s, i);
	size_t n = (size_t)sqlite3_column_bytes(s, i);

	if (b == NULL || size < 2 * n + 1)
		out[0] = '\0'; /* (every key fits: PAYMENT_FP_SIZE) */
	else
		sodium_bin2hex(out, size, b, n);
}

#define SQ_GET_FP(s, i, dst) col_fp((s), (i), (dst), sizeof(dst))
SQ_READER(payment, struct payment, PAYMENT_COLS)
SQ_READER(import, struct stmt_import, IMPORT_COLS)
SQ_READER(import_full, struct stmt_import, IMPORT_FULL_COLS)

static void bind_id_or_null(sqlite3_stmt *s, int i, long long id)
{
	if (id > 0)
		sq_bind_int64(s, i, id);
	else
		sq_bind_null(s, i);
}

int store_payment_add(struct store *st, struct payment *p)
{
	sqlite3_stmt *s = sq_stmt(st, SQL_PAY_INSERT);
	int rc;

	if (s == NULL)
		return STORE_ERROR;
	bind_id_or_null(s, 1, p->order_id);
	sq_bind_int64(s, 2, p->amount_para);
	sq_bind_text(s, 3, p->paid_on);
	sq_bind_text(s, 4, p->payer);
	sq_bind_text(s, 5, p->reference);
	sq_bind_text(s, 6, p->purpose);
	sq_bind_text(s, 7, p->bank_id);
	sq_bind_text(s, 8, p->source);
	bind_id_or_null(s, 9, p->import_id);
	sq_bind_int64(s, 10, p->line);
	bind_fp(s, 11, p->fingerprint);
	sq_bind_text(s, 12, p->match);
	sq_bind_text(s, 13, p->resolution);
	if (p->resolved_at != 0)
		sq_bind_int64(s, 14, (sqlite3_int64)p->resolved_at);
	else
		sq_bind_null(s, 14);
	sq_bind_text(s, 15, p->resolved_by);
	sq_bind_text(s, 16, p->note);
	sq_bind_int64(s, 17, (sqlite3_int64)p->created_at);
	sq_bind_text(s, 18, p->created_by);
	rc = sq_step_done(s, "payment add");
	if (rc != STORE_OK)
		return rc;
	/* ON CONFLICT DO NOTHING: no row means the fingerprint exists. */
	if (sqlite3_changes(sqlite3_db_handle(s)) == 0)
		return STORE_CONFLICT;
	p->id = sqlite3_last_insert_rowid(sqlite3_db_handle(s));
	return STORE_OK;
}

int store_payment_claim_manual(struct store *st, const struct payment *line, const char *from,
			       const char *to, const char *note, long long *id)
{
	sqlite3_stmt *s = sq_stmt(st, SQL_PAY_MANUAL);
	int rc;

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, line->order_id);
	sq_bind_int64(s, 2, line->amount_para);
	sq_bind_text(s, 3, from);
	sq_bind_text(s, 4, to);
	if ((rc = sq_step_row(s, "manual payment")) != STORE_OK)
		return rc;
	*id = sqlite3_column_int64(s, 0);
	sq_done(s);
	if ((s = sq_stmt(st, SQL_PAY_CLAIM)) == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, *id);
	sq_bind_int64(s, 2, line->import_id);
	sq_bind_int64(s, 3, line->line);
	bind_fp(s, 4, line->fingerprint);
	sq_bind_text(s, 5, line->bank_id);
	sq_bind_text(s, 6, note);
	return sq_step_changed(s, "manual payment claim");
}

int store_payment_get(struct store *st, long long id, struct payment *out)
{
	sqlite3_stmt *s = sq_stmt(st, SQL_PAY_GET);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, id);
	return payment_one(s, out, "payment get");
}

int store_payment_order(struct store *st, long long order_id, struct payment_order *out)
{
	sqlite3_stmt *s = sq_stmt(st, SQL_PAY_ORDER);
	int rc;

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, order_id);
	if ((rc = sq_step_row(s, "payment order")) == STORE_OK) {
		out->id = sqlite3_column_int64(s, 0);
		out->state = sq_col_state(s, 1);
		sq_col_text(s, 2, out->office, sizeof(out->office));
		out->total_para = sqlite3_column_int64(s, 3);
		out->paid_para = sqlite3_column_int64(s, 4);
		sq_done(s);
	}
	return rc;
}

int store_payment_sum(struct store *st, long long order_id, long long *paid)
{
	sqlite3_stmt *s = sq_stmt(st, SQL_PAY_SUM);
	int rc;

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, order_id);
	if ((rc = sq_step_row(s, "payment sum")) == STORE_OK) {
		*paid = sqlite3_column_int64(s, 0);
		sq_done(s);
	}
	return rc;
}

static int pay_each(sqlite3_stmt *s, int (*fn)(void *arg, const struct payment *p), void *arg,
		    const char *what)
{
	struct payment p;
	int rc;

	while ((rc = sq_step(s)) == SQLITE_ROW) {
		payment_from_row(s, &p);
		if (fn(arg, &p) != 0)
			break;
	}
	return sq_rows_end(s, rc, what);
}

int store_payment_each_order(struct store *st, long long order_id,
			     int (*fn)(void *arg, const struct payment *p), void *arg)
{
	sqlite3_stmt *s = sq_stmt(st, SQL_PAY_EACH_ORDER);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, order_id);
	return pay_each(s, fn, arg, "payments of order");
}

static void bind_open(sqlite3_stmt *s, const struct payment_filter *f)
{
	sq_bind_text(s, 1, f->office ? f->office : "");
	sq_bind_int64(s, 2, f->import_id);
}

int store_payment_each_open(struct store *st, const struct payment_filter *f,
			    int (*fn)(void *arg, const struct payment *p), void *arg)
{
	sqlite3_stmt *s = sq_stmt(st, SQL_PAY_EACH_OPEN);

	if (s == NULL)
		return STORE_ERROR;
	bind_open(s, f);
	sq_bind_int64(s, 3, f->limit > 0 ? f->limit : -1);
	sq_bind_int64(s, 4, f->offset > 0 ? f->offset : 0);
	return pay_each(s, fn, arg, "open payments");
}

int store_payment_count_open(struct store *st, const struct payment_filter *f, long long *n)
{
	sqlite3_stmt *s = sq_stmt(st, SQL_PAY_COUNT_OPEN);
	int rc;

	if (s == NULL)
		return STORE_ERROR;
	bind_open(s, f);
	if ((rc = sq_step_row(s, "open payments count")) == STORE_OK) {
		*n = sqlite3_column_int64(s, 0);
		sq_done(s);
	}
	return rc;
}

int store_payment_resolve(struct store *st, long long id, const char *resolution, const char *by,
			  const char *note, time_t now)
{
	sqlite3_stmt *s = sq_stmt(st, SQL_PAY_RESOLVE);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, id);
	sq_bind_text(s, 2, resolution);
	sq_bind_int64(s, 3, (sqlite3_int64)now);
	sq_bind_text(s, 4, by);
	sq_bind_text(s, 5, note ? note : "");
	return sq_step_changed(s, "payment resolve");
}

int store_payment_reopen_order(struct store *st, long long order_id, const char *note, int *n)
{
	sqlite3_stmt *s = sq_stmt(st, SQL_PAY_REOPEN);
	int rc;

	*n = 0;
	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, order_id);
	sq_bind_text(s, 2, note ? note : "");
	rc = sq_step_done(s, "payment reopen");
	if (rc == STORE_OK)
		*n = sqlite3_changes(sqlite3_db_handle(s));
	return rc;
}

int store_payment_assign(struct store *st, long long id, long long order_id, const char *match,
			 const char *resolution, const char *by, time_t now)
{
	sqlite3_stmt *s = sq_stmt(st, SQL_PAY_ASSIGN);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, id);
	sq_bind_int64(s, 2, order_id);
	sq_bind_text(s, 3, match);
	sq_bind_text(s, 4, resolution);
	sq_bind_text(s, 5, by);
	sq_bind_int64(s, 6, (sqlite3_int64)now);
	return sq_step_changed(s, "payment assign");
}

int store_payment_complete_partials(struct store *st, long long order_id, long long except_id,
				    const char *by, time_t now, long long *n)
{
	sqlite3_stmt *s = sq_stmt(st, SQL_PAY_COMPLETE);
	int rc;

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, order_id);
	sq_bind_int64(s, 2, except_id);
	sq_bind_int64(s, 3, (sqlite3_int64)now);
	sq_bind_text(s, 4, by);
	rc = sq_step_done(s, "payment complete partials");
	if (rc == STORE_OK && n != NULL)
		*n = sqlite3_changes(sqlite3_db_handle(s));
	return rc;
}

/* ---- Statement imports ----------------------------------------------------------- */

static void import_bind_counts(sqlite3_stmt *s, int first, const struct stmt_import *imp)
{
	sq_bind_int64(s, first, imp->lines);
	sq_bind_int64(s, first + 1, imp->added);
	sq_bind_int64(s, first + 2, imp->duplicates);
	sq_bind_int64(s, first + 3, imp->errors);
	sq_bind_int64(s, first + 4, imp->skipped);
	sq_bind_int64(s, first + 5, imp->settled);
	sq_bind_int64(s, first + 6, imp->unresolved);
	sq_bind_text(s, first + 7, imp->error_lines);
}

int store_import_add(struct store *st, struct stmt_import *imp)
{
	sqlite3_stmt *s = sq_stmt(st, SQL_IMP_INSERT);
	int rc;

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_text(s, 1, imp->file_name);
	sq_bind_text(s, 2, imp->sha256);
	sq_bind_text(s, 3, imp->format);
	import_bind_counts(s, 4, imp);
	sq_bind_int64(s, 12, (sqlite3_int64)imp->created_at);
	sq_bind_text(s, 13, imp->created_by);
	rc = sq_step_done(s, "import add");
	if (rc == STORE_OK)
		imp->id = sqlite3_last_insert_rowid(sqlite3_db_handle(s));
	return rc;
}

int store_import_update(struct store *st, const struct stmt_import *imp)
{
	sqlite3_stmt *s = sq_stmt(st, SQL_IMP_UPDATE);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, imp->id);
	import_bind_counts(s, 2, imp);
	sq_bind_text(s, 10, imp->sha256);
	sq_bind_text(s, 11, imp->format);
	return sq_step_changed(s, "import update");
}

int store_import_get(struct store *st, long long id, struct stmt_import *out)
{
	sqlite3_stmt *s = sq_stmt(st, SQL_IMP_GET);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, id);
	return import_full_one(s, out, "import get");
}

int store_import_same_file(struct store *st, const char *sha256, long long before_id, long long *id)
{
	sqlite3_stmt *s = sq_stmt(st, SQL_IMP_SAME);
	int rc;

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_text(s, 1, sha256);
	sq_bind_int64(s, 2, before_id);
	if ((rc = sq_step_row(s, "import same file")) == STORE_OK) {
		*id = sqlite3_column_int64(s, 0); /* MAX over no rows: NULL, 0 */
		sq_done(s);
		if (*id == 0)
			rc = STORE_NOTFOUND;
	}
	return rc;
}

int store_import_each(struct store *st, int limit,
		      int (*fn)(void *arg, const struct stmt_import *imp), void *arg)
{
	sqlite3_stmt *s = sq_stmt(st, SQL_IMP_EACH);
	struct stmt_import imp;
	int rc;

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, limit > 0 ? limit : -1);
	while ((rc = sq_step(s)) == SQLITE_ROW) {
		import_from_row(s, &imp);
		if (fn(arg, &imp) != 0)
			break;
	}
	return sq_rows_end(s, rc, "import list");
}

/* ---- Large imports -------------------------------------------------------------------- */

int store_payment_cache(struct store *st, long long size, long long *old)
{
	struct conn *c = sq_conn(st);
	sqlite3_stmt *s = NULL;
	char sql[64];
	int rc = STORE_ERROR;

	if (c == NULL)
		return STORE_ERROR;
	if (old != NULL) {
		if (sqlite3_prepare_v2(c->db, "PRAGMA cache_size", -1, &s, NULL) != SQLITE_OK ||
		    sq_step(s) != SQLITE_ROW)
			goto out;
		*old = sqlite3_column_int64(s, 0);
	}
	snprintf(sql, sizeof(sql), "PRAGMA cache_size = %lld", size);
	if (sqlite3_exec(c->db, sql, NULL, NULL, NULL) == SQLITE_OK)
		rc = STORE_OK;
out:
	sqlite3_finalize(s);
	return rc;
}
