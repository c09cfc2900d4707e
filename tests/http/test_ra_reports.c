/*
 * Back-office reports over real HTTP: counts per office, state and
 * month of confirmation, the median days from confirmation to handover
 * (odd and even sample sizes), the month and office filters, office
 * scoping for operators, the SVG chart, the CSV export (RFC 4180
 * quoting, formula injection, Content-Disposition) and the audit entry
 * of every export.
 *
 * Each test runs its own server (TZ=UTC, so months and calendar days
 * are known) and seeds the orders straight into VAR/qcra.db; staff are
 * created with `qcra operator add` and log in with password and TOTP.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cmocka.h>

#include "core/totp.h"
#include "harness.h"
#include "harness_sql.h"

#define PW "Izve\xc5\xa1taj-za-kancelariju-42" /* "Izveštaj-..." */
#define BODY(f) buf_cstr(&(f)->r.body)
#define CSV_HEADER "dimension,key,label,orders,handed_over,median_days_to_handover\r\n"

/* Catalogue office names in Serbian (the default language). */
#define BG_SR                                                                                      \
	"Sekretarijat In\xc5\xbe"                                                                  \
	"enjerske komore Srbije"
#define NS_SR "Regionalni centar Novi Sad"
#define NI_SR "Regionalni centar Ni\xc5\xa1"
#define TOTAL_SR "Ukupno"

enum staff { ADMIN, AUDITOR, OP_BG, OP_NS, NSTAFF };

static const struct {
	const char *user, *role, *office;
} staff[NSTAFF] = {
	[ADMIN] = {"rep-admin", "admin", NULL},
	[AUDITOR] = {"rep-auditor", "auditor", NULL},
	[OP_BG] = {"rep-bg", "operator", "BG"},
	[OP_NS] = {"rep-ns", "operator", "NS"},
};

struct fixture {
	struct server s;
	struct client c[NSTAFF]; /* each staff member's browser, logged in */
	struct client anon;
	struct response r;
	struct buf out;
};

/* ---- Seeding ------------------------------------------------------------------ */

static time_t utc(int y, int mo, int d, int h, int mi)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return timegm(&tm);
}

/* Runs sql on the server's database (harness_sql.h); 0 or -1. */
static int exec(struct fixture *f, const char *sql)
{
	char *r = server_sql(&f->s, sql, NULL);

	free(r);
	return r != NULL ? 0 : -1;
}

static void add_event(struct fixture *f, long long order, const char *state, time_t at)
{
	char o[32], t[32];
	const char *params[] = {o, t, state, NULL};

	snprintf(o, sizeof(o), "%lld", order);
	snprintf(t, sizeof(t), "%lld", (long long)at);
	free(server_sql_ok(&f->s,
			   "INSERT INTO order_events (order_id, at, state, actor, note) "
			   "VALUES ($1, $2, $3, 'test', '')",
			   params));
}

static const char SQL_ADD_ORDER[] =
	"INSERT INTO orders (account_id, type, first_name, last_name, jmbg, id_type, id_number, "
	"id_issuer, street, postal_code, city, email, phone, license_number, validity, "
	"card_reader, position, company_name, company_mb, company_pib, company_street, "
	"company_postal_code, company_city, company_email, total_para, created_at) "
	"VALUES (1, 1, 'Ana', 'Petrovi\xc4\x87', '0511985715143', 'id_card', '001234567', "
	"'PU Beograd', 'Knez Mihailova 1', '11000', 'Beograd', 'ana@example.rs', "
	"'+381601234567', '311234567', '1Y', 0, '', '', '', '', '', '', '', '', 360000, $1) "
	" RETURNING id";
/* Its state's row (migration 023). */
static const char SQL_ADD_STATE[] =
	"INSERT INTO order_state (order_id, office, state, updated_at, confirmed_at) VALUES ($1, "
	"$2, $3, $4, $5)";

/* An order of the seeded member at office in state, confirmed at
 * `confirmed` (0: a draft), handed over at `handed` (0: not). */
