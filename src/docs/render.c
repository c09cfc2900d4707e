/*
 * Drawing in this process: doc_render (docs.h), and the loop of the
 * qcra-render child (render.h): its warm-up before confinement and its
 * CPU budget per document.
 */
#include <errno.h>
#include <glib.h>
#include <poll.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "docs/docs.h"
#include "docs/pdf.h"
#include "docs/render.h"
#include "util/embedded.h"
#include "util/fdio.h"
#include "util/log.h"

static int draw_serbian(const struct order *o, const struct catalog *c, const char *name,
			struct buf *out)
{
	if (strcmp(name, "request.pdf") == 0)
		return doc_request_pdf(o, c, out);
	if (strcmp(name, "contract.pdf") == 0)
		return doc_contract_pdf(o, c, out);
	if (strcmp(name, "proforma.pdf") == 0)
		return doc_proforma_pdf(o, c, out);
	return -2;
}

/* c with its Serbian texts in Cyrillic (catalog_parse wrote them), for
 * documents that read the Serbian ones; the payment purpose is Latin in
 * both.  The caller frees it; NULL when out of memory. */
static struct catalog *catalog_cyrillic(const struct catalog *c)
{
	struct catalog *k = malloc(sizeof(*k));
	size_t i;

	if (k == NULL)
		return NULL;
	*k = *c;
#define USE_CYRL(f) memcpy((f)[LANG_SR], (f)[LANG_SR_CYRL], sizeof((f)[LANG_SR]))
	for (i = 0; i < k->noffices; i++) {
		USE_CYRL(k->offices[i].name);
		USE_CYRL(k->offices[i].hours);
		USE_CYRL(k->offices[i].street);
		USE_CYRL(k->offices[i].city);
	}
	for (i = 0; i < k->ntariff; i++)
		USE_CYRL(k->tariff[i].name);
	for (i = 0; i < k->ndocs; i++)
		USE_CYRL(k->docs[i].text);
	USE_CYRL(k->seller.card_reader_name);
#undef USE_CYRL
	return k;
}

int doc_render(const struct order *o, const struct catalog *c, const char *name, enum lang l,
	       struct buf *out)
{
	struct catalog *k;
	int rc;

	if (l != LANG_SR_CYRL)
		return draw_serbian(o, c, name, out);
	if ((k = catalog_cyrillic(c)) == NULL)
		return -1;
	pdf_set_cyrillic(1);
	rc = draw_serbian(o, k, name, out);
	pdf_set_cyrillic(0);
	free(k);
	return rc;
}

/* ---- The child's side of render.h ---------------------------------------------- */

/* Draws one request.  Returns the status for the answer. */
static int draw(const struct render_head *h, void *req, struct buf *pdf)
{
	struct render_order_req *o = req;

	if (h->kind == RENDER_ORDER && h->len == sizeof(*o)) {
		o->name[sizeof(o->name) - 1] = '\0';
		return doc_render(&o->order, &o->catalog, o->name,
				  o->lang == LANG_SR_CYRL ? LANG_SR_CYRL : LANG_SR, pdf);
	}
	if (h->kind == RENDER_LETTER && h->len == sizeof(struct doc_pin_letter))
		return doc_pin_letter_pdf(req, pdf) == 0 ? 0 : -1;
	return -2;
}

/* ---- Warm-up ------------------------------------------------------------------ */

/* Every face of the family the documents' markup can ask for, Cyrillic,
 * and a character no font has, which pango draws as a box with its code
 * in the monospaced face: each font file a document can need is then
 * open before confinement. */
static int faces_body(struct pdf *p, void *arg)
{
	int st;

	(void)arg;
	pdf_markup(p, 0, PDF_TEXT, PDF_ALIGN_JUSTIFY,
		   "Aa \xc5\xa0\xc4\x90\xc4\x8c\xc4\x86\xc5\xbd "
		   "\xd0\x8b\xd0\x89\xd0\x8a\xd0\x8f <b>Bb</b> <i>Ii</i> <b><i>BI</i></b> "
		   "\xe2\x80\x9e\xe2\x80\x9c \xe2\x80\x94 \xe2\x80\xa2");
	/* U+10FFFD, in each style: the box's face at each size. */
	for (st = 0; st < PDF_STYLE__MAX; st++)
		pdf_markup(p, 0, (enum pdf_style)st, PDF_ALIGN_LEFT,
			   "\xf4\x8f\xbf\xbd <b>\xf4\x8f\xbf\xbd</b> <i>\xf4\x8f\xbf\xbd</i>");
	return 0;
}

