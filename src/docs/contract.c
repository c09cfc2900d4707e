/*
 * The contract between the holder (or the company) and the CA
 * (contract.pdf): the text of templates/docs/contract.txt filled in
 * with the order's data, twice (one copy per party), each copy with
 * signature and stamp places for both parties.
 */
#include "docs/docs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docs/pdf.h"
#include "domain/payment.h"
#include "domain/translit.h"
#include "tmpl/tmpl.h"
#include "util/embedded.h"
#include "util/log.h"

#define CONTRACT_TEMPLATE "templates/docs/contract.txt"
#define CONTRACT_COPIES 2

struct contract_doc {
	const struct order *o;
	const struct catalog *c;
	const char *text; /* the rendered template */
	char holder[520];
};

static void set_address(struct tctx *x, const char *name, const char *street, const char *postal,
			const char *city)
{
	tctx_setf(x, name, "%s, %s %s", street, postal, city);
}

/* A text of the catalogue's (the chamber's name and address, the
 * validity) in the document's script: in Cyrillic in a
 * Cyrillic document, unlike what the member typed. */
static void set_ours(struct tctx *x, const char *name, const char *text)
{
	char cyrl[1024];
	size_t n = strlen(text);

	if (pdf_cyrillic() && 2 * n < sizeof(cyrl)) {
		translit_cyrl(cyrl, sizeof(cyrl), text, n);
		text = cyrl;
	}
	tctx_set(x, name, text);
}

/* The template's values (see the comment at its top). */
static int contract_ctx(struct tctx *x, const struct order *o, const struct catalog *c,
			const struct office *f, const struct tariff_item *t)
{
	const struct seller *s = &c->seller;
	struct invoice inv;
	char money[32], years[32], date[16], account[32], ref[PAYMENT_REF_SIZE], ra_address[400];

	if (invoice_compute(o, c, &inv) != 0)
		return -1;
	tctx_set(x, "ca_name", s->ca_name); /* as its certificates write it */
	set_ours(x, "ra_name", s->name);
	snprintf(ra_address, sizeof(ra_address), "%s, %s %s", s->street, s->postal_code, s->city);
	set_ours(x, "ra_address", ra_address);
	tctx_set(x, "ra_pib", s->pib);
	tctx_set(x, "ra_mb", s->mb);
	tctx_setf(x, "holder_name", "%s %s", o->first_name, o->last_name);
	tctx_set(x, "jmbg", o->jmbg);
	set_address(x, "address", o->street, o->postal_code, o->city);
	tctx_set(x, "id_number", o->id_number);
	tctx_set(x, "id_issuer", o->id_issuer);
	tctx_set_bool(x, "passport", strcmp(o->id_type, "passport") == 0);
	tctx_set(x, "license", o->license_number);
	tctx_set_bool(x, "legal", o->type == ORDER_LEGAL);
	if (o->type == ORDER_LEGAL) {
		tctx_set(x, "position", o->position);
		tctx_set(x, "company_name", o->company_name);
		set_address(x, "company_address", o->company_street, o->company_postal_code,
			    o->company_city);
		tctx_set(x, "company_pib", o->company_pib);
		tctx_set(x, "company_mb", o->company_mb);
	}
	tctx_set(x, "tariff_name", t->name[LANG_SR]);
	pdf_years(t->validity_years, years, sizeof(years));
	set_ours(x, "validity", years);
	tctx_set_bool(x, "reader", o->card_reader);
	tctx_set(x, "office_name", f->name[LANG_SR]);
	set_address(x, "office_address", f->street[LANG_SR], f->postal_code, f->city[LANG_SR]);
	money_format(inv.total_para, money, sizeof(money));
	tctx_set(x, "total", money);
	money_format(inv.net_para, money, sizeof(money));
	tctx_set(x, "net", money);
	money_format(inv.vat_para, money, sizeof(money));
	tctx_set(x, "vat", money);
	tctx_setf(x, "vat_pct", "%d", inv.vat_pct);
	tctx_setf(x, "due_days", "%d", s->due_days);
	pdf_account(s->account, account, sizeof(account));
	tctx_set(x, "account", account);
	tctx_set(x, "bank", s->bank);
	payment_ref_display(o->payment_ref, ref, sizeof(ref));
	tctx_set(x, "payment_ref", ref);
	tctx_setf(x, "order_number", "%lld", o->id);
	pdf_date(pdf_order_time(o), date, sizeof(date));
	tctx_set(x, "date", date);
	return 0;
}