static void add_order(struct fixture *f, const char *office, const char *state, time_t confirmed,
		      time_t handed)
{
	char created[32], conf[32], ids[32], *row;
	const char *params[] = {created, NULL};
	const char *state_params[] = {ids, office, state, created, conf, NULL};
	long long id;

	snprintf(created, sizeof(created), "%lld",
		 (long long)(confirmed ? confirmed : utc(2025, 1, 1, 0, 0)));
	snprintf(conf, sizeof(conf), "%lld", (long long)confirmed);
	row = server_sql_ok(&f->s, SQL_ADD_ORDER, params);
	id = atoll(row);
	free(row);
	assert_true(id > 0);
	snprintf(ids, sizeof(ids), "%lld", id);
	free(server_sql_ok(&f->s, SQL_ADD_STATE, state_params));
	if (confirmed)
		add_event(f, id, "confirmed", confirmed);
	if (handed)
		add_event(f, id, "handed_over", handed);
}

/*
 * The standard data set (UTC):
 *   BG: Jan 10 -> Jan 13 (3 days); Jan 20 23:00 -> Jan 21 08:00 (1
 *       calendar day, 9 hours); Feb 5 -> Feb 15 (10); Mar 1 confirmed.
 *       4 orders, 3 handed over: median of {1, 3, 10} = 3.
 *   NS: Jan 15 -> Jan 17 (2); Mar 10 -> Mar 15 (5); Mar 12 rejected.
 *       3 orders, 2 handed over: median of {2, 5} = 3.5.
 *   NI: 2024-12-20 at the office.
 *   BG: a draft (never confirmed, never counted).
 * All: 8 orders; handed {1, 2, 3, 5, 10}: median 3.
 * Months: 2024-12: 1, 2025-01: 3, 2025-02: 1, 2025-03: 3.
 */
static void seed_standard(struct fixture *f)
{
	add_order(f, "BG", "handed_over", utc(2025, 1, 10, 10, 0), utc(2025, 1, 13, 9, 0));
	add_order(f, "BG", "handed_over", utc(2025, 1, 20, 23, 0), utc(2025, 1, 21, 8, 0));
	add_order(f, "BG", "handed_over", utc(2025, 2, 5, 10, 0), utc(2025, 2, 15, 12, 0));
	add_order(f, "BG", "confirmed", utc(2025, 3, 1, 10, 0), 0);
	add_order(f, "NS", "handed_over", utc(2025, 1, 15, 10, 0), utc(2025, 1, 17, 10, 0));
	add_order(f, "NS", "handed_over", utc(2025, 3, 10, 10, 0), utc(2025, 3, 15, 10, 0));
	add_order(f, "NS", "rejected", utc(2025, 3, 12, 10, 0), 0);
	add_order(f, "NI", "at_office", utc(2024, 12, 20, 10, 0), 0);
	add_order(f, "BG", "draft", 0, 0);
}

/* ---- Staff ------------------------------------------------------------------- */

/* Creates the account with the CLI; the TOTP secret from its URI into
 * secret. */
static void staff_add(struct fixture *f, enum staff who, char *secret, size_t size)
{
	char pwfile[PATH_MAX + 16];
	const char *argv[16], *p;
	FILE *fp;
	size_t n = 0, len;

	snprintf(pwfile, sizeof(pwfile), "%s/pw.txt", f->s.var);
	assert_non_null(fp = fopen(pwfile, "w"));
	fprintf(fp, "%s\n", PW);
	fclose(fp);
	argv[n++] = "operator";
	argv[n++] = "add";
	argv[n++] = "--username";
	argv[n++] = staff[who].user;
	argv[n++] = "--role";
	argv[n++] = staff[who].role;
	if (staff[who].office) {
		argv[n++] = "--office";
		argv[n++] = staff[who].office;
	}
	argv[n++] = "--password-file";
	argv[n++] = pwfile;
	argv[n++] = "--var";
	argv[n++] = f->s.var;
	argv[n] = NULL;
	buf_reset(&f->out);
	assert_int_equal(server_run_cli(&f->s, argv, &f->out), 0);
	assert_non_null(p = strstr(buf_cstr(&f->out), "secret="));
	p += 7;
	len = strcspn(p, "&\r\n");
	assert_true(len > 0 && len < size);
	memcpy(secret, p, len);
	secret[len] = '\0';
}

