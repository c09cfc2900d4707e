/*
 * Work outside a request (src/jobs): transitions by the system and the
 * CA with their history and audit entries, the expiry of orders not
 * completed in time, and the TEST CA connector those jobs drive
 * (idempotent submission, failure switch, issue, revocation).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "connector/caservice.h"
#include "connector/connector.h"
#include "core/i18n.h"
#include "app/jobs.h"
#include "app/testca.h"
#include "mail/mail.h"
#include "store/store.h"
#include "store/store_ca.h"
#include "store/store_office.h"
#include "store/store_int.h" /* a second instance named as another host's */

#include "store_db.h"

#define DAY (24 * 3600)

struct fx {
	char dir[64];
	char path[512];
	struct store *st;
	struct config cfg;
	long long account;
	time_t now;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct member m = {0}, got;
	struct account a = {0};
	enum member_upsert up;
	char err[256];

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/qcra-expire-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	store_fx_target(f->path, sizeof(f->path), f->dir, "t.db");
	assert_int_equal(store_open(&f->st, f->path, err, sizeof(err)), STORE_OK);
	assert_int_equal(store_migrate(f->st, NULL, err, sizeof(err)), STORE_OK);
	assert_int_equal(i18n_load(err, sizeof(err)), 0);
	config_defaults(&f->cfg);
	snprintf(f->cfg.base_url, sizeof(f->cfg.base_url), "https://portal.example");
	/* The test CA is never a default: chosen here, as a test does. */
	assert_string_equal(f->cfg.ca_connector, "");
	snprintf(f->cfg.ca_connector, sizeof(f->cfg.ca_connector), "testca");
	snprintf(m.license_number, sizeof(m.license_number), "310123456");
	snprintf(m.first_name, sizeof(m.first_name), "Žarko");
	snprintf(m.last_name, sizeof(m.last_name), "Đurašković");
	snprintf(m.jmbg, sizeof(m.jmbg), "1203978711237");
	snprintf(m.email, sizeof(m.email), "zarko@example.rs");
	assert_int_equal(store_member_upsert(f->st, &m, &up), STORE_OK);
	assert_int_equal(store_member_by_license(f->st, m.license_number, &got), STORE_OK);
	a.member_id = got.id;
	snprintf(a.username, sizeof(a.username), "zdjuras");
	snprintf(a.password_hash, sizeof(a.password_hash), "$argon2id$x");
	snprintf(a.email, sizeof(a.email), "zarko@example.rs");
	snprintf(a.lang, sizeof(a.lang), "en");
	a.created_at = 1000;
	assert_int_equal(store_account_create(f->st, &a), STORE_OK);
	f->account = a.id;
	f->now = time(NULL);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[160];

