/*
 * What pdf.c keeps warm between documents, per thread: the pango context
 * every document is measured and drawn with (its font options,
 * resolution and language fixed once), and the layouts it shaped, so a
 * text set again in the same style, width and alignment is not shaped
 * again (the fixed texts of every document, the labels, the seller; and
 * within one document, the second pass of pdf_render and a text
 * measured before it is drawn).  Only what differs between documents
 * (the order's values) is shaped per document.  Private to src/docs/.
 *
 * A layout is a pure function of its key and the context, which never
 * changes, so a kept layout draws exactly what a new one would: the PDF
 * bytes are the same as without the cache.  At most PDF_CACHE_LAYOUTS
 * are kept; when full, all are dropped and the cache fills again.
 */
#ifndef QCRA_DOCS_PDF_CACHE_H
#define QCRA_DOCS_PDF_CACHE_H

#include <pango/pango.h>

#define PDF_CACHE_LAYOUTS 512

struct pdf_layout_key {
	int style;  /* enum pdf_style */
	int align;  /* enum pdf_align */
	int markup; /* text is Pango markup */
	int width;  /* Pango units */
	const char *text;
};

/* This thread's context (made on the first call); owned by the cache. */
PangoContext *pdf_cache_context(void);
/* A new reference to the layout kept for k, or NULL. */
PangoLayout *pdf_cache_get(const struct pdf_layout_key *k);
/* Keeps l (a reference of its own) for k. */
void pdf_cache_put(const struct pdf_layout_key *k, PangoLayout *l);
/* Frees this thread's cache and context now (they are freed at thread
 * exit anyway; the main thread never gets there: tests call this before
 * releasing pango's font map, so that LeakSanitizer sees real leaks). */
void pdf_cache_free(void);

#endif
