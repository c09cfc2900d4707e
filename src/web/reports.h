/*
 * Report helpers (ra_reports.c), pure, for the unit tests.
 */
#ifndef QCRA_WEB_REPORTS_H
#define QCRA_WEB_REPORTS_H

#include <stddef.h>

struct buf;

/* report_median2: twice the median of v[0..n) (sorts v; 0 when n is 0),
 * exact in integers.  report_half_format: a twice-value as "2" or
 * "2.5" (decimal separator sep).  report_csv_cell: one RFC 4180 field,
 * a leading = + - @ TAB CR defused with "'" (CSV injection).
 * report_month_parse: "YYYY-MM" (1970 or later) to year * 12 + month - 1;
 * 0 or -1. */
long long report_median2(long long *v, size_t n);
void report_half_format(long long m2, char sep, char *out, size_t outlen);
void report_csv_cell(struct buf *out, const char *v);
int report_month_parse(const char *s, int *ym);

#endif
