/*
 * Reports for the back office: orders per office, per state and per
 * month of confirmation, and the median days from confirmation to
 * handover, per office and overall.  Shown as HTML tables with an SVG
 * bar chart (GET /ra/reports), the chart alone (GET
 * /ra/reports/chart.svg) and a CSV export (GET /ra/reports.csv, RFC
 * 4180).  Operators see their own office only; administrators and
 * auditors every office, with ?office= to pick one.  Both downloads
 * are audited as "report.export".
 *
 * What is counted: orders confirmed in the period (?from=YYYY-MM,
 * ?to=YYYY-MM, months of the server's local time), by their current
 * state.  Drafts never confirmed are not counted.  "Days to handover"
 * is the number of calendar days between the local dates of
 * confirmation and of the first 'handed_over' event; medians are exact
 * (kept as twice the median, so always a whole or half day).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain/catalog.h"
#include "store/store_reports.h"
#include "util/escape.h"
#include "web/app.h"
#include "web/handlers.h"
#include "web/reports.h"

#define REPORT_FILL_MONTHS 120 /* longest span whose empty months get zero bars */

/* One row of a report table: an office, a state or a month. */
struct rgroup {
	char key[ORDER_STATE_MAX]; /* office code, state name or "YYYY-MM" */
	long long orders;          /* confirmed in the period */
	long long *days;           /* one per handed-over order: days to handover */
	size_t ndays, cap;
};

struct rlist {
	struct rgroup *g;
	size_t n, cap;
};

struct report {
	struct rlist office, state, month;
	struct rgroup all;
};

/* The validated filter of one request. */
struct rfilter {
	char office[16]; /* "" every office */
	char from[8];    /* "YYYY-MM" or "" */
	char to[8];
	int from_ym, to_ym; /* year * 12 + month - 1, or -1 */
	struct report_filter sf;
};

/* ---- Pure helpers (declared in app.h for the unit tests) --------------- */

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

long long report_median2(long long *v, size_t n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_ll);
	return n % 2 ? 2 * v[n / 2] : v[n / 2 - 1] + v[n / 2];
}

void report_half_format(long long m2, char sep, char *out, size_t outlen)
{
	unsigned long long a = m2 < 0 ? 0ULL - (unsigned long long)m2 : (unsigned long long)m2;

	snprintf(out, outlen, "%s%llu%s", m2 < 0 ? "-" : "", a / 2,
		 a % 2 ? (sep == ',' ? ",5" : ".5") : "");
}

/* OWASP CSV injection: a cell a spreadsheet would read as a formula
 * gets a leading apostrophe; RFC 4180 2.6/2.7 quoting after that. */
void report_csv_cell(struct buf *out, const char *v)
{
	int quote = strpbrk(v, ",\"\r\n") != NULL;
	const char *p;

	if (quote)
		buf_putc(out, '"');
	if (*v && strchr("=+-@\t\r", *v) != NULL)
		buf_putc(out, '\'');
	for (p = v; *p; p++) {
		if (*p == '"')
			buf_putc(out, '"');
		buf_putc(out, *p);
	}
	if (quote)
		buf_putc(out, '"');
}

int report_month_parse(const char *s, int *ym)
{
	int y, m;

	if (s == NULL || strlen(s) != 7 || strspn(s, "0123456789") != 4 || s[4] != '-' ||
	    strspn(s + 5, "0123456789") != 2)
		return -1;
	y = atoi(s);
	m = atoi(s + 5);
	if (y < 1970 || m < 1 || m > 12)
		return -1;
	*ym = y * 12 + m - 1;
	return 0;
}

/* ---- Collecting -------------------------------------------------------- */

static struct rgroup *rlist_get(struct rlist *l, const char *key)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->g[i].key, key) == 0)
			return &l->g[i];
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		if ((l->g = realloc(l->g, l->cap * sizeof(*l->g))) == NULL)
			abort();
	}
	memset(&l->g[l->n], 0, sizeof(l->g[0]));
	snprintf(l->g[l->n].key, sizeof(l->g[0].key), "%s", key);
	return &l->g[l->n++];
}

static void rgroup_count(struct rgroup *g, int handed, long long days)
{
	g->orders++;
	if (!handed)
		return;
	if (g->ndays == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 16;
		if ((g->days = realloc(g->days, g->cap * sizeof(*g->days))) == NULL)
			abort();
	}
	g->days[g->ndays++] = days;
}

static void rlist_free(struct rlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->g[i].days);
	free(l->g);
	memset(l, 0, sizeof(*l));
}

