/*
 * The portal and the real CA service end to end (issue 5, the portal
 * side): `qcra ca init` and `qcra ca serve` on free ports in the test's
 * var directory, the portal with ca_connector = service, and an order
 * driven from confirmation to handover through the CA; then the member
 * downloads the certificate (openssl x509 parses it, openssl verify
 * validates the chain), asks for its revocation, the operator confirms
 * and `openssl ocsp` against the CA's public port reports it revoked.
 * And a CA that is down when the operator sends: the order waits in the
 * queue and goes, once, when the CA is back.
 *
 * Payments belong to another area; as in test_ra_orders.c a payment is
 * recorded the way that area will (jobs_order_apply, event payment).
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "core/totp.h"
#include "harness.h"
#include "harness_extra.h"
#include "core/config.h"
#include "core/i18n.h"
#include "jobs/jobs.h"
#include "jobs/reminders.h"
#include "journey.h"
#include "store/store.h"

#define PW "Tri ma\xc4\x8dke spavaju na krovu"
#define ZARKO_MAIL JOURNEY_ZARKO_MAIL
#define ZARKO_ID_CARD JOURNEY_ZARKO_ID_CARD
#define WAIT_SECS 60

struct fx {
	struct server s;
	struct client member;
	struct client ns; /* operator, office NS */
	struct response r;
	struct buf out;
	char tmp[64]; /* the CA's directory's parent (mkdtemp) */
	char cadir[PATH_MAX];
	int tls_port, pub_port;
	pid_t ca; /* the CA service, 0 when not running */
};

#define BODY(f) buf_cstr(&(f)->r.body)

/* ---- The CA service ------------------------------------------------------------ */

/* Runs a shell command line; its stdout into out (may be NULL).
 * Returns the exit status. */
