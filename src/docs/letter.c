/*
 * The CA's PIN letter (docs.h): the card's PIN and PUK on an A4 page,
 * laid out with the order documents' kit.  Everything on it but the PIN
 * and PUK follows from the registration, and the PDF's date is fixed, so
 * two letters for the same registration differ only in the secrets.
 */
#include <stdio.h>

#include <glib.h>

#include "docs/docs.h"
#include "docs/pdf.h"

static int letter_body(struct pdf *p, void *arg)
{
	const struct doc_pin_letter *l = arg;
	char *m;
	double y;
	struct pdf_row rows[4];
	size_t n = 0;

	pdf_para(p, 0, PDF_TITLE, PDF_ALIGN_LEFT, "PIN koverta");
	pdf_para(p, 0, PDF_SUBTITLE, PDF_ALIGN_LEFT,
		 "Lični podaci za pristup kvalifikovanom elektronskom sertifikatu");
	pdf_space(p, 4);
	rows[n++] = (struct pdf_row){"Izdavalac sertifikata", l->issuer};
	rows[n++] = (struct pdf_row){"Imalac sertifikata", l->holder};
	if (l->company[0] != '\0')
		rows[n++] = (struct pdf_row){"Pravno lice", l->company};
	rows[n++] = (struct pdf_row){"Broj zahteva", l->order};
	pdf_rows(p, 45, rows, n, 1);
	rows[0] = (struct pdf_row){"Oznaka kartice (tokena)", l->card};
	pdf_rows(p, 45, rows, 1, 1);
	pdf_space(p, 6);

	y = pdf_y(p);
	pdf_rect(p, PDF_LEFT, y, PDF_WIDTH, 34, 0.6, 0.93);
	pdf_text_at(p, PDF_LEFT + 4, y + 3, PDF_WIDTH - 8, PDF_HEADING, PDF_ALIGN_LEFT,
		    "POVERLJIVO — PIN i PUK kartice");
	pdf_text_at(p, PDF_LEFT + 4, y + 12, 30, PDF_BODY, PDF_ALIGN_LEFT, "PIN:");
	pdf_text_at(p, PDF_LEFT + 34, y + 10, 80, PDF_TITLE, PDF_ALIGN_LEFT, l->pin);
	pdf_text_at(p, PDF_LEFT + 4, y + 22, 30, PDF_BODY, PDF_ALIGN_LEFT, "PUK:");
	pdf_text_at(p, PDF_LEFT + 34, y + 20, 80, PDF_TITLE, PDF_ALIGN_LEFT, l->puk);
	pdf_set_y(p, y + 34);
	pdf_space(p, 6);

	pdf_heading(p, "Uputstvo", 30);
	pdf_bullet(p, 0, PDF_BODY,
		   "Čuvajte ovo pismo odvojeno od kartice; nikome ne saopštavajte PIN ni PUK.", 0);
	pdf_bullet(p, 0, PDF_BODY, "Promenite PIN pri prvoj upotrebi kartice.", 0);
	pdf_bullet(p, 0, PDF_BODY,
		   "Tri uzastopna pogrešna unosa PIN-a blokiraju karticu; PUK je "
		   "deblokira i omogućava postavljanje novog PIN-a.",
		   0);
	m = g_markup_printf_escaped(
		"Gubitak ili krađu kartice ili ovog pisma odmah prijavite komori "
		"(izdavalac sertifikata: %s) radi opoziva sertifikata.",
		l->issuer);
	pdf_bullet(p, 0, PDF_BODY, m, 1);
	g_free(m);
	pdf_space(p, 4);
	pdf_para(p, 0, PDF_SMALL, PDF_ALIGN_JUSTIFY,
		 "PIN i PUK su slučajno generisani pri izradi kartice i odštampani samo na ovom "
		 "pismu. Sertifikaciono telo ne čuva njihovu kopiju i ne može ih ponovo "
		 "izdati.");
	return 0;
}

int doc_pin_letter_pdf(const struct doc_pin_letter *l, struct buf *out)
{
	struct pdf_meta m = {"PIN koverta", l->issuer, l->issuer, NULL, 0};
	char footer[128];

	snprintf(footer, sizeof(footer), "PIN koverta · zahtev %s", l->order);
	m.footer = footer;
	return pdf_render(&m, letter_body, (void *)l, out);
}
