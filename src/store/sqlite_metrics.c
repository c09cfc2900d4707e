/*
 * SQLite backend: the figures of the portal's metrics (store_metrics.h).
 */
#include <string.h>

#include "store/sqlite_int.h"
#include "store/store_metrics.h"

static const char SQL_OUTBOX[] =
	"SELECT COUNT(*), COALESCE(MIN(created_at), 0) FROM outbox WHERE sent_at IS NULL";
static const char SQL_CA[] =
	"SELECT COUNT(*), COALESCE(MIN(created_at), 0) FROM ca_outbox WHERE done_at = 0";
static const char SQL_STATES[] = "SELECT state, COUNT(*) FROM orders GROUP BY state";
static const char SQL_PAGES[] = "SELECT page_count * page_size FROM pragma_page_count(), "
				"pragma_page_size()";

/* The one row of s: its two integers. */
static int two(sqlite3_stmt *s, long long *a, long long *b, const char *what)
{
	int rc = sq_step_row(s, what);

	if (rc == STORE_OK) {
		*a = sqlite3_column_int64(s, 0);
		*b = sqlite3_column_int64(s, 1);
		sq_done(s);
	}
	return rc == STORE_NOTFOUND ? STORE_ERROR : rc;
}

int store_metrics_read(struct store *st, struct store_metrics *m)
{
	long long oldest;
	sqlite3_stmt *s;
	int rc;

	memset(m, 0, sizeof(*m));
	if (two(sq_stmt(st, SQL_OUTBOX), &m->outbox_queued, &oldest, "metrics outbox") != STORE_OK)
		return STORE_ERROR;
	m->outbox_oldest = (time_t)oldest;
	if (two(sq_stmt(st, SQL_CA), &m->ca_queued, &oldest, "metrics ca queue") != STORE_OK)
		return STORE_ERROR;
	m->ca_oldest = (time_t)oldest;
	if ((s = sq_stmt(st, SQL_STATES)) == NULL)
		return STORE_ERROR;
	while ((rc = sq_step(s)) == SQLITE_ROW) {
		enum wf_state state = sq_col_state(s, 0);

		if (state < WF_STATE__MAX)
			m->orders[state] = sqlite3_column_int64(s, 1);
	}
	if (sq_rows_end(s, rc, "metrics orders") != STORE_OK)
		return STORE_ERROR;
	return sq_step_int64(sq_stmt(st, SQL_PAGES), &m->db_bytes, "metrics size");
}

int store_write_check(struct store *st)
{
	if (store_begin(st) != STORE_OK)
		return STORE_ERROR;
	store_rollback(st);
	return STORE_OK;
}
