/*
 * Several instances (issue 17, point 5): three `qcra serve` on one
 * PostgreSQL database (tests/tools/with-pg; registered only as a _pg
 * run), the same secret.key, the real CA service and a real SMTP sink
 * (tests/tools/smtpd.py), behind haproxy (round robin, health checks on
 * GET /healthz).  Members' journeys are spread over the instances: the
 * member registers through haproxy, logs in on the first instance,
 * orders on the second and fetches the PDF on the third; the office
 * works through haproxy.  One instance is killed with SIGKILL half way.
 * Then: every acknowledged order is in the database, every mail was
 * delivered exactly once (one message per Message-ID at the sink, one
 * per outbox row), every order sent to the CA was issued there once,
 * and the survivors keep serving, haproxy's answers included; an
 * instance whose database refuses it answers 503 on /healthz.
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

#include <cmocka.h>

#include "ca_stack.h"
#include "harness_extra.h"
#include "harness_sql.h"
#include "journey.h"
#include "store/store.h"

#define N 3
#define BALANCER "127.0.0.5" /* haproxy's source address */ /* instances */
#define ORDERS 4 /* orders, half before the kill and half after */
#define TO_CA 2  /* of them sent to the CA */
/* s: a mail the killed instance had claimed waits for its lease to run
 * out (mail/outbox.c: the SMTP timeout, 30 s, and 60 s more) before
 * another instance takes it over; usually nothing waits. */
#define MAIL_WAIT 100
#define WAKE_WAIT 5 /* s: a notified worker delivers by then */
/* s: from the kill of the CA sync's holder until the orders sent after
 * it are issued (the sync's lease runs out within two passes and 5 s) */
#define TAKEOVER_SECS 30

struct many {
	struct stack f; /* f.s: instance 0 (members imported); the CA */
	struct server more[N - 1];
	struct smtpd d;
	char smtp_dir[PATH_MAX + 8];
	int lb_port;
	pid_t lb;
	char lb_base[64];
};

static struct server *inst(struct many *m, int i)
{
	return i == 0 ? &m->f.s : &m->more[i - 1];
}

/* c's requests go to base from now on (its cookies stay: they are the
 * host's, whatever the port). */
static void aim(struct client *c, const char *base)
{
	snprintf(c->base, sizeof(c->base), "%s", base);
}

static pid_t haproxy_start(struct many *m)
{
	char cfg[PATH_MAX], log[PATH_MAX];
	FILE *fp;
	pid_t pid;
	int i;

	snprintf(cfg, sizeof(cfg), "%s/haproxy.cfg", m->f.tmp);
	snprintf(log, sizeof(log), "%s/haproxy.log", m->f.tmp);
	fp = fopen(cfg, "w");
	assert_non_null(fp);
	fprintf(fp,
		"global\n"
		"  maxconn 200\n"
		"defaults\n"
		"  mode http\n"
		"  timeout connect 2s\n"
		"  timeout client 30s\n"
		"  timeout server 30s\n"
		"  retries 3\n"
		"  option redispatch\n"
		"  option http-server-close\n"
		"frontend portal\n"
		"  bind 127.0.0.1:%d\n"
		"  default_backend instances\n"
		"backend instances\n"
		"  balance roundrobin\n"
		"  source " BALANCER "\n"
		"  option httpchk GET /healthz\n",
		m->lb_port);
	for (i = 0; i < N; i++)
		fprintf(fp,
			"  server q%d 127.0.0.1:%d send-proxy-v2 check check-send-proxy inter "
			"300ms "
			"fall 2 rise 1\n",
			i, inst(m, i)->port);
	fclose(fp);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (freopen(log, "a", stderr) == NULL || freopen(log, "a", stdout) == NULL)
			_exit(126);
		execlp("haproxy", "haproxy", "-db", "-f", cfg, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 100; i++) {
		struct client c = {0};
		struct response r = {0};
		int ok;

		assert_int_equal(client_init(&c, &m->f.s), 0);
		aim(&c, m->lb_base);
		ok = client_get(&c, "/healthz", &r) == 0 && r.status == 200;
		response_free(&r);
		client_free(&c);
		if (ok)
			return pid;
		usleep(100 * 1000);
	}
	fail_msg("haproxy did not answer (see %s)", log);
	return -1;
}

