/*
 * Login throttling without lockout (ASVS 6.3.1, SECURITY.md): guessing
 * from one address is stopped with 429 and Retry-After while the owner
 * logs in from another; members and staff are counted apart; parallel
 * guesses pass the limit no more often than sequential ones; many
 * failures on one account from everywhere delay its logins instead of
 * locking it; the current password on /password/change is throttled
 * like a login.
 *
 * The client's source address is bound (client_source): 127.0.0.2 is
 * the attacker, 127.0.0.3 the owner elsewhere.
 */
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "harness_extra.h"
#include "journey.h"

#define PW "Tri mačke spavaju na krovu"
#define WRONG "Pogresna lozinka 1"
#define USER "zdjuras"
#define STAFF "ns1"
#define ATTACKER "127.0.0.2"
#define OWNER "127.0.0.3"
#define PARALLEL 40

/* Serbian catalogue texts (messages/sr.txt). */
#define MSG_THROTTLED "Previše neuspešnih pokušaja"
#define MSG_WAIT_MINUTES "za 15 min"

struct fx {
	struct server s;
	struct client member;   /* Žarko, logged in from 127.0.0.1 */
	struct client attacker; /* from 127.0.0.2 */
	struct client owner;    /* from 127.0.0.3 */
	struct response r;
};

#define BODY(f) buf_cstr(&(f)->r.body)

static int fx_start(void **state, const char *const *env)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL || journey_server(&f->s, env) != 0 || client_init(&f->member, &f->s) != 0 ||
	    client_init(&f->attacker, &f->s) != 0 || client_init(&f->owner, &f->s) != 0 ||
	    client_source(&f->attacker, ATTACKER) != 0 || client_source(&f->owner, OWNER) != 0)
		return -1;
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return fx_start(state, NULL);
}

/* At most 3 failures per address in the window. */
static int setup_address_limit(void **state)
{
	const char *env[] = {"QCRA_LOGIN_MAX_FAILURES_PER_ADDRESS=3", NULL};

	return fx_start(state, env);
}

/* Eight worker threads, so guesses really run side by side. */
static int setup_parallel(void **state)
{
	const char *env[] = {"QCRA_WORKERS=8", NULL};

	return fx_start(state, env);
}

/* The account's own limit after 6 failures from anywhere, with waits
 * of at most 2 s between tries then. */
static int setup_account_slow(void **state)
{
	const char *env[] = {"QCRA_LOGIN_ACCOUNT_SLOW_AFTER=6",
			     "QCRA_LOGIN_ACCOUNT_WAIT_MAX_SECONDS=2", NULL};

	return fx_start(state, env);
}

static int teardown(void **state)
{
	struct fx *f = *state;

	response_free(&f->r);
	client_free(&f->member);
	client_free(&f->attacker);
	client_free(&f->owner);
	server_cleanup(&f->s);
	free(f);
	return 0;
}

static void body_has(struct fx *f, const char *text)
{
	if (strstr(BODY(f), text) == NULL)
		fprintf(stderr, "body lacks \"%s\":\n%s\n", text, BODY(f));
	assert_non_null(strstr(BODY(f), text));
}

static long login(struct fx *f, struct client *c, const char *user, const char *pw)
{
	return journey_submit(c, "/login", "/login", &f->r, "username", user, "password", pw, NULL);
}

static long staff_login(struct fx *f, struct client *c, const char *user, const char *pw)
{
	return journey_submit(c, "/ra/login", "/ra/login", &f->r, "username", user, "password", pw,
			      "totp", "", NULL);
}

/* The Retry-After of the last answer, in seconds (0 when absent). */
static long retry_after(struct fx *f)
{
	char *v = response_header(&f->r, "Retry-After");
	long secs = v ? strtol(v, NULL, 10) : 0;

	free(v);
	return secs;
}

static void location_is(struct fx *f, const char *want)
{
	char *loc = journey_location(&f->r);

	assert_non_null(loc);
	assert_string_equal(loc, want);
	free(loc);
}

/* An operator of office NS with password PW, not yet enrolled: the
 * right password alone leads to /ra/enroll. */
static void staff_add(struct fx *f, const char *name)
{
	char pwfile[PATH_MAX + 32];
	const char *args[] = {"operator", "add", "--username",      name,   "--role", "operator",
			      "--office", "NS",  "--password-file", pwfile, "--var",  f->s.var,
			      NULL};
	FILE *fp;

	snprintf(pwfile, sizeof(pwfile), "%s/pw-%s.txt", f->s.var, name);
	fp = fopen(pwfile, "w");
	assert_non_null(fp);
	fprintf(fp, "%s\n", PW);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(server_run_cli(&f->s, args, NULL), 0);
}

/* ---- Per (account, address): the owner is not locked out ---------------------- */

