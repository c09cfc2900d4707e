/*
 * Payments over real HTTP (issue 4): a payment recorded by hand on the
 * order page, bank statements imported (CSV pasted on the import page,
 * camt.053 with `qcra payments import`), matching by the model 97
 * reference, nothing recorded twice, partial payments, overpayments and
 * unknown references listed and resolved, office scoping (404), the
 * auditor who cannot post (403), and the audit log.
 *
 * One server for the whole group (staff logins with TOTP take a while):
 * the demo member register, a member (Žarko, logged in) and four staff
 * accounts: operators of Novi Sad (NS) and Belgrade (BG), an
 * administrator and an auditor.  Every test makes its own orders and
 * checks only its own payments, so the tests do not depend on each
 * other's order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/totp.h"
#include "domain/payment.h"
#include "harness.h"
#include "journey.h"
#include "office.h"
#include "harness_sql.h"
#include "store/store.h"
#include "store/store_payments.h"

#define PW OFFICE_PW
#define ZARKO_MAIL JOURNEY_ZARKO_MAIL

/* The order's total as a statement writes it: "5.880,00". */
static const char *total_text(struct office *f, long long id, long long delta)
{
	static char text[32];
	struct order o = office_order_get(f, id);

	assert_true(o.total_para > 0);
	assert_int_equal(payment_amount_format(o.total_para + delta, text, sizeof(text)), 0);
	return text;
}

struct pays {
	int n;
	struct payment last;
	struct payment all[16];
};

static int collect(void *arg, const struct payment *p)
{
	struct pays *x = arg;

	if (x->n < 16)
		x->all[x->n] = *p;
	x->n++;
	x->last = *p;
	return 0;
}

/* The payments recorded for order id. */
static struct pays payments_of(struct office *f, long long id)
{
	struct store *st = office_db(f);
	struct pays x;

	memset(&x, 0, sizeof(x));
	assert_int_equal(store_payment_each_order(st, id, collect, &x), STORE_OK);
	store_close(st);
	return x;
}

struct unknown_ctx {
	const char *ref;
	struct pays *out;
};

static int collect_unknown(void *arg, const struct payment *p)
{
	struct unknown_ctx *u = arg;

	if (p->order_id == 0 && strcmp(p->reference, u->ref) == 0)
		collect(u->out, p);
	return 0;
}

/* Open payments without an order whose reference is ref. */
static struct pays unknown_with(struct office *f, const char *ref)
{
	struct store *st = office_db(f);
	struct payment_filter flt;
	struct pays x;
	struct unknown_ctx u = {ref, &x};

	memset(&flt, 0, sizeof(flt));
	memset(&x, 0, sizeof(x));
	assert_int_equal(store_payment_each_open(st, &flt, collect_unknown, &u), STORE_OK);
	store_close(st);
	return x;
}

struct audits {
	int n;
	char actions[1024];
};

static int count_audit(void *arg, const struct audit_entry *e)
{
	struct audits *a = arg;
	size_t len = strlen(a->actions);

	a->n++;
	snprintf(a->actions + len, sizeof(a->actions) - len, "%s=%s;", e->action, e->outcome);
	return 0;
}

/* Audit entries with this action prefix and object. */
static struct audits audits_of(struct office *f, const char *action, const char *object)
{
	struct store *st = office_db(f);
	struct audit_filter flt;
	struct audits a;

	memset(&flt, 0, sizeof(flt));
	memset(&a, 0, sizeof(a));
	flt.action = action;
	flt.object = object;
	assert_int_equal(store_audit_each(st, &flt, count_audit, &a), STORE_OK);
	store_close(st);
	return a;
}

static char *location(struct office *f)
{
	char *loc = journey_location(&f->r);

	assert_int_equal(f->r.status, 303);
	assert_non_null(loc);
	return loc;
}

/* Pastes a statement on the import page as c; returns the status and,
 * on 303, the import's number in *import (may be NULL). */
static long import_text(struct office *f, struct client *c, const char *text, const char *format,
			long long *import)
{
	long status = office_post(f, c, "/ra/payments/import", "statement", text, "file_name",
				  "izvod.csv", "format", format, NULL);
	char *loc;

	if (status == 303 && import != NULL) {
		loc = location(f);
		assert_int_equal(sscanf(loc, "/ra/payments/imports/%lld", import), 1);
		free(loc);
	}
	return status;
}

/* A CSV statement line paying amount with reference ref. */
static void csv_line(struct buf *b, const char *amount, const char *ref, const char *bank_id)
{
	buf_printf(b,
		   "25.11.2024,\"%s\",\xc5\xbd"
		   "arko \xc4\x90ura\xc5\xa1kovi\xc4\x87,%s,"
		   "Uplata za sertifikat,%s\r\n",
		   amount, ref, bank_id);
}

static void csv_header(struct buf *b)
{
	buf_puts(b, "Datum,Iznos,Uplatilac,Poziv na broj,Svrha,ID transakcije\r\n");
}

/* Writes text into the file name in the server's VAR; its path into
 * path (for `qcra payments import`). */
