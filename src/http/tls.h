/*
 * The portal's own HTTPS (internal to http/): the TLS profile handed to
 * libmicrohttpd and the certificate it serves, which can be replaced
 * while the server runs (SIGHUP in cli/serve.c).
 *
 * libmicrohttpd asks tls_retrieve (a GnuTLS certificate callback, which
 * takes no argument of ours) for the certificate at each handshake, so
 * the identity is one per process: the pair published last.  A pair
 * once published is never freed before tls_identity_clear (at server
 * stop): a handshake that took the previous pair may still be using its
 * key, and reloads are rare (a renewal every few weeks), so keeping
 * them costs a few kilobytes where counting users would cost a lock on
 * every handshake.
 */
#ifndef QCRA_HTTP_TLS_H
#define QCRA_HTTP_TLS_H

#include <stddef.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>

/*
 * TLS 1.2 and 1.3 only; ECDHE (X25519, P-256, P-384) with AES-GCM or
 * ChaCha20-Poly1305 only, in the server's order; no SHA-1 signatures:
 * the "intermediate" profile of the usual server-side TLS guidelines,
 * without finite-field DHE.  Renegotiation stays GnuTLS's default
 * (%PARTIAL_RENEGOTIATION: RFC 5746 indication sent, renegotiation only
 * with it); %SAFE_RENEGOTIATION would refuse the first handshake of any
 * client without the indication, TLS 1.3 ones included, which need
 * none.  A client-initiated renegotiation is refused anyway:
 * libmicrohttpd ends the connection.
 */
#define TLS_PRIORITIES                                                                             \
	"NONE:+VERS-TLS1.3:+VERS-TLS1.2:+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:+AEAD:"       \
	"+ECDHE-ECDSA:+ECDHE-RSA:+SIGN-ALL:-SIGN-RSA-SHA1:-SIGN-ECDSA-SHA1:+GROUP-X25519:"         \
	"+GROUP-SECP256R1:+GROUP-SECP384R1:+COMP-NULL:+CTYPE-X509:%SERVER_PRECEDENCE"

/*
 * Reads a PEM certificate chain (the server's first, then its issuers,
 * in order) and its private key, checks that the key is the first
 * certificate's, and publishes the pair for the next handshakes; the
 * pair in use until then stays alive (see above).  On success returns
 * 0 and writes into what the certificate's subject and expiry; else -1
 * with err set, and the pair in use is unchanged.
 */
int tls_identity_set(const char *cert_pem, const char *key_pem, char *what, size_t whatlen,
		     char *err, size_t errlen);

/* Frees every pair ever published.  Only once no handshake can run. */
void tls_identity_clear(void);

/* The certificate callback libmicrohttpd hands to GnuTLS
 * (MHD_OPTION_HTTPS_CERT_CALLBACK): the pair published last. */
int tls_retrieve(gnutls_session_t session, const gnutls_datum_t *req_ca_rdn, int nreqs,
		 const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
		 gnutls_pcert_st **pcert, unsigned int *pcert_length, gnutls_privkey_t *privkey);

#endif
