/*
 * The back office's queries (office queues, search,
 * orders due to expire), the record of CA submissions, and the tables
 * of the in-process TEST CA (store_office.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/fold.h"
#include "domain/ident.h"
#include "domain/payment.h"
#include "store/store_int.h"
#include "store/store_office.h"

/* ---- Office queues and search --------------------------------------------- */

/* The queue and the search, each statement read through an index
 * (tests/unit/app/test_plans.c): no "($1 = '' OR office = $1)", which
 * no index serves, but one statement per case (office or every office;
 * some states or every state staff see), chosen in C.  The filter's
 * parameters: $1 office, $2 number of states, $3..$7 states ('' when
 * fewer), $8 the state staff never see (a draft), $9 confirmed before
 * (0: any).  Every state but a draft is "state NOT IN ($3..$7, $8)",
 * the unused states being ''.  States are bound, never written in SQL. */
#define O_ANY " $1 = ''"
#define O_ONE " office = $1"
#define F_STATES " AND $2 > 0 AND state IN ($3, $4, $5, $6, $7) AND state <> $8"
#define F_ANY_STATE " AND $2 = 0 AND state NOT IN ($3, $4, $5, $6, $7, $8)"
#define F_REST " AND ($9 = 0 OR (confirmed_at > 0 AND confirmed_at < $9))"

/* Pages by key (issue 17, point 6): a page is the orders after one id
 * ($a, 0 for the first page), read in id order, or those before one
 * ($b), read backwards (D " DESC"), LIMIT $n; never OFFSET.  So that a
 * page reads a page's worth, each state's orders are read apart, in id
 * order from (office, state, id) or (state, id) (migration 019), a
 * page's worth each, and merged: an IN list of states would read every
 * order of those states and sort them.  Every state staff see reads
 * (office, id) or the primary key, skipping drafts.  X: more
 * conditions on the order (the search's words). */
#define KEYS(c, a, b) " AND " c " > $" a " AND " c " < $" b
#define ARM_STATE(O, k, X, a, b, n, D)                                                             \
	"SELECT id FROM (SELECT order_id AS id FROM order_state WHERE" O                           \
	" AND $2 > 0 AND state = $" k                                                              \
	" AND state <> $8" F_REST X KEYS("order_id", a, b) " ORDER BY order_id" D " LIMIT $" n     \
							   ") q"
#define ARMS_STATES(O, X, J, a, b, n, D)                                                           \
	ARM_STATE(O, "3", X, a, b, n, D)                                                           \
	J ARM_STATE(O, "4", X, a, b, n, D)                                                         \
	J ARM_STATE(O, "5", X, a, b, n, D)                                                         \
	J ARM_STATE(O, "6", X, a, b, n, D)                                                         \
	J ARM_STATE(O, "7", X, a, b, n, D)
#define ARM_ANY_STATE(O, X, J, a, b, n, D)                                                         \
	"SELECT id FROM (SELECT order_id AS id FROM order_state WHERE" O F_ANY_STATE F_REST X      \
		KEYS("order_id", a, b) " ORDER BY order_id" D " LIMIT $" n ") q"
#define PAGE_OF(ARMS, D, n) "SELECT id FROM (" ARMS ") u ORDER BY id" D " LIMIT $" n
#define QUEUE_ANY(O, D) PAGE_OF(ARM_ANY_STATE(O, "", "", "10", "11", "12", D), D, "12")
#define QUEUE_STATES(O, D) PAGE_OF(ARMS_STATES(O, "", " UNION ALL ", "10", "11", "12", D), D, "12")

/* The search: the orders an exact identifier names, each by its own
 * index ($10 the text as typed, $11 as an order number or -1, $12 as a
 * license number (domain/ident.h: "315 6789 01" is 315678901) or NULL,
 * $13 as a payment reference's order: "97 95 00000001" is order 1,
 * migration 024, else -1), and those whose names have a word starting
 * with each word typed (words.c: up to three, the longest first, each a
 * prefix range).  The longest word's range is read one of two ways
 * (store_office_orders picks): when it holds at most SEARCH_ARMS
 * different words, each word's orders in id order from order_words
 * (word, order_id), a window each (search_word_ids); when it holds
 * more (a short prefix, found in many orders), the queue's orders with
 * each order's words checked through order_words (order_id, word)
 * (search_walk_ids).
 * Either stops after SEARCH_SCAN_CAP orders read.  The parts' pages
 * are merged in C. */
#define SEARCH_ARMS 12
#define EXACT                                                                                      \
	"SELECT id FROM orders WHERE id = $11 UNION ALL SELECT id FROM orders WHERE jmbg = $10 "   \
	"UNION ALL SELECT id FROM orders WHERE company_pib = $10 UNION ALL SELECT id FROM orders " \
	"WHERE license_number = $12 UNION ALL SELECT id FROM orders WHERE id = $13"
#define WORD_OF(t, a, b)                                                                           \
	"EXISTS (SELECT 1 FROM order_words v WHERE v.order_id = " t " AND v.word >= $" a           \
	" AND v.word < $" b ")"
#define OTHER_WORDS(t, a, b, c, d)                                                                 \
	" AND ($" a " = '' OR " WORD_OF(t, a, b) ") AND ($" c " = '' OR " WORD_OF(t, c, d) ")"
/* The identifiers' orders drive (CROSS JOIN: SQLite keeps that order),
 * each looked up in order_state: with "order_id IN (...)" beside the
 * keys' range SQLite read the range, every order, and tested each. */
#define SEARCH_EXACT(O, S, D)                                                                      \
	"SELECT s.order_id AS id FROM (SELECT DISTINCT id FROM (" EXACT ") x) e CROSS JOIN "       \
	"order_state s WHERE s.order_id = e.id AND" O S F_REST KEYS(                               \
		"s.order_id", "14", "15") " ORDER BY s.order_id" D " LIMIT $16"
/* A window of one word's orders, from order_words alone ($1 the word,
 * $6 after, $7 before, $8 how many), each with 1 when it has the other
 * two ranges' words ($2..$5), else 0: so that the caller knows how far
 * the window went when few or none have them (search_word_ids stops
 * after SEARCH_SCAN_CAP).  Whether an order passes the filter ($10 its
 * id) is asked apart, for as many as a page needs. */
