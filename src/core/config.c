#include "core/config.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum ctype { C_STR, C_INT, C_LISTEN, C_BOOL, C_TRANSPORT, C_URL, C_LOGFMT };

struct key {
	const char *name;
	enum ctype type;
	size_t off;
	size_t size;   /* strings: buffer size; ints: sizeof field */
	long min, max; /* ints */
	const char *help;
};

#define STR(f, t, h)                                                                               \
	{                                                                                          \
#f, t, offsetof(struct config, f), sizeof(((struct config *)0)->f), 0, 0, h        \
	}
#define INT(n, f, lo, hi, h)                                                                       \
	{                                                                                          \
		n, C_INT, offsetof(struct config, f), sizeof(((struct config *)0)->f), lo, hi, h   \
	}

static const struct key keys[] = {
	{"listen", C_LISTEN, 0, 0, 0, 0, "address:port to listen on (127.0.0.1:8080)"},
	{"var", C_STR, offsetof(struct config, var_dir), sizeof(((struct config *)0)->var_dir), 0,
	 0, "state directory: database, mail/ (./var)"},
	{"base_url", C_URL, offsetof(struct config, base_url),
	 sizeof(((struct config *)0)->base_url), 0, 0, "public URL used in mailed links"},
	STR(database, C_STR,
	    "PostgreSQL URL, postgresql://USER:PASSWORD@HOST:PORT/NAME (none: SQLite, "
	    "VAR/qcra.db)"),
	STR(catalog_file, C_STR, "offices, tariff and seller data (built-in demo)"),
	INT("workers", workers, 1, 256, "HTTP worker threads (2)"),
	INT("max_connections", max_conns, 16, 65536, "HTTP connections in total (1024)"),
	INT("max_connections_per_address", max_conns_per_addr, 1, 65536,
	    "HTTP connections from one client address, below max_connections (64)"),
	INT("request_head_seconds", request_head_secs, 1, 3600,
	    "a request head must arrive whole within (10)"),
	INT("request_body_seconds", request_body_secs, 1, 24 * 3600,
	    "a request body must arrive whole within (120)"),
	INT("max_form_bytes", max_form_bytes, 1024, 16 * 1024 * 1024, "largest form body (65536)"),
	INT("max_upload_bytes", max_upload_bytes, 64 * 1024, 64 * 1024 * 1024,
	    "largest uploaded file: a bank statement, by staff (33554432)"),
	INT("session_idle_minutes", session_idle_secs, 1, 24 * 60, "idle session timeout (30)"),
	INT("session_lifetime_hours", session_lifetime_secs, 1, 24 * 30,
	    "absolute session lifetime (12)"),
	INT("login_max_failures", login_max_failures, 1, 1000,
	    "failed logins per account from one address per window, then 429 (5)"),
	INT("login_max_failures_per_address", login_max_failures_addr, 1, 100000,
	    "failed logins per client address per window, members and staff apart (20)"),
	INT("login_window_minutes", login_window_secs, 1, 24 * 60, "throttling window (15)"),
	INT("audit_anchor_seconds", audit_anchor_secs, 1, 60,
	    "how often, while the audit log grows, its head is appended to VAR/audit.anchor (60)"),
	INT("login_account_slow_after", login_account_slow_after, 1, 100000,
	    "failed logins per account from anywhere per window after which each try waits (10)"),
	INT("login_account_wait_max_seconds", login_account_wait_max, 1, 3600,
	    "the longest wait between tries on such an account: 1 s doubling up to this (60)"),
	{"mail_transport", C_TRANSPORT, offsetof(struct config, mail_transport),
	 sizeof(((struct config *)0)->mail_transport), 0, 0, "maildir or smtp (maildir)"},
	STR(mail_from, C_STR,
	    "sender address of portal mail (the catalogue's chamber <noreply@qcra.localhost>)"),
	STR(smtp_url, C_URL, "smtp://host:port or smtps://host:port"),
	STR(smtp_user, C_STR, "SMTP user name (none)"),
	STR(smtp_password, C_STR, "SMTP password (none)"),
	{"smtp_starttls", C_BOOL, offsetof(struct config, smtp_starttls), sizeof(int), 0, 1,
	 "require STARTTLS (false)"},
	INT("mail_poll_seconds", mail_poll_secs, 1, 3600, "how often queued mail is retried (5)"),
	INT("company_link_days", company_link_days, 1, 365,
	    "how long the proforma link in a company's mail opens without an account (60)"),
	INT("retention_draft_days", retention_draft_days, 1, 36500,
	    "drafts never confirmed are deleted after (90)"),
	INT("retention_closed_days", retention_closed_days, 1, 36500,
	    "orders ended without a certificate keep the person's data for (730)"),
	INT("retention_registration_years", retention_registration_years, 1, 100,
	    "registration records are kept this long after the certificate expires (7)"),
	INT("retention_mail_days", retention_mail_days, 1, 36500,
	    "delivered mail (recipient, subject, time) is kept for (90)"),
	INT("retention_token_days", retention_token_days, 1, 36500,
	    "used or expired one-time links are kept for (30)"),
	STR(metrics_allow, C_STR,
	    "client addresses GET /metrics answers, comma-separated (127.0.0.1, ::1)"),
	{"log_format", C_LOGFMT, offsetof(struct config, log_json), sizeof(int), 0, 1,
	 "text or json: how log lines on stderr are written (text)"},
	{"access_log", C_BOOL, offsetof(struct config, access_log), sizeof(int), 0, 1,
	 "one log line per request (true)"},
	STR(tls_cert, C_STR, "HTTPS: server certificate chain, PEM (none: plain HTTP)"),
	STR(tls_key, C_STR, "HTTPS: its private key, PEM (with tls_cert)"),
	INT("order_expiry_days", order_expiry_days, 1, 3650,
	    "confirmed orders not completed in N days expire (30)"),
	STR(ca_connector, C_STR,
	    "service: the CA service; testca: the in-process TEST CA, for tests and demos only "
	    "(none: required)"),
	STR(ca_url, C_URL, "CA service RA API, https only (https://127.0.0.1:8443)"),
	STR(ca_cert, C_STR, "RA client certificate for the CA (VAR/ca/ra/ra.pem)"),
	STR(ca_key, C_STR, "RA client key for the CA (VAR/ca/ra/ra.key)"),
	STR(ca_cacert, C_STR, "CA root the portal trusts for the CA service (VAR/ca/ra/ca.pem)"),
	INT("ca_poll_seconds", ca_poll_secs, 1, 3600,
	    "how often the CA queue is retried and the CA asked (10)"),
	INT("ca_retry_hours", ca_retry_secs, 1, 24 * 30,
	    "a registration the CA cannot be reached for is returned to the office after (72)"),
};