/* Renders the contract text of o into out.  Returns 0 or -1 (logged). */
static int contract_text(const struct order *o, const struct catalog *c, const struct office *f,
			 const struct tariff_item *t, struct buf *out)
{
	const struct embedded_file *e = embedded_find(CONTRACT_TEMPLATE);
	struct tmpl_set *s = NULL;
	struct arena a;
	struct tctx *x;
	char err[256], *cyrl = NULL;
	const char *src;
	size_t len;
	int rc = -1;

	arena_init(&a);
	if (e == NULL) {
		log_warnx("contract: %s is not embedded", CONTRACT_TEMPLATE);
		goto out;
	}
	if ((s = tmpl_set_new()) == NULL)
		goto out;
	/* In Cyrillic the template's text is written in Cyrillic before the
	 * order's values go in, so they stay as the member typed them. */
	src = (const char *)e->data;
	len = e->len;
	if (pdf_cyrillic() && (cyrl = malloc(2 * e->len + 1)) != NULL) {
		len = translit_cyrl(cyrl, 2 * e->len + 1, src, e->len);
		src = cyrl;
	}
	if (tmpl_set_add(s, "contract", src, len, err, sizeof(err)) != 0) {
		log_warnx("contract: %s", err);
		goto out;
	}
	x = tctx_new(&a);
	if (contract_ctx(x, o, c, f, t) != 0) {
		log_warnx("order %lld: contract: no price for tariff %s", o->id, o->validity);
		goto out;
	}
	if (tmpl_render(s, "contract", x, NULL, NULL, out) != 0) {
		log_warnx("contract: rendering failed");
		goto out;
	}
	rc = 0;
out:
	free(cyrl);
	tmpl_set_free(s);
	arena_free(&a);
	return rc;
}

enum block { BLOCK_NONE, BLOCK_TITLE, BLOCK_CENTER, BLOCK_ARTICLE, BLOCK_ITEM, BLOCK_TEXT };

/* Sets one paragraph of the contract (see the template's comment);
 * last is the kind of the paragraph before, so a list ends with room. */
static void contract_block(struct pdf *p, enum block kind, enum block *last, const char *text)
{
	if (kind == BLOCK_NONE)
		return;
	if (*last == BLOCK_ITEM && kind != BLOCK_ITEM)
		pdf_space(p, 1.0);
	*last = kind;
	switch (kind) {
	case BLOCK_NONE:
		break;
	case BLOCK_TITLE:
		pdf_space(p, 1);
		pdf_markup(p, 0, PDF_TITLE, PDF_ALIGN_CENTER, text);
		pdf_space(p, 1.2);
		break;
	case BLOCK_CENTER:
		pdf_markup(p, 0, PDF_TEXT, PDF_ALIGN_CENTER, text);
		pdf_space(p, 4);
		break;
	case BLOCK_ARTICLE:
		pdf_need(p, 18);
		pdf_space(p, 1.2);
		pdf_markup(p, 0, PDF_TEXT_BOLD, PDF_ALIGN_CENTER, text);
		pdf_space(p, 1.2);
		break;
	case BLOCK_ITEM:
		pdf_bullet(p, 3, PDF_TEXT, text, 1);
		pdf_space(p, 0.6);
		break;
	case BLOCK_TEXT:
		pdf_markup(p, 0, PDF_TEXT, PDF_ALIGN_JUSTIFY, text);
		pdf_space(p, 1.5);
		break;
	}
}

/*
 * Walks the rendered text line by line: a blank line or a line with a
 * prefix ends the paragraph being collected; other lines continue it,
 * joined with a space.
 */
