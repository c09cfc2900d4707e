/*
 * A small logic-less template engine (a subset of Mustache) with
 * HTML escaping by default.
 *
 * Syntax (whitespace inside the braces is ignored):
 *   {{name}}          value of name, HTML-escaped; missing -> empty
 *   {{&name}}         value of name, raw (rare, greppable: "{{&")
 *   {{@key}}          message `key` from the catalogue callback, HTML-escaped
 *   {{#name}}..{{/name}}  list: body once per item, with the item as
 *                     context; true bool or non-empty string: body once
 *                     with the current context; else nothing
 *   {{^name}}..{{/name}}  body once when name is missing, empty, false
 *                     or an empty list
 *   {{>partial}}      another template of the same set, current context
 *   {{! comment }}    nothing
 * Names are [A-Za-z0-9_.-]+.  Lookup walks from the innermost context
 * out to the root.  Partials nest at most 16 deep.
 *
 * Templates are parsed once (tmpl_set_add) into a node list; rendering
 * does no parsing and allocates only in the output buffer.
 */
#ifndef QCRA_TMPL_H
#define QCRA_TMPL_H

#include <stdarg.h>
#include <stddef.h>

#include "util/arena.h"
#include "util/buf.h"

/* ---- Contexts: the values a template sees; all memory in an arena --- */

struct tctx;

/* New root (parent NULL) context in arena a. */
struct tctx *tctx_new(struct arena *a);
/* Sets a string (copied into the arena; NULL means unset). */
void tctx_set(struct tctx *c, const char *name, const char *value);
void tctx_setf(struct tctx *c, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void tctx_set_bool(struct tctx *c, const char *name, int on);
/* Appends a new item to list `name` (creating the list) and returns the
 * item's context, whose parent is c. */
struct tctx *tctx_add(struct tctx *c, const char *name);
/* Marks `name` as an empty list (so {{^name}} renders). */
void tctx_set_list(struct tctx *c, const char *name);
/* The string value of name in c or its parents, or NULL. */
const char *tctx_get(const struct tctx *c, const char *name);

/* ---- Template sets ------------------------------------------------- */

struct tmpl_set;

/* Resolves {{@key}}; returns the message text (never NULL is best,
 * NULL renders nothing). */
typedef const char *(*tmpl_msg_fn)(void *arg, const char *key);

struct tmpl_set *tmpl_set_new(void);
void tmpl_set_free(struct tmpl_set *s); /* NULL-safe */

/* Parses src[0..len) as template `name` (copied).  Returns 0, or -1
 * with "NAME:LINE: what is wrong" in err. */
int tmpl_set_add(struct tmpl_set *s, const char *name, const char *src, size_t len, char *err,
		 size_t errlen);

/* Checks that every {{>partial}} names a template of the set.  Returns
 * 0, or -1 with the first missing one in err. */
int tmpl_set_check(const struct tmpl_set *s, char *err, size_t errlen);

/* Caps the work of one tmpl_render (nodes visited plus bytes written;
 * default 64 Mi, 0 restores it).  Sections over lists nest and partials
 * recurse, so a template's cost can grow exponentially with its size;
 * past the cap tmpl_render returns -1 instead of running away.  Fuzz
 * targets set it low. */
void tmpl_set_limit(struct tmpl_set *s, unsigned long limit);

/* Renders template `name` with ctx, appending to out.  Returns 0, or -1
 * if no such template (or partial) exists, partials nest too deep or
 * the work limit is reached; out is then left as it was. */
int tmpl_render(const struct tmpl_set *s, const char *name, const struct tctx *ctx, tmpl_msg_fn msg,
		void *msg_arg, struct buf *out);

#endif