/* Keys given in minutes/hours are stored in seconds. */
static long key_scale(const char *name)
{
	if (strstr(name, "_minutes"))
		return 60;
	if (strstr(name, "_hours"))
		return 3600;
	return 1;
}

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->listen_addr, sizeof(c->listen_addr), "127.0.0.1");
	c->listen_port = 8080;
	snprintf(c->var_dir, sizeof(c->var_dir), "./var");
	c->workers = 2;
	c->max_conns = 1024;
	c->max_conns_per_addr = 64;
	c->request_head_secs = 10;
	c->request_body_secs = 120;
	c->max_form_bytes = 64 * 1024;
	c->max_upload_bytes = 32 * 1024 * 1024;
	c->session_idle_secs = 30 * 60;
	c->session_lifetime_secs = 12 * 3600;
	c->login_max_failures = 5;
	c->login_max_failures_addr = 20;
	c->login_window_secs = 15 * 60;
	c->audit_anchor_secs = 60;
	c->login_account_slow_after = 10;
	c->login_account_wait_max = 60;
	snprintf(c->mail_transport, sizeof(c->mail_transport), "maildir");
	c->mail_poll_secs = 5;
	c->company_link_days = 60;
	c->access_log = 1;
	snprintf(c->metrics_allow, sizeof(c->metrics_allow), "127.0.0.1, ::1");
	c->retention_draft_days = 90;
	c->retention_closed_days = 730;
	c->retention_registration_years = 7;
	c->retention_mail_days = 90;
	c->retention_token_days = 30;
	c->order_expiry_days = 30;
	c->ca_retry_secs = 72 * 3600;
	snprintf(c->ca_url, sizeof(c->ca_url), "https://127.0.0.1:8443");
	c->ca_poll_secs = 10;
}

static int parse_listen(struct config *c, const char *v, char *err, size_t errlen)
{
	const char *colon = strrchr(v, ':');
	char *end;
	long port;
	size_t hostlen;

	if (colon == NULL || colon == v) {
		snprintf(err, errlen, "listen: \"%s\" is not ADDRESS:PORT (e.g. 127.0.0.1:8080)",
			 v);
		return -1;
	}
	hostlen = (size_t)(colon - v);
	if (hostlen >= sizeof(c->listen_addr)) {
		snprintf(err, errlen, "listen: address too long");
		return -1;
	}
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno || *end != '\0' || colon[1] == '\0' || port < 0 || port > 65535) {
		snprintf(err, errlen, "listen: port in \"%s\" must be a number 0-65535", v);
		return -1;
	}
	memcpy(c->listen_addr, v, hostlen);
	c->listen_addr[hostlen] = '\0';
	c->listen_port = (unsigned short)port;
	return 0;
}

