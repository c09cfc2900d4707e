/*
 * The physical bound of scenario 4c (first-time proformas): a bare
 * cairo + pango loop drawing a page like the proforma (src/docs/
 * proforma.c) to a PDF in memory, nothing else: A4, DejaVu Sans at the
 * documents' sizes, the same texts and amount of text (seller, title,
 * dates, buyer box, a table, totals, seven payment rows, the IPS QR
 * code as vector rectangles from libqrencode, its caption, the note,
 * header and footer), each document with its own order number, buyer
 * and reference, so no two are alike.  One pango context and font map
 * per process, made once; one pass per document; unhinted at 72 dpi like
 * the renderer.  A reference written plainly, not project code.
 *
 * usage: cairo_bare PROCESSES SECONDS
 * Runs PROCESSES processes (like the renderer's children: threads of
 * one process would wait on cairo's and fontconfig's locks) drawing for
 * SECONDS each (after one document each to warm up) and prints one line:
 *   processes=P docs=N seconds=S per_second=R ms_per_doc=M cpu_per_doc_ms=C bytes=B
 * where ms_per_doc is the mean time of one document in one process,
 * cpu_per_doc_ms the CPU time it took (below ms_per_doc when other work
 * shares the cores) and bytes the size of the last PDF.
 */
#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PT (72.0 / 25.4)
#define MM(x) ((x)*PT)
#define LEFT 18.0
#define RIGHT (210.0 - 18.0)

static double seconds;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct out {
	unsigned char *data;
	size_t len, cap;
};

static cairo_status_t write_out(void *closure, const unsigned char *data, unsigned int len)
{
	struct out *o = closure;

	if (o->len + len > o->cap) {
		o->cap = (o->len + len) * 2;
		if ((o->data = realloc(o->data, o->cap)) == NULL)
			return CAIRO_STATUS_NO_MEMORY;
	}
	memcpy(o->data + o->len, data, len);
	o->len += len;
	return CAIRO_STATUS_SUCCESS;
}

struct ctx {
	cairo_t *cr;
	PangoContext *pc;
	PangoFontDescription *body, *bold, *small, *label, *title, *sub, *head, *total;
};

/* Text in a box at (x, y) mm, w mm wide; returns its height in mm. */
static double text(struct ctx *c, double x, double y, double w, PangoFontDescription *f,
		   double grey, PangoAlignment al, int justify, const char *s)
{
	PangoLayout *l = pango_layout_new(c->pc);
	PangoRectangle r;

	pango_layout_set_font_description(l, f);
	pango_layout_set_width(l, pango_units_from_double(MM(w)));
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_alignment(l, al);
	pango_layout_set_justify(l, justify);
	pango_layout_set_text(l, s, -1);
	cairo_set_source_rgb(c->cr, grey, grey, grey);
	cairo_move_to(c->cr, MM(x), MM(y));
	pango_cairo_show_layout(c->cr, l);
	pango_layout_get_extents(l, NULL, &r);
	g_object_unref(l);
	return pango_units_to_double(r.height) / PT;
}

static void rect(struct ctx *c, double x, double y, double w, double h, double lw, double fill)
{
	cairo_rectangle(c->cr, MM(x), MM(y), MM(w), MM(h));
	if (fill >= 0) {
		cairo_set_source_rgb(c->cr, fill, fill, fill);
		cairo_fill_preserve(c->cr);
	}
	if (lw > 0) {
		cairo_set_source_rgb(c->cr, 0.62, 0.62, 0.62);
		cairo_set_line_width(c->cr, MM(lw));
		cairo_stroke(c->cr);
	}
	cairo_new_path(c->cr);
}

static void rule(struct ctx *c, double y, double lw)
{
	cairo_set_source_rgb(c->cr, 0.12, 0.23, 0.37);
	cairo_set_line_width(c->cr, MM(lw));
	cairo_move_to(c->cr, MM(LEFT), MM(y));
	cairo_line_to(c->cr, MM(RIGHT), MM(y));
	cairo_stroke(c->cr);
}

