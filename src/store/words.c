/*
 * The words a back-office search finds an order by (migration 018,
 * issue 17 point 6): the order's names folded (domain/fold.h) and cut
 * into words, in order_words, so that a search reads a prefix range of
 * an index instead of every order; and their pairs (migration 027).
 * Written here and only here: on an order's creation and rewrite
 * (orders.c), its blanking (retention.c) and for the orders there
 * before migrations 018 and 027 (migrate.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/fold.h"
#include "store/store_int.h"

static const char SQL_WORDS_DELETE[] = "DELETE FROM order_words WHERE order_id = $1";
/* Up to WORDS_PER_INSERT words in one statement, one text for each
 * count (the store prepares and caches a statement by its text's
 * address): the order as $1, each word and its person after it. */
#define WORDS_PER_INSERT 8
#define WORDS_HEAD "INSERT INTO order_words (word, order_id, person) VALUES "
#define WORDS_TAIL " ON CONFLICT DO NOTHING"
#define WORDS_1 "($2, $1, $3)"
#define WORDS_2 WORDS_1 ", ($4, $1, $5)"
#define WORDS_3 WORDS_2 ", ($6, $1, $7)"
#define WORDS_4 WORDS_3 ", ($8, $1, $9)"
#define WORDS_5 WORDS_4 ", ($10, $1, $11)"
#define WORDS_6 WORDS_5 ", ($12, $1, $13)"
#define WORDS_7 WORDS_6 ", ($14, $1, $15)"
#define WORDS_8 WORDS_7 ", ($16, $1, $17)"
static const char *const SQL_WORDS_ADD[WORDS_PER_INSERT] = {
	(WORDS_HEAD WORDS_1 WORDS_TAIL), (WORDS_HEAD WORDS_2 WORDS_TAIL),
	(WORDS_HEAD WORDS_3 WORDS_TAIL), (WORDS_HEAD WORDS_4 WORDS_TAIL),
	(WORDS_HEAD WORDS_5 WORDS_TAIL), (WORDS_HEAD WORDS_6 WORDS_TAIL),
	(WORDS_HEAD WORDS_7 WORDS_TAIL), (WORDS_HEAD WORDS_8 WORDS_TAIL),
};
static const char SQL_WORDS_PERSON_DELETE[] =
	"DELETE FROM order_words WHERE order_id = $1 AND person = 1";
static const char SQL_ORDERS_AFTER[] = "SELECT id FROM orders WHERE id > $1 ORDER BY id LIMIT 500";
static const char SQL_ORDER_NAMES[] =
	"SELECT first_name, last_name, company_name FROM orders WHERE id = $1";

size_t search_words(const char *text, char words[][SEARCH_WORD_SIZE], size_t max)
{
	char folded[1100];
	const unsigned char *p;
	size_t n = 0, len;

	text_fold(text, strlen(text), folded, sizeof(folded));
	for (p = (const unsigned char *)folded; *p && n < max;) {
		/* A word: letters, digits and any non-ASCII byte (a letter
		 * fold kept, UTF-8 as it was); the rest separates words. */
		for (len = 0;
		     (p[len] >= 0x80 || (p[len] >= '0' && p[len] <= '9') ||
		      (p[len] >= 'a' && p[len] <= 'z') || (p[len] >= 'A' && p[len] <= 'Z'));
		     len++)
			;
		if (len == 0) {
			p++;
			continue;
		}
		if (len >= SEARCH_WORD_SIZE) /* cut at a character's start */
			for (len = SEARCH_WORD_SIZE - 1; len > 0 && (p[len] & 0xc0) == 0x80; len--)
				;
		memcpy(words[n], p, len);
		words[n++][len] = '\0';
		while (p[0] >= 0x80 || (p[0] >= '0' && p[0] <= '9') ||
		       (p[0] >= 'a' && p[0] <= 'z') || (p[0] >= 'A' && p[0] <= 'Z'))
			p++;
	}
	return n;
}

/* An order's rows of order_words: its words, then their pairs
 * (store_int.h), each with its person (1 or 0: a pair is a person's
 * when either word is), in statements of up to WORDS_PER_INSERT rows:
 * one round trip for a natural person's order. */
#define WORDS_MAX 96
#define PAIRS_MAX (PAIR_WORDS * (PAIR_WORDS - 1) + WORDS_MAX)
struct words {
	char w[WORDS_MAX][SEARCH_WORD_SIZE];
	int person[WORDS_MAX];
	size_t n;
	char pair[PAIRS_MAX][PAIR_KEY_SIZE];
	int pair_person[PAIRS_MAX];
	size_t npairs;
};