static void report_free(struct report *rep)
{
	rlist_free(&rep->office);
	rlist_free(&rep->state);
	rlist_free(&rep->month);
	free(rep->all.days);
	memset(rep, 0, sizeof(*rep));
}

/* Days since 1970-01-01 of a civil date (H. Hinnant's days_from_civil). */
static long long civil_days(long long y, unsigned m, unsigned d)
{
	long long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

static long long local_day(time_t t)
{
	struct tm tm;

	localtime_r(&t, &tm);
	return civil_days((long long)tm.tm_year + 1900, (unsigned)tm.tm_mon + 1,
			  (unsigned)tm.tm_mday);
}

static int collect(void *arg, const struct report_order *o)
{
	struct report *rep = arg;
	int handed = o->handed_over_at != 0;
	long long days = handed ? local_day(o->handed_over_at) - local_day(o->confirmed_at) : 0;
	char month[24];
	struct tm tm;

	localtime_r(&o->confirmed_at, &tm);
	snprintf(month, sizeof(month), "%04d-%02d", tm.tm_year + 1900, tm.tm_mon + 1);
	rgroup_count(rlist_get(&rep->office, o->office), handed, days);
	rgroup_count(rlist_get(&rep->state, o->state), handed, days);
	rgroup_count(rlist_get(&rep->month, month), handed, days);
	rgroup_count(&rep->all, handed, days);
	return 0;
}

static int state_rank(const char *name)
{
	enum wf_state s;

	return wf_state_parse(name, &s) == 0 ? (int)s : WF_STATE__MAX;
}

/* States in workflow order, unknown names last. */
static int cmp_state(const void *a, const void *b)
{
	const struct rgroup *x = a, *y = b;
	int rx = state_rank(x->key), ry = state_rank(y->key);

	return rx != ry ? rx - ry : strcmp(x->key, y->key);
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(((const struct rgroup *)a)->key, ((const struct rgroup *)b)->key);
}

/* Months from the lower to the upper bound (the filter's, else the
 * data's) get a row even without orders, so the chart's time axis has
 * no holes; a span longer than REPORT_FILL_MONTHS keeps only months
 * with orders. */
static void fill_months(struct rlist *months, const struct rfilter *f)
{
	int lo = f->from_ym, hi = f->to_ym, ym;
	char key[24];
	size_t i;

	for (i = 0; i < months->n; i++) {
		if (report_month_parse(months->g[i].key, &ym) != 0)
			continue;
		if (f->from_ym < 0 && (lo < 0 || ym < lo))
			lo = ym;
		if (f->to_ym < 0 && (hi < 0 || ym > hi))
			hi = ym;
	}
	if (lo < 0 || hi < lo || hi - lo >= REPORT_FILL_MONTHS)
		return;
	for (ym = lo; ym <= hi; ym++) {
		snprintf(key, sizeof(key), "%04d-%02d", ym / 12, ym % 12 + 1);
		rlist_get(months, key);
	}
}

/* Builds the report for f into rep (caller frees with report_free).
 * Offices to show are seeded first so that they appear, in catalogue
 * order, even without orders.  Returns 0, or -1 on a storage error. */
static int report_build(struct req *r, const struct rfilter *f, struct report *rep)
{
	const struct catalog *cat = app_of(r)->catalog;
	size_t i, seeded;

	memset(rep, 0, sizeof(*rep));
	if (f->office[0])
		rlist_get(&rep->office, f->office);
	else
		for (i = 0; i < cat->noffices; i++)
			rlist_get(&rep->office, cat->offices[i].code);
	seeded = rep->office.n;
	if (store_report_orders_each(app_of(r)->store, &f->sf, collect, rep) != STORE_OK) {
		report_free(rep);
		return -1;
	}
	/* qsort with an empty (NULL) array is undefined behaviour. */
	if (rep->office.n > seeded)
		qsort(rep->office.g + seeded, rep->office.n - seeded, sizeof(struct rgroup),
		      cmp_key);
	if (rep->state.n > 0)
		qsort(rep->state.g, rep->state.n, sizeof(struct rgroup), cmp_state);
	fill_months(&rep->month, f);
	if (rep->month.n > 0)
		qsort(rep->month.g, rep->month.n, sizeof(struct rgroup), cmp_key);
	return 0;
}

/* ---- The filter --------------------------------------------------------- */

static time_t month_start(int ym)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = ym / 12 - 1900;
	tm.tm_mon = ym % 12;
	tm.tm_mday = 1;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

/* Reads ?office, ?from and ?to into f.  An operator's office is always
 * their own, whatever the query says (ASVS 15.3.3).  Returns NULL, or
 * the message key of what is wrong with the query. */
static const char *filter_read(struct req *r, struct rfilter *f)
{
	const struct ra_user *u = ra_user(r);
	const char *office = http_query(r, "office"), *from = http_query(r, "from"),
		   *to = http_query(r, "to");

	memset(f, 0, sizeof(*f));
	f->from_ym = f->to_ym = -1;
	if (!(u->role & (RA_ADMIN | RA_AUDITOR))) {
		if (u->office[0] == '\0')
			return "report.no_office"; /* never all offices by mistake */
		office = u->office;
	}
	if (office != NULL && *office) {
		if (strlen(office) >= sizeof(f->office) ||
		    catalog_office(app_of(r)->catalog, office) == NULL)
			return "report.bad_office";
		snprintf(f->office, sizeof(f->office), "%s", office);
	}
	if (from != NULL && *from) {
		if (report_month_parse(from, &f->from_ym) != 0)
			return "report.bad_month";
		memcpy(f->from, from, 8);
	}
	if (to != NULL && *to) {
		if (report_month_parse(to, &f->to_ym) != 0)
			return "report.bad_month";
		memcpy(f->to, to, 8);
	}
	if (f->from_ym >= 0 && f->to_ym >= 0 && f->from_ym > f->to_ym)
		return "report.bad_range";
	f->sf.office = f->office;
	f->sf.from = f->from_ym >= 0 ? month_start(f->from_ym) : 0;
	f->sf.until = f->to_ym >= 0 ? month_start(f->to_ym + 1) : 0;
	return NULL;
}

/* The filter as a query string ("" or "?office=..&from=..&to=..", only
 * the parts set) for links to the other formats. */
static void filter_query(const struct rfilter *f, struct buf *out)
{
	const char *names[] = {"office", "from", "to"}, *values[] = {f->office, f->from, f->to};
	size_t i;
	int n = 0;

	for (i = 0; i < 3; i++) {
		if (values[i][0] == '\0')
			continue;
		buf_printf(out, "%c%s=", n++ ? '&' : '?', names[i]);
		url_encode(out, values[i]);
	}
}

/* ---- Output ------------------------------------------------------------- */

static const char *office_label(struct req *r, const char *code)
{
	const struct office *o = catalog_office(app_of(r)->catalog, code);

	return o != NULL ? o->name[r->lang] : code;
}

static const char *state_label(struct req *r, const char *name)
{
	return state_rank(name) == WF_STATE__MAX ? name : msg(r, wf_props_of(name)->label);
}

/* The group's median days to handover, "" without any handover. */
static void median_text(struct rgroup *g, char sep, char *out, size_t outlen)
{
	if (g->ndays == 0)
		snprintf(out, outlen, "%s", "");
	else
		report_half_format(report_median2(g->days, g->ndays), sep, out, outlen);
}

/*
 * The orders-per-month bar chart as SVG: role="img" named by its title
 * and described by a desc that lists every value, a number above every
 * bar and the month under it.  Presentation attributes only (no style,
 * no script), so the page's Content-Security-Policy allows it inline.
 */
static void chart_svg(struct req *r, const struct report *rep, struct buf *out)
{
	enum { SLOT = 60, BAR = 40, LEFT = 12, TOP = 28, PLOT = 180, BOTTOM = 32 };
	const struct rlist *m = &rep->month;
	long long max = 0;
	size_t i;
	int width = LEFT * 2 + SLOT * (int)(m->n > 4 ? m->n : 4);

	for (i = 0; i < m->n; i++)
		if (m->g[i].orders > max)
			max = m->g[i].orders;
	buf_printf(out,
		   "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"%d\" "
		   "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
		   "aria-labelledby=\"report-chart-title\" aria-describedby=\"report-chart-desc\" "
		   "font-family=\"sans-serif\" font-size=\"12\">",
		   width, TOP + PLOT + BOTTOM, width, TOP + PLOT + BOTTOM);
	buf_puts(out, "<title id=\"report-chart-title\">");
	html_escape(out, msg(r, "report.chart_title"), strlen(msg(r, "report.chart_title")));
	buf_puts(out, "</title><desc id=\"report-chart-desc\">");
	if (m->n == 0)
		html_escape(out, msg(r, "report.none"), strlen(msg(r, "report.none")));
	for (i = 0; i < m->n; i++)
		buf_printf(out, "%s%s: %lld", i ? "; " : "", m->g[i].key, m->g[i].orders);
	buf_puts(out, "</desc>");
	buf_printf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>", LEFT,
		   TOP + PLOT, width - LEFT, TOP + PLOT);
	for (i = 0; i < m->n; i++) {
		long long h = max > 0 ? m->g[i].orders * PLOT / max : 0;
		int x = LEFT + SLOT * (int)i + (SLOT - BAR) / 2;

		buf_printf(out,
			   "<g class=\"bar\"><rect x=\"%d\" y=\"%lld\" width=\"%d\" "
			   "height=\"%lld\" fill=\"#2b5c8a\"/>",
			   x, TOP + PLOT - h, BAR, h);
		buf_printf(out,
			   "<text x=\"%d\" y=\"%lld\" text-anchor=\"middle\" "
			   "fill=\"#111\">%lld</text>",
			   x + BAR / 2, TOP + PLOT - h - 6, m->g[i].orders);
		buf_printf(out,
			   "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" "
			   "fill=\"#111\">%s</text></g>",
			   x + BAR / 2, TOP + PLOT + 20, m->g[i].key);
	}
	buf_puts(out, "</svg>");
}