#define HAS_OTHER_WORDS(t)                                                                         \
	"CASE WHEN ($2 = '' OR " WORD_OF(t, "2", "3") ") AND ($4 = '' OR " WORD_OF(                \
		t, "4", "5") ") THEN 1 ELSE 0 END"
#define WORD_WINDOW(D)                                                                             \
	"(SELECT DISTINCT order_id FROM order_words WHERE word = $1 AND order_id > $6 AND "        \
	"order_id < $7 ORDER BY order_id" D " LIMIT $8)"
#define SEARCH_WORD(D)                                                                             \
	"SELECT w.order_id, " HAS_OTHER_WORDS("w.order_id") " FROM " WORD_WINDOW(D) " w"
#define ORDER_PASSES(O, S) "SELECT order_id FROM order_state WHERE order_id = $10 AND" O S F_REST
/* The orders of one word's pairs (store_int.h) with a word in a range
 * ($1, $2), 1 each, then those of its "any" ($3), 0 each (their words
 * still to check), up to $4 rows. */
static const char SQL_PAIR_ORDERS[] =
	"SELECT order_id, 1 FROM order_words WHERE word >= $1 AND word < $2 UNION ALL "
	"SELECT order_id, 0 FROM order_words WHERE word = $3 LIMIT $4";
/* Whether order $1 has a word in each range typed ($2..$7; '' past the
 * words typed): the walk's check of each order the queue reads. */
static const char SQL_ORDER_HAS_WORDS[] =
	"SELECT 1 WHERE " WORD_OF("$1", "2", "3") OTHER_WORDS("$1", "4", "5", "6", "7");
#define EXACT_ANY(O, D) SEARCH_EXACT(O, F_ANY_STATE, D)
#define EXACT_STATES(O, D) SEARCH_EXACT(O, F_STATES, D)
/* One statement per case and direction: [office?2:0 + states?1:0][desc]. */
#define BY_CASE(ANY, STATES)                                                                       \
	{                                                                                          \
		{ANY(O_ANY, ""), ANY(O_ANY, " DESC")},                                             \
			{STATES(O_ANY, ""), STATES(O_ANY, " DESC")},                               \
			{ANY(O_ONE, ""), ANY(O_ONE, " DESC")},                                     \
		{                                                                                  \
			STATES(O_ONE, ""), STATES(O_ONE, " DESC")                                  \
		}                                                                                  \
	}

/* The counts, up to a cap ($10: ORDER_COUNT_CAP + 1, $20:
 * SEARCH_COUNT_CAP + 1): the
 * queue's from its index alone; the search's from its exact
 * identifiers and the longest word's range ($14, $15; $16..$19 the
 * others) read in word order. */
#define COUNT_QUEUE(O, S)                                                                          \
	"SELECT COUNT(*) FROM (SELECT order_id FROM order_state WHERE" O S F_REST " LIMIT $10) c"
#define COUNT_SEARCH(O, S)                                                                         \
	"SELECT COUNT(*) FROM (SELECT id FROM (SELECT order_id AS id FROM order_state WHERE" O S   \
		F_REST " AND order_id IN (" EXACT                                                  \
	") LIMIT $20) x UNION SELECT id FROM (SELECT DISTINCT "                                    \
	"w.order_id AS id FROM order_words w CROSS JOIN order_state o WHERE $14 <> '' AND w.word " \
	">= $14 AND w.word < $15 AND o.order_id = w.order_id AND" O S F_REST OTHER_WORDS(          \
		"w.order_id", "16", "17", "18", "19") " LIMIT $20) y) c"
#define COUNT_CASES(X)                                                                             \
	{                                                                                          \
		X(O_ANY, F_ANY_STATE), X(O_ANY, F_STATES), X(O_ONE, F_ANY_STATE),                  \
			X(O_ONE, F_STATES)                                                         \
	}

static const char *const SQL_QUEUE[4][2] = BY_CASE(QUEUE_ANY, QUEUE_STATES);
static const char *const SQL_SEARCH_EXACT[4][2] = BY_CASE(EXACT_ANY, EXACT_STATES);
static const char *const SQL_SEARCH_WORD[2] = {SEARCH_WORD(""), SEARCH_WORD(" DESC")};
static const char *const SQL_ORDER_PASSES[4] = COUNT_CASES(ORDER_PASSES);
static const char *const SQL_QUEUE_COUNT[4] = COUNT_CASES(COUNT_QUEUE);
static const char *const SQL_SEARCH_COUNT[4] = COUNT_CASES(COUNT_SEARCH);
/* The different words in a prefix range, in order, up to SEARCH_ARMS +
 * 1 (one more says "too many"): each found by one seek, skipping the
 * orders of the one before. */
static const char SQL_RANGE_WORDS[] =
	"WITH RECURSIVE d (word, n) AS (SELECT (SELECT MIN(word) FROM order_words WHERE word >= "
	"$1 AND word < $2), 1 UNION ALL SELECT (SELECT MIN(word) FROM order_words WHERE word > "
	"d.word AND word < $2), n + 1 FROM d WHERE d.word IS NOT NULL AND n <= $3) SELECT word "
	"FROM d WHERE word IS NOT NULL";
static const char SQL_STATE_COUNTS[] =
	"SELECT state, COUNT(*) FROM order_state WHERE state <> $2 AND ($1 = '' OR office = $1) "
	"GROUP BY state ORDER BY state";

static const char SQL_CA_PUT[] =
	"INSERT INTO ca_requests (order_id, connector, reference, submitted_at) VALUES ($1, $2, "
	"$3, $4) ON CONFLICT (order_id) DO UPDATE SET connector = $2, reference = $3, "
	"submitted_at = $4";
#define CA_REQUEST_COLS(X, _)                                                                      \
	X("order_id", INT64, order_id) _ X("connector", TEXT, connector)                           \
	_ X("reference", TEXT, reference)                                                          \
	_ X("submitted_at", TIME, submitted_at)
static const char SQL_CA_GET[] =
	"SELECT " DB_NAMES(CA_REQUEST_COLS) " FROM ca_requests WHERE order_id = $1";

