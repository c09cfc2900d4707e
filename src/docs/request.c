/*
 * The filled request for a qualified certificate (request.pdf): every
 * value the member entered, the supporting documents to bring, and the
 * places for signatures and stamps.
 */
#include "docs/docs.h"

#include <stdio.h>
#include <string.h>

#include "docs/pdf.h"
#include "domain/payment.h"
#include "util/log.h"

struct request_doc {
	const struct order *o;
	const struct catalog *c;
	const struct office *office;
	const struct tariff_item *tariff;
};

static const char *id_type_text(const char *t)
{
	if (strcmp(t, "id_card") == 0)
		return "Lična karta";
	if (strcmp(t, "passport") == 0)
		return "Pasoš";
	return t;
}

#define LABEL_W 32.0

static void holder_rows(struct pdf *p, const struct order *o)
{
	char name[520], addr[sizeof(o->street) + sizeof(o->city) + 16];
	struct pdf_row ids[6], addr_row[1], contact[3];

	snprintf(name, sizeof(name), "%s %s", o->first_name, o->last_name);
	snprintf(addr, sizeof(addr), "%s, %s %s", o->street, o->postal_code, o->city);
	ids[0] = (struct pdf_row){"Ime i prezime", name};
	ids[1] = (struct pdf_row){"JMBG", o->jmbg};
	ids[2] = (struct pdf_row){"Lični dokument", pdf_tr(p, id_type_text(o->id_type))};
	ids[3] = (struct pdf_row){"Broj dokumenta", o->id_number};
	ids[4] = (struct pdf_row){"Dokument izdao", o->id_issuer};
	ids[5] = (struct pdf_row){"Broj licence", o->license_number};
	addr_row[0] = (struct pdf_row){"Adresa prebivališta", addr};
	contact[0] = (struct pdf_row){"Elektronska pošta", o->email};
	contact[1] = (struct pdf_row){"Telefon", o->phone};
	contact[2] = (struct pdf_row){"Funkcija", o->position};
	pdf_rows(p, LABEL_W, ids, 6, 2);
	pdf_rows(p, LABEL_W, addr_row, 1, 1);
	pdf_rows(p, LABEL_W, contact, o->type == ORDER_LEGAL ? 3 : 2, 2);
}

static void company_rows(struct pdf *p, const struct order *o)
{
	char addr[sizeof(o->company_street) + sizeof(o->company_city) + 16];
	struct pdf_row name[2], ids[2], rest[2];
	size_t nname = 1;

	snprintf(addr, sizeof(addr), "%s, %s %s", o->company_street, o->company_postal_code,
		 o->company_city);
	name[0] = (struct pdf_row){"Poslovno ime", o->company_name};
	/* What the certificate will say, when it is not the full name. */
	if (o->company_cert_name[0] != '\0' && strcmp(o->company_cert_name, o->company_name) != 0)
		name[nname++] = (struct pdf_row){"Naziv u sertifikatu", o->company_cert_name};
	ids[0] = (struct pdf_row){"PIB", o->company_pib};
	ids[1] = (struct pdf_row){"Matični broj", o->company_mb};
	rest[0] = (struct pdf_row){"Sedište (adresa)", addr};
	rest[1] = (struct pdf_row){"Elektronska pošta", o->company_email};
	pdf_rows(p, LABEL_W, name, nname, 1);
	pdf_rows(p, LABEL_W, ids, 2, 2);
	pdf_rows(p, LABEL_W, rest, 2, 1);
}

static void certificate_rows(struct pdf *p, const struct request_doc *d)
{
	const struct office *f = d->office;
	char years[32], office[400];
	struct pdf_row cert[1], terms[2], pickup[1];

	pdf_years(d->tariff->validity_years, years, sizeof(years));
	snprintf(office, sizeof(office), "%s\n%s, %s %s", f->name[LANG_SR], f->street[LANG_SR],
		 f->postal_code, f->city[LANG_SR]);
	cert[0] = (struct pdf_row){"Sertifikat", d->tariff->name[LANG_SR]};
	terms[0] = (struct pdf_row){"Rok važenja", pdf_tr(p, years)};
	terms[1] = (struct pdf_row){"Čitač kartica", pdf_tr(p, d->o->card_reader ? "Da" : "Ne")};
	pickup[0] = (struct pdf_row){"Mesto preuzimanja", office};
	pdf_rows(p, LABEL_W, cert, 1, 1);
	pdf_rows(p, LABEL_W, terms, 2, 2);
	pdf_rows(p, LABEL_W, pickup, 1, 1);
}

static void supporting_docs(struct pdf *p, const struct request_doc *d)
{
	unsigned bit = 1u << d->o->type;
	size_t i;

	pdf_heading(p,
		    d->o->type == ORDER_LEGAL ? "4. Dokumenta koja se prilažu uz zahtev"
					      : "3. Dokumenta koja se prilažu uz zahtev",
		    10);
	for (i = 0; i < d->c->ndocs; i++) {
		if (!(d->c->docs[i].types & bit))
			continue;
		pdf_bullet(p, 0, PDF_BODY, d->c->docs[i].text[LANG_SR], 0);
		pdf_space(p, 0.8);
	}
}

/* The member's statement.  The CA's name is written as its certificates
 * write it, in either script; the words around it in the document's. */
