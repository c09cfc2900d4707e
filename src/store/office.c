/*
 * The back office's queues and their counts (store_office.h): a page of
 * orders by key, the search's part of it in search.c.  The record of
 * CA submissions is ca.c's, the in-process TEST CA's tables testca.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/ident.h"
#include "domain/payment.h"
#include "store/office_int.h"

/* ---- Office queues ------------------------------------------------------- */

/* Pages by key (issue 17, point 6): a page is the orders after one id
 * ($a, 0 for the first page), read in id order, or those before one
 * ($b), read backwards (D " DESC"), LIMIT $n; never OFFSET.  So that a
 * page reads a page's worth, each state's orders are read apart, in id
 * order from (office, state, id) or (state, id) (migration 019), a
 * page's worth each, and merged: an IN list of states would read every
 * order of those states and sort them.  Every state staff see reads
 * (office, id) or the primary key, skipping drafts.  X: more
 * conditions on the order (the search's words). */
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

const char *const office_queue_sql[4][2] = BY_CASE(QUEUE_ANY, QUEUE_STATES);
static const char *const SQL_QUEUE_COUNT[4] = COUNT_CASES(COUNT_QUEUE);
static const char *const SQL_SEARCH_COUNT[4] = COUNT_CASES(COUNT_SEARCH);
static const char SQL_STATE_COUNTS[] =
	"SELECT state, COUNT(*) FROM order_state WHERE state <> $2 AND ($1 = '' OR office = $1) "
	"GROUP BY state ORDER BY state";

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
	rc = db_step_ids(db_bind_args(st, office_queue_sql[which][desc], a), ids, n,
			 "office orders");
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
