/*
 * The figures of the portal's metrics (store_metrics.h).
 */
#include <string.h>

#include "store/store_int.h"
#include "store/store_metrics.h"

static const char SQL_OUTBOX[] =
	"SELECT COUNT(*), COALESCE(MIN(created_at), 0) FROM outbox WHERE sent_at IS NULL";
static const char SQL_CA[] =
	"SELECT COUNT(*), COALESCE(MIN(created_at), 0) FROM ca_outbox WHERE done_at = 0";
static const char SQL_PING[] = "SELECT 1";
static const char SQL_STATES[] = "SELECT state, COUNT(*) FROM order_state GROUP BY state";

/* The one row of s: its two integers. */
static int two(struct db_stmt *s, long long *a, long long *b, const char *what)
{
	int rc = db_step_row(s, what);

	if (rc == STORE_OK) {
		*a = db_col_int64(s, 0);
		*b = db_col_int64(s, 1);
		db_reset(s);
	}
	return rc == STORE_NOTFOUND ? STORE_ERROR : rc;
}

int store_metrics_read(struct store *st, struct store_metrics *m)
{
	long long oldest;
	struct db_stmt *s;
	int rc;

	memset(m, 0, sizeof(*m));
	if (two(db_stmt(st, SQL_OUTBOX), &m->outbox_queued, &oldest, "metrics outbox") != STORE_OK)
		return STORE_ERROR;
	m->outbox_oldest = (time_t)oldest;
	if (two(db_stmt(st, SQL_CA), &m->ca_queued, &oldest, "metrics ca queue") != STORE_OK)
		return STORE_ERROR;
	m->ca_oldest = (time_t)oldest;
	if ((s = db_stmt(st, SQL_STATES)) == NULL)
		return STORE_ERROR;
	while ((rc = db_step(s)) == DB_ROW) {
		enum wf_state state = db_col_state(s, 0);

		if (state < WF_STATE__MAX)
			m->orders[state] = db_col_int64(s, 1);
	}
	if (db_rows_end(s, rc, "metrics orders") != STORE_OK)
		return STORE_ERROR;
	/* The database's size: the driver's own query (SQLite's pages,
	 * PostgreSQL's pg_database_size). */
	return db_step_int64(db_stmt(st, st->drv->size_sql), &m->db_bytes, "metrics size");
}

int store_write_check(struct store *st)
{
	if (store_begin(st) != STORE_OK)
		return STORE_ERROR;
	store_rollback(st);
	return STORE_OK;
}

int store_ping(struct store *st)
{
	long long one = 0;

	if (db_step_int64(db_stmt(st, SQL_PING), &one, "ping") != STORE_OK || one != 1)
		return STORE_ERROR;
	return STORE_OK;
}