static void var_file(struct office *f, const char *name, const char *text, char *path, size_t size)
{
	FILE *fp;

	snprintf(path, size, "%s/%s", f->s.var, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

/* A unique bank id per call, so tests never share a fingerprint. */
static const char *bank_id(void)
{
	static char id[32];
	static int n;

	snprintf(id, sizeof(id), "T%ld-%d", (long)getpid(), ++n);
	return id;
}

/* ---- Manual payments ------------------------------------------------------------------ */

static void test_manual_payment_in_full_moves_the_order(void **state)
{
	struct office *f = *state;
	long long id = office_order(f, "NS");
	struct order o = office_order_get(f, id);
	char want[96], *loc, *nonce = NULL, *body, *csrf;
	struct pays p;

	/* The form offers the order's reference, as people write it. */
	assert_int_equal(office_get(f, &f->ns, "/ra/orders/%lld", id), 200);
	office_body_has(f, "action=\"/ra/orders/");
	snprintf(want, sizeof(want), "value=\"%.2s %.40s\"", o.payment_ref + 2, o.payment_ref + 4);
	office_body_has(f, want);
	assert_int_equal(
		office_pay_by_hand(f, &f->ns, id, total_text(f, id, 0), NULL, NULL, &nonce), 303);
	loc = location(f);
	snprintf(want, sizeof(want), "/ra/orders/%lld?pay=settled#payments", id);
	assert_string_equal(loc, want);
	free(loc);
	assert_string_equal(office_state(f, id), "payment_received");
	p = payments_of(f, id);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.last.amount_para, o.total_para);
	assert_string_equal(p.last.source, "manual");
	assert_string_equal(p.last.match, "exact");
	assert_string_equal(p.last.resolution, "paid");
	assert_string_equal(p.last.reference, o.payment_ref);
	assert_string_equal(p.last.created_by, "ns1");
	/* The page lists it, and offers no form for more. */
	assert_int_equal(office_get(f, &f->ns, "/ra/orders/%lld?pay=settled", id), 200);
	office_body_has(f, total_text(f, id, 0));
	snprintf(want, sizeof(want), "action=\"/ra/orders/%lld/payments\"", id);
	office_body_lacks(f, want);
	office_body_has(f, "pla\xc4\x87"
			   "en u celosti");
	office_body_has(f, "\xc5\xbd"
			   "arko \xc4\x90ura\xc5\xa1kovi\xc4\x87");
	/* The same form sent twice records nothing more. */
	assert_int_equal(journey_get(&f->ns, "/ra", &f->r), 200);
	csrf = form_field_value(BODY(f), "csrf_token");
	body = form_encodef("csrf_token", csrf, "nonce", nonce, "amount", total_text(f, id, 0),
			    "paid_on", "25.11.2024", "confirm", "1", NULL);
	snprintf(want, sizeof(want), "/ra/orders/%lld/payments", id);
	assert_int_equal(journey_post(&f->ns, want, body, &f->r), 303);
	loc = location(f);
	assert_non_null(strstr(loc, "pay=dup"));
	free(loc);
	free(body);
	free(csrf);
	free(nonce);
	assert_int_equal(payments_of(f, id).n, 1);
	/* Audited, with the transition. */
	snprintf(want, sizeof(want), "payment:%lld", p.last.id);
	assert_int_equal(audits_of(f, "payment.record", want).n, 1);
	snprintf(want, sizeof(want), "order:%lld", id);
	assert_int_equal(audits_of(f, "payment", want).n, 1);
}

static void test_manual_payment_is_validated(void **state)
{
	struct office *f = *state;
	long long id = office_order(f, "NS"), other = office_order(f, "NS");
	struct order o = office_order_get(f, other);

	assert_int_equal(office_pay_by_hand(f, &f->ns, id, "pet hiljada", NULL, NULL, NULL), 422);
	office_body_has(f, "aria-invalid=\"true\"");
	assert_int_equal(office_pay_by_hand(f, &f->ns, id, "0", NULL, NULL, NULL), 422);
	assert_int_equal(office_pay_by_hand(f, &f->ns, id, "100,00", "31.02.2024", NULL, NULL),
			 422);
	assert_int_equal(office_pay_by_hand(f, &f->ns, id, "100,00", "01.01.2999", NULL, NULL),
			 422);
	/* A reference of another order belongs on that order's page. */
	assert_int_equal(office_pay_by_hand(f, &f->ns, id, "100,00", NULL, o.payment_ref, NULL),
			 422);
	assert_int_equal(payments_of(f, id).n, 0);
	assert_string_equal(office_state(f, id), "confirmed");
	/* A partial payment by hand stays open. */
	assert_int_equal(office_pay_by_hand(f, &f->ns, id, "100,00", NULL, NULL, NULL), 303);
	assert_string_equal(office_state(f, id), "confirmed");
	assert_string_equal(payments_of(f, id).last.match, "partial");
	assert_int_equal(payments_of(f, id).last.resolved_at, 0);
}

/* ---- Imports ----------------------------------------------------------------------------- */

static void test_csv_import_matches_by_reference_and_moves_the_order(void **state)
{
	struct office *f = *state;
	long long a = office_order(f, "NS"), b = office_order(f, "BG"), imp = 0;
	struct order oa = office_order_get(f, a), ob = office_order_get(f, b);
	struct buf csv = BUF_INIT;
	char ref[160];

	csv_header(&csv);
	csv_line(&csv, total_text(f, a, 0), oa.payment_ref, bank_id());
	/* The reference written with spaces and a dash, as people do. */
	snprintf(ref, sizeof(ref), "97 %.2s-%s", ob.payment_ref + 2, ob.payment_ref + 4);
	csv_line(&csv, total_text(f, b, 0), ref, bank_id());
	assert_int_equal(import_text(f, &f->ns, buf_cstr(&csv), "csv", &imp), 303);
	assert_string_equal(office_state(f, a), "payment_received");
	assert_string_equal(office_state(f, b), "payment_received");
	assert_string_equal(payments_of(f, a).last.source, "import");
	assert_int_equal(payments_of(f, a).last.import_id, imp);
	assert_int_equal(payments_of(f, b).last.line, 3);
	assert_int_equal(office_get(f, &f->ns, "/ra/payments/imports/%lld", imp), 200);
	office_body_has(f, "izvod.csv");
	office_body_has(f, "<td>2</td>");
	/* The orders' history names the payment. */
	assert_int_equal(office_get(f, &f->admin, "/ra/orders/%lld", b), 200);
	office_body_has(f, "Uplata evidentirana");
	buf_free(&csv);
}

static void test_same_statement_imported_twice_records_nothing_twice(void **state)
{
	struct office *f = *state;
	long long a = office_order(f, "NS"), first = 0, second = 0;
	struct order oa = office_order_get(f, a);
	struct buf csv = BUF_INIT;
	char path[PATH_MAX + 32], want[64];
	const char *args[] = {"payments", "import", "--by", "admin1", path, NULL};

	csv_header(&csv);
	csv_line(&csv, "1.000,00", oa.payment_ref, bank_id());
	csv_line(&csv, "1.000,00", oa.payment_ref, bank_id());
	assert_int_equal(import_text(f, &f->ns, buf_cstr(&csv), "auto", &first), 303);
	assert_int_equal(payments_of(f, a).n, 2);
	assert_int_equal(import_text(f, &f->ns, buf_cstr(&csv), "auto", &second), 303);
	assert_true(second > first);
	assert_int_equal(payments_of(f, a).n, 2);
	assert_int_equal(office_get(f, &f->ns, "/ra/payments/imports/%lld", second), 200);
	snprintf(want, sizeof(want), "/ra/payments/imports/%lld\"", first);
	office_body_has(f, want); /* "the same file was imported before" */
	/* The command line agrees. */
	var_file(f, "izvod.csv", buf_cstr(&csv), path, sizeof(path));
	assert_int_equal(office_cli(f, args), 0);
	assert_non_null(strstr(buf_cstr(&f->out), "recorded before         2"));
	assert_non_null(strstr(buf_cstr(&f->out), "payments recorded       0"));
	assert_int_equal(payments_of(f, a).n, 2);
	/* Both payments are partial (2.000,00 of the total) and stay open. */
	assert_string_equal(office_state(f, a), "confirmed");
	assert_string_equal(payments_of(f, a).all[0].match, "partial");
	assert_string_equal(payments_of(f, a).all[1].match, "partial");
	buf_free(&csv);
}

/* A payment entered by hand and then seen on the statement is one
 * payment: the statement line joins it (counted as recorded before),
 * the order is not overpaid; importing the statement again adds
 * nothing; a line of another amount is a payment of its own. */
static void test_manual_payment_seen_on_the_statement_is_not_doubled(void **state)
{
	struct office *f = *state;
	long long a = office_order(f, "NS"), imp = 0, imp2 = 0;
	struct order oa = office_order_get(f, a);
	struct buf csv = BUF_INIT;
	struct pays p;
	char want[96];

	assert_int_equal(
		office_pay_by_hand(f, &f->ns, a, total_text(f, a, 0), "24.11.2024", NULL, NULL),
		303);
	assert_string_equal(office_state(f, a), "payment_received");
	csv_header(&csv);
	csv_line(&csv, total_text(f, a, 0), oa.payment_ref, bank_id());
	assert_int_equal(import_text(f, &f->ns, buf_cstr(&csv), "csv", &imp), 303);
	p = payments_of(f, a);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.last.source, "manual");
	assert_int_equal(p.last.import_id, imp);
	assert_int_equal(p.last.line, 2);
	/* The note the statement added reads in the page's language. */
	assert_int_equal(office_get(f, &f->ns, "/ra/orders/%lld?lang=sr", a), 200);
	snprintf(want, sizeof(want),
		 "Potvr\xc4\x91"
		 "eno izvodom (uvoz %lld, red 2)",
		 imp);
	office_body_has(f, want);
	assert_int_equal(office_get(f, &f->ns, "/ra/orders/%lld?lang=en", a), 200);
	snprintf(want, sizeof(want), "Confirmed by a statement (import %lld, line 2)", imp);
	office_body_has(f, want);
	assert_int_equal(office_get(f, &f->ns, "/ra/orders/%lld?lang=sr", a), 200);
	office_body_lacks(f, "Vi\xc5\xa1"
			     "e upla\xc4\x87"
			     "eno"); /* "Više uplaćeno": overpaid */
	/* Again: nothing new. */
	assert_int_equal(import_text(f, &f->ns, buf_cstr(&csv), "csv", &imp2), 303);
	assert_int_equal(payments_of(f, a).n, 1);
	/* Another amount for the same order: its own payment (overpaid). */
	buf_reset(&csv);
	csv_header(&csv);
	csv_line(&csv, "100,00", oa.payment_ref, bank_id());
	assert_int_equal(import_text(f, &f->ns, buf_cstr(&csv), "csv", &imp2), 303);
	assert_int_equal(payments_of(f, a).n, 2);
	buf_free(&csv);
}

