/*
 * Specification of the order documents (docs/docs.h): the PDFs are read
 * back with poppler (pdfinfo, pdftotext, pdftoppm) and the IPS QR code
 * with zbar (zbarimg), as a member's printer and banking app would.
 * The tools come from scripts/setup (poppler-utils, zbar-tools).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <pango/pangocairo.h>

#include "docs/docs.h"
#include "docs/pdf.h"
#include "docs/pdf_cache.h"
#include "domain/ipsqr.h"
#include "util/embedded.h"

#define CONFIRMED_AT 1741948200 /* 2025-03-14 10:30 UTC */

static char tmpdir[] = "/tmp/qcra-docs-XXXXXX";
static struct catalog cat;

/* ---- Fixtures ------------------------------------------------------ */

static void order_natural(struct order *o)
{
	memset(o, 0, sizeof(*o));
	o->id = 4217;
	o->account_id = 7;
	o->type = ORDER_NATURAL;
	o->state = WF_CONFIRMED;
	strcpy(o->first_name, "Žarko");
	strcpy(o->last_name, "Đurašković");
	strcpy(o->jmbg, "1203978711237");
	strcpy(o->id_type, "id_card");
	strcpy(o->id_number, "009876543");
	strcpy(o->id_issuer, "PU Čačak");
	strcpy(o->street, "Njegoševa 12/3");
	strcpy(o->postal_code, "11000");
	strcpy(o->city, "Београд");
	strcpy(o->email, "zarko.djuraskovic@example.rs");
	strcpy(o->phone, "+381641234567");
	strcpy(o->license_number, "310123456");
	strcpy(o->office, "NI");
	strcpy(o->validity, "3y");
	o->card_reader = 1;
	assert_int_equal(order_payment_ref(o->id, o->payment_ref, sizeof(o->payment_ref)), 0);
	o->created_at = CONFIRMED_AT - 600;
	o->updated_at = CONFIRMED_AT;
	o->confirmed_at = CONFIRMED_AT;
}

static void order_legal(struct order *o)
{
	memset(o, 0, sizeof(*o));
	o->id = 4218;
	o->account_id = 8;
	o->type = ORDER_LEGAL;
	o->state = WF_CONFIRMED;
	strcpy(o->first_name, "Đorđe");
	strcpy(o->last_name, "Šćekić");
	strcpy(o->jmbg, "0101990710006");
	strcpy(o->id_type, "passport");
	strcpy(o->id_number, "P1234567");
	strcpy(o->id_issuer, "MUP Republike Srbije");
	strcpy(o->street, "Žička 7");
	strcpy(o->postal_code, "32000");
	strcpy(o->city, "Čačak");
	strcpy(o->email, "djordje.scekic@example.rs");
	strcpy(o->phone, "+381631112223");
	strcpy(o->license_number, "410765432");
	strcpy(o->office, "CA");
	strcpy(o->validity, "2y");
	o->card_reader = 0;
	strcpy(o->position, "direktor");
	strcpy(o->company_name, "Čačanska gradnja d.o.o.");
	strcpy(o->company_mb, "20812345");
	strcpy(o->company_pib, "105743219");
	strcpy(o->company_street, "Bulevar oslobođenja 44");
	strcpy(o->company_postal_code, "32000");
	strcpy(o->company_city, "Čačak");
	strcpy(o->company_email, "kancelarija@cacanska-gradnja.example");
	assert_int_equal(order_payment_ref(o->id, o->payment_ref, sizeof(o->payment_ref)), 0);
	o->created_at = CONFIRMED_AT - 600;
	o->updated_at = CONFIRMED_AT;
	o->confirmed_at = CONFIRMED_AT;
}

