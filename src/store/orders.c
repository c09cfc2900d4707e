/*
 * Orders and their history (store.h).
 */
#include <stddef.h>
#include <string.h>
#include <time.h>

#include "domain/order.h"
#include "store/store_int.h"

/* ---- Columns (store_int.h) ---------------------------------------------- */

/* The order's free-text fields, in one run: read, inserted and
 * rewritten in this order (order_text, order_bind_text). */
#define ORDER_TEXT_COLS(X, _)                                                                      \
	X("first_name", TEXT, first_name) _ X("last_name", TEXT, last_name)                        \
	_ X("jmbg", TEXT, jmbg)                                                                    \
	_ X("id_type", TEXT, id_type)                                                              \
	_ X("id_number", TEXT, id_number)                                                          \
	_ X("id_issuer", TEXT, id_issuer)                                                          \
	_ X("street", TEXT, street)                                                                \
	_ X("postal_code", TEXT, postal_code)                                                      \
	_ X("city", TEXT, city)                                                                    \
	_ X("email", TEXT, email)                                                                  \
	_ X("phone", TEXT, phone)                                                                  \
	_ X("license_number", TEXT, license_number)                                                \
	_ X("validity", TEXT, validity)                                                            \
	_ X("position", TEXT, position)                                                            \
	_ X("company_name", TEXT, company_name)                                                    \
	_ X("company_mb", TEXT, company_mb)                                                        \
	_ X("company_pib", TEXT, company_pib)                                                      \
	_ X("company_street", TEXT, company_street)                                                \
	_ X("company_postal_code", TEXT, company_postal_code)                                      \
	_ X("company_city", TEXT, company_city)                                                    \
	_ X("company_email", TEXT, company_email)
/* Every column of an order, as every SELECT of a whole order reads it
 * (FROM ORDER_TABLES: office, state, updated_at and confirmed_at are
 * order_state's, migration 023). */
#define ORDER_COLS(X, _)                                                                           \
	X("id", INT64, id) _ X("account_id", INT64, account_id)                                    \
	_ X("type", INT, type)                                                                     \
	_ X("state", STATE, state)                                                                 \
	_ ORDER_TEXT_COLS(X, _)                                                                    \
	_ X("office", TEXT, office)                                                                \
	_ X("card_reader", INT, card_reader)                                                       \
	_ X("id", PAYREF, payment_ref)                                                             \
	_ X("total_para", INT64, total_para)                                                       \
	_ X("created_at", TIME, created_at)                                                        \
	_ X("updated_at", TIME, updated_at)                                                        \
	_ X("confirmed_at", TIME, confirmed_at)                                                    \
	_ X("prices_fixed", INT, prices_fixed)                                                     \
	_ X("price_para", INT64, price_para)                                                       \
	_ X("reader_para", INT64, reader_para)                                                     \
	_ X("vat_pct", INT, vat_pct)                                                               \
	_ X("company_cert_name", TEXT, company_cert_name)                                          \
	_ X("name_differs", INT, name_differs)                                                     \
	_ X("name_confirmed_at", TIME, name_confirmed_at)                                          \
	_ X("name_confirmed_by", TEXT, name_confirmed_by)                                          \
	_ X("returned_code", TEXT, returned_code)                                                  \
	_ X("returned_text", TEXT, returned_text)
/* An order in the member's list. */
#define ORDER_SUMMARY_COLS(X, _)                                                                   \
	X("id", INT64, id) _ X("type", INT, type)                                                  \
	_ X("state", STATE, state)                                                                 \
	_ X("first_name", TEXT, first_name)                                                        \
	_ X("last_name", TEXT, last_name)                                                          \
	_ X("company_name", TEXT, company_name)                                                    \
	_ X("created_at", TIME, created_at)                                                        \
	_ X("office", TEXT, office)
