/*
 * Page layout for the order documents: see pdf.h.
 *
 * Cairo works in points; the interface is in millimetres and converts
 * at the last moment (MM()).  The first pass of pdf_render() has no
 * surface at all (p->cr == NULL): it measures text and breaks pages
 * exactly as the second pass will, because every measurement goes
 * through one pango context whose font options, resolution and
 * language are fixed (pdf_cache.c) rather than taken from a surface or
 * the environment.  That context and the layouts shaped with it are
 * kept between documents (pdf_cache.h): the second pass, and the next
 * document, shape again only what they have not set before.
 */
#include "docs/pdf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <qrencode.h>

#include "docs/pdf_cache.h"
#include "docs/pdf_script.h"
#include "util/log.h"

#define PT_PER_MM (72.0 / 25.4)
#define MM(x) ((x)*PT_PER_MM)
#define QR_QUIET 4 /* modules of white around the code (ISO/IEC 18004) */

/* Ink: a dark blue for rules and headings, greys for frames and fills. */
#define ACCENT_R 0.12
#define ACCENT_G 0.23
#define ACCENT_B 0.37
#define FRAME 0.62
#define SHADE 0.93
#define PAD 1.5 /* cell padding */

struct pdf_style_def {
	const char *font;
	double grey; /* text colour: 0 black */
	int accent;  /* 1: accent colour instead */
};

static const struct pdf_style_def styles[PDF_STYLE__MAX] = {
	[PDF_BODY] = {"DejaVu Sans 9.5", 0.0, 0},
	[PDF_BODY_BOLD] = {"DejaVu Sans Bold 9.5", 0.0, 0},
	[PDF_TEXT] = {"DejaVu Sans 9", 0.0, 0},
	[PDF_TEXT_BOLD] = {"DejaVu Sans Bold 9", 0.0, 0},
	[PDF_SMALL] = {"DejaVu Sans 8", 0.15, 0},
	[PDF_SMALL_BOLD] = {"DejaVu Sans Bold 8", 0.0, 0},
	[PDF_LABEL] = {"DejaVu Sans 7.5", 0.32, 0},
	[PDF_TITLE] = {"DejaVu Sans Bold 14", 0.0, 1},
	[PDF_SUBTITLE] = {"DejaVu Sans 10.5", 0.0, 0},
	[PDF_HEADING] = {"DejaVu Sans Bold 10", 0.0, 1},
	[PDF_TOTAL] = {"DejaVu Sans Bold 11", 0.0, 0},
};

struct pdf {
	const struct pdf_meta *m;
	cairo_t *cr; /* NULL while counting pages */
	PangoContext *pc;
	PangoFontDescription *font[PDF_STYLE__MAX];
	int section;                 /* index into pages[] */
	int page;                    /* page number within the section */
	int pages[PDF_MAX_SECTIONS]; /* section lengths from the first pass */
	const char *label;           /* section label for the header */
	int drawn;                   /* something is on the current page */
	int failed;                  /* bad markup, QR overflow: abandon */
	double y;                    /* cursor, mm from the top */
	struct pdf_script script;    /* Latin or Cyrillic (pdf_script.h) */
	QRcode *qr;                  /* the last QR code, kept for the second pass */
	char *qr_text;               /* its text */
};

void pdf_as_written(struct pdf *p, int on)
{
	p->script.as_written = on;
}

const char *pdf_tr(struct pdf *p, const char *latin)
{
	return pdf_script_keep(&p->script, latin);
}

/* ---- Primitives ------------------------------------------------------- */

static double pu_mm(int pango_units)
{
	return pango_units_to_double(pango_units) / PT_PER_MM;
}

static void ink_grey(struct pdf *p, double g)
{
	cairo_set_source_rgb(p->cr, g, g, g);
}

static void ink_accent(struct pdf *p)
{
	cairo_set_source_rgb(p->cr, ACCENT_R, ACCENT_G, ACCENT_B);
}

static void ink_style(struct pdf *p, enum pdf_style st)
{
	if (styles[st].accent)
		ink_accent(p);
	else
		ink_grey(p, styles[st].grey);
}

/*
 * A layout of text (plain, or Pango markup when markup is set) in width
 * w mm; the caller unrefs it.  Kept layouts are reused (pdf_cache.h).
 * Broken markup marks the document failed and shows the text as it is,
 * so the bug is visible, not silent.
 */