static void statement(struct pdf *p, const struct request_doc *d)
{
	static const char before[] =
		"Svojim potpisom potvrđujem da su podaci u ovom zahtevu tačni i potpuni, da sam "
		"upoznat sa politikom sertifikacije i praktičnim pravilima rada sertifikacionog "
		"tela ";
	static const char after[] =
		" i da ih prihvatam. Saglasan sam da se moji podaci o ličnosti obrađuju radi "
		"izdavanja kvalifikovanog elektronskog sertifikata i upravljanja njime. Sertifikat "
		"preuzimam lično, uz važeći lični dokument.";
	static const char legal_after[] =
		" Pravno lice potvrđuje da je navedeno lice ovlašćeno da u njegovo ime koristi "
		"kvalifikovani elektronski sertifikat i preuzima obavezu plaćanja.";
	char text[2400];

	snprintf(text, sizeof(text), "%s%s%s%s", pdf_tr(p, before), d->c->seller.ca_name,
		 pdf_tr(p, after), d->o->type == ORDER_LEGAL ? pdf_tr(p, legal_after) : "");
	pdf_need(p, 20);
	pdf_as_written(p, 1);
	pdf_para(p, 0, PDF_SMALL, PDF_ALIGN_JUSTIFY, text);
	pdf_as_written(p, 0);
}

static int request_body(struct pdf *p, void *arg)
{
	const struct request_doc *d = arg;
	const struct order *o = d->o;
	int legal = o->type == ORDER_LEGAL;
	char num[32], date[16], name[520], sub[400], ref[PAYMENT_REF_SIZE];
	struct pdf_row head[4];
	struct pdf_sign sign[2];

	snprintf(num, sizeof(num), "%lld", o->id);
	payment_ref_display(o->payment_ref, ref, sizeof(ref));
	pdf_date(pdf_order_time(o), date, sizeof(date));
	snprintf(name, sizeof(name), "%s %s", o->first_name, o->last_name);
	snprintf(sub, sizeof(sub), "%s%s  ·  %s", pdf_tr(p, "Sertifikaciono telo: "),
		 d->c->seller.ca_name, pdf_tr(p, "Registraciono telo: "));
	snprintf(sub + strlen(sub), sizeof(sub) - strlen(sub), "%s", pdf_tr(p, d->c->seller.name));

	pdf_space(p, 1);
	pdf_para(p, 0, PDF_TITLE, PDF_ALIGN_CENTER,
		 "Zahtev za izdavanje kvalifikovanog elektronskog sertifikata");
	pdf_space(p, 1);
	pdf_as_written(p, 1); /* the CA's name as written, the rest in the script */
	pdf_para(p, 0, PDF_SMALL, PDF_ALIGN_CENTER, sub);
	pdf_as_written(p, 0);
	pdf_space(p, 4);

	head[0] = (struct pdf_row){"Vrsta zahteva",
				   pdf_tr(p, legal ? "Pravno lice" : "Fizičko lice")};
	head[1] = (struct pdf_row){"Broj porudžbine", num};
	head[2] = (struct pdf_row){"Poziv na broj (model 97)", ref};
	head[3] = (struct pdf_row){"Datum zahteva", date};
	pdf_fields(p, head, 4);
	pdf_space(p, 5);

	pdf_heading(p, legal ? "1. Imalac sertifikata (ovlašćeno lice)" : "1. Imalac sertifikata",
		    20);
	holder_rows(p, o);
	pdf_space(p, 3.5);
	if (legal) {
		pdf_heading(p, "2. Pravno lice (platilac)", 20);
		company_rows(p, o);
		pdf_space(p, 3.5);
	}
	pdf_heading(p, legal ? "3. Sertifikat i preuzimanje" : "2. Sertifikat i preuzimanje", 20);
	certificate_rows(p, d);
	pdf_space(p, 3.5);
	supporting_docs(p, d);
	pdf_space(p, 3);
	statement(p, d);
	pdf_space(p, 4);

	pdf_need(p, 40);
	pdf_para(p, 0, PDF_BODY, PDF_ALIGN_LEFT, "Mesto i datum: _______________________________");
	pdf_space(p, 3);
	if (legal) {
		sign[0] = (struct pdf_sign){"Imalac sertifikata (ovlašćeno lice)", name, NULL};
		sign[1] = (struct pdf_sign){"Za pravno lice: zakonski zastupnik", NULL,
					    "pečat pravnog lica"};
	} else {
		sign[0] = (struct pdf_sign){"Podnosilac zahteva", name, "lični pečat"};
	}
	pdf_signatures(p, sign, legal ? 2 : 1);
	return 0;
}

int doc_request_pdf(const struct order *o, const struct catalog *c, struct buf *out)
{
	struct request_doc d = {o, c, NULL, NULL};
	char footer[160];

	if (pdf_order_catalog(o, c, "request", &d.office, &d.tariff) != 0)
		return -1;
	snprintf(footer, sizeof(footer), "Zahtev za izdavanje sertifikata  ·  porudžbina br. %lld",
		 o->id);
	return pdf_order_render(o, c, "request",
				"Zahtev za izdavanje kvalifikovanog elektronskog sertifikata",
				c->seller.name, footer, request_body, &d, out);
}
