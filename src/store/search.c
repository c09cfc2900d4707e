/*
 * The back office's search (store_office_orders, office.c): the orders
 * an exact identifier names and those whose names have the words typed
 * (order_words: words.c, migrations 018 and 027).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/office_int.h"

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
static const char *const SQL_SEARCH_EXACT[4][2] = BY_CASE(EXACT_ANY, EXACT_STATES);
static const char *const SQL_SEARCH_WORD[2] = {SEARCH_WORD(""), SEARCH_WORD(" DESC")};
static const char *const SQL_ORDER_PASSES[4] = COUNT_CASES(ORDER_PASSES);
/* The different words in a prefix range, in order, up to SEARCH_ARMS +
 * 1 (one more says "too many"): each found by one seek, skipping the
 * orders of the one before. */
static const char SQL_RANGE_WORDS[] =
	"WITH RECURSIVE d (word, n) AS (SELECT (SELECT MIN(word) FROM order_words WHERE word >= "
	"$1 AND word < $2), 1 UNION ALL SELECT (SELECT MIN(word) FROM order_words WHERE word > "
	"d.word AND word < $2), n + 1 FROM d WHERE d.word IS NOT NULL AND n <= $3) SELECT word "
	"FROM d WHERE word IS NOT NULL";

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
		if ((rc = db_step_ids(db_bind_args(st, office_queue_sql[which][wk.desc], q), &c,
				      &nc, "search walk")) != STORE_OK)
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

/* The search's parts of f's page (office_int.h). */
int search_ids(struct store *st, const struct order_filter *f, struct sq_arg a[40],
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