/* glib's messages (pango's warnings) as lines of our log.  glib's own
 * writer first asks whether stderr is a terminal or the journal (ioctl,
 * getpeername), which the confined child may not. */
static GLogWriterOutput log_writer(GLogLevelFlags level, const GLogField *fields, gsize n,
				   gpointer data)
{
	const GLogField *domain = NULL, *message = NULL;
	gsize i;

	(void)data;
	if (level & (G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG))
		return G_LOG_WRITER_HANDLED;
	for (i = 0; i < n; i++) {
		if (strcmp(fields[i].key, "GLIB_DOMAIN") == 0)
			domain = &fields[i];
		else if (strcmp(fields[i].key, "MESSAGE") == 0)
			message = &fields[i];
	}
	log_warnx("render: %.*s: %.*s", domain ? (int)domain->length : 4,
		  domain ? (const char *)domain->value : "glib", message ? (int)message->length : 0,
		  message ? (const char *)message->value : "");
	return G_LOG_WRITER_HANDLED;
}

static void warm_order(struct order *o, enum order_type type)
{
	memset(o, 0, sizeof(*o));
	o->id = 1;
	o->account_id = 1;
	o->type = type;
	o->state = WF_CONFIRMED;
	snprintf(o->first_name, sizeof(o->first_name), "Petar");
	snprintf(o->last_name, sizeof(o->last_name), "Petrovi\xc4\x87");
	snprintf(o->jmbg, sizeof(o->jmbg), "0101990710006");
	snprintf(o->id_type, sizeof(o->id_type), type == ORDER_LEGAL ? "passport" : "id_card");
	snprintf(o->id_number, sizeof(o->id_number), "123456789");
	snprintf(o->id_issuer, sizeof(o->id_issuer), "PU Beograd");
	snprintf(o->street, sizeof(o->street), "Ulica 1");
	snprintf(o->postal_code, sizeof(o->postal_code), "11000");
	snprintf(o->city, sizeof(o->city), "Beograd");
	snprintf(o->email, sizeof(o->email), "petar@example.rs");
	snprintf(o->phone, sizeof(o->phone), "+381601234567");
	snprintf(o->license_number, sizeof(o->license_number), "310000000");
	snprintf(o->validity, sizeof(o->validity), "3y");
	o->card_reader = 1;
	if (type == ORDER_LEGAL) {
		snprintf(o->position, sizeof(o->position), "Direktor");
		snprintf(o->company_name, sizeof(o->company_name), "Firma d.o.o.");
		snprintf(o->company_cert_name, sizeof(o->company_cert_name), "Firma");
		snprintf(o->company_mb, sizeof(o->company_mb), "17167418");
		snprintf(o->company_pib, sizeof(o->company_pib), "101745818");
	}
	order_payment_ref(o->id, o->payment_ref, sizeof(o->payment_ref));
	o->created_at = o->updated_at = o->confirmed_at = 1760000000;
}

/*
 * Draws one of everything the child can be asked for (each order
 * document for both kinds of order, the PIN letter, every font face)
 * and throws it away: fontconfig's configuration and caches, the font
 * files, cairo's and pango's lazy set-up and anything they dlopen are
 * then in memory, and the child can be confined (confine.h).  0, or -1
 * (logged) when something cannot be drawn.
 */
