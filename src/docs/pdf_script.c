/* The script a document is drawn in: see pdf_script.h and pdf.h. */
#include "docs/pdf_script.h"

#include <stdlib.h>
#include <string.h>

#include "docs/pdf.h"
#include "domain/translit.h"

static _Thread_local int cyrillic_next;

void pdf_set_cyrillic(int on)
{
	cyrillic_next = on;
}

int pdf_cyrillic(void)
{
	return cyrillic_next;
}

void pdf_script_begin(struct pdf_script *s)
{
	memset(s, 0, sizeof(*s));
	s->cyrillic = cyrillic_next;
}

void pdf_script_end(struct pdf_script *s)
{
	while (s->nkept > 0)
		free(s->kept[--s->nkept]);
}

char *pdf_script_copy(const struct pdf_script *s, const char *text)
{
	size_t n = strlen(text);
	char *c;

	if (!s->cyrillic || s->as_written || (c = malloc(2 * n + 1)) == NULL)
		return NULL;
	translit_cyrl(c, 2 * n + 1, text, n);
	return c;
}

const char *pdf_script_keep(struct pdf_script *s, const char *text)
{
	char *c;

	if (s->nkept == PDF_SCRIPT_KEPT || (c = pdf_script_copy(s, text)) == NULL)
		return text;
	s->kept[s->nkept++] = c;
	return c;
}