int config_set(struct config *c, const char *name, const char *v, char *err, size_t errlen)
{
	const struct key *k = NULL;
	size_t i;
	char *end;
	long n;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(keys[i].name, name) == 0)
			k = &keys[i];
	if (k == NULL) {
		snprintf(err, errlen, "%s: unknown configuration key", name);
		return -1;
	}
	switch (k->type) {
	case C_LISTEN:
		return parse_listen(c, v, err, errlen);
	case C_URL:
		if (*v && strncmp(v, "http://", 7) && strncmp(v, "https://", 8) &&
		    strncmp(v, "smtp://", 7) && strncmp(v, "smtps://", 8)) {
			snprintf(err, errlen,
				 "%s: \"%s\" is not a URL (http://, https://, smtp://)", name, v);
			return -1;
		}
		/* FALLTHROUGH */
	case C_STR:
		if (strlen(v) >= k->size) {
			snprintf(err, errlen, "%s: value longer than %zu characters", name,
				 k->size - 1);
			return -1;
		}
		snprintf((char *)c + k->off, k->size, "%s", v);
		if (k->type == C_URL) { /* no trailing slash on base URLs */
			char *s = (char *)c + k->off;
			size_t l = strlen(s);

			while (l > 0 && s[l - 1] == '/')
				s[--l] = '\0';
		}
		return 0;
	case C_TRANSPORT:
		if (strcmp(v, "maildir") && strcmp(v, "smtp")) {
			snprintf(err, errlen, "%s: \"%s\" must be maildir or smtp", name, v);
			return -1;
		}
		snprintf(c->mail_transport, sizeof(c->mail_transport), "%s", v);
		return 0;
	case C_LOGFMT:
		if (strcmp(v, "text") != 0 && strcmp(v, "json") != 0) {
			snprintf(err, errlen, "%s: \"%s\" must be text or json", name, v);
			return -1;
		}
		c->log_json = strcmp(v, "json") == 0;
		return 0;
	case C_BOOL:
		if (!strcmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "yes") ||
		    !strcasecmp(v, "on"))
			*(int *)((char *)c + k->off) = 1;
		else if (!strcmp(v, "0") || !strcasecmp(v, "false") || !strcasecmp(v, "no") ||
			 !strcasecmp(v, "off"))
			*(int *)((char *)c + k->off) = 0;
		else {
			snprintf(err, errlen, "%s: \"%s\" must be true or false", name, v);
			return -1;
		}
		return 0;
	case C_INT:
		errno = 0;
		n = strtol(v, &end, 10);
		if (errno || *v == '\0' || *end != '\0' || n < k->min || n > k->max) {
			snprintf(err, errlen, "%s: \"%s\" must be a whole number from %ld to %ld",
				 name, v, k->min, k->max);
			return -1;
		}
		n *= key_scale(name);
		if (k->size == sizeof(size_t))
			*(size_t *)((char *)c + k->off) = (size_t)n;
		else if (k->size == sizeof(int))
			*(int *)((char *)c + k->off) = (int)n;
		return 0;
	}
	return -1;
}

struct ini_ctx {
	struct config *c;
	char *err;
	size_t errlen;
	const char *path;
	int failed;
};

static int on_ini_pair(void *user, const char *section, const char *name, const char *value)
{
	struct ini_ctx *x = user;
	char why[256];

	(void)section;
	if (x->failed)
		return 0;
	if (config_set(x->c, name, value, why, sizeof(why)) != 0) {
		snprintf(x->err, x->errlen, "%s: %s", x->path, why);
		x->failed = 1;
		return 0;
	}
	return 1;
}

int config_load_file(struct config *c, const char *path, char *err, size_t errlen)
{
	struct ini_ctx x = {c, err, errlen, path, 0};
	FILE *f = fopen(path, "r");
	int rc;

	if (f == NULL) {
		snprintf(err, errlen, "config: cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	rc = ini_parse_file(f, on_ini_pair, &x);
	fclose(f);
	if (x.failed)
		return -1;
	if (rc != 0) {
		snprintf(err, errlen, "%s:%d: syntax error (expected key = value)", path, rc);
		return -1;
	}
	return 0;
}

int config_load_env(struct config *c, char *err, size_t errlen)
{
	char env[96], why[256];
	const char *v;
	size_t i, j;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(env, sizeof(env), "QCRA_");
		for (j = 0; keys[i].name[j] && j + 6 < sizeof(env); j++)
			env[5 + j] = (char)toupper((unsigned char)keys[i].name[j]);
		env[5 + j] = '\0';
		if ((v = getenv(env)) == NULL)
			continue;
		if (config_set(c, keys[i].name, v, why, sizeof(why)) != 0) {
			snprintf(err, errlen, "environment %s: %s", env, why);
			return -1;
		}
	}
	return 0;
}

void config_finish(struct config *c)
{
	if (c->base_url[0] == '\0')
		snprintf(c->base_url, sizeof(c->base_url), "http://%s:%u", c->listen_addr,
			 (unsigned)c->listen_port);
}

void config_usage(void)
{
	char env[96];
	size_t i, j;

	fprintf(stdout, "Configuration keys (qcra.conf key = value; environment QCRA_KEY):\n");
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		for (j = 0; keys[i].name[j] && j < sizeof(env) - 1; j++)
			env[j] = (char)toupper((unsigned char)keys[i].name[j]);
		env[j] = '\0';
		fprintf(stdout, "  %-32s QCRA_%-30s %s\n", keys[i].name, env, keys[i].help);
	}
}