static int group_setup(void **state)
{
	const struct embedded_file *f = embedded_find("data/catalog.ini");
	char err[256];

	if (f == NULL || catalog_parse(&cat, (const char *)f->data, err, sizeof(err)) != 0) {
		fprintf(stderr, "# built-in catalogue: %s\n", f == NULL ? "missing" : err);
		return -1;
	}
	if (system("command -v pdftotext pdfinfo pdftoppm zbarimg >/dev/null") != 0) {
		fprintf(stderr, "# poppler-utils or zbar-tools missing: run sh scripts/setup\n");
		return -1;
	}
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int group_teardown(void **state)
{
	char cmd[128];

	/* Pango caches fonts per thread and frees the cache at thread exit,
	 * which the main thread never reaches: release it so LeakSanitizer
	 * sees only real leaks; first the context and layouts pdf.c keeps
	 * warm with it. */
	pdf_cache_free();
	pango_cairo_font_map_set_default(NULL);

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- Helpers ---------------------------------------------------------- */

typedef int (*doc_fn)(const struct order *, const struct catalog *, struct buf *);

/* Generates a document into tmpdir/name; returns its path (static). */
static const char *make_pdf(doc_fn fn, const struct order *o, const char *name, struct buf *b)
{
	static char path[256];
	FILE *f;

	assert_int_equal(fn(o, &cat, b), 0);
	assert_true(b->len > 1000);
	assert_memory_equal(b->data, "%PDF-", 5);
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	assert_non_null(f = fopen(path, "wb"));
	assert_int_equal(fwrite(b->data, 1, b->len, f), b->len);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* The standard output of cmd, whitespace runs folded into one space
 * when fold is set; the caller frees it. */
static char *run(const char *cmd, int fold)
{
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n, i, j;
	FILE *p = popen(cmd, "r");

	assert_non_null(p);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		buf_append(&b, chunk, n);
	assert_int_equal(pclose(p), 0);
	buf_cstr(&b);
	if (fold) {
		for (i = 0, j = 0; i < b.len; i++) {
			int sp = b.data[i] == ' ' || b.data[i] == '\n' || b.data[i] == '\t' ||
				 b.data[i] == '\f' || b.data[i] == '\r';

			if (sp && (j == 0 || b.data[j - 1] == ' '))
				continue;
			b.data[j++] = sp ? ' ' : b.data[i];
		}
		b.len = j;
		b.data[j] = '\0';
	}
	return buf_detach(&b);
}

static char *pdf_text(const char *path)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "pdftotext -enc UTF-8 '%s' -", path);
	return run(cmd, 1);
}

/* The text of pages first..last. */
static char *pdf_text_pages(const char *path, int first, int last)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "pdftotext -enc UTF-8 -f %d -l %d '%s' -", first, last, path);
	return run(cmd, 1);
}

static int pdf_pages(const char *path)
{
	char cmd[512], *info, *pages;
	int n;

	snprintf(cmd, sizeof(cmd), "pdfinfo '%s'", path);
	info = run(cmd, 0);
	assert_non_null(strstr(info, "Page size:       595.276 x 841.89 pts (A4)"));
	assert_non_null(pages = strstr(info, "Pages:"));
	n = atoi(pages + 6);
	free(info);
	return n;
}

#define assert_has(text, s)                                                                        \
	do {                                                                                       \
		if (strstr((text), (s)) == NULL)                                                   \
			fail_msg("\"%s\" is not in the document", (s));                            \
	} while (0)

/* The payment reference as the documents write it: "95 00000001"
 * (control digits, a space, the number; the model apart). */
static const char *ref_grouped(const struct order *o)
{
	static char ref[64];

	snprintf(ref, sizeof(ref), "%.2s %.50s", o->payment_ref + 2, o->payment_ref + 4);
	return ref;
}

static void assert_holder(const char *t, const struct order *o)
{
	assert_has(t, o->first_name);
	assert_has(t, o->last_name);
	assert_has(t, o->jmbg);
	assert_has(t, o->id_number);
	assert_has(t, o->id_issuer);
	assert_has(t, o->street);
	assert_has(t, o->postal_code);
	assert_has(t, o->city);
	assert_has(t, o->license_number);
}

static void assert_company(const char *t, const struct order *o)
{
	assert_has(t, o->company_name);
	assert_has(t, o->company_pib);
	assert_has(t, o->company_mb);
	assert_has(t, o->company_street);
	assert_has(t, o->company_postal_code);
	assert_has(t, o->company_city);
}

/* ---- The request -------------------------------------------------- */

