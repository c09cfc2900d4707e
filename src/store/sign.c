/*
 * The documents members signed (store_sign.h).
 */
#include <string.h>

#include "store/store_int.h"
#include "store/store_sign.h"

#define SIGN_COLS(X, _)                                                                            \
	X("order_id", INT64, order_id) _ X("doc", TEXT, doc)                                       \
	_ X("signer", TEXT, signer)                                                                \
	_ X("serial", TEXT, serial)                                                                \
	_ X("status", TEXT, status)                                                                \
	_ X("signed_at", TIME, signed_at)                                                          \
	_ X("verified_at", TIME, verified_at)                                                      \
	_ X("review", INT, review)                                                                 \
	_ X("signer_name", TEXT, signer_name)                                                      \
	_ X("signer_sn", TEXT, signer_sn)                                                          \
	_ X("issuer", TEXT, issuer)                                                                \
	_ X("decided_by", TEXT, decided_by)                                                        \
	_ X("decided_at", TIME, decided_at)

/* A new upload replaces the document's earlier one, held or decided. */
static const char SQL_SIGN_PUT[] = "INSERT INTO order_signatures (" DB_NAMES(
	SIGN_COLS) ", ocsp) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, '', 0, "
		   "$12) ON CONFLICT (order_id, doc) DO UPDATE SET signer = $3, serial = "
		   "$4, status = $5, signed_at = $6, verified_at = $7, review = $8, "
		   "signer_name = $9, signer_sn = $10, issuer = $11, decided_by = '', "
		   "decided_at = 0, ocsp = $12";
static const char SQL_SIGN_LIST[] =
	"SELECT " DB_NAMES(SIGN_COLS) " FROM order_signatures WHERE order_id = $1 ORDER BY doc";
static const char SQL_SIGN_GET[] =
	"SELECT " DB_NAMES(SIGN_COLS) " FROM order_signatures WHERE order_id = $1 AND doc = $2";
static const char SQL_SIGN_DECIDE[] =
	"UPDATE order_signatures SET review = $3, decided_by = $4, decided_at = $5 WHERE "
	"order_id = $1 AND doc = $2 AND review = $6";
/* $1 the review, $2..$25 the page's ids (0 for none). */
static const char SQL_SIGN_HELD[] =
	"SELECT DISTINCT order_id FROM order_signatures WHERE review = $1 AND order_id IN ($2, "
	"$3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, "
	"$22, $23, $24, $25)";

DB_READER(sig, struct order_signature, SIGN_COLS)

int store_sign_put(struct store *st, const struct order_signature *s, const unsigned char *ocsp,
		   size_t ocsp_len)
{
	return db_run(st, SQL_SIGN_PUT, "signature put", SQ_INT(s->order_id), SQ_TEXT(s->doc),
		      SQ_TEXT(s->signer), SQ_TEXT(s->serial), SQ_TEXT(s->status),
		      SQ_INT(s->signed_at), SQ_INT(s->verified_at), SQ_INT(s->review),
		      SQ_TEXT(s->signer_name), SQ_TEXT(s->signer_sn), SQ_TEXT(s->issuer),
		      ocsp ? SQ_BLOB(ocsp, ocsp_len) : SQ_NULL);
}

int store_sign_each(struct store *st, long long order_id,
		    int (*fn)(void *arg, const struct order_signature *s), void *arg)
{
	return sig_each(db_bound(st, SQL_SIGN_LIST, SQ_INT(order_id)), fn, arg, "signature list");
}

int store_sign_get(struct store *st, long long order_id, const char *doc,
		   struct order_signature *out)
{
	return sig_one(db_bound(st, SQL_SIGN_GET, SQ_INT(order_id), SQ_TEXT(doc)), out,
		       "signature get");
}

int store_sign_decide(struct store *st, long long order_id, const char *doc, int review,
		      const char *by, time_t at)
{
	return db_changed(st, SQL_SIGN_DECIDE, "signature decide", SQ_INT(order_id), SQ_TEXT(doc),
			  SQ_INT(review), SQ_TEXT(by), SQ_INT(at), SQ_INT(SIGN_REVIEW_HELD));
}

int store_sign_held(struct store *st, const long long *ids, size_t n, int *held)
{
	struct sq_arg a[SIGN_HELD_MAX + 2];
	struct db_stmt *s;
	long long id;
	size_t i;
	int rc;

	if (n > SIGN_HELD_MAX)
		return STORE_ERROR;
	memset(held, 0, n * sizeof(*held));
	if (n == 0)
		return STORE_OK;
	a[0] = SQ_INT(SIGN_REVIEW_HELD);
	for (i = 0; i < SIGN_HELD_MAX; i++)
		a[i + 1] = SQ_INT(i < n ? ids[i] : 0);
	a[SIGN_HELD_MAX + 1] = SQ_END_;
	if ((s = db_bind_args(st, SQL_SIGN_HELD, a)) == NULL)
		return STORE_ERROR;
	while ((rc = db_step(s)) == DB_ROW) {
		id = db_col_int64(s, 0);
		for (i = 0; i < n; i++)
			if (ids[i] == id)
				held[i] = 1;
	}
	return db_rows_end(s, rc, "signatures held");
}
