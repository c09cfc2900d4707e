/*
 * Payments (issue 4): recorded by hand on an order's page, or imported
 * from a bank statement (pasted on /ra/payments/import, or a file with
 * `qcra payments import`); matched to orders by the model 97 reference;
 * the ones that cannot settle an order on their own listed for an
 * operator to resolve.
 *
 * Rules:
 * - A payment whose reference names an order (payment_ref_order_id) is
 *   classified against the order's total and what was paid before,
 *   earlier lines of the same import included (payment_match).  Paid
 *   exactly, it moves the order (event payment) when the workflow
 *   allows it in the order's state, and settles the order's earlier
 *   partial payments.  Every other payment (partial, overpaid, unknown
 *   reference, or exact for an order that cannot take a payment now) is
 *   recorded open and listed on /ra/payments/unresolved; nothing is
 *   dropped.  Drafts have no amount due yet: a payment naming one is
 *   treated as an unknown reference.
 * - Each payment has a unique fingerprint: the statement line's
 *   (domain/statement.h), or for a manual one the form's one-time
 *   nonce; a second import of the same statement, or a form sent twice,
 *   records nothing again.
 * - Resolving: an unknown payment is assigned to an order by number
 *   (then matched like a new one); a partial or overpaid one accepted
 *   (the operator settles the order with it, with a note) or refunded
 *   (with a note; it then no longer counts as paid).
 * - Scope: a payment belongs to its order's pickup office; operators
 *   see and resolve those of their office and the unknown ones (which
 *   belong to no office), and may assign them only to orders of their
 *   office.  Auditors read; their POSTs get 403 from the route table.
 * - Each payment, import and resolution is audited in the transaction
 *   that records it, together with the order's transition.
 */
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/payment.h"
#include "domain/catalog.h"
#include "domain/payment.h"
#include "domain/statement.h"
#include "domain/workflow.h"
#include "store/store_payments.h"
#include "util/log.h"
#include "web/app.h"
#include "web/handlers.h"
#include "web/pages.h"
#include "web/ra_order.h"

#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))
#define PAGE_SIZE 25
#define REPORT_ROWS 100 /* open payments listed on an import's report */

/* ---- Shared page helpers ------------------------------------------------------------ */

static const char *money(struct req *r, long long para)
{
	char buf[32];

	payment_amount_format(para, buf, sizeof(buf));
	return arena_strdup(&r->arena, buf);
}

/* "2024-11-25" as "25.11.2024." */
static const char *date_label(struct req *r, const char *iso)
{
	if (strlen(iso) != 10)
		return iso;
	return arena_printf(&r->arena, "%.2s.%.2s.%.4s.", iso + 8, iso + 5, iso);
}

/* A payment's note in the reader's language: the notes it gathered
 * (" / " between them, store_payments.h) each shown as i18n_note_text
 * shows it, so the portal's own notes are translated and people's are
 * kept as written. */
static const char *payment_note(struct req *r, const char *note)
{
	struct buf b = BUF_INIT;
	const char *p = note, *sep;
	char *piece, *out;

	if (strchr(note, '\x1e') == NULL)
		return note; /* nothing the portal wrote as a note */
	for (;;) {
		sep = strstr(p, " / ");
		piece = arena_strndup(&r->arena, p, sep != NULL ? (size_t)(sep - p) : strlen(p));
		buf_puts(&b, i18n_note_text(&r->arena, r->lang, piece));
		if (sep == NULL)
			break;
		buf_puts(&b, " / ");
		p = sep + 3;
	}
	out = arena_strndup(&r->arena, buf_cstr(&b), b.len);
	buf_free(&b);
	return out;
}

static const char *keyed(struct req *r, const char *prefix, const char *name)
{
	char key[64];

	snprintf(key, sizeof(key), "%s%s", prefix, *name ? name : "open");
	return msg(r, key);
}

/* 1 when this staff member may see payment p (ASVS 8.2.1). */
static int pay_visible(struct req *r, const struct payment *p)
{
	const struct ra_user *u = ra_user(r);

	return u->role != RA_OPERATOR || p->order_id == 0 || strcmp(p->office, u->office) == 0;
}

/* ---- The Payments section of the order page ------------------------------------------ */

struct rows_ctx {
	struct req *r;
	struct tctx *c;
	long long paid; /* refunds excluded */
	int open;
};