#define ORDER_EVENT_COLS(X, _)                                                                     \
	X("at", TIME, at) _ X("state", STATE, state)                                               \
	_ X("actor", TEXT, actor)                                                                  \
	_ X("note", BORROW, note)

/* The payment reference is a function of the id (migration 024). */
#define DB_GET_PAYREF(s, i, dst) order_payment_ref(db_col_int64((s), (i)), (dst), sizeof(dst))
DB_READER(order, struct order, ORDER_COLS)
DB_READER(order_summary, struct order_summary, ORDER_SUMMARY_COLS)
DB_READER(order_event, struct order_event, ORDER_EVENT_COLS)

/* An order is its row in orders and its state's in order_state (023). */
#define ORDER_TABLES " FROM orders JOIN order_state ON order_id = id"
#define ORDER_SELECT "SELECT " DB_NAMES(ORDER_COLS) ORDER_TABLES

/* Where each free-text field is, for binding them in a loop. */
#define ORDER_TEXT_FIELD(sql, kind, field)                                                         \
	{offsetof(struct order, field), sizeof(((struct order *)0)->field)},
static const struct {
	size_t off, size;
} order_text[] = {ORDER_TEXT_COLS(ORDER_TEXT_FIELD, )};

#define ORDER_INSERT                                                                               \
	"INSERT INTO orders (account_id, type, " DB_NAMES(                                         \
		ORDER_TEXT_COLS) ", card_reader, total_para, created_at, company_cert_name, "      \
				 "name_differs) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, " \
				 "$11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, "    \
				 "$23, $24, $25, $26, $27, $28) RETURNING id"
/* A rewrite is first a compare-and-set on the order's state ($4) and
 * owner ($5, 0: any), which also writes the office and the time; then
 * the row (ORDER_UPDATE_DRAFT). */
#define ORDER_STATE_REWRITE                                                                        \
	"UPDATE order_state SET office = $2, updated_at = $3 WHERE order_id = $1 AND state = $4 "  \
	"AND EXISTS (SELECT 1 FROM orders WHERE id = $1 AND ($5 = 0 OR account_id = $5))"
#define ORDER_UPDATE_DRAFT                                                                         \
	"UPDATE orders SET type = $2, first_name = $3, last_name = $4, jmbg = $5, id_type = $6, "  \
	"id_number = $7, id_issuer = $8, street = $9, postal_code = $10, city = $11, email = "     \
	"$12, phone = $13, license_number = $14, validity = $15, position = $16, company_name = "  \
	"$17, company_mb = $18, company_pib = $19, company_street = $20, company_postal_code = "   \
	"$21, company_city = $22, company_email = $23, card_reader = $24, company_cert_name = "    \
	"$25, name_differs = $26, name_confirmed_at = $27, name_confirmed_by = $28 WHERE id = $1"

static const char SQL_ORDER_INSERT[] = ORDER_INSERT;
static const char SQL_ORDER_STATE_INSERT[] =
	"INSERT INTO order_state (order_id, office, state, updated_at, confirmed_at) VALUES ($1, "
	"$2, $3, $4, $5)";
static const char SQL_ORDER_STATE_REWRITE[] = ORDER_STATE_REWRITE;
static const char SQL_ORDER_UPDATE_DRAFT[] = ORDER_UPDATE_DRAFT;
static const char SQL_ORDER_CONFIRM_NAME[] =
	"UPDATE orders SET name_confirmed_at = $2, name_confirmed_by = $3 WHERE id = $1 AND "
	"name_differs = 1 AND name_confirmed_at = 0";
static const char SQL_ORDER_SET_RETURNED[] =
	"UPDATE orders SET returned_code = $2, returned_text = $3 WHERE id = $1";
static const char SQL_ORDER_GET[] = ORDER_SELECT " WHERE id = $1";
/* ORDERS_PER_READ orders by id (the unused places -1, no order's). */
static const char SQL_ORDERS_BY_ID[] = ORDER_SELECT
	" WHERE id IN ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, "
	"$17, $18, $19, $20, $21, $22, $23, $24, $25) ORDER BY id";
