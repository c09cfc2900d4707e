#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/cli.h"
#include "connector/caservice.h"
#include "domain/catalog.h"
#include "domain/statement.h"
#include "core/secret.h"
#include "http/http.h"
#include "app/audit.h"
#include "app/jobs.h"
#include "app/sign.h"
#include "app/sign_verify.h"
#include "mail/mail.h"
#include "util/log.h"
#include "util/notify.h"
#include "util/worker.h"
#include "docs/render.h"
#include "web/app.h"
#include "web/group.h"

/* Periodic jobs (expiring stale orders, ...): a worker that runs them
 * at start and then every JOBS_EVERY seconds until stopped. */
#define JOBS_EVERY 600

struct jobs_ctx {
	struct store *st;
	const struct config *cfg;
};

static int jobs_pass(void *arg)
{
	struct jobs_ctx *j = arg;
	time_t now = time(NULL);
	int n;

	/* One instance at a time (store_task_claim); `qcra orders expire`
	 * runs it whenever it is asked. */
	if (store_task_claim(j->st, "expiry", now, 2 * JOBS_EVERY + 5) == STORE_OK &&
	    (n = jobs_expire_orders(j->st, j->cfg, now)) > 0)
		log_info("jobs: %d orders expired", n);
	store_release_memory(j->st); /* the pass's pages: ~1.8 MB idle for 600 s */
	return JOBS_EVERY;
}

/* The audit log's anchor (jobs/audit.h): the head appended to
 * VAR/audit.anchor at start, every audit_anchor_seconds when the log
 * grew, and once more when the worker stops (after every other writer
 * has), so the file always holds the head of a clean shutdown. */
struct anchor_job {
	struct store *st;
	unsigned char secret[SECRET_LEN];
	char path[600];
	int every;
	struct audit_head last;
	int failing; /* the last pass failed (said once) */
};

static int anchor_pass(void *arg)
{
	struct anchor_job *a = arg;
	char err[700];

	if (jobs_audit_anchor(a->st, a->secret, a->path, time(NULL), &a->last, NULL, 0, err,
			      sizeof(err)) < 0) {
		if (!a->failing)
			log_warnx("%s", err);
		a->failing = 1;
	} else
		a->failing = 0;
	return a->every;
}

/* Anchors the head now and starts the worker; 0, or -1 with err. */
static int anchor_start(struct anchor_job *a, struct worker **w, struct store *st,
			const struct config *cfg, char *err, size_t errlen)
{
	int why = 0;

	memset(a, 0, sizeof(*a));
	a->st = st;
	a->every = cfg->audit_anchor_secs;
	a->last.id = -1; /* the first pass always writes */
	snprintf(a->path, sizeof(a->path), "%s/%s", cfg->var_dir, JOBS_ANCHOR_FILE);
	if (secret_load(cfg->var_dir, a->secret, err, errlen) != 0 ||
	    jobs_audit_anchor(st, a->secret, a->path, time(NULL), &a->last, NULL, 0, err, errlen) <
		    0)
		return -1;
	if ((*w = worker_start(anchor_pass, a, 1, &why)) == NULL) {
		snprintf(err, errlen, "cannot start the audit anchor thread: %s", strerror(why));
		return -1;
	}
	return 0;
}

/* Wake-ups from other instances (store_listen: PostgreSQL's
 * LISTEN/NOTIFY): a thread that waits for them on a connection of its
 * own and kicks the mail or the CA worker; the workers' poll stays as
 * the fallback.  None on SQLite (one process kicks its own workers). */
struct wake {
	struct store_listener *l;
	struct app *app;
	pthread_t thread;
	_Atomic int stop;
};

#define WAKE_CHECK_MS 500 /* how soon the thread sees a stop */