static void qr(struct ctx *c, double x, double y, double size, const char *payload)
{
	QRcode *q = QRcode_encodeString(payload, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	double m;
	int r, col, run;

	if (q == NULL)
		abort();
	m = size / (q->width + 8);
	rect(c, x, y, size, size, 0, 1.0);
	for (r = 0; r < q->width; r++)
		for (col = 0; col < q->width; col += run) {
			run = 0;
			while (col + run < q->width && (q->data[r * q->width + col + run] & 1))
				run++;
			if (run == 0) {
				run = 1;
				continue;
			}
			cairo_rectangle(c->cr, MM(x + (4 + col) * m), MM(y + (4 + r) * m),
					MM(run * m), MM(m));
		}
	cairo_set_source_rgb(c->cr, 0, 0, 0);
	cairo_fill(c->cr);
	QRcode_free(q);
}

/* A row of the table's six cells at y. */
static void table_row(struct ctx *c, double y, const double *widths, PangoFontDescription *f,
		      const char *const *cells)
{
	double x = LEFT;
	int i;

	for (i = 0; i < 6; x += widths[i], i++)
		text(c, x + 1.5, y, widths[i] - 3, f, 0,
		     i == 2   ? PANGO_ALIGN_CENTER
		     : i >= 3 ? PANGO_ALIGN_RIGHT
			      : PANGO_ALIGN_LEFT,
		     0, cells[i]);
}

static const char *const first[] = {"Petar", "Jelena", "Marko", "Ana", "Nikola", "Milica"};
static const char *const last[] = {"Petrović", "Jovanović", "Nikolić", "Đorđević", "Šećerović"};

/* One proforma of order n into o. */
static void proforma(struct ctx *c, long n, struct out *o)
{
	static const char *const heads[] = {"Rb.",      "Naziv",        "JM",
					    "Količina", "Cena bez PDV", "Iznos bez PDV"};
	static const double widths[] = {10, 82, 12, 16, 27, 27};
	static const char *const labels[] = {"Primalac",       "Račun primaoca", "Iznos (RSD)",
					     "Šifra plaćanja", "Model",          "Poziv na broj",
					     "Svrha uplate"};
	cairo_surface_t *s;
	char num[64], buyer[128], addr[256], ref[32], payload[512], caption[160], note[800],
		footer[160];
	const char *values[7], *cells[6];
	double y, h, x;
	int i;

	snprintf(num, sizeof(num), "br. %ld", n);
	snprintf(buyer, sizeof(buyer), "%s %s", first[n % 6], last[n % 5]);
	snprintf(addr, sizeof(addr), "Ulica %ld, 11000 Beograd\ndemo%05ld@members.example",
		 n % 200 + 1, n % 30000);
	snprintf(ref, sizeof(ref), "%02ld %08ld", 98 - (n * 100) % 97, n);
	snprintf(payload, sizeof(payload),
		 "K:PR|V:01|C:1|R:160000004583247166|N:Inženjerska komora Srbije\r\nKneza "
		 "Miloša 9/I\r\n11000 Beograd|I:RSD7200,00|P:%s\r\nUlica %ld\r\n11000 "
		 "Beograd|SF:221|S:Kvalifikovani sertifikat|RO:97%s",
		 buyer, n % 200 + 1, ref);
	o->len = 0;
	s = cairo_pdf_surface_create_for_stream(write_out, o, MM(210), MM(297));
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, "Predračun");
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_AUTHOR, "Inženjerska komora Srbije");
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, "2026-10-09T08:53:20Z");
	c->cr = cairo_create(s);

	/* Header. */
	text(c, LEFT, 9.5, 122, c->small, 0, PANGO_ALIGN_LEFT, 0, "Inženjerska komora Srbije");
	rule(c, 14.5, 0.4);
	/* Seller; title, number, dates. */
	y = 24;
	text(c, LEFT, y, 95, c->label, 0.32, PANGO_ALIGN_LEFT, 0, "Prodavac");
	h = 3.6 + text(c, LEFT, y + 3.6, 95, c->bold, 0, PANGO_ALIGN_LEFT, 0,
		       "Inženjerska komora Srbije");
	text(c, LEFT, y + h + 0.5, 95, c->small, 0.15, PANGO_ALIGN_LEFT, 0,
	     "Kneza Miloša 9/I, 11000 Beograd\nPIB 101745818  ·  MB 17167418\nTekući račun "
	     "160-0000045832471-66\nBanca Intesa a.d. Beograd");
	h = text(c, RIGHT - 70, y - 1, 70, c->title, 0.12, PANGO_ALIGN_RIGHT, 0, "Predračun");
	h += text(c, RIGHT - 70, y - 1 + h, 70, c->sub, 0, PANGO_ALIGN_RIGHT, 0, num);
	for (i = 0; i < 2; i++) {
		rect(c, RIGHT - 70 + 35 * i, y + h + 2, 35, 11, 0.2, -1);
		text(c, RIGHT - 70 + 35 * i + 1.5, y + h + 3.5, 32, c->label, 0.32,
		     PANGO_ALIGN_LEFT, 0, i ? "Rok plaćanja" : "Datum izdavanja");
		text(c, RIGHT - 70 + 35 * i + 1.5, y + h + 7, 32, c->bold, 0, PANGO_ALIGN_LEFT, 0,
		     i ? "17.10.2026." : "09.10.2026.");
	}
	/* Buyer. */
	y = 54;
	rect(c, LEFT, y, 106, 22, 0.2, 0.97);
	text(c, LEFT + 3, y + 2.5, 100, c->label, 0.32, PANGO_ALIGN_LEFT, 0, "Kupac");
	h = text(c, LEFT + 3, y + 6.1, 100, c->bold, 0, PANGO_ALIGN_LEFT, 0, buyer);
	text(c, LEFT + 3, y + 6.6 + h, 100, c->small, 0.15, PANGO_ALIGN_LEFT, 0, addr);
	/* Lines. */
	y = 84;
	rect(c, LEFT, y, RIGHT - LEFT, 6, 0, 0.93);
	table_row(c, y + 1.5, widths, c->small, heads);
	rule(c, y + 6, 0.35);
	y += 6;
	cells[0] = "1.";
	cells[1] = "Kvalifikovani elektronski sertifikat, 3 godine";
	cells[2] = "kom";
	cells[3] = "1";
	cells[4] = "6.000,00";
	cells[5] = "6.000,00";
	table_row(c, y + 1.8, widths, c->body, cells);
	y += 8;
	/* Totals. */
	x = RIGHT - 90;
	text(c, x, y + 2, 55, c->body, 0, PANGO_ALIGN_LEFT, 0, "Osnovica (bez PDV)");
	text(c, x + 55, y + 2, 35, c->body, 0, PANGO_ALIGN_RIGHT, 0, "6.000,00");
	text(c, x, y + 7.5, 55, c->body, 0, PANGO_ALIGN_LEFT, 0, "PDV 20%");
	text(c, x + 55, y + 7.5, 35, c->body, 0, PANGO_ALIGN_RIGHT, 0, "1.200,00");
	rect(c, x - 2, y + 12.5, 92, 9, 0, 0.9);
	text(c, x, y + 14, 55, c->total, 0, PANGO_ALIGN_LEFT, 0, "Ukupno za uplatu (RSD)");
	text(c, x + 55, y + 14, 35, c->total, 0, PANGO_ALIGN_RIGHT, 0, "7.200,00");
	/* Payment instructions and the QR code. */
	y += 30;
	h = text(c, LEFT, y, RIGHT - LEFT, c->head, 0.12, PANGO_ALIGN_LEFT, 0,
		 "Instrukcije za plaćanje");
	rule(c, y + h + 0.8, 0.35);
	y += h + 2.4;
	values[0] = "Inženjerska komora Srbije, 11000 Beograd";
	values[1] = "160-0000045832471-66";
	values[2] = "7.200,00";
	values[3] = "221";
	values[4] = "97";
	values[5] = ref;
	values[6] = "Kvalifikovani sertifikat";
	for (i = 0, h = y; i < 7; i++) {
		rect(c, LEFT, h, 34, 7, 0.2, 0.93);
		rect(c, LEFT + 34, h, RIGHT - 42 - 8 - LEFT - 34, 7, 0.2, -1);
		text(c, LEFT + 1.5, h + 2, 31, c->label, 0.32, PANGO_ALIGN_LEFT, 0, labels[i]);
		text(c, LEFT + 35.5, h + 1.5, RIGHT - 42 - 8 - LEFT - 37, c->body, 0,
		     PANGO_ALIGN_LEFT, 0, values[i]);
		h += 7;
	}
	qr(c, RIGHT - 42, y, 42, payload);
	snprintf(caption, sizeof(caption),
		 "NBS IPS QR: platite skeniranjem\nu aplikaciji svoje banke\nmodel 97, poziv na "
		 "broj\n%s",
		 ref);
	text(c, RIGHT - 46, y + 42, 50, c->label, 0.32, PANGO_ALIGN_CENTER, 0, caption);
	y += 42 + 12 + 6;
	snprintf(
		note, sizeof(note),
		"Uplatu izvršite najkasnije do 17.10.2026., sa pozivom na broj tačno kako je "
		"naveden, kako bi uplata bila automatski povezana sa vašom porudžbinom. Sertifikat "
		"se izdaje po evidentiranju uplate i prijemu potpisane dokumentacije. Predračun "
		"nije poreska isprava; račun se izdaje po prijemu uplate. Dokument je izrađen "
		"elektronski i punovažan je bez pečata i potpisa.");
	text(c, LEFT, y, RIGHT - LEFT, c->small, 0.15, PANGO_ALIGN_LEFT, 1, note);
	/* Footer. */
	cairo_set_source_rgb(c->cr, 0.62, 0.62, 0.62);
	cairo_set_line_width(c->cr, MM(0.2));
	cairo_move_to(c->cr, MM(LEFT), MM(297 - 14.5));
	cairo_line_to(c->cr, MM(RIGHT), MM(297 - 14.5));
	cairo_stroke(c->cr);
	snprintf(footer, sizeof(footer), "Predračun br. %ld  ·  model 97, poziv na broj %s", n,
		 ref);
	text(c, LEFT, 297 - 13, 130, c->small, 0.15, PANGO_ALIGN_LEFT, 0, footer);
	text(c, RIGHT - 40, 297 - 13, 40, c->small, 0.15, PANGO_ALIGN_RIGHT, 0, "Strana 1 od 1");

	cairo_show_page(c->cr);
	cairo_destroy(c->cr);
	cairo_surface_finish(s);
	if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
		fprintf(stderr, "cairo_bare: %s\n",
			cairo_status_to_string(cairo_surface_status(s)));
		exit(1);
	}
	cairo_surface_destroy(s);
}

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct worker {
	int id;
	long docs;
	double busy, cpu;
	size_t bytes;
};