static PangoLayout *layout_new(struct pdf *p, double w, enum pdf_style st, enum pdf_align al,
			       const char *text, int markup)
{
	PangoLayout *l;
	PangoAttrList *attrs = NULL;
	GError *gerr = NULL;
	char *plain = NULL, *script = pdf_script_copy(&p->script, text);
	struct pdf_layout_key k;

	if (script != NULL)
		text = script;
	k = (struct pdf_layout_key){st, al, markup, pango_units_from_double(MM(w)), text};
	if ((l = pdf_cache_get(&k)) != NULL) {
		free(script);
		return l;
	}
	l = pango_layout_new(p->pc);
	pango_layout_set_font_description(l, p->font[st]);
	pango_layout_set_width(l, k.width);
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_alignment(l, al == PDF_ALIGN_CENTER  ? PANGO_ALIGN_CENTER
				      : al == PDF_ALIGN_RIGHT ? PANGO_ALIGN_RIGHT
							      : PANGO_ALIGN_LEFT);
	pango_layout_set_justify(l, al == PDF_ALIGN_JUSTIFY);
	if (!markup) {
		pango_layout_set_text(l, text, -1);
		pdf_cache_put(&k, l);
	} else if (!pango_parse_markup(text, -1, 0, &attrs, &plain, NULL, &gerr)) {
		log_warnx("pdf: bad markup: %s", gerr->message);
		g_error_free(gerr);
		p->failed = 1;
		pango_layout_set_text(l, text, -1);
	} else {
		pango_layout_set_text(l, plain, -1);
		pango_layout_set_attributes(l, attrs);
		pango_attr_list_unref(attrs);
		g_free(plain);
		pdf_cache_put(&k, l);
	}
	free(script);
	return l;
}

/* A value: measured and drawn as written (see pdf_set_cyrillic). */
static double value_measure(struct pdf *p, double w, enum pdf_style st, const char *text)
{
	int was = p->script.as_written;
	double h;

	p->script.as_written = 1;
	h = pdf_measure(p, w, st, text);
	p->script.as_written = was;
	return h;
}

static double value_at(struct pdf *p, double x, double y, double w, enum pdf_style st,
		       enum pdf_align al, const char *text)
{
	int was = p->script.as_written;
	double h;

	p->script.as_written = 1;
	h = pdf_text_at(p, x, y, w, st, al, text);
	p->script.as_written = was;
	return h;
}

static double layout_height(PangoLayout *l)
{
	PangoRectangle r;

	pango_layout_get_extents(l, NULL, &r);
	return pu_mm(r.height);
}

void pdf_rect(struct pdf *p, double x, double y, double w, double h, double lw, double fill)
{
	p->drawn = 1;
	if (p->cr == NULL)
		return;
	cairo_rectangle(p->cr, MM(x), MM(y), MM(w), MM(h));
	if (fill >= 0) {
		ink_grey(p, fill);
		cairo_fill_preserve(p->cr);
	}
	if (lw > 0) {
		ink_grey(p, FRAME);
		cairo_set_line_width(p->cr, MM(lw));
		cairo_stroke(p->cr);
	}
	cairo_new_path(p->cr);
}

/* A horizontal line in the current source colour. */
static void stroke_hline(struct pdf *p, double x1, double x2, double y, double lw, int dotted)
{
	p->drawn = 1;
	if (p->cr == NULL)
		return;
	cairo_save(p->cr);
	cairo_set_line_width(p->cr, MM(lw));
	if (dotted) {
		/* Round caps on zero-length dashes: a row of dots. */
		cairo_set_line_cap(p->cr, CAIRO_LINE_CAP_ROUND);
		cairo_set_dash(p->cr, (double[]){0, MM(0.9)}, 2, 0);
	}
	cairo_move_to(p->cr, MM(x1), MM(y));
	cairo_line_to(p->cr, MM(x2), MM(y));
	cairo_stroke(p->cr);
	cairo_restore(p->cr);
}

void pdf_hline(struct pdf *p, double x1, double x2, double y, double lw, int dotted)
{
	if (p->cr != NULL)
		ink_grey(p, 0.25);
	stroke_hline(p, x1, x2, y, lw, dotted);
}