int render_warm_up(void)
{
	static const char *const names[] = {"request.pdf", "contract.pdf", "proforma.pdf"};
	static const struct pdf_meta meta = {"qcra", "qcra", "qcra", "qcra", 1760000000};
	const struct embedded_file *f = embedded_find("data/catalog.ini");
	struct catalog *cat = calloc(1, sizeof(*cat));
	struct doc_pin_letter *l = calloc(1, sizeof(*l));
	struct buf pdf = BUF_INIT;
	struct order o;
	char err[256];
	int rc = -1, t;
	size_t i;

	g_log_set_writer_func(log_writer, NULL, NULL);
	if (cat == NULL || l == NULL || f == NULL ||
	    catalog_parse(cat, (const char *)f->data, err, sizeof(err)) != 0) {
		log_warnx("render: warm-up: no catalogue");
		goto out;
	}
	for (t = ORDER_NATURAL; t <= ORDER_LEGAL; t++) {
		warm_order(&o, (enum order_type)t);
		if (cat->noffices > 0)
			snprintf(o.office, sizeof(o.office), "%s", cat->offices[0].code);
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			buf_reset(&pdf);
			if (doc_render(&o, cat, names[i],
				       (enum lang)(i % 2 ? LANG_SR_CYRL : LANG_SR), &pdf) != 0) {
				log_warnx("render: warm-up: %s", names[i]);
				goto out;
			}
		}
	}
	snprintf(l->issuer, sizeof(l->issuer), "CA");
	snprintf(l->holder, sizeof(l->holder), "Petar Petrovi\xc4\x87");
	snprintf(l->company, sizeof(l->company), "Firma");
	snprintf(l->order, sizeof(l->order), "1");
	snprintf(l->card, sizeof(l->card), "1");
	snprintf(l->pin, sizeof(l->pin), "000000");
	snprintf(l->puk, sizeof(l->puk), "00000000");
	buf_reset(&pdf);
	if (doc_pin_letter_pdf(l, &pdf) != 0) {
		log_warnx("render: warm-up: PIN letter");
		goto out;
	}
	buf_reset(&pdf);
	if (pdf_render(&meta, faces_body, NULL, &pdf) != 0) {
		log_warnx("render: warm-up: font faces");
		goto out;
	}
	rc = 0;
out:
	buf_free(&pdf);
	free(l);
	free(cat);
	return rc;
}

/* ---- The loop ------------------------------------------------------------------ */

/* Arms (secs > 0) or disarms the CPU budget of one document: past it the
 * kernel sends SIGPROF, whose default action ends the child, and the
 * parent answers 503 (a document that makes a drawing library spin
 * costs secs of CPU, not the parent's whole answer timeout). */
static void cpu_budget(int secs)
{
	struct itimerval it;

	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = secs;
	setitimer(ITIMER_PROF, &it, NULL);
}

int render_serve(int in, int out, int idle_secs)
{
	struct render_head h;
	struct pollfd pfd = {in, POLLIN, 0};
	struct buf pdf = BUF_INIT;
	void *req;
	int rc;

	for (;;) {
		if ((rc = poll(&pfd, 1, idle_secs * 1000)) == 0)
			return 0; /* idle: the parent starts another when needed */
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0 || fd_read_all(in, &h, sizeof(h)) != 0)
			return 0; /* EOF: the parent is done with us */
		if (h.magic != RENDER_MAGIC || h.len > sizeof(struct render_order_req) ||
		    (req = calloc(1, h.len ? h.len : 1)) == NULL)
			return 2;
		if (fd_read_all(in, req, h.len) != 0) {
			free(req);
			return 2;
		}
		buf_reset(&pdf);
		cpu_budget(RENDER_CPU_SECS);
		h.status = draw(&h, req, &pdf);
		cpu_budget(0);
		sodium_memzero(req, h.len); /* a PIN letter's secrets */
		free(req);
		h.len = h.status == 0 && pdf.len <= RENDER_MAX_PDF ? (uint32_t)pdf.len : 0;
		if (h.status == 0 && h.len == 0)
			h.status = -1;
		rc = fd_write_all(out, &h, sizeof(h)) == 0 &&
		     fd_write_all(out, pdf.data, h.len) == 0;
		if (pdf.data != NULL)
			sodium_memzero(pdf.data, pdf.cap);
		if (!rc)
			return 0;
	}
}