static void test_request_natural_shows_every_entered_value(void **state)
{
	const struct office *off;
	const struct tariff_item *tr;
	struct buf b = BUF_INIT;
	struct order o;
	const char *path;
	char *t;
	size_t i;

	order_natural(&o);
	off = catalog_office(&cat, o.office);
	tr = catalog_tariff(&cat, o.validity);
	path = make_pdf(doc_request_pdf, &o, "request-natural.pdf", &b);
	assert_int_equal(pdf_pages(path), 1);
	t = pdf_text(path);
	assert_has(t, "Zahtev za izdavanje kvalifikovanog elektronskog sertifikata");
	assert_has(t, "Fizičko lice");
	assert_has(t, "4217");
	assert_has(t, ref_grouped(&o));
	assert_has(t, "14.03.2025.");
	assert_holder(t, &o);
	assert_has(t, "Lična karta");
	assert_has(t, o.email);
	assert_has(t, o.phone);
	assert_has(t, off->name[LANG_SR]);
	assert_has(t, off->street[LANG_SR]);
	assert_has(t, off->city[LANG_SR]);
	assert_has(t, tr->name[LANG_SR]);
	assert_has(t, "3 godine");
	assert_has(t, "Čitač kartica Da");
	for (i = 0; i < cat.ndocs; i++) {
		if (cat.docs[i].types & (1u << ORDER_NATURAL))
			assert_has(t, cat.docs[i].text[LANG_SR]);
		else
			assert_null(strstr(t, cat.docs[i].text[LANG_SR]));
	}
	assert_has(t, "Podnosilac zahteva");
	assert_has(t, "lični pečat");
	assert_null(strstr(t, "pečat pravnog lica"));
	assert_null(strstr(t, "Pravno lice (platilac)"));
	free(t);
	buf_free(&b);
}

static void test_request_legal_shows_company_and_its_documents(void **state)
{
	struct buf b = BUF_INIT;
	struct order o;
	const char *path;
	char *t;
	size_t i;

	order_legal(&o);
	path = make_pdf(doc_request_pdf, &o, "request-legal.pdf", &b);
	t = pdf_text(path);
	assert_true(pdf_pages(path) >= 1);
	assert_has(t, "Pravno lice");
	assert_holder(t, &o);
	assert_company(t, &o);
	assert_has(t, o.company_email);
	assert_has(t, o.position);
	assert_has(t, "Pasoš");
	assert_has(t, "2 godine");
	assert_has(t, "Čitač kartica Ne");
	for (i = 0; i < cat.ndocs; i++)
		if (cat.docs[i].types & (1u << ORDER_LEGAL))
			assert_has(t, cat.docs[i].text[LANG_SR]);
	assert_has(t, "pečat pravnog lica");
	assert_has(t, "zakonski zastupnik");
	free(t);
	buf_free(&b);
}

/* ---- The contract -------------------------------------------------- */

static void test_contract_has_two_identical_copies(void **state)
{
	struct buf b = BUF_INIT;
	struct order o;
	const char *path;
	char *t, *second;
	int pages;

	order_natural(&o);
	path = make_pdf(doc_contract_pdf, &o, "contract-natural.pdf", &b);
	pages = pdf_pages(path);
	assert_true(pages >= 2);
	assert_int_equal(pages % 2, 0);
	t = pdf_text(path);
	assert_has(t, "Primerak 1");
	assert_non_null(second = strstr(t, "Primerak 2"));
	/* Both copies carry the whole contract and both parties' places. */
	assert_non_null(
		strstr(second, "Ugovor o izdavanju kvalifikovanog elektronskog sertifikata"));
	assert_non_null(strstr(second, "Za Sertifikaciono telo"));
	assert_non_null(strstr(second, "Član 11."));
	assert_holder(second, &o);
	assert_has(t, cat.seller.ca_name);
	assert_has(t, "sud u Beogradu");
	assert_has(t, "PIN");
	assert_has(t, "Korisnik (imalac sertifikata)");
	free(t);
	buf_free(&b);
}

/* Copy 2 is copy 1 word for word, but for its label. */
static void check_copies_match(const char *path)
{
	int half = pdf_pages(path) / 2;
	char *one = pdf_text_pages(path, 1, half), *two = pdf_text_pages(path, half + 1, 2 * half);
	char *l;

	for (l = one; (l = strstr(l, "Primerak 1")) != NULL; l++)
		l[9] = '2';
	assert_string_equal(one, two);
	free(one);
	free(two);
}

