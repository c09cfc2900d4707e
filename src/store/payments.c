/*
 * Payments and bank statement imports
 * (store_payments.h).  Statements are prepared once per connection
 * (db_stmt), so a statement import of many lines reuses the same few.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "store/store_int.h"
#include "store/store_payments.h"
#include "util/sha256.h"

/* A payment with its order's office and state (LEFT JOIN order_state o: NULL, read as 0 and "",
 * without one).  The fingerprint is read as the hex of its key (col_fp). */
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
	"$10, $11, $12, $13, $14, $15, $16, $17, $18) ON CONFLICT (fingerprint) DO NOTHING "
	"RETURNING id";
static const char SQL_PAY_MANUAL[] =
	"SELECT id FROM payments WHERE order_id = $1 AND source = 'manual' AND import_id IS NULL "
	"AND amount_para = $2 AND paid_on >= $3 AND paid_on <= $4 ORDER BY id LIMIT 1";
static const char SQL_PAY_CLAIM[] =
	"UPDATE payments SET import_id = $2, line = $3, fingerprint = $4, bank_id = $5, note = "
	"CASE WHEN note = '' THEN $6 ELSE note || ' / ' || $6 END WHERE id = $1 AND import_id IS "
	"NULL";
static const char SQL_PAY_GET[] =
	"SELECT " DB_NAMES(PAYMENT_COLS) " FROM payments p LEFT JOIN order_state o "
					 "ON o.order_id = p.order_id WHERE p.id = $1";
static const char SQL_PAY_ORDER[] =
	"SELECT o.id, s.state, s.office, o.total_para, (SELECT COALESCE(SUM(p.amount_para), 0) "
	"FROM payments p WHERE p.order_id = o.id AND p.resolution <> 'refunded') "
	"FROM orders o JOIN order_state s ON s.order_id = o.id WHERE o.id = $1";
static const char SQL_PAY_SUM[] = "SELECT COALESCE(SUM(amount_para), 0) FROM payments WHERE "
				  "order_id = $1 AND resolution <> 'refunded'";
static const char SQL_PAY_EACH_ORDER[] = "SELECT " DB_NAMES(
	PAYMENT_COLS) " FROM payments p LEFT JOIN order_state o ON o.order_id = p.order_id "
		      "WHERE p.order_id = $1 ORDER BY p.id";
/* Open payments: resolved_at IS NULL is spelled out so that the partial
 * index payments_open serves the scan. */
#define OPEN_WHERE                                                                                 \
	"WHERE p.resolved_at IS NULL AND ($1 = '' OR o.office = $1 OR p.order_id IS NULL) AND "    \
	"($2 = 0 OR p.import_id = $2)"
/* A page by key (issue 17, point 6): the open payments after $3, or
 * before $4 read backwards, LIMIT $5, in id order from payments_open;
 * the count up to a cap ($3). */
#define OPEN_PAGE(D)                                                                               \
	"SELECT " DB_NAMES(PAYMENT_COLS) " FROM payments p LEFT JOIN order_state o ON "            \
					 "o.order_id = p.order_id " OPEN_WHERE                     \
					 " AND p.id > $3 AND p.id < $4 "                           \
					 "ORDER BY p.id" D " LIMIT $5"
static const char *const SQL_PAY_EACH_OPEN[2] = {OPEN_PAGE(""), OPEN_PAGE(" DESC")};
static const char SQL_PAY_COUNT_OPEN[] =
	"SELECT COUNT(*) FROM (SELECT p.id FROM payments p LEFT "
	"JOIN order_state o ON o.order_id = p.order_id " OPEN_WHERE " LIMIT $3) c";
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
	"$2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id";
static const char SQL_IMP_UPDATE[] =
	"UPDATE statement_imports SET lines = $2, added = $3, duplicates = $4, errors = $5, "
	"skipped = $6, settled = $7, unresolved = $8, error_lines = $9, sha256 = $10, "
	"format = $11 WHERE id = $1";
static const char SQL_IMP_GET[] =
	"SELECT " DB_NAMES(IMPORT_FULL_COLS) " FROM statement_imports WHERE id = $1";