static char *csrf_of(struct fixture *f, struct client *c, const char *page)
{
	char *token;

	assert_int_equal(client_get(c, page, &f->r), 0);
	assert_int_equal(f->r.status, 200);
	assert_non_null(token = form_field_value(BODY(f), "csrf_token"));
	return token;
}

static void expect_redirect(struct fixture *f, const char *to)
{
	char *loc = response_header(&f->r, "Location");

	assert_int_equal(f->r.status, 303);
	assert_non_null(loc);
	assert_non_null(strstr(loc, to));
	free(loc);
}

/* First login: password, then the authenticator code at /ra/enroll. */
static void staff_login(struct fixture *f, enum staff who)
{
	struct client *c = &f->c[who];
	char secret[64], code[7], *csrf, *body;

	staff_add(f, who, secret, sizeof(secret));
	assert_int_equal(client_init(c, &f->s), 0);
	csrf = csrf_of(f, c, "/ra/login");
	body = form_encodef("username", staff[who].user, "password", PW, "csrf_token", csrf, NULL);
	assert_int_equal(client_post(c, "/ra/login", body, &f->r), 0);
	free(body);
	free(csrf);
	expect_redirect(f, "/ra/enroll");
	csrf = csrf_of(f, c, "/ra/enroll");
	assert_int_equal(totp_code(secret, (uint64_t)time(NULL) / 30, code), 0);
	body = form_encodef("totp", code, "csrf_token", csrf, NULL);
	assert_int_equal(client_post(c, "/ra/enroll", body, &f->r), 0);
	free(body);
	free(csrf);
	expect_redirect(f, "/ra");
}

/* ---- Fixture ------------------------------------------------------------------ */

static int fixture_start(void **state, int standard)
{
	/* The orders below are from 2025, written straight into the database
	 * while the portal runs: its jobs thread must not expire the one
	 * still "confirmed" (a race: its first run may come after them). */
	static const char *const env[] = {"TZ=UTC", "QCRA_ORDER_EXPIRY_DAYS=3650", NULL};
	struct fixture *f = calloc(1, sizeof(*f));
	int i;

	if (f == NULL || server_start(&f->s, env) != 0 || client_init(&f->anon, &f->s) != 0)
		goto fail;
	if (exec(f, "INSERT INTO members (id, license_number, first_name, last_name, jmbg, "
		    "email, created_at, updated_at) VALUES (1, '311234567', 'Ana', "
		    "'Petrovi\xc4\x87', '0511985715143', 'ana@example.rs', 0, 0)") ||
	    exec(f, "INSERT INTO accounts (id, member_id, username, password_hash, email, "
		    "lang, created_at, confirmed_at) VALUES (1, 1, 'apetro', 'x', "
		    "'ana@example.rs', 'sr', 0, 0)"))
		goto fail;
	*state = f;
	if (standard)
		seed_standard(f);
	for (i = 0; i < NSTAFF; i++)
		staff_login(f, (enum staff)i);
	return 0;
fail:
	if (f) {
		client_free(&f->anon);
		server_cleanup(&f->s);
	}
	free(f);
	return -1;
}

static int setup_standard(void **state)
{
	return fixture_start(state, 1);
}

static int setup_empty(void **state)
{
	return fixture_start(state, 0);
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	int i;

	for (i = 0; i < NSTAFF; i++)
		client_free(&f->c[i]);
	client_free(&f->anon);
	response_free(&f->r);
	buf_free(&f->out);
	server_cleanup(&f->s);
	free(f);
	return 0;
}

/* ---- Checks ------------------------------------------------------------------ */

static long get(struct fixture *f, enum staff who, const char *path)
{
	assert_int_equal(client_get(&f->c[who], path, &f->r), 0);
	assert_true(f->r.status != 500);
	return f->r.status;
}

static void body_has(struct fixture *f, const char *text)
{
	if (strstr(BODY(f), text) == NULL) {
		fprintf(stderr, "body lacks \"%s\":\n%s\n", text, BODY(f));
		fail();
	}
}

