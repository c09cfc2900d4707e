/*
 * SQLite backend: the back office's reports (store_reports.h).
 */
#include <string.h>

#include "store/sqlite_int.h"
#include "store/store_reports.h"

/* The handover time is the first 'handed_over' event (a workflow
 * transition records exactly one; MIN makes a repaired history safe). */
static const char SQL_REPORT_ORDERS[] =
	"SELECT o.id, o.office, o.state, o.confirmed_at, "
	"(SELECT MIN(e.at) FROM order_events e WHERE e.order_id = o.id AND "
	"e.state = 'handed_over') "
	"FROM orders o WHERE o.confirmed_at > 0 AND ($1 = '' OR o.office = $1) AND "
	"($2 = 0 OR o.confirmed_at >= $2) AND ($3 = 0 OR o.confirmed_at < $3) ORDER BY o.id";

int store_report_orders_each(struct store *st, const struct report_filter *f,
			     int (*fn)(void *arg, const struct report_order *o), void *arg)
{
	sqlite3_stmt *s = sq_stmt(st, SQL_REPORT_ORDERS);
	struct report_order o;
	int rc;

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_text(s, 1, f->office ? f->office : "");
	sq_bind_int64(s, 2, (sqlite3_int64)f->from);
	sq_bind_int64(s, 3, (sqlite3_int64)f->until);
	while ((rc = sq_step(s)) == SQLITE_ROW) {
		memset(&o, 0, sizeof(o));
		o.id = sqlite3_column_int64(s, 0);
		sq_col_text(s, 1, o.office, sizeof(o.office));
		sq_col_text(s, 2, o.state, sizeof(o.state));
		o.confirmed_at = (time_t)sqlite3_column_int64(s, 3);
		o.handed_over_at = (time_t)sqlite3_column_int64(s, 4); /* NULL reads as 0 */
		if (fn(arg, &o) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_fail(s, "report orders");
	sq_done(s);
	return STORE_OK;
}