static const char SQL_IMP_SAME[] = "SELECT MAX(id) FROM statement_imports WHERE sha256 = $1 "
				   "AND id < $2";
static const char SQL_IMP_EACH[] =
	"SELECT " DB_NAMES(IMPORT_COLS) " FROM statement_imports ORDER BY id DESC LIMIT $1";

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
/* Each hex digit's value plus one; 0: not a hex digit. */
#define HD(c, v) [c] = (v) + 1
static const unsigned char hex1[256] = {
	HD('0', 0),  HD('1', 1),  HD('2', 2),  HD('3', 3),  HD('4', 4),  HD('5', 5),
	HD('6', 6),  HD('7', 7),  HD('8', 8),  HD('9', 9),  HD('a', 10), HD('b', 11),
	HD('c', 12), HD('d', 13), HD('e', 14), HD('f', 15), HD('A', 10), HD('B', 11),
	HD('C', 12), HD('D', 13), HD('E', 14), HD('F', 15),
};
#undef HD

/* The n bytes that the 2n hex digits at hex spell, into out: 0, or -1
 * when one is not a hex digit.  A table and no branch a digit: a
 * statement import decodes 64 digits a line (db_fp_key), which was
 * 3% of scenario 7's import with util/escape.h's hex_value.  Not constant-time
 * (sodium_hex2bin is, at ~8 times the cost); a fingerprint is no
 * secret. */
static int hex_bytes(const char *hex, size_t n, unsigned char *out)
{
	const unsigned char *h = (const unsigned char *)hex;
	unsigned bad = 0, hi, lo;
	size_t i;

	for (i = 0; i < n; i++) {
		hi = hex1[h[2 * i]];
		lo = hex1[h[2 * i + 1]];
		bad |= (hi == 0) | (lo == 0);
		out[i] = (unsigned char)((hi - 1) << 4 | (lo - 1));
	}
	return bad ? -1 : 0;
}

void db_fp_key(const char *fp, size_t len, unsigned char key[DB_FP_KEY])
{
	unsigned char d[SHA256_LEN];

	/* An import's SHA-256 in hex: its first 128 bits (the other 128
	 * must be hex digits too). */
	if (len == 2 * SHA256_LEN && hex_bytes(fp, SHA256_LEN, d) == 0) {
		memcpy(key, d, DB_FP_KEY);
		return;
	}
	sha256(fp, len, d);
	memcpy(key, d, DB_FP_KEY);
}

/* Fingerprint fp as a parameter: its key, computed into key (which must
 * stay until the statement is done: the blob is not copied); "" or NULL
 * binds NULL. */
static struct sq_arg fp_arg(const char *fp, unsigned char key[DB_FP_KEY])
{
	if (fp == NULL || *fp == '\0')
		return SQ_NULL;
	db_fp_key(fp, strlen(fp), key);
	return SQ_BLOB(key, DB_FP_KEY);
}

/* The stored key of column i as lowercase hex into out ("" for NULL). */
static void col_fp(struct db_stmt *s, int i, char *out, size_t size)
{
	size_t n;
	const unsigned char *b = db_col_blob(s, i, &n);

	if (b == NULL || size < 2 * n + 1)
		out[0] = '\0'; /* (every key fits: PAYMENT_FP_SIZE) */
	else
		sodium_bin2hex(out, size, b, n);
}

#define DB_GET_FP(s, i, dst) col_fp((s), (i), (dst), sizeof(dst))
DB_READER(payment, struct payment, PAYMENT_COLS)
DB_READER(import, struct stmt_import, IMPORT_COLS)
DB_READER(import_full, struct stmt_import, IMPORT_FULL_COLS)

/* An id as a parameter, NULL when there is none (0). */
static struct sq_arg id_or_null(long long id)
{
	return id > 0 ? SQ_INT(id) : SQ_NULL;
}