static int add_order_payment(void *arg, const struct payment *p)
{
	struct rows_ctx *x = arg;
	struct tctx *row = tctx_add(x->c, "pay_rows");

	tctx_set_bool(x->c, "pay_has_rows", 1);
	tctx_set(row, "p_date", date_label(x->r, p->paid_on));
	tctx_set(row, "p_amount", money(x->r, p->amount_para));
	tctx_set(row, "p_payer", p->payer);
	tctx_set(row, "p_reference", page_payment_ref(x->r, p->reference));
	tctx_set(row, "p_source", keyed(x->r, "pay.source_", p->source));
	tctx_set(row, "p_match", keyed(x->r, "pay.match_", p->match));
	tctx_set(row, "p_status", keyed(x->r, "pay.res_", p->resolution));
	tctx_set(row, "p_note", payment_note(x->r, p->note));
	if (strcmp(p->resolution, "refunded") != 0)
		x->paid += p->amount_para;
	if (p->resolved_at == 0)
		x->open = 1;
	return 0;
}

void ra_payments_ctx(struct req *r, struct tctx *c, const struct order *o)
{
	const struct ra_user *u = ra_user(r);
	const char *done = http_query(r, "pay");
	struct rows_ctx x = {r, c, 0, 0};
	char nonce[65], today[16];
	unsigned char unused[32];
	time_t now = time(NULL);
	struct tm tm;

	tctx_set_list(c, "pay_rows");
	if (store_payment_each_order(app_of(r)->store, o->id, add_order_payment, &x) != STORE_OK) {
		tctx_set(c, "pay_error", msg(r, "error.storage"));
		return;
	}
	tctx_set(c, "pay_paid", money(r, x.paid));
	if (o->total_para > x.paid)
		tctx_set(c, "pay_due", money(r, o->total_para - x.paid));
	else if (x.paid > o->total_para)
		tctx_set(c, "pay_excess", money(r, x.paid - o->total_para));
	if (x.open)
		tctx_set_bool(c, "pay_open", 1);
	if (done != NULL && tctx_get(c, "pay_error") == NULL &&
	    (strcmp(done, "settled") == 0 || strcmp(done, "open") == 0 || strcmp(done, "dup") == 0))
		tctx_set(c, "pay_notice", keyed(r, "pay.done_", done));
	if (u == NULL || u->role == RA_AUDITOR)
		return;
	if (o->total_para > 0 && x.paid >= o->total_para && tctx_get(c, "pay_nonce") == NULL) {
		/* Nothing is due: no form (a payment still arriving goes to
		 * the unresolved list from the statement). */
		tctx_set_bool(c, "pay_paid_in_full", 1);
		return;
	}
	tctx_set_bool(c, "pay_may_record", 1);
	if (tctx_get(c, "pay_nonce") != NULL)
		return; /* a form sent back with its values */
	token_new(nonce, unused);
	tctx_set(c, "pay_nonce", nonce);
	localtime_r(&now, &tm);
	strftime(today, sizeof(today), "%d.%m.%Y.", &tm);
	tctx_set(c, "pay_v_paid_on", today);
	tctx_set(c, "pay_v_reference", page_payment_ref(r, o->payment_ref));
	/* The amount is typed from the bank's record, never offered: a
	 * form filled in advance is too easily sent unread. */
}

/* ---- POST /ra/orders/N/payments: a payment recorded by hand ------------------------- */

static const char *check_amount(const struct field_ctx *cx, const char *v, struct field_value *out)
{
	return payment_amount_parse(v, &out->n, NULL) == 0 && out->n > 0 ? NULL
									 : "pay.amount_invalid";
}

static const char *check_date(const struct field_ctx *cx, const char *v, struct field_value *out)
{
	char iso[11], today[11];
	time_t now = time(NULL);
	struct tm tm;

	if (payment_date_parse(v, iso) != 0)
		return "pay.date_invalid";
	localtime_r(&now, &tm);
	strftime(today, sizeof(today), "%Y-%m-%d", &tm);
	if (strcmp(iso, today) > 0)
		return "pay.date_future";
	out->text = arena_strdup(cx->arena, iso);
	return NULL;
}

static const char *check_nonce(const struct field_ctx *cx, const char *v, struct field_value *out)
{
	size_t i;

	for (i = 0; v[i]; i++)
		if (!((v[i] >= '0' && v[i] <= '9') || (v[i] >= 'a' && v[i] <= 'f')))
			return "pay.form_stale";
	return i == 64 ? NULL : "pay.form_stale";
}

