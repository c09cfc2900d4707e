/*
 * Declared form fields: each handler lists its fields once (name,
 * label, limits, validator); this file reads them from the parsed body,
 * trims them, checks them and puts them back into templates with their
 * values (never secrets) and their error messages.
 */
#include <ctype.h>
#include <string.h>

#include "domain/ident.h"

#include "util/escape.h"
#include "web/app.h"

static const char *trim(struct req *r, const char *v)
{
	size_t n;

	while (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')
		v++;
	n = strlen(v);
	while (n > 0 &&
	       (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r' || v[n - 1] == '\n'))
		n--;
	return arena_strndup(&r->arena, v, n);
}

void fields_blank(const struct field *f, size_t n, struct fstate *st)
{
	size_t i;

	memset(st, 0, sizeof(*st));
	st->fields = f;
	st->n = n < FORM_MAX_FIELDS ? n : FORM_MAX_FIELDS;
	for (i = 0; i < st->n; i++)
		st->values[i] = "";
}

int fields_read(struct req *r, const struct field *f, size_t n, struct fstate *st)
{
	struct field_ctx cx = {app_of(r)->catalog, r->lang, &r->arena};
	const char *raw, *v;
	size_t i;

	fields_blank(f, n, st);
	for (i = 0; i < st->n; i++) {
		if (f[i].flags & F_READONLY)
			continue;
		raw = http_param(r, f[i].name);
		/* Passwords are taken as typed: spaces are part of them. */
		v = raw == NULL ? "" : (f[i].flags & F_SECRET) ? raw : trim(r, raw);
		st->values[i] = v;
		if (*v == '\0') {
			if (f[i].flags & F_REQUIRED)
				st->errors[i] = f[i].type && strcmp(f[i].type, "checkbox") == 0
							? "field.required_check"
							: "field.required";
		} else if (utf8_chars(v) > f[i].maxlen) {
			/* A check may say better why (a name: as on the ID). */
			st->errors[i] =
				f[i].check != NULL ? f[i].check(&cx, v, &st->parsed[i]) : NULL;
			if (st->errors[i] == NULL)
				st->errors[i] = "field.too_long";
		} else if (f[i].check != NULL)
			st->errors[i] = f[i].check(&cx, v, &st->parsed[i]);
		if (st->errors[i] != NULL)
			st->nerrors++;
	}
	return st->nerrors;
}

static long find(const struct fstate *st, const char *name)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		if (strcmp(st->fields[i].name, name) == 0)
			return (long)i;
	return -1;
}

const char *fields_value(const struct fstate *st, const char *name)
{
	long i = find(st, name);

	return i < 0 ? "" : st->values[i];
}

long long fields_number(const struct fstate *st, const char *name)
{
	long i = find(st, name);

	return i < 0 ? 0 : st->parsed[i].n;
}

const char *fields_parsed(const struct fstate *st, const char *name)
{
	long i = find(st, name);

	if (i < 0)
		return "";
	return st->parsed[i].text != NULL ? st->parsed[i].text : st->values[i];
}

void fields_error(struct fstate *st, const char *name, const char *msg_key)
{
	long i = find(st, name);

	if (i < 0)
		return;
	if (st->errors[i] == NULL)
		st->nerrors++;
	st->errors[i] = msg_key;
}

const char *fields_error_of(const struct fstate *st, const char *name)
{
	long i = find(st, name);

	return i < 0 ? NULL : st->errors[i];
}

size_t fields_maxlen(const struct fstate *st, const char *name)
{
	long i = find(st, name);

	return i < 0 ? 0 : st->fields[i].maxlen;
}

void fields_set(struct fstate *st, const char *name, const char *value)
{
	long i = find(st, name);

	if (i >= 0)
		st->values[i] = value;
}

const char *fields_error_text(struct req *r, const struct fstate *st, size_t i)
{
	const struct field *f;

	if (i >= st->n || st->errors[i] == NULL)
		return NULL;
	f = &st->fields[i];
	return i18n_format(&r->arena, r->lang, st->errors[i], "field", msg(r, f->label_key), "max",
			   arena_printf(&r->arena, "%zu", f->maxlen), NULL);
}

const char *fields_first_error(struct req *r, const struct fstate *st)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		if (st->errors[i] != NULL)
			return fields_error_text(r, st, i);
	return NULL;
}

void fields_ctx(struct req *r, struct tctx *ctx, const struct fstate *st)
{
	const struct field *f;
	struct tctx *item, *e;
	size_t i;

	tctx_set_list(ctx, "fields");
	tctx_set_list(ctx, "errors");
	for (i = 0; i < st->n; i++) {
		f = &st->fields[i];
		item = tctx_add(ctx, "fields");
		tctx_set(item, "name", f->name);
		tctx_set(item, "label", msg(r, f->label_key));
		tctx_set(item, "type", f->type ? f->type : "text");
		if (f->type && strcmp(f->type, "select") == 0) {
			tctx_set_bool(item, "is_select", 1);
			if (f->options)
				f->options(r, item, st->values[i]);
		} else if (f->type && strcmp(f->type, "checkbox") == 0) {
			tctx_set_bool(item, "is_checkbox", 1);
			if (strcmp(st->values[i], "1") == 0)
				tctx_set_bool(item, "checked", 1);
		} else
			tctx_set_bool(item, "is_input", 1);
		tctx_set(item, "autocomplete", f->autocomplete ? f->autocomplete : "off");
		tctx_setf(item, "maxlength", "%zu", f->maxlen);
		if (f->hint_key)
			tctx_set(item, "hint", msg(r, f->hint_key));
		if (f->flags & F_REQUIRED)
			tctx_set_bool(item, "required", 1);
		if (f->flags & F_READONLY)
			tctx_set_bool(item, "readonly", 1);
		if (!(f->flags & F_SECRET))
			tctx_set(item, "value", st->values[i]);
		if (st->errors[i] != NULL) {
			const char *text = fields_error_text(r, st, i);

			tctx_set(item, "error", text);
			e = tctx_add(ctx, "errors");
			tctx_set(e, "name", f->name);
			tctx_set(e, "label", msg(r, f->label_key));
			tctx_set(e, "error", text);
		}
	}
	if (st->nerrors > 0)
		tctx_set_bool(ctx, "has_errors", 1);
}

/* ---- Validators more than one form uses ------------------------------------------ */

const char *field_jmbg(const struct field_ctx *cx, const char *v, struct field_value *out)
{
	switch (jmbg_check(v)) {
	case JMBG_OK:
		return NULL;
	case JMBG_DATE:
		return "field.jmbg_date";
	case JMBG_CHECK:
		return "field.jmbg_check";
	default:
		return "field.jmbg_format";
	}
}

const char *field_email(const struct field_ctx *cx, const char *v, struct field_value *out)
{
	return email_valid(v) ? NULL : "field.email_invalid";
}

const char *field_username(const struct field_ctx *cx, const char *v, struct field_value *out)
{
	return username_valid(v) ? NULL : "field.username_invalid";
}

const char *field_flag(const struct field_ctx *cx, const char *v, struct field_value *out)
{
	return strcmp(v, "1") == 0 ? NULL : "field.choose_option";
}

const char *field_doc_number(const struct field_ctx *cx, const char *v, struct field_value *out)
{
	for (; *v; v++)
		if (!isalnum((unsigned char)*v) && *v != '-' && *v != ' ')
			return "field.doc_number_invalid";
	return NULL;
}