static void body_lacks(struct fixture *f, const char *text)
{
	if (strstr(BODY(f), text) != NULL) {
		fprintf(stderr, "body has \"%s\":\n%s\n", text, BODY(f));
		fail();
	}
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;

	while ((s = strstr(s, what)) != NULL) {
		n++;
		s += strlen(what);
	}
	return n;
}

static void header_is(struct fixture *f, const char *name, const char *value)
{
	char *v = response_header(&f->r, name);

	assert_non_null(v);
	assert_string_equal(v, value);
	free(v);
}

/* A row of a report table: <th scope="row">label</th> and its cells. */
static void row_is(struct fixture *f, const char *label, const char *cells)
{
	char want[512];

	snprintf(want, sizeof(want), "<th scope=\"row\">%s</th>%s", label, cells);
	body_has(f, want);
}

/* ---- Tests: the page ---------------------------------------------------------- */

static void test_reports_count_per_office_state_and_month(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(get(f, ADMIN, "/ra/reports"), 200);
	row_is(f, BG_SR " (BG)", "<td>4</td><td>3</td><td>3</td>");
	row_is(f, NS_SR " (NS)", "<td>3</td><td>2</td><td>3,5</td>");
	row_is(f, NI_SR " (NI)", "<td>1</td><td>0</td><td>—</td>");
	row_is(f, "Regionalni centar Kragujevac (KG)", "<td>0</td><td>0</td><td>—</td>");
	row_is(f, TOTAL_SR, "<td>8</td><td>5</td><td>3</td>");
	row_is(f,
	       "Sertifikat uru\xc4\x8d"
	       "en",
	       "<td>5</td>");
	row_is(f,
	       "Potvr\xc4\x91"
	       "en, \xc4\x8d"
	       "eka dokumentaciju i uplatu",
	       "<td>1</td>");
	row_is(f, "Odbijen", "<td>1</td>");
	row_is(f,
	       "Sertifikat \xc4\x8d"
	       "eka u kancelariji",
	       "<td>1</td>");
	row_is(f, "2024-12", "<td>1</td>");
	row_is(f, "2025-01", "<td>3</td>");
	row_is(f, "2025-02", "<td>1</td>");
	row_is(f, "2025-03", "<td>3</td>");
	body_lacks(f, "draft");
	/* States in workflow order. */
	assert_true(strstr(BODY(f), "Potvr\xc4\x91"
				    "en,") < strstr(BODY(f), "Odbijen"));
}

static void test_reports_tables_are_accessible(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(get(f, AUDITOR, "/ra/reports"), 200);
	assert_int_equal(count(BODY(f), "<caption>"), 3);
	assert_int_equal(count(BODY(f), "<table"), 3);
	assert_true(count(BODY(f), "<th scope=\"col\">") >= 8);
	body_has(f, "<label for=\"f-from\">");
	body_has(f, "<label for=\"f-to\">");
	body_has(f, "<label for=\"f-office\">");
	body_lacks(f, "<script");
}

/* The chart: one labelled bar per month, named and described for
 * assistive technology, no script. */
static void test_reports_page_has_an_accessible_svg_chart(void **state)
{
	struct fixture *f = *state;
	const char *svg;

	assert_int_equal(get(f, ADMIN, "/ra/reports"), 200);
	assert_non_null(svg = strstr(BODY(f), "<svg"));
	assert_non_null(strstr(svg, "role=\"img\""));
	assert_non_null(strstr(svg, "aria-labelledby=\"report-chart-title\""));
	assert_non_null(strstr(svg, "<title id=\"report-chart-title\">"));
	assert_non_null(strstr(svg,
			       "<desc id=\"report-chart-desc\">2024-12: 1; 2025-01: 3; 2025-02: 1; "
			       "2025-03: 3</desc>"));
	assert_int_equal(count(svg, "<rect"), 4);
	assert_non_null(strstr(svg, ">2025-01</text>"));
	assert_non_null(strstr(svg, ">3</text>"));
}