#define TREQ_COLS(X, _)                                                                            \
	X("id", INT64, id) _ X("order_id", INT64, order_id)                                        \
	_ X("reference", TEXT, reference)                                                          \
	_ X("office", TEXT, office)                                                                \
	_ X("subject", TEXT, subject)                                                              \
	_ X("submitted_at", TIME, submitted_at)                                                    \
	_ X("issued_at", TIME, issued_at)                                                          \
	_ X("serial", TEXT, serial)                                                                \
	_ X("COALESCE(shipment_id, 0)", INT64, shipment_id)                                        \
	_ X("revoked_at", TIME, revoked_at)                                                        \
	_ X("revoke_reason", TEXT, revoke_reason)

static const char SQL_TREQ_INSERT[] =
	"INSERT INTO testca_requests (order_id, reference, office, subject, submitted_at) "
	"VALUES ($1, $2, $3, $4, $5) RETURNING id";
static const char SQL_TREQ_GET[] =
	"SELECT " DB_NAMES(TREQ_COLS) " FROM testca_requests WHERE order_id = $1";
static const char SQL_TREQ_PENDING[] =
	"SELECT " DB_NAMES(TREQ_COLS) " FROM testca_requests WHERE "
				      "issued_at = 0 AND ($1 = 0 OR order_id = $1) ORDER BY id";
static const char SQL_TREQ_ISSUE[] = "UPDATE testca_requests SET issued_at = $2, serial = $3, "
				     "shipment_id = $4 WHERE id = $1 AND issued_at = 0";
static const char SQL_TREQ_REVOKE[] = "UPDATE testca_requests SET revoked_at = $2, "
				      "revoke_reason = $3 WHERE order_id = $1 AND revoked_at = 0";
static const char SQL_TREQ_ITEMS[] = "SELECT " DB_NAMES(
	TREQ_COLS) " FROM testca_requests WHERE shipment_id = $1 ORDER BY order_id";

#define TSHIP_COLS(X, _)                                                                           \
	X("s.id", INT64, id) _ X("s.reference", TEXT, reference)                                   \
	_ X("s.office", TEXT, office)                                                              \
	_ X("s.created_at", TIME, created_at)                                                      \
	_ X("s.received_at", TIME, received_at)                                                    \
	_ X("s.received_by", TEXT, received_by)                                                    \
	_ X("(SELECT COUNT(*) FROM testca_requests r WHERE r.shipment_id = s.id)", INT64, count)

static const char SQL_TSHIP_INSERT[] = "INSERT INTO testca_shipments (reference, office, "
				       "created_at) VALUES ($1, $2, $3) RETURNING id";
static const char SQL_TSHIP_SET_REF[] = "UPDATE testca_shipments SET reference = $2 WHERE id = $1";
static const char SQL_TSHIP_GET[] =
	"SELECT " DB_NAMES(TSHIP_COLS) " FROM testca_shipments s WHERE s.reference = $1";
static const char SQL_TSHIP_OPEN[] = "SELECT " DB_NAMES(
	TSHIP_COLS) " FROM testca_shipments s WHERE s.received_at = 0 AND ($1 = '' OR "
		    "s.office = $1) ORDER BY s.id";
static const char SQL_TSHIP_RECEIVED[] = "UPDATE testca_shipments SET received_at = $2, "
					 "received_by = $3 WHERE id = $1 AND received_at = 0";

static const char SQL_TSET_GET[] = "SELECT value FROM testca_settings WHERE name = $1";
static const char SQL_TSET_PUT[] = "INSERT INTO testca_settings (name, value) VALUES ($1, $2) "
				   "ON CONFLICT (name) DO UPDATE SET value = $2";
static const char SQL_TSET_DEL[] = "DELETE FROM testca_settings WHERE name = $1";

DB_READER(ca_request, struct ca_request, CA_REQUEST_COLS)
DB_READER(treq, struct testca_request, TREQ_COLS)
DB_READER(tship, struct testca_shipment, TSHIP_COLS)

/* A word's prefix range: [word, word + U+10FFFF), every word that
 * starts with it (byte order; the bound stays valid UTF-8). */
static void prefix_end(const char *word, char *out, size_t size)
{
	snprintf(out, size, "%s\xf4\x8f\xbf\xbf", word);
}

static int longest_first(const void *a, const void *b)
{
	size_t x = strlen(a), y = strlen(b);

	return x < y ? 1 : x > y ? -1 : 0;
}

/* The search's words and keys, alive while its statement runs. */
struct search_keys {
	char words[3][SEARCH_WORD_SIZE], ends[3][SEARCH_WORD_SIZE + 4];
	char license[32];
	char arms[SEARCH_ARMS][SEARCH_WORD_SIZE]; /* the longest word's range's words */
};

/* f's parameters into a[] (the filter's $1..$9, the search's $10..$19
 * when it has text); their count. */
static size_t filter_args(struct sq_arg a[40], const struct order_filter *f, struct search_keys *k)
{
	const char *q = f->q ? f->q : "";
	char ref[PAYMENT_REF_SIZE];
	long long id = -1, ref_id = -1;
	size_t i, n, c;
	char *end;

	a[0] = SQ_TEXT(f->office ? f->office : "");
	a[1] = SQ_INT(f->nstates < ORDER_FILTER_STATES ? f->nstates : ORDER_FILTER_STATES);
	for (i = 0; i < ORDER_FILTER_STATES; i++)
		a[2 + i] = SQ_TEXT(i < f->nstates && f->states[i] ? f->states[i] : "");
	a[7] = SQ_TEXT(wf_state_name(WF_DRAFT));
	a[8] = SQ_INT(f->confirmed_before);
	if (*q == '\0')
		return 9;
	a[9] = SQ_TEXT(q);
	if (strspn(q, "0123456789") == strlen(q) && strlen(q) <= 15)
		id = strtoll(q, &end, 10);
	a[10] = SQ_INT(id);
	if (!license_normalize(q, k->license, sizeof(k->license)))
		k->license[0] = '\0';
	/* NULL, which no license number equals, when the text is none: a
	 * test of $12 beside it would not stop the index's read of every
	 * order without one. */
	a[11] = k->license[0] ? SQ_TEXT(k->license) : SQ_NULL;
	if (payment_ref_normalize(q, ref, sizeof(ref)) != 1 ||
	    payment_ref_order_id(ref, &ref_id) != 0)
		ref_id = -1;
	a[12] = SQ_INT(ref_id);
	n = search_words(q, k->words, 3);
	qsort(k->words, n, sizeof(k->words[0]), longest_first);
	for (c = 13, i = 0; i < 3; i++) {
		if (i >= n)
			k->words[i][0] = '\0';
		prefix_end(k->words[i], k->ends[i], sizeof(k->ends[i]));
		a[c++] = SQ_TEXT(k->words[i]);
		a[c++] = SQ_TEXT(k->ends[i]);
	}
	return 19;
}

