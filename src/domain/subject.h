/*
 * What a qualified certificate's subject may say: one rule set for the
 * request forms, the back office, the member register import and the
 * CA service, so that nothing accepted at the form is refused later for
 * its content (ETSI EN 319 412-2/-3; upper bounds of RFC 5280
 * Appendix A / X.520, encoded as UTF8String).
 *
 * Cleaning (subject_clean) turns what a person typed into what the
 * certificate says, or says why it cannot:
 *   - invalid UTF-8, control characters (C0, DEL, C1) and invisible
 *     formatting characters (bidi controls, zero-width) are refused;
 *   - tabs and no-break spaces become spaces, runs of spaces become one,
 *     leading and trailing spaces go;
 *   - Serbian Cyrillic is written in Serbian Latin, letter by letter by
 *     the official correspondence (А-A ... Ђ-Đ, Ж-Ž, Љ-Lj, Њ-Nj, Ћ-Ć,
 *     Џ-Dž, Ш-Š); Љ, Њ, Џ become LJ, NJ, DŽ when the next letter is a
 *     capital too.  Cyrillic letters outside the Serbian alphabet are
 *     refused (the person writes the name in Latin);
 *   - each kind allows its own characters and length in characters:
 *       name          letters, space, '-', '.', apostrophes (' ’ ‘);
 *                     starts with a letter; 1-64
 *       organisation  letters, digits, space and printable punctuation,
 *                     typographic quotes („ “ ” ‚ ‘ ’ « ») and dashes
 *                     included; 1-64 (organizationName)
 *       company       the same characters, 1-255: a company's full
 *                     registered name, for the contract and proforma
 *       text          any printable text (addresses, positions), no
 *                     length rule of its own.
 * The CA checks with subject_is_clean: a value must be exactly what
 * cleaning would make of it, so the CA trusts nothing and agrees with
 * every form on every value.
 */
#ifndef QCRA_DOMAIN_SUBJECT_H
#define QCRA_DOMAIN_SUBJECT_H

#include <stddef.h>

enum subject_kind {
	SUBJ_NAME,    /* givenName, surname */
	SUBJ_ORG,     /* organizationName: as it appears in the certificate */
	SUBJ_COMPANY, /* a company's full registered name (documents only) */
	SUBJ_TEXT,    /* other printed text */
	SUBJ_KIND__MAX
};

/* Upper bounds in characters (not bytes). */
#define SUBJECT_NAME_MAX 64
#define SUBJECT_CN_MAX 64 /* commonName: "given surname" */
#define SUBJECT_ORG_MAX 64
#define SUBJECT_COMPANY_MAX 255
/* Bytes that hold any clean value of n characters, with its NUL. */
#define SUBJECT_BYTES(n) ((n)*4 + 1)

enum subject_error {
	SUBJ_OK = 0,
	SUBJ_EMPTY,    /* nothing but spaces */
	SUBJ_UTF8,     /* not valid UTF-8 */
	SUBJ_CONTROL,  /* a control or invisible formatting character */
	SUBJ_CHAR,     /* a character this kind does not allow */
	SUBJ_START,    /* a name that does not start with a letter */
	SUBJ_CYRILLIC, /* a Cyrillic letter outside the Serbian alphabet */
	SUBJ_TOO_LONG, /* over the kind's bound */
	SUBJ_SPACE,    /* subject_is_clean only: untrimmed or double spaces */
	SUBJ_ERROR__MAX
};

/* Flags subject_clean sets in *changes (may be NULL). */
#define SUBJ_TRANSLITERATED 1u /* Cyrillic was written in Latin */
#define SUBJ_SPACED 2u         /* spaces were trimmed or joined */

/*
 * Cleans in (NUL-terminated) as a value of kind k into out (outsize
 * bytes; SUBJECT_BYTES of the kind's bound is always enough).  *nchars
 * (may be NULL) gets its length in characters.  Returns SUBJ_OK, or
 * the first problem found (out then holds an unspecified prefix).  A
 * value that does not fit outsize is SUBJ_TOO_LONG.
 */
enum subject_error subject_clean(enum subject_kind k, const char *in, char *out, size_t outsize,
				 size_t *nchars, unsigned *changes);

/* SUBJ_OK when s is a value of kind k exactly as cleaning makes it
 * (the CA's check), SUBJ_SPACE or SUBJ_CHAR (not transliterated) when
 * cleaning would change it, else what is wrong with it. */
enum subject_error subject_check(enum subject_kind k, const char *s);

/* The commonName "given surname" into out; SUBJ_TOO_LONG when it
 * passes SUBJECT_CN_MAX characters.  Both parts must be clean names. */
enum subject_error subject_common_name(const char *given, const char *surname, char *out,
				       size_t outsize);

/* The bound of kind k in characters; (size_t)-1: none (SUBJ_TEXT). */
size_t subject_kind_max(enum subject_kind k);

/* Characters in a valid UTF-8 string (bytes that are not continuation
 * bytes). */
size_t subject_chars(const char *s);

/* An English description of e, for logs and the CA's answers. */
const char *subject_strerror(enum subject_error e);

#endif