static void rule_accent(struct pdf *p, double y, double lw)
{
	if (p->cr != NULL)
		ink_accent(p);
	stroke_hline(p, PDF_LEFT, PDF_RIGHT, y, lw, 0);
}

static void rule_frame(struct pdf *p, double y, double lw)
{
	if (p->cr != NULL)
		ink_grey(p, FRAME);
	stroke_hline(p, PDF_LEFT, PDF_RIGHT, y, lw, 0);
}

/* ---- Pages --------------------------------------------------------------- */

/* Header and footer of the current page, then the page itself. */
static void page_end(struct pdf *p)
{
	char num[48];
	int total = p->pages[p->section], was = p->script.as_written;

	if (p->cr == NULL) {
		if (p->page > total)
			p->pages[p->section] = p->page;
		return;
	}
	p->script.as_written = 0; /* a page can end in the middle of a value */
	pdf_text_at(p, PDF_LEFT, 9.5, PDF_WIDTH * 0.7, PDF_SMALL_BOLD, PDF_ALIGN_LEFT,
		    p->m->header ? p->m->header : "");
	if (p->label != NULL)
		pdf_text_at(p, PDF_RIGHT - 50, 9.5, 50, PDF_SMALL_BOLD, PDF_ALIGN_RIGHT, p->label);
	rule_accent(p, 14.5, 0.4);
	rule_frame(p, PDF_PAGE_H - 14.5, 0.2);
	if (total >= p->page)
		snprintf(num, sizeof(num), "Strana %d od %d", p->page, total);
	else
		snprintf(num, sizeof(num), "Strana %d", p->page);
	pdf_text_at(p, PDF_LEFT, PDF_PAGE_H - 13, PDF_WIDTH * 0.75, PDF_SMALL, PDF_ALIGN_LEFT,
		    p->m->footer ? p->m->footer : "");
	pdf_text_at(p, PDF_RIGHT - 40, PDF_PAGE_H - 13, 40, PDF_SMALL, PDF_ALIGN_RIGHT, num);
	p->script.as_written = was;
	cairo_show_page(p->cr);
}

static void page_begin(struct pdf *p)
{
	p->y = PDF_TOP;
	p->drawn = 0;
}

void pdf_new_page(struct pdf *p)
{
	page_end(p);
	p->page++;
	page_begin(p);
}

void pdf_section(struct pdf *p, const char *label)
{
	if (p->drawn) {
		page_end(p);
		if (p->section < PDF_MAX_SECTIONS - 1)
			p->section++;
		page_begin(p);
	}
	p->page = 1;
	p->label = label;
}

void pdf_need(struct pdf *p, double mm)
{
	if (p->y + mm > PDF_BOTTOM && p->y > PDF_TOP)
		pdf_new_page(p);
}

double pdf_y(const struct pdf *p)
{
	return p->y;
}

void pdf_set_y(struct pdf *p, double y)
{
	p->y = y;
}

void pdf_space(struct pdf *p, double mm)
{
	p->y += mm;
}

/* ---- Text ---------------------------------------------------------------- */

double pdf_measure(struct pdf *p, double w, enum pdf_style st, const char *text)
{
	PangoLayout *l = layout_new(p, w, st, PDF_ALIGN_LEFT, text, 0);
	double h = layout_height(l);

	g_object_unref(l);
	return h;
}

double pdf_text_at(struct pdf *p, double x, double y, double w, enum pdf_style st,
		   enum pdf_align al, const char *text)
{
	PangoLayout *l = layout_new(p, w, st, al, text, 0);
	double h = layout_height(l);

	p->drawn = 1;
	if (p->cr != NULL) {
		ink_style(p, st);
		cairo_move_to(p->cr, MM(x), MM(y));
		pango_cairo_show_layout(p->cr, l);
	}
	g_object_unref(l);
	return h;
}

/*
 * Sets l line by line from the cursor at x, starting a new page when a
 * line would cross the bottom margin, and leaves the cursor below it.
 */
