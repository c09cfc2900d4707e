/*
 * The proforma invoice (proforma.pdf): seller, buyer, lines, net, VAT,
 * total, due date, payment instructions with the model 97 reference,
 * and the NBS IPS QR code for paying from a banking app.
 */
#include "docs/docs.h"

#include <stdio.h>
#include <string.h>

#include "docs/pdf.h"
#include "domain/ipsqr.h"
#include "domain/payment.h"
#include "util/log.h"

#define QR_SIZE 42.0 /* mm; ~5 px per module at 150 dpi */

struct proforma_doc {
	const struct order *o;
	const struct catalog *c;
	struct invoice inv;
	char qr[IPS_QR_SIZE];
};

/* A small boxed field (label above a bold value) at (x, y), w x 11 mm. */
static void date_box(struct pdf *p, double x, double y, double w, const char *label,
		     const char *value)
{
	pdf_rect(p, x, y, w, 11, 0.2, -1);
	pdf_text_at(p, x + 1.5, y + 1.5, w - 3, PDF_LABEL, PDF_ALIGN_LEFT, label);
	pdf_text_at(p, x + 1.5, y + 5, w - 3, PDF_BODY_BOLD, PDF_ALIGN_LEFT, value);
}

/* Seller (left); title, number, date and due date (right). */
static void proforma_head(struct pdf *p, const struct proforma_doc *d)
{
	const struct seller *s = &d->c->seller;
	const struct order *o = d->o;
	char text[800], acct[32], num[64], date[16], due[16];
	double y = pdf_y(p), h, hr;

	pdf_account(s->account, acct, sizeof(acct));
	snprintf(text, sizeof(text), "%s, %s %s\nPIB %s  ·  MB %s\nTekući račun %s\n%s", s->street,
		 s->postal_code, s->city, s->pib, s->mb, acct, s->bank);
	pdf_text_at(p, PDF_LEFT, y, 95, PDF_LABEL, PDF_ALIGN_LEFT, "Prodavac");
	h = 3.6 + pdf_text_at(p, PDF_LEFT, y + 3.6, 95, PDF_BODY_BOLD, PDF_ALIGN_LEFT, s->name);
	h += 0.5 + pdf_text_at(p, PDF_LEFT, y + h + 0.5, 95, PDF_SMALL, PDF_ALIGN_LEFT, text);

	snprintf(num, sizeof(num), "br. %lld", o->id);
	pdf_date(pdf_order_time(o), date, sizeof(date));
	pdf_date(pdf_order_time(o) + (time_t)s->due_days * 86400, due, sizeof(due));
	hr = pdf_text_at(p, PDF_RIGHT - 70, y - 1, 70, PDF_TITLE, PDF_ALIGN_RIGHT, "Predračun");
	hr += pdf_text_at(p, PDF_RIGHT - 70, y - 1 + hr, 70, PDF_SUBTITLE, PDF_ALIGN_RIGHT, num);
	date_box(p, PDF_RIGHT - 70, y + hr + 2, 35, "Datum izdavanja", date);
	date_box(p, PDF_RIGHT - 35, y + hr + 2, 35, "Rok plaćanja", due);
	hr += 2 + 11;
	pdf_set_y(p, y + (h > hr ? h : hr) + 6);
}

/* The buyer in a shaded box: the person, or the company that pays. */
static void proforma_buyer(struct pdf *p, const struct order *o)
{
	char name[1100], text[1600];
	double y = pdf_y(p), hn, ht;

	if (o->type == ORDER_LEGAL) {
		snprintf(name, sizeof(name), "%s", o->company_name);
		snprintf(text, sizeof(text), "%s, %s %s\n%s %s  ·  %s %s\n%s: %s %s, %s",
			 o->company_street, o->company_postal_code, o->company_city,
			 pdf_tr(p, "PIB"), o->company_pib, pdf_tr(p, "MB"), o->company_mb,
			 pdf_tr(p, "Ovlašćeno lice"), o->first_name, o->last_name, o->position);
	} else {
		snprintf(name, sizeof(name), "%s %s", o->first_name, o->last_name);
		snprintf(text, sizeof(text), "%s, %s %s\n%s", o->street, o->postal_code, o->city,
			 o->email);
	}
	pdf_as_written(p, 1); /* the buyer's data as typed; its labels went through pdf_tr */
	hn = pdf_measure(p, 100, PDF_BODY_BOLD, name);
	ht = pdf_measure(p, 100, PDF_SMALL, text);
	pdf_as_written(p, 0);
	pdf_rect(p, PDF_LEFT, y, 106, 2.5 + 3.6 + hn + 0.5 + ht + 2.5, 0.2, 0.97);
	pdf_text_at(p, PDF_LEFT + 3, y + 2.5, 100, PDF_LABEL, PDF_ALIGN_LEFT, "Kupac");
	pdf_as_written(p, 1);
	pdf_text_at(p, PDF_LEFT + 3, y + 6.1, 100, PDF_BODY_BOLD, PDF_ALIGN_LEFT, name);
	pdf_text_at(p, PDF_LEFT + 3, y + 6.1 + hn + 0.5, 100, PDF_SMALL, PDF_ALIGN_LEFT, text);
	pdf_as_written(p, 0);
	pdf_set_y(p, y + 2.5 + 3.6 + hn + 0.5 + ht + 2.5 + 7);
}

