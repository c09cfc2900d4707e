/*
 * Retention (store_retention.h).  States are bound by
 * name (domain/workflow.h), never written into the SQL.
 */
#include <string.h>

#include "domain/workflow.h"
#include "store/store_int.h"
#include "store/store_retention.h"

/* Drafts by state and age (order_state, 023); deleting the order
 * deletes its state row (ON DELETE CASCADE). */
#define DRAFT_WHERE                                                                                \
	" FROM order_state WHERE state = $1 AND updated_at < $2 AND NOT EXISTS (SELECT 1 FROM "    \
	"payments p WHERE p.order_id = order_state.order_id)"
static const char SQL_DRAFT_COUNT[] = "SELECT COUNT(*)" DRAFT_WHERE;
static const char SQL_DRAFT_EVENTS[] =
	"DELETE FROM order_events WHERE order_id IN (SELECT order_id" DRAFT_WHERE ")";
static const char SQL_DRAFT_MAIL[] =
	"DELETE FROM outbox WHERE order_id IN (SELECT order_id" DRAFT_WHERE ")";
static const char SQL_DRAFT_DELETE[] =
	"DELETE FROM orders WHERE id IN (SELECT order_id" DRAFT_WHERE ")";
static const char SQL_DRAFT_WORDS[] =
	"DELETE FROM order_words WHERE order_id IN (SELECT order_id" DRAFT_WHERE ")";

/* The person's data of an order: blanked; what the books, the reports
 * and the workflow need (number, state, office, prices, reference,
 * dates, the company) stays. */
#define BLANK                                                                                      \
	"UPDATE orders SET first_name = '', last_name = '', jmbg = '', id_number = '', "           \
	"id_issuer = '', street = '', postal_code = '', city = '', email = '', phone = '', "       \
	"license_number = '', position = '', company_email = '', name_confirmed_by = '', "         \
	"returned_text = '', anonymised_at = $1"

#define CLOSED_WHERE                                                                               \
	" WHERE id IN (SELECT order_id FROM order_state WHERE state IN ($2, $3, $4) AND "          \
	"updated_at < $5) AND anonymised_at = 0 AND NOT EXISTS (SELECT 1 FROM order_events e "     \
	"WHERE e.order_id = orders.id AND e.state = $6)"
static const char SQL_CLOSED_COUNT[] = "SELECT COUNT(*) FROM orders" CLOSED_WHERE;
static const char SQL_CLOSED_BLANK[] = BLANK CLOSED_WHERE;
/* The blanked names' search words (words.c) go with them: $1 the
 * blanking's time, as BLANK wrote it. */
static const char SQL_CLOSED_WORDS[] =
	"DELETE FROM order_words WHERE person = 1 AND order_id IN (SELECT id FROM orders WHERE "
	"anonymised_at = $1)";

/* Orders with a certificate (an "issued" event, $1) not yet blanked:
 * when it was issued, its validity code and, when the CA told, its end. */
static const char SQL_ISSUED[] =
	"SELECT o.id, o.validity, (SELECT MIN(e.at) FROM order_events e WHERE e.order_id = o.id "
	"AND e.state = $1), COALESCE((SELECT c.not_after FROM ca_certificates c WHERE c.order_id "
	"= o.id), 0) FROM orders o WHERE o.anonymised_at = 0 AND EXISTS (SELECT 1 FROM "
	"order_events e WHERE e.order_id = o.id AND e.state = $1) ORDER BY o.id";
static const char SQL_BLANK_ONE[] = BLANK " WHERE id = $2 AND anonymised_at = 0";
static const char SQL_BLANK_CERT[] =
	"UPDATE ca_certificates SET subject = '', pem = '' WHERE order_id = $1";
/* A signed document's signer names the person (issue 19, sign.c), and
 * so do the certificate's name and serialNumber an office compared
 * (migration 020); who decided goes as name_confirmed_by does. */
#define BLANK_SIGNER                                                                               \
	"UPDATE order_signatures SET signer = '', signer_name = '', signer_sn = '', "              \
	"decided_by = '', ocsp = NULL WHERE "
static const char SQL_BLANK_SIGNER[] = BLANK_SIGNER "order_id = $1";
static const char SQL_BLANK_SIGNERS[] =
	BLANK_SIGNER "(signer <> '' OR signer_name <> '' OR signer_sn <> '' OR decided_by <> '') "
		     "AND order_id IN (SELECT id FROM orders WHERE anonymised_at <> 0)";

#define MAIL_WHERE " FROM outbox WHERE sent_at IS NOT NULL AND sent_at < $1"
static const char SQL_MAIL_COUNT[] = "SELECT COUNT(*)" MAIL_WHERE;
static const char SQL_MAIL_DELETE[] = "DELETE" MAIL_WHERE;

#define TOKEN_WHERE " FROM tokens WHERE (used_at IS NOT NULL AND used_at < $1) OR expires_at < $1"
static const char SQL_TOKEN_COUNT[] = "SELECT COUNT(*)" TOKEN_WHERE;
static const char SQL_TOKEN_DELETE[] = "DELETE" TOKEN_WHERE;

