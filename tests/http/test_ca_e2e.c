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
#include "app/jobs.h"
#include "app/reminders.h"
#include "journey.h"
#include "store/store.h"
#include "store/store_ca.h"

#include "ca_stack.h"

/* The expiry reminders of order id's certificate: 60, 30 and 7 days
 * before, each once (the job run as the server's worker runs it, at
 * chosen times). */
static void reminders_are_sent_once(struct stack *f, long long id)
{
	struct store *st = stack_db(f);
	struct config cfg;
	char err[256];
	time_t until = (time_t)stack_int(f,
					 "SELECT not_after FROM ca_certificates WHERE "
					 "order_id = ?1",
					 id);
	const char *count = "SELECT COUNT(*) FROM outbox WHERE subject = 'mail.cert_expiry'";
	long long before = stack_int(f, count, 0);

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
	assert_int_equal(stack_int(f, count, 0) - before, 3);
}

/* Waits until the portal's outbox has delivered everything queued. */
static void outbox_drained(struct stack *f)
{
	long long n = 1;
	int i;

	for (i = 0; i < WAIT_SECS * 10 && n > 0; i++) {
		struct store *st = stack_db(f);

		assert_int_equal(store_outbox_pending(st, &n), STORE_OK);
		store_close(st);
		if (n > 0)
			usleep(100 * 1000);
	}
	assert_int_equal(n, 0);
}

/* The newest mail to Žarko, once the outbox is drained: `more` mails
 * after `*count`, the newest containing text (the account's language). */
static void mailed(struct stack *f, size_t *count, size_t more, const char *text)
{
	char *eml;

	outbox_drained(f);
	assert_int_equal(mail_count_to(&f->s, JOURNEY_ZARKO_MAIL), *count + more);
	*count += more;
	eml = mail_latest_to(&f->s, JOURNEY_ZARKO_MAIL);
	assert_non_null(eml);
	if (strstr(eml, text) == NULL)
		fprintf(stderr, "mail lacks \"%s\":\n%s\n", text, eml);
	assert_non_null(strstr(eml, text));
	free(eml);
}

/* ---- Tests ------------------------------------------------------------------------------ */

