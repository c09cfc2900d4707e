/*
 * A small page-layout kit over cairo and pango for the order documents
 * (docs.h): A4 pages with a header and a "Strana i od n" footer, text
 * blocks that flow over page breaks, labelled rows, tables, signature
 * and stamp places and a QR code.  Private to src/docs/.
 *
 * Units are millimetres from the top-left corner of the page.  Text is
 * set in one fixed family (DejaVu Sans: Serbian Latin diacritics and
 * Cyrillic), unhinted, at 72 dpi, so the layout and the bytes of the
 * PDF depend only on the input and the installed font files.
 *
 * A document is a body function run by pdf_render() twice: once to
 * count the pages of each section (for the page numbers), once to
 * write.  It must therefore draw the same thing both times.
 */
#ifndef QCRA_DOCS_PDF_H
#define QCRA_DOCS_PDF_H

#include <stddef.h>
#include <time.h>

#include "domain/order.h"
#include "util/buf.h"

#define PDF_PAGE_W 210.0
#define PDF_PAGE_H 297.0
#define PDF_LEFT 18.0                    /* left margin */
#define PDF_RIGHT (PDF_PAGE_W - 18.0)    /* right edge of the text */
#define PDF_WIDTH (PDF_RIGHT - PDF_LEFT) /* text width */
#define PDF_TOP 24.0                     /* first line below the header */
#define PDF_BOTTOM (PDF_PAGE_H - 20.0)   /* last line above the footer */
#define PDF_MAX_SECTIONS 8

enum pdf_style {
	PDF_BODY,       /* running text, 9.5 pt */
	PDF_BODY_BOLD,  /* emphasised running text */
	PDF_TEXT,       /* long text (the contract), 9 pt */
	PDF_TEXT_BOLD,  /* its headings */
	PDF_SMALL,      /* notes, 8 pt */
	PDF_SMALL_BOLD, /* column heads */
	PDF_LABEL,      /* field labels, 7.5 pt grey */
	PDF_TITLE,      /* document title, 14 pt bold */
	PDF_SUBTITLE,   /* line under the title, 10.5 pt */
	PDF_HEADING,    /* section headings, 10 pt bold */
	PDF_TOTAL,      /* amount due, 11 pt bold */
	PDF_STYLE__MAX
};

enum pdf_align { PDF_ALIGN_LEFT, PDF_ALIGN_CENTER, PDF_ALIGN_RIGHT, PDF_ALIGN_JUSTIFY };

/* Borrowed strings; they must outlive pdf_render(). */
struct pdf_meta {
	const char *title;  /* PDF title */
	const char *author; /* PDF author: the issuer */
	const char *header; /* left of every page's header (the issuer) */
	const char *footer; /* left of every page's footer (document, order) */
	time_t created;     /* PDF creation date */
};

struct pdf;

/* Draws the document; returns 0, or -1 to abandon it. */
typedef int (*pdf_body_fn)(struct pdf *p, void *arg);

/*
 * Runs body on a new A4 PDF and appends the file to out.  Returns 0,
 * or -1 (logged) when body fails or cairo reports an error; out is then
 * left as it was.
 */
int pdf_render(const struct pdf_meta *m, pdf_body_fn body, void *arg, struct buf *out);

/* ---- Script ------------------------------------------------------------ */

/*
 * The script of the documents this thread draws next: Serbian Latin
 * (0, the default) or Cyrillic (1); doc_render sets it around one
 * document.  In Cyrillic, pdf_render writes every text it draws in
 * Cyrillic (domain/translit.h: identifiers and markup kept) except the
 * values: a row's or field's value, a table cell, the name under a
 * signature, and what is drawn while pdf_as_written is on.  A value
 * that is fixed text of the document goes through pdf_tr.
 */
void pdf_set_cyrillic(int on);
int pdf_cyrillic(void);
/* Text drawn from now on is drawn as written (on) or in the script. */
void pdf_as_written(struct pdf *p, int on);
/* latin in the document's script; the copy lives as long as p (or latin
 * itself when it needs none). */
const char *pdf_tr(struct pdf *p, const char *latin);

/* ---- Pages ------------------------------------------------------------- */

/* Starts a new page set (on a new page unless nothing is drawn yet),
 * numbered from 1 and labelled in the header (e.g. "Primerak 1"). */
void pdf_section(struct pdf *p, const char *label);
void pdf_new_page(struct pdf *p);
/* Starts a new page unless mm remain above the bottom margin. */
void pdf_need(struct pdf *p, double mm);
double pdf_y(const struct pdf *p);
void pdf_set_y(struct pdf *p, double y);
void pdf_space(struct pdf *p, double mm);

/* ---- Text ------------------------------------------------------------ */

/* Height of text set in width w. */
double pdf_measure(struct pdf *p, double w, enum pdf_style st, const char *text);
/* Draws text in the box from (x, y), width w; returns its height.  No
 * page break. */
