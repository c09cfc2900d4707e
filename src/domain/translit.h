/*
 * Serbian Latin written in Cyrillic, the standard one-to-one way
 * (lj -> љ, nj -> њ, dž -> џ, đ -> ђ, č -> ч, ć -> ћ, š -> ш, ž -> ж,
 * the rest letter by letter; "Lj" and "LJ" -> Љ), for the sr-Cyrl
 * catalogue, which is the Latin one transliterated once at load time.
 *
 * Words where a Latin pair is two letters ("nadživeti" -> надживети,
 * "injekcija" -> инјекција) come from a table of stems in translit.c.
 *
 * Left as written: markup (<...> tags with their attributes, &...;
 * entities), placeholders ({name}, {{name}}), and any word that is an
 * identifier rather than Serbian: one holding a digit, '@', "://", a
 * domain name ("www.", "x.rs"), a capital after a small letter
 * ("BkToCstmrStmt"), or one of q, w, x, y (foreign words, "QR",
 * "Windows").  Foreign abbreviations (PDF, USB, ...) stay in Latin, and
 * so do Roman numerals ("Kralja Petra I" -> "Краља Петра I", "IV sprat";
 * not an initial "V.", the sentence's first "I" nor C, D, L, M alone).
 */
#ifndef QCRA_TRANSLIT_H
#define QCRA_TRANSLIT_H

#include <stddef.h>

/*
 * in[0..len) (no NUL needed) in Cyrillic into out, size bytes, always
 * NUL-terminated when size > 0 and cut only between characters.
 * Returns the length the whole text needs, at most 2 * len, so
 * 2 * len + 1 bytes always suffice.  Valid UTF-8 in gives valid UTF-8
 * out; other bytes are copied as they are.
 */
size_t translit_cyrl(char *out, size_t size, const char *in, size_t len);

#endif