int store_payment_add(struct store *st, struct payment *p)
{
	unsigned char key[DB_FP_KEY];
	int rc = db_insert(st, SQL_PAY_INSERT, "payment add", &p->id, id_or_null(p->order_id),
			   SQ_INT(p->amount_para), SQ_TEXT(p->paid_on), SQ_TEXT(p->payer),
			   SQ_TEXT(p->reference), SQ_TEXT(p->purpose), SQ_TEXT(p->bank_id),
			   SQ_TEXT(p->source), id_or_null(p->import_id), SQ_INT(p->line),
			   fp_arg(p->fingerprint, key), SQ_TEXT(p->match), SQ_TEXT(p->resolution),
			   p->resolved_at != 0 ? SQ_INT(p->resolved_at) : SQ_NULL,
			   SQ_TEXT(p->resolved_by), SQ_TEXT(p->note), SQ_INT(p->created_at),
			   SQ_TEXT(p->created_by));

	/* ON CONFLICT DO NOTHING: no row means the fingerprint exists. */
	return rc == STORE_NOTFOUND ? STORE_CONFLICT : rc;
}

int store_payment_claim_manual(struct store *st, const struct payment *line, const char *from,
			       const char *to, const char *note, long long *id)
{
	unsigned char key[DB_FP_KEY];
	int rc;

	if ((rc = db_step_int64(db_bound(st, SQL_PAY_MANUAL, SQ_INT(line->order_id),
					 SQ_INT(line->amount_para), SQ_TEXT(from), SQ_TEXT(to)),
				id, "manual payment")) != STORE_OK)
		return rc;
	return db_changed(st, SQL_PAY_CLAIM, "manual payment claim", SQ_INT(*id),
			  SQ_INT(line->import_id), SQ_INT(line->line),
			  fp_arg(line->fingerprint, key), SQ_TEXT(line->bank_id), SQ_TEXT(note));
}

int store_payment_get(struct store *st, long long id, struct payment *out)
{
	return payment_one(db_bound(st, SQL_PAY_GET, SQ_INT(id)), out, "payment get");
}

int store_payment_order(struct store *st, long long order_id, struct payment_order *out)
{
	struct db_stmt *s = db_bound(st, SQL_PAY_ORDER, SQ_INT(order_id));
	int rc;

	if ((rc = db_step_row(s, "payment order")) == STORE_OK) {
		out->id = db_col_int64(s, 0);
		out->state = db_col_state(s, 1);
		db_col_copy(s, 2, out->office, sizeof(out->office));
		out->total_para = db_col_int64(s, 3);
		out->paid_para = db_col_int64(s, 4);
		db_reset(s);
	}
	return rc;
}

int store_payment_sum(struct store *st, long long order_id, long long *paid)
{
	return db_step_int64(db_bound(st, SQL_PAY_SUM, SQ_INT(order_id)), paid, "payment sum");
}

int store_payment_each_order(struct store *st, long long order_id,
			     int (*fn)(void *arg, const struct payment *p), void *arg)
{
	return payment_each(db_bound(st, SQL_PAY_EACH_ORDER, SQ_INT(order_id)), fn, arg,
			    "payments of order");
}

/* The open-payments filter's $1 and $2. */
#define OPEN_ARGS(f) SQ_TEXT((f)->office ? (f)->office : ""), SQ_INT((f)->import_id)

struct open_back {
	struct payment *v;
	size_t n;
};

static int open_keep(void *arg, const struct payment *p)
{
	struct open_back *b = arg;

	b->v[b->n++] = *p;
	return 0;
}

int store_payment_each_open(struct store *st, const struct payment_filter *f,
			    int (*fn)(void *arg, const struct payment *p), void *arg)
{
	int desc = f->before > 0, rc;
	long long limit = f->limit > 0 ? f->limit : (long long)1 << 62;
	struct db_stmt *s = db_bound(st, SQL_PAY_EACH_OPEN[desc], OPEN_ARGS(f),
				     SQ_INT(f->after > 0 && !desc ? f->after : 0),
				     SQ_INT(desc ? f->before : (long long)1 << 62), SQ_INT(limit));
	struct open_back b = {NULL, 0};

	if (!desc)
		return payment_each(s, fn, arg, "open payments");
	/* Read backwards, a page (limit) at most, given oldest first. */
	if (limit > 1000 || (b.v = calloc((size_t)limit, sizeof(*b.v))) == NULL) {
		if (s != NULL)
			db_reset(s);
		return STORE_ERROR;
	}
	rc = payment_each(s, open_keep, &b, "open payments");
	while (rc == STORE_OK && b.n > 0 && fn(arg, &b.v[--b.n]) == 0)
		;
	free(b.v);
	return rc;
}

