/*
 * No enumeration by timing (OWASP forgot-password cheat sheet,
 * SECURITY.md): forgot-username, forgot-password and registration take
 * as long for an address or member that has an account as for one that
 * has none, because both paths do the same work.
 *
 * Each test takes 100 samples of each path, interleaved (pairs in
 * alternating order, so background work such as mail delivery falls on
 * both alike), and compares the medians of libcurl's total times: they
 * must be within 10% of the larger.  On a loaded machine a request of
 * a millisecond often waits for a CPU or the disk longer than it runs,
 * so a sample of the cheap paths is the fastest of a few requests, the
 * two paths alternating (what the path costs, not what the scheduler
 * added, and both under the same load); a registration hashes a
 * password for ~50 ms, so one request is one sample.  One run can
 * still be spoilt by load (on a busy CI host a run differs by 8-18%
 * either way): the measurement is repeated up to five times, and the
 * test fails only when no run is within the tolerance and every run
 * found the same path slower, as a real difference would.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "domain/ident.h"
#include "harness.h"
#include "journey.h"

#define SAMPLES 100
#define TRIES 5
#define WARMUP 5
#define TOLERANCE 0.10
#define CHEAP_RUNS 5 /* requests per sample of a cheap path */
#define NEW_MEMBERS (TRIES * SAMPLES + WARMUP + 10)
#define PW "Tri mačke spavaju na krovu"
#define USER "zdjuras"
#define UNKNOWN_MAIL "niko.nepoznat@example.rs"

struct fx {
	struct server s;
	struct client c;
	struct client member;
	struct response r;
	char *csrf;
	int next_new; /* the next generated member to register */
};

#define BODY(f) buf_cstr(&(f)->r.body)

/* Generated member k < 1000: license 4000000k, a valid JMBG (born 1
 * January 1980, serial k, the first region whose check digit exists),
 * clan<k>@example.rs. */
static void new_member(int k, char *license, char *jmbg, char *email, char *username)
{
	sprintf(license, "4%08d", k);
	sprintf(email, "clan%03d@example.rs", k);
	sprintf(username, "clan%03d", k);
	for (int region = 71; region < 80; region++)
		for (int check = 0; check <= 9; check++) {
			snprintf(jmbg, 16, "0101980%02d%03d%d", region, k % 1000, check);
			if (jmbg_check(jmbg) == JMBG_OK)
				return;
		}
	fail_msg("no valid JMBG for member %d", k);
}

/* Writes the generated members to VAR/new-members.csv and imports it. */
static void import_new_members(struct fx *f)
{
	char path[PATH_MAX + 32], license[16], jmbg[16], email[64], username[32];
	const char *args[] = {"member", "import", "--var", f->s.var, path, NULL};
	FILE *fp;

	snprintf(path, sizeof(path), "%s/new-members.csv", f->s.var);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "license_number,first_name,last_name,jmbg,email,city\n");
	for (int k = 0; k < NEW_MEMBERS; k++) {
		new_member(k, license, jmbg, email, username);
		fprintf(fp, "%s,Test,Član %d,%s,%s,Beograd\n", license, k, jmbg, email);
	}
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(server_run_cli(&f->s, args, NULL), 0);
}

static int setup(void **state)
{
	/* The real hash: the paths compared must cost what they do in use. */
	const char *env[] = {"QCRA_PASSWORD_HASH_MEMORY_KIB=19456", NULL};
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL || journey_server(&f->s, env) != 0 || client_init(&f->c, &f->s) != 0 ||
	    client_init(&f->member, &f->s) != 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	free(f->csrf);
	response_free(&f->r);
	client_free(&f->c);
	client_free(&f->member);
	server_cleanup(&f->s);
	free(f);
	return 0;
}

/* The anonymous CSRF token of f->c, from page. */
static void take_csrf(struct fx *f, const char *page)
{
	assert_int_equal(journey_get(&f->c, page, &f->r), 200);
	free(f->csrf);
	f->csrf = form_field_value(BODY(f), "csrf_token");
	assert_non_null(f->csrf);
}

/* POSTs body (the CSRF token appended) to path with f->c; must answer
 * 303.  Returns libcurl's total time of the request in microseconds. */
static long timed_post(struct fx *f, const char *path, const char *body)
{
	char *full = malloc(strlen(body) + 128);
	curl_off_t us = 0;

	assert_non_null(full);
	sprintf(full, "%s&csrf_token=%s", body, f->csrf);
	assert_int_equal(client_post(&f->c, path, full, &f->r), 0);
	free(full);
	if (f->r.status != 303)
		fprintf(stderr, "%s answered %ld:\n%s\n", path, f->r.status, BODY(f));
	assert_int_equal(f->r.status, 303);
	assert_int_equal(curl_easy_getinfo(f->c.curl, CURLINFO_TOTAL_TIME_T, &us), CURLE_OK);
	return (long)us;
}