static void flow(struct pdf *p, PangoLayout *l, double x, enum pdf_style st)
{
	PangoLayoutIter *it = pango_layout_get_iter(l);
	double start = p->y, off = 0, ly = p->y, lh = 0;

	do {
		PangoLayoutLine *line = pango_layout_iter_get_line_readonly(it);
		PangoRectangle r;
		int base = pango_layout_iter_get_baseline(it);

		pango_layout_iter_get_line_extents(it, NULL, &r);
		ly = start + pu_mm(r.y) - off;
		lh = pu_mm(r.height);
		if (ly + lh > PDF_BOTTOM && ly > PDF_TOP + 0.01) {
			pdf_new_page(p);
			start = PDF_TOP;
			off = pu_mm(r.y);
			ly = PDF_TOP;
		}
		p->drawn = 1;
		if (p->cr != NULL) {
			ink_style(p, st);
			cairo_move_to(p->cr, MM(x) + pango_units_to_double(r.x),
				      MM(ly) + pango_units_to_double(base - r.y));
			pango_cairo_show_layout_line(p->cr, line);
		}
	} while (pango_layout_iter_next_line(it));
	pango_layout_iter_free(it);
	p->y = ly + lh;
}

void pdf_para(struct pdf *p, double indent, enum pdf_style st, enum pdf_align al, const char *text)
{
	PangoLayout *l = layout_new(p, PDF_WIDTH - indent, st, al, text, 0);

	flow(p, l, PDF_LEFT + indent, st);
	g_object_unref(l);
}

void pdf_markup(struct pdf *p, double indent, enum pdf_style st, enum pdf_align al,
		const char *markup)
{
	PangoLayout *l = layout_new(p, PDF_WIDTH - indent, st, al, markup, 1);

	flow(p, l, PDF_LEFT + indent, st);
	g_object_unref(l);
}

void pdf_bullet(struct pdf *p, double indent, enum pdf_style st, const char *text, int markup)
{
	PangoLayout *l = layout_new(p, PDF_WIDTH - indent - 5, st, PDF_ALIGN_LEFT, text, markup);
	double h = layout_height(l);

	/* Keep short items whole; the bullet goes with the first line. */
	pdf_need(p, h < 15 ? h : 5);
	pdf_text_at(p, PDF_LEFT + indent + 1, p->y, 4, st, PDF_ALIGN_LEFT, "•");
	flow(p, l, PDF_LEFT + indent + 5, st);
	g_object_unref(l);
}

void pdf_heading(struct pdf *p, const char *text, double keep)
{
	double h = pdf_measure(p, PDF_WIDTH, PDF_HEADING, text);

	pdf_need(p, h + 2 + keep);
	pdf_text_at(p, PDF_LEFT, p->y, PDF_WIDTH, PDF_HEADING, PDF_ALIGN_LEFT, text);
	p->y += h + 0.8;
	rule_accent(p, p->y, 0.35);
	p->y += 1.6;
}

/* ---- Tables ---------------------------------------------------------------- */

static const char *value_or_dash(const char *v)
{
	return v != NULL && v[0] != '\0' ? v : "—";
}

/* The height of a label-value cell pair, values vw wide. */
static double row_height(struct pdf *p, double lw, double vw, const struct pdf_row *r)
{
	double lh = pdf_measure(p, lw - 2 * PAD, PDF_LABEL, r->label);
	double vh = value_measure(p, vw - 2 * PAD, PDF_BODY, value_or_dash(r->value));

	return (lh > vh ? lh : vh) + 2 * PAD;
}

static void row_cells(struct pdf *p, double x, double lw, double vw, double h,
		      const struct pdf_row *r)
{
	const char *v = value_or_dash(r->value);
	double lh = pdf_measure(p, lw - 2 * PAD, PDF_LABEL, r->label);
	double vh = value_measure(p, vw - 2 * PAD, PDF_BODY, v);

	pdf_rect(p, x, p->y, lw, h, 0.2, SHADE);
	pdf_rect(p, x + lw, p->y, vw, h, 0.2, -1);
	pdf_text_at(p, x + PAD, p->y + (h - lh) / 2, lw - 2 * PAD, PDF_LABEL, PDF_ALIGN_LEFT,
		    r->label);
	value_at(p, x + lw + PAD, p->y + (h - vh) / 2, vw - 2 * PAD, PDF_BODY, PDF_ALIGN_LEFT, v);
}

