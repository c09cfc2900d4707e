/*
 * The words a back-office search finds an order by (migration 018,
 * issue 17 point 6): the order's names folded (domain/fold.h) and cut
 * into words, in order_words, so that a search reads a prefix range of
 * an index instead of every order.  Written here and only here: on an
 * order's creation and rewrite (orders.c), its blanking (retention.c)
 * and for the orders there before migration 018 (migrate.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/fold.h"
#include "store/store_int.h"

static const char SQL_WORDS_DELETE[] = "DELETE FROM order_words WHERE order_id = $1";
static const char SQL_WORD_ADD[] = "INSERT INTO order_words (word, order_id, person) VALUES ($1, "
				   "$2, $3) ON CONFLICT DO NOTHING";
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

/* Adds text's words to order id's, person 1 or 0. */
static int words_add(struct store *st, long long id, const char *text, int person)
{
	char words[32][SEARCH_WORD_SIZE];
	size_t n = search_words(text, words, 32), i;
	int rc = STORE_OK;

	for (i = 0; i < n && rc == STORE_OK; i++)
		rc = db_run(st, SQL_WORD_ADD, "order word add", SQ_TEXT(words[i]), SQ_INT(id),
			    SQ_INT(person));
	return rc;
}

int order_words_put(struct store *st, long long id, const char *first, const char *last,
		    const char *company, int fresh)
{
	int rc = fresh ? STORE_OK : db_run(st, SQL_WORDS_DELETE, "order words delete", SQ_INT(id));

	if (rc == STORE_OK)
		rc = words_add(st, id, first, 1);
	if (rc == STORE_OK)
		rc = words_add(st, id, last, 1);
	if (rc == STORE_OK)
		rc = words_add(st, id, company, 0);
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
