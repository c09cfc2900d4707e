/*
 * Signed documents over HTTP (sign_upload.h).
 */
#include "sign_upload.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "journey.h"

unsigned char *sign_issued(struct client *c, struct response *r, long long id, const char *doc,
			   size_t *len)
{
	char path[64];
	unsigned char *p;

	snprintf(path, sizeof(path), "/orders/%lld/%s.pdf?lang=sr", id, doc);
	assert_int_equal(journey_get(c, path, r), 200);
	*len = r->body.len;
	p = malloc(*len);
	assert_non_null(p);
	memcpy(p, r->body.data, *len);
	return p;
}

long sign_upload(struct client *c, struct response *r, long long id, const char *doc,
		 const unsigned char *file, size_t len, const char *lang)
{
	static const char boundary[] = "qcraSignedBoundary42";
	struct buf body = BUF_INIT;
	char ct[96], path[96], *csrf;

	snprintf(path, sizeof(path), "/orders/%lld", id);
	assert_int_equal(journey_get(c, path, r), 200);
	csrf = form_field_value(r->body.data ? (const char *)r->body.data : "", "csrf_token");
	assert_non_null(csrf);
	buf_printf(
		&body,
		"--%s\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n%s\r\n"
		"--%s\r\nContent-Disposition: form-data; name=\"doc\"\r\n\r\n%s\r\n"
		"--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"signed.pdf\"\r\n"
		"Content-Type: application/pdf\r\n\r\n",
		boundary, csrf, boundary, doc, boundary);
	buf_append(&body, file, len);
	buf_printf(&body, "\r\n--%s--\r\n", boundary);
	snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%s", boundary);
	snprintf(path, sizeof(path), "/orders/%lld/signed?lang=%s", id, lang);
	assert_int_equal(client_request(c, "POST", path, ct, body.data, body.len, NULL, r), 0);
	free(csrf);
	buf_free(&body);
	return r->status;
}