static const struct field manual_fields[] = {
	{"amount", "pay.amount", "text", "off", 24, F_REQUIRED, check_amount, NULL, NULL},
	{"paid_on", "pay.paid_on", "text", "off", 12, F_REQUIRED, check_date, NULL, NULL},
	{"reference", "pay.reference", "text", "off", PAYMENT_REF_TEXT_MAX, 0, NULL, NULL, NULL},
	{"payer", "pay.payer", "text", "off", PAYMENT_PAYER_MAX, 0, NULL, NULL, NULL},
	{"note", "pay.note", "text", "off", PAYMENT_NOTE_MAX, 0, NULL, NULL, NULL},
	{"nonce", "pay.nonce", "hidden", "off", 64, F_REQUIRED, check_nonce, NULL, NULL},
};

/* The order page again with the form's values and its errors (422). */
static void manual_error(struct req *r, const struct order *o, const struct fstate *st)
{
	struct tctx *c = page_ctx(r);
	char name[32];
	size_t i;

	for (i = 0; i < st->n; i++) {
		snprintf(name, sizeof(name), "pay_v_%s", st->fields[i].name);
		tctx_set(c, name, st->values[i]);
		if (st->errors[i] != NULL) {
			snprintf(name, sizeof(name), "pay_e_%s", st->fields[i].name);
			tctx_set(c, name, fields_error_text(r, st, i));
		}
	}
	tctx_set(c, "pay_nonce", fields_value(st, "nonce"));
	tctx_set(c, "pay_error", msg(r, "pay.manual_failed"));
	tctx_set(c, "action_error", msg(r, "pay.manual_failed"));
	ra_order_page(r, 422, o, c);
}

void web_ra_payment_add(struct req *r)
{
	struct app_env env = web_env(r);
	struct actor a = web_actor(r);
	struct uc_result res;
	struct payment p;
	struct fstate st;
	struct order o;
	const char *outcome = "open";
	char loc[96];
	long long other;
	int ref97;

	if (ra_order_load(r, &o) != 0)
		return;
	fields_read(r, manual_fields, NFIELDS(manual_fields), &st);
	memset(&p, 0, sizeof(p));
	ref97 = payment_ref_normalize(
		*fields_value(&st, "reference") ? fields_value(&st, "reference") : o.payment_ref,
		p.reference, sizeof(p.reference));
	if (ref97 == 1 && payment_ref_order_id(p.reference, &other) == 0 && other != o.id)
		fields_error(&st, "reference", "pay.reference_other_order");
	if (st.nerrors > 0) {
		manual_error(r, &o, &st);
		return;
	}
	p.amount_para = fields_number(&st, "amount");
	snprintf(p.paid_on, sizeof(p.paid_on), "%s", fields_parsed(&st, "paid_on"));
	snprintf(loc, sizeof(loc), "/ra/orders/%lld#payments", o.id);
	if (page_ask_first(r, "ask.payment_title",
			   i18n_format(&r->arena, r->lang, "ask.payment", "id",
				       arena_printf(&r->arena, "%lld", o.id), "amount",
				       money(r, p.amount_para), "date", date_label(r, p.paid_on),
				       "reference", page_payment_ref(r, p.reference), NULL),
			   "ask.payment_button", loc))
		return;
	payment_text_clean(p.payer, sizeof(p.payer), fields_value(&st, "payer"),
			   strlen(fields_value(&st, "payer")));
	payment_text_clean(p.note, sizeof(p.note), fields_value(&st, "note"),
			   strlen(fields_value(&st, "note")));
	snprintf(p.source, sizeof(p.source), "manual");
	snprintf(p.fingerprint, sizeof(p.fingerprint), "m:%lld:%s", o.id,
		 fields_value(&st, "nonce"));
	res = uc_payment_add(&env, &a, &o, &p, &outcome);
	snprintf(loc, sizeof(loc), "/ra/orders/%lld?pay=%s#payments", o.id, outcome);
	web_answer_item(r, res, loc);
}

/* ---- Statement import: GET/POST /ra/payments/import, GET /ra/payments/imports/N ------- */

/* An import's number, time, file, author and counts into c: a row of
 * the import page's list, or the head of the import's report. */