static void test_contract_copies_are_word_for_word_the_same(void **state)
{
	struct buf b = BUF_INIT;
	struct order o;

	order_natural(&o);
	check_copies_match(make_pdf(doc_contract_pdf, &o, "copies-natural.pdf", &b));
	buf_reset(&b);
	order_legal(&o);
	check_copies_match(make_pdf(doc_contract_pdf, &o, "copies-legal.pdf", &b));
	buf_free(&b);
}

/* The contract is Pango markup: values with & < > must stay text. */
static void test_contract_values_cannot_inject_markup(void **state)
{
	struct buf b = BUF_INIT;
	struct order o;
	char *t;

	order_legal(&o);
	strcpy(o.company_name, "Gradnja & Co <b>Beograd</b> d.o.o.");
	strcpy(o.position, "direktor \"razvoja\" 'i' <i>");
	t = pdf_text(make_pdf(doc_contract_pdf, &o, "contract-markup.pdf", &b));
	assert_has(t, "Gradnja & Co <b>Beograd</b> d.o.o.");
	assert_has(t, "direktor \"razvoja\" 'i' <i>");
	free(t);
	buf_free(&b);
}

static void test_contract_legal_names_company_and_holder(void **state)
{
	struct buf b = BUF_INIT;
	struct order o;
	struct invoice inv;
	char total[32];
	const char *path;
	char *t;

	order_legal(&o);
	path = make_pdf(doc_contract_pdf, &o, "contract-legal.pdf", &b);
	assert_int_equal(pdf_pages(path) % 2, 0);
	t = pdf_text(path);
	assert_holder(t, &o);
	assert_company(t, &o);
	assert_has(t, o.position);
	assert_has(t, "pasoš broj P1234567");
	assert_int_equal(invoice_compute(&o, &cat, &inv), 0);
	money_format(inv.total_para, total, sizeof(total));
	assert_has(t, total);
	assert_has(t, ref_grouped(&o));
	assert_has(t, "pečat pravnog lica");
	assert_has(t, "Imalac sertifikata");
	free(t);
	buf_free(&b);
}

/* ---- The proforma -------------------------------------------------- */

static void test_proforma_shows_seller_buyer_and_totals(void **state)
{
	struct buf b = BUF_INIT;
	struct order o;
	struct invoice inv;
	char net[32], vat[32], total[32];
	const char *path;
	char *t;
	size_t i;

	order_legal(&o);
	path = make_pdf(doc_proforma_pdf, &o, "proforma-legal.pdf", &b);
	assert_int_equal(pdf_pages(path), 1);
	t = pdf_text(path);
	assert_int_equal(invoice_compute(&o, &cat, &inv), 0);
	money_format(inv.net_para, net, sizeof(net));
	money_format(inv.vat_para, vat, sizeof(vat));
	money_format(inv.total_para, total, sizeof(total));
	assert_has(t, "Predračun");
	assert_has(t, "br. 4218");
	assert_has(t, "14.03.2025.");
	assert_has(t, "22.03.2025."); /* due: confirmation + 8 days */
	assert_has(t, cat.seller.name);
	assert_has(t, cat.seller.pib);
	assert_has(t, cat.seller.mb);
	assert_has(t, cat.seller.bank);
	assert_company(t, &o);
	for (i = 0; i < inv.nlines; i++)
		assert_has(t, inv.lines[i].name[LANG_SR]);
	assert_has(t, net);
	assert_has(t, vat);
	assert_has(t, total);
	assert_has(t, "PDV 20%");
	assert_has(t, ref_grouped(&o));
	assert_has(t, cat.seller.purpose[LANG_SR]);
	free(t);
	buf_free(&b);
}

/* Renders page 1 at 150 dpi and decodes its QR code. */
static char *scan_qr(const char *path)
{
	char cmd[1024], *out;
	size_t n;

	snprintf(cmd, sizeof(cmd),
		 "pdftoppm -r 150 -png -f 1 -l 1 -singlefile '%s' '%s.scan' && "
		 "zbarimg --raw -q '%s.scan.png' 2>/dev/null",
		 path, path, path);
	out = run(cmd, 0);
	n = strlen(out);
	if (n > 0 && out[n - 1] == '\n')
		out[n - 1] = '\0';
	return out;
}

