/*
 * The security headers (headers.h), on every answer: also the ones
 * libmicrohttpd makes alone.
 *
 * libmicrohttpd 0.9.75 (Debian 12's) refuses some heads before any
 * callback of ours runs, with no option or hook to change the answer:
 * a head larger than the connection's pool (431, or 414 while still in
 * the request line), an unknown HTTP version (505), a header line
 * without a colon or a bad Content-Length (400), a Content-Length over
 * 2^64 (413).  The gate (gate.c) refuses those itself on a connection's
 * first head over plain HTTP; on a kept-alive connection's later heads,
 * and under TLS for every head, only the library sees them.  It queues
 * those answers by calling its own exported MHD_queue_response through
 * its PLT (objdump -R: a JUMP_SLOT), so the definition below, exported
 * from the program (meson.build: --export-dynamic-symbol), takes those
 * calls, adds the headers when the connection is the portal's (the CA
 * service's own daemon, ca_http.c, is left as it is) and hands the
 * response on to the library's function, found with dlsym(RTLD_NEXT).
 * server.c queues its own responses through http_headers_queue, straight
 * to the library: the request path pays nothing for this.  In a program
 * that does not export the symbol the library answers as before.
 */
#include "http/headers.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

typedef enum MHD_Result (*queue_fn)(struct MHD_Connection *, unsigned int, struct MHD_Response *);

static queue_fn mhd_queue;
static const char conn_mark[2]; /* plain, TLS */

static const char *const common_headers[][2] = {
	{"Content-Security-Policy",
	 "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; "
	 "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"},
	{"X-Content-Type-Options", "nosniff"},
	{"X-Frame-Options", "DENY"},
	{"Referrer-Policy", "no-referrer"},
	{"Permissions-Policy", "camera=(), microphone=(), geolocation=()"},
	{"Cross-Origin-Opener-Policy", "same-origin"},
};
#define NCOMMON (sizeof(common_headers) / sizeof(common_headers[0]))

/* Before main and before any thread: the library's function. */
__attribute__((constructor)) static void find_mhd_queue(void)
{
	*(void **)&mhd_queue = dlsym(RTLD_NEXT, "MHD_queue_response");
	if (mhd_queue == NULL) {
		fprintf(stderr, "libmicrohttpd: MHD_queue_response not found: %s\n", dlerror());
		abort();
	}
}

void http_headers_add(struct MHD_Response *resp, int tls)
{
	for (size_t i = 0; i < NCOMMON; i++)
		MHD_add_response_header(resp, common_headers[i][0], common_headers[i][1]);
	if (tls)
		MHD_add_response_header(resp, "Strict-Transport-Security",
					"max-age=31536000; includeSubDomains");
}

void http_headers_write(struct buf *out)
{
	for (size_t i = 0; i < NCOMMON; i++)
		buf_printf(out, "%s: %s\r\n", common_headers[i][0], common_headers[i][1]);
}

void *http_headers_conn(int tls)
{
	return (void *)&conn_mark[tls != 0];
}

enum MHD_Result http_headers_queue(struct MHD_Connection *conn, unsigned int status,
				   struct MHD_Response *resp)
{
	return mhd_queue(conn, status, resp);
}

/* Every call but server.c's: the library's own answers, the CA's. */
enum MHD_Result MHD_queue_response(struct MHD_Connection *conn, unsigned int status,
				   struct MHD_Response *resp)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	if (resp != NULL && ci != NULL &&
	    (ci->socket_context == &conn_mark[0] || ci->socket_context == &conn_mark[1])) {
		http_headers_add(resp, ci->socket_context == &conn_mark[1]);
		MHD_add_response_header(resp, "Cache-Control", "no-store");
	}
	return mhd_queue(conn, status, resp);
}