_Static_assert(ORDER_FILTER_STATES == 5, "the filter binds five states, $3..$7");

/* The different words of the longest word's range into k->arms ('' for
 * the rest): 1 when there are at most SEARCH_ARMS (or no word typed),
 * 0 when more, -1 on a storage error. */
static int range_words(struct store *st, struct search_keys *k)
{
	struct db_stmt *s;
	size_t n = 0;
	int rc;

	memset(k->arms, 0, sizeof(k->arms));
	if (k->words[0][0] == '\0')
		return 1;
	s = db_bound(st, SQL_RANGE_WORDS, SQ_TEXT(k->words[0]), SQ_TEXT(k->ends[0]),
		     SQ_INT(SEARCH_ARMS));
	if (s == NULL)
		return -1;
	while ((rc = db_step(s)) == DB_ROW && n < SEARCH_ARMS)
		db_col_copy(s, 0, k->arms[n++], SEARCH_WORD_SIZE);
	if (rc == DB_ROW) { /* one more than the arms */
		db_reset(s);
		return 0;
	}
	return db_rows_end(s, rc, "search range words") == STORE_OK ? 1 : -1;
}

/* Appends to *ids (n of them, cap room) the ids sql reads with args a:
 * a page of one part of f's page. */
static int part_ids(struct store *st, const char *sql, const struct sq_arg *a, long long **ids,
		    size_t *n)
{
	long long *more, *grown;
	size_t k;
	int rc;

	if ((rc = db_step_ids(db_bind_args(st, sql, a), &more, &k, "office orders")) != STORE_OK)
		return rc;
	if (k > 0 && (grown = realloc(*ids, (*n + k) * sizeof(**ids))) == NULL) {
		free(more);
		return STORE_ERROR;
	}
	if (k > 0) {
		*ids = grown;
		memcpy(*ids + *n, more, k * sizeof(*more));
		*n += k;
	}
	free(more);
	return STORE_OK;
}

/* Appends id to *ids (n of them). */
static int part_append(long long **ids, size_t *n, long long id)
{
	long long *grown = realloc(*ids, (*n + 1) * sizeof(**ids));

	if (grown == NULL)
		return STORE_ERROR;
	*ids = grown;
	(*ids)[(*n)++] = id;
	return STORE_OK;
}