static void check_qr(const struct order *o, const char *name)
{
	struct buf b = BUF_INIT;
	struct invoice inv;
	char expect[512], amount[64], ref[64];
	char *got;

	assert_int_equal(doc_proforma_qr_text(o, &cat, expect, sizeof(expect)), 0);
	got = scan_qr(make_pdf(doc_proforma_pdf, o, name, &b));
	assert_string_equal(got, expect);
	assert_true(ips_qr_valid(got));
	assert_int_equal(invoice_compute(o, &cat, &inv), 0);
	snprintf(amount, sizeof(amount), "|I:RSD%lld,%02lld|", inv.total_para / 100,
		 inv.total_para % 100);
	snprintf(ref, sizeof(ref), "|RO:%s", o->payment_ref);
	assert_non_null(strstr(got, amount));
	assert_non_null(strstr(got, ref));
	assert_string_equal(strstr(got, ref), ref); /* the last tag */
	free(got);
	buf_free(&b);
}

static void test_proforma_qr_decodes_to_the_ips_payload(void **state)
{
	struct order o;

	order_natural(&o);
	check_qr(&o, "proforma-natural.pdf");
	order_legal(&o);
	check_qr(&o, "proforma-legal-qr.pdf");
}

static void test_ips_payload_names_payee_and_payer(void **state)
{
	struct order o;
	char qr[512], want[512];

	order_natural(&o);
	assert_int_equal(doc_proforma_qr_text(&o, &cat, qr, sizeof(qr)), 0);
	assert_true(ips_qr_valid(qr));
	snprintf(want, sizeof(want), "|N:%s\n%s, %s %s|", cat.seller.name, cat.seller.street,
		 cat.seller.postal_code, cat.seller.city);
	assert_non_null(strstr(qr, want));
	assert_non_null(strstr(qr, "|P:Žarko Đurašković\nNjegoševa 12/3, 11000 Београд|"));
	snprintf(want, sizeof(want), "|SF:%s|S:%s|", cat.seller.payment_code,
		 cat.seller.purpose[LANG_SR]);
	assert_non_null(strstr(qr, want));
	order_legal(&o);
	assert_int_equal(doc_proforma_qr_text(&o, &cat, qr, sizeof(qr)), 0);
	assert_non_null(
		strstr(qr, "|P:Čačanska gradnja d.o.o.\nBulevar oslobođenja 44, 32000 Čačak|"));
}

static void test_long_ips_names_are_shortened_not_refused(void **state)
{
	struct catalog saved = cat;
	struct order o;
	char qr[512];

	order_legal(&o);
	strcpy(o.company_name, "Društvo za projektovanje, inženjering i izgradnju objekata "
			       "visokogradnje Čačanska gradnja d.o.o.");
	strcpy(cat.seller.name, "Inženjerska komora Srbije, Sekretarijat za sertifikate");
	assert_int_equal(doc_proforma_qr_text(&o, &cat, qr, sizeof(qr)), 0);
	assert_true(ips_qr_valid(qr));
	assert_non_null(strstr(qr, "|N:Inženjerska komora Srbije, Sekretarijat za sertifikate\n"));
	assert_non_null(strstr(qr, "|P:Društvo za projektovanje"));
	cat = saved;
}

/* ---- Every document ------------------------------------------------- */

static void test_documents_are_byte_identical_on_every_download(void **state)
{
	static const doc_fn fns[] = {doc_request_pdf, doc_contract_pdf, doc_proforma_pdf};
	struct order o;
	size_t i, k;

	for (k = 0; k < 2; k++) {
		if (k == 0)
			order_natural(&o);
		else
			order_legal(&o);
		for (i = 0; i < 3; i++) {
			struct buf a = BUF_INIT, b = BUF_INIT;

			assert_int_equal(fns[i](&o, &cat, &a), 0);
			assert_int_equal(fns[i](&o, &cat, &b), 0);
			assert_int_equal(a.len, b.len);
			assert_memory_equal(a.data, b.data, a.len);
			/* Dated by the confirmation, not by the clock. */
			assert_non_null(
				memmem(a.data, a.len, "/CreationDate (20250314103000Z)", 31));
			buf_free(&a);
			buf_free(&b);
		}
	}
}

