/*
 * HTTP listeners of the CA service: the RA API over TLS with the RA's
 * client certificate, and the public CRL/OCSP/CA-certificate listener.
 */
#ifndef QCRA_CA_HTTP_H
#define QCRA_CA_HTTP_H

#include <stddef.h>

#include "ca/ca_service.h"

struct ca_listener;

/* Starts the TLS RA listener (tls = 1) on c->listen_* or the public one
 * on c->public_*.  NULL on error (err set). */
struct ca_listener *ca_http_start(struct ca *ca, const struct ca_conf *c, int tls, char *err,
				  size_t errlen);
void ca_http_stop(struct ca_listener *l);

#endif