static void test_reports_months_without_orders_get_zero_bars(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(get(f, ADMIN, "/ra/reports?from=2025-01&to=2025-06"), 200);
	row_is(f, "2025-05", "<td>0</td>");
	row_is(f, "2025-06", "<td>0</td>");
	assert_int_equal(count(strstr(BODY(f), "<svg"), "<rect"), 6);
	body_lacks(f, ">2024-12<");
}

/* Filtered to January: BG {3, 1} even -> 2; NS {2} -> 2; all {1, 2, 3}
 * odd -> 2; December and February onwards excluded. */
static void test_reports_month_range_counts_by_confirmation_month(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(get(f, ADMIN, "/ra/reports?from=2025-01&to=2025-01"), 200);
	row_is(f, BG_SR " (BG)", "<td>2</td><td>2</td><td>2</td>");
	row_is(f, NS_SR " (NS)", "<td>1</td><td>1</td><td>2</td>");
	row_is(f, NI_SR " (NI)", "<td>0</td><td>0</td><td>—</td>");
	row_is(f, TOTAL_SR, "<td>3</td><td>3</td><td>2</td>");
	body_lacks(f, ">2024-12<");
	body_lacks(f, ">2025-02<");
	/* Only the lower bound: from February on. */
	assert_int_equal(get(f, ADMIN, "/ra/reports?from=2025-02"), 200);
	row_is(f, TOTAL_SR, "<td>4</td><td>2</td><td>7,5</td>");
}

static void test_reports_office_filter_for_admin(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(get(f, ADMIN, "/ra/reports?office=NS&lang=en"), 200);
	row_is(f, "Regional office Novi Sad (NS)", "<td>3</td><td>2</td><td>3.5</td>");
	row_is(f, "Total", "<td>3</td><td>2</td><td>3.5</td>");
	body_lacks(f, "(BG)</th>");
	body_lacks(f, "(NI)</th>");
	body_has(f, "<option value=\"NS\" selected>");
	/* The downloads carry the same filter. */
	assert_int_equal(get(f, ADMIN, "/ra/reports?office=NS&from=2025-01"), 200);
	body_has(f, "href=\"/ra/reports.csv?office=NS&amp;from=2025-01\"");
	body_has(f, "href=\"/ra/reports/chart.svg?office=NS&amp;from=2025-01\"");
}

/* ASVS 8.2.2 / 15.3.3: an operator's report is their office's, whatever
 * the query asks for. */
static void test_operator_sees_only_own_office(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(get(f, OP_BG, "/ra/reports"), 200);
	row_is(f, BG_SR " (BG)", "<td>4</td><td>3</td><td>3</td>");
	row_is(f, TOTAL_SR, "<td>4</td><td>3</td><td>3</td>");
	body_lacks(f, "(NS)</th>");
	body_lacks(f, "name=\"office\"");
	assert_int_equal(get(f, OP_BG, "/ra/reports?office=NS"), 200);
	row_is(f, TOTAL_SR, "<td>4</td><td>3</td><td>3</td>");
	body_lacks(f, "(NS)</th>");
	assert_int_equal(get(f, OP_NS, "/ra/reports.csv?office=BG"), 200);
	body_has(f, "total,,Ukupno,3,2,3.5\r\n");
	body_lacks(f, "office,BG,");
}

static void test_reports_need_a_staff_login(void **state)
{
	struct fixture *f = *state;
	const char *paths[] = {"/ra/reports", "/ra/reports.csv", "/ra/reports/chart.svg"};
	size_t i;

	for (i = 0; i < 3; i++) {
		assert_int_equal(client_get(&f->anon, paths[i], &f->r), 0);
		expect_redirect(f, "/ra/login");
	}
}

static void test_reports_reject_bad_filters(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(get(f, ADMIN, "/ra/reports?from=2025-13"), 400);
	body_has(f, "role=\"alert\"");
	body_has(f, "value=\"2025-13\"");
	assert_int_equal(get(f, ADMIN, "/ra/reports?from=2025-03&to=2025-01"), 400);
	assert_int_equal(get(f, ADMIN, "/ra/reports?office=XX"), 400);
	assert_int_equal(get(f, ADMIN, "/ra/reports?to=%3Cscript%3E"), 400);
	body_lacks(f, "<script>");
	assert_int_equal(get(f, ADMIN, "/ra/reports.csv?from=25-01"), 400);
	assert_int_equal(get(f, ADMIN, "/ra/reports/chart.svg?to=2025-1"), 400);
}