static void test_statement_errors_are_reported_with_line_numbers(void **state)
{
	struct office *f = *state;
	long long a = office_order(f, "NS"), imp = 0;
	struct order oa = office_order_get(f, a);
	struct buf csv = BUF_INIT;

	/* Not a statement at all: refused, nothing recorded. */
	assert_int_equal(import_text(f, &f->ns, "ovo nije izvod", "auto", NULL), 422);
	office_body_has(f, "role=\"alert\"");
	office_body_has(f, "ovo nije izvod"); /* the text is kept for correcting */
	office_body_has(f, "nema zaglavlja sa kolonama datum"); /* why, in Serbian */
	assert_int_equal(import_text(f, &f->ns, "", "auto", NULL), 422);
	/* A quote never closed: said in Serbian, with its line, and how to
	 * fix it; the English detail of the CSV reader is not shown. */
	assert_int_equal(import_text(f, &f->ns,
				     "Datum,Iznos,Uplatilac,Poziv na broj\r\n"
				     "25.11.2024,\"100,00,Neko,97 00-1\r\n",
				     "csv", NULL),
			 422);
	office_body_has(f, "red 2: polje pod navodnicima nije zatvoreno");
	office_body_lacks(f, "unterminated");
	/* A line with a bad amount is reported; the good one recorded. */
	csv_header(&csv);
	csv_line(&csv, "pet", oa.payment_ref, bank_id());
	csv_line(&csv, total_text(f, a, 0), oa.payment_ref, bank_id());
	assert_int_equal(import_text(f, &f->ns, buf_cstr(&csv), "csv", &imp), 303);
	assert_int_equal(office_get(f, &f->ns, "/ra/payments/imports/%lld", imp), 200);
	office_body_has(f, "Red 2: iznos \xe2\x80\x9epet\xe2\x80\x9c nije ispravan");
	assert_int_equal(office_get(f, &f->ns, "/ra/payments/imports/%lld?lang=en", imp), 200);
	office_body_has(f, "Line 2: the amount &quot;pet&quot; cannot be read");
	assert_string_equal(office_state(f, a), "payment_received");
	assert_int_equal(payments_of(f, a).n, 1);
	buf_free(&csv);
}

/* A large statement is stored while it is read: when its last lines
 * turn out unreadable (a quote never closed), the file is refused and
 * nothing its first thousands of lines wrote is kept. */