static void import_ctx(struct req *r, struct tctx *c, const struct stmt_import *imp)
{
	tctx_setf(c, "iid", "%lld", imp->id);
	tctx_set(c, "when", page_time(r, imp->created_at, 1));
	tctx_set(c, "file", imp->file_name);
	tctx_set(c, "by", imp->created_by);
	tctx_setf(c, "lines", "%lld", imp->lines);
	tctx_setf(c, "added", "%lld", imp->added);
	tctx_setf(c, "duplicates", "%lld", imp->duplicates);
	tctx_setf(c, "errors", "%lld", imp->errors);
	tctx_setf(c, "unresolved", "%lld", imp->unresolved);
}

static int add_import(void *arg, const struct stmt_import *imp)
{
	struct rows_ctx *x = arg;

	tctx_set_bool(x->c, "has_imports", 1);
	import_ctx(x->r, tctx_add(x->c, "imports"), imp);
	return 0;
}

/* A statement problem in the page's language: "stmt.*" with {value};
 * older stored rows (no key) as they were stored. */
static const char *problem_text(struct req *r, const char *key, const char *value,
				const char *english)
{
	if (key == NULL || key[0] == '\0' || !i18n_has(LANG_SR, key))
		return english;
	return i18n_format(&r->arena, r->lang, key, "value", value, NULL);
}

/* Why a whole statement was refused, for pay.import_refused's {why}. */
static const char *refusal_text(struct req *r, const struct pay_import_result *res)
{
	const char *why = problem_text(r, res->why_key, res->why_arg, res->why);
	char line[24];

	if (res->why_key == NULL || res->why_line <= 0)
		return why;
	snprintf(line, sizeof(line), "%lld", res->why_line);
	return arena_printf(&r->arena, "%s %s",
			    i18n_format(&r->arena, r->lang, "stmt.line", "line", line, NULL), why);
}

/* One row of an import's error list. */
static const char *error_row_text(struct req *r, const struct pay_error_line *e)
{
	const char *text = problem_text(r, e->key, e->value, e->text);
	char line[24];

	if (e->line <= 0 || e->key[0] == '\0')
		return text;
	snprintf(line, sizeof(line), "%lld", e->line);
	return i18n_format(&r->arena, r->lang, "stmt.row", "line", line, "text", text, NULL);
}

static void import_page(struct req *r, unsigned status, struct tctx *c)
{
	const struct ra_user *u = ra_user(r);
	const char *fmt = tctx_get(c, "v_format");
	struct rows_ctx x = {r, c, 0, 0};

	tctx_set_list(c, "imports");
	if (store_import_each(app_of(r)->store, 20, add_import, &x) != STORE_OK) {
		page_error(r, 503, "error.storage");
		return;
	}
	if (u->role != RA_AUDITOR)
		tctx_set_bool(c, "may_import", 1);
	if (fmt != NULL && strcmp(fmt, "csv") == 0)
		tctx_set_bool(c, "fmt_csv", 1);
	if (fmt != NULL && strcmp(fmt, "camt.053") == 0)
		tctx_set_bool(c, "fmt_camt", 1);
	tctx_setf(c, "max_kb", "%zu", app_of(r)->cfg->max_form_bytes / 1024);
	tctx_setf(c, "max_chars", "%zu", app_of(r)->cfg->max_form_bytes);
	tctx_setf(c, "max_upload_mb", "%zu", app_of(r)->cfg->max_upload_bytes / (1024 * 1024));
	page_render(r, status, "ra_payments_import", "pay.import_title", c);
}

void web_ra_payments_import_get(struct req *r)
{
	import_page(r, 200, page_ctx(r));
}

static const char *check_format(const struct field_ctx *cx, const char *v, struct field_value *out)
{
	int f;

	for (f = 0; f < STMT__MAX; f++)
		if (strcmp(v, stmt_format_name((enum stmt_format)f)) == 0)
			return NULL;
	return "pay.format_invalid";
}