static int setup(void **state)
{
	struct many *m = calloc(1, sizeof(*m));
	struct stack *f;
	const char *bin = getenv("QCRA_BIN");
	char url[64], cert[PATH_MAX + 32], key[PATH_MAX + 32], cacert[PATH_MAX + 32];
	char smtp[64], db[600];
	const char *env[] = {"QCRA_CA_CONNECTOR=service", url, cert, key, cacert,
			     "QCRA_CA_POLL_SECONDS=1", "QCRA_MAIL_TRANSPORT=smtp", smtp,
			     /* Woken by a kick or a notification,
			      * else rarely: mail queued by another
			      * process must wake them (LISTEN/NOTIFY). */
			     "QCRA_MAIL_POLL_SECONDS=60",
			     /* haproxy connects from BALANCER with the
			      * PROXY header; the test itself from
			      * 127.0.0.1, directly. */
			     "QCRA_PROXY_PROTOCOL_FROM=" BALANCER, NULL, NULL};
	int i, port;

	if (m == NULL || bin == NULL || getenv("QCRA_TEST_STORE_PG") == NULL) {
		fprintf(stderr, "instances: needs QCRA_TEST_STORE_PG (run as instances_pg)\n");
		free(m);
		return -1;
	}
	f = &m->f;
	if (stack_ca_init(f, "/tmp/qcra-instances-XXXXXX") != 0)
		return -1;
	stack_ca_start(f);
	snprintf(m->smtp_dir, sizeof(m->smtp_dir), "%s/smtp", f->tmp);
	port = free_tcp_port();
	if (smtpd_start(&m->d, port, m->smtp_dir) != 0)
		return -1;
	snprintf(url, sizeof(url), "QCRA_CA_URL=https://127.0.0.1:%d", f->tls_port);
	snprintf(cert, sizeof(cert), "QCRA_CA_CERT=%s/ra/ra.pem", f->cadir);
	snprintf(key, sizeof(key), "QCRA_CA_KEY=%s/ra/ra.key", f->cadir);
	snprintf(cacert, sizeof(cacert), "QCRA_CA_CACERT=%s/ra/ca.pem", f->cadir);
	snprintf(smtp, sizeof(smtp), "QCRA_SMTP_URL=smtp://127.0.0.1:%d", port);
	if (journey_server(&f->s, env) != 0)
		return -1;
	/* What the sink receives is where the journeys look for mail. */
	if (stack_sh(NULL, "rm -rf '%s/mail' && ln -s '%s' '%s/mail'", f->s.var, m->smtp_dir,
		     f->s.var) != 0)
		return -1;
	/* The others: the first one's database and secret.key. */
	snprintf(db, sizeof(db), "QCRA_DATABASE=%s", f->s.database);
	env[10] = db;
	for (i = 1; i < N; i++) {
		struct server *s = inst(m, i);

		if (server_var_init(s) != 0 ||
		    stack_sh(NULL, "cp -p '%s/secret.key' '%s/secret.key'", f->s.var, s->var) !=
			    0 ||
		    server_restart(s, env) != 0)
			return -1;
	}
	m->lb_port = free_tcp_port();
	snprintf(m->lb_base, sizeof(m->lb_base), "http://127.0.0.1:%d", m->lb_port);
	*state = m;
	m->lb = haproxy_start(m);
	return 0;
}

static int teardown(void **state)
{
	struct many *m = *state;
	int st, i;

	if (m->lb > 0) {
		kill(m->lb, SIGTERM);
		waitpid(m->lb, &st, 0);
	}
	smtpd_stop(&m->d);
	for (i = 1; i < N; i++)
		server_cleanup(inst(m, i));
	{
		void *p = &m->f;

		stack_teardown(&p); /* frees m (f is its first member) */
	}
	return 0;
}

/* The one integer psql gives for sql on the instances' database. */
static long long pg_int(struct many *m, const char *sql)
{
	struct buf out = BUF_INIT;
	long long v;

	assert_int_equal(stack_sh(&out, "psql -X -tA -c \"%s\" '%s'", sql, m->f.s.database), 0);
	v = atoll(buf_cstr(&out));
	buf_free(&out);
	return v;
}

/* How many of the sink's messages carry Message-ID id; and the total
 * in *total. */
static int sink_count(struct many *m, const char *needle, int *total)
{
	struct buf out = BUF_INIT;
	int n;

	stack_sh(&out, "cat '%s'/*.eml 2>/dev/null | grep -c '^Message-ID: %s' || true",
		 m->smtp_dir, needle);
	n = atoi(buf_cstr(&out));
	buf_free(&out);
	if (total != NULL) {
		stack_sh(&out, "ls '%s' | grep -c '\\.eml$' || true", m->smtp_dir);
		*total = atoi(buf_cstr(&out));
		buf_free(&out);
	}
	return n;
}