static void test_refused_late_in_a_large_file_records_nothing(void **state)
{
	struct office *f = *state;
	long long a = office_order(f, "NS");
	struct order oa = office_order_get(f, a);
	struct buf csv = BUF_INIT;
	char path[PATH_MAX + 32];
	const char *args[] = {"payments", "import", "--by", "ns1", path, NULL};
	struct audits before, after;
	int i;

	csv_header(&csv);
	csv_line(&csv, total_text(f, a, 0), oa.payment_ref, bank_id());
	for (i = 0; i < 3000; i++)
		csv_line(&csv, "10,00", "97 00-123", bank_id());
	buf_puts(&csv, "26.11.2024,\"1,00,Nikad zatvoreno\r\n");
	var_file(f, "veliki.csv", buf_cstr(&csv), path, sizeof(path));
	before = audits_of(f, "payment.import", "");
	assert_int_not_equal(office_cli(f, args), 0);
	assert_non_null(strstr(buf_cstr(&f->out), "was not imported"));
	assert_non_null(strstr(buf_cstr(&f->out), "line 3003"));
	assert_string_equal(office_state(f, a), "confirmed");
	assert_int_equal(payments_of(f, a).n, 0);
	assert_int_equal(unknown_with(f, "97 00-123").n, 0);
	/* One more audit entry: the refusal. */
	after = audits_of(f, "payment.import", "");
	assert_int_equal(after.n, before.n + 1);
	assert_true(strlen(after.actions) >= sizeof("payment.import=refused;") - 1);
	assert_string_equal(after.actions + strlen(after.actions) -
				    (sizeof("payment.import=refused;") - 1),
			    "payment.import=refused;");
	buf_free(&csv);
}

/* A statement large enough for the orders to be looked up ahead, in the
 * parser's thread (jobs/payments.c): an order paid in two halves on
 * lines far apart is settled by the second half, an order paid twice
 * in full is settled once and the second payment left open, as with a
 * small statement. */
static void test_large_statement_sees_its_own_earlier_lines(void **state)
{
	struct office *f = *state;
	long long a = office_order(f, "NS"), b = office_order(f, "NS");
	struct order oa = office_order_get(f, a), ob = office_order_get(f, b);
	struct buf csv = BUF_INIT;
	char path[PATH_MAX + 32], half[32], rest[32];
	const char *args[] = {"payments", "import", "--by", "ns1", path, NULL};
	int i;

	assert_int_equal(payment_amount_format(oa.total_para / 2, half, sizeof(half)), 0);
	assert_int_equal(
		payment_amount_format(oa.total_para - oa.total_para / 2, rest, sizeof(rest)), 0);
	csv_header(&csv);
	csv_line(&csv, half, oa.payment_ref, bank_id());
	csv_line(&csv, total_text(f, b, 0), ob.payment_ref, bank_id());
	for (i = 0; i < 3500; i++) /* > 256 KiB in all */
		csv_line(&csv, "10,00", "97 00-456", bank_id());
	csv_line(&csv, rest, oa.payment_ref, bank_id());
	csv_line(&csv, total_text(f, b, 0), ob.payment_ref, bank_id());
	assert_true(csv.len > 256 * 1024);
	var_file(f, "veliki2.csv", buf_cstr(&csv), path, sizeof(path));
	assert_int_equal(office_cli(f, args), 0);
	assert_non_null(strstr(buf_cstr(&f->out), "orders paid in full     2"));
	assert_string_equal(office_state(f, a), "payment_received");
	assert_int_equal(payments_of(f, a).n, 2);
	assert_string_equal(payments_of(f, a).all[0].match, "partial");
	assert_string_equal(payments_of(f, a).all[1].match, "exact");
	assert_string_equal(office_state(f, b), "payment_received");
	assert_int_equal(payments_of(f, b).n, 2);
	assert_string_equal(payments_of(f, b).all[0].resolution, "paid");
	assert_string_equal(payments_of(f, b).all[1].match, "overpaid");
	assert_int_equal(payments_of(f, b).all[1].resolved_at, 0);
	assert_int_equal(unknown_with(f, "97 00-456").n, 3500);
	buf_free(&csv);
}

/* POSTs the statement as a file chosen on the import page (multipart,
 * with the page's CSRF token; file_name NULL: none typed) as c.
 * Returns the status; on 303 the import's number in *import. */
static long upload(struct office *f, struct client *c, const char *filename, const char *data,
		   size_t len, const char *typed_name, long long *import)
{
	static const char boundary[] = "qcraTestBoundary7MA4YWxk";
	struct buf body = BUF_INIT;
	char ct[96], *csrf, *loc;
	long status;

	assert_int_equal(office_get(f, c, "/ra/payments/import?lang=sr"), 200);
	csrf = form_field_value(BODY(f), "csrf_token");
	assert_non_null(csrf);
	buf_printf(&body,
		   "--%s\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n%s\r\n"
		   "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\n"
		   "Content-Type: text/csv\r\n\r\n",
		   boundary, csrf, boundary, filename);
	buf_append(&body, data, len);
	buf_printf(&body,
		   "\r\n--%s\r\nContent-Disposition: form-data; name=\"file_name\"\r\n\r\n%s\r\n"
		   "--%s\r\nContent-Disposition: form-data; name=\"statement\"\r\n\r\n\r\n"
		   "--%s\r\nContent-Disposition: form-data; name=\"format\"\r\n\r\nauto\r\n"
		   "--%s--\r\n",
		   boundary, typed_name ? typed_name : "", boundary, boundary, boundary);
	snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%s", boundary);
	assert_int_equal(client_request(c, "POST", "/ra/payments/import", ct, body.data, body.len,
					NULL, &f->r),
			 0);
	status = f->r.status;
	if (status == 303 && import != NULL) {
		loc = journey_location(&f->r);
		assert_non_null(loc);
		assert_int_equal(sscanf(loc, "/ra/payments/imports/%lld", import), 1);
		free(loc);
	}
	free(csrf);
	buf_free(&body);
	return status;
}

/* The statement file chosen on the import page: read whole (far past
 * the 64 KiB of a pasted form), named after the file, and recorded as a
 * pasted one would be. */