void web_ra_payments_import_post(struct req *r)
{
	struct field f[] = {
		{"statement", "pay.statement", "textarea", "off", 0, 0, NULL, NULL, NULL},
		{"file_name", "pay.file_name", "text", "off", 100, 0, NULL, NULL, NULL},
		{"format", "pay.format", "select", "off", 12, 0, check_format, NULL, NULL},
	};
	struct app_env env = web_env(r);
	struct actor a = web_actor(r);
	struct pay_import_result res;
	struct fstate st;
	struct tctx *c;
	const char *text, *name, *fmt, *file, *file_name;
	size_t len = 0;
	char loc[64];
	int format = STMT_AUTO, rc;

	f[0].maxlen = app_of(r)->cfg->max_form_bytes;
	fields_read(r, f, NFIELDS(f), &st);
	text = fields_value(&st, "statement");
	/* A chosen file wins over pasted text; its name names the import
	 * unless one is typed. */
	file = form_get_len(&r->form, "file", &len);
	file_name = form_get(&r->form, "file:filename");
	if (file != NULL && len > 0) {
		text = file;
		name = *fields_value(&st, "file_name")   ? fields_value(&st, "file_name")
		       : file_name != NULL && *file_name ? file_name
							 : "(file)";
	} else {
		len = strlen(text);
		name = *fields_value(&st, "file_name") ? fields_value(&st, "file_name")
						       : "(pasted)";
		if (len == 0 && st.nerrors == 0)
			fields_error(&st, "statement", "field.required");
	}
	fmt = fields_value(&st, "format");
	for (; *fmt && format < STMT__MAX; format++)
		if (strcmp(fmt, stmt_format_name((enum stmt_format)format)) == 0)
			break;
	c = page_ctx(r);
	tctx_set(c, "v_file_name", fields_value(&st, "file_name"));
	tctx_set(c, "v_format", fmt);
	tctx_set(c, "v_statement", fields_value(&st, "statement"));
	if (st.nerrors > 0) {
		const char *key = NULL;
		size_t i;

		for (i = 0; i < st.n && key == NULL; i++)
			key = st.errors[i];
		tctx_set(c, "form_error",
			 strcmp(key, "field.required") == 0 ? msg(r, "pay.statement_empty")
							    : fields_first_error(r, &st));
		import_page(r, 422, c);
		return;
	}
	rc = uc_payments_import(&env, &a, name, text, len, format, &res);
	if (rc == STORE_NOTFOUND) {
		tctx_set(c, "form_error",
			 i18n_format(&r->arena, r->lang, "pay.import_refused", "why",
				     refusal_text(r, &res), NULL));
		import_page(r, 422, c);
		return;
	}
	if (rc != STORE_OK) {
		page_error(r, 503, "error.storage");
		return;
	}
	snprintf(loc, sizeof(loc), "/ra/payments/imports/%lld", res.import_id);
	http_redirect(r, loc);
}

/* ---- Open payments: rows with their resolve forms ---------------------------------------- */

struct open_ctx {
	struct req *r;
	struct tctx *c;
	int may_resolve;
	long long err_id; /* the row whose form failed, with err/v_order/v_note */
	const char *err, *v_order, *v_note;
};

static int add_open(void *arg, const struct payment *p)
{
	struct open_ctx *x = arg;
	struct tctx *row = tctx_add(x->c, "rows");

	tctx_set_bool(x->c, "has_rows", 1);
	tctx_setf(row, "pid", "%lld", p->id);
	tctx_set(row, "amount", money(x->r, p->amount_para));
	tctx_set(row, "date", date_label(x->r, p->paid_on));
	tctx_set(row, "payer", p->payer);
	tctx_set(row, "reference", page_payment_ref(x->r, p->reference));
	tctx_set(row, "purpose", p->purpose);
	tctx_set(row, "match_label", keyed(x->r, "pay.match_", p->match));
	tctx_set(row, "source_label", keyed(x->r, "pay.source_", p->source));
	tctx_set(row, "p_note", payment_note(x->r, p->note));
	if (p->order_id != 0) {
		tctx_setf(row, "order", "%lld", p->order_id);
		tctx_set(row, "order_state", page_state_label(x->r, p->order_state));
		tctx_set_bool(row, workflow_final(p->order_state) ? "ended" : "may_accept", 1);
	} else
		tctx_set_bool(row, "unknown", 1);
	if (p->import_id != 0) {
		tctx_setf(row, "import", "%lld", p->import_id);
		tctx_setf(row, "line", "%lld", p->line);
	}
	if (x->may_resolve)
		tctx_set_bool(row, "may_resolve", 1);
	if (p->id == x->err_id) {
		tctx_set(row, "err", x->err);
		tctx_set(row, "v_order", x->v_order);
		tctx_set(row, "v_note", x->v_note);
	}
	return 0;
}

