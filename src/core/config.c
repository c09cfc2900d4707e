#include "core/config.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pwhash.h"

enum ctype { C_STR, C_INT, C_LISTEN, C_BOOL, C_TRANSPORT, C_URL, C_LOGFMT, C_LISTEN_OPT };

/* A key: its name in qcra.conf, type, field, and the default (the value
 * config_defaults sets through config_set; NULL: none, or one worked
 * out later, which the help then says). */
struct key {
	const char *name;
	enum ctype type;
	size_t off;
	size_t size;   /* strings: buffer size; ints: sizeof field */
	long min, max; /* ints */
	const char *def;
	const char *help;
};

#define FIELD(f) offsetof(struct config, f), sizeof(((struct config *)0)->f)
#define STR(n, f, t, d, h)                                                                         \
	{                                                                                          \
		n, t, FIELD(f), 0, 0, d, h                                                         \
	}
#define INT(n, f, lo, hi, d, h)                                                                    \
	{                                                                                          \
		n, C_INT, FIELD(f), lo, hi, d, h                                                   \
	}
#define BOOL(n, f, d, h)                                                                           \
	{                                                                                          \
		n, C_BOOL, FIELD(f), 0, 1, d, h                                                    \
	}

static const struct key keys[] = {
	{"listen", C_LISTEN, 0, 0, 0, 0, "127.0.0.1:8080", "address:port to listen on"},
	STR("var", var_dir, C_STR, "./var",
	    "state directory: the database, secret.key, mail/, the audit anchor"),
	STR("data_dir", data_dir, C_STR, NULL,
	    "templates, messages, static files and the default catalogue (unset: the installed "
	    "ones, DATADIR/qcra; run from its build directory, the copies built into qcra)"),
	STR("database", database, C_STR, NULL,
	    "the PostgreSQL database, postgresql://USER:PASSWORD@HOST:PORT/NAME (unset: SQLite, "
	    "VAR/qcra.db)"),
	STR("base_url", base_url, C_URL, NULL,
	    "public URL used in mailed links (unset: https://LISTEN with tls_cert, else "
	    "http://LISTEN; localhost when LISTEN is every address, 0.0.0.0 or ::)"),
	STR("catalog_file", catalog_file, C_STR, NULL,
	    "offices, tariff and seller data (unset: the demo catalogue, data/catalog.ini)"),
	INT("workers", workers, 1, 256, "2", "HTTP worker threads"),
	INT("max_connections", max_conns, 16, 65536, "1024", "HTTP connections in total"),
	INT("max_connections_per_address", max_conns_per_addr, 1, 65536, "64",
	    "HTTP connections from one client address, at most half of max_connections"),
	STR("proxy_protocol_from", proxy_protocol_from, C_STR, "",
	    "load balancers' addresses, comma-separated: each connection from one starts with a "
	    "PROXY protocol header (v1 or v2) that gives the client's address"),
	INT("request_head_seconds", request_head_secs, 1, 3600, "10",
	    "a request head must arrive whole within"),
	INT("request_body_seconds", request_body_secs, 1, 24 * 3600, "120",
	    "a request body must arrive whole within"),
	INT("max_form_bytes", max_form_bytes, 1024, 16 * 1024 * 1024, "65536", "largest form body"),
	INT("max_upload_bytes", max_upload_bytes, 64 * 1024, 64 * 1024 * 1024, "33554432",
	    "largest uploaded file: a bank statement, by staff"),
	INT("session_idle_minutes", session_idle_secs, 1, 24 * 60, "30", "idle session timeout"),
	INT("session_lifetime_hours", session_lifetime_secs, 1, 24 * 30, "12",
	    "absolute session lifetime"),
	INT("password_hash_memory_kib", pwhash_memory_kib, 8, 4 * 1024 * 1024, "19456",
	    "Argon2id memory per password hash, KiB (ASVS 11.4.2: at least 19456); less only "
	    "with ca_connector = testca, for tests"),
	INT("login_max_failures", login_max_failures, 1, 1000, "5",
	    "failed logins per account from one address per window, then 429"),
	INT("login_max_failures_per_address", login_max_failures_addr, 1, 100000, "20",
	    "failed logins per client address per window, members and staff apart"),
	INT("login_window_minutes", login_window_secs, 1, 24 * 60, "15", "throttling window"),
	INT("audit_anchor_seconds", audit_anchor_secs, 1, 60, "60",
	    "how often, while the audit log grows, its head is appended to VAR/audit.anchor"),
	INT("login_account_slow_after", login_account_slow_after, 1, 100000, "10",
	    "failed logins per account from anywhere per window after which each try waits"),
	INT("login_account_wait_max_seconds", login_account_wait_max, 1, 3600, "60",
	    "the longest wait between tries on such an account: 1 s doubling up to this"),
	STR("mail_transport", mail_transport, C_TRANSPORT, "maildir",
	    "maildir (VAR/mail/*.eml) or smtp"),
	STR("mail_from", mail_from, C_STR, NULL,
	    "sender address of portal mail (unset: the catalogue's chamber "
	    "<noreply@qcra.localhost>)"),
	STR("smtp_url", smtp_url, C_URL, NULL,
	    "smtp://host:port or smtps://host:port (required with mail_transport = smtp)"),
	STR("smtp_user", smtp_user, C_STR, NULL, "SMTP user name (unset: none)"),
	STR("smtp_password", smtp_password, C_STR, NULL, "SMTP password (unset: none)"),
	BOOL("smtp_starttls", smtp_starttls, "false", "require STARTTLS"),
	INT("mail_poll_seconds", mail_poll_secs, 1, 3600, "5", "how often queued mail is retried"),
	INT("mail_retry_seconds", mail_retry_secs, 1, 3600, "30",
	    "the wait after a failed delivery; it doubles after each further failure, up to an "
	    "hour"),
	INT("company_link_days", company_link_days, 1, 365, "60",
	    "how long the proforma link in a company's mail opens without an account"),
	INT("retention_draft_days", retention_draft_days, 1, 36500, "90",
	    "drafts never confirmed are deleted after"),
	INT("retention_closed_days", retention_closed_days, 1, 36500, "730",
	    "orders ended without a certificate keep the person's data for"),
	INT("retention_registration_years", retention_registration_years, 1, 100, "7",
	    "registration records are kept this long after the certificate expires"),
	INT("retention_mail_days", retention_mail_days, 1, 36500, "90",
	    "delivered mail (recipient, subject, time) is kept for"),
	INT("retention_token_days", retention_token_days, 1, 36500, "30",
	    "used or expired one-time links are kept for"),
	STR("client_cert_header_from", client_cert_header_from, C_STR, "",
	    "TLS proxies' addresses, comma-separated, whose X-Client-Certificate header (the "
	    "client certificate they verified: nginx's $ssl_client_escaped_cert or haproxy's "
	    "ssl_c_der,base64) logs a member in at GET /login/certificate; empty: off"),
	{"cert_login_listen", C_LISTEN_OPT, FIELD(cert_login_addr), 0, 0, NULL,
	 "HTTPS (tls_cert): address:port of a second listener, with the same certificate, that "
	 "asks the browser for a client certificate and serves GET /login/certificate only: a "
	 "member's qualified certificate logs them in, then the browser goes on to base_url "
	 "(same host name); the login page links to it at base_url's host on this port "
	 "(unset: off)"},
	STR("metrics_allow", metrics_allow, C_STR, "127.0.0.1, ::1",
	    "client addresses GET /metrics answers, comma-separated"),
	{"log_format", C_LOGFMT, FIELD(log_json), 0, 1, "text",
	 "text or json: how log lines on stderr are written"},
	BOOL("access_log", access_log, "true", "one log line per request"),
	STR("tls_cert", tls_cert, C_STR, NULL,
	    "HTTPS: server certificate chain, PEM (unset: plain HTTP)"),
	STR("tls_key", tls_key, C_STR, NULL, "HTTPS: its private key, PEM (with tls_cert)"),
	INT("order_expiry_days", order_expiry_days, 1, 3650, "30",
	    "confirmed orders not completed in N days expire"),
	STR("ca_connector", ca_connector, C_STR, NULL,
	    "service: the CA service; testca: the in-process TEST CA, for tests and demos only "
	    "(unset: serve refuses to start)"),
	STR("ca_url", ca_url, C_URL, "https://127.0.0.1:8443", "CA service RA API, https only"),
	STR("ca_cert", ca_cert, C_STR, NULL,
	    "RA client certificate for the CA (unset: VAR/ca/ra/ra.pem)"),
	STR("ca_key", ca_key, C_STR, NULL, "RA client key for the CA (unset: VAR/ca/ra/ra.key)"),
	STR("ca_cacert", ca_cacert, C_STR, NULL,
	    "CA root the portal trusts for the CA service (unset: VAR/ca/ra/ca.pem)"),
	INT("ca_poll_seconds", ca_poll_secs, 1, 3600, "10",
	    "how often the CA queue is retried and the CA asked"),
	INT("ca_retry_hours", ca_retry_secs, 1, 24 * 30, "72",
	    "a registration the CA cannot be reached for is returned to the office after"),
	INT("sign_max_bytes", sign_max_bytes, 64 * 1024, 64 * 1024 * 1024, "20971520",
	    "largest signed request or contract a member uploads"),
	STR("sign_trusted_cas", sign_trusted_cas, C_STR, NULL,
	    "qualified CAs whose certificates may sign requests, besides the CA service's "
	    "(ca_cacert): PEM files, comma-separated (unset: none)"),
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
	char err[256];
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].def != NULL &&
		    config_set(c, keys[i].name, keys[i].def, err, sizeof(err)))
			abort(); /* a default the table's own check refuses */
}

