/*
 * What the office queue (office.c) and the search (search.c) share:
 * the filter's SQL, the identifiers' and words' conditions, and the
 * search's keys.  Internal to src/store/.
 */
#ifndef QCRA_STORE_OFFICE_INT_H
#define QCRA_STORE_OFFICE_INT_H

#include "store/store_int.h"
#include "store/store_office.h"

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

/* A page's keys: c after $a and before $b (office.c). */
#define KEYS(c, a, b) " AND " c " > $" a " AND " c " < $" b

/* The search (search.c; office.c counts it): its longest word's range
 * read word by word when it holds at most SEARCH_ARMS words; the
 * orders an exact identifier names ($10..$13, EXACT); whether order t
 * has a word in the range [$a, $b) (WORD_OF), and one in each of two
 * more unless '' (OTHER_WORDS). */
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

#define COUNT_CASES(X)                                                                             \
	{                                                                                          \
		X(O_ANY, F_ANY_STATE), X(O_ANY, F_STATES), X(O_ONE, F_ANY_STATE),                  \
			X(O_ONE, F_STATES)                                                         \
	}

/* The search's words and keys, alive while its statement runs. */
struct search_keys {
	char words[3][SEARCH_WORD_SIZE], ends[3][SEARCH_WORD_SIZE + 4];
	char license[32];
	char arms[SEARCH_ARMS][SEARCH_WORD_SIZE]; /* the longest word's range's words */
};

/* The queue's page statements: [office?2:0 + states?1:0][desc]. */
extern const char *const office_queue_sql[4][2];

/* The search's parts of f's page (the filter's $1..$9 in a[], the
 * text's keys in k), merged into *ids, ascending, a page at most
 * (search.c); *stopped 1 when it stopped after SEARCH_SCAN_CAP orders,
 * *counted (when not NULL) the orders it found when it could count
 * them from its pairs, else left. */
int search_ids(struct store *st, const struct order_filter *f, struct sq_arg a[40],
	       struct search_keys *k, int which, long long **ids, size_t *n, int *stopped,
	       long long *counted);

#endif
