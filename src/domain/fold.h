/*
 * Search folding for Serbian text: what an operator types and what is
 * stored compare equal whether written with or without diacritics, in
 * Latin or Cyrillic, in any case: "Đurašković", "DJURASKOVIC",
 * "duraskovic" and "Ђурашковић" all fold to "duraskovic".
 *
 *   ASCII letters      lower case
 *   č ć (Č Ć) ч ћ ц    c          š (Š) ш   s      ž (Ž) ж з   z
 *   đ (Đ) ђ            d          љ lj  њ nj  џ dz  ј j
 *   other Cyrillic     its Serbian Latin letter
 *   "dj" (any source)  d          (so that đ typed as "dj" or "d" meet)
 *
 * Anything else is copied as it is (invalid UTF-8 included).  The
 * result is never longer than the input.
 */
#ifndef QCRA_DOMAIN_FOLD_H
#define QCRA_DOMAIN_FOLD_H

#include <stddef.h>

/* Folds in[0..len) into out (size bytes, NUL-terminated; cut at a
 * character boundary when too small).  Returns the length written. */
size_t text_fold(const char *in, size_t len, char *out, size_t size);

#endif