static void *wake_main(void *arg)
{
	struct wake *w = arg;
	int bits;

	while (!w->stop) {
		if ((bits = store_listen_wait(w->l, WAKE_CHECK_MS)) <= 0)
			continue;
		if (bits & STORE_WAKE_MAIL)
			mail_worker_kick(w->app->mail);
		if (bits & STORE_WAKE_CA)
			ca_worker_kick(w->app->ca);
	}
	return NULL;
}

/* Starts the thread when st's backend has wake-ups; NULL otherwise (or
 * when it cannot start: logged, the poll does the work). */
static struct wake *wake_start(struct store *st, struct app *app)
{
	struct wake *w;
	int rc;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->app = app;
	if ((w->l = store_listen(st)) == NULL) {
		free(w);
		return NULL;
	}
	if ((rc = worker_thread(&w->thread, wake_main, w)) != 0) {
		log_warnx("cannot start the wake-up thread: %s; polling only", strerror(rc));
		store_listen_close(w->l);
		free(w);
		return NULL;
	}
	return w;
}

static void wake_stop(struct wake *w)
{
	if (w == NULL)
		return;
	w->stop = 1;
	pthread_join(w->thread, NULL);
	store_listen_close(w->l);
	free(w);
}

/* The PEM text of path (setting key), or NULL with err set. */
static char *read_pem(const char *path, const char *key, char *err, size_t errlen)
{
	char why[PATH_MAX + 128], *text;
	size_t len;

	/* A message too long for err (a long path) is logged whole. */
	if ((text = cli_read_file(path, 1024 * 1024, &len, why, sizeof(why))) == NULL) {
		if (snprintf(err, errlen, "%s: %s", key, why) >= (int)errlen)
			log_warnx("%s: %s", key, why);
		return NULL;
	}
	if (strstr(text, "-----BEGIN ") == NULL) {
		if (snprintf(err, errlen, "%s: %s is not a PEM file", key, path) >= (int)errlen)
			log_warnx("%s: %s is not a PEM file", key, path);
		free(text);
		return NULL;
	}
	return text;
}

static void free_key_pem(char *text)
{
	if (text != NULL)
		sodium_memzero(text, strlen(text));
	free(text);
}

/*
 * SIGHUP: tls_cert and tls_key read again from the same paths and, when
 * they are a certificate chain and its key, served from the next
 * handshake on; connections already made keep theirs.  On any error
 * the certificate in use stays, and the log says why.
 */
static void tls_reload(struct http_server *srv, const struct config *cfg)
{
	char err[PATH_MAX + 256], what[512], *cert = NULL, *key = NULL;

	if (cfg->tls_cert[0] == '\0') {
		log_info("SIGHUP: plain HTTP, no certificate to reload");
		return;
	}
	if ((cert = read_pem(cfg->tls_cert, "tls_cert", err, sizeof(err))) == NULL ||
	    (key = read_pem(cfg->tls_key, "tls_key", err, sizeof(err))) == NULL ||
	    http_server_tls_reload(srv, cert, key, what, sizeof(what), err, sizeof(err)) != 0)
		log_warnx("tls: certificate not reloaded, the one in use stays: %s", err);
	else
		log_info("tls: certificate reloaded: %s", what);
	free(cert);
	free_key_pem(key);
}

/*
 * cert_login_listen: the CAs named to browsers asked for a certificate,
 * those the portal trusts for signatures (ca_cacert, sign_trusted_cas),
 * as PEM (malloc'd); NULL with err set when there are none, or when the
 * portal does not speak HTTPS itself.
 */
static char *cert_login_cas(const struct config *cfg, char *err, size_t errlen)
{
	struct sign_trust *t;
	char *cas = NULL;

	if (cfg->tls_cert[0] == '\0') {
		snprintf(err, errlen,
			 "configuration error: cert_login_listen: needs tls_cert and tls_key (the "
			 "portal's own HTTPS); behind a TLS proxy set client_cert_header_from");
		return NULL;
	}
	if ((t = sign_trust_config(cfg)) != NULL)
		cas = sign_trust_pem(t);
	sign_trust_free(t);
	if (cas == NULL)
		snprintf(err, errlen,
			 "configuration error: cert_login_listen: no CA to trust; set "
			 "sign_trusted_cas (the qualified CAs' certificates) or ca_cacert");
	return cas;
}

