/* The back-office fixture of the RA tests (office.h). */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <unistd.h>

#include "journey.h"
#include "office.h"
#include "harness_sql.h"

#include <time.h>

#include "app/jobs.h"

/* Creates a staff account and logs c in (journey_staff). */
static void staff_login(struct office *f, struct client *c, const char *username, const char *role,
			const char *office)
{
	assert_int_equal(client_init(c, &f->s), 0);
	journey_staff(&f->s, c, username, role, office, OFFICE_PW, NULL, 0);
}

int office_setup(void **state)
{
	struct office *f = calloc(1, sizeof(*f));

	if (f == NULL || journey_server(&f->s, NULL) != 0 || client_init(&f->member, &f->s) != 0) {
		if (f)
			server_cleanup(&f->s);
		free(f);
		return -1;
	}
	*state = f;
	journey_member(&f->s, &f->member, &demo_zarko, "zdjuras", OFFICE_PW);
	staff_login(f, &f->ns, "ns1", "operator", "NS");
	staff_login(f, &f->bg, "bg1", "operator", "BG");
	staff_login(f, &f->admin, "admin1", "admin", NULL);
	staff_login(f, &f->auditor, "aud1", "auditor", NULL);
	return 0;
}

int office_teardown(void **state)
{
	struct office *f = *state;

	response_free(&f->r);
	buf_free(&f->out);
	client_free(&f->member);
	client_free(&f->ns);
	client_free(&f->bg);
	client_free(&f->admin);
	client_free(&f->auditor);
	server_cleanup(&f->s);
	free(f);
	return 0;
}

int office_cli(struct office *f, const char *const *args)
{
	const char *argv[16];
	size_t n = 0;

	while (args[n] != NULL && n < 13) {
		argv[n] = args[n];
		n++;
	}
	argv[n++] = "--var";
	argv[n++] = f->s.var;
	argv[n] = NULL;
	buf_reset(&f->out);
	return server_run_cli(&f->s, argv, &f->out);
}

long office_get(struct office *f, struct client *c, const char *fmt, ...)
{
	va_list ap;
	long status;

	va_start(ap, fmt);
	status = journey_vgetf(c, &f->r, fmt, ap);
	va_end(ap);
	return status;
}

long office_post(struct office *f, struct client *c, const char *action, ...)
{
	va_list ap;
	long status;

	va_start(ap, action);
	status = journey_vpost(c, action, &f->r, ap);
	va_end(ap);
	return status;
}

void office_body_has(struct office *f, const char *text)
{
	if (strstr(BODY(f), text) == NULL)
		fprintf(stderr, "body lacks \"%s\":\n%s\n", text, BODY(f));
	assert_non_null(strstr(BODY(f), text));
}

void office_body_lacks(struct office *f, const char *text)
{
	const char *at = strstr(BODY(f), text);

	if (at != NULL)
		fprintf(stderr, "body has \"%s\": ...%.*s...\n", text,
			(int)(at - BODY(f) < 60 ? at - BODY(f) + 60 : 120),
			at - BODY(f) < 60 ? BODY(f) : at - 60);
	assert_null(at);
}

long long office_order_with(struct office *f, const char *office, const char *field,
			    const char *value)
{
	return journey_order(&f->member, &f->r, office, field, value);
}

long long office_order(struct office *f, const char *office)
{
	return office_order_with(f, office, NULL, NULL);
}

struct store *office_db(struct office *f)
{
	return journey_db(&f->s);
}

struct order office_order_get(struct office *f, long long id)
{
	struct store *st = office_db(f);
	struct order o;

	assert_int_equal(store_order_get(st, id, &o), STORE_OK);
	store_close(st);
	return o;
}

const char *office_state(struct office *f, long long id)
{
	static char state[32];
	struct order o = office_order_get(f, id);

	snprintf(state, sizeof(state), "%s", wf_state_name(o.state));
	return state;
}

const char *office_path(long long id, const char *what)
{
	static char path[96];

	snprintf(path, sizeof(path), "/ra/orders/%lld%s%s", id, *what ? "/" : "", what);
	return path;
}

void office_pay(struct office *f, long long id)
{
	struct store *st = office_db(f);
	struct order o;

	assert_int_equal(store_order_get(st, id, &o), STORE_OK);
	assert_int_equal(store_begin(st), STORE_OK);
	assert_int_equal(jobs_order_apply(st, &o, WF_EV_PAYMENT, WF_SYSTEM, "test:payments",
					  "payment recorded (test stand-in)", time(NULL)),
			 STORE_OK);
	assert_int_equal(store_commit(st), STORE_OK);
	store_close(st);
}

long office_documents_all(struct office *f, struct client *c, long long id)
{
	return office_post(f, c, office_path(id, "documents"), "doc_request", "1", "doc_contract",
			   "1", "doc_0", "1", NULL);
}

