/*
 * The SMTP transport: one message to one recipient per call, through
 * libcurl (which does the dot-stuffing of RFC 5321 4.5.2 itself).
 */
#include "mail/mail.h"
#include "util/outbound.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#define SMTP_TIMEOUT_DEFAULT 60L

static pthread_once_t smtp_once = PTHREAD_ONCE_INIT;
static CURLcode smtp_init_rc = CURLE_FAILED_INIT;

/* curl_global_init is not to be run twice or concurrently with other
 * curl calls; the program may already have run it, which is harmless
 * (libcurl counts the calls). */
static void smtp_init(void)
{
	smtp_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct smtp_upload {
	const char *p;
	size_t left;
};

static size_t smtp_read(char *dst, size_t size, size_t nmemb, void *arg)
{
	struct smtp_upload *u = arg;
	size_t n = size * nmemb;

	if (n > u->left)
		n = u->left;
	memcpy(dst, u->p, n);
	u->p += n;
	u->left -= n;
	return n;
}

/*
 * Writes "<local@domain>" for the envelope from "Name <addr>" or
 * "addr".  Refuses control characters and anything else that could
 * end the SMTP command early.  0 or -1.
 */
static int smtp_envelope_addr(const char *s, char *out, size_t outlen)
{
	const char *lt, *gt;
	size_t n, i;

	if (s == NULL)
		return -1;
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] < ' ' || s[i] == 0x7f)
			return -1;
	if ((lt = strrchr(s, '<')) != NULL) {
		if ((gt = strchr(lt, '>')) == NULL)
			return -1;
		s = lt + 1;
		n = (size_t)(gt - s);
	} else {
		s += strspn(s, " ");
		n = strcspn(s, " ");
		if (s[n] != '\0' && s[n + strspn(s + n, " ")] != '\0')
			return -1;
	}
	if (n == 0 || n + 3 > outlen)
		return -1;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f || s[i] == '<' || s[i] == '>')
			return -1;
	snprintf(out, outlen, "<%.*s>", (int)n, s);
	return 0;
}

/* libcurl's progress callback: nonzero ends the transfer (called about
 * once a second while nothing moves). */
static int smtp_progress(void *stop, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
			 curl_off_t ulnow)
{
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return atomic_load((const atomic_int *)stop) != 0;
}

/* See mail.h.  err receives curl's own description of a failure (which
 * never includes the message). */
int mail_deliver_smtp(const struct smtp_conf *c, const char *from, const char *to, const char *msg,
		      size_t len, char *err, size_t errlen)
{
	char env_from[512], env_to[512], curlerr[CURL_ERROR_SIZE];
	struct smtp_upload up = {msg, len};
	struct curl_slist *rcpt = NULL;
	CURL *curl = NULL;
	CURLcode rc;
	long timeout;
	int ret = -1;

	if (pthread_once(&smtp_once, smtp_init) != 0 || smtp_init_rc != CURLE_OK) {
		snprintf(err, errlen, "smtp: curl_global_init failed");
		return -1;
	}
	if (c->url == NULL || c->url[0] == '\0') {
		snprintf(err, errlen, "smtp: no server URL");
		return -1;
	}
	if (smtp_envelope_addr(from, env_from, sizeof(env_from)) == -1 ||
	    smtp_envelope_addr(to, env_to, sizeof(env_to)) == -1) {
		snprintf(err, errlen, "smtp: invalid envelope address");
		return -1;
	}
	if ((curl = curl_easy_init()) == NULL || (rcpt = curl_slist_append(NULL, env_to)) == NULL) {
		snprintf(err, errlen, "smtp: out of memory");
		goto out;
	}
	timeout = c->timeout_secs > 0 ? c->timeout_secs : SMTP_TIMEOUT_DEFAULT;
	/* Options that only fail on out-of-memory or a libcurl without
	 * the feature; the transfer reports that, so their codes are not
	 * checked one by one. */
	outbound_setup(curl, c->url, "smtp,smtps", timeout, timeout, curlerr);
	curl_easy_setopt(curl, CURLOPT_MAIL_FROM, env_from);
	curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(curl, CURLOPT_READFUNCTION, smtp_read);
	curl_easy_setopt(curl, CURLOPT_READDATA, &up);
	curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	if (c->stop != NULL) {
		curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
		curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, smtp_progress);
		curl_easy_setopt(curl, CURLOPT_XFERINFODATA, (void *)c->stop);
	}
	if (c->starttls)
		curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (c->user != NULL && c->user[0] != '\0') {
		curl_easy_setopt(curl, CURLOPT_USERNAME, c->user);
		curl_easy_setopt(curl, CURLOPT_PASSWORD, c->password != NULL ? c->password : "");
	}

	if ((rc = curl_easy_perform(curl)) != CURLE_OK) {
		snprintf(err, errlen, "smtp: %s",
			 curlerr[0] != '\0' ? curlerr : curl_easy_strerror(rc));
		goto out;
	}
	ret = 0;
out:
	/* Drop the pointer to our stack before the handle goes. */
	if (curl != NULL)
		curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, NULL);
	curl_easy_cleanup(curl);
	curl_slist_free_all(rcpt);
	return ret;
}

int mail_smtp_reachable(const struct smtp_conf *c, char *err, size_t errlen)
{
	char cerr[CURL_ERROR_SIZE];
	CURLcode rc;
	CURL *h;

	pthread_once(&smtp_once, smtp_init);
	if (smtp_init_rc != CURLE_OK || (h = curl_easy_init()) == NULL) {
		snprintf(err, errlen, "cannot start libcurl");
		return -1;
	}
	cerr[0] = '\0';
	curl_easy_setopt(h, CURLOPT_URL, c->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 3L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
	rc = curl_easy_perform(h);
	curl_easy_cleanup(h);
	if (rc == CURLE_OK)
		return 0;
	snprintf(err, errlen, "SMTP server %s cannot be reached: %s", c->url,
		 cerr[0] ? cerr : curl_easy_strerror(rc));
	return -1;
}