/* Every document in both scripts, drawn once into out[6]. */
static void *draw_all(void *arg)
{
	static const char *const names[] = {"request.pdf", "contract.pdf", "proforma.pdf"};
	struct buf *out = arg;
	struct order o;
	size_t i;

	order_legal(&o);
	for (i = 0; i < 6; i++)
		if (doc_render(&o, &cat, names[i % 3], i < 3 ? LANG_SR : LANG_SR_CYRL, &out[i]) !=
		    0)
			return NULL;
	return out;
}

/* The layouts kept between documents (pdf_cache.h) draw exactly what new
 * ones would: a thread of its own starts with nothing kept, this one has
 * drawn every document of other orders and these before. */
static void test_documents_drawn_with_kept_layouts_equal_those_drawn_fresh(void **state)
{
	struct buf warm[6], cold[6];
	struct order o;
	pthread_t t;
	void *rc;
	size_t i;

	memset(warm, 0, sizeof(warm));
	memset(cold, 0, sizeof(cold));
	order_natural(&o);
	for (i = 0; i < 3; i++) {
		struct buf b = BUF_INIT;

		assert_int_equal(doc_render(&o, &cat, i == 0 ? "request.pdf" : "contract.pdf",
					    i == 2 ? LANG_SR_CYRL : LANG_SR, &b),
				 0);
		buf_free(&b);
	}
	assert_non_null(draw_all(warm));
	for (i = 0; i < 6; i++)
		buf_reset(&warm[i]);
	assert_non_null(draw_all(warm));
	assert_int_equal(pthread_create(&t, NULL, draw_all, cold), 0);
	assert_int_equal(pthread_join(t, &rc), 0);
	assert_ptr_equal(rc, cold);
	for (i = 0; i < 6; i++) {
		assert_int_equal(warm[i].len, cold[i].len);
		assert_memory_equal(warm[i].data, cold[i].data, warm[i].len);
		buf_free(&warm[i]);
		buf_free(&cold[i]);
	}
}

/* A kept layout is found only by every setting it was made with. */
static void test_kept_layouts_are_keyed_by_style_width_alignment_and_markup(void **state)
{
	PangoContext *pc = pdf_cache_context();
	struct pdf_layout_key k = {PDF_BODY, PDF_ALIGN_LEFT, 0, 100000, "Kupac"}, other;
	PangoLayout *l = pango_layout_new(pc), *got;
	char text[32];
	int i;

	pango_layout_set_text(l, k.text, -1);
	pdf_cache_put(&k, l);
	assert_ptr_equal(got = pdf_cache_get(&k), l);
	g_object_unref(got);
	/* Each setting changed alone. */
	{
		const struct pdf_layout_key misses[] = {
			{PDF_BODY_BOLD, PDF_ALIGN_LEFT, 0, 100000, "Kupac"},
			{PDF_BODY, PDF_ALIGN_RIGHT, 0, 100000, "Kupac"},
			{PDF_BODY, PDF_ALIGN_LEFT, 1, 100000, "Kupac"},
			{PDF_BODY, PDF_ALIGN_LEFT, 0, 100001, "Kupac"},
			{PDF_BODY, PDF_ALIGN_LEFT, 0, 100000, "Kupac "},
		};

		for (i = 0; i < (int)(sizeof(misses) / sizeof(misses[0])); i++)
			assert_null(pdf_cache_get(&misses[i]));
	}
	/* Past PDF_CACHE_LAYOUTS the cache starts over, and still finds
	 * what it keeps by its own key. */
	for (i = 0; i < 2 * PDF_CACHE_LAYOUTS; i++) {
		snprintf(text, sizeof(text), "%d", i);
		other = k;
		other.text = text;
		pdf_cache_put(&other, l);
		assert_ptr_equal(got = pdf_cache_get(&other), l);
		g_object_unref(got);
	}
	snprintf(text, sizeof(text), "%d", 2 * PDF_CACHE_LAYOUTS);
	other.text = text;
	assert_null(pdf_cache_get(&other));
	g_object_unref(l);
	pdf_cache_free(); /* none of these for the documents */
}