#define SESSION_WHERE " FROM sessions WHERE last_seen_at < $1 OR created_at < $2"
static const char SQL_SESSION_COUNT[] = "SELECT COUNT(*)" SESSION_WHERE;
static const char SQL_SESSION_DELETE[] = "DELETE" SESSION_WHERE;

/* Counts with count_sql, or (not dry) runs act_sql and counts the rows
 * it changed, each bound to args. */
static int step(struct store *st, int dry, const char *count_sql, const char *act_sql,
		const struct sq_arg *args, long long *n, const char *what)
{
	if (dry)
		return db_step_int64(db_bind_args(st, count_sql, args), n, what);
	return db_step_count(db_bind_args(st, act_sql, args), n, what);
}

int store_retention(struct store *st, const struct retention_cuts *c, int dry,
		    struct retention_counts *n)
{
	const struct sq_arg *draft = SQ_ARGS_(SQ_TEXT(wf_state_name(WF_DRAFT)), SQ_INT(c->draft));
	const struct sq_arg *closed =
		SQ_ARGS_(SQ_INT(c->now), SQ_TEXT(wf_state_name(WF_CANCELLED)),
			 SQ_TEXT(wf_state_name(WF_EXPIRED)), SQ_TEXT(wf_state_name(WF_REJECTED)),
			 SQ_INT(c->closed), SQ_TEXT(wf_state_name(WF_ISSUED)));

	memset(n, 0, sizeof(*n));
	if (!dry && (db_run(st, SQL_DRAFT_EVENTS, "retention draft events",
			    SQ_TEXT(wf_state_name(WF_DRAFT)), SQ_INT(c->draft)) != STORE_OK ||
		     db_run(st, SQL_DRAFT_MAIL, "retention draft mail",
			    SQ_TEXT(wf_state_name(WF_DRAFT)), SQ_INT(c->draft)) != STORE_OK ||
		     db_run(st, SQL_DRAFT_WORDS, "retention draft words",
			    SQ_TEXT(wf_state_name(WF_DRAFT)), SQ_INT(c->draft)) != STORE_OK))
		return STORE_ERROR;
	if (step(st, dry, SQL_DRAFT_COUNT, SQL_DRAFT_DELETE, draft, &n->drafts,
		 "retention drafts") != STORE_OK ||
	    step(st, dry, SQL_CLOSED_COUNT, SQL_CLOSED_BLANK, closed, &n->closed,
		 "retention closed") != STORE_OK ||
	    (!dry && db_run(st, SQL_BLANK_SIGNERS, "retention signers", SQ_END_) != STORE_OK) ||
	    (!dry &&
	     db_run(st, SQL_CLOSED_WORDS, "retention closed words", SQ_INT(c->now)) != STORE_OK) ||
	    step(st, dry, SQL_MAIL_COUNT, SQL_MAIL_DELETE, SQ_ARGS_(SQ_INT(c->mail)), &n->mail,
		 "retention mail") != STORE_OK ||
	    step(st, dry, SQL_TOKEN_COUNT, SQL_TOKEN_DELETE, SQ_ARGS_(SQ_INT(c->token)), &n->tokens,
		 "retention tokens") != STORE_OK ||
	    step(st, dry, SQL_SESSION_COUNT, SQL_SESSION_DELETE,
		 SQ_ARGS_(SQ_INT(c->session_idle), SQ_INT(c->session_born)), &n->sessions,
		 "retention sessions") != STORE_OK)
		return STORE_ERROR;
	return STORE_OK;
}

static void fill_issued(struct db_stmt *s, void *elem)
{
	struct retention_issued *v = elem;

	v->order_id = db_col_int64(s, 0);
	db_col_copy(s, 1, v->validity, sizeof(v->validity));
	v->issued_at = (time_t)db_col_int64(s, 2);
	v->not_after = (time_t)db_col_int64(s, 3);
}

int store_retention_issued(struct store *st, struct retention_issued **out, size_t *count)
{
	void *v;
	int rc = db_step_array(db_bound(st, SQL_ISSUED, SQ_TEXT(wf_state_name(WF_ISSUED))),
			       sizeof(**out), fill_issued, &v, count, "retention issued");

	*out = v;
	return rc;
}

int store_order_anonymise(struct store *st, long long order_id, time_t now)
{
	int rc = db_changed(st, SQL_BLANK_ONE, "order anonymise", SQ_INT(now), SQ_INT(order_id));

	if (rc == STORE_OK)
		rc = order_words_forget_person(st, order_id);
	if (rc != STORE_OK)
		return rc;
	rc = db_run(st, SQL_BLANK_CERT, "certificate anonymise", SQ_INT(order_id));
	return rc != STORE_OK ? rc
			      : db_run(st, SQL_BLANK_SIGNER, "signer anonymise", SQ_INT(order_id));
}