static int sh(struct buf *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int sh(struct buf *out, const char *fmt, ...)
{
	struct buf cmd = BUF_INIT;
	char chunk[4096];
	va_list ap;
	size_t n;
	FILE *p;
	int st;

	va_start(ap, fmt);
	buf_vprintf(&cmd, fmt, ap);
	va_end(ap);
	p = popen(buf_cstr(&cmd), "r");
	buf_free(&cmd);
	if (p == NULL)
		return -1;
	if (out != NULL)
		buf_reset(out);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		if (out != NULL)
			buf_append(out, chunk, n);
	if (out != NULL)
		buf_cstr(out);
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int port_open(int port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

/* `qcra ca serve` on the test's ports; waits until both listen. */
static void ca_start(struct fx *f)
{
	const char *bin = getenv("QCRA_BIN");
	char log[PATH_MAX + 16];
	int i;

	snprintf(log, sizeof(log), "%s/ca.log", f->tmp);
	f->ca = fork();
	assert_true(f->ca >= 0);
	if (f->ca == 0) {
		if (freopen(log, "a", stderr) == NULL || freopen(log, "a", stdout) == NULL)
			_exit(126);
		execl(bin, bin, "ca", "serve", "--dir", f->cadir, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 200; i++) {
		if (port_open(f->tls_port) && port_open(f->pub_port))
			return;
		usleep(50 * 1000);
	}
	fail_msg("the CA service did not start (see %s)", log);
}

static void ca_stop(struct fx *f)
{
	int st;

	if (f->ca > 0) {
		kill(f->ca, SIGTERM);
		waitpid(f->ca, &st, 0);
		f->ca = 0;
	}
}

/* ---- Setup ------------------------------------------------------------------------ */

/* An operator of office, logged in with TOTP (journey_staff). */
static void staff_login(struct fx *f, struct client *c, const char *username, const char *office)
{
	assert_int_equal(client_init(c, &f->s), 0);
	journey_staff(&f->s, c, username, "operator", office, PW, NULL, 0);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	const char *bin = getenv("QCRA_BIN");
	char url[64], cert[PATH_MAX + 32], key[PATH_MAX + 32], cacert[PATH_MAX + 32];
	const char *env[] = {"QCRA_CA_CONNECTOR=service", url, cert, key, cacert,
			     "QCRA_CA_POLL_SECONDS=1",    NULL};

	if (f == NULL || bin == NULL) {
		free(f);
		return -1;
	}
	snprintf(f->tmp, sizeof(f->tmp), "/tmp/qcra-ca-e2e-XXXXXX");
	if (mkdtemp(f->tmp) == NULL) {
		free(f);
		return -1;
	}
	snprintf(f->cadir, sizeof(f->cadir), "%s/ca", f->tmp);
	f->tls_port = free_tcp_port();
	f->pub_port = free_tcp_port();
	if (sh(NULL,
	       "'%s' ca init --dir '%s' --listen 127.0.0.1:%d --public-listen 127.0.0.1:%d "
	       "--public-url http://127.0.0.1:%d >&2",
	       bin, f->cadir, f->tls_port, f->pub_port, f->pub_port) != 0)
		goto fail;
	snprintf(url, sizeof(url), "QCRA_CA_URL=https://127.0.0.1:%d", f->tls_port);
	snprintf(cert, sizeof(cert), "QCRA_CA_CERT=%s/ra/ra.pem", f->cadir);
	snprintf(key, sizeof(key), "QCRA_CA_KEY=%s/ra/ra.key", f->cadir);
	snprintf(cacert, sizeof(cacert), "QCRA_CA_CACERT=%s/ra/ca.pem", f->cadir);
	if (journey_server(&f->s, env) != 0 || client_init(&f->member, &f->s) != 0)
		goto fail;
	*state = f;
	journey_member(&f->s, &f->member, &demo_zarko, "zdjuras", PW);
	staff_login(f, &f->ns, "ns1", "NS");
	return 0;
fail:
	server_cleanup(&f->s);
	sh(NULL, "rm -rf '%s'", f->tmp);
	free(f);
	return -1;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	ca_stop(f);
	response_free(&f->r);
	buf_free(&f->out);
	client_free(&f->member);
	client_free(&f->ns);
	server_cleanup(&f->s);
	if (getenv("QCRA_TEST_KEEP") == NULL)
		sh(NULL, "rm -rf '%s'", f->tmp);
	else
		fprintf(stderr, "kept the CA in %s\n", f->tmp);
	free(f);
	return 0;
}

/* ---- Requests ---------------------------------------------------------------------- */

static long get(struct fx *f, struct client *c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static long get(struct fx *f, struct client *c, const char *fmt, ...)
{
	va_list ap;
	long status;

	va_start(ap, fmt);
	status = journey_vgetf(c, &f->r, fmt, ap);
	va_end(ap);
	return status;
}

/* POSTs the name, value pairs with the CSRF token of c's session. */
static long post(struct fx *f, struct client *c, const char *action, ...) __attribute__((sentinel));
static long post(struct fx *f, struct client *c, const char *action, ...)
{
	va_list ap;
	long status;

	va_start(ap, action);
	status = journey_vpost(c, action, &f->r, ap);
	va_end(ap);
	return status;
}

static const char *ra_path(long long id, const char *what)
{
	static char path[96];

	snprintf(path, sizeof(path), "/ra/orders/%lld/%s", id, what);
	return path;
}

static void assert_body_has(struct fx *f, const char *text)
{
	if (strstr(BODY(f), text) == NULL)
		fprintf(stderr, "page lacks \"%s\":\n%s\n", text, BODY(f));
	assert_non_null(strstr(BODY(f), text));
}

/* ---- The portal's database ------------------------------------------------------- */

/* The single integer a query gives on the database at path (-1: no row). */
static long long db_int(const char *path, const char *sql, long long arg)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	long long v = -1;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_int64(s, 1, arg);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

static long long portal_int(struct fx *f, const char *sql, long long arg)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/qcra.db", f->s.var);
	return db_int(path, sql, arg);
}

static struct store *db_open(struct fx *f)
{
	return journey_db(&f->s);
}

static const char *state_of(struct fx *f, long long id)
{
	static char state[32];
	struct store *st = db_open(f);
	struct order o;

	assert_int_equal(store_order_get(st, id, &o), STORE_OK);
	store_close(st);
	snprintf(state, sizeof(state), "%s", o.state);
	return state;
}

/* Waits until order id is in state want (WAIT_SECS). */
static void wait_state(struct fx *f, long long id, const char *want)
{
	int i;

	for (i = 0; i < WAIT_SECS * 5; i++) {
		if (strcmp(state_of(f, id), want) == 0)
			return;
		usleep(200 * 1000);
	}
	server_log_tail(&f->s, 40);
	fail_msg("order %lld is %s, not %s", id, state_of(f, id), want);
}

static void pay(struct fx *f, long long id)
{
	struct store *st = db_open(f);
	struct order o;

	assert_int_equal(store_order_get(st, id, &o), STORE_OK);
	assert_int_equal(store_begin(st), STORE_OK);
	assert_int_equal(jobs_order_apply(st, &o, WF_EV_PAYMENT, WF_SYSTEM, "test:payments",
					  "payment recorded (test stand-in)", time(NULL)),
			 STORE_OK);
	assert_int_equal(store_commit(st), STORE_OK);
	store_close(st);
}

/* ---- The order ------------------------------------------------------------------------- */

/* Žarko's confirmed natural-person order at NS, brought to "verified". */
static long long order_verified(struct fx *f)
{
	long long id = journey_order(&f->member, &f->r, "NS", NULL, NULL);

	assert_int_equal(post(f, &f->ns, ra_path(id, "documents"), "doc_request", "1",
			      "doc_contract", "1", "doc_0", "1", NULL),
			 303);
	pay(f, id);
	assert_int_equal(post(f, &f->ns, ra_path(id, "verify"), "identity_checked", "1", NULL),
			 303);
	assert_string_equal(state_of(f, id), "verified");
	return id;
}

/* The shipment holding order id, from the office's shipments page. */
static char *shipment_of(struct fx *f, long long id)
{
	char link[64];
	const char *at, *form;

	assert_int_equal(get(f, &f->ns, "/ra/shipments"), 200);
	snprintf(link, sizeof(link), "/ra/orders/%lld\"", id);
	at = strstr(BODY(f), link);
	if (at == NULL)
		fprintf(stderr, "no shipment holds order %lld:\n%s\n", id, BODY(f));
	assert_non_null(at);
	form = strstr(at, "name=\"shipment\"");
	assert_non_null(form);
	/* The hidden input of the shipment that lists the order. */
	while (form > BODY(f) && strncmp(form, "<input", 6) != 0)
		form--;
	return form_field_value(form, "shipment");
}

/* The expiry reminders of order id's certificate: 60, 30 and 7 days
 * before, each once (the job run as the server's worker runs it, at
 * chosen times). */
static void reminders_are_sent_once(struct fx *f, long long id)
{
	struct store *st = db_open(f);
	struct config cfg;
	char err[256];
	time_t until = (time_t)portal_int(f,
					  "SELECT not_after FROM ca_certificates WHERE "
					  "order_id = ?1",
					  id);
	const char *count = "SELECT COUNT(*) FROM outbox WHERE subject LIKE '%ist%e za%'";
	long long before = portal_int(f, count, 0);

	assert_true(until > time(NULL));
	assert_int_equal(i18n_load(err, sizeof(err)), 0);
	config_defaults(&cfg);
	assert_int_equal(jobs_cert_reminders(st, &cfg, until - 61 * 86400), 0);
	assert_int_equal(jobs_cert_reminders(st, &cfg, until - 59 * 86400), 1);
	assert_int_equal(jobs_cert_reminders(st, &cfg, until - 58 * 86400), 0);
	assert_int_equal(jobs_cert_reminders(st, &cfg, until - 29 * 86400), 1);
	assert_int_equal(jobs_cert_reminders(st, &cfg, until - 6 * 86400), 1);
	assert_int_equal(jobs_cert_reminders(st, &cfg, until - 1 * 86400), 0);
	store_close(st);
	i18n_free();
	assert_int_equal(portal_int(f, count, 0) - before, 3);
}

/* ---- Tests ------------------------------------------------------------------------------ */

static void test_order_goes_through_the_ca_to_handover_and_revocation(void **state)
{
	struct fx *f = *state;
	char pem[PATH_MAX + 16], der[PATH_MAX + 16], action[64], *ref, *disp;
	struct buf out = BUF_INIT;
	long long id;
	FILE *fp;
	int i, revoked = 0;

	ca_start(f);
	id = order_verified(f);
	assert_int_equal(post(f, &f->ns, ra_path(id, "send"), NULL), 303);
	/* The CA made the card at once; the portal records it. */
	wait_state(f, id, "issued");
	assert_int_equal(
		portal_int(f, "SELECT COUNT(*) FROM ca_certificates WHERE order_id = ?1", id), 1);
	ref = shipment_of(f, id);
	assert_non_null(ref);
	assert_int_equal(post(f, &f->ns, "/ra/shipments/receive", "shipment", ref, NULL), 303);
	free(ref);
	assert_string_equal(state_of(f, id), "at_office");
	/* No certificate for the member before the handover. */
	assert_int_equal(get(f, &f->member, "/orders/%lld/certificate.pem", id), 404);
	assert_int_equal(
		post(f, &f->ns, ra_path(id, "hand-over"), "id_number", ZARKO_ID_CARD, NULL), 303);
	assert_string_equal(state_of(f, id), "handed_over");

	/* The member sees the certificate on the order page... */
	assert_int_equal(get(f, &f->member, "/orders/%lld", id), 200);
	assert_body_has(f, "id=\"certificate\"");
	assert_body_has(f, "serialNumber=PNORS-1203978711237");
	assert_body_has(f, "certificate.pem");
	assert_body_has(f, "Va\xc5\xbe"
			   "e\xc4\x87i"); /* Važeći */

	/* ... downloads it: a certificate, never a key ... */
	assert_int_equal(get(f, &f->member, "/orders/%lld/certificate.pem", id), 200);
	assert_non_null(strstr(BODY(f), "-----BEGIN CERTIFICATE-----"));
	assert_null(strstr(BODY(f), "PRIVATE KEY"));
	disp = response_header(&f->r, "Content-Disposition");
	assert_non_null(disp);
	assert_non_null(strstr(disp, "attachment"));
	free(disp);
	snprintf(pem, sizeof(pem), "%s/cert.pem", f->s.var);
	fp = fopen(pem, "w");
	assert_non_null(fp);
	fputs(BODY(f), fp);
	fclose(fp);
	assert_int_equal(sh(&out, "openssl x509 -in '%s' -noout -subject", pem), 0);
	assert_non_null(strstr(buf_cstr(&out), "PNORS-1203978711237"));
	assert_int_equal(sh(&out,
			    "openssl verify -CAfile '%s/root.pem' -untrusted '%s/issuing.pem' "
			    "'%s'",
			    f->cadir, f->cadir, pem),
			 0);
	assert_non_null(strstr(buf_cstr(&out), ": OK"));
	assert_int_equal(get(f, &f->member, "/orders/%lld/certificate.der", id), 200);
	snprintf(der, sizeof(der), "%s/cert.der", f->s.var);
	fp = fopen(der, "wb");
	assert_non_null(fp);
	fwrite(f->r.body.data, 1, f->r.body.len, fp);
	fclose(fp);
	assert_int_equal(sh(&out, "openssl x509 -inform DER -in '%s' -noout -serial", der), 0);

	/* Another member: 404, as for an order that does not exist. */
	{
		struct client ana;

		assert_int_equal(client_init(&ana, &f->s), 0);
		journey_member(&f->s, &ana, &demo_ana, "anap", PW);
		assert_int_equal(get(f, &ana, "/orders/%lld/certificate.pem", id), 404);
		assert_int_equal(get(f, &ana, "/orders/%lld/certificate.der", id), 404);
		assert_int_equal(get(f, &ana, "/certificates/renew/%lld", id), 404);
		snprintf(action, sizeof(action), "/orders/%lld/revoke", id);
		assert_int_equal(post(f, &ana, action, "reason", "keyCompromise", NULL), 404);
		client_free(&ana);
	}

	/* Renewal: a new order's form, prefilled from this one. */
	assert_int_equal(get(f, &f->member, "/certificates/renew/%lld", id), 200);
	assert_body_has(f, "action=\"/certificates/new/natural\"");
	ref = form_field_value(BODY(f), "id_number");
	assert_non_null(ref);
	assert_string_equal(ref, ZARKO_ID_CARD);
	free(ref);
	assert_int_equal(get(f, &f->ns, "/certificates/renew/%lld", id), 303); /* members only */

	reminders_are_sent_once(f, id);

	/* Revocation: the member asks, the state shows, the operator
	 * confirms, the CA revokes. */
	snprintf(action, sizeof(action), "/orders/%lld/revoke", id);
	assert_int_equal(post(f, &f->member, action, "reason", "no-such-reason", NULL), 422);
	assert_int_equal(post(f, &f->member, action, "reason", "keyCompromise", NULL), 303);
	/* Asked once: a second request changes nothing. */
	assert_int_equal(post(f, &f->member, action, "reason", "keyCompromise", NULL), 409);
	assert_int_equal(get(f, &f->member, "/orders/%lld", id), 200);
	assert_body_has(f, "Zatra\xc5\xbe"
			   "eno opozivanje");
	assert_int_equal(get(f, &f->ns, "%s", ra_path(id, "certificate")), 200);
	assert_body_has(f, "/ra/orders/");
	assert_int_equal(post(f, &f->ns, ra_path(id, "revoke"), "reason", "keyCompromise", NULL),
			 303);
	for (i = 0; i < WAIT_SECS * 2 && !revoked; i++) {
		sh(&out,
		   "openssl ocsp -issuer '%s/issuing.pem' -cert '%s' -CAfile '%s/root.pem' "
		   "-url http://127.0.0.1:%d/ocsp 2>&1",
		   f->cadir, pem, f->cadir, f->pub_port);
		revoked = strstr(buf_cstr(&out), ": revoked") != NULL;
		if (!revoked)
			usleep(500 * 1000);
	}
	if (!revoked)
		fprintf(stderr, "ocsp: %s\n", buf_cstr(&out));
	assert_true(revoked);
	/* The member sees it revoked once the portal heard back. */
	for (i = 0; i < WAIT_SECS * 5; i++) {
		assert_int_equal(get(f, &f->member, "/orders/%lld", id), 200);
		if (strstr(BODY(f), "Opozvan") != NULL)
			break;
		usleep(200 * 1000);
	}
	assert_body_has(f, "Opozvan");
	assert_null(strstr(BODY(f), "action=\"/orders/"));
	/* ... and gets one mail saying so, in the transaction that recorded
	 * it (later syncs send no other). */
	assert_int_equal(portal_int(f,
				    "SELECT COUNT(*) FROM outbox WHERE recipient = '" ZARKO_MAIL
				    "' AND subject LIKE '%opozvan (zahtev br. ' || ?1 || ')'",
				    id),
			 1);
	buf_free(&out);
}

static void test_ca_down_at_send_queues_the_order_and_it_goes_once(void **state)
{
	struct fx *f = *state;
	long long id = order_verified(f);
	char path[PATH_MAX + 16], order_id[24];

	/* The CA is not running: the send succeeds, the order waits. */
	assert_int_equal(post(f, &f->ns, ra_path(id, "send"), NULL), 303);
	assert_string_equal(state_of(f, id), "sent_to_ca");
	assert_int_equal(portal_int(f,
				    "SELECT COUNT(*) FROM ca_outbox WHERE order_id = ?1 AND "
				    "kind = 'submit' AND done_at = 0",
				    id),
			 1);
	sleep(2); /* a few retries against the closed port */
	assert_string_equal(state_of(f, id), "sent_to_ca");
	assert_int_equal(get(f, &f->ns, "%s", ra_path(id, "certificate")), 200);
	assert_body_has(f, "ponavlja se automatski");

	/* The CA is back: the queue delivers, the order is issued. */
	ca_start(f);
	wait_state(f, id, "issued");
	assert_int_equal(portal_int(f,
				    "SELECT COUNT(*) FROM ca_outbox WHERE order_id = ?1 AND "
				    "done_at <> 0 AND refused = 0",
				    id),
			 1);
	/* Once: one registration at the CA, one delivery in the audit log. */
	snprintf(path, sizeof(path), "%s/ca.db", f->cadir);
	snprintf(order_id, sizeof(order_id), "%lld", id);
	{
		sqlite3 *db;
		sqlite3_stmt *s;

		assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
		sqlite3_busy_timeout(db, 5000);
		assert_int_equal(sqlite3_prepare_v2(db,
						    "SELECT COUNT(*) FROM registrations WHERE "
						    "order_id = ?1",
						    -1, &s, NULL),
				 SQLITE_OK);
		sqlite3_bind_text(s, 1, order_id, -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(s, 0), 1);
		sqlite3_finalize(s);
		sqlite3_close(db);
	}
	assert_int_equal(portal_int(f,
				    "SELECT COUNT(*) FROM audit_log WHERE action = 'ca.submit' "
				    "AND outcome = 'ok' AND object = 'order:' || ?1",
				    id),
			 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_order_goes_through_the_ca_to_handover_and_revocation, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_ca_down_at_send_queues_the_order_and_it_goes_once, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