static void words_cut(struct words *w, const char *text, int person)
{
	size_t n = search_words(text, w->w + w->n, 32), i;

	for (i = 0; i < n; i++)
		w->person[w->n + i] = person;
	w->n += n;
}

/* PAIR_KEY(a, b) as one more of w's pairs (a and b shorter than
 * SEARCH_WORD_SIZE: both fit). */
static void pair_add(struct words *w, const char *a, const char *b, int person)
{
	char *key = w->pair[w->npairs];
	size_t la = strlen(a), lb = strlen(b);

	key[0] = '~';
	memcpy(key + 1, a, la);
	key[1 + la] = ' ';
	memcpy(key + 2 + la, b, lb + 1);
	w->pair_person[w->npairs++] = person;
}

/* The pairs of w's first PAIR_WORDS different words; with more, each
 * word's "any".  A word that is both a person's and the company's is
 * two here, so that forgetting the person keeps the company's pairs. */
static void words_pair(struct words *w)
{
	size_t u[WORDS_MAX], nu = 0, i, j;

	for (i = 0; i < w->n; i++) {
		for (j = 0; j < nu; j++)
			if (w->person[u[j]] == w->person[i] && strcmp(w->w[u[j]], w->w[i]) == 0)
				break;
		if (j == nu)
			u[nu++] = i;
	}
	w->npairs = 0;
	for (i = 0; i < nu && i < PAIR_WORDS; i++)
		for (j = 0; j < nu && j < PAIR_WORDS; j++)
			if (strcmp(w->w[u[i]], w->w[u[j]]) != 0)
				pair_add(w, w->w[u[i]], w->w[u[j]],
					 w->person[u[i]] | w->person[u[j]]);
	for (i = 0; nu > PAIR_WORDS && i < nu; i++)
		pair_add(w, w->w[u[i]], PAIR_ANY, w->person[u[i]]);
}

static int words_insert(struct store *st, long long id, const struct words *w)
{
	struct sq_arg a[2 + 2 * WORDS_PER_INSERT];
	size_t at, k, c, r, rows = w->n + w->npairs;
	int rc = STORE_OK;

	for (at = 0; at < rows && rc == STORE_OK; at += k) {
		k = rows - at < WORDS_PER_INSERT ? rows - at : WORDS_PER_INSERT;
		a[0] = SQ_INT(id);
		for (c = 0; c < k; c++) {
			r = at + c;
			a[1 + 2 * c] = SQ_TEXT(r < w->n ? w->w[r] : w->pair[r - w->n]);
			a[2 + 2 * c] = SQ_INT(r < w->n ? w->person[r] : w->pair_person[r - w->n]);
		}
		a[1 + 2 * k] = SQ_END_;
		rc = db_step_done(db_bind_args(st, SQL_WORDS_ADD[k - 1], a), "order words add");
	}
	return rc;
}

int order_words_put(struct store *st, long long id, const char *first, const char *last,
		    const char *company, int fresh)
{
	struct words *w;
	int rc = fresh ? STORE_OK : db_run(st, SQL_WORDS_DELETE, "order words delete", SQ_INT(id));

	if (rc != STORE_OK)
		return rc;
	if ((w = malloc(sizeof(*w))) == NULL)
		return STORE_ERROR;
	w->n = 0;
	words_cut(w, first, 1);
	words_cut(w, last, 1);
	words_cut(w, company, 0);
	words_pair(w);
	rc = words_insert(st, id, w);
	free(w);
	return rc;
}

int order_words_forget_person(struct store *st, long long id)
{
	return db_run(st, SQL_WORDS_PERSON_DELETE, "order words forget", SQ_INT(id));
}

int order_words_fill(struct store *st)
{
	char first[128], last[128], company[1024];
	long long after = 0, *ids;
	size_t n, i;
	struct db_stmt *s;
	int rc;

	do {
		if ((rc = db_step_ids(db_bound(st, SQL_ORDERS_AFTER, SQ_INT(after)), &ids, &n,
				      "order words fill")) != STORE_OK)
			return rc;
		for (i = 0; i < n && rc == STORE_OK; i++) {
			s = db_bound(st, SQL_ORDER_NAMES, SQ_INT(ids[i]));
			if ((rc = db_step_row(s, "order names")) != STORE_OK)
				break;
			db_col_copy(s, 0, first, sizeof(first));
			db_col_copy(s, 1, last, sizeof(last));
			db_col_copy(s, 2, company, sizeof(company));
			db_reset(s);
			rc = order_words_put(st, ids[i], first, last, company, 0);
			after = ids[i];
		}
		free(ids);
	} while (rc == STORE_OK && n > 0);
	return rc;
}