	store_close(f->st);
	i18n_free();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* An order in `state`, confirmed `age` seconds before f->now. */
static long long order_add(struct fx *f, const char *state, time_t age, const char *office)
{
	struct order o;

	memset(&o, 0, sizeof(o));
	o.account_id = f->account;
	o.type = ORDER_NATURAL;
	assert_int_equal(wf_state_parse(state, &o.state), 0);
	snprintf(o.first_name, sizeof(o.first_name), "Žarko");
	snprintf(o.last_name, sizeof(o.last_name), "Đurašković");
	snprintf(o.jmbg, sizeof(o.jmbg), "1203978711237");
	snprintf(o.id_type, sizeof(o.id_type), "id_card");
	snprintf(o.id_number, sizeof(o.id_number), "012345678");
	snprintf(o.email, sizeof(o.email), "holder@example.rs");
	snprintf(o.office, sizeof(o.office), "%s", office);
	snprintf(o.validity, sizeof(o.validity), "3y");
	o.created_at = o.updated_at = f->now - age - 60;
	o.confirmed_at = strcmp(state, "draft") == 0 ? 0 : f->now - age;
	assert_int_equal(store_order_create(f->st, &o), STORE_OK);
	return o.id;
}

static const char *state_of(struct fx *f, long long id)
{
	static struct order o;

	assert_int_equal(store_order_get(f->st, id, &o), STORE_OK);
	return wf_state_name(o.state);
}

struct last_event {
	struct order_event e;
	int n;
};

static int keep_last(void *arg, const struct order_event *e)
{
	struct last_event *x = arg;

	x->e = *e;
	x->n++;
	return 0;
}

struct audit_seen {
	char action[48], object[96], actor[96], detail[AUDIT_DETAIL_SIZE];
	int n;
};

static int keep_audit(void *arg, const struct audit_entry *e)
{
	struct audit_seen *x = arg;

	snprintf(x->action, sizeof(x->action), "%s", e->action);
	snprintf(x->object, sizeof(x->object), "%s", e->object);
	snprintf(x->actor, sizeof(x->actor), "%s", e->actor);
	snprintf(x->detail, sizeof(x->detail), "%s", e->detail);
	x->n++;
	return 0;
}

static void test_system_transition_records_history_and_audit(void **state)
{
	struct fx *f = *state;
	long long id = order_add(f, "confirmed", DAY, "NS");
	struct last_event ev = {0};
	struct audit_seen au = {0};
	struct audit_filter af = {0};
	struct order o;

	assert_int_equal(store_order_get(f->st, id, &o), STORE_OK);
	assert_int_equal(store_begin(f->st), STORE_OK);
	assert_int_equal(jobs_order_apply(f->st, &o, WF_EV_PAYMENT, WF_SYSTEM, "system",
					  "paid\nin full", f->now),
			 STORE_OK);
	assert_int_equal(store_commit(f->st), STORE_OK);
	assert_string_equal(wf_state_name(o.state), "payment_received");
	assert_string_equal(state_of(f, id), "payment_received");
	assert_int_equal(store_order_events(f->st, id, keep_last, &ev), STORE_OK);
	assert_int_equal(ev.n, 1);
	assert_string_equal(wf_state_name(ev.e.state), "payment_received");
	assert_string_equal(ev.e.actor, "system");
	assert_int_equal(store_audit_each(f->st, &af, keep_audit, &au), STORE_OK);
	assert_int_equal(au.n, 1);
	assert_string_equal(au.action, "payment");
	assert_string_equal(au.actor, "system");
	assert_string_equal(au.object, "order:1");
	/* Control characters of the note are escaped in the audit log. */
	assert_null(strchr(au.detail, '\n'));
	assert_non_null(strstr(au.detail, "confirmed -> payment_received"));
}

static void test_transition_not_in_the_table_writes_nothing(void **state)
{
	struct fx *f = *state;
	long long id = order_add(f, "confirmed", DAY, "NS");
	struct last_event ev = {0};
	struct order o;

	assert_int_equal(store_order_get(f->st, id, &o), STORE_OK);
	/* The system may not verify, nor the CA issue an unsent order. */
	assert_int_equal(jobs_order_apply(f->st, &o, WF_EV_VERIFY, WF_SYSTEM, "system", "", f->now),
			 STORE_NOTFOUND);
	assert_int_equal(jobs_order_apply(f->st, &o, WF_EV_ISSUE, WF_CA, "ca", "", f->now),
			 STORE_NOTFOUND);
	/* A stale copy loses the compare-and-set. */
	o.state = WF_PAID;
	assert_int_equal(jobs_order_apply(f->st, &o, WF_EV_EXPIRE, WF_SYSTEM, "system", "", f->now),
			 STORE_NOTFOUND);
	assert_string_equal(state_of(f, id), "confirmed");
	assert_int_equal(store_order_events(f->st, id, keep_last, &ev), STORE_OK);
	assert_int_equal(ev.n, 0);
}

static int count_outbox(struct fx *f)
{
	long long n = 0;

	assert_int_equal(store_outbox_pending(f->st, &n), STORE_OK);
	return (int)n;
}

static void test_expiry_takes_only_old_orders_still_waiting(void **state)
{
	struct fx *f = *state;
	long long old_confirmed = order_add(f, "confirmed", 31 * DAY, "NS");
	long long old_paid = order_add(f, "payment_received", 45 * DAY, "BG");
	long long old_incomplete = order_add(f, "documents_incomplete", 60 * DAY, "NS");
	long long fresh = order_add(f, "confirmed", 29 * DAY, "NS");
	long long old_verified = order_add(f, "verified", 90 * DAY, "NS");
	long long old_draft = order_add(f, "draft", 90 * DAY, "NS");
	struct mail_conf mc = {.base_url = "https://portal.example"};
	const char *subject, *body;
	struct outbox_item it;
	struct arena ar;

	assert_int_equal(jobs_expire_orders(f->st, &f->cfg, f->now), 3);
	assert_string_equal(state_of(f, old_confirmed), "expired");
	assert_string_equal(state_of(f, old_paid), "expired");
	assert_string_equal(state_of(f, old_incomplete), "expired");
	assert_string_equal(state_of(f, fresh), "confirmed");
	assert_string_equal(state_of(f, old_verified), "verified");
	assert_string_equal(state_of(f, old_draft), "draft");
	/* One mail each, in the member's language, with the period. */
	assert_int_equal(count_outbox(f), 3);
	assert_int_equal(store_outbox_next(f->st, f->now + 60, &it), STORE_OK);
	assert_string_equal(it.to, "holder@example.rs");
	/* Kept as its key and values, written at delivery. */
	assert_string_equal(it.subject, "mail.bo_order_expired");
	arena_init(&ar);
	mail_outbox_text(&mc, &it, &ar, &subject, &body);
	assert_non_null(strstr(body, "within 30 days"));
	assert_non_null(strstr(body, "https://portal.example/certificates/new"));
	store_outbox_item_free(&it);
	/* The account's language when it is delivered, not when queued. */
	assert_int_equal(store_account_set_lang(f->st, f->account, "sr"), STORE_OK);
	assert_int_equal(store_outbox_next(f->st, f->now + 60, &it), STORE_OK);
	assert_string_equal(it.to, "holder@example.rs");
	mail_outbox_text(&mc, &it, &ar, &subject, &body);
	assert_non_null(strstr(body, "u roku od 30 dana"));
	arena_free(&ar);
	store_outbox_item_free(&it);
	/* Running again finds nothing more. */
	assert_int_equal(jobs_expire_orders(f->st, &f->cfg, f->now), 0);
	assert_int_equal(count_outbox(f), 3);
}

/* An order the CA refused and the office returned for correction waits
 * for new papers from then on, whatever its first confirmation's age:
 * the clock that expires abandoned orders is not for it (the office
 * rejects it, with a refund, if the papers never come).  A second batch
 * reaches the orders past those it leaves. */
static void test_an_order_returned_by_the_ca_is_not_expired_by_the_clock(void **state)
{
	struct fx *f = *state;
	long long corrected = order_add(f, "documents_incomplete_paid", 40 * DAY, "NS");
	long long again = order_add(f, "payment_received", 40 * DAY, "NS");
	long long plain = order_add(f, "payment_received", 40 * DAY, "NS");

	/* Their history: sent, refused by the CA, then corrected (new
	 * papers) or returned to the member who confirmed again. */
	assert_int_equal(store_order_event_add(f->st, corrected, WF_RETURNED, "ca:testca", "",
					       f->now - 2 * DAY),
			 STORE_OK);
	assert_int_equal(store_order_event_add(f->st, corrected, WF_DOCS_INCOMPLETE_PAID,
					       "operator:ns1", "", f->now - DAY),
			 STORE_OK);
	assert_int_equal(
		store_order_event_add(f->st, again, WF_RETURNED, "ca:testca", "", f->now - 3 * DAY),
		STORE_OK);
	assert_int_equal(store_order_event_add(f->st, again, WF_RETURNED_TO_MEMBER, "operator:ns1",
					       "", f->now - 2 * DAY),
			 STORE_OK);
	assert_int_equal(
		store_order_event_add(f->st, again, WF_PAID, "member:zdjuras", "", f->now - DAY),
		STORE_OK);
	assert_int_equal(jobs_expire_orders(f->st, &f->cfg, f->now), 1);
	assert_string_equal(state_of(f, corrected), "documents_incomplete_paid");
	assert_string_equal(state_of(f, again), "payment_received");
	assert_string_equal(state_of(f, plain), "expired");
}

static void test_expiry_period_comes_from_the_configuration(void **state)
{
	struct fx *f = *state;
	long long id = order_add(f, "confirmed", 8 * DAY, "NS");

	assert_int_equal(jobs_expire_orders(f->st, &f->cfg, f->now), 0);
	f->cfg.order_expiry_days = 7;
	assert_int_equal(jobs_expire_orders(f->st, &f->cfg, f->now), 1);
	assert_string_equal(state_of(f, id), "expired");
}

/* ---- The TEST CA ---------------------------------------------------------------- */

static void test_testca_submission_is_idempotent_and_can_be_made_to_fail(void **state)
{
	struct fx *f = *state;
	long long id = order_add(f, "verified", DAY, "NS");
	struct ca_connector *ca;
	char ref[CA_REF_MAX], ref2[CA_REF_MAX], code[CA_CODE_MAX], err[256];
	struct order o;

	assert_string_equal(f->cfg.ca_connector, "testca"); /* chosen by setup */
	ca = ca_connector_open(&f->cfg, f->st, err, sizeof(err));
	assert_non_null(ca);
	assert_string_equal(ca->name, "testca");
	assert_int_equal(store_order_get(f->st, id, &o), STORE_OK);
	assert_int_equal(testca_fail_submissions(f->st, "CA down for maintenance", NULL), 0);
	assert_int_equal(ca->submit(ca, &o, ref, code, err, sizeof(err)), CA_SUBMIT_FAILED);
	assert_string_equal(err, "CA down for maintenance");
	assert_int_equal(testca_fail_submissions(f->st, NULL, NULL), 0);
	assert_int_equal(ca->submit(ca, &o, ref, code, err, sizeof(err)), 0);
	assert_int_equal(ca->submit(ca, &o, ref2, code, err, sizeof(err)), 0);
	assert_string_equal(ref, ref2);
	assert_string_equal(ref, "TESTCA-R000001");
	/* Nothing issued yet: nothing to revoke. */
	assert_int_equal(ca->revoke(ca, &o, "key compromise", err, sizeof(err)), -1);
	ca_connector_close(ca);
}

static void test_unknown_connector_is_refused(void **state)
{
	struct fx *f = *state;
	char err[256];

	snprintf(f->cfg.ca_connector, sizeof(f->cfg.ca_connector), "nosuch");
	assert_null(ca_connector_open(&f->cfg, f->st, err, sizeof(err)));
	assert_non_null(strstr(err, "ca_connector"));
}

struct items {
	long long ids[8];
	int n;
};

static int keep_item(void *arg, const struct ca_shipment_item *it)
{
	struct items *x = arg;

	if (x->n < 8)
		x->ids[x->n++] = it->order_id;
	return 0;
}

static int count_shipment(void *arg, const struct ca_shipment *s)
{
	(void)s;
	(*(int *)arg)++;
	return 0;
}

static void test_testca_issues_ships_per_office_and_revokes(void **state)
{
	struct fx *f = *state;
	long long a = order_add(f, "sent_to_ca", DAY, "NS");
	long long b = order_add(f, "sent_to_ca", DAY, "BG");
	long long c = order_add(f, "sent_to_ca", DAY, "NS");
	struct ca_connector *ca = ca_connector_open(&f->cfg, f->st, NULL, 0);
	struct ca_shipment sh;
	struct items it = {{0}, 0};
	char ref[CA_REF_MAX], code[CA_CODE_MAX], err[256];
	int issued = 0, ships = 0, n = 0;
	struct order o;

	assert_non_null(ca);
	assert_int_equal(testca_issue(f->st, a, f->now, &issued, &ships, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no pending registration"));
	for (long long id = a; id <= c; id++) {
		assert_int_equal(store_order_get(f->st, id, &o), STORE_OK);
		assert_int_equal(ca->submit(ca, &o, ref, code, err, sizeof(err)), 0);
	}
	assert_int_equal(testca_issue(f->st, 0, f->now, &issued, &ships, err, sizeof(err)), 0);
	assert_int_equal(issued, 3);
	assert_int_equal(ships, 2);
	assert_string_equal(state_of(f, a), "issued");
	assert_string_equal(state_of(f, b), "issued");
	assert_int_equal(ca->shipments(ca, "NS", count_shipment, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ca->shipment(ca, "TESTCA-S000001", &sh, keep_item, &it, err, sizeof(err)),
			 0);
	assert_string_equal(sh.office, "NS");
	assert_int_equal(it.n, 2);
	assert_true(it.ids[0] == a && it.ids[1] == c);
	assert_int_equal(
		ca->shipment_received(ca, "TESTCA-S000001", "ns1", f->now, err, sizeof(err)), 0);
	assert_int_equal(
		ca->shipment_received(ca, "TESTCA-S000001", "ns1", f->now, err, sizeof(err)), 0);
	n = 0;
	assert_int_equal(ca->shipments(ca, NULL, count_shipment, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1); /* BG's only */
	assert_int_equal(store_order_get(f->st, a, &o), STORE_OK);
	assert_int_equal(ca->revoke(ca, &o, "key compromise", err, sizeof(err)), 0);
	ca_connector_close(ca);
}

/* A registration queued while the CA could not be reached, still out
 * of reach after ca_retry_hours: returned to the office (reason
 * "ca_unreachable"), the job ended; a younger one keeps waiting. */
static void test_a_ca_out_of_reach_past_the_retry_window_returns_the_order(void **state)
{
	struct fx *f = *state;
	long long old_id = order_add(f, "sent_to_ca", DAY, "NS");
	long long new_id = order_add(f, "sent_to_ca", DAY, "NS");
	struct ca_connector *ca;
	struct ca_job j;
	struct order o;
	char err[256];

	snprintf(f->cfg.ca_connector, sizeof(f->cfg.ca_connector), "service");
	snprintf(f->cfg.ca_url, sizeof(f->cfg.ca_url), "https://127.0.0.1:9"); /* nobody */
	snprintf(f->cfg.var_dir, sizeof(f->cfg.var_dir), "%s", f->dir);
	assert_int_equal(f->cfg.ca_retry_secs, 72 * 3600);
	ca = ca_connector_open(&f->cfg, f->st, err, sizeof(err));
	assert_non_null(ca);
	assert_int_equal(store_ca_job_add(f->st, old_id, CA_JOB_SUBMIT, "", f->now - 73 * 3600),
			 STORE_OK);
	assert_int_equal(store_ca_job_add(f->st, new_id, CA_JOB_SUBMIT, "", f->now - 3600),
			 STORE_OK);
	ca_queue_run_once(f->st, ca, &f->cfg, f->now);
	assert_int_equal(store_order_get(f->st, old_id, &o), STORE_OK);
	assert_string_equal(wf_state_name(o.state), "returned");
	assert_string_equal(o.returned_code, "ca_unreachable");
	assert_int_equal(store_ca_job_get(f->st, old_id, CA_JOB_SUBMIT, &j), STORE_OK);
	assert_true(j.done_at != 0 && j.refused);
	assert_string_equal(state_of(f, new_id), "sent_to_ca");
	assert_int_equal(store_ca_job_get(f->st, new_id, CA_JOB_SUBMIT, &j), STORE_OK);
	assert_int_equal(j.done_at, 0);
	ca_connector_close(ca);
}

/* An order returned by the CA (or as out of reach) and sent again while
 * the CA cannot be reached is queued again: the job of the first send
 * is due anew, its attempts and error gone.  While it is queued, a
 * second send changes nothing (one submission). */
static void test_a_second_send_queues_the_ended_job_again(void **state)
{
	struct fx *f = *state;
	long long id = order_add(f, "sent_to_ca", DAY, "NS");
	struct ca_job j;

	assert_int_equal(store_ca_job_add(f->st, id, CA_JOB_SUBMIT, "", f->now - 73 * 3600),
			 STORE_OK);
	assert_int_equal(store_ca_job_get(f->st, id, CA_JOB_SUBMIT, &j), STORE_OK);
	assert_int_equal(store_ca_job_retry(f->st, j.id, 5, f->now + 60, "unreachable"), STORE_OK);
	assert_int_equal(store_ca_job_done(f->st, j.id, f->now, 1, "ca_unreachable"), STORE_OK);
	assert_int_equal(store_ca_job_add(f->st, id, CA_JOB_SUBMIT, "", f->now + 10), STORE_OK);
	assert_int_equal(store_ca_job_get(f->st, id, CA_JOB_SUBMIT, &j), STORE_OK);
	assert_int_equal(j.done_at, 0);
	assert_int_equal(j.refused, 0);
	assert_int_equal(j.attempts, 0);
	assert_int_equal(j.next_attempt_at, f->now + 10);
	assert_string_equal(j.error, "");
	assert_int_equal(store_ca_job_add(f->st, id, CA_JOB_SUBMIT, "", f->now + 20), STORE_OK);
	assert_int_equal(store_ca_job_get(f->st, id, CA_JOB_SUBMIT, &j), STORE_OK);
	assert_int_equal(j.next_attempt_at, f->now + 10);
}

/* A periodic pass (the CA sync, the reminders, the expiry) is run by one
 * instance at a time: the holder of its lease, which renews it each
 * pass; another instance takes it over only once the lease has run out
 * (its holder stopped), and each pass has a lease of its own. */
static void test_a_periodic_pass_has_one_runner_at_a_time(void **state)
{
	struct fx *f = *state;
	struct store *other;
	char err[256];
	time_t t = f->now;

	assert_int_equal(store_open(&other, f->path, err, sizeof(err)), STORE_OK);
	snprintf(other->instance, sizeof(other->instance), "other-host:4242");
	assert_int_equal(store_task_claim(f->st, "ca_sync", t, 120), STORE_OK);
	assert_int_equal(store_task_claim(other, "ca_sync", t, 120), STORE_CONFLICT);
	assert_int_equal(store_task_claim(f->st, "ca_sync", t + 60, 120), STORE_OK); /* renewed */
	assert_int_equal(store_task_claim(other, "ca_sync", t + 179, 120), STORE_CONFLICT);
	assert_int_equal(store_task_claim(other, "reminders", t + 179, 60), STORE_OK);
	assert_int_equal(store_task_claim(f->st, "reminders", t + 200, 60), STORE_CONFLICT);
	/* The holder stopped renewing: the lease runs out at t + 180. */
	assert_int_equal(store_task_claim(other, "ca_sync", t + 180, 120), STORE_OK);
	assert_int_equal(store_task_claim(f->st, "ca_sync", t + 181, 120), STORE_CONFLICT);
	/* A holder that stops cleanly gives its lease back: the next
	 * instance (or the same service started again, another pid) takes
	 * the pass at once; a lease not its own stays. */
	assert_int_equal(store_task_release(f->st, "ca_sync"), STORE_OK); /* other's: stays */
	assert_int_equal(store_task_claim(f->st, "ca_sync", t + 182, 120), STORE_CONFLICT);
	assert_int_equal(store_task_release(other, "ca_sync"), STORE_OK);
	assert_int_equal(store_task_claim(f->st, "ca_sync", t + 182, 120), STORE_OK);
	/* Inside a transaction the claim is part of it. */
	assert_int_equal(store_begin(f->st), STORE_OK);
	assert_int_equal(store_task_claim(f->st, "expiry", t, 600), STORE_OK);
	store_rollback(f->st);
	assert_int_equal(store_task_claim(other, "expiry", t, 600), STORE_OK);
	store_close(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_system_transition_records_history_and_audit,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_transition_not_in_the_table_writes_nothing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_an_order_returned_by_the_ca_is_not_expired_by_the_clock, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_expiry_takes_only_old_orders_still_waiting,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_expiry_period_comes_from_the_configuration,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_testca_submission_is_idempotent_and_can_be_made_to_fail, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_unknown_connector_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_periodic_pass_has_one_runner_at_a_time,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_second_send_queues_the_ended_job_again,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_a_ca_out_of_reach_past_the_retry_window_returns_the_order, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_testca_issues_ships_per_office_and_revokes,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