static void proforma_lines(struct pdf *p, const struct invoice *inv)
{
	static const struct pdf_col cols[] = {
		{"Rb.", 10, PDF_ALIGN_LEFT},           {"Naziv", 82, PDF_ALIGN_LEFT},
		{"JM", 12, PDF_ALIGN_CENTER},          {"Količina", 16, PDF_ALIGN_RIGHT},
		{"Cena bez PDV", 27, PDF_ALIGN_RIGHT}, {"Iznos bez PDV", 27, PDF_ALIGN_RIGHT},
	};
	char text[INVOICE_MAX_LINES][4][32];
	const char *cells[INVOICE_MAX_LINES * 6];
	size_t i;

	for (i = 0; i < inv->nlines; i++) {
		const struct invoice_line *l = &inv->lines[i];

		snprintf(text[i][0], sizeof(text[i][0]), "%zu.", i + 1);
		snprintf(text[i][1], sizeof(text[i][1]), "%lld", l->quantity);
		money_format(l->unit_para, text[i][2], sizeof(text[i][2]));
		money_format(l->amount_para, text[i][3], sizeof(text[i][3]));
		cells[i * 6 + 0] = text[i][0];
		cells[i * 6 + 1] = l->name[LANG_SR];
		cells[i * 6 + 2] = pdf_tr(p, "kom");
		cells[i * 6 + 3] = text[i][1];
		cells[i * 6 + 4] = text[i][2];
		cells[i * 6 + 5] = text[i][3];
	}
	pdf_table(p, cols, 6, cells, inv->nlines);
}

static void proforma_totals(struct pdf *p, const struct invoice *inv)
{
	char net[32], vat[32], total[32], vat_label[48];
	double x = PDF_RIGHT - 90, y;

	money_format(inv->net_para, net, sizeof(net));
	money_format(inv->vat_para, vat, sizeof(vat));
	money_format(inv->total_para, total, sizeof(total));
	snprintf(vat_label, sizeof(vat_label), "PDV %d%%", inv->vat_pct);
	pdf_need(p, 24);
	pdf_space(p, 2);
	y = pdf_y(p);
	pdf_text_at(p, x, y, 55, PDF_BODY, PDF_ALIGN_LEFT, "Osnovica (bez PDV)");
	pdf_text_at(p, x + 55, y, 35, PDF_BODY, PDF_ALIGN_RIGHT, net);
	y += 5.5;
	pdf_text_at(p, x, y, 55, PDF_BODY, PDF_ALIGN_LEFT, vat_label);
	pdf_text_at(p, x + 55, y, 35, PDF_BODY, PDF_ALIGN_RIGHT, vat);
	y += 6.5;
	pdf_rect(p, x - 2, y - 1.5, 92, 9, 0, 0.9);
	pdf_text_at(p, x, y, 55, PDF_TOTAL, PDF_ALIGN_LEFT, "Ukupno za uplatu (RSD)");
	pdf_text_at(p, x + 55, y, 35, PDF_TOTAL, PDF_ALIGN_RIGHT, total);
	pdf_set_y(p, y + 9 + 6);
}

