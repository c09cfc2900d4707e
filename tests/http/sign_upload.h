/*
 * A member's signed document over HTTP (issue 19), for the tests that
 * sign (test_signed.c, test_signed_ca.c): the document as the portal
 * issues it, and the signed file uploaded as the order page's form does.
 */
#ifndef QCRA_TEST_SIGN_UPLOAD_H
#define QCRA_TEST_SIGN_UPLOAD_H

#include <stddef.h>

#include "harness.h"

/* GET /orders/ID/DOC.pdf as c (in Serbian): the bytes (malloc'd), their
 * length in *len. */
unsigned char *sign_issued(struct client *c, struct response *r, long long id, const char *doc,
			   size_t *len);
/* POSTs file as c's signed doc of order id (multipart, the session's
 * CSRF token from the order page), the answer in lang into *r.  Returns
 * the status. */
long sign_upload(struct client *c, struct response *r, long long id, const char *doc,
		 const unsigned char *file, size_t len, const char *lang);

#endif