static int id_asc(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* ids (n of them; NULL when none) sorted, each once: their count. */
static size_t distinct(long long *ids, size_t n)
{
	size_t i, j;

	if (n > 0)
		qsort(ids, n, sizeof(*ids), id_asc);
	for (i = j = 0; i < n; i++)
		if (j == 0 || ids[j - 1] != ids[i])
			ids[j++] = ids[i];
	return j;
}

/* A window's order and whether it has the other words typed. */
struct cand {
	long long id;
	int hit;
};

static void cand_fill(struct db_stmt *s, void *elem)
{
	struct cand *c = elem;

	c->id = db_col_int64(s, 0);
	c->hit = db_col_int(s, 1) != 0;
}

/*
 * A search's walk over order ids in windows (search_word_ids,
 * search_walk_ids): the ids in (lo, hi) still to read, from f's key on,
 * a page's worth in the first window and twice as many in each next,
 * up to 8 pages' worth; a page (f->limit) stops short once
 * SEARCH_SCAN_CAP orders were read, and its last round's windows read
 * only what is left of it (walk_window).
 */
struct walk {
	int desc;
	long long lo, hi;
	size_t limit, window, scanned;
	int capped; /* f->limit: SEARCH_SCAN_CAP holds */
};

static void walk_start(struct walk *w, const struct order_filter *f)
{
	w->desc = f->before > 0;
	w->lo = f->after > 0 && !w->desc ? f->after : 0;
	w->hi = w->desc ? f->before : (long long)1 << 62;
	w->limit = f->limit > 0 ? (size_t)f->limit : (size_t)1 << 40;
	w->window = w->limit;
	w->scanned = 0;
	w->capped = f->limit > 0;
}

/* 1 when the walk has read its SEARCH_SCAN_CAP orders (*stopped 1). */
static int walk_stops(const struct walk *w, int *stopped)
{
	if (!w->capped || w->scanned < SEARCH_SCAN_CAP)
		return 0;
	*stopped = 1;
	return 1;
}

/* How many orders the round's window of arm i of narms reads: the
 * round's window, or, near SEARCH_SCAN_CAP, what is left of it shared
 * among the arms (at least one each): so that a search that stops has
 * read SEARCH_SCAN_CAP orders, not up to narms whole windows more
 * (twelve of 8 pages' worth: 1,920 at 20 a page; bench/growth.c's
 * "simeun3 nik", eleven words, read 1,540). */
static size_t walk_window(const struct walk *w, size_t i, size_t narms)
{
	size_t left, share;

	if (!w->capped || w->scanned >= SEARCH_SCAN_CAP)
		return w->window;
	left = SEARCH_SCAN_CAP - w->scanned;
	share = left / narms + (i < left % narms);
	if (share == 0)
		share = 1;
	return share < w->window ? share : w->window;
}

/* Past the ids read up to bound; the next window twice as long. */
static void walk_next(struct walk *w, long long bound)
{
	if (w->desc)
		w->hi = bound;
	else
		w->lo = bound;
	if (w->window < w->limit * 8)
		w->window *= 2;
}

/* The orders of the longest word's range's words (k->arms) that pass
 * f, a page's worth nearest f's key, appended to *ids (n of them).
 * Each word's orders are read in id order from order_words alone, a
 * window each, merged; those that have the other words typed are then
 * checked, in order, against f (one order read) until a page's worth
 * pass.  When they do not and a word had more, the next round starts
 * after the last id every word's window reached (bound), with windows
 * twice as long: so a page reads about a page's worth of orders
 * (divided by the share of them the other words and the filter pass).
 * A page with f->limit stops once SEARCH_SCAN_CAP orders of the words
 * were read without a page's worth found (*stopped 1): words typed
 * that few of the longest word's orders have (none, at worst) would
 * read the whole range, however many orders there are. */
static int search_word_ids(struct store *st, const struct order_filter *f,
			   const struct sq_arg a[40], const struct search_keys *k, int which,
			   long long **ids, size_t *n, int *stopped)
{
	int rc = STORE_OK, more = 1;
	long long bound, *c = NULL, id, *grown;
	size_t got = 0, nc, i, j, nw, win, narms = 0, round;
	struct walk wk;
	struct cand *w;
	struct sq_arg p[11];
	struct db_stmt *s;

	walk_start(&wk, f);
	while (narms < SEARCH_ARMS && k->arms[narms][0])
		narms++;
	memcpy(p, a, 9 * sizeof(*a)); /* the filter, $1..$9 */
	while (more && got < wk.limit && rc == STORE_OK && !walk_stops(&wk, stopped)) {
		more = 0;
		bound = wk.desc ? wk.lo : wk.hi;
		nc = 0;
		round = 0; /* read this round: wk.scanned is where it started */
		for (i = 0; i < narms && rc == STORE_OK; i++) {
			win = walk_window(&wk, i, narms);
			rc = db_step_array(db_bound(st, SQL_SEARCH_WORD[wk.desc],
						    SQ_TEXT(k->arms[i]), a[15], a[16], a[17], a[18],
						    SQ_INT(wk.lo), SQ_INT(wk.hi),
						    SQ_INT((long long)win)),
					   sizeof(*w), cand_fill, (void **)&w, &nw, "search word");
			if (rc != STORE_OK)
				break;
			round += nw;
			if (nw == win) { /* it has more */
				more = 1;
				id = w[nw - 1].id;
				bound = wk.desc ? (id > bound ? id : bound)
						: (id < bound ? id : bound);
			}
			if (nw > 0 && (grown = realloc(c, (nc + nw) * sizeof(*c))) == NULL)
				rc = STORE_ERROR;
			else if (nw > 0)
				c = grown;
			for (j = 0; j < nw && rc == STORE_OK; j++)
				if (w[j].hit)
					c[nc++] = w[j].id;
			free(w);
		}
		wk.scanned += round;
		if (rc != STORE_OK)
			break;
		if (nc > 0) /* c is NULL while nothing was read */
			qsort(c, nc, sizeof(*c), id_asc);
		for (i = 0; i < nc && got < wk.limit && rc == STORE_OK; i++) {
			id = c[wk.desc ? nc - 1 - i : i];
			if ((wk.desc && id < bound) || (!wk.desc && id > bound) ||
			    (i > 0 && id == c[wk.desc ? nc - i : i - 1]))
				continue; /* past a word that has more; or twice */
			p[9] = SQ_INT(id);
			p[10] = SQ_END_;
			s = db_bind_args(st, SQL_ORDER_PASSES[which], p);
			if ((rc = db_step_row(s, "search order passes")) == STORE_OK) {
				db_reset(s);
				rc = part_append(ids, n, id);
				got++;
			} else if (rc == STORE_NOTFOUND)
				rc = STORE_OK;
		}
		walk_next(&wk, bound);
		free(c);
		c = NULL;
	}
	free(c);
	return rc;
}

static int cand_asc(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* At most this many orders are read through the pairs of a search's
 * first two words (search_pair_ids). */
#define PAIR_CAP 200

/* STORE_OK when order x (read through the pairs) passes f (p: its
 * $1..$9) and has the third word typed, if any, and both words when it
 * was read by a word's "any"; STORE_NOTFOUND when not. */
static int pair_check(struct store *st, const struct sq_arg a[40], const struct search_keys *k,
		      int which, const struct cand *x, struct sq_arg p[11])
{
	struct db_stmt *s;
	int rc;

	if (!x->hit || k->words[2][0]) {
		s = db_bound(st, SQL_ORDER_HAS_WORDS, SQ_INT(x->id), a[13], a[14], a[15], a[16],
			     a[17], a[18]);
		if ((rc = db_step_row(s, "search order words")) != STORE_OK)
			return rc;
		db_reset(s);
	}
	p[9] = SQ_INT(x->id);
	p[10] = SQ_END_;
	s = db_bind_args(st, SQL_ORDER_PASSES[which], p);
	if ((rc = db_step_row(s, "search order passes")) == STORE_OK)
		db_reset(s);
	return rc;
}

/* The orders that have the two longest words typed, read through the
 * pairs of the longest word's range's words (k->arms) with a word of
 * the second word's range (migration 027), each once, ascending, into
 * *c (nc of them; hit 0: read by a word's "any", its words still to
 * check): however many orders have either word.  *c NULL, nothing
 * read past the pairs, when there is no second word, when an arm is in
 * the second word's range (one word of an order may be both), or when
 * the pairs name more than PAIR_CAP orders. */
static int pair_cands(struct store *st, const struct search_keys *k, struct cand **c, size_t *nc)
{
	char lo[PAIR_KEY_SIZE], hi[PAIR_KEY_SIZE], any[PAIR_KEY_SIZE];
	struct cand *more, *grown;
	size_t ng, i, j;
	int rc = STORE_OK;

	*c = NULL;
	*nc = 0;
	if (k->words[1][0] == '\0')
		return STORE_OK;
	for (i = 0; i < SEARCH_ARMS && k->arms[i][0]; i++)
		if (strcmp(k->arms[i], k->words[1]) >= 0 && strcmp(k->arms[i], k->ends[1]) < 0)
			return STORE_OK;
	for (i = 0; i < SEARCH_ARMS && k->arms[i][0] && *nc <= PAIR_CAP && rc == STORE_OK; i++) {
		snprintf(lo, sizeof(lo), PAIR_KEY("%s", "%s"), k->arms[i], k->words[1]);
		snprintf(hi, sizeof(hi), PAIR_KEY("%s", "%s"), k->arms[i], k->ends[1]);
		snprintf(any, sizeof(any), PAIR_KEY("%s", PAIR_ANY), k->arms[i]);
		rc = db_step_array(db_bound(st, SQL_PAIR_ORDERS, SQ_TEXT(lo), SQ_TEXT(hi),
					    SQ_TEXT(any), SQ_INT((long long)(PAIR_CAP + 1 - *nc))),
				   sizeof(*more), cand_fill, (void **)&more, &ng, "search pairs");
		if (rc != STORE_OK)
			break;
		/* one more than *nc, so that an empty list is not NULL */
		if ((grown = realloc(*c, (*nc + ng + 1) * sizeof(**c))) == NULL)
			rc = STORE_ERROR;
		else {
			*c = grown;
			if (ng > 0)
				memcpy(*c + *nc, more, ng * sizeof(**c));
			*nc += ng;
		}
		free(more);
	}
	if (rc != STORE_OK || *nc > PAIR_CAP || *c == NULL) { /* NULL: no arm */
		free(*c);
		*c = NULL;
		*nc = 0;
		return rc;
	}
	qsort(*c, *nc, sizeof(**c), cand_asc);
	for (i = j = 0; i < *nc; i++) /* each once: with both words if any row said so */
		if (j > 0 && (*c)[j - 1].id == (*c)[i].id)
			(*c)[j - 1].hit |= (*c)[i].hit;
		else
			(*c)[j++] = (*c)[i];
	*nc = j;
	return STORE_OK;
}

/* The orders that pass f and have a word in each range typed, a page's
 * worth nearest f's key, appended to *ids (n of them), from the orders
 * the pairs of the first two words name (pair_cands): *done 1 then,
 * else 0 and nothing appended.  With pass, every one of them is
 * checked, those that pass into *pass (npass; the caller frees it),
 * the page from those: so that the search is counted from them. */
static int search_pair_ids(struct store *st, const struct order_filter *f,
			   const struct sq_arg a[40], const struct search_keys *k, int which,
			   long long **ids, size_t *n, int *done, long long **pass, size_t *npass)
{
	size_t nc, i, got = 0, limit = f->limit > 0 ? (size_t)f->limit : (size_t)-1;
	int rc, desc = f->before > 0;
	struct cand *c;
	long long id;
	struct sq_arg p[11];

	*done = 0;
	if ((rc = pair_cands(st, k, &c, &nc)) != STORE_OK || c == NULL)
		return rc;
	*done = 1;
	memcpy(p, a, 9 * sizeof(*a)); /* the filter, $1..$9 */
	if (pass != NULL) {           /* every one checked: those that pass, the page's */
		for (i = 0, rc = STORE_OK; i < nc && rc == STORE_OK; i++)
			if ((rc = pair_check(st, a, k, which, &c[i], p)) == STORE_OK)
				rc = part_append(pass, npass, c[i].id);
			else if (rc == STORE_NOTFOUND)
				rc = STORE_OK;
		for (i = nc = 0; rc == STORE_OK && i < *npass; i++)
			c[nc++].id = (*pass)[i];
	}
	for (i = 0; i < nc && got < limit && rc == STORE_OK; i++) {
		id = c[desc ? nc - 1 - i : i].id;
		if ((desc && id >= f->before) || (!desc && f->after > 0 && id <= f->after))
			continue;
		rc = pass != NULL ? STORE_OK
				  : pair_check(st, a, k, which, &c[desc ? nc - 1 - i : i], p);
		if (rc == STORE_OK) {
			rc = part_append(ids, n, id);
			got++;
		} else if (rc == STORE_NOTFOUND)
			rc = STORE_OK;
	}
	free(c);
	return rc;
}

/* The orders that pass f and have a word in each range typed (a[13..18])
 * when the longest word's range has more than SEARCH_ARMS different words
 * (a short prefix, found in many orders): the queue's orders read in id
 * order, a window at a time (twice as long each round, up to 8 pages'
 * worth), each checked for the words, until a page's worth have them;
 * appended to *ids (n of them).  Stops as search_word_ids does once
 * SEARCH_SCAN_CAP were read (*stopped 1): words no order has would read
 * every order of the queue. */
static int search_walk_ids(struct store *st, const struct order_filter *f,
			   const struct sq_arg a[40], int which, long long **ids, size_t *n,
			   int *stopped)
{
	int rc = STORE_OK;
	long long *c = NULL;
	size_t got = 0, nc = 0, i, win;
	struct walk wk;
	struct sq_arg q[13];
	struct db_stmt *s;

	walk_start(&wk, f);
	memcpy(q, a, 9 * sizeof(*a)); /* the filter, $1..$9 */
	while (got < wk.limit && rc == STORE_OK && !walk_stops(&wk, stopped)) {
		q[9] = SQ_INT(wk.lo);
		q[10] = SQ_INT(wk.hi);
		win = walk_window(&wk, 0, 1);
		q[11] = SQ_INT((long long)win);
		q[12] = SQ_END_;
		if ((rc = db_step_ids(db_bind_args(st, SQL_QUEUE[which][wk.desc], q), &c, &nc,
				      "search walk")) != STORE_OK)
			break;
		wk.scanned += nc;
		for (i = 0; i < nc && got < wk.limit && rc == STORE_OK; i++) {
			s = db_bound(st, SQL_ORDER_HAS_WORDS, SQ_INT(c[i]), a[13], a[14], a[15],
				     a[16], a[17], a[18]);
			if ((rc = db_step_row(s, "search order words")) == STORE_OK) {
				db_reset(s);
				rc = part_append(ids, n, c[i]);
				got++;
			} else if (rc == STORE_NOTFOUND)
				rc = STORE_OK;
		}
		if (nc < win) /* the queue's last */
			break;
		walk_next(&wk, c[nc - 1]);
		free(c);
		c = NULL;
	}
	free(c);
	return rc;
}

/* The search's parts of f's page (the filter's $1..$9 in a[], the
 * text's keys in k), merged into *ids, ascending, a page at most. */
static int search_ids(struct store *st, const struct order_filter *f, struct sq_arg a[40],
		      struct search_keys *k, int which, long long **ids, size_t *n, int *stopped,
		      long long *counted)
{
	int desc = f->before > 0, arms, rc, paired = 0;
	long long *pass = NULL;
	size_t npass = 0;
	struct sq_arg key[3] = {SQ_INT(f->after > 0 && !desc ? f->after : 0),
				SQ_INT(desc ? f->before : (long long)1 << 62),
				SQ_INT(f->limit > 0 ? f->limit : (long long)1 << 62)};
	size_t limit = f->limit > 0 ? (size_t)f->limit : (size_t)-1;
	struct sq_arg w[20];

	*ids = NULL;
	*n = 0;
	if ((arms = range_words(st, k)) < 0)
		return STORE_ERROR;
	memcpy(w, a, 9 * sizeof(*a)); /* the filter, $1..$9 */
	/* The exact identifiers: $10..$13 as filter_args put them. */
	memcpy(w + 9, a + 9, 4 * sizeof(*a));
	memcpy(w + 13, key, sizeof(key));
	w[16] = SQ_END_;
	rc = part_ids(st, SQL_SEARCH_EXACT[which][desc], w, ids, n);
	if (!arms && rc == STORE_OK)
		rc = search_walk_ids(st, f, a, which, ids, n, stopped);
	if (arms && rc == STORE_OK)
		rc = search_pair_ids(st, f, a, k, which, ids, n, &paired,
				     counted != NULL ? &pass : NULL, &npass);
	if (arms && !paired && rc == STORE_OK)
		rc = search_word_ids(st, f, a, k, which, ids, n, stopped);
	/* Counted from the pairs' orders that pass and the exact
	 * identifiers' (all of them, up to the cap): not by reading the
	 * longest word's orders until SEARCH_COUNT_CAP + 1 have the others. */
	if (paired && counted != NULL && rc == STORE_OK) {
		w[13] = SQ_INT(0);
		w[14] = SQ_INT((long long)1 << 62);
		w[15] = SQ_INT(SEARCH_COUNT_CAP + 1);
		if ((rc = part_ids(st, SQL_SEARCH_EXACT[which][0], w, &pass, &npass)) == STORE_OK)
			*counted = (long long)distinct(pass, npass);
	}
	free(pass);
	if (rc != STORE_OK)
		return rc;
	/* Merged: sorted, each once, the page's rows nearest the key. */
	*n = distinct(*ids, *n);
	if (*n > limit) {
		if (desc)
			memmove(*ids, *ids + (*n - limit), limit * sizeof(**ids));
		*n = limit;
	}
	return STORE_OK;
}

/* The ids of f's page into *ids (ascending; the caller frees). */
static int page_ids(struct store *st, const struct order_filter *f, struct sq_arg a[40], size_t c,
		    struct search_keys *k, int which, long long **ids, size_t *n, int *stopped,
		    long long *counted)
{
	int desc = f->before > 0;
	size_t i;
	long long t;
	int rc;

	if (c > 9)
		return search_ids(st, f, a, k, which, ids, n, stopped, counted);
	a[c++] = SQ_INT(f->after > 0 && !desc ? f->after : 0);
	a[c++] = SQ_INT(desc ? f->before : (long long)1 << 62);
	a[c++] = SQ_INT(f->limit > 0 ? f->limit : (long long)1 << 62);
	a[c] = SQ_END_;
	rc = db_step_ids(db_bind_args(st, SQL_QUEUE[which][desc], a), ids, n, "office orders");
	if (rc != STORE_OK)
		return rc;
	for (i = 0; desc && i < *n / 2; i++) { /* read backwards: turned */
		t = (*ids)[i];
		(*ids)[i] = (*ids)[*n - 1 - i];
		(*ids)[*n - 1 - i] = t;
	}
	return STORE_OK;
}

int store_office_orders(struct store *st, const struct order_filter *f, long long *total,
			int (*fn)(void *arg, const struct order *o), void *arg)
{
	struct sq_arg a[40];
	struct search_keys k;
	size_t c = filter_args(a, f, &k), n, i, j, got;
	int which = (f->office && *f->office ? 2 : 0) + (f->nstates > 0 ? 1 : 0), stop = 0;
	int stopped = 0;
	long long *ids, cap, counted = -1;
	struct order *o;
	int rc;

	/* Ids first, then each order: fn may use the store itself. */
	if ((rc = page_ids(st, f, a, c, &k, which, &ids, &n, &stopped,
			   total != NULL ? &counted : NULL)) != STORE_OK)
		return rc;
	/* A first page that is not full is every order there is: counted
	 * without reading them again (a search that finds few); so is a
	 * search through the pairs of its words. */
	if (total != NULL && stopped)
		*total = SEARCH_STOPPED;
	else if (total != NULL && counted >= 0)
		*total = counted > SEARCH_COUNT_CAP ? SEARCH_COUNT_CAP + 1 : counted;
	else if (total != NULL && f->after <= 0 && f->before <= 0 && f->limit > 0 &&
		 n < (size_t)f->limit)
		*total = (long long)n;
	else if (total != NULL) {
		cap = c == 9 ? ORDER_COUNT_CAP : SEARCH_COUNT_CAP;
		a[c] = SQ_INT(cap + 1);
		a[c + 1] = SQ_END_;
		rc = db_step_int64(
			db_bind_args(st, c == 9 ? SQL_QUEUE_COUNT[which] : SQL_SEARCH_COUNT[which],
				     a),
			total, "office order count");
		if (rc == STORE_NOTFOUND)
			rc = STORE_ERROR;
		if (*total > cap) /* the search's two parts, each capped */
			*total = cap + 1;
	}
	/* The page's orders, ORDERS_PER_READ to a statement (one for a
	 * page of 20), read whole before fn sees any. */
	for (i = 0; i < n && rc == STORE_OK && !stop; i += ORDERS_PER_READ) {
		rc = store_orders_read(st, ids + i,
				       n - i < ORDERS_PER_READ ? n - i : ORDERS_PER_READ, &o, &got);
		for (j = 0; j < got && rc == STORE_OK && !stop; j++)
			stop = fn(arg, &o[j]) != 0;
		free(o);
	}
	free(ids);
	return rc;
}

int store_office_state_counts(struct store *st, const char *office,
			      int (*fn)(void *arg, const char *state, long long count), void *arg)
{
	struct db_stmt *s = db_bound(st, SQL_STATE_COUNTS, SQ_TEXT(office ? office : ""),
				     SQ_TEXT(wf_state_name(WF_DRAFT)));
	char state[32];
	int rc;

	if (s == NULL)
		return STORE_ERROR;
	while ((rc = db_step(s)) == DB_ROW) {
		db_col_copy(s, 0, state, sizeof(state));
		if (fn(arg, state, db_col_int64(s, 1)) != 0)
			break;
	}
	return db_rows_end(s, rc, "office state counts");
}

/* ---- CA submissions ------------------------------------------------------------ */

int store_ca_request_put(struct store *st, const struct ca_request *cr)
{
	return db_run(st, SQL_CA_PUT, "ca request put", SQ_INT(cr->order_id),
		      SQ_TEXT(cr->connector), SQ_TEXT(cr->reference), SQ_INT(cr->submitted_at));
}

int store_ca_request_get(struct store *st, long long order_id, struct ca_request *out)
{
	return ca_request_one(db_bound(st, SQL_CA_GET, SQ_INT(order_id)), out, "ca request get");
}

/* ---- TEST CA ------------------------------------------------------------------- */

int store_testca_request_get(struct store *st, long long order_id, struct testca_request *out)
{
	return treq_one(db_bound(st, SQL_TREQ_GET, SQ_INT(order_id)), out, "testca request get");
}

int store_testca_request_add(struct store *st, struct testca_request *r)
{
	int rc = store_testca_request_get(st, r->order_id, r);

	if (rc != STORE_NOTFOUND)
		return rc;
	/* One request per order, so the order number makes the reference. */
	snprintf(r->reference, sizeof(r->reference), "TESTCA-R%06lld", r->order_id);
	rc = db_insert(st, SQL_TREQ_INSERT, "testca request add", &r->id, SQ_INT(r->order_id),
		       SQ_TEXT(r->reference), SQ_TEXT(r->office), SQ_TEXT(r->subject),
		       SQ_INT(r->submitted_at));
	if (rc == STORE_CONFLICT) /* a concurrent first submission won */
		return store_testca_request_get(st, r->order_id, r);
	return rc;
}

int store_testca_pending(struct store *st, long long order_id,
			 int (*fn)(void *arg, const struct testca_request *r), void *arg)
{
	return treq_each(db_bound(st, SQL_TREQ_PENDING, SQ_INT(order_id)), fn, arg,
			 "testca pending");
}

int store_testca_issue(struct store *st, long long id, const char *serial, long long shipment_id,
		       time_t now)
{
	return db_changed(st, SQL_TREQ_ISSUE, "testca issue", SQ_INT(id), SQ_INT(now),
			  SQ_TEXT(serial), SQ_INT(shipment_id));
}

int store_testca_revoke(struct store *st, long long order_id, const char *reason, time_t now)
{
	return db_changed(st, SQL_TREQ_REVOKE, "testca revoke", SQ_INT(order_id), SQ_INT(now),
			  SQ_TEXT(reason));
}

int store_testca_shipment_add(struct store *st, struct testca_shipment *sh)
{
	char tmp[64];
	int rc;

	/* The reference names the id, known only after the insert. */
	snprintf(tmp, sizeof(tmp), "new-%s-%lld", sh->office, (long long)sh->created_at);
	if ((rc = db_insert(st, SQL_TSHIP_INSERT, "testca shipment add", &sh->id, SQ_TEXT(tmp),
			    SQ_TEXT(sh->office), SQ_INT(sh->created_at))) != STORE_OK)
		return rc;
	snprintf(sh->reference, sizeof(sh->reference), "TESTCA-S%06lld", sh->id);
	return db_changed(st, SQL_TSHIP_SET_REF, "testca shipment reference", SQ_INT(sh->id),
			  SQ_TEXT(sh->reference));
}

int store_testca_shipment_get(struct store *st, const char *reference, struct testca_shipment *out)
{
	return tship_one(db_bound(st, SQL_TSHIP_GET, SQ_TEXT(reference)), out,
			 "testca shipment get");
}

int store_testca_shipments_open(struct store *st, const char *office,
				int (*fn)(void *arg, const struct testca_shipment *s), void *arg)
{
	return tship_each(db_bound(st, SQL_TSHIP_OPEN, SQ_TEXT(office ? office : "")), fn, arg,
			  "testca shipments");
}

int store_testca_shipment_items(struct store *st, long long shipment_id,
				int (*fn)(void *arg, const struct testca_request *r), void *arg)
{
	return treq_each(db_bound(st, SQL_TREQ_ITEMS, SQ_INT(shipment_id)), fn, arg,
			 "testca shipment items");
}

int store_testca_shipment_received(struct store *st, long long id, const char *by, time_t now)
{
	return db_changed(st, SQL_TSHIP_RECEIVED, "testca shipment received", SQ_INT(id),
			  SQ_INT(now), SQ_TEXT(by));
}

int store_testca_setting_get(struct store *st, const char *name, char *out, size_t size)
{
	struct db_stmt *s = db_bound(st, SQL_TSET_GET, SQ_TEXT(name));
	int rc;

	if (size > 0)
		out[0] = '\0';
	if ((rc = db_step_row(s, "testca setting get")) != STORE_OK)
		return rc;
	db_col_copy(s, 0, out, size);
	db_reset(s);
	return STORE_OK;
}

int store_testca_setting_set(struct store *st, const char *name, const char *value)
{
	if (value)
		return db_run(st, SQL_TSET_PUT, "testca setting set", SQ_TEXT(name),
			      SQ_TEXT(value));
	return db_run(st, SQL_TSET_DEL, "testca setting set", SQ_TEXT(name));
}