static void test_statement_file_uploaded_on_the_import_page(void **state)
{
	struct office *f = *state;
	long long a = office_order(f, "NS"), imp = 0;
	struct order oa = office_order_get(f, a);
	struct buf csv = BUF_INIT;
	int i;

	csv_header(&csv);
	for (i = 0; i < 2000; i++) /* ~180 KB */
		csv_line(&csv, "10,00", "97 00-789", bank_id());
	csv_line(&csv, total_text(f, a, 0), oa.payment_ref, bank_id());
	assert_true(csv.len > 128 * 1024);
	assert_int_equal(upload(f, &f->ns, "izvod-novembar.csv", csv.data, csv.len, NULL, &imp),
			 303);
	assert_string_equal(office_state(f, a), "payment_received");
	assert_int_equal(unknown_with(f, "97 00-789").n, 2000);
	assert_int_equal(office_get(f, &f->ns, "/ra/payments/imports/%lld", imp), 200);
	office_body_has(f, "izvod-novembar.csv");
	/* A name typed on the form wins over the file's. */
	buf_reset(&csv);
	csv_header(&csv);
	csv_line(&csv, "10,00", "97 00-790", bank_id());
	assert_int_equal(upload(f, &f->ns, "x.csv", csv.data, csv.len, "moj izvod", &imp), 303);
	assert_int_equal(office_get(f, &f->ns, "/ra/payments/imports/%lld", imp), 200);
	office_body_has(f, "moj izvod");
	/* Neither a file nor text: said how to fix it. */
	assert_int_equal(upload(f, &f->ns, "x.csv", "", 0, NULL, NULL), 422);
	office_body_has(f, "Izaberite datoteku izvoda");
	buf_free(&csv);
}

/* Who may send a file: a staff member allowed to import, with a live
 * session; anyone else is held to the form limit before the body is
 * read (413), and the auditor who may read the page may not post. */
static void test_only_importing_staff_may_upload_a_large_file(void **state)
{
	struct office *f = *state;
	struct buf big = BUF_INIT;
	struct client anonymous;
	struct client *held[] = {&f->member, &f->auditor, &anonymous};
	const char *ct = "multipart/form-data; boundary=qcraB";
	const char *expect[] = {"Expect: 100-continue", NULL};
	const char *small =
		"--qcraB\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--qcraB--\r\n";
	size_t i;

	buf_puts(&big, "--qcraB\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n");
	for (i = 0; i < 200 * 1024; i += 8)
		buf_puts(&big, "12345678");
	buf_puts(&big, "\r\n--qcraB--\r\n");
	/* The member, the auditor, nobody: over the form limit -> 413.
	 * With Expect: 100-continue the answer comes before the upload:
	 * without it the server closes with the body unread, and whether
	 * libcurl reads the 413 or fails its send on the reset depends on
	 * timing (1 run in 3 under ThreadSanitizer); test_server.c covers
	 * the browser's way. */
	assert_int_equal(client_init(&anonymous, &f->s), 0);
	for (i = 0; i < sizeof(held) / sizeof(held[0]); i++) {
		assert_int_equal(client_request(held[i], "POST", "/ra/payments/import", ct,
						big.data, big.len, expect, &f->r),
				 0);
		assert_int_equal(f->r.status, 413);
	}
	client_free(&anonymous);
	/* Multipart anywhere else is not a form this portal reads. */
	assert_int_equal(client_request(&f->ns, "POST", "/ra/operators", ct, small, strlen(small),
					NULL, &f->r),
			 0);
	assert_int_equal(f->r.status, 400);
	/* The operator's large body is read; without a CSRF token: 403. */
	assert_int_equal(client_request(&f->ns, "POST", "/ra/payments/import", ct, big.data,
					big.len, NULL, &f->r),
			 0);
	assert_int_equal(f->r.status, 403);
	buf_free(&big);
}

static void test_camt053_import_from_the_command_line(void **state)
{
	struct office *f = *state;
	long long a = office_order(f, "NS");
	struct order oa = office_order_get(f, a);
	char src[PATH_MAX], path[PATH_MAX + 32], amount[32], ref[160], *xml, *p;
	const char *args[] = {"payments", "import", "--by", "ns1", path, NULL};
	size_t len;
	FILE *fp;

	snprintf(src, sizeof(src), "%s/tests/unit/payments/data/camt053-sample.xml",
		 getenv("QCRA_SRCDIR") ? getenv("QCRA_SRCDIR") : ".");
	xml = file_read(src, &len);
	assert_non_null(xml);
	/* The first entry pays order a in full. */
	snprintf(amount, sizeof(amount), "%lld.%02lld", oa.total_para / 100, oa.total_para % 100);
	snprintf(ref, sizeof(ref), "97 %.2s-%s", oa.payment_ref + 2, oa.payment_ref + 4);
	snprintf(path, sizeof(path), "%s/camt.xml", f->s.var);
	fp = fopen(path, "w");
	assert_non_null(fp);
	for (p = xml; *p; p++) {
		if (strncmp(p, "5880.00", 7) == 0) {
			fputs(amount, fp);
			p += 6;
		} else if (strncmp(p, "97 20-00000123", 14) == 0) {
			fputs(ref, fp);
			p += 13;
		} else if (strncmp(p, "2024112500001", 13) == 0) {
			fprintf(fp, "%s", bank_id()); /* a fresh bank id per run */
			p += 12;
		} else
			fputc(*p, fp);
	}
	fclose(fp);
	free(xml);
	assert_int_equal(office_cli(f, args), 0);
	assert_non_null(strstr(buf_cstr(&f->out), "(camt.053)"));
	assert_non_null(strstr(buf_cstr(&f->out), "orders paid in full     1"));
	assert_string_equal(office_state(f, a), "payment_received");
	assert_string_equal(payments_of(f, a).last.created_by, "cli:ns1");
	assert_string_equal(payments_of(f, a).last.payer, "\xc5\xbd"
							  "arko \xc4\x90ura\xc5\xa1kovi\xc4\x87");
	/* The second entry (reference 97 74-00004567: no such order) waits. */
	assert_true(unknown_with(f, "977400004567").n >= 1);
	/* An auditor cannot be named as the one answerable. */
	args[3] = "aud1";
	assert_int_equal(office_cli(f, args), 1);
	/* A format it does not read is named, with the ones it does. */
	{
		const char *bad[] = {"payments", "import", "--format", "mt940", path, NULL};

		assert_int_equal(office_cli(f, bad), 2);
		assert_non_null(strstr(buf_cstr(&f->out), "mt940"));
		assert_non_null(strstr(buf_cstr(&f->out), "camt.053"));
	}
}