static void test_documents_append_to_the_buffer(void **state)
{
	struct buf b = BUF_INIT;
	struct order o;

	order_natural(&o);
	buf_puts(&b, "head");
	assert_int_equal(doc_proforma_pdf(&o, &cat, &b), 0);
	assert_memory_equal(b.data, "head%PDF-", 9);
	buf_free(&b);
}

static void test_unknown_office_or_tariff_fails_cleanly(void **state)
{
	static const doc_fn fns[] = {doc_request_pdf, doc_contract_pdf, doc_proforma_pdf};
	struct buf b = BUF_INIT;
	struct order o;
	char qr[512];
	size_t i;

	for (i = 0; i < 3; i++) {
		order_natural(&o);
		strcpy(o.office, "XX");
		assert_int_equal(fns[i](&o, &cat, &b), -1);
		assert_int_equal(b.len, 0);
		order_natural(&o);
		strcpy(o.validity, "99y");
		assert_int_equal(fns[i](&o, &cat, &b), -1);
		assert_int_equal(b.len, 0);
	}
	assert_int_equal(doc_proforma_qr_text(&o, &cat, qr, sizeof(qr)), -1);
	buf_free(&b);
}

/* Dates near midnight and the summer-time switches (Directive
 * 2000/84/EC: last Sundays of March and October at 01:00 UTC). */
static void test_dates_are_belgrade_local_time(void **state)
{
	static const struct {
		time_t t;
		const char *date;
	} cases[] = {
		{1743291000, "30.03.2025."}, /* 03-29 23:30 UTC, CET +1 */
		{1743373800, "31.03.2025."}, /* 03-30 22:30 UTC, CEST +2 */
		{1751322600, "01.07.2025."}, /* 06-30 22:30 UTC, CEST */
		{1761431400, "26.10.2025."}, /* 10-25 22:30 UTC, CEST */
		{1761517800, "26.10.2025."}, /* 10-26 22:30 UTC, CET again */
		{1767223800, "01.01.2026."}, /* 12-31 23:30 UTC, CET */
	};
	char d[16];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pdf_date(cases[i].t, d, sizeof(d));
		assert_string_equal(d, cases[i].date);
	}
}

static void test_years_take_the_serbian_plural(void **state)
{
	static const struct {
		int n;
		const char *s;
	} cases[] = {{1, "1 godina"},   {2, "2 godine"},   {3, "3 godine"},   {4, "4 godine"},
		     {5, "5 godina"},   {11, "11 godina"}, {12, "12 godina"}, {21, "21 godina"},
		     {22, "22 godine"}, {14, "14 godina"}};
	char s[32];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pdf_years(cases[i].n, s, sizeof(s));
		assert_string_equal(s, cases[i].s);
	}
}

/* ---- Serbian Cyrillic ------------------------------------------------ */

/* doc_render in LANG_SR_CYRL into tmpdir/name; returns its text. */
static char *cyrillic_text(const struct order *o, const char *doc, const char *name)
{
	static char path[256];
	struct buf b = BUF_INIT;
	FILE *f;

	assert_int_equal(doc_render(o, &cat, doc, LANG_SR_CYRL, &b), 0);
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	assert_non_null(f = fopen(path, "wb"));
	assert_int_equal(fwrite(b.data, 1, b.len, f), b.len);
	assert_int_equal(fclose(f), 0);
	buf_free(&b);
	return pdf_text(path);
}

#define assert_lacks(text, s)                                                                      \
	do {                                                                                       \
		if (strstr((text), (s)) != NULL)                                                   \
			fail_msg("\"%s\" is in the document", (s));                                \
	} while (0)

/* Every document in Cyrillic: its own text and the catalogue's in
 * Cyrillic (pdftotext reads it back, so the font has the glyphs), what
 * the member typed as typed, identifiers untouched. */