static void contract_flow(struct pdf *p, const char *text)
{
	struct buf para = BUF_INIT;
	enum block kind = BLOCK_NONE, last = BLOCK_NONE;
	const char *s = text, *e;

	for (; *s != '\0'; s = *e == '\n' ? e + 1 : e) {
		size_t n;

		e = strchr(s, '\n');
		if (e == NULL)
			e = s + strlen(s);
		n = (size_t)(e - s);
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
			n--;
		if (n == 0 || strncmp(s, "# ", 2) == 0 || strncmp(s, "## ", 3) == 0 ||
		    strncmp(s, "> ", 2) == 0 || strncmp(s, "- ", 2) == 0) {
			contract_block(p, kind, &last, buf_cstr(&para));
			buf_reset(&para);
			kind = BLOCK_NONE;
		}
		if (n == 0)
			continue;
		if (kind != BLOCK_NONE) {
			buf_putc(&para, ' ');
		} else if (strncmp(s, "# ", 2) == 0) {
			kind = BLOCK_TITLE, s += 2, n -= 2;
		} else if (strncmp(s, "## ", 3) == 0) {
			kind = BLOCK_ARTICLE, s += 3, n -= 3;
		} else if (strncmp(s, "> ", 2) == 0) {
			kind = BLOCK_CENTER, s += 2, n -= 2;
		} else if (strncmp(s, "- ", 2) == 0) {
			kind = BLOCK_ITEM, s += 2, n -= 2;
		} else {
			kind = BLOCK_TEXT;
		}
		buf_append(&para, s, n);
	}
	contract_block(p, kind, &last, buf_cstr(&para));
	buf_free(&para);
}

static int contract_body(struct pdf *p, void *arg)
{
	static const char *const labels[CONTRACT_COPIES] = {"Primerak 1", "Primerak 2"};
	const struct contract_doc *d = arg;
	int legal = d->o->type == ORDER_LEGAL;
	struct pdf_sign sign[2];
	int i;

	sign[0] = (struct pdf_sign){"Za Sertifikaciono telo", NULL, "pečat"};
	if (legal) {
		sign[1] = (struct pdf_sign){"Za Korisnika: zakonski zastupnik", NULL,
					    "pečat pravnog lica"};
	} else {
		sign[1] = (struct pdf_sign){"Korisnik (imalac sertifikata)", d->holder,
					    "lični pečat"};
	}
	for (i = 0; i < CONTRACT_COPIES; i++) {
		pdf_section(p, labels[i]);
		pdf_as_written(p, 1); /* in the script already (contract_text) */
		contract_flow(p, d->text);
		pdf_as_written(p, 0);
		pdf_space(p, 3);
		pdf_need(p, legal ? 56 : 40);
		pdf_para(p, 0, PDF_BODY, PDF_ALIGN_LEFT,
			 "Mesto i datum: _______________________________");
		pdf_space(p, 3);
		pdf_signatures(p, sign, 2);
		if (legal) {
			pdf_space(p, 1);
			pdf_sign_line(p,
				      "Saglasan, imalac sertifikata (ovlašćeno lice):", d->holder);
		}
	}
	return 0;
}

int doc_contract_pdf(const struct order *o, const struct catalog *c, struct buf *out)
{
	const struct office *f;
	const struct tariff_item *t;
	struct contract_doc d = {o, c, NULL, {0}};
	struct buf text = BUF_INIT;
	char footer[160];
	int rc = -1;

	if (pdf_order_catalog(o, c, "contract", &f, &t) != 0)
		return -1;
	if (contract_text(o, c, f, t, &text) != 0)
		goto out;
	d.text = buf_cstr(&text);
	snprintf(d.holder, sizeof(d.holder), "%s %s", o->first_name, o->last_name);
	snprintf(footer, sizeof(footer), "Ugovor o izdavanju sertifikata  ·  porudžbina br. %lld",
		 o->id);
	rc = pdf_order_render(o, c, "contract",
			      "Ugovor o izdavanju kvalifikovanog elektronskog sertifikata",
			      c->seller.ca_name, footer, contract_body, &d, out);
out:
	buf_free(&text);
	return rc;
}