double pdf_text_at(struct pdf *p, double x, double y, double w, enum pdf_style st,
		   enum pdf_align al, const char *text);
/* A paragraph at the cursor, indented by indent, flowing over page
 * breaks line by line; the cursor moves below it.  pdf_markup takes
 * Pango markup (values in it must be escaped). */
void pdf_para(struct pdf *p, double indent, enum pdf_style st, enum pdf_align al, const char *text);
void pdf_markup(struct pdf *p, double indent, enum pdf_style st, enum pdf_align al,
		const char *markup);
/* A bullet item ("•" hanging at indent); text is markup when markup
 * is set. */
void pdf_bullet(struct pdf *p, double indent, enum pdf_style st, const char *text, int markup);
/* A section heading with a rule under it, kept with ~keep mm below. */
void pdf_heading(struct pdf *p, const char *text, double keep);

/* ---- Tables ------------------------------------------------------------ */

struct pdf_row {
	const char *label;
	const char *value; /* NULL or "" prints a dash */
};

/* Labelled rows across the text width, labels lw wide: one field per
 * line, or with cols 2 two per line (an odd last one takes the line). */
void pdf_rows(struct pdf *p, double lw, const struct pdf_row *rows, size_t n, int cols);
/* One field per line in a column w wide at x (e.g. beside a picture). */
void pdf_rows_in(struct pdf *p, double x, double w, double lw, const struct pdf_row *rows,
		 size_t n);

/* A row of n boxed fields of equal width, each a label above a bold
 * value (e.g. number, date, reference). */
void pdf_fields(struct pdf *p, const struct pdf_row *f, size_t n);

struct pdf_col {
	const char *head;
	double width; /* mm; the columns should add up to PDF_WIDTH */
	enum pdf_align align;
};

/* A table with a shaded header row (repeated after a page break);
 * cells holds nrows * ncols strings, row by row. */
void pdf_table(struct pdf *p, const struct pdf_col *cols, size_t ncols, const char *const *cells,
	       size_t nrows);

/* ---- Drawing ------------------------------------------------------------ */

/* Rectangle outline (line width lw mm, 0 for none), optionally filled
 * with grey level fill (0 black .. 1 white; < 0 for no fill). */
void pdf_rect(struct pdf *p, double x, double y, double w, double h, double lw, double fill);
void pdf_hline(struct pdf *p, double x1, double x2, double y, double lw, int dotted);

struct pdf_sign {
	const char *caption; /* above the box, e.g. "Podnosilac zahteva" */
	const char *name;    /* printed under the signature line, or NULL */
	const char *stamp;   /* caption of a stamp place ("M.P. ..."), or NULL */
};

/* Signature boxes, two per row (a lone last box goes right), each with
 * a signature line and, when asked, a round stamp place; a row is kept
 * on one page. */
void pdf_signatures(struct pdf *p, const struct pdf_sign *s, size_t n);

/* One signature line without a box: caption at the left, a dotted line
 * at the right with name and "(potpis)" under it. */
void pdf_sign_line(struct pdf *p, const char *caption, const char *name);

/* The QR code of text (byte mode, level M, UTF-8) with a 4-module
 * quiet zone, size mm square at (x, y).  Returns 0, or -1 when the
 * text does not fit a QR code. */
int pdf_qr(struct pdf *p, double x, double y, double size, const char *text);

/* ---- Values shared by the documents -------------------------------- */

/* "dd.mm.yyyy." of t in Belgrade time (CET/CEST, EU rules, whatever
 * the process's TZ). */
void pdf_date(time_t t, char *out, size_t outlen);
/* "3 godine": n years with the Serbian plural form. */
void pdf_years(int n, char *out, size_t outlen);
/* A bank account as printed: "160-0000000012345-78" for 18 digits,
 * anything else as it is. */
void pdf_account(const char *a, char *out, size_t outlen);
/* The time the documents bear: confirmation, else creation. */
time_t pdf_order_time(const struct order *o);

/* ---- An order's document ------------------------------------------- */

struct catalog;
struct office;
struct tariff_item;

/* The office and the tariff of order o in c (f or t may be NULL where
 * the caller needs only to know they are there); 0, or -1 logged as
 * "order N: doc: unknown office ... or tariff ...". */
int pdf_order_catalog(const struct order *o, const struct catalog *c, const char *doc,
		      const struct office **f, const struct tariff_item **t);
/* pdf_render of order o's document doc ("request"): its metadata title,
 * author and footer, the seller's name in every header and the order's
 * time (pdf_order_time) as its date; a failure logged as "order N:
 * doc.pdf failed".  0 or -1. */
int pdf_order_render(const struct order *o, const struct catalog *c, const char *doc,
		     const char *title, const char *author, const char *footer, pdf_body_fn body,
		     void *arg, struct buf *out);

#endif