static void work(struct worker *w)
{
	PangoFontMap *fm = pango_cairo_font_map_new();
	cairo_font_options_t *fo = cairo_font_options_create();
	struct ctx c;
	struct out o = {NULL, 0, 0};
	double t0, t, c0;

	c.pc = pango_font_map_create_context(fm);
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	pango_cairo_context_set_font_options(c.pc, fo);
	cairo_font_options_destroy(fo);
	pango_cairo_context_set_resolution(c.pc, 72);
	pango_context_set_round_glyph_positions(c.pc, FALSE);
	c.body = pango_font_description_from_string("DejaVu Sans 9.5");
	c.bold = pango_font_description_from_string("DejaVu Sans Bold 9.5");
	c.small = pango_font_description_from_string("DejaVu Sans 8");
	c.label = pango_font_description_from_string("DejaVu Sans 7.5");
	c.title = pango_font_description_from_string("DejaVu Sans Bold 14");
	c.sub = pango_font_description_from_string("DejaVu Sans 10.5");
	c.head = pango_font_description_from_string("DejaVu Sans Bold 10");
	c.total = pango_font_description_from_string("DejaVu Sans Bold 11");
	/* One document first: fonts found and opened, as in a warm child. */
	proforma(&c, 1000000L * w->id, &o);
	t0 = now();
	c0 = cpu_now();
	do {
		proforma(&c, 1000000L * w->id + 1 + w->docs, &o);
		w->docs++;
		t = now();
	} while (t - t0 < seconds);
	w->busy = t - t0;
	w->cpu = cpu_now() - c0;
	w->bytes = o.len;
	free(o.data);
	g_object_unref(c.pc);
	g_object_unref(fm);
}