/* ---- Unresolved payments ------------------------------------------------------------------ */

static void test_partial_overpaid_and_unknown_are_listed_and_resolved(void **state)
{
	struct office *f = *state;
	long long a = office_order(f, "NS"), b = office_order(f, "NS"), c = office_order(f, "NS");
	long long d = office_order(f, "BG"), imp = 0;
	struct order oa = office_order_get(f, a), ob = office_order_get(f, b),
		     oc = office_order_get(f, c);
	struct buf csv = BUF_INIT;
	struct pays pa, pb, pu, px;
	char path[64], number[32], ref_u[PAYMENT_REF_SIZE];

	(void)oc;
	/* A valid model 97 reference of an order that does not exist. */
	assert_int_equal(order_payment_ref(99999990 + (a % 9), ref_u, sizeof(ref_u)), 0);
	csv_header(&csv);
	csv_line(&csv, "1.000,00", oa.payment_ref, bank_id());              /* partial */
	csv_line(&csv, total_text(f, b, 10000), ob.payment_ref, bank_id()); /* overpaid */
	csv_line(&csv, total_text(f, c, 0), ref_u, bank_id());              /* unknown */
	csv_line(&csv, "250,00", "Uplata bez poziva", bank_id());           /* unknown, free text */
	assert_int_equal(import_text(f, &f->ns, buf_cstr(&csv), "csv", &imp), 303);
	pa = payments_of(f, a);
	pb = payments_of(f, b);
	pu = unknown_with(f, ref_u);
	px = unknown_with(f, "Uplata bez poziva");
	assert_string_equal(pa.last.match, "partial");
	assert_string_equal(pb.last.match, "overpaid");
	assert_int_equal(pu.n, 1);
	assert_string_equal(pu.last.match, "unknown_reference");
	assert_true(px.n >= 1);
	assert_string_equal(office_state(f, a), "confirmed");
	assert_string_equal(office_state(f, b), "confirmed");

	/* Listed: NS sees its office's and the unknown ones; BG only the
	 * unknown ones; the report lists them too. */
	assert_int_equal(office_get(f, &f->ns, "/ra/payments/unresolved"), 200);
	snprintf(path, sizeof(path), "/ra/payments/%lld/resolve", pa.last.id);
	office_body_has(f, path);
	snprintf(path, sizeof(path), "/ra/payments/%lld/resolve", pu.last.id);
	office_body_has(f, path);
	assert_int_equal(office_get(f, &f->bg, "/ra/payments/unresolved"), 200);
	office_body_has(f, path);
	snprintf(path, sizeof(path), "/ra/payments/%lld/resolve", pb.last.id);
	office_body_lacks(f, path);
	assert_int_equal(office_get(f, &f->ns, "/ra/payments/imports/%lld", imp), 200);
	office_body_has(f, path);

	/* Resolutions need what they need. */
	snprintf(path, sizeof(path), "/ra/payments/%lld/resolve", pb.last.id);
	assert_int_equal(office_post(f, &f->ns, path, "action", "accept", "note", "", NULL), 422);
	assert_int_equal(office_post(f, &f->ns, path, "action", "assign", "order", "1", NULL), 422);
	snprintf(path, sizeof(path), "/ra/payments/%lld/resolve", pu.last.id);
	snprintf(number, sizeof(number), "%lld", d);
	/* NS cannot assign to a BG order: as if it did not exist. */
	assert_int_equal(office_post(f, &f->ns, path, "action", "assign", "order", number, NULL),
			 422);
	assert_int_equal(
		office_post(f, &f->ns, path, "action", "assign", "order", "99999999", NULL), 422);
	assert_int_equal(office_post(f, &f->ns, path, "action", "assign", "order", "", NULL), 422);

	/* The partial one is completed by the rest, paid by hand. */
	assert_int_equal(
		office_pay_by_hand(f, &f->ns, a, total_text(f, a, -100000), NULL, NULL, NULL), 303);
	assert_string_equal(office_state(f, a), "payment_received");
	pa = payments_of(f, a);
	assert_int_equal(pa.n, 2);
	assert_string_equal(pa.all[0].resolution, "completed");
	assert_string_equal(pa.all[1].resolution, "paid");

	/* The overpaid one is accepted with a note: the order is paid. */
	snprintf(path, sizeof(path), "/ra/payments/%lld/resolve", pb.last.id);
	assert_int_equal(office_post(f, &f->ns, path, "action", "accept", "note",
				     "Vi\xc5\xa1"
				     "ak od 100 dinara vra\xc4\x87"
				     "en uplatiocu",
				     NULL),
			 303);
	assert_string_equal(office_state(f, b), "payment_received");
	assert_string_equal(payments_of(f, b).last.resolution, "accepted");
	/* Resolved once only. */
	assert_int_equal(office_post(f, &f->ns, path, "action", "refund", "note", "x", NULL), 409);

	/* The unknown one is assigned to order c, which it pays exactly. */
	snprintf(path, sizeof(path), "/ra/payments/%lld/resolve", pu.last.id);
	snprintf(number, sizeof(number), "%lld", c);
	assert_int_equal(office_post(f, &f->ns, path, "action", "assign", "order", number, NULL),
			 303);
	assert_string_equal(office_state(f, c), "payment_received");
	assert_int_equal(payments_of(f, c).last.id, pu.last.id);
	assert_string_equal(payments_of(f, c).last.resolution, "paid");

	/* The free-text one is refunded (BG may: it belongs to no office). */
	snprintf(path, sizeof(path), "/ra/payments/%lld/resolve", px.last.id);
	assert_int_equal(office_post(f, &f->bg, path, "action", "refund", "note",
				     "Vra\xc4\x87"
				     "eno 26.11.2024.",
				     NULL),
			 303);

	/* None of them is listed any more. */
	assert_int_equal(office_get(f, &f->admin, "/ra/payments/unresolved"), 200);
	snprintf(path, sizeof(path), "/ra/payments/%lld/resolve", pa.all[0].id);
	office_body_lacks(f, path);
	snprintf(path, sizeof(path), "/ra/payments/%lld/resolve", pb.last.id);
	office_body_lacks(f, path);
	snprintf(path, sizeof(path), "/ra/payments/%lld/resolve", pu.last.id);
	office_body_lacks(f, path);
	snprintf(path, sizeof(path), "/ra/payments/%lld/resolve", px.last.id);
	office_body_lacks(f, path);

	/* Each resolution is audited. */
	snprintf(path, sizeof(path), "payment:%lld", pb.last.id);
	assert_int_equal(audits_of(f, "payment.accept", path).n, 1);
	snprintf(path, sizeof(path), "payment:%lld", pu.last.id);
	assert_int_equal(audits_of(f, "payment.assign", path).n, 1);
	snprintf(path, sizeof(path), "payment:%lld", px.last.id);
	assert_int_equal(audits_of(f, "payment.refund", path).n, 1);
	snprintf(path, sizeof(path), "import:%lld", imp);
	assert_int_equal(audits_of(f, "payment.import", path).n, 1);
	buf_free(&csv);
}