/* Payment instructions (left) and the IPS QR code (right). */
static int proforma_payment(struct pdf *p, const struct proforma_doc *d)
{
	const struct seller *s = &d->c->seller;
	char acct[32], total[32], payee[400], ref[PAYMENT_REF_SIZE], caption[160];
	struct pdf_row rows[7];
	double y, x_qr = PDF_RIGHT - QR_SIZE, end;

	pdf_need(p, 10 + QR_SIZE + 12);
	pdf_heading(p, "Instrukcije za plaćanje", 0);
	y = pdf_y(p);
	pdf_account(s->account, acct, sizeof(acct));
	money_format(d->inv.total_para, total, sizeof(total));
	snprintf(payee, sizeof(payee), "%s, %s %s", s->name, s->postal_code, s->city);
	/* The payee in the document's script (the code carries it in Latin). */
	rows[0] = (struct pdf_row){"Primalac", pdf_tr(p, payee)};
	rows[1] = (struct pdf_row){"Račun primaoca", acct};
	rows[2] = (struct pdf_row){"Iznos (RSD)", total};
	rows[3] = (struct pdf_row){"Šifra plaćanja", s->payment_code};
	rows[4] = (struct pdf_row){"Model", "97"};
	payment_ref_display(d->o->payment_ref, ref, sizeof(ref));
	rows[5] = (struct pdf_row){"Poziv na broj", ref};
	rows[6] = (struct pdf_row){"Svrha uplate", s->purpose[LANG_SR]};
	/* The rows take the width left of the code. */
	pdf_rows_in(p, PDF_LEFT, x_qr - 8 - PDF_LEFT, 34, rows, 7);
	end = pdf_y(p);
	if (pdf_qr(p, x_qr, y, QR_SIZE, d->qr) != 0)
		return -1;
	/* The code's payload carries "97" + the reference as one run of
	 * digits (NBS IPS RO:); people read it as on the rows. */
	snprintf(caption, sizeof(caption),
		 "NBS IPS QR: platite skeniranjem\nu aplikaciji svoje banke\nmodel 97, poziv na "
		 "broj\n%s",
		 ref);
	pdf_text_at(p, x_qr - 4, y + QR_SIZE, QR_SIZE + 8, PDF_LABEL, PDF_ALIGN_CENTER, caption);
	if (end < y + QR_SIZE + 12)
		end = y + QR_SIZE + 12;
	pdf_set_y(p, end + 6);
	return 0;
}

static int proforma_body(struct pdf *p, void *arg)
{
	const struct proforma_doc *d = arg;
	char note[800], due[16];

	proforma_head(p, d);
	proforma_buyer(p, d->o);
	proforma_lines(p, &d->inv);
	proforma_totals(p, &d->inv);
	if (proforma_payment(p, d) != 0)
		return -1;
	pdf_date(pdf_order_time(d->o) + (time_t)d->c->seller.due_days * 86400, due, sizeof(due));
	snprintf(
		note, sizeof(note),
		"Uplatu izvršite najkasnije do %s, sa pozivom na broj tačno kako je naveden, "
		"kako bi uplata bila automatski povezana sa vašom porudžbinom. Sertifikat se "
		"izdaje "
		"po evidentiranju uplate i prijemu potpisane dokumentacije. Predračun nije poreska "
		"isprava; račun se izdaje po prijemu uplate. Dokument je izrađen elektronski i "
		"punovažan je bez pečata i potpisa.",
		due);
	pdf_para(p, 0, PDF_SMALL, PDF_ALIGN_JUSTIFY, note);
	return 0;
}

int doc_proforma_pdf(const struct order *o, const struct catalog *c, struct buf *out)
{
	struct proforma_doc doc, *d = &doc;
	char footer[160], ref[PAYMENT_REF_SIZE];

	if (pdf_order_catalog(o, c, "proforma", NULL, NULL) != 0)
		return -1;
	memset(d, 0, sizeof(*d));
	d->o = o;
	d->c = c;
	if (invoice_compute(o, c, &d->inv) != 0 ||
	    doc_proforma_qr_text(o, c, d->qr, sizeof(d->qr)) != 0) {
		log_warnx("order %lld: proforma: no invoice or IPS QR payload", o->id);
		return -1;
	}
	payment_ref_display(o->payment_ref, ref, sizeof(ref));
	snprintf(footer, sizeof(footer), "Predračun br. %lld  ·  model 97, poziv na broj %s", o->id,
		 ref);
	return pdf_order_render(o, c, "proforma", "Predračun", c->seller.name, footer,
				proforma_body, d, out);
}
