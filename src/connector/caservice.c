/*
 * The CA connector for the CA service (docs/ca-api.md): HTTPS with
 * libcurl, the RA's client certificate and key, the CA's root pinned
 * as the only trust anchor, JSON with jansson.
 *
 * The RA's order number (decimal) is the CA's order_id, so it is both
 * the idempotency key of a submission and the reference the portal
 * records.  submit() asks the CA at once: an accepted registration or a
 * clear refusal is the answer the operator sees; a CA that cannot be
 * reached puts the order in the durable queue (ca_outbox) and the send
 * goes ahead, the worker (ca_queue.c) delivering it when the CA is
 * back.  The CA produces a card at once; the portal learns of it by
 * asking (caservice_sync_order), which records the certificate and
 * moves the order to "issued".
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#include "connector/caservice.h"
#include "connector/caservice_int.h"
#include "app/ca_work.h"
#include "core/catalog_load.h"
#include "domain/catalog.h"
#include "store/store_ca.h"
#include "store/store_office.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/outbound.h"

#define CS_CONNECT_TIMEOUT 5L /* seconds */
#define CS_TIMEOUT 60L        /* a submission makes a card: key generation */
#define CS_MAX_BODY (1L << 20)

const char cs_connector_name[] = "service";

static pthread_once_t cs_once = PTHREAD_ONCE_INIT;

/* libcurl counts global inits; the mail code may have run it too. */
static void cs_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

int caservice_is(const struct ca_connector *c)
{
	return c != NULL && c->name == cs_connector_name;
}

/* ---- HTTP ------------------------------------------------------------------------------ */

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;

	if (b->len + size * n > (size_t)CS_MAX_BODY)
		return 0; /* aborts the transfer */
	buf_append(b, p, size * n);
	return size * n;
}

/*
 * One request to the CA: method path (below ca_url) with the JSON body
 * (NULL: none).  Returns the HTTP status with the body in out, or 0
 * when no answer came (err says why: connection, TLS, timeout).
 */
long cs_request(struct cs *s, const char *method, const char *path, const char *body,
		struct buf *out, char *err, size_t errlen)
{
	char url[512], cerr[CURL_ERROR_SIZE];
	struct curl_slist *h = NULL;
	CURL *c = curl_easy_init();
	long status = 0;
	CURLcode rc;