void pdf_rows(struct pdf *p, double lw, const struct pdf_row *rows, size_t n, int cols)
{
	double half = PDF_WIDTH / 2 - lw;
	size_t i;

	if (cols != 2) {
		pdf_rows_in(p, PDF_LEFT, PDF_WIDTH, lw, rows, n);
		return;
	}
	for (i = 0; i + 1 < n; i += 2) {
		double h = row_height(p, lw, half, &rows[i]);
		double h2 = row_height(p, lw, half, &rows[i + 1]);

		if (h2 > h)
			h = h2;
		pdf_need(p, h);
		row_cells(p, PDF_LEFT, lw, half, h, &rows[i]);
		row_cells(p, PDF_LEFT + lw + half, lw, half, h, &rows[i + 1]);
		p->y += h;
	}
	if (i < n)
		pdf_rows_in(p, PDF_LEFT, PDF_WIDTH, lw, &rows[i], 1);
}

void pdf_rows_in(struct pdf *p, double x, double w, double lw, const struct pdf_row *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		double h = row_height(p, lw, w - lw, &rows[i]);

		pdf_need(p, h);
		row_cells(p, x, lw, w - lw, h, &rows[i]);
		p->y += h;
	}
}

void pdf_fields(struct pdf *p, const struct pdf_row *f, size_t n)
{
	double w = PDF_WIDTH / (double)n, h = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		double fh = pdf_measure(p, w - 2 * PAD, PDF_LABEL, f[i].label) + 0.6 +
			    value_measure(p, w - 2 * PAD, PDF_BODY_BOLD, value_or_dash(f[i].value));

		if (fh > h)
			h = fh;
	}
	h += 2 * PAD;
	pdf_need(p, h);
	for (i = 0; i < n; i++) {
		double x = PDF_LEFT + w * (double)i;
		double lh;

		pdf_rect(p, x, p->y, w, h, 0.2, -1);
		lh = pdf_text_at(p, x + PAD, p->y + PAD, w - 2 * PAD, PDF_LABEL, PDF_ALIGN_LEFT,
				 f[i].label);
		value_at(p, x + PAD, p->y + PAD + lh + 0.6, w - 2 * PAD, PDF_BODY_BOLD,
			 PDF_ALIGN_LEFT, value_or_dash(f[i].value));
	}
	p->y += h;
}

static void table_head(struct pdf *p, const struct pdf_col *cols, size_t ncols, double h)
{
	double x = PDF_LEFT;
	size_t c;

	pdf_rect(p, PDF_LEFT, p->y, PDF_WIDTH, h, 0, SHADE);
	for (c = 0; c < ncols; c++) {
		pdf_text_at(p, x + PAD, p->y + PAD, cols[c].width - 2 * PAD, PDF_SMALL_BOLD,
			    cols[c].align == PDF_ALIGN_JUSTIFY ? PDF_ALIGN_LEFT : cols[c].align,
			    cols[c].head);
		x += cols[c].width;
	}
	rule_accent(p, p->y + h, 0.35);
	p->y += h;
}

void pdf_table(struct pdf *p, const struct pdf_col *cols, size_t ncols, const char *const *cells,
	       size_t nrows)
{
	double hh = 0, x;
	size_t r, c;
	int head;

	for (c = 0; c < ncols; c++) {
		double h = pdf_measure(p, cols[c].width - 2 * PAD, PDF_SMALL_BOLD, cols[c].head);

		if (h > hh)
			hh = h;
	}
	hh += 2 * PAD;
	for (r = 0; r < nrows; r++) {
		double h = 0;

		for (c = 0; c < ncols; c++) {
			double ch = value_measure(p, cols[c].width - 2 * PAD, PDF_BODY,
						  value_or_dash(cells[r * ncols + c]));

			if (ch > h)
				h = ch;
		}
		h += 2 * PAD + 0.6;
		head = r == 0;
		if (r == 0) {
			pdf_need(p, hh + h);
		} else if (p->y + h > PDF_BOTTOM) {
			pdf_new_page(p);
			head = 1;
		}
		if (head)
			table_head(p, cols, ncols, hh);
		x = PDF_LEFT;
		for (c = 0; c < ncols; c++) {
			value_at(p, x + PAD, p->y + PAD + 0.3, cols[c].width - 2 * PAD, PDF_BODY,
				 cols[c].align, value_or_dash(cells[r * ncols + c]));
			x += cols[c].width;
		}
		p->y += h;
		rule_frame(p, p->y, 0.2);
	}
}

