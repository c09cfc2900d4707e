/*
 * The script a document is drawn in (pdf.h, pdf_set_cyrillic): the
 * per-document state pdf.c keeps in struct pdf, and the copies of the
 * texts it draws in Cyrillic.  Private to src/docs/.
 */
#ifndef QCRA_DOCS_PDF_SCRIPT_H
#define QCRA_DOCS_PDF_SCRIPT_H

#include <stddef.h>

#define PDF_SCRIPT_KEPT 64 /* pdf_script_keep copies per document (both passes) */

struct pdf_script {
	int cyrillic;   /* the document is drawn in Cyrillic */
	int as_written; /* ... except what is drawn now (values, pdf_as_written) */
	char *kept[PDF_SCRIPT_KEPT];
	size_t nkept;
};

/* A document starts in the script this thread's pdf_set_cyrillic chose. */
void pdf_script_begin(struct pdf_script *s);
/* Frees what pdf_script_keep kept. */
void pdf_script_end(struct pdf_script *s);
/* text in Cyrillic, malloc'd (the caller frees it), when it is to be
 * drawn so now; else NULL (draw text as it is). */
char *pdf_script_copy(const struct pdf_script *s, const char *text);
/* text in the document's script, kept until pdf_script_end (or text
 * itself when it needs no copy). */
const char *pdf_script_keep(struct pdf_script *s, const char *text);

#endif