/* One request of a path: which = 0 for the account that exists, 1 for
 * the one that does not.  Returns its time in microseconds. */
typedef long (*probe)(struct fx *f, int which);

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

static long median(long *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_long);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * One sample of each path: n requests of each, alternating and starting
 * with path first, so both meet the same load; each path's fastest goes
 * to *known and *unknown.
 */
static void sample_pair(struct fx *f, probe fn, int first, int n, long *known, long *unknown)
{
	long best[2] = {-1, -1}, us;

	for (int i = 0; i < 2 * n; i++) {
		int which = (first + i) % 2;

		us = fn(f, which);
		if (best[which] < 0 || us < best[which])
			best[which] = us;
	}
	*known = best[0];
	*unknown = best[1];
}

/*
 * Times SAMPLES samples of each path (each the fastest of per_sample
 * requests, sample_pair), interleaved; up to TRIES runs
 * until the medians are within TOLERANCE of the larger.  Prints the
 * figures and fails when no run got there and every run found the
 * same path slower (load spoils runs either way; a leak has a side).
 */
static void assert_same_time(struct fx *f, const char *what, probe fn, int per_sample)
{
	long known[SAMPLES], unknown[SAMPLES], mk = 0, mu = 0;
	int slower_known = 0;
	double diff = 1;

	for (int i = 0; i < WARMUP; i++) {
		fn(f, 0);
		fn(f, 1);
	}
	for (int t = 0; t < TRIES; t++) {
		for (int i = 0; i < SAMPLES; i++)
			sample_pair(f, fn, i % 2, per_sample, &known[i], &unknown[i]);
		mk = median(known, SAMPLES);
		mu = median(unknown, SAMPLES);
		diff = (double)labs(mk - mu) / (double)(mk > mu ? mk : mu);
		fprintf(stderr,
			"# %s, run %d: median %ld us with an account, %ld us without (%.1f%%)\n",
			what, t + 1, mk, mu, diff * 100);
		if (diff <= TOLERANCE)
			return;
		slower_known += mk > mu;
	}
	if (slower_known != 0 && slower_known != TRIES) {
		fprintf(stderr, "# %s: the slower path changed from run to run: load, not a leak\n",
			what);
		return;
	}
	fail_msg("%s: medians %ld us and %ld us differ by %.1f%% (at most %.0f%%)", what, mk, mu,
		 diff * 100, TOLERANCE * 100);
}

/* ---- Forgotten username and password ------------------------------------------ */

static long forgot_username(struct fx *f, int which)
{
	return timed_post(f, "/forgot-username",
			  which == 0 ? "email=zarko.djuraskovic%40example.rs"
				     : "email=niko.nepoznat%40example.rs");
}

static long password_forgot(struct fx *f, int which)
{
	return timed_post(f, "/password/forgot",
			  which == 0 ? "email=zarko.djuraskovic%40example.rs"
				     : "email=niko.nepoznat%40example.rs");
}

static void test_forgot_username_takes_as_long_for_an_unknown_address(void **state)
{
	struct fx *f = *state;

	journey_member(&f->s, &f->member, &demo_zarko, USER, PW);
	take_csrf(f, "/forgot-username");
	assert_same_time(f, "forgot-username", forgot_username, CHEAP_RUNS);
}

static void test_password_forgot_takes_as_long_for_an_unknown_address(void **state)
{
	struct fx *f = *state;

	journey_member(&f->s, &f->member, &demo_zarko, USER, PW);
	take_csrf(f, "/password/forgot");
	assert_same_time(f, "password/forgot", password_forgot, CHEAP_RUNS);
}

/* ---- Registration: a member with an account, a member without --------------- */

static long register_member(struct fx *f, int which)
{
	char license[16], jmbg[16], email[64], username[32];
	char *body;
	long us;

	if (which == 0)
		body = form_encodef("license_number", demo_zarko.license, "jmbg", demo_zarko.jmbg,
				    "email", demo_zarko.email, "username", USER, "password", PW,
				    "password_confirm", PW, NULL);
	else {
		assert_true(f->next_new < NEW_MEMBERS);
		new_member(f->next_new++, license, jmbg, email, username);
		body = form_encodef("license_number", license, "jmbg", jmbg, "email", email,
				    "username", username, "password", PW, "password_confirm", PW,
				    NULL);
	}
	us = timed_post(f, "/register", body);
	free(body);
	return us;
}

static void test_register_takes_as_long_for_a_member_with_an_account(void **state)
{
	struct fx *f = *state;

	journey_member(&f->s, &f->member, &demo_zarko, USER, PW);
	import_new_members(f);
	take_csrf(f, "/register");
	assert_same_time(f, "register", register_member, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_forgot_username_takes_as_long_for_an_unknown_address, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_password_forgot_takes_as_long_for_an_unknown_address, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_register_takes_as_long_for_a_member_with_an_account, setup, teardown),
	};

	return cmocka_run_group_tests_name("http_timing", tests, NULL, NULL);
}