/* Content-Disposition with an ASCII fallback name and the exact name
 * as an RFC 5987 ext-value (RFC 6266 4.3). */
static void disposition(struct req *r, const char *type, const char *name)
{
	struct buf b = BUF_INIT;
	const char *p;

	buf_printf(&b, "%s; filename=\"", type);
	for (p = name; *p; p++)
		buf_putc(&b, ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			      (*p >= '0' && *p <= '9') || strchr("-._", *p))
				     ? *p
				     : '_');
	buf_puts(&b, "\"; filename*=UTF-8''");
	url_encode(&b, name);
	http_header(r, "Content-Disposition", buf_cstr(&b));
	buf_free(&b);
}

/* "qcra-report[-OFFICE][-from-YYYY-MM][-to-YYYY-MM].ext" */
static void file_name(const struct rfilter *f, const char *ext, char *out, size_t outlen)
{
	snprintf(out, outlen, "qcra-report%s%s%s%s%s%s.%s", f->office[0] ? "-" : "", f->office,
		 f->from[0] ? "-from-" : "", f->from, f->to[0] ? "-to-" : "", f->to, ext);
}

/* Audits a download of the report; 0, or -1 when the audit record
 * could not be written (then nothing is sent). */
static int audit_export(struct req *r, const char *what, const struct rfilter *f,
			const struct report *rep)
{
	return app_audit(r, "report.export", what, "ok", "office %s from %s to %s orders %lld",
			 f->office[0] ? f->office : "*", f->from[0] ? f->from : "*",
			 f->to[0] ? f->to : "*", rep->all.orders) == STORE_OK
		       ? 0
		       : -1;
}