static int keep_open(void *arg, const struct payment *p)
{
	return page_got_keep(arg, p->id, p);
}

static void unresolved_page(struct req *r, unsigned status, struct tctx *c, struct open_ctx *x)
{
	const char *done = http_query(r, "done");
	struct payment_filter f;
	struct page_got got;
	struct page_read rows = {NULL, 0, PAGE_SIZE, 0, PAYMENT_COUNT_CAP, "bo.found_more"};
	struct page_key key;
	char link[64];
	size_t i, from, n;

	memset(&f, 0, sizeof(f));
	f.office = ra_scope_office(r);
	ra_office_filter_ctx(r, c, f.office);
	/* A row more than a page: whether there is a page beyond. */
	page_key_read(r, &key);
	f.limit = PAGE_SIZE + 1;
	f.after = key.after;
	f.before = key.before;
	page_got_init(r, &got, sizeof(struct payment), PAGE_SIZE + 1);
	x->r = r;
	x->c = c;
	x->may_resolve = ra_user(r)->role != RA_AUDITOR;
	tctx_set_list(c, "rows");
	if (store_payment_count_open(app_of(r)->store, &f, &rows.total) != STORE_OK ||
	    store_payment_each_open(app_of(r)->store, &f, keep_open, &got) != STORE_OK) {
		page_error(r, 503, "error.storage");
		return;
	}
	snprintf(link, sizeof(link), "/ra/payments/unresolved?office=%s", f.office);
	rows.ids = got.ids;
	rows.got = got.n;
	page_key_ctx(r, c, &key, &rows, link, &from, &n);
	for (i = from; i < from + n; i++)
		add_open(x, (const struct payment *)(got.v + i * got.size));
	if (done != NULL && x->err == NULL &&
	    (strcmp(done, "assign") == 0 || strcmp(done, "settled") == 0 ||
	     strcmp(done, "accept") == 0 || strcmp(done, "refund") == 0))
		tctx_set(c, "notice", keyed(r, "pay.resolved_", done));
	page_render(r, status, "ra_payments_unresolved", "pay.unresolved_title", c);
}

void web_ra_payments_unresolved(struct req *r)
{
	struct open_ctx x;

	memset(&x, 0, sizeof(x));
	unresolved_page(r, 200, page_ctx(r), &x);
}

/* GET /ra/payments/imports/N: the report of one import. */
void web_ra_payments_import_report(struct req *r)
{
	struct stmt_import *imp = arena_alloc(&r->arena, sizeof(*imp));
	struct tctx *c = page_ctx(r), *e;
	struct payment_filter f;
	struct open_ctx x;
	long long same = 0, open = 0;
	struct pay_error_line line;
	const char *p;
	int rc = store_import_get(app_of(r)->store, r->ids[0], imp);

	if (rc != STORE_OK) {
		page_error(r, rc == STORE_NOTFOUND ? 404 : 503,
			   rc == STORE_NOTFOUND ? "pay.import_not_found" : "error.storage");
		return;
	}
	import_ctx(r, c, imp);
	tctx_set(c, "format", imp->format);
	tctx_set(c, "sha256", imp->sha256);
	tctx_setf(c, "skipped", "%lld", imp->skipped);
	tctx_setf(c, "settled", "%lld", imp->settled);
	if (store_import_same_file(app_of(r)->store, imp->sha256, imp->id, &same) == STORE_OK)
		tctx_setf(c, "same_file", "%lld", same);
	for (p = imp->error_lines; pay_error_line_next(&p, &line) == 0;) {
		e = tctx_add(c, "error_rows");
		tctx_set(e, "text", error_row_text(r, &line));
		tctx_set_bool(c, "has_errors", 1);
	}
	memset(&f, 0, sizeof(f));
	memset(&x, 0, sizeof(x));
	f.office = ra_user(r)->role == RA_OPERATOR ? ra_user(r)->office : "";
	f.import_id = imp->id;
	f.limit = REPORT_ROWS;
	x.r = r;
	x.c = c;
	x.may_resolve = ra_user(r)->role != RA_AUDITOR;
	tctx_set_list(c, "rows");
	if (store_payment_count_open(app_of(r)->store, &f, &open) != STORE_OK ||
	    store_payment_each_open(app_of(r)->store, &f, add_open, &x) != STORE_OK) {
		page_error(r, 503, "error.storage");
		return;
	}
	tctx_setf(c, "open_now", "%lld", open);
	if (open > REPORT_ROWS)
		tctx_set_bool(c, "more_open", 1);
	page_render(r, 200, "ra_payments_report", "pay.report_title", c);
}

