/*
 * Configuration: built-in defaults, then the INI file (qcra.conf),
 * then QCRA_* environment variables, then command-line flags.  Every
 * layer goes through config_set(), which validates the value and names
 * the key in its error, so a bad value stops start-up with a clear
 * message wherever it came from.
 */
#ifndef QCRA_CONFIG_H
#define QCRA_CONFIG_H

#include <stddef.h>

struct config {
	char listen_addr[64]; /* "127.0.0.1" */
	unsigned short listen_port;
	char var_dir[512];
	char database[512];     /* "postgresql://..."; "" = SQLite, VAR/qcra.db */
	char data_dir[512];     /* templates, messages, static, catalogue; "" = default */
	char base_url[256];     /* used in mailed links */
	int base_url_guessed;   /* unset, and listen is the wildcard: localhost */
	char catalog_file[512]; /* offices, tariff, seller; "" = built-in */
	unsigned workers;
	int max_conns;                 /* HTTP connections in total */
	int max_conns_per_addr;        /* from one client address */
	char proxy_protocol_from[256]; /* balancers sending the PROXY header */
	int request_head_secs;         /* absolute deadlines for a request's head */
	int request_body_secs;         /* and for its body */
	size_t max_form_bytes;
	size_t max_upload_bytes;
	int session_idle_secs;
	int session_lifetime_secs;
	/* Login throttling (web/throttle.c), members and staff apart. */
	int pwhash_memory_kib;       /* Argon2id memory (core/pwhash.h); less only in tests */
	int login_max_failures;      /* per (account, client address) in the window */
	int login_max_failures_addr; /* per client address in the window */
	int login_window_secs;
	int audit_anchor_secs;        /* the audit head anchored this often (at most 60) */
	int login_account_slow_after; /* per account from anywhere: then each try waits */
	int login_account_wait_max;   /* the longest such wait, seconds */
	/* mail */
	char mail_transport[16]; /* "maildir" or "smtp" */
	char mail_from[256];
	char smtp_url[256];
	char smtp_user[128];
	char smtp_password[128];
	int smtp_starttls;
	int mail_poll_secs;
	int mail_retry_secs;               /* the first wait after a failed delivery, doubling */
	int company_link_days;             /* a company's proforma link is valid this long */
	int access_log;                    /* 1: one line per request on stderr */
	int log_json;                      /* log_format = json: JSON lines on stderr */
	char client_cert_header_from[256]; /* TLS proxies passing X-Client-Certificate */
	/* The certificate listener (cert_login_listen): addr "" = off; its
	 * /login/certificate at base_url's host (config_finish). */
	char cert_login_addr[64];
	unsigned short cert_login_port;
	char cert_login_url[320];
	char metrics_allow[256]; /* addresses GET /metrics answers, comma-separated */
	/* Retention (app/retention.c): each period, then deleted or blanked. */
	int retention_draft_days, retention_closed_days, retention_registration_years;
	int retention_mail_days, retention_token_days;
	/* HTTPS: both set = the portal speaks TLS itself (PEM files) */
	char tls_cert[512];
	char tls_key[512];
	/* back office orders */
	int order_expiry_days; /* confirmed orders not completed in time expire */
	char ca_connector[16]; /* "service", or "testca" (the in-process TEST CA); "" unset */
	/* the CA service (ca_connector = service); paths "" = VAR/ca/ra/... */
	char ca_url[256];    /* https://127.0.0.1:8443 */
	char ca_cert[512];   /* the RA's client certificate */
	char ca_key[512];    /* its key */
	char ca_cacert[512]; /* the CA root the portal trusts */
	int ca_poll_secs;    /* how often the CA worker asks and retries */
	int ca_retry_secs;   /* a submission unreachable this long is returned */
	/* Signed requests (issue 19, app/sign.c) */
	size_t sign_max_bytes;       /* largest signed PDF a member uploads */
	char sign_trusted_cas[1024]; /* other qualified CAs: PEM files, comma-separated */
};

void config_defaults(struct config *c);
/* Sets key (as named in qcra.conf, e.g. "listen") from text.  Returns 0,
 * or -1 with "KEY: what is wrong" in err. */
int config_set(struct config *c, const char *key, const char *value, char *err, size_t errlen);
/* Reads an INI file ([section] names are for humans; keys are unique).
 * Returns 0, or -1 with "FILE:LINE: ..." in err. */
int config_load_file(struct config *c, const char *path, char *err, size_t errlen);
/* Applies every QCRA_<KEY> environment variable that is set. */
int config_load_env(struct config *c, char *err, size_t errlen);
/* Fills base_url from listen when not set: an IPv6 address in
 * brackets, localhost for an address that listens everywhere. */
void config_finish(struct config *c);
/* 1 when listen is the wildcard (0.0.0.0, ::, *), else 0. */
int config_listens_everywhere(const struct config *c);
/* What no single key can say: keys that go together.  0, or -1 with
 * "KEY: what is wrong" in err. */
int config_check(const struct config *c, char *err, size_t errlen);
/* Prints the keys with their env variables and defaults. */
void config_usage(void);

/* Key i of the table, for its documentation (qcra.conf(5), the example
 * file): type "NUMBER" with min and max, "TEXT", "URL", ...; def NULL
 * when there is no default or one worked out at start (help says). */
struct config_key_doc {
	const char *name, *type, *def, *help;
	long min, max;
};
/* 0 with *d filled while i is below the number of keys; else -1. */
int config_key_doc(size_t i, struct config_key_doc *d);

#endif