static const char SQL_ORDER_GET_OWNED[] = ORDER_SELECT " WHERE id = $1 AND account_id = $2";
/* A move: a compare-and-set on the order's short row in order_state
 * (023), never on its row in orders (a statement import settles
 * ~35,000 orders); $5 the confirmation time, 0: kept. */
static const char SQL_ORDER_MOVE[] =
	"UPDATE order_state SET state = $3, updated_at = $4 WHERE order_id = $1 AND state = $2";
static const char SQL_ORDER_MOVE_CONFIRMED[] =
	"UPDATE order_state SET state = $3, updated_at = $4, confirmed_at = CASE WHEN $5 <> 0 "
	"THEN $5 ELSE confirmed_at END WHERE order_id = $1 AND state = $2";
/* After a move that sets them: the total, or the total and the prices
 * a confirmation fixes. */
static const char SQL_ORDER_SET_TOTAL[] = "UPDATE orders SET total_para = $2 WHERE id = $1";
static const char SQL_ORDER_SET_PRICES[] =
	"UPDATE orders SET total_para = $2, prices_fixed = 1, price_para = $3, reader_para = $4, "
	"vat_pct = $5 WHERE id = $1";
static const char SQL_ORDER_EACH_OWNED[] = "SELECT " DB_NAMES(ORDER_SUMMARY_COLS) ORDER_TABLES
	" WHERE account_id = $1 ORDER BY id DESC LIMIT $2";
/* A page of them: older than $2, newest first; or newer than $3, oldest
 * first (index orders_account (account_id, id) either way). */
static const char SQL_ORDER_OLDER_OWNED[] = "SELECT " DB_NAMES(ORDER_SUMMARY_COLS) ORDER_TABLES
	" WHERE account_id = $1 AND id < $2 ORDER BY id DESC "
	"LIMIT $3";
static const char SQL_ORDER_NEWER_OWNED[] = "SELECT " DB_NAMES(ORDER_SUMMARY_COLS) ORDER_TABLES
	" WHERE account_id = $1 AND id > $2 ORDER BY id LIMIT $3";
static const char SQL_ORDER_EVENT_ADD[] =
	"INSERT INTO order_events (order_id, at, state, actor, note) VALUES ($1, $2, $3, $4, $5)";
static const char SQL_ORDER_EVENTS[] =
	"SELECT " DB_NAMES(ORDER_EVENT_COLS) " FROM order_events WHERE order_id = $1 ORDER BY id";

/* ---- Orders ----------------------------------------------------------------- */

#define NTEXT (sizeof(order_text) / sizeof(order_text[0]))
_Static_assert(NTEXT == 21, "ORDER_INSERT and ORDER_UPDATE_DRAFT bind the text fields as $3..$23");

/* The text fields as parameters a[0..NTEXT-1]. */
static void order_text_args(struct sq_arg *a, const struct order *o)
{
	size_t i;

	for (i = 0; i < NTEXT; i++)
		a[i] = SQ_TEXT((const char *)o + order_text[i].off);
}

/* The second write of a move or a rewrite, to the row of an order whose
 * state row it has just written: that row is there (023: order_state references it). */
static int moved_row(int rc)
{
	return rc == STORE_NOTFOUND ? STORE_ERROR : rc;
}