int main(int argc, char **argv)
{
	struct worker w;
	long total = 0;
	double busy = 0, cpu = 0, rate = 0;
	size_t bytes = 0;
	int n, i, fd[2];

	if (argc != 3 || (n = atoi(argv[1])) < 1 || (seconds = atof(argv[2])) <= 0) {
		fprintf(stderr, "usage: cairo_bare PROCESSES SECONDS\n");
		return 2;
	}
	if (pipe(fd) != 0)
		return 1;
	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return 1;
		if (pid == 0) {
			memset(&w, 0, sizeof(w));
			w.id = i + 1;
			work(&w);
			_exit(write(fd[1], &w, sizeof(w)) == (ssize_t)sizeof(w) ? 0 : 1);
		}
	}
	close(fd[1]);
	for (i = 0; i < n; i++) {
		if (read(fd[0], &w, sizeof(w)) != (ssize_t)sizeof(w)) {
			fprintf(stderr, "cairo_bare: a process failed\n");
			return 1;
		}
		total += w.docs;
		busy += w.busy;
		cpu += w.cpu;
		rate += (double)w.docs / w.busy;
		bytes = w.bytes;
	}
	while (wait(NULL) > 0)
		;
	/* The warm-up document is in neither figure. */
	printf("processes=%d docs=%ld seconds=%.2f per_second=%.1f ms_per_doc=%.2f "
	       "cpu_per_doc_ms=%.2f bytes=%zu\n",
	       n, total, busy / n, rate, 1000.0 * busy / (double)total,
	       1000.0 * cpu / (double)total, bytes);
	return 0;
}