/* ---- The page ------------------------------------------------------------ */

enum rkind { RK_OFFICE, RK_STATE, RK_MONTH };

static const char *group_label(struct req *r, enum rkind kind, const char *key)
{
	if (kind == RK_OFFICE)
		return office_label(r, key);
	return kind == RK_STATE ? state_label(r, key) : key;
}

static void add_rows(struct req *r, struct tctx *c, const char *list, struct rlist *l,
		     enum rkind kind)
{
	char median[32];
	size_t i;

	tctx_set_list(c, list);
	for (i = 0; i < l->n; i++) {
		struct tctx *row = tctx_add(c, list);

		tctx_set(row, "key", l->g[i].key);
		tctx_set(row, "label", group_label(r, kind, l->g[i].key));
		tctx_setf(row, "orders", "%lld", l->g[i].orders);
		tctx_setf(row, "handed", "%zu", l->g[i].ndays);
		median_text(&l->g[i], r->lang != LANG_EN ? ',' : '.', median, sizeof(median));
		tctx_set(row, "median", median[0] ? median : "—");
	}
}

static void filter_ctx(struct req *r, struct tctx *c)
{
	const struct catalog *cat = app_of(r)->catalog;
	const char *office = http_query(r, "office"), *from = http_query(r, "from"),
		   *to = http_query(r, "to");
	size_t i;

	/* Echo what was typed, so a mistake can be corrected in place. */
	tctx_set(c, "f_from", from ? from : "");
	tctx_set(c, "f_to", to ? to : "");
	if (!(ra_user(r)->role & (RA_ADMIN | RA_AUDITOR))) {
		tctx_set(c, "own_office", office_label(r, ra_user(r)->office));
		return;
	}
	tctx_set_bool(c, "all_offices", 1);
	for (i = 0; i < cat->noffices; i++) {
		struct tctx *o = tctx_add(c, "office_options");

		tctx_set(o, "value", cat->offices[i].code);
		tctx_set(o, "label", cat->offices[i].name[r->lang]);
		if (office != NULL && strcmp(office, cat->offices[i].code) == 0)
			tctx_set_bool(o, "selected", 1);
	}
}

