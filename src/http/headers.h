/*
 * The security headers every answer of the portal carries (SECURITY.md,
 * Headers): added to the responses server.c queues, written into the
 * gate's answers, and added to the answers libmicrohttpd makes alone
 * (headers.c says how).
 */
#ifndef QCRA_HTTP_HEADERS_H
#define QCRA_HTTP_HEADERS_H

#include <microhttpd.h>

#include "util/buf.h"

/* Adds the headers to resp; tls: HSTS too. */
void http_headers_add(struct MHD_Response *resp, int tls);

/* Appends them to out as header lines (plain HTTP: no HSTS). */
void http_headers_write(struct buf *out);

/* What a connection of the portal's server has as its socket context
 * (MHD_NotifyConnectionCallback, on start): the library's own answers
 * on it get the headers. */
void *http_headers_conn(int tls);

/* libmicrohttpd's MHD_queue_response itself, for the responses that
 * already carry the headers. */
enum MHD_Result http_headers_queue(struct MHD_Connection *conn, unsigned int status,
				   struct MHD_Response *resp);

#endif