static void test_reports_without_orders_say_so(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(get(f, ADMIN, "/ra/reports"), 200);
	body_has(f, "nije potvr\xc4\x91"
		    "ena nijedna porud\xc5\xbe"
		    "bina");
	row_is(f, TOTAL_SR, "<td>0</td><td>0</td><td>—</td>");
	assert_int_equal(get(f, ADMIN, "/ra/reports.csv"), 200);
	body_has(f, "total,,Ukupno,0,0,\r\n");
}

/* ---- Tests: downloads --------------------------------------------------------- */

static void test_reports_csv_export(void **state)
{
	struct fixture *f = *state;
	char *cc;

	assert_int_equal(get(f, ADMIN, "/ra/reports.csv"), 200);
	header_is(f, "Content-Type", "text/csv; charset=utf-8; header=present");
	header_is(f, "Content-Disposition",
		  "attachment; filename=\"qcra-report.csv\"; filename*=UTF-8''qcra-report.csv");
	assert_non_null(cc = response_header(&f->r, "Cache-Control"));
	assert_non_null(strstr(cc, "no-store"));
	free(cc);
	assert_int_equal(strncmp(BODY(f), CSV_HEADER, strlen(CSV_HEADER)), 0);
	body_has(f, "\r\noffice,BG," BG_SR ",4,3,3\r\n");
	body_has(f, "\r\noffice,NS," NS_SR ",3,2,3.5\r\n");
	body_has(f, "\r\noffice,NI," NI_SR ",1,0,\r\n");
	body_has(f, "\r\nstate,confirmed,\"Potvr\xc4\x91"
		    "en, \xc4\x8d"
		    "eka dokumentaciju i uplatu\",1,0,\r\n");
	body_has(f, "\r\nstate,handed_over,Sertifikat uru\xc4\x8d"
		    "en,5,5,3\r\n");
	body_has(f, "\r\nmonth,2024-12,2024-12,1,0,\r\n");
	body_has(f, "\r\nmonth,2025-01,2025-01,3,3,2\r\n");
	body_has(f, "\r\nmonth,2025-03,2025-03,3,1,5\r\n");
	body_has(f, "\r\ntotal,,Ukupno,8,5,3\r\n");
	/* Every line ends in CRLF, none in a bare LF. */
	assert_int_equal(count(BODY(f), "\n"), count(BODY(f), "\r\n"));
	assert_int_equal(BODY(f)[f->r.body.len - 1], '\n');
}

static void test_reports_csv_name_says_what_it_holds(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(get(f, ADMIN, "/ra/reports.csv?office=NS&from=2025-01&to=2025-03"), 200);
	header_is(f, "Content-Disposition",
		  "attachment; filename=\"qcra-report-NS-from-2025-01-to-2025-03.csv\"; "
		  "filename*=UTF-8''qcra-report-NS-from-2025-01-to-2025-03.csv");
	body_has(f, "\r\ntotal,,Ukupno,3,2,3.5\r\n");
}

/* OWASP CSV injection: a cell starting with = + - @ is defused with a
 * leading apostrophe; RFC 4180 quoting still applies. */
static void test_reports_csv_defuses_formulas(void **state)
{
	struct fixture *f = *state;

	add_order(f, "=1+2,\"x\"", "confirmed", utc(2025, 4, 2, 10, 0), 0);
	add_order(f, "@SUM", "confirmed", utc(2025, 4, 3, 10, 0), 0);
	assert_int_equal(get(f, ADMIN, "/ra/reports.csv"), 200);
	body_has(f, "\r\noffice,\"'=1+2,\"\"x\"\"\",\"'=1+2,\"\"x\"\"\",1,0,\r\n");
	body_has(f, "\r\noffice,'@SUM,'@SUM,1,0,\r\n");
	assert_int_equal(get(f, ADMIN, "/ra/reports"), 200);
	body_has(f, "=1+2,&quot;x&quot; (=1+2,&quot;x&quot;)");
}