int store_order_create(struct store *st, struct order *o)
{
	struct sq_arg a[29];
	size_t c = 2 + NTEXT;
	int rc;

	a[0] = SQ_INT(o->account_id);
	a[1] = SQ_INT(o->type);
	order_text_args(a + 2, o);
	a[c++] = SQ_INT(o->card_reader);
	a[c++] = SQ_INT(o->total_para);
	a[c++] = SQ_INT(o->created_at);
	a[c++] = SQ_TEXT(o->company_cert_name);
	a[c++] = SQ_INT(o->name_differs);
	a[c] = SQ_END_;
	if ((rc = db_insert_args(st, SQL_ORDER_INSERT, "order create", &o->id, a)) != STORE_OK)
		return rc == STORE_NOTFOUND ? STORE_ERROR : rc;
	if ((rc = db_run(st, SQL_ORDER_STATE_INSERT, "order state create", SQ_INT(o->id),
			 SQ_TEXT(o->office), SQ_TEXT(wf_state_name(o->state)),
			 SQ_INT(o->updated_at), SQ_INT(o->confirmed_at))) != STORE_OK)
		return rc;
	if (order_payment_ref(o->id, o->payment_ref, sizeof(o->payment_ref)) != 0)
		return STORE_ERROR;
	return order_words_put(st, o->id, o->first_name, o->last_name, o->company_name, 1);
}

int store_order_rewrite(struct store *st, const struct order *o, enum wf_state state,
			long long account_id)
{
	struct sq_arg a[29];
	size_t c = 2 + NTEXT;
	int rc;

	if ((rc = db_changed(st, SQL_ORDER_STATE_REWRITE, "order rewrite", SQ_INT(o->id),
			     SQ_TEXT(o->office), SQ_INT(o->updated_at),
			     SQ_TEXT(wf_state_name(state)), SQ_INT(account_id))) != STORE_OK)
		return rc;
	a[0] = SQ_INT(o->id);
	a[1] = SQ_INT(o->type);
	order_text_args(a + 2, o);
	a[c++] = SQ_INT(o->card_reader);
	a[c++] = SQ_TEXT(o->company_cert_name);
	a[c++] = SQ_INT(o->name_differs);
	a[c++] = SQ_INT(o->name_confirmed_at);
	a[c++] = SQ_TEXT(o->name_confirmed_by);
	a[c] = SQ_END_;
	rc = moved_row(
		db_step_changed(db_bind_args(st, SQL_ORDER_UPDATE_DRAFT, a), "order rewrite"));
	if (rc != STORE_OK)
		return rc;
	return order_words_put(st, o->id, o->first_name, o->last_name, o->company_name, 0);
}

int store_order_update_draft(struct store *st, const struct order *o)
{
	return store_order_rewrite(st, o, WF_DRAFT, o->account_id);
}

int store_order_confirm_name(struct store *st, long long id, const char *by, time_t now)
{
	return db_changed(st, SQL_ORDER_CONFIRM_NAME, "order confirm name", SQ_INT(id), SQ_INT(now),
			  SQ_TEXT(by));
}

int store_order_set_returned(struct store *st, long long id, const char *code, const char *text)
{
	return db_changed(st, SQL_ORDER_SET_RETURNED, "order set returned", SQ_INT(id),
			  SQ_TEXT(code), SQ_TEXT(text));
}

int store_order_get(struct store *st, long long id, struct order *out)
{
	return order_one(db_bound(st, SQL_ORDER_GET, SQ_INT(id)), out, "order get");
}

static void order_fill(struct db_stmt *s, void *elem)
{
	order_from_row(s, elem);
}

int store_orders_read(struct store *st, const long long *ids, size_t n, struct order **out,
		      size_t *got)
{
	struct sq_arg a[ORDERS_PER_READ + 1];
	void *v = NULL;
	size_t i;
	int rc;

	_Static_assert(ORDERS_PER_READ == 25, "SQL_ORDERS_BY_ID binds $1..$25");
	*out = NULL;
	*got = 0;
	if (n > ORDERS_PER_READ)
		return STORE_ERROR;
	for (i = 0; i < ORDERS_PER_READ; i++)
		a[i] = SQ_INT(i < n ? ids[i] : -1);
	a[i] = SQ_END_;
	rc = db_step_array(db_bind_args(st, SQL_ORDERS_BY_ID, a), sizeof(struct order), order_fill,
			   &v, got, "orders by id");
	*out = v;
	return rc;
}