static void test_member_guessing_from_one_address_leaves_the_owner_in_from_another(void **state)
{
	struct fx *f = *state;
	long secs;

	journey_member(&f->s, &f->member, &demo_zarko, USER, PW);
	for (int i = 0; i < 5; i++)
		assert_int_equal(login(f, &f->attacker, USER, WRONG), 422);
	/* The owner, elsewhere, gets in... */
	assert_int_equal(login(f, &f->owner, USER, PW), 303);
	location_is(f, "/");
	/* ...while the guesser is stopped, even with the right password,
	 * and told when to try again. */
	assert_int_equal(login(f, &f->attacker, USER, PW), 429);
	secs = retry_after(f);
	assert_true(secs > 0 && secs <= 15 * 60);
	body_has(f, MSG_THROTTLED);
	body_has(f, MSG_WAIT_MINUTES);
}

static void test_staff_guessing_from_one_address_leaves_the_operator_in_from_another(void **state)
{
	struct fx *f = *state;

	staff_add(f, STAFF);
	for (int i = 0; i < 5; i++)
		assert_int_equal(staff_login(f, &f->attacker, STAFF, WRONG), 422);
	assert_int_equal(staff_login(f, &f->attacker, STAFF, PW), 429);
	assert_true(retry_after(f) > 0);
	body_has(f, MSG_THROTTLED);
	assert_int_equal(staff_login(f, &f->owner, STAFF, PW), 303);
	location_is(f, "/ra/enroll");
}

/* ---- Per address: members and staff apart ------------------------------------------ */

static void test_member_failures_do_not_count_against_staff_logins(void **state)
{
	struct fx *f = *state;
	const char *names[] = {"nepostoji1", "nepostoji2", "nepostoji3"};

	journey_member(&f->s, &f->member, &demo_zarko, USER, PW);
	staff_add(f, STAFF);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(login(f, &f->attacker, names[i], WRONG), 422);
	assert_int_equal(login(f, &f->attacker, USER, PW), 429); /* the address's limit */
	assert_true(retry_after(f) > 0);
	assert_int_equal(staff_login(f, &f->attacker, STAFF, PW), 303);
	location_is(f, "/ra/enroll");
}

static void test_staff_failures_do_not_count_against_member_logins(void **state)
{
	struct fx *f = *state;
	const char *names[] = {"nepostoji1", "nepostoji2", "nepostoji3"};

	journey_member(&f->s, &f->member, &demo_zarko, USER, PW);
	staff_add(f, STAFF);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(staff_login(f, &f->attacker, names[i], WRONG), 422);
	assert_int_equal(staff_login(f, &f->attacker, STAFF, PW), 429);
	assert_int_equal(login(f, &f->attacker, USER, PW), 303);
	location_is(f, "/");
}

/* ---- Atomic counting ------------------------------------------------------------------ */

struct guess {
	struct client c;
	char body[512];
	long status;
	pthread_barrier_t *start;
};

static void *guess_run(void *arg)
{
	struct guess *g = arg;
	struct response r = {0};

	pthread_barrier_wait(g->start);
	if (client_post(&g->c, "/login", g->body, &r) == 0)
		g->status = r.status;
	response_free(&r);
	return NULL;
}

static void test_parallel_wrong_logins_pass_the_limit_no_more_often(void **state)
{
	struct fx *f = *state;
	struct guess *g = calloc(PARALLEL, sizeof(*g));
	pthread_t th[PARALLEL];
	pthread_barrier_t start;
	int n422 = 0, n429 = 0;

	assert_non_null(g);
	journey_member(&f->s, &f->member, &demo_zarko, USER, PW);
	pthread_barrier_init(&start, NULL, PARALLEL);
	for (int i = 0; i < PARALLEL; i++) {
		char *csrf, *body;

		assert_int_equal(client_init(&g[i].c, &f->s), 0);
		assert_int_equal(client_source(&g[i].c, ATTACKER), 0);
		assert_int_equal(journey_get(&g[i].c, "/login", &f->r), 200);
		csrf = form_field_value(BODY(f), "csrf_token");
		assert_non_null(csrf);
		body = form_encodef("username", USER, "password", WRONG, "csrf_token", csrf, NULL);
		snprintf(g[i].body, sizeof(g[i].body), "%s", body);
		free(body);
		free(csrf);
		g[i].start = &start;
	}
	for (int i = 0; i < PARALLEL; i++)
		assert_int_equal(pthread_create(&th[i], NULL, guess_run, &g[i]), 0);
	for (int i = 0; i < PARALLEL; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < PARALLEL; i++) {
		n422 += g[i].status == 422;
		n429 += g[i].status == 429;
		client_free(&g[i].c);
	}
	pthread_barrier_destroy(&start);
	free(g);
	fprintf(stderr, "# %d parallel wrong logins: %d checked (422), %d refused (429)\n",
		PARALLEL, n422, n429);
	assert_int_equal(n422, 5);
	assert_int_equal(n429, PARALLEL - 5);
}

/* ---- Per account: delayed, never locked --------------------------------------------- */