/* ---- Signatures and stamps ------------------------------------------------- */

#define SIGN_H 31.0
#define SIGN_GAP 6.0
#define STAMP_R 12.0

static void sign_box(struct pdf *p, double x, double y, double w, const struct pdf_sign *s)
{
	double line_r = s->stamp ? x + w - 2 * STAMP_R - 8 : x + w - 5;
	double line_y = y + SIGN_H - 10;

	pdf_rect(p, x, y, w, SIGN_H, 0.25, -1);
	pdf_text_at(p, x + 3, y + 2.2, w - 6, PDF_SMALL_BOLD, PDF_ALIGN_LEFT, s->caption);
	pdf_hline(p, x + 4, line_r, line_y, 0.3, 1);
	if (s->name != NULL) {
		value_at(p, x + 4, line_y + 1, line_r - x - 4, PDF_LABEL, PDF_ALIGN_CENTER,
			 s->name);
		pdf_text_at(p, x + 4, line_y + 4.4, line_r - x - 4, PDF_LABEL, PDF_ALIGN_CENTER,
			    "(potpis)");
	} else {
		pdf_text_at(p, x + 4, line_y + 1, line_r - x - 4, PDF_LABEL, PDF_ALIGN_CENTER,
			    "(ime, prezime i potpis)");
	}
	if (s->stamp == NULL)
		return;
	{
		double cx = x + w - STAMP_R - 4, cy = y + SIGN_H / 2 + 1.5;

		if (p->cr != NULL) {
			cairo_save(p->cr);
			ink_grey(p, 0.55);
			cairo_set_line_width(p->cr, MM(0.25));
			cairo_set_dash(p->cr, (double[]){MM(1.2), MM(1.0)}, 2, 0);
			cairo_new_path(p->cr);
			cairo_arc(p->cr, MM(cx), MM(cy), MM(STAMP_R), 0, 2 * M_PI);
			cairo_stroke(p->cr);
			cairo_restore(p->cr);
		}
		pdf_text_at(p, cx - STAMP_R, cy - 3.5, 2 * STAMP_R, PDF_SMALL_BOLD,
			    PDF_ALIGN_CENTER, "M.P.");
		pdf_text_at(p, cx - STAMP_R + 2, cy + 0.2, 2 * STAMP_R - 4, PDF_LABEL,
			    PDF_ALIGN_CENTER, s->stamp);
	}
}

void pdf_signatures(struct pdf *p, const struct pdf_sign *s, size_t n)
{
	double w = (PDF_WIDTH - SIGN_GAP) / 2;
	size_t i;

	for (i = 0; i < n; i += 2) {
		pdf_need(p, SIGN_H);
		if (i + 1 < n) {
			sign_box(p, PDF_LEFT, p->y, w, &s[i]);
			sign_box(p, PDF_LEFT + w + SIGN_GAP, p->y, w, &s[i + 1]);
		} else {
			sign_box(p, PDF_LEFT + w + SIGN_GAP, p->y, w, &s[i]);
		}
		p->y += SIGN_H + (i + 2 < n ? 4 : 0);
	}
}

void pdf_sign_line(struct pdf *p, const char *caption, const char *name)
{
	double x = PDF_LEFT + PDF_WIDTH / 2 + SIGN_GAP / 2 + 4, w = PDF_RIGHT - 5 - x;

	pdf_need(p, 16);
	pdf_text_at(p, PDF_LEFT, p->y + 6, x - PDF_LEFT - 4, PDF_SMALL_BOLD, PDF_ALIGN_LEFT,
		    caption);
	pdf_hline(p, x, x + w, p->y + 9, 0.3, 1);
	value_at(p, x, p->y + 10, w, PDF_LABEL, PDF_ALIGN_CENTER, name);
	pdf_text_at(p, x, p->y + 13.4, w, PDF_LABEL, PDF_ALIGN_CENTER, "(potpis)");
	p->y += 16;
}

/* ---- QR code ---------------------------------------------------------------- */

