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
	_ X("verified_at", TIME, verified_at)

static const char SQL_SIGN_PUT[] = "INSERT INTO order_signatures (" DB_NAMES(
	SIGN_COLS) ", ocsp) VALUES ($1, $2, $3, $4, $5, "
		   "$6, $7, $8) ON CONFLICT (order_id, doc) "
		   "DO UPDATE SET signer = $3, serial = $4, "
		   "status = $5, signed_at = $6, "
		   "verified_at = $7, ocsp = $8";
static const char SQL_SIGN_LIST[] =
	"SELECT " DB_NAMES(SIGN_COLS) " FROM order_signatures WHERE order_id = $1 ORDER BY doc";

DB_READER(sig, struct order_signature, SIGN_COLS)

int store_sign_put(struct store *st, const struct order_signature *s, const unsigned char *ocsp,
		   size_t ocsp_len)
{
	return db_run(st, SQL_SIGN_PUT, "signature put", SQ_INT(s->order_id), SQ_TEXT(s->doc),
		      SQ_TEXT(s->signer), SQ_TEXT(s->serial), SQ_TEXT(s->status),
		      SQ_INT(s->signed_at), SQ_INT(s->verified_at),
		      ocsp ? SQ_BLOB(ocsp, ocsp_len) : SQ_NULL);
}

int store_sign_each(struct store *st, long long order_id,
		    int (*fn)(void *arg, const struct order_signature *s), void *arg)
{
	return sig_each(db_bound(st, SQL_SIGN_LIST, SQ_INT(order_id)), fn, arg, "signature list");
}