static void test_many_failures_on_an_account_delay_its_logins_without_locking(void **state)
{
	struct fx *f = *state;
	struct timespec nap = {0, 0};
	long secs, st = 0;
	int tries;

	journey_member(&f->s, &f->member, &demo_zarko, USER, PW);
	for (int i = 0; i < 5; i++)
		assert_int_equal(login(f, &f->attacker, USER, WRONG), 422);
	/* The owner mistypes once: the account's 6th failure. */
	assert_int_equal(login(f, &f->owner, USER, WRONG), 422);
	/* Now every try on the account waits a little, the owner's too. */
	assert_int_equal(login(f, &f->owner, USER, PW), 429);
	secs = retry_after(f);
	assert_true(secs >= 1 && secs <= 2);
	body_has(f, MSG_THROTTLED);
	/* The owner gets in after waiting a few seconds at most: a delay,
	 * never a lock.  The wait is counted in whole seconds from the
	 * last failure, so a slow server (ThreadSanitizer) may ask once
	 * more for a second or two. */
	for (tries = 0; tries < 4; tries++) {
		nap.tv_sec = secs;
		nanosleep(&nap, NULL);
		if ((st = login(f, &f->owner, USER, PW)) != 429)
			break;
		secs = retry_after(f);
		assert_true(secs >= 1 && secs <= 4);
	}
	assert_int_equal(st, 303);
	location_is(f, "/");
	/* The guesser's address stays stopped for the whole window. */
	assert_int_equal(login(f, &f->attacker, USER, PW), 429);
	assert_true(retry_after(f) > 60);
}

/* Sleeps until the wall clock is `frac` (0..1) into a second. */
static void sleep_until_fraction(double frac)
{
	struct timespec now, nap = {0, 0};
	long target = (long)(frac * 1e9);

	clock_gettime(CLOCK_REALTIME, &now);
	nap.tv_nsec = target - now.tv_nsec;
	if (nap.tv_nsec < 0)
		nap.tv_nsec += 1000000000L;
	nanosleep(&nap, NULL);
}

/* The account's wait counts from when the failure was known, and a
 * failure in the last instant of a second still costs the whole wait:
 * the owner's mistype lands just before a second turns and the next
 * try comes just after it. */
static void test_the_account_delay_holds_across_a_second_boundary(void **state)
{
	struct fx *f = *state;

	journey_member(&f->s, &f->member, &demo_zarko, USER, PW);
	for (int i = 0; i < 5; i++)
		assert_int_equal(login(f, &f->attacker, USER, WRONG), 422);
	for (int round = 0; round < 3; round++) {
		sleep_until_fraction(0.97);
		/* The 6th failure (or, after a wait, one more). */
		assert_int_equal(login(f, &f->owner, USER, WRONG), 422);
		assert_int_equal(login(f, &f->owner, USER, PW), 429);
		assert_true(retry_after(f) >= 1);
		sleep(3);
	}
}

/* ---- Re-authentication: the current password is throttled too ------------------- */

static void test_wrong_current_password_is_throttled_like_a_login(void **state)
{
	struct fx *f = *state;
	int n422 = 0, n429 = 0;

	journey_member(&f->s, &f->member, &demo_zarko, USER, PW);
	for (int i = 0; i < 30; i++) {
		long st = journey_submit(&f->member, "/password/change", "/password/change", &f->r,
					 "current_password", WRONG, "password",
					 "novi-dugacki-pasus-42", "password_confirm",
					 "novi-dugacki-pasus-42", NULL);

		n422 += st == 422;
		n429 += st == 429;
		if (i >= 5) {
			assert_int_equal(st, 429);
			assert_true(retry_after(f) > 0);
		}
	}
	assert_int_equal(n422, 5);
	assert_int_equal(n429, 25);
	body_has(f, MSG_WAIT_MINUTES);
	/* The password was never changed. */
	assert_int_equal(login(f, &f->owner, USER, PW), 303);
}

#define TEST(name, setup_fn) cmocka_unit_test_setup_teardown(name, setup_fn, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_member_guessing_from_one_address_leaves_the_owner_in_from_another, setup),
		TEST(test_staff_guessing_from_one_address_leaves_the_operator_in_from_another,
		     setup),
		TEST(test_member_failures_do_not_count_against_staff_logins, setup_address_limit),
		TEST(test_staff_failures_do_not_count_against_member_logins, setup_address_limit),
		TEST(test_parallel_wrong_logins_pass_the_limit_no_more_often, setup_parallel),
		TEST(test_many_failures_on_an_account_delay_its_logins_without_locking,
		     setup_account_slow),
		TEST(test_the_account_delay_holds_across_a_second_boundary, setup_account_slow),
		TEST(test_wrong_current_password_is_throttled_like_a_login, setup),
	};

	return cmocka_run_group_tests_name("http_login_throttle", tests, NULL, NULL);
}