long long office_order_verified(struct office *f)
{
	long long id = office_order(f, "NS");

	assert_int_equal(office_documents_all(f, &f->ns, id), 303);
	office_pay(f, id);
	assert_string_equal(office_state(f, id), "ready");
	assert_int_equal(
		office_post(f, &f->ns, office_path(id, "verify"), "identity_checked", "1", NULL),
		303);
	assert_string_equal(office_state(f, id), "verified");
	return id;
}

void office_verify(struct office *f, long long id)
{
	assert_int_equal(office_documents_all(f, &f->ns, id), 303);
	office_pay(f, id);
	assert_int_equal(
		office_post(f, &f->ns, office_path(id, "verify"), "identity_checked", "1", NULL),
		303);
}

void office_deliver(struct office *f, long long id)
{
	const char *issue_all[] = {"testca", "issue", "--all", NULL};

	assert_int_equal(office_post(f, &f->ns, office_path(id, "send"), NULL), 303);
	assert_int_equal(office_cli(f, issue_all), 0);
	assert_int_equal(
		office_post(f, &f->ns, "/ra/shipments/receive", "shipment", "TESTCA-S000001", NULL),
		303);
}

/* Over the outbox rows to addr with key (an order's mail not yet sent
 * has its order's address): their count, the newest's id and whether
 * it was sent (0, 0, 0 when there are none). */
static long long outbox_rows(struct office *f, const char *addr, const char *key, long long *id,
			     int *sent)
{
	const char *params[] = {addr, key, NULL};
	long long n = 0;
	char *row;

	/* One column, "COUNT ID SENT": server_sql reads the first. */
	row = server_sql_ok(&f->s,
			    "WITH m AS (SELECT x.id, x.sent_at FROM outbox x LEFT JOIN "
			    "orders o ON o.id = x.order_id WHERE x.subject = $2 AND "
			    "(x.recipient = $1 OR (x.recipient = '' AND o.email = $1))) "
			    "SELECT COUNT(*) || ' ' || COALESCE(MAX(id), 0) || ' ' || "
			    "COALESCE((SELECT CASE WHEN sent_at IS NOT NULL THEN 1 ELSE 0 END "
			    "FROM m ORDER BY id DESC LIMIT 1), 0) FROM m",
			    params);
	if (sscanf(row, "%lld %lld %d", &n, id, sent) != 3)
		fail_msg("outbox: %s", row);
	free(row);
	return n;
}

long long office_mail_count(struct office *f, const char *addr, const char *key)
{
	long long id;
	int sent;

	return outbox_rows(f, addr, key, &id, &sent);
}

char *office_mail(struct office *f, const char *addr, const char *key)
{
	char path[PATH_MAX + 32], *eml;
	long long id = 0;
	int i, sent = 0;

	for (i = 0; i < 150 && !sent; i++) {
		outbox_rows(f, addr, key, &id, &sent);
		if (!sent)
			usleep(100 * 1000);
	}
	if (!sent)
		fail_msg("no mail %s to %s was delivered (outbox row %lld)", key, addr, id);
	snprintf(path, sizeof(path), "%s/mail/%06lld.eml", f->s.var, id);
	eml = file_read(path, NULL);
	assert_non_null(eml);
	return eml;
}

/*
 * The manual payment form of order id as c sees it: GET the order page,
 * then POST its nonce with amount, paid_on (NULL: the form's default),
 * reference and note (NULL: none).  Returns the status.  *nonce (may be
 * NULL) gets the form's nonce (caller frees).
 */
long office_pay_by_hand(struct office *f, struct client *c, long long id, const char *amount,
			const char *paid_on, const char *reference, char **nonce_out)
{
	char path[64], *csrf, *nonce, *date, *body;
	long status;

	snprintf(path, sizeof(path), "/ra/orders/%lld", id);
	assert_int_equal(journey_get(c, path, &f->r), 200);
	csrf = form_field_value(BODY(f), "csrf_token");
	nonce = form_field_value(BODY(f), "nonce");
	date = form_field_value(BODY(f), "paid_on");
	assert_non_null(csrf);
	assert_non_null(nonce);
	assert_non_null(date);
	body = form_encodef("csrf_token", csrf, "nonce", nonce, "amount", amount, "paid_on",
			    paid_on ? paid_on : date, "reference", reference ? reference : "",
			    "payer",
			    "\xc5\xbd"
			    "arko \xc4\x90ura\xc5\xa1kovi\xc4\x87",
			    "note", "", "confirm", "1", NULL);
	snprintf(path, sizeof(path), "/ra/orders/%lld/payments", id);
	status = journey_post(c, path, body, &f->r);
	free(body);
	free(csrf);
	free(date);
	if (nonce_out)
		*nonce_out = nonce;
	else
		free(nonce);
	return status;
}