static void test_order_goes_through_the_ca_to_handover_and_revocation(void **state)
{
	struct stack *f = *state;
	char pem[PATH_MAX + 16], der[PATH_MAX + 16], action[64], *ref, *disp;
	struct buf out = BUF_INIT;
	long long id;
	FILE *fp;
	int i, revoked = 0;
	size_t sent;

	stack_ca_start(f);
	id = stack_order_verified(f);
	assert_int_equal(stack_post(f, &f->ns, stack_path(id, "send"), NULL), 303);
	/* The CA made the card at once; the portal records it. */
	stack_wait_state(f, id, "issued");
	assert_int_equal(
		stack_int(f, "SELECT COUNT(*) FROM ca_certificates WHERE order_id = ?1", id), 1);
	ref = stack_shipment_of(f, id);
	assert_non_null(ref);
	assert_int_equal(stack_post(f, &f->ns, "/ra/shipments/receive", "shipment", ref, NULL),
			 303);
	free(ref);
	assert_string_equal(stack_state(f, id), "at_office");
	/* No certificate for the member before the handover. */
	assert_int_equal(stack_get(f, &f->member, "/orders/%lld/certificate.pem", id), 404);
	assert_int_equal(stack_post(f, &f->ns, stack_path(id, "hand-over"), "id_number",
				    ZARKO_ID_CARD, "confirm", "1", NULL),
			 303);
	assert_string_equal(stack_state(f, id), "handed_over");

	/* The member sees the certificate on the order page... */
	assert_int_equal(stack_get(f, &f->member, "/orders/%lld", id), 200);
	stack_body_has(f, "id=\"certificate\"");
	/* ...its holder by name, not as the certificate's DN (issue 15)... */
	stack_body_has(f, "Imalac sertifikata</th><td>\xc5\xbd"
			  "arko \xc4\x90ura\xc5\xa1kovi\xc4\x87</td>");
	assert_null(strstr(buf_cstr(&f->r.body), "serialNumber=PNORS-1203978711237"));
	stack_body_has(f, "certificate.pem");
	stack_body_has(f, "Va\xc5\xbe"
			  "e\xc4\x87i"); /* Važeći */

	/* ... downloads it: a certificate, never a key ... */
	assert_int_equal(stack_get(f, &f->member, "/orders/%lld/certificate.pem", id), 200);
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
	assert_int_equal(stack_sh(&out, "openssl x509 -in '%s' -noout -subject", pem), 0);
	assert_non_null(strstr(buf_cstr(&out), "PNORS-1203978711237"));
	assert_int_equal(
		stack_sh(&out,
			 "openssl verify -CAfile '%s/root.pem' -untrusted '%s/issuing.pem' "
			 "'%s'",
			 f->cadir, f->cadir, pem),
		0);
	assert_non_null(strstr(buf_cstr(&out), ": OK"));
	assert_int_equal(stack_get(f, &f->member, "/orders/%lld/certificate.der", id), 200);
	snprintf(der, sizeof(der), "%s/cert.der", f->s.var);
	fp = fopen(der, "wb");
	assert_non_null(fp);
	fwrite(f->r.body.data, 1, f->r.body.len, fp);
	fclose(fp);
	assert_int_equal(stack_sh(&out, "openssl x509 -inform DER -in '%s' -noout -serial", der),
			 0);
	/* The office downloads the same certificate from its page. */
	assert_int_equal(stack_get(f, &f->ns, "%s", stack_path(id, "certificate")), 200);
	/* Its revocation reasons speak of the holder, not as the holder. */
	assert_null(strstr(BODY(f), "Moji podaci"));
	assert_null(strstr(BODY(f), "nije mi potreban"));
	assert_null(strstr(BODY(f), "mi vi\xc5\xa1"
				    "e nije potreban"));
	stack_body_has(f, "Podaci imaoca");
	snprintf(action, sizeof(action), "/ra/orders/%lld/certificate.pem\"", id);
	stack_body_has(f, action);
	snprintf(action, sizeof(action), "/ra/orders/%lld/certificate.der\"", id);
	stack_body_has(f, action);
	assert_int_equal(stack_get(f, &f->ns, "%s", stack_path(id, "certificate.pem")), 200);
	{
		char *mine = file_read(pem, NULL);

		assert_non_null(mine);
		assert_string_equal(BODY(f), mine);
		free(mine);
	}
	assert_int_equal(stack_get(f, &f->ns, "%s", stack_path(id, "certificate.der")), 200);
	disp = response_header(&f->r, "Content-Type");
	assert_non_null(disp);
	assert_string_equal(disp, "application/pkix-cert");
	free(disp);
	assert_int_equal(
		stack_int(f,
			  "SELECT COUNT(*) FROM audit_log WHERE action = 'ra.cert_download' "
			  "AND object = 'order:' || ?1",
			  id),
		2);

	/* Another member: 404, as for an order that does not exist. */
	{
		struct client ana;

		assert_int_equal(client_init(&ana, &f->s), 0);
		journey_member(&f->s, &ana, &demo_ana, "anap", PW);
		assert_int_equal(stack_get(f, &ana, "/orders/%lld/certificate.pem", id), 404);
		assert_int_equal(stack_get(f, &ana, "/orders/%lld/certificate.der", id), 404);
		assert_int_equal(stack_get(f, &ana, "/certificates/renew/%lld", id), 404);
		snprintf(action, sizeof(action), "/orders/%lld/revoke", id);
		assert_int_equal(stack_post(f, &ana, action, "reason", "keyCompromise", NULL), 404);
		client_free(&ana);
	}

	/* Renewal: a new order's form, prefilled from this one. */
	assert_int_equal(stack_get(f, &f->member, "/certificates/renew/%lld", id), 200);
	stack_body_has(f, "action=\"/certificates/new/natural\"");
	ref = form_field_value(BODY(f), "id_number");
	assert_non_null(ref);
	assert_string_equal(ref, ZARKO_ID_CARD);
	free(ref);
	assert_int_equal(stack_get(f, &f->ns, "/certificates/renew/%lld", id),
			 303); /* members only */

	/* The reminders in the account's language: Žarko reads mail in
	 * English now (each reminder once: reminders_are_sent_once). */
	outbox_drained(f);
	sent = mail_count_to(&f->s, JOURNEY_ZARKO_MAIL);
	assert_int_equal(stack_post(f, &f->member, "/account/lang", "lang", "en", NULL), 303);
	reminders_are_sent_once(f, id);
	mailed(f, &sent, 3, "Your qualified certificate expires in");
	assert_int_equal(stack_post(f, &f->member, "/account/lang", "lang", "sr", NULL), 303);

	/* Revocation: the member asks, the state shows, the operator
	 * confirms, the CA revokes. */
	snprintf(action, sizeof(action), "/orders/%lld/revoke", id);
	assert_int_equal(stack_post(f, &f->member, action, "reason", "no-such-reason", NULL), 422);
	assert_int_equal(stack_post(f, &f->member, action, "reason", "keyCompromise", NULL), 303);
	/* Asked once: a second request changes nothing. */
	assert_int_equal(stack_post(f, &f->member, action, "reason", "keyCompromise", NULL), 409);
	assert_int_equal(stack_get(f, &f->member, "/orders/%lld", id), 200);
	stack_body_has(f, "Zatra\xc5\xbe"
			  "eno opozivanje");
	assert_int_equal(stack_get(f, &f->ns, "%s", stack_path(id, "certificate")), 200);
	stack_body_has(f, "/ra/orders/");
	/* Asked first: nothing confirmed, nothing queued for the CA. */
	assert_int_equal(
		stack_post(f, &f->ns, stack_path(id, "revoke"), "reason", "keyCompromise", NULL),
		200);
	stack_body_has(f, "<input type=\"hidden\" name=\"confirm\" value=\"1\">");
	stack_body_has(f, "<input type=\"hidden\" name=\"reason\" value=\"keyCompromise\">");
	assert_int_equal(
		stack_int(f, "SELECT confirmed_at FROM ca_revocations WHERE order_id = ?1", id), 0);
	assert_int_equal(stack_int(f,
				   "SELECT COUNT(*) FROM ca_outbox WHERE order_id = ?1 AND "
				   "kind = 'revoke'",
				   id),
			 0);
	assert_int_equal(stack_post(f, &f->ns, stack_path(id, "revoke"), "reason", "keyCompromise",
				    "confirm", "1", NULL),
			 303);
	for (i = 0; i < WAIT_SECS * 2 && !revoked; i++) {
		stack_sh(&out,
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
		assert_int_equal(stack_get(f, &f->member, "/orders/%lld", id), 200);
		if (strstr(BODY(f), "Opozvan") != NULL)
			break;
		usleep(200 * 1000);
	}
	stack_body_has(f, "Opozvan");
	assert_null(strstr(BODY(f), "action=\"/orders/"));
	/* ... and gets one mail saying so, in the transaction that recorded
	 * it (later syncs send no other). */
	assert_int_equal(stack_int(f,
				   "SELECT COUNT(*) FROM outbox WHERE order_id = ?1 AND subject = "
				   "'mail.cert_revoked'",
				   id),
			 1);
	/* ... delivered once, in the account's language (Serbian again). */
	mailed(f, &sent, 1, "opozvalo kvalifikovani sertifikat");
	buf_free(&out);
}

/* The registrations the CA service holds for order id (its ca.db). */
static int ca_registrations(struct stack *f, long long id)
{
	char path[PATH_MAX + 16], order_id[24];
	sqlite3 *db;
	sqlite3_stmt *s;
	int n;

	snprintf(path, sizeof(path), "%s/ca.db", f->cadir);
	snprintf(order_id, sizeof(order_id), "%lld", id);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	assert_int_equal(
		sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM registrations WHERE order_id = ?1", -1,
				   &s, NULL),
		SQLITE_OK);
	sqlite3_bind_text(s, 1, order_id, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

static void test_ca_down_at_send_queues_the_order_and_it_goes_once(void **state)
{
	struct stack *f = *state;
	long long id = stack_order_verified(f);

	/* The CA is not running: the send succeeds, the order waits. */
	assert_int_equal(stack_post(f, &f->ns, stack_path(id, "send"), NULL), 303);
	assert_string_equal(stack_state(f, id), "sent_to_ca");
	assert_int_equal(stack_int(f,
				   "SELECT COUNT(*) FROM ca_outbox WHERE order_id = ?1 AND "
				   "kind = 'submit' AND done_at = 0",
				   id),
			 1);
	sleep(2); /* a few retries against the closed port */
	assert_string_equal(stack_state(f, id), "sent_to_ca");
	assert_int_equal(stack_get(f, &f->ns, "%s", stack_path(id, "certificate")), 200);
	stack_body_has(f, "ponavlja se automatski");

	/* The CA is back: the queue delivers, the order is issued. */
	stack_ca_start(f);
	stack_wait_state(f, id, "issued");
	assert_int_equal(stack_int(f,
				   "SELECT COUNT(*) FROM ca_outbox WHERE order_id = ?1 AND "
				   "done_at <> 0 AND refused = 0",
				   id),
			 1);
	/* Once: one registration at the CA, one delivery in the audit log. */
	assert_int_equal(ca_registrations(f, id), 1);
	assert_int_equal(stack_int(f,
				   "SELECT COUNT(*) FROM audit_log WHERE action = 'ca.submit' "
				   "AND outcome = 'ok' AND object = 'order:' || ?1",
				   id),
			 1);
}

/* A submission the portal holds as delivered that the CA does not know
 * (lost at the CA: a restore from an older backup) is sent again when
 * the portal asks the CA about its waiting orders, and the order goes
 * on to "issued": it does not wait at "sent to the CA" for ever. */
static void test_submission_lost_at_the_ca_is_sent_again(void **state)
{
	struct stack *f = *state;
	long long id = stack_order_verified(f);
	struct store *st;
	struct ca_job j;

	assert_int_equal(stack_post(f, &f->ns, stack_path(id, "send"), NULL), 303);
	assert_string_equal(stack_state(f, id), "sent_to_ca");
	/* The portal believes it delivered; the CA never saw it. */
	st = stack_db(f);
	assert_int_equal(store_ca_job_get(st, id, CA_JOB_SUBMIT, &j), STORE_OK);
	assert_int_equal(store_ca_job_done(st, j.id, time(NULL), 0, ""), STORE_OK);
	store_close(st);
	stack_ca_start(f);
	stack_wait_state(f, id, "issued");
	assert_int_equal(ca_registrations(f, id), 1);
	assert_int_equal(stack_int(f,
				   "SELECT COUNT(*) FROM ca_outbox WHERE order_id = ?1 AND "
				   "done_at <> 0 AND refused = 0",
				   id),
			 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_order_goes_through_the_ca_to_handover_and_revocation, stack_setup,
			stack_teardown),
		cmocka_unit_test_setup_teardown(
			test_ca_down_at_send_queues_the_order_and_it_goes_once, stack_setup,
			stack_teardown),
		cmocka_unit_test_setup_teardown(test_submission_lost_at_the_ca_is_sent_again,
						stack_setup, stack_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