/* A payment for an order that has ended (here rejected) stays open
 * until the money goes back: the office may refund it, but not accept
 * it, which would keep money for no certificate and take it off the
 * list of payments to return.  Its row offers no "accept". */
static void test_payment_for_an_ended_order_is_refunded_not_accepted(void **state)
{
	struct office *f = *state;
	long long id = office_order(f, "NS"), imp = 0;
	struct order o = office_order_get(f, id);
	struct buf csv = BUF_INIT;
	struct pays p;
	char path[64], accept[96];
	const char *row, *end, *button;

	assert_int_equal(office_post(f, &f->ns, office_path(id, "reject"), "reason",
				     "Licenca nije va\xc5\xbe"
				     "e\xc4\x87"
				     "a",
				     "confirm", "1", NULL),
			 303);
	assert_string_equal(office_state(f, id), "rejected");
	csv_header(&csv);
	csv_line(&csv, total_text(f, id, 0), o.payment_ref, bank_id());
	assert_int_equal(import_text(f, &f->ns, buf_cstr(&csv), "csv", &imp), 303);
	p = payments_of(f, id);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.last.resolved_at, 0);

	/* Listed to be resolved, without an accept button. */
	snprintf(path, sizeof(path), "/ra/payments/%lld/resolve", p.last.id);
	assert_int_equal(office_get(f, &f->ns, "/ra/payments/unresolved"), 200);
	office_body_has(f, path);
	snprintf(accept, sizeof(accept), "id=\"p-%lld\"", p.last.id);
	office_body_has(f, accept);
	row = strstr(BODY(f), accept);
	end = strstr(row, "</section>");
	assert_non_null(end);
	button = strstr(row, "value=\"accept\"");
	assert_true(button == NULL || button > end);

	/* Accepting is refused with what to do instead, and changes nothing. */
	assert_int_equal(office_post(f, &f->ns, path, "action", "accept", "note",
				     "Zadr\xc5\xbe"
				     "ano",
				     NULL),
			 409);
	office_body_has(f, "refund it to the payer");
	assert_int_equal(payments_of(f, id).last.resolved_at, 0);
	assert_string_equal(office_state(f, id), "rejected");
	/* Refunding is what is left to do. */
	assert_int_equal(office_post(f, &f->ns, path, "action", "refund", "note",
				     "Vra\xc4\x87"
				     "eno 26.11.2024.",
				     NULL),
			 303);
	assert_string_equal(payments_of(f, id).last.resolution, "refunded");
	buf_free(&csv);
}

/* The order's state exactly as stored (struct order may be narrower). */
static const char *stored_state(struct office *f, long long id)
{
	static char state[64];
	char ids[32], *row;
	const char *params[] = {ids, NULL};

	snprintf(ids, sizeof(ids), "%lld", id);
	row = server_sql_ok(&f->s, "SELECT state FROM order_state WHERE order_id = $1", params);
	snprintf(state, sizeof(state), "%s", row);
	free(row);
	return state;
}

static void test_payment_in_full_while_documents_are_incomplete_is_kept(void **state)
{
	struct office *f = *state;
	long long id = office_order(f, "NS");
	char path[64];
	struct pays p;

	snprintf(path, sizeof(path), "/ra/orders/%lld/documents", id);
	assert_int_equal(office_post(f, &f->ns, path, "doc_request", "1", NULL), 303);
	assert_string_equal(stored_state(f, id), "documents_incomplete");
	assert_int_equal(office_pay_by_hand(f, &f->ns, id, total_text(f, id, 0), NULL, NULL, NULL),
			 303);
	assert_string_equal(stored_state(f, id), "documents_incomplete_paid");
	p = payments_of(f, id);
	assert_string_equal(p.last.match, "exact");
	assert_string_equal(p.last.resolution, "paid");
}

/* ---- Access ---------------------------------------------------------------------------------- */

static void test_operator_of_another_office_cannot_see_the_payments(void **state)
{
	struct office *f = *state;
	long long a = office_order(f, "NS");
	struct pays pa;
	char path[64];

	assert_int_equal(office_pay_by_hand(f, &f->ns, a, "100,00", NULL, NULL, NULL), 303);
	pa = payments_of(f, a);
	assert_int_equal(pa.n, 1);
	/* BG gets what a missing order or payment gets. */
	assert_int_equal(office_get(f, &f->bg, "/ra/orders/%lld", a), 404);
	office_body_lacks(f, "100,00");
	snprintf(path, sizeof(path), "/ra/orders/%lld/payments", a);
	assert_int_equal(
		office_post(f, &f->bg, path, "amount", "100,00", "paid_on", "25.11.2024", NULL),
		404);
	snprintf(path, sizeof(path), "/ra/payments/%lld/resolve", pa.last.id);
	assert_int_equal(office_post(f, &f->bg, path, "action", "refund", "note", "x", NULL), 404);
	assert_int_equal(office_post(f, &f->bg, "/ra/payments/999999999/resolve", "action",
				     "refund", "note", "x", NULL),
			 404);
	assert_int_equal(office_get(f, &f->bg, "/ra/payments/unresolved"), 200);
	office_body_lacks(f, path);
	assert_int_equal(payments_of(f, a).n, 1);
	assert_int_equal(payments_of(f, a).last.resolved_at, 0);
	/* The administrator sees it. */
	assert_int_equal(office_get(f, &f->admin, "/ra/payments/unresolved?office=NS"), 200);
	office_body_has(f, path);
}