void web_ra_reports(struct req *r)
{
	struct tctx *c = page_ctx(r);
	const char *error;
	struct rfilter f;
	struct report rep;
	struct buf b = BUF_INIT;
	char median[32];

	error = filter_read(r, &f);
	filter_ctx(r, c);
	if (error != NULL) {
		tctx_set(c, "form_error", msg(r, error));
		page_render(r, 400, "ra_reports", "report.title", c);
		return;
	}
	if (report_build(r, &f, &rep) != 0) {
		page_error(r, 503, "error.storage");
		return;
	}
	tctx_set_bool(c, "has_report", 1);
	if (rep.all.orders > 0)
		tctx_set_bool(c, "has_orders", 1);
	add_rows(r, c, "offices", &rep.office, RK_OFFICE);
	add_rows(r, c, "states", &rep.state, RK_STATE);
	add_rows(r, c, "months", &rep.month, RK_MONTH);
	tctx_setf(c, "total_orders", "%lld", rep.all.orders);
	tctx_setf(c, "total_handed", "%zu", rep.all.ndays);
	median_text(&rep.all, r->lang != LANG_EN ? ',' : '.', median, sizeof(median));
	tctx_set(c, "total_median", median[0] ? median : "—");
	chart_svg(r, &rep, &b);
	tctx_set(c, "chart", buf_cstr(&b)); /* rendered raw: {{&chart}}, escaped above */
	buf_reset(&b);
	filter_query(&f, &b);
	tctx_set(c, "query", buf_cstr(&b));
	buf_free(&b);
	report_free(&rep);
	page_render(r, 200, "ra_reports", "report.title", c);
}

/* ---- Downloads ------------------------------------------------------------- */

/* The report a download `what` shows: the filter read, the report
 * built (freed by the caller with report_free) and the download
 * audited.  0, or -1 with an error page sent. */
static int export_load(struct req *r, const char *what, struct rfilter *f, struct report *rep)
{
	const char *error;

	if ((error = filter_read(r, f)) != NULL) {
		page_error(r, 400, error);
		return -1;
	}
	if (report_build(r, f, rep) != 0) {
		page_error(r, 503, "error.storage");
		return -1;
	}
	if (audit_export(r, what, f, rep) != 0) {
		report_free(rep);
		page_error(r, 503, "error.storage");
		return -1;
	}
	return 0;
}

static void csv_group(struct buf *out, const char *dimension, struct rgroup *g, const char *label)
{
	char n[32], median[32];

	report_csv_cell(out, dimension);
	buf_putc(out, ',');
	report_csv_cell(out, g->key);
	buf_putc(out, ',');
	report_csv_cell(out, label);
	snprintf(n, sizeof(n), ",%lld,%zu,", g->orders, g->ndays);
	buf_puts(out, n);
	median_text(g, '.', median, sizeof(median));
	report_csv_cell(out, median);
	buf_puts(out, "\r\n");
}

void web_ra_reports_csv(struct req *r)
{
	struct rfilter f;
	struct report rep;
	char name[96];
	size_t i;

	if (export_load(r, "reports.csv", &f, &rep) != 0)
		return;
	buf_reset(&r->out);
	buf_puts(&r->out, "dimension,key,label,orders,handed_over,median_days_to_handover\r\n");
	for (i = 0; i < rep.office.n; i++)
		csv_group(&r->out, "office", &rep.office.g[i],
			  group_label(r, RK_OFFICE, rep.office.g[i].key));
	for (i = 0; i < rep.state.n; i++)
		csv_group(&r->out, "state", &rep.state.g[i],
			  group_label(r, RK_STATE, rep.state.g[i].key));
	for (i = 0; i < rep.month.n; i++)
		csv_group(&r->out, "month", &rep.month.g[i], rep.month.g[i].key);
	csv_group(&r->out, "total", &rep.all, msg(r, "report.total"));
	report_free(&rep);
	file_name(&f, "csv", name, sizeof(name));
	disposition(r, "attachment", name);
	r->status = 200;
	r->content_type = "text/csv; charset=utf-8; header=present";
}

void web_ra_reports_chart(struct req *r)
{
	struct rfilter f;
	struct report rep;
	char name[96];

	if (export_load(r, "reports/chart.svg", &f, &rep) != 0)
		return;
	buf_reset(&r->out);
	buf_puts(&r->out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	chart_svg(r, &rep, &r->out);
	buf_putc(&r->out, '\n');
	report_free(&rep);
	file_name(&f, "svg", name, sizeof(name));
	disposition(r, "inline", name);
	r->status = 200;
	r->content_type = "image/svg+xml";
}