/*
 * The certificate listener: a second HTTPS server like the main one
 * (first, started before it), with its certificate, asking the browser
 * for a client certificate of the CAs in cas and serving
 * /login/certificate only (web/app.c).  NULL with err set.
 */
static struct http_server *cert_login_start(const struct http_server_conf *first,
					    const struct config *cfg, const char *cas, char *err,
					    size_t errlen)
{
	struct http_server_conf hc = *first;
	struct http_server *s;

	hc.addr = cfg->cert_login_addr;
	hc.port = cfg->cert_login_port;
	/* As many threads as the main server (a login may wait on a CA's
	 * OCSP responder or CRL); no commit group: no route of its is one. */
	hc.deferrable = NULL;
	hc.defer = NULL;
	hc.tls_shared = 1;
	hc.client_ca_pem = cas;
	if ((s = http_server_start(&hc, err, errlen)) != NULL)
		log_info("certificate login on https://%s:%u/login/certificate (%s)",
			 cfg->cert_login_addr, (unsigned)http_server_port(s), cfg->cert_login_url);
	return s;
}

/*
 * Every connection is a descriptor: raise the soft limit on open files
 * to what max_connections needs (up to the hard limit); where the hard
 * limit is lower, serve fewer connections and say so.
 */
static void open_files_for(struct config *cfg)
{
	const rlim_t spare = 128; /* database, logs, renderer, mail, CA */
	rlim_t want = (rlim_t)cfg->max_conns + spare;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want ? want : rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < want) {
		int fit = rl.rlim_cur > spare + 32 ? (int)(rl.rlim_cur - spare) : 32;

		log_warnx(
			"max_connections: %d needs %llu open files, the limit is %llu: serving %d",
			cfg->max_conns, (unsigned long long)want, (unsigned long long)rl.rlim_cur,
			fit);
		cfg->max_conns = fit;
		if (cfg->max_conns_per_addr * 2 > fit)
			cfg->max_conns_per_addr = fit / 2;
	}
}

/* The next signal of set; meanwhile, when systemd watches the service,
 * WATCHDOG=1 at half its interval (util/notify.h). */
static int wait_signal(const sigset_t *set)
{
	long ms = notify_watchdog_ms();
	struct timespec every = {ms / 1000, (ms % 1000) * 1000000L};
	int sig;

	for (;;) {
		if (ms == 0)
			return sigwait(set, &sig) == 0 ? sig : SIGTERM;
		if ((sig = sigtimedwait(set, NULL, &every)) > 0)
			return sig;
		if (errno != EAGAIN && errno != EINTR)
			return SIGTERM;
		notify_watchdog();
	}
}

static const char serve_usage[] =
	"usage: qcra serve [--config FILE] [--listen ADDR:PORT] [--var DIR] [--workers N]\n"
	"Runs the portal.  Migrates the database first.  Stops gracefully on SIGTERM/SIGINT;\n"
	"on SIGHUP reads tls_cert and tls_key again (HTTPS).\n";