static void test_auditor_reads_but_cannot_post(void **state)
{
	struct office *f = *state;
	long long a = office_order(f, "NS");
	struct pays pa;
	char path[64];

	assert_int_equal(office_pay_by_hand(f, &f->ns, a, "100,00", NULL, NULL, NULL), 303);
	pa = payments_of(f, a);
	assert_int_equal(office_get(f, &f->auditor, "/ra/orders/%lld", a), 200);
	office_body_has(f, "100,00");
	office_body_lacks(f, "/payments\"");
	assert_int_equal(office_get(f, &f->auditor, "/ra/payments/unresolved"), 200);
	office_body_lacks(f, "/resolve\"");
	assert_int_equal(office_get(f, &f->auditor, "/ra/payments/import"), 200);
	office_body_lacks(f, "<textarea");
	snprintf(path, sizeof(path), "/ra/orders/%lld/payments", a);
	assert_int_equal(office_post(f, &f->auditor, path, "amount", "100,00", "paid_on",
				     "25.11.2024", NULL),
			 403);
	assert_int_equal(office_post(f, &f->auditor, "/ra/payments/import", "statement", "x", NULL),
			 403);
	snprintf(path, sizeof(path), "/ra/payments/%lld/resolve", pa.last.id);
	assert_int_equal(office_post(f, &f->auditor, path, "action", "refund", "note", "x", NULL),
			 403);
	assert_int_equal(payments_of(f, a).n, 1);
	assert_int_equal(payments_of(f, a).last.resolved_at, 0);
}

/* The unresolved list pages by key (issue 17, point 6): the next page
 * is the open payments after the last one shown (?after=ID), the
 * previous one those before the first (?before=ID). */
#define SECTION "<section class=\"payment\" aria-labelledby=\"p-"
static void test_unresolved_list_pages_by_the_last_payment_shown(void **state)
{
	struct office *f = *state;
	struct buf csv = BUF_INIT;
	long long imp, last = 0, first2 = 0, id;
	const char *p;
	char text[48];
	int i, n;

	csv_header(&csv);
	for (i = 0; i < 26; i++) { /* a page of 25 and more */
		snprintf(text, sizeof(text), "Uplata bez poziva %d", i);
		csv_line(&csv, "10,00", text, bank_id());
	}
	assert_int_equal(import_text(f, &f->ns, buf_cstr(&csv), "csv", &imp), 303);
	buf_free(&csv);
	assert_int_equal(office_get(f, &f->admin, "/ra/payments/unresolved"), 200);
	for (n = 0, p = BODY(f); (p = strstr(p, SECTION)) != NULL; n++)
		last = strtoll(p += strlen(SECTION), NULL, 10);
	assert_int_equal(n, 25);
	snprintf(text, sizeof(text), "after=%lld&amp;page=2\"", last);
	office_body_has(f, text);
	office_body_lacks(f, "rel=\"prev\"");
	assert_int_equal(
		office_get(f, &f->admin, "/ra/payments/unresolved?office=&after=%lld&page=2", last),
		200);
	for (n = 0, p = BODY(f); (p = strstr(p, SECTION)) != NULL; n++) {
		id = strtoll(p += strlen(SECTION), NULL, 10);
		assert_true(id > last);
		if (n == 0)
			first2 = id;
	}
	assert_true(n >= 1);
	snprintf(text, sizeof(text), "before=%lld&amp;page=1\"", first2);
	office_body_has(f, text);
	assert_int_equal(office_get(f, &f->admin,
				    "/ra/payments/unresolved?office=&before=%lld&page=1", first2),
			 200);
	snprintf(text, sizeof(text), "p-%lld\"", last);
	office_body_has(f, text);
	office_body_lacks(f, "rel=\"prev\"");
}

static void test_audit_log_is_intact_after_the_payments(void **state)
{
	struct office *f = *state;
	const char *args[] = {"audit", "verify", NULL};
	struct audits rec = audits_of(f, "payment.", NULL);

	assert_true(rec.n > 0);
	assert_int_equal(office_cli(f, args), 0);
	assert_non_null(strstr(buf_cstr(&f->out), "intact"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_manual_payment_in_full_moves_the_order),
		cmocka_unit_test(test_manual_payment_is_validated),
		cmocka_unit_test(test_csv_import_matches_by_reference_and_moves_the_order),
		cmocka_unit_test(test_same_statement_imported_twice_records_nothing_twice),
		cmocka_unit_test(test_manual_payment_seen_on_the_statement_is_not_doubled),
		cmocka_unit_test(test_statement_errors_are_reported_with_line_numbers),
		cmocka_unit_test(test_camt053_import_from_the_command_line),
		cmocka_unit_test(test_partial_overpaid_and_unknown_are_listed_and_resolved),
		cmocka_unit_test(test_payment_in_full_while_documents_are_incomplete_is_kept),
		cmocka_unit_test(test_payment_for_an_ended_order_is_refunded_not_accepted),
		cmocka_unit_test(test_operator_of_another_office_cannot_see_the_payments),
		cmocka_unit_test(test_refused_late_in_a_large_file_records_nothing),
		cmocka_unit_test(test_large_statement_sees_its_own_earlier_lines),
		cmocka_unit_test(test_statement_file_uploaded_on_the_import_page),
		cmocka_unit_test(test_only_importing_staff_may_upload_a_large_file),
		cmocka_unit_test(test_auditor_reads_but_cannot_post),
		cmocka_unit_test(test_unresolved_list_pages_by_the_last_payment_shown),
		cmocka_unit_test(test_audit_log_is_intact_after_the_payments),
	};

	return cmocka_run_group_tests(tests, office_setup, office_teardown);
}
