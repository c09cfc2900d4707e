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