static void test_reports_chart_svg_download(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(get(f, OP_NS, "/ra/reports/chart.svg"), 200);
	header_is(f, "Content-Type", "image/svg+xml");
	assert_int_equal(strncmp(BODY(f), "<?xml", 5), 0);
	body_has(f, "<svg xmlns=\"http://www.w3.org/2000/svg\"");
	body_has(f, "role=\"img\"");
	body_has(f, "<desc id=\"report-chart-desc\">2025-01: 1; 2025-02: 0; 2025-03: 2</desc>");
	assert_int_equal(count(BODY(f), "<rect"), 3);
	body_lacks(f, "<script");
}

/* Every export leaves an audit entry with who, what and which filter. */
static void test_reports_exports_are_audited(void **state)
{
	struct fixture *f = *state;
	char nth[16], *row;
	const char *params[] = {nth, NULL};
	int n;

	assert_int_equal(get(f, OP_BG, "/ra/reports.csv?from=2025-01"), 200);
	assert_int_equal(get(f, ADMIN, "/ra/reports/chart.svg?office=NS"), 200);
	assert_int_equal(get(f, ADMIN, "/ra/reports"), 200); /* viewing is no export */
	for (n = 0;; n++) {
		snprintf(nth, sizeof(nth), "%d", n);
		row = server_sql_ok(
			&f->s,
			"SELECT actor || '|' || object || '|' || outcome || '|' || detail "
			"FROM audit_log WHERE action = 'report.export' ORDER BY id "
			"LIMIT 1 OFFSET $1",
			params);
		if (row[0] == '\0') {
			free(row);
			break;
		}
		if (n == 0)
			assert_string_equal(row, "operator:rep-bg|reports.csv|ok|office BG from "
						 "2025-01 to * orders 4");
		else
			assert_string_equal(row,
					    "operator:rep-admin|reports/chart.svg|ok|office NS "
					    "from * to * orders 3");
		free(row);
	}
	assert_int_equal(n, 2);
	/* And the auditor finds it in the log's page. */
	assert_int_equal(get(f, AUDITOR, "/ra/audit?action=report.export"), 200);
	body_has(f, "reports.csv");
	body_has(f, "operator:rep-bg");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reports_count_per_office_state_and_month,
						setup_standard, teardown),
		cmocka_unit_test_setup_teardown(test_reports_tables_are_accessible, setup_standard,
						teardown),
		cmocka_unit_test_setup_teardown(test_reports_page_has_an_accessible_svg_chart,
						setup_standard, teardown),
		cmocka_unit_test_setup_teardown(test_reports_months_without_orders_get_zero_bars,
						setup_standard, teardown),
		cmocka_unit_test_setup_teardown(
			test_reports_month_range_counts_by_confirmation_month, setup_standard,
			teardown),
		cmocka_unit_test_setup_teardown(test_reports_office_filter_for_admin,
						setup_standard, teardown),
		cmocka_unit_test_setup_teardown(test_operator_sees_only_own_office, setup_standard,
						teardown),
		cmocka_unit_test_setup_teardown(test_reports_need_a_staff_login, setup_empty,
						teardown),
		cmocka_unit_test_setup_teardown(test_reports_reject_bad_filters, setup_standard,
						teardown),
		cmocka_unit_test_setup_teardown(test_reports_without_orders_say_so, setup_empty,
						teardown),
		cmocka_unit_test_setup_teardown(test_reports_csv_export, setup_standard, teardown),
		cmocka_unit_test_setup_teardown(test_reports_csv_name_says_what_it_holds,
						setup_standard, teardown),
		cmocka_unit_test_setup_teardown(test_reports_csv_defuses_formulas, setup_standard,
						teardown),
		cmocka_unit_test_setup_teardown(test_reports_chart_svg_download, setup_standard,
						teardown),
		cmocka_unit_test_setup_teardown(test_reports_exports_are_audited, setup_standard,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