/* ---- POST /ra/payments/N/resolve ---------------------------------------------------------- */

static const char *check_action(const struct field_ctx *cx, const char *v, struct field_value *out)
{
	return strcmp(v, "assign") == 0 || strcmp(v, "accept") == 0 || strcmp(v, "refund") == 0
		       ? NULL
		       : "pay.action_invalid";
}

static const char *check_order_number(const struct field_ctx *cx, const char *v,
				      struct field_value *out)
{
	size_t n = strspn(v, "0123456789");

	return n > 0 && n <= 12 && v[n] == '\0' ? NULL : "pay.order_invalid";
}

static const struct field resolve_fields[] = {
	{"action", "pay.action", "text", "off", 10, F_REQUIRED, check_action, NULL, NULL},
	{"order", "pay.assign_order", "text", "off", 12, 0, check_order_number, NULL, NULL},
	{"note", "pay.resolve_note", "text", "off", PAYMENT_NOTE_MAX, 0, NULL, NULL, NULL},
};

/* The list again with the error next to payment id's form. */
/* The unresolved list again with text beside payment id's form. */
static void resolve_error(struct req *r, unsigned status, long long id, const struct fstate *st,
			  const char *text)
{
	struct tctx *c = page_ctx(r);
	struct open_ctx x;

	memset(&x, 0, sizeof(x));
	x.err_id = id;
	x.err = text;
	x.v_order = fields_value(st, "order");
	x.v_note = fields_value(st, "note");
	tctx_set(c, "form_error", x.err);
	unresolved_page(r, status, c, &x);
}

void web_ra_payment_resolve(struct req *r)
{
	const struct ra_user *u = ra_user(r);
	struct app_env env = web_env(r);
	struct actor a = web_actor(r);
	struct payment_resolution in;
	struct uc_result res;
	struct payment p;
	struct fstate st;
	const char *action, *note;
	char loc[64];
	long long id = r->ids[0];
	int rc, settled = 0;

	rc = store_payment_get(env.store, id, &p);
	if (rc == STORE_OK && !pay_visible(r, &p)) {
		app_audit(r, "payment.other_office", arena_printf(&r->arena, "payment:%lld", id),
			  "denied", "office %s", p.office);
		rc = STORE_NOTFOUND;
	}
	if (rc != STORE_OK) {
		page_error(r, rc == STORE_NOTFOUND ? 404 : 503,
			   rc == STORE_NOTFOUND ? "pay.not_found" : "error.storage");
		return;
	}
	fields_read(r, resolve_fields, NFIELDS(resolve_fields), &st);
	action = fields_value(&st, "action");
	note = fields_value(&st, "note");
	if (p.resolved_at != 0) {
		resolve_error(r, 409, id, &st, msg(r, "pay.resolved_already"));
		return;
	}
	if (st.nerrors == 0 && strcmp(action, "assign") == 0 && p.order_id != 0)
		fields_error(&st, "action", "pay.action_invalid");
	if (st.nerrors == 0 && strcmp(action, "accept") == 0 && p.order_id == 0)
		fields_error(&st, "action", "pay.action_invalid");
	if (st.nerrors == 0 && strcmp(action, "assign") == 0 && !*fields_value(&st, "order"))
		fields_error(&st, "order", "pay.order_required");
	if (st.nerrors == 0 && strcmp(action, "assign") != 0 && *note == '\0')
		fields_error(&st, "note", "pay.note_required");
	if (st.nerrors > 0) {
		resolve_error(r, 422, id, &st, fields_first_error(r, &st));
		return;
	}
	in.action = action;
	in.order = strtoll(fields_value(&st, "order"), NULL, 10);
	in.note = note;
	in.office = u->role == RA_OPERATOR ? u->office : "";
	res = uc_payment_resolve(&env, &a, &p, &in, &settled);
	if (res.status == UC_REFUSED) {
		resolve_error(r, res.field != NULL ? 422 : 409, id, &st, msg(r, res.msg));
		return;
	}
	snprintf(loc, sizeof(loc), "/ra/payments/unresolved?done=%s", settled ? "settled" : action);
	web_answer_item(r, res, loc);
}
