#ifndef QCRA_UTIL_OUTBOUND_H
#define QCRA_UTIL_OUTBOUND_H

#include <curl/curl.h>

/*
 * What every outbound transfer is held to (the CA service's API, SMTP,
 * OCSP): the protocols it may speak and no other (a URL from settings
 * or a certificate cannot turn into file:// or gopher://), no signals
 * (the transfers run on worker threads), a bound on connecting and on
 * the whole transfer, redirects not followed, and libcurl's own text of
 * a failure into err (CURL_ERROR_SIZE bytes; NULL: none).  The options
 * only fail on out of memory or a libcurl without the feature, which
 * the transfer then reports.  Header-only: util links no libcurl; its
 * includers (app, mail, connector) do.
 */
static inline void outbound_setup(CURL *c, const char *url, const char *protocols,
				  long connect_secs, long total_secs, char *err)
{
	if (err != NULL) {
		err[0] = '\0';
		curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, protocols);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, connect_secs);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, total_secs);
}

#endif