int store_payment_count_open(struct store *st, const struct payment_filter *f, long long *n)
{
	return db_step_int64(
		db_bound(st, SQL_PAY_COUNT_OPEN, OPEN_ARGS(f), SQ_INT(PAYMENT_COUNT_CAP + 1)), n,
		"open payments count");
}

int store_payment_resolve(struct store *st, long long id, const char *resolution, const char *by,
			  const char *note, time_t now)
{
	return db_changed(st, SQL_PAY_RESOLVE, "payment resolve", SQ_INT(id), SQ_TEXT(resolution),
			  SQ_INT(now), SQ_TEXT(by), SQ_TEXT(note ? note : ""));
}

int store_payment_reopen_order(struct store *st, long long order_id, const char *note, int *n)
{
	long long changed;
	int rc = db_step_count(
		db_bound(st, SQL_PAY_REOPEN, SQ_INT(order_id), SQ_TEXT(note ? note : "")), &changed,
		"payment reopen");

	*n = (int)changed;
	return rc;
}

int store_payment_assign(struct store *st, long long id, long long order_id, const char *match,
			 const char *resolution, const char *by, time_t now)
{
	return db_changed(st, SQL_PAY_ASSIGN, "payment assign", SQ_INT(id), SQ_INT(order_id),
			  SQ_TEXT(match), SQ_TEXT(resolution), SQ_TEXT(by), SQ_INT(now));
}

int store_payment_complete_partials(struct store *st, long long order_id, long long except_id,
				    const char *by, time_t now, long long *n)
{
	long long changed;
	int rc = db_step_count(db_bound(st, SQL_PAY_COMPLETE, SQ_INT(order_id), SQ_INT(except_id),
					SQ_INT(now), SQ_TEXT(by)),
			       &changed, "payment complete partials");

	if (n != NULL)
		*n = changed;
	return rc;
}

/* ---- Statement imports ----------------------------------------------------------- */

/* An import's counts and error lines, as INSERT and UPDATE bind them in a run. */
#define IMPORT_COUNTS(imp)                                                                         \
	SQ_INT((imp)->lines), SQ_INT((imp)->added), SQ_INT((imp)->duplicates),                     \
		SQ_INT((imp)->errors), SQ_INT((imp)->skipped), SQ_INT((imp)->settled),             \
		SQ_INT((imp)->unresolved), SQ_TEXT((imp)->error_lines)

int store_import_add(struct store *st, struct stmt_import *imp)
{
	return db_insert(st, SQL_IMP_INSERT, "import add", &imp->id, SQ_TEXT(imp->file_name),
			 SQ_TEXT(imp->sha256), SQ_TEXT(imp->format), IMPORT_COUNTS(imp),
			 SQ_INT(imp->created_at), SQ_TEXT(imp->created_by));
}

int store_import_update(struct store *st, const struct stmt_import *imp)
{
	return db_changed(st, SQL_IMP_UPDATE, "import update", SQ_INT(imp->id), IMPORT_COUNTS(imp),
			  SQ_TEXT(imp->sha256), SQ_TEXT(imp->format));
}

int store_import_get(struct store *st, long long id, struct stmt_import *out)
{
	return import_full_one(db_bound(st, SQL_IMP_GET, SQ_INT(id)), out, "import get");
}

int store_import_same_file(struct store *st, const char *sha256, long long before_id, long long *id)
{
	int rc = db_step_int64(db_bound(st, SQL_IMP_SAME, SQ_TEXT(sha256), SQ_INT(before_id)), id,
			       "import same file");

	if (rc == STORE_OK && *id == 0) /* MAX over no rows: NULL, 0 */
		rc = STORE_NOTFOUND;
	return rc;
}

int store_import_each(struct store *st, int limit,
		      int (*fn)(void *arg, const struct stmt_import *imp), void *arg)
{
	return import_each(
		db_bound(st, SQL_IMP_EACH, SQ_INT(limit > 0 ? limit : (long long)1 << 62)), fn, arg,
		"import list");
}