int pdf_qr(struct pdf *p, double x, double y, double size, const char *text)
{
	QRcode *q = p->qr;
	double m;
	int r, c, run;

	if (q == NULL || strcmp(p->qr_text, text) != 0) {
		if (q != NULL)
			QRcode_free(q);
		free(p->qr_text);
		p->qr_text = strdup(text);
		p->qr = q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	}
	if (q == NULL || p->qr_text == NULL) {
		log_warn("pdf: QR code of %zu bytes", strlen(text));
		p->failed = 1;
		return -1;
	}
	p->drawn = 1;
	m = size / (q->width + 2 * QR_QUIET);
	if (p->cr != NULL) {
		pdf_rect(p, x, y, size, size, 0, 1.0);
		/* One path, one fill: adjacent modules merge without seams. */
		for (r = 0; r < q->width; r++) {
			for (c = 0; c < q->width; c += run) {
				run = 0;
				while (c + run < q->width && (q->data[r * q->width + c + run] & 1))
					run++;
				if (run == 0) {
					run = 1;
					continue;
				}
				cairo_rectangle(p->cr, MM(x + (QR_QUIET + c) * m),
						MM(y + (QR_QUIET + r) * m), MM(run * m), MM(m));
			}
		}
		ink_grey(p, 0);
		cairo_fill(p->cr);
	}
	return 0;
}

/* ---- The document ----------------------------------------------------------- */

static cairo_status_t write_buf(void *closure, const unsigned char *data, unsigned int len)
{
	buf_append(closure, data, len);
	return CAIRO_STATUS_SUCCESS;
}

static void pdf_metadata(struct pdf *p, cairo_surface_t *s, const struct pdf_meta *m)
{
	char date[32];
	struct tm tm;

	gmtime_r(&m->created, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, date);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_MOD_DATE, date);
	if (m->title != NULL)
		cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, pdf_tr(p, m->title));
	if (m->author != NULL)
		cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_AUTHOR, pdf_tr(p, m->author));
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "qcra");
}

/* One pass over body: counting when out is NULL, else writing to it. */
static int pdf_pass(struct pdf *p, pdf_body_fn body, void *arg, struct buf *out)
{
	cairo_surface_t *s = NULL;
	int rc = -1;

	p->section = 0;
	p->page = 1;
	p->label = NULL;
	p->cr = NULL;
	page_begin(p);
	if (out != NULL) {
		s = cairo_pdf_surface_create_for_stream(write_buf, out, MM(PDF_PAGE_W),
							MM(PDF_PAGE_H));
		pdf_metadata(p, s, p->m);
		p->cr = cairo_create(s);
	}
	if (body(p, arg) != 0 || p->failed)
		goto done;
	page_end(p);
	if (p->cr != NULL) {
		if (cairo_status(p->cr) != CAIRO_STATUS_SUCCESS) {
			log_warnx("pdf: %s", cairo_status_to_string(cairo_status(p->cr)));
			goto done;
		}
		cairo_surface_finish(s);
		if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
			log_warnx("pdf: %s", cairo_status_to_string(cairo_surface_status(s)));
			goto done;
		}
	}
	rc = 0;
done:
	if (p->cr != NULL)
		cairo_destroy(p->cr);
	p->cr = NULL;
	if (s != NULL)
		cairo_surface_destroy(s);
	return rc;
}

int pdf_render(const struct pdf_meta *m, pdf_body_fn body, void *arg, struct buf *out)
{
	struct pdf p;
	size_t mark = out->len;
	int rc, i;

	memset(&p, 0, sizeof(p));
	p.m = m;
	pdf_script_begin(&p.script);
	p.pc = pdf_cache_context();
	for (i = 0; i < PDF_STYLE__MAX; i++)
		p.font[i] = pango_font_description_from_string(styles[i].font);
	rc = pdf_pass(&p, body, arg, NULL);
	if (rc == 0)
		rc = pdf_pass(&p, body, arg, out);
	for (i = 0; i < PDF_STYLE__MAX; i++)
		pango_font_description_free(p.font[i]);
	pdf_script_end(&p.script);
	if (p.qr != NULL)
		QRcode_free(p.qr);
	free(p.qr_text);
	if (rc != 0 && out->data != NULL) {
		out->len = mark;
		out->data[mark] = '\0';
	}
	return rc;
}