static void test_documents_in_cyrillic_keep_what_the_member_typed(void **state)
{
	struct order o, legal;
	char *t;

	order_natural(&o);
	order_legal(&legal);
	t = cyrillic_text(&o, "request.pdf", "request-cyrl.pdf");
	assert_has(t, "Захтев за издавање квалификованог електронског сертификата");
	assert_has(t, "Име и презиме");
	assert_has(t, "Број лиценце");
	assert_has(t, "Лична карта");
	assert_has(t, "Регионални центар Ниш");      /* the catalogue's office */
	assert_has(t, "Обреновићева 38, 18000 Ниш"); /* and its address */
	assert_lacks(t, "Obrenovićeva");
	assert_has(t, "Страна 1 од");
	assert_holder(t, &o); /* "Žarko Đurašković", "Njegoševa 12/3", "PU Čačak" */
	assert_has(t, o.email);
	assert_lacks(t, "Ime i prezime");
	assert_lacks(t, "Жарко");
	/* The CA's name as its certificates write it, in every script. */
	assert_has(t, cat.seller.ca_name);
	assert_lacks(t, "Демо");
	free(t);

	t = cyrillic_text(&legal, "contract.pdf", "contract-cyrl.pdf");
	assert_has(t, "Уговор о издавању квалификованог електронског сертификата");
	assert_has(t, "Члан 1.");
	assert_has(t, "2 године");
	assert_holder(t, &legal);
	assert_company(t, &legal); /* "Čačanska gradnja d.o.o." */
	assert_lacks(t, "Ugovorne strane");
	/* The chamber's and the office's names and addresses in Cyrillic. */
	assert_has(t, "Инжењерска комора Србије, Кнеза Милоша 9/I, 11000 Београд");
	assert_lacks(t, "Inženjerska komora");
	assert_lacks(t, "Kneza Miloša");
	assert_lacks(t, "Strana 1 od"); /* the footer of a page ending inside the text */
	assert_lacks(t, "Primerak");
	/* The identity document's words are the contract's own text
	 * (the legal entity's holder shows a passport, the natural
	 * person an identity card). */
	assert_has(t, "пасош");
	assert_lacks(t, "pasoš");
	assert_has(t, cat.seller.ca_name);
	assert_lacks(t, "Демо");
	free(t);

	t = cyrillic_text(&o, "contract.pdf", "contract-natural-cyrl.pdf");
	assert_has(t, "лична");
	assert_has(t, "издата");
	assert_lacks(t, "lična");
	assert_lacks(t, "izdata");
	free(t);

	t = cyrillic_text(&legal, "proforma.pdf", "proforma-cyrl.pdf");
	assert_has(t, "Предрачун");
	assert_has(t, "Инструкције за плаћање");
	assert_has(t, "Овлашћено лице: Đorđe Šćekić, direktor");
	assert_has(t, "ком");
	assert_company(t, &legal);
	assert_has(t, "160-0000045832471-66"); /* the account, as printed */
	assert_lacks(t, "Inženjerska komora"); /* the payee too (the QR code keeps it in Latin) */
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_natural_shows_every_entered_value),
		cmocka_unit_test(test_request_legal_shows_company_and_its_documents),
		cmocka_unit_test(test_contract_has_two_identical_copies),
		cmocka_unit_test(test_contract_legal_names_company_and_holder),
		cmocka_unit_test(test_contract_copies_are_word_for_word_the_same),
		cmocka_unit_test(test_contract_values_cannot_inject_markup),
		cmocka_unit_test(test_proforma_shows_seller_buyer_and_totals),
		cmocka_unit_test(test_proforma_qr_decodes_to_the_ips_payload),
		cmocka_unit_test(test_ips_payload_names_payee_and_payer),
		cmocka_unit_test(test_long_ips_names_are_shortened_not_refused),
		cmocka_unit_test(test_documents_are_byte_identical_on_every_download),
		cmocka_unit_test(test_documents_drawn_with_kept_layouts_equal_those_drawn_fresh),
		cmocka_unit_test(test_kept_layouts_are_keyed_by_style_width_alignment_and_markup),
		cmocka_unit_test(test_documents_append_to_the_buffer),
		cmocka_unit_test(test_unknown_office_or_tariff_fails_cleanly),
		cmocka_unit_test(test_dates_are_belgrade_local_time),
		cmocka_unit_test(test_years_take_the_serbian_plural),
		cmocka_unit_test(test_documents_in_cyrillic_keep_what_the_member_typed),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