/* ADDRESS:PORT of key name into addr (size bytes) and *port. */
static int parse_listen(const char *name, const char *v, char *addr, size_t size,
			unsigned short *port, char *err, size_t errlen)
{
	const char *colon = strrchr(v, ':');
	char *end;
	long n;
	size_t hostlen;

	if (colon == NULL || colon == v) {
		snprintf(err, errlen, "%s: \"%s\" is not ADDRESS:PORT (e.g. 127.0.0.1:8080)", name,
			 v);
		return -1;
	}
	hostlen = (size_t)(colon - v);
	if (hostlen >= size) {
		snprintf(err, errlen, "%s: address too long", name);
		return -1;
	}
	errno = 0;
	n = strtol(colon + 1, &end, 10);
	if (errno || *end != '\0' || colon[1] == '\0' || n < 0 || n > 65535) {
		snprintf(err, errlen, "%s: port in \"%s\" must be a number 0-65535", name, v);
		return -1;
	}
	memcpy(addr, v, hostlen);
	addr[hostlen] = '\0';
	*port = (unsigned short)n;
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
		return parse_listen(name, v, c->listen_addr, sizeof(c->listen_addr),
				    &c->listen_port, err, errlen);
	case C_LISTEN_OPT: /* "" or unset: off */
		c->cert_login_addr[0] = '\0';
		c->cert_login_port = 0;
		return *v ? parse_listen(name, v, c->cert_login_addr, sizeof(c->cert_login_addr),
					 &c->cert_login_port, err, errlen)
			  : 0;
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

/* The certificate listener's /login/certificate: base_url's scheme and
 * host (an IPv6 one in brackets) on cert_login_port. */
static void cert_login_url(struct config *c)
{
	const char *host = strstr(c->base_url, "://"), *end, *bracket;

	c->cert_login_url[0] = '\0';
	if (c->cert_login_addr[0] == '\0' || host == NULL)
		return;
	host += 3;
	end = host + strcspn(host, "/");
	bracket = memchr(host, ']', (size_t)(end - host));
	for (const char *p = bracket ? bracket : host; p < end; p++)
		if (*p == ':') {
			end = p;
			break;
		}
	snprintf(c->cert_login_url, sizeof(c->cert_login_url), "https://%.*s:%u/login/certificate",
		 (int)(end - host), host, (unsigned)c->cert_login_port);
}

/* See config.h. */
int config_listens_everywhere(const struct config *c)
{
	static const char *const any[] = {"", "*", "0.0.0.0", "::", "[::]"};

	for (size_t i = 0; i < sizeof(any) / sizeof(any[0]); i++)
		if (strcmp(c->listen_addr, any[i]) == 0)
			return 1;
	return 0;
}

/* base_url unset: the listen address as a URL's host (an IPv6 one in
 * brackets), or localhost for the wildcard, which no link can reach. */
void config_finish(struct config *c)
{
	const char *host = c->listen_addr;
	int bracket = strchr(host, ':') != NULL && host[0] != '[';

	if (config_listens_everywhere(c)) {
		host = "localhost";
		bracket = 0;
	}
	if (c->base_url[0] == '\0') {
		c->base_url_guessed = config_listens_everywhere(c);
		snprintf(c->base_url, sizeof(c->base_url), "%s://%s%s%s:%u",
			 c->tls_cert[0] ? "https" : "http", bracket ? "[" : "", host,
			 bracket ? "]" : "", (unsigned)c->listen_port);
	}
	cert_login_url(c);
}

int config_check(const struct config *c, char *err, size_t errlen)
{
	/* The TEST CA marks an installation as one for tests and demos
	 * (every page says so): only there may passwords hash cheaply. */
	if ((size_t)c->pwhash_memory_kib * 1024 < PWHASH_MEMLIMIT &&
	    strcmp(c->ca_connector, "testca") != 0) {
		snprintf(err, errlen,
			 "password_hash_memory_kib: below %u only with ca_connector = testca "
			 "(tests and demos); leave it unset",
			 PWHASH_MEMLIMIT / 1024);
		return -1;
	}
	return 0;
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
		fprintf(stdout, "  %-32s QCRA_%-30s %s", keys[i].name, env, keys[i].help);
		fprintf(stdout, keys[i].def ? " (%s)\n" : "\n", keys[i].def);
	}
}

int config_key_doc(size_t i, struct config_key_doc *d)
{
	static const char *const types[] = {
		[C_STR] = "TEXT",
		[C_INT] = "NUMBER",
		[C_LISTEN] = "ADDRESS:PORT",
		[C_LISTEN_OPT] = "ADDRESS:PORT",
		[C_BOOL] = "true|false",
		[C_TRANSPORT] = "maildir|smtp",
		[C_URL] = "URL",
		[C_LOGFMT] = "text|json",
	};

	if (i >= sizeof(keys) / sizeof(keys[0]))
		return -1;
	d->name = keys[i].name;
	d->type = types[keys[i].type];
	d->def = keys[i].def;
	d->help = keys[i].help;
	d->min = keys[i].type == C_INT ? keys[i].min : 0;
	d->max = keys[i].type == C_INT ? keys[i].max : 0;
	return 0;
}
