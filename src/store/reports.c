/*
 * The back office's reports (store_reports.h).
 */
#include <string.h>

#include "store/store_int.h"
#include "store/store_reports.h"

/* The handover time is the first handed-over event ($4; a workflow
 * transition records exactly one; MIN makes a repaired history safe;
 * none: NULL, read as 0). */
#define REPORT_COLS(X, _)                                                                          \
	X("o.order_id", INT64, id) _ X("o.office", TEXT, office)                                   \
	_ X("o.state", TEXT, state)                                                                \
	_ X("o.confirmed_at", TIME, confirmed_at)                                                  \
	_ X("(SELECT MIN(e.at) FROM order_events e WHERE e.order_id = o.order_id AND e.state = "   \
	    "$4)",                                                                                 \
	    TIME, handed_over_at)

DB_READER(report_order, struct report_order, REPORT_COLS)

static const char SQL_REPORT_ORDERS[] =
	"SELECT " DB_NAMES(REPORT_COLS) " FROM order_state o WHERE o.confirmed_at > 0 AND ($1 = "
					"'' OR o.office = $1) AND ($2 = 0 OR o.confirmed_at >= $2) "
					"AND ($3 = 0 OR o.confirmed_at < $3) ORDER BY o.order_id";

int store_report_orders_each(struct store *st, const struct report_filter *f,
			     int (*fn)(void *arg, const struct report_order *o), void *arg)
{
	return report_order_each(db_bound(st, SQL_REPORT_ORDERS,
					  SQ_TEXT(f->office ? f->office : ""), SQ_INT(f->from),
					  SQ_INT(f->until), SQ_TEXT(wf_state_name(WF_HANDED_OVER))),
				 fn, arg, "report orders");
}
