/*
 * The message catalogue: every user-facing text, in Serbian (Latin,
 * the default), English and Serbian Cyrillic.  Loaded once at start-up
 * from the embedded messages/sr.txt and messages/en.txt ("key = text"
 * lines, '#' comments, "\n" for a line break); the Cyrillic one is
 * sr.txt transliterated then (domain/translit.h: markup, placeholders
 * and identifiers kept), so a request pays nothing for it and a value
 * put into a text later (a name, an address) stays as it was typed.
 * Read-only afterwards, so threads share it without locks.
 */
#ifndef QCRA_I18N_H
#define QCRA_I18N_H

#include <stdarg.h>
#include <stddef.h>

#include "domain/lang.h"
#include "util/arena.h"

/* Loads both catalogues.  Returns 0, or -1 with the reason in err. */
int i18n_load(char *err, size_t errlen);
void i18n_free(void);

/* The text of key in lang; falls back to Serbian, then to the key
 * itself (so a missing text shows, rather than crashing). */
const char *i18n_get(enum lang l, const char *key);
/* Replaces every from[i] with to[i] (n pairs) in each text of l's
 * catalogue: the catalogue file's names put into the texts once, after
 * loading (catalog_load.h).  0, or -1 out of memory. */
int i18n_rewrite(enum lang l, const char *const *from, const char *const *to, size_t n);
/* 1 when key exists in lang's catalogue itself. */
int i18n_has(enum lang l, const char *key);
/* Keys of lang's catalogue, for completeness tests. */
size_t i18n_count(enum lang l);
const char *i18n_key_at(enum lang l, size_t i);

const char *i18n_code(enum lang l); /* "sr" / "en" / "sr-Cyrl" (BCP 47) */
/* Parses a code (case aside, as BCP 47 has it); returns 0 or -1. */
int i18n_parse(const char *code, enum lang *out);
/* The key of l's name as a language switcher shows it ("lang.sr_cyrl");
 * read from l's own catalogue, each name is in its own script. */
const char *i18n_name_key(enum lang l);

/* The text of key with each "{name}" replaced by its value; the
 * arguments after key are name, value pairs ending with NULL. */
char *i18n_format(struct arena *a, enum lang l, const char *key, ...) __attribute__((sentinel));
char *i18n_vformat(struct arena *a, enum lang l, const char *key, va_list args);

/*
 * Notes kept with the data (an order's history) and shown later in the
 * reader's language.  i18n_note() writes key and its name, value pairs
 * (at most 8; for a name written "@name" the value is a catalogue key,
 * shown as its text) as one string; i18n_note_text() gives its text in
 * l.  Anything else (free text, notes written before) comes back as it
 * is; a note whose key the catalogue lacks, as i18n_note_plain() writes
 * it.  i18n_format() takes "@name" the same way.
 */
char *i18n_note(struct arena *a, const char *key, ...) __attribute__((sentinel));
char *i18n_vnote(struct arena *a, const char *key, va_list args);
const char *i18n_note_text(struct arena *a, enum lang l, const char *note);
/* 1 when note was written by i18n_note() with key. */
int i18n_note_is(const char *note, const char *key);
/* The same, but with the text of key "PREFIX" + the note's key where
 * the catalogue has one (another reader's wording, e.g. the member's
 * "mnote." texts without the office's internal numbers). */
const char *i18n_note_text_as(struct arena *a, enum lang l, const char *note, const char *prefix);
/* The same into out (size bytes, NUL-terminated, cut if need be);
 * returns the length it needed. */
size_t i18n_note_to(char *out, size_t size, const char *key, ...) __attribute__((sentinel));
/* The text of key (not the note's own) in l with the note's values and
 * then the NULL-terminated name, value pairs that follow: a mail kept
 * as a note and written when it is delivered (mail/outbox.c). */
char *i18n_note_format(struct arena *a, enum lang l, const char *key, const char *note, ...)
	__attribute__((sentinel));
/* A note as plain text for logs ("key: name=value; name=value"), or the
 * text as it is when it is not a note. */
size_t i18n_note_plain(char *out, size_t size, const char *note);

#endif
