/*
 * Request bodies as forms (http_parse_form): application/x-www-form-
 * urlencoded through form.c, and, for a request the application allows
 * files on (conf.upload), multipart/form-data through libmicrohttpd's
 * post processor, each text field held to the same rules as an
 * urlencoded one (valid UTF-8, no NUL).
 */
#include "http/http.h"

#include <microhttpd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/escape.h"

/* A multipart/form-data body, read by libmicrohttpd's post processor:
 * each part's data arrives in pieces, gathered here by name.  A file
 * part also gives "NAME:filename". */
struct parts {
	struct req *r;
	struct buf value[FORM_MAX_PARAMS];
	const char *name[FORM_MAX_PARAMS];
	int file[FORM_MAX_PARAMS]; /* 1: a file's bytes, taken as they are */
	size_t n;
	int failed;
};

static int part_add(struct parts *p, const char *name)
{
	if (p->n == FORM_MAX_PARAMS || !utf8_valid(name, strlen(name))) {
		p->failed = 1;
		return -1;
	}
	p->name[p->n] = arena_strndup(&p->r->arena, name, strlen(name));
	return (int)p->n++;
}

static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind, const char *key,
			       const char *filename, const char *content_type,
			       const char *transfer_encoding, const char *data, uint64_t off,
			       size_t size)
{
	struct parts *p = cls;
	char fname[300];
	int i;

	(void)kind;
	(void)content_type;
	(void)transfer_encoding;
	if (key == NULL)
		return MHD_YES;
	/* A new part starts at offset 0; later pieces continue the last. */
	if (off == 0 || p->n == 0 || strcmp(p->name[p->n - 1], key) != 0) {
		if (filename != NULL) {
			snprintf(fname, sizeof(fname), "%s:filename", key);
			if ((i = part_add(p, fname)) < 0)
				return MHD_NO;
			buf_puts(&p->value[i], filename);
		}
		if ((i = part_add(p, key)) < 0)
			return MHD_NO;
		p->file[i] = filename != NULL;
	}
	buf_append(&p->value[p->n - 1], data, size);
	return MHD_YES;
}

static int parse_multipart(struct req *r)
{
	struct MHD_PostProcessor *pp;
	struct parts *p = calloc(1, sizeof(*p));
	size_t i;
	int rc = -1;

	if (p == NULL)
		return -1;
	p->r = r;
	if ((pp = MHD_create_post_processor(r->conn, 64 * 1024, on_part, p)) == NULL)
		goto out;
	if (MHD_post_process(pp, r->body.data ? r->body.data : "", r->body.len) != MHD_YES)
		p->failed = 1;
	if (MHD_destroy_post_processor(pp) != MHD_YES)
		p->failed = 1;
	if (p->failed)
		goto out;
	r->form.params = arena_alloc(&r->arena, (p->n ? p->n : 1) * sizeof(*r->form.params));
	for (i = 0; i < p->n; i++) {
		/* Text fields as strictly as in an urlencoded form. */
		if (!p->file[i] && (memchr(buf_cstr(&p->value[i]), '\0', p->value[i].len) != NULL ||
				    !utf8_valid(buf_cstr(&p->value[i]), p->value[i].len)))
			goto out;
		r->form.params[i].name = p->name[i];
		r->form.params[i].value =
			arena_strndup(&r->arena, buf_cstr(&p->value[i]), p->value[i].len);
		r->form.params[i].len = p->value[i].len;
	}
	r->form.n = p->n;
	rc = 0;
out:
	for (i = 0; i < p->n; i++)
		buf_free(&p->value[i]);
	free(p);
	return rc;
}

int http_parse_form(struct req *r)
{
	const char *ct = http_request_header(r, "Content-Type");

	if (ct != NULL && r->upload && strncasecmp(ct, "multipart/form-data", 19) == 0)
		return parse_multipart(r);
	if (ct == NULL || strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0)
		return -1;
	return form_parse(&r->arena, r->body.data ? r->body.data : "", r->body.len, &r->form);
}

const char *http_param(const struct req *r, const char *name)
{
	return form_get(&r->form, name);
}