int store_order_get_owned(struct store *st, long long id, long long account_id, struct order *out)
{
	return order_one(db_bound(st, SQL_ORDER_GET_OWNED, SQ_INT(id), SQ_INT(account_id)), out,
			 "order get owned");
}

int store_order_transition(struct store *st, long long id, enum wf_state from, enum wf_state to,
			   long long total_para, time_t confirmed_at, time_t now)
{
	int rc;

	if (confirmed_at == 0)
		rc = db_changed(st, SQL_ORDER_MOVE, "order transition", SQ_INT(id),
				SQ_TEXT(wf_state_name(from)), SQ_TEXT(wf_state_name(to)),
				SQ_INT(now));
	else
		rc = db_changed(st, SQL_ORDER_MOVE_CONFIRMED, "order transition", SQ_INT(id),
				SQ_TEXT(wf_state_name(from)), SQ_TEXT(wf_state_name(to)),
				SQ_INT(now), SQ_INT(confirmed_at));
	if (rc != STORE_OK || total_para == 0)
		return rc;
	return moved_row(
		db_changed(st, SQL_ORDER_SET_TOTAL, "order total", SQ_INT(id), SQ_INT(total_para)));
}

int store_order_transition_priced(struct store *st, long long id, enum wf_state from,
				  enum wf_state to, long long total_para, time_t confirmed_at,
				  const struct order_prices *p, time_t now)
{
	int rc;

	if (p == NULL)
		return store_order_transition(st, id, from, to, total_para, confirmed_at, now);
	rc = db_changed(st, SQL_ORDER_MOVE_CONFIRMED, "order confirm", SQ_INT(id),
			SQ_TEXT(wf_state_name(from)), SQ_TEXT(wf_state_name(to)), SQ_INT(now),
			SQ_INT(confirmed_at));
	if (rc != STORE_OK)
		return rc;
	return moved_row(db_changed(st, SQL_ORDER_SET_PRICES, "order prices", SQ_INT(id),
				    SQ_INT(total_para), SQ_INT(p->price_para),
				    SQ_INT(p->reader_para), SQ_INT(p->vat_pct)));
}

int store_order_each_owned(struct store *st, long long account_id, int limit,
			   int (*fn)(void *arg, const struct order_summary *o), void *arg)
{
	return order_summary_each(db_bound(st, SQL_ORDER_EACH_OWNED, SQ_INT(account_id),
					   SQ_INT(limit > 0 ? limit : (long long)1 << 62)),
				  fn, arg, "order list");
}

int store_order_page_owned(struct store *st, long long account_id, long long before,
			   long long after, int limit,
			   int (*fn)(void *arg, const struct order_summary *o), void *arg)
{
	if (after > 0)
		return order_summary_each(db_bound(st, SQL_ORDER_NEWER_OWNED, SQ_INT(account_id),
						   SQ_INT(after), SQ_INT(limit)),
					  fn, arg, "order list newer");
	return order_summary_each(db_bound(st, SQL_ORDER_OLDER_OWNED, SQ_INT(account_id),
					   SQ_INT(before > 0 ? before : (long long)1 << 62),
					   SQ_INT(limit)),
				  fn, arg, "order list older");
}

int store_order_event_add(struct store *st, long long order_id, enum wf_state state,
			  const char *actor, const char *note, time_t at)
{
	return db_run(st, SQL_ORDER_EVENT_ADD, "order event add", SQ_INT(order_id), SQ_INT(at),
		      SQ_TEXT(wf_state_name(state)), SQ_TEXT(actor), SQ_TEXT(note ? note : ""));
}

int store_order_events(struct store *st, long long order_id,
		       int (*fn)(void *arg, const struct order_event *e), void *arg)
{
	return order_event_each(db_bound(st, SQL_ORDER_EVENTS, SQ_INT(order_id)), fn, arg,
				"order events");
}