	buf_reset(out);
	if (c == NULL) {
		snprintf(err, errlen, "CA: cannot start a request (out of memory)");
		return 0;
	}
	snprintf(url, sizeof(url), "%s%s", s->url, path);
	outbound_setup(c, url, "https", CS_CONNECT_TIMEOUT, CS_TIMEOUT, cerr);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	/* The CA's root is the only trust anchor; the RA proves itself
	 * with its client certificate. */
	curl_easy_setopt(c, CURLOPT_CAINFO, s->cacert);
	curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_SSLCERT, s->cert);
	curl_easy_setopt(c, CURLOPT_SSLKEY, s->key);
	h = curl_slist_append(h, "Accept: application/json");
	if (body != NULL) {
		h = curl_slist_append(h, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	else
		snprintf(err, errlen, "CA at %s cannot be reached: %s", s->url,
			 cerr[0] ? cerr : curl_easy_strerror(rc));
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	buf_cstr(out);
	return status;
}

/* The CA's error answer as "message (code)" into err, and its code
 * (the API's "error": "invalid_organization", ...) into ecode when not
 * NULL ("" when the answer had none). */
void cs_error(long status, const struct buf *body, char *ecode, char *err, size_t errlen)
{
	json_t *o = json_loads(body->data ? body->data : "", 0, NULL);
	const char *code = json_string_value(json_object_get(o, "error"));
	const char *text = json_string_value(json_object_get(o, "message"));
	const char *field = json_string_value(json_object_get(o, "field"));

	if (ecode != NULL) {
		ecode[0] = '\0';
		/* Only a plain token: it becomes a catalogue key. */
		if (code != NULL && strlen(code) < CA_CODE_MAX &&
		    strspn(code, "abcdefghijklmnopqrstuvwxyz_") == strlen(code))
			snprintf(ecode, CA_CODE_MAX, "%s", code);
	}

	if (status == 403)
		snprintf(err, errlen, "the CA did not accept the RA's certificate (403)");
	else if (text != NULL || code != NULL)
		snprintf(err, errlen, "%s%s%s%s%s (%ld)", text ? text : code, code ? " [" : "",
			 code ? code : "", field ? ", " : "", field ? field : "", status);
	else
		snprintf(err, errlen, "the CA answered %ld", status);
	json_decref(o);
}

/* How a status ends a request that changes something. */
static enum cs_result cs_classify(long status)
{
	if (status == 200 || status == 201)
		return CS_OK;
	if (status == 400 || status == 404 || status == 409 || status == 413)
		return CS_REFUSED;
	return CS_DOWN; /* 0, 403 (configuration), 5xx */
}

/* ---- The registration ---------------------------------------------------------------------- */

/* Years of validity of tariff code `code` (catalogue; else its leading
 * digits, "3y"). */
static int validity_years(struct cs *s, const char *code)
{
	const struct tariff_item *t = s->cat ? catalog_tariff(s->cat, code) : NULL;

	if (t != NULL && t->validity_years > 0)
		return t->validity_years;
	return isdigit((unsigned char)code[0]) ? atoi(code) : 0;
}

/* The POST /v1/registrations body for o; malloc'd, NULL on failure. */
static char *registration_json(struct cs *s, const struct order *o)
{
	json_t *subject, *body;
	char id[24], *text;

	snprintf(id, sizeof(id), "%lld", o->id);
	subject = json_pack("{s:s, s:s, s:s}", "given_name", o->first_name, "surname", o->last_name,
			    "jmbg", o->jmbg);
	if (subject != NULL && o->type == ORDER_LEGAL) {
		/* The name as it appears in the certificate; orders made before
		 * it was asked for have only the full name. */
		json_object_set_new(subject, "organization",
				    json_string(o->company_cert_name[0] ? o->company_cert_name
									: o->company_name));
		json_object_set_new(subject, "pib", json_string(o->company_pib));
	}
	body = json_pack("{s:s, s:s, s:o, s:i, s:s}", "order_id", id, "profile",
			 o->type == ORDER_LEGAL ? "legal" : "natural", "subject", subject,
			 "validity_years", validity_years(s, o->validity), "office", o->office);
	if (body == NULL)
		return NULL;
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	return text;
}

/* "2026-11-25T19:55:44Z" to UTC seconds; 0 when absent or malformed. */
time_t iso_time(const char *s)
{
	struct tm tm;
	const char *end;

	if (s == NULL)
		return 0;
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return end != NULL && *end == '\0' ? timegm(&tm) : 0;
}

void copy_str(char *dst, size_t size, json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	snprintf(dst, size, "%s", v ? v : "");
}

/* A registration object into cert (order_id set by the caller) and its
 * state into state.  0, or -1 when it holds no certificate. */
static int registration_read(json_t *o, struct ca_cert *cert, char *state, size_t statelen)
{
	json_t *rev = json_object_get(o, "revocation");

	copy_str(state, statelen, o, "state");
	copy_str(cert->serial, sizeof(cert->serial), o, "serial");
	copy_str(cert->subject, sizeof(cert->subject), o, "subject");
	copy_str(cert->pem, sizeof(cert->pem), o, "certificate");
	cert->not_before = iso_time(json_string_value(json_object_get(o, "not_before")));
	cert->not_after = iso_time(json_string_value(json_object_get(o, "not_after")));
	if (json_is_object(rev)) {
		copy_str(cert->revoke_reason, sizeof(cert->revoke_reason), rev, "reason");
		cert->revoked_at = iso_time(json_string_value(json_object_get(rev, "revoked_at")));
		if (cert->revoked_at == 0)
			cert->revoked_at = time(NULL);
	}
	if (cert->serial[0] == '\0' || strncmp(cert->pem, "-----BEGIN CERTIFICATE-----", 27) != 0)
		return -1;
	return 0;
}

enum cs_result caservice_submit_now(struct ca_connector *c, const struct order *o,
				    char code[CA_CODE_MAX], char *err, size_t errlen)
{
	struct cs *s = cs_of(c);
	struct buf b = BUF_INIT;
	enum cs_result res;
	char *body = registration_json(s, o);
	long status;

	if (body == NULL) {
		snprintf(err, errlen, "CA: the registration cannot be encoded (out of memory)");
		return CS_DOWN;
	}
	status = cs_request(s, "POST", "/v1/registrations", body, &b, err, errlen);
	free(body);
	res = status == 0 ? CS_DOWN : cs_classify(status);
	code[0] = '\0';
	if (status != 0 && res != CS_OK)
		cs_error(status, &b, code, err, errlen);
	buf_free(&b);
	return res;
}

/* ---- What the CA did: recorded in the portal ------------------------------------------------ */

int caservice_sync_order(struct ca_connector *c, long long order_id, char *err, size_t errlen)
{
	struct cs *s = cs_of(c);
	struct buf b = BUF_INIT;
	struct ca_cert *cert = calloc(1, sizeof(*cert));
	char path[64], state[24];
	json_t *o = NULL;
	long status;
	int rc = -1;

	if (cert == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(path, sizeof(path), "/v1/registrations/%lld", order_id);
	status = cs_request(s, "GET", path, NULL, &b, err, errlen);
	if (status == 404) {
		rc = 1;
		goto out;
	}
	if (status != 200) {
		if (status != 0)
			cs_error(status, &b, NULL, err, errlen);
		goto out;
	}
	if ((o = json_loads(b.data, 0, NULL)) == NULL ||
	    registration_read(o, cert, state, sizeof(state)) != 0) {
		snprintf(err, errlen, "CA: order %lld: the registration holds no certificate",
			 order_id);
		goto out;
	}
	cert->order_id = order_id;
	if ((rc = uc_ca_cert_record(s->st, s->base_url, cert)) < 0)
		snprintf(err, errlen, "order %lld: the certificate cannot be recorded (database)",
			 order_id);
	else
		rc = 0;
out:
	json_decref(o);
	buf_free(&b);
	free(cert);
	return rc;
}

struct sync_ctx {
	struct ca_connector *c;
	int moved, failed;
};

static int sync_one(void *arg, long long order_id)
{
	struct sync_ctx *x = arg;
	struct order o;
	struct ca_job j;
	char err[512];
	int rc;

	/* Still in the queue: the CA has not seen it yet. */
	if (store_ca_job_get(cs_of(x->c)->st, order_id, CA_JOB_SUBMIT, &j) == STORE_OK &&
	    j.done_at == 0)
		return 0;
	rc = caservice_sync_order(x->c, order_id, err, sizeof(err));
	if (rc < 0) {
		log_warnx("CA: order %lld: %s", order_id, err);
		x->failed = 1;
		return strstr(err, "cannot be reached") != NULL; /* CA down: stop */
	}
	if (rc == 0 && store_order_get(cs_of(x->c)->st, order_id, &o) == STORE_OK &&
	    o.state == WF_ISSUED)
		x->moved++;
	if (rc == 1) {
		/* Sent, but the CA does not know it (a lost submission):
		 * its ended job due again. */
		log_warnx("CA: order %lld is unknown at the CA; queued again", order_id);
		if (store_ca_job_add(cs_of(x->c)->st, order_id, CA_JOB_SUBMIT, "", time(NULL)) !=
		    STORE_OK)
			log_warnx("CA: order %lld: cannot queue it again (database)", order_id);
	}
	return 0;
}

int caservice_sync(struct ca_connector *c)
{
	struct sync_ctx x = {c, 0, 0};

	if (store_ca_awaiting(cs_of(c)->st, cs_connector_name, sync_one, &x) != STORE_OK)
		return -1;
	return x.failed ? -1 : x.moved;
}

enum cs_result caservice_revoke_now(struct ca_connector *c, const struct order *o,
				    const char *reason, char *err, size_t errlen)
{
	struct cs *s = cs_of(c);
	struct buf b = BUF_INIT;
	struct ca_cert *cert = calloc(1, sizeof(*cert));
	char path[80], body[96], state[24];
	enum cs_result res;
	json_t *j = NULL;
	long status;

	if (cert == NULL) {
		snprintf(err, errlen, "out of memory");
		return CS_DOWN;
	}
	snprintf(path, sizeof(path), "/v1/registrations/%lld/revoke", o->id);
	snprintf(body, sizeof(body), "{\"reason\":\"%s\"}", reason);
	status = cs_request(s, "POST", path, body, &b, err, errlen);
	res = status == 0 ? CS_DOWN : cs_classify(status);
	if (status != 0 && res != CS_OK)
		cs_error(status, &b, NULL, err, errlen);
	if (res == CS_OK) {
		j = json_loads(b.data, 0, NULL);
		if (j == NULL || registration_read(j, cert, state, sizeof(state)) != 0 ||
		    cert->revoked_at == 0) {
			snprintf(err, errlen, "CA: the revocation answer holds no revocation");
			res = CS_DOWN;
		} else {
			cert->order_id = o->id;
			if (uc_ca_cert_record(s->st, s->base_url, cert) < 0) {
				snprintf(err, errlen,
					 "the revocation cannot be recorded (database)");
				res = CS_DOWN; /* retried: the CA answers the same */
			}
		}
	}
	json_decref(j);
	buf_free(&b);
	free(cert);
	return res;
}

/* ---- The connector's operations ------------------------------------------------------------- */

static int cs_submit(struct ca_connector *c, const struct order *o, char ref[CA_REF_MAX],
		     char code[CA_CODE_MAX], char *err, size_t errlen)
{
	char why[512];

	why[0] = '\0';
	switch (caservice_submit_now(c, o, code, why, sizeof(why))) {
	case CS_OK:
		break;
	case CS_REFUSED:
		snprintf(err, errlen, "%s", why);
		if (code[0] == '\0')
			snprintf(code, CA_CODE_MAX, "refused");
		return CA_SUBMIT_REFUSED;
	case CS_DOWN:
		/* The order goes ahead; the worker submits it when the
		 * CA is back (idempotent by order id: once). */
		if (store_ca_job_add(cs_of(c)->st, o->id, CA_JOB_SUBMIT, "", time(NULL)) !=
		    STORE_OK) {
			snprintf(err, errlen, "%s; it could not be queued (database error)", why);
			return CA_SUBMIT_FAILED;
		}
		log_warnx("order %lld: %s; queued for the CA", o->id, why);
		break;
	}
	snprintf(ref, CA_REF_MAX, "%lld", o->id);
	return 0;
}

static int cs_revoke(struct ca_connector *c, const struct order *o, const char *reason, char *err,
		     size_t errlen)
{
	return caservice_revoke_now(c, o, reason, err, errlen) == CS_OK ? 0 : -1;
}

static void cs_close(struct ca_connector *c)
{
	struct cs *s = cs_of(c);

	free(s->cat);
	free(s);
	free(c);
}

/* ---- Opening ---------------------------------------------------------------------------- */

/* The tariff, for the validity years (as the portal loads it); NULL
 * when it cannot be read: the tariff code's digits are used then. */
static struct catalog *load_catalog(const struct config *cfg)
{
	struct catalog *cat = calloc(1, sizeof(*cat));
	char why[512];

	if (cat != NULL && catalog_load(cat, cfg, why, sizeof(why)) != 0) {
		free(cat);
		return NULL;
	}
	return cat;
}

static void path_or_default(char *dst, size_t size, const char *value, const char *var,
			    const char *file)
{
	if (value[0])
		snprintf(dst, size, "%s", value);
	else
		snprintf(dst, size, "%s/ca/ra/%s", var, file);
}

/* The CA answers: its issuing certificate, a GET that changes nothing. */
static int cs_ready(struct ca_connector *c, char *err, size_t errlen)
{
	struct buf out = BUF_INIT;
	long status;

	if (c->impl == NULL) {
		snprintf(err, errlen, "the CA service is not configured (ca_url)");
		return -1;
	}
	status = cs_request(c->impl, "GET", "/ca/issuing.crt", NULL, &out, err, errlen);
	buf_free(&out);
	if (status == 200)
		return 0;
	if (status != 0)
		snprintf(err, errlen, "the CA service answered %ld", status);
	return -1;
}

static const struct ca_connector caservice_ops = {
	.name = cs_connector_name,
	.submit = cs_submit,
	.shipments = cs_shipments,
	.shipment = cs_shipment,
	.shipment_received = cs_shipment_received,
	.revoke = cs_revoke,
	.ready = cs_ready,
	.close = cs_close,
};

struct ca_connector *caservice_open(const struct config *cfg, struct store *st, char *err,
				    size_t errlen)
{
	struct cs *s = calloc(1, sizeof(*s));
	struct ca_connector *c;

	if (s == NULL)
		return ca_connector_new(&caservice_ops, NULL, err, errlen);
	s->st = st;
	snprintf(s->base_url, sizeof(s->base_url), "%s", cfg->base_url);
	snprintf(s->url, sizeof(s->url), "%s",
		 cfg->ca_url[0] ? cfg->ca_url : "https://127.0.0.1:8443");
	path_or_default(s->cert, sizeof(s->cert), cfg->ca_cert, cfg->var_dir, "ra.pem");
	path_or_default(s->key, sizeof(s->key), cfg->ca_key, cfg->var_dir, "ra.key");
	path_or_default(s->cacert, sizeof(s->cacert), cfg->ca_cacert, cfg->var_dir, "ca.pem");
	if (strncmp(s->url, "https://", 8) != 0) {
		snprintf(err, errlen,
			 "ca_url: \"%s\" must be an https:// URL (the RA API is TLS only)", s->url);
		free(s);
		return NULL;
	}
	if ((c = ca_connector_new(&caservice_ops, s, err, errlen)) == NULL) {
		free(s);
		return NULL;
	}
	pthread_once(&cs_once, cs_init);
	s->cat = load_catalog(cfg);
	return c;
}