/* The CA sync's lease handed to the instance with process pid, keeping
 * the lease's end its holder set (store_task_claim), as if that instance
 * had run the last pass; once the row exists (the first pass made it). */
static void hand_sync_lease(struct many *m, pid_t pid)
{
	char host[64], sql[200];
	int t;

	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	snprintf(sql, sizeof(sql),
		 "UPDATE task_leases SET claimed_by = '%s:%ld' WHERE name = 'ca_sync' RETURNING 1",
		 host, (long)pid);
	for (t = 0; t < 50 && pg_int(m, sql) != 1; t++)
		usleep(100 * 1000);
	if (t == 50)
		fail_msg("no instance took the CA sync's lease within 5 s");
}

static void test_three_instances_one_killed(void **state)
{
	struct many *m = *state;
	struct stack *f = &m->f;
	long long ids[ORDERS];
	struct store *st;
	struct buf out = BUF_INIT;
	long long pending = -1, sent = 0, last;
	char sql[200];
	int i, total = 0, t, total_direct;
	time_t t0 = time(NULL), killed_at = t0;

	/* The member: registered through haproxy (the mail from whichever
	 * instance delivers it), logged in on instance 0; the office's
	 * operator through haproxy. */
	assert_int_equal(client_init(&f->member, &f->s), 0);
	aim(&f->member, m->lb_base);
	journey_member(&f->s, &f->member, &demo_zarko, "zdjuras", PW);
	assert_int_equal(client_init(&f->ns, &f->s), 0);
	aim(&f->ns, m->lb_base);
	journey_staff(&f->s, &f->ns, "ns1", "operator", "NS", PW, NULL, 0);

	for (i = 0; i < ORDERS; i++) {
		if (i == ORDERS / 2) {
			/* Half way: instance 2 dies without a word, holding the
			 * CA sync's lease: the others take the sync over when
			 * the lease runs out, soon enough for the orders sent
			 * after the kill to be issued within TAKEOVER_SECS. */
			hand_sync_lease(m, inst(m, 2)->pid);
			killed_at = time(NULL);
			assert_int_equal(kill(inst(m, 2)->pid, SIGKILL), 0);
			waitpid(inst(m, 2)->pid, &t, 0);
			inst(m, 2)->pid = 0;
		}
		/* Log in on one, order on another, the PDF from a third
		 * (the living ones after the kill), then through haproxy. */
		aim(&f->member, inst(m, 0)->base);
		assert_int_equal(stack_get(f, &f->member, "/"), 200);
		aim(&f->member, inst(m, 1)->base);
		ids[i] = journey_order(&f->member, &f->r, "NS", NULL, NULL);
		assert_true(ids[i] > 0);
		aim(&f->member, i < ORDERS / 2 ? inst(m, 2)->base : inst(m, 0)->base);
		assert_int_equal(stack_get(f, &f->member, "/orders/%lld/request.pdf", ids[i]), 200);
		aim(&f->member, m->lb_base);
		assert_int_equal(stack_get(f, &f->member, "/orders/%lld", ids[i]), 200);
		if (i < TO_CA || i >= ORDERS - TO_CA / 2) {
			/* The office's steps through haproxy, up to the CA. */
			assert_int_equal(stack_post(f, &f->ns, stack_path(ids[i], "documents"),
						    "doc_request", "1", "doc_contract", "1",
						    "doc_0", "1", NULL),
					 303);
			stack_pay(f, ids[i]);
			assert_int_equal(stack_post(f, &f->ns, stack_path(ids[i], "verify"),
						    "identity_checked", "1", NULL),
					 303);
			assert_int_equal(stack_post(f, &f->ns, stack_path(ids[i], "send"), NULL),
					 303);
		}
	}

	/* Every acknowledged order is there; those sent are issued. */
	st = stack_db(f);
	for (i = 0; i < ORDERS; i++) {
		struct order o;

		assert_int_equal(store_order_get(st, ids[i], &o), STORE_OK);
	}
	store_close(st);
	for (i = 0; i < ORDERS; i++)
		if (i < TO_CA || i >= ORDERS - TO_CA / 2)
			stack_wait_state(f, ids[i], "issued");
	fprintf(stderr, "# the orders sent after the kill issued %ld s after it\n",
		(long)(time(NULL) - killed_at));
	if (time(NULL) - killed_at > TAKEOVER_SECS)
		fail_msg("the orders sent after the kill were issued %ld s after it (at most %d s)",
			 (long)(time(NULL) - killed_at), TAKEOVER_SECS);

	/* A mail queued by another process (here the test's, as `qcra
	 * payments import` would) wakes the instances' mail workers at
	 * once, though none polls within a minute. */
	i = TO_CA; /* an order not sent to the CA */
	assert_false(i >= ORDERS - TO_CA / 2);
	stack_pay(f, ids[i]);
	snprintf(
		sql, sizeof(sql),
		"SELECT COUNT(*) FROM outbox WHERE order_id = %lld AND subject = 'mail.order_paid' "
		"AND sent_at IS NOT NULL",
		ids[i]);
	for (t = 0; t < WAKE_WAIT * 10 && pg_int(m, sql) != 1; t++)
		usleep(100 * 1000);
	if (t == WAKE_WAIT * 10)
		fail_msg("the payment's mail of order %lld was not delivered within %d s", ids[i],
			 WAKE_WAIT);

	/* Every mail delivered, each once. */
	for (t = 0; t < MAIL_WAIT * 10; t++) {
		st = stack_db(f);
		assert_int_equal(store_outbox_pending(st, &pending), STORE_OK);
		store_close(st);
		if (pending == 0)
			break;
		usleep(100 * 1000);
	}
	assert_int_equal(pending, 0);
	sent = pg_int(m, "SELECT COUNT(*) FROM outbox WHERE recipient <> ''");
	last = pg_int(m, "SELECT MAX(id) FROM outbox");
	assert_true(sent > 0);
	for (i = 1; i <= last; i++) {
		char needle[48];

		snprintf(sql, sizeof(sql),
			 "SELECT COUNT(*) FROM outbox WHERE id = %d AND recipient <> ''", i);
		if (pg_int(m, sql) != 1)
			continue;
		snprintf(needle, sizeof(needle), "<%d\\.qcra@", i);
		if (sink_count(m, needle, NULL) != 1)
			fail_msg("outbox mail %d reached the sink %d times", i,
				 sink_count(m, needle, NULL));
	}
	sink_count(m, "x", &total);
	assert_int_equal(total, sent);

	/* Every submission made once: one issuance per order at the CA. */
	for (i = 0; i < ORDERS; i++) {
		if (!(i < TO_CA || i >= ORDERS - TO_CA / 2))
			continue;
		stack_sh(&out, "grep -c 'order %lld: issued on' '%s/ca.log' || true", ids[i],
			 f->tmp);
		assert_int_equal(atoi(buf_cstr(&out)), 1);
		buf_reset(&out);
	}
	buf_free(&out);

	/* The survivors keep serving, directly and through haproxy. */
	for (i = 0; i < N - 1; i++) {
		aim(&f->member, inst(m, i)->base);
		assert_int_equal(stack_get(f, &f->member, "/healthz"), 200);
		assert_int_equal(stack_get(f, &f->member, "/orders/%lld", ids[0]), 200);
	}
	aim(&f->member, m->lb_base);
	for (i = 0; i < 2 * N; i++)
		assert_int_equal(stack_get(f, &f->member, "/orders/%lld", ids[ORDERS - 1]), 200);
	/* Through haproxy each request is the client's (the PROXY header,
	 * proxy_protocol_from): no page was served to the balancer's own
	 * address, only its health checks. */
	for (i = 0, total_direct = 0; i < N; i++) {
		stack_sh(&out,
			 "grep -a 'addr=" BALANCER " ' '%s' | grep -vc 'path=/healthz ' || true",
			 inst(m, i)->log);
		assert_int_equal(atoi(buf_cstr(&out)), 0);
		buf_reset(&out);
		stack_sh(&out, "grep -ac 'path=/orders/%lld .*addr=127.0.0.1 ' '%s' || true",
			 ids[ORDERS - 1], inst(m, i)->log);
		total_direct += atoi(buf_cstr(&out));
		buf_reset(&out);
	}
	assert_true(total_direct >= 2 * N); /* the 2N through haproxy, and the direct ones */
	buf_free(&out);

	/* An instance that loses its database says so on /healthz (503),
	 * and 200 again once it is back. */
	server_pg_allow(&m->f.s, 0);
	aim(&f->member, inst(m, 0)->base);
	assert_int_equal(client_get(&f->member, "/healthz", &f->r), 0);
	assert_int_equal(f->r.status, 503);
	server_pg_allow(&m->f.s, 1);
	for (t = 0; t < 50; t++) {
		assert_int_equal(client_get(&f->member, "/healthz", &f->r), 0);
		if (f->r.status == 200)
			break;
		usleep(100 * 1000);
	}
	assert_int_equal(f->r.status, 200);
	fprintf(stderr, "# instances: %d orders, %lld mails, %ld s\n", ORDERS, sent,
		(long)(time(NULL) - t0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_three_instances_one_killed, setup, teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