int cli_serve(int argc, char **argv)
{
	struct http_server_conf hc;
	struct http_server *srv = NULL, *cert_srv = NULL;
	struct mail_conf mc;
	struct config cfg;
	struct store *st = NULL;
	struct app app;
	struct jobs_ctx jobs;
	struct worker *jobs_worker = NULL;
	struct anchor_job anchor;
	struct worker *anchor_worker = NULL;
	struct wake *wake = NULL;
	char err[512], maildir[600], mail_from[400], *tls_cert = NULL, *tls_key = NULL;
	char *client_cas = NULL;
	sigset_t set;
	int rc, next, sig, status = 1;

	if ((rc = cli_config(&cfg, argc, argv, 1, serve_usage, &next)) != 0)
		return rc;
	if (next != argc) {
		fputs(serve_usage, stderr);
		return 2;
	}
	/* Signals are taken by sigwait below; threads inherit the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP); /* reload the TLS certificate */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* A file over RLIMIT_FSIZE fails its write (EFBIG, then a 503 page)
	 * instead of ending the process. */
	signal(SIGXFSZ, SIG_IGN);
	statement_global_init(); /* libxml2, once, before any thread */

	if ((st = cli_open_store_new(&cfg)) == NULL)
		return 1;
	if (anchor_start(&anchor, &anchor_worker, st, &cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "qcra: %s\n", err);
		sodium_memzero(anchor.secret, sizeof(anchor.secret));
		store_close(st);
		return 1;
	}
	if (app_init(&app, &cfg, st, err, sizeof(err)) != 0) {
		fprintf(stderr, "qcra: %s\n", err);
		goto out;
	}
	if (app.catalog->brand.demo)
		log_warnx("catalogue: the demo catalogue (demo = 1): invented offices, prices and "
			  "names; set catalog_file for real data");
	doc_set_renderer(render_order_pdf); /* PDFs from qcra-render children */
	snprintf(maildir, sizeof(maildir), "%s/mail", cfg.var_dir);
	memset(&mc, 0, sizeof(mc));
	mc.transport = strcmp(cfg.mail_transport, "smtp") == 0 ? MAIL_SMTP : MAIL_MAILDIR;
	mc.maildir = maildir;
	mc.smtp.url = cfg.smtp_url;
	mc.smtp.starttls = cfg.smtp_starttls;
	mc.smtp.user = cfg.smtp_user;
	mc.smtp.password = cfg.smtp_password;
	mc.smtp.timeout_secs = 30;
	/* Unset, the sender is the chamber the catalogue names. */
	if (cfg.mail_from[0] == '\0')
		snprintf(mail_from, sizeof(mail_from), "%s <noreply@qcra.localhost>",
			 app.catalog->brand.chamber[LANG_SR]);
	else
		snprintf(mail_from, sizeof(mail_from), "%s", cfg.mail_from);
	mc.from = mail_from;
	mc.hostname = "qcra.localhost";
	mc.base_url = cfg.base_url;
	mc.poll_secs = cfg.mail_poll_secs;
	mc.retry_secs = cfg.mail_retry_secs;
	if (mc.transport == MAIL_SMTP && cfg.smtp_url[0] == '\0') {
		fprintf(stderr, "qcra: configuration error: smtp_url: required when "
				"mail_transport is smtp\n");
		goto out;
	}
	if (mc.transport == MAIL_MAILDIR && mkdir(maildir, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "qcra: var: cannot create %s: %s\n", maildir, strerror(errno));
		goto out;
	}
	if ((app.mail = mail_worker_start(st, &mc)) == NULL) {
		fprintf(stderr, "qcra: cannot start the mail worker\n");
		goto out;
	}
	if ((app.ca = ca_worker_start(st, &cfg, err, sizeof(err))) == NULL) {
		fprintf(stderr, "qcra: %s\n", err);
		goto out;
	}
	wake = wake_start(st, &app);
	memset(&hc, 0, sizeof(hc));
	hc.addr = cfg.listen_addr;
	hc.port = cfg.listen_port;
	hc.workers = cfg.workers;
	if (cfg.max_conns_per_addr * 2 > cfg.max_conns) {
		fprintf(stderr,
			"qcra: configuration error: max_connections_per_address: %d leaves "
			"no room for other addresses; at most half of max_connections (%d)\n",
			cfg.max_conns_per_addr, cfg.max_conns);
		goto out;
	}
	open_files_for(&cfg);
	hc.max_conns = (unsigned)cfg.max_conns;
	hc.max_conns_per_addr = (unsigned)cfg.max_conns_per_addr;
	hc.head_secs = (unsigned)cfg.request_head_secs;
	hc.proxy_from = cfg.proxy_protocol_from;
	hc.body_secs = (unsigned)cfg.request_body_secs;
	hc.max_body = cfg.max_form_bytes;
	hc.upload = app_route_upload;
	hc.max_upload = cfg.max_upload_bytes;
	hc.access_log = cfg.access_log;
	hc.app = &app;
	hc.handler = app_handle;
	hc.done = metrics_done;
	if ((app.group = group_start(&app)) == NULL) {
		fprintf(stderr, "qcra: cannot start the commit group thread\n");
		goto out;
	}
	hc.deferrable = group_deferrable;
	hc.defer = group_defer;
	if ((cfg.tls_cert[0] != '\0') != (cfg.tls_key[0] != '\0')) {
		fprintf(stderr,
			"qcra: configuration error: tls_cert and tls_key: give both (HTTPS) "
			"or neither (plain HTTP behind a TLS proxy)\n");
		goto out;
	}
	if (cfg.tls_cert[0] != '\0' &&
	    ((tls_cert = read_pem(cfg.tls_cert, "tls_cert", err, sizeof(err))) == NULL ||
	     (tls_key = read_pem(cfg.tls_key, "tls_key", err, sizeof(err))) == NULL)) {
		fprintf(stderr, "qcra: configuration error: %s\n", err);
		goto out;
	}
	hc.tls_cert_pem = tls_cert;
	hc.tls_key_pem = tls_key;
	if (cfg.cert_login_addr[0] != '\0' &&
	    (client_cas = cert_login_cas(&cfg, err, sizeof(err))) == NULL) {
		fprintf(stderr, "qcra: %s\n", err);
		goto out;
	}
	if ((srv = http_server_start(&hc, err, sizeof(err))) == NULL) {
		fprintf(stderr, "qcra: %s\n", err);
		goto out;
	}
	metrics_set_server(srv);
	if (cfg.cert_login_addr[0] != '\0' &&
	    (cert_srv = cert_login_start(&hc, &cfg, client_cas, err, sizeof(err))) == NULL) {
		fprintf(stderr, "qcra: %s\n", err);
		goto out;
	}
	jobs = (struct jobs_ctx){st, &cfg};
	jobs_worker = worker_start(jobs_pass, &jobs, 0, NULL);
	log_info("qcra listening on %s://%s:%u (var %s, %u workers)", tls_cert ? "https" : "http",
		 cfg.listen_addr, (unsigned)http_server_port(srv), cfg.var_dir, cfg.workers);
	if (cfg.base_url_guessed)
		log_warnx("base_url is not set and %s listens on every address: mailed links "
			  "point at %s; set base_url to the address members open",
			  cfg.listen_addr, cfg.base_url);
	notify_ready(); /* systemd (Type=notify): listening */
	while ((sig = wait_signal(&set)) == SIGHUP)
		tls_reload(srv, &cfg);
	notify_stopping();
	log_info("qcra: signal %d, finishing in-flight requests", sig);
	status = 0;
out:
	group_stop(app.group);
	http_server_stop(cert_srv, 10); /* before srv: it serves srv's certificate */
	http_server_stop(srv, 10);
	free(client_cas);
	group_free(app.group);
	wake_stop(wake); /* before the workers it kicks */
	ca_worker_stop(app.ca);
	worker_stop(jobs_worker);
	if (jobs_worker != NULL) /* its lease back: the next start takes it at once */
		store_task_release(st, "expiry");
	mail_worker_stop(app.mail);
	worker_stop(anchor_worker); /* a last pass: the head at shutdown */
	sodium_memzero(anchor.secret, sizeof(anchor.secret));
	render_stop();
	free(tls_cert);
	free_key_pem(tls_key);
	app_free(&app);
	store_close(st);
	if (status == 0)
		log_info("qcra: stopped");
	return status;
}
