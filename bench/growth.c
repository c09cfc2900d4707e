/*
 * Flat cost as the data grows (issue 17, point 6): seeds orders through
 * the store (one account's, spread over three offices, four states and
 * a few hundred surnames; their search words with them) up to each size
 * given and times, at each size, the member's list (scenario 2's
 * store call), an order page (scenario 3's), the office queue (a page
 * of one state at one office, with its count) and a search by a name
 * (a page, with its count): the median of 150 runs of each, in ms.
 *
 *   build/bench-growth DB SIZE...     e.g. build/bench-growth /tmp/g.db 10000 100000 1000000
 *
 * DB is a new database, or one this program seeded before: it then goes
 * on from the orders it has (seeding 1,000,000 takes minutes; a size
 * not above what DB has is timed at what it has).
 *
 * With GROWTH_SESSIONS=FILE it also opens a session for the account
 * and one for an administrator ("growth-admin", made the first time)
 * and writes their cookie values and the orders' count into FILE, one
 * line: bench/run then serves DB and measures the same pages over HTTP
 * at each size (scenarios 2 and 3, the queue and the search).
 *
 *   build/bench-growth --time DB...   e.g. ... --time /tmp/at10000/qcra.db /tmp/at1000000/qcra.db
 *
 * times the same calls on databases it seeded before, the sizes taking
 * turns ten runs at a time (time_sizes): so that the host's drift over the
 * minutes a seeding takes, or within the timing, stays out of the
 * sizes' ratio.  bench/run keeps a copy at each size and uses this.
 *
 * Run it alone and niced.  It measures the calling thread's CPU time
 * (user and system: the reads from the OS's page cache included), not
 * the wall clock: on a shared machine the wall clock is that time
 * multiplied by how many others wait for the cores.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/app.h"
#include "store/store.h"
#include "store/store_office.h"

/* Runs of each call at each size (time_sizes). */
#define RUNS 150

/* The thread's CPU time in ms. */
static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int one(void *arg, const void *row)
{
	(void)row;
	++*(long long *)arg;
	return 0;
}

static int one_order(void *arg, const struct order *o)
{
	return one(arg, o);
}

/* The member's list: its first 20 (the page shows the newest). */
static int one_summary(void *arg, const struct order_summary *o)
{
	return ++*(long long *)arg >= 20 || o == NULL;
}

/* The newest order's number of a database seeded before (seed_to gives
 * the n-th order created_at 1000 + n, from 0): how many it has. */
static int newest(void *arg, const struct order_summary *o)
{
	*(long long *)arg = o->created_at - 1000 + 1;
	return 1;
}

static int one_event(void *arg, const struct order_event *e)
{
	return one(arg, e);
}

static const char *const first[] = {"Marko", "Jelena", "Đorđe", "Ana", "Nikola", "Milica", "Stefan"};
static const char *const stems[] = {"Petrov", "Jovanov", "Đurašk", "Il", "Nikol", "Markov", "Stojan",
				    "Pavlov", "Simeun", "Lazar", "Mitrov", "Kost", "Tod", "Živk"};
static const char *const offices[] = {"BG", "NS", "NI"};
/* Names searched: a page found at every size.  "simeun3 nik" finds
 * nothing (Simeun... are all Jelena): its longest word's range is read
 * whole. */
static const char *const names[] = {"markov17", "simeun3"};
static const int states[] = {WF_CONFIRMED, WF_DOCS_RECEIVED, WF_PAID, WF_ISSUED};

static void seed_to(struct store *st, long long account, long long *have, long long want)
{
	struct order o;
	long long i;

	while (*have < want) {
		store_begin(st);
		for (i = 0; i < 10000 && *have < want; i++, ++*have) {
			memset(&o, 0, sizeof(o));
			o.account_id = account;
			o.type = 1;
			o.state = (enum wf_state)states[*have % 4];
			snprintf(o.first_name, sizeof(o.first_name), "%s", first[*have % 7]);
			snprintf(o.last_name, sizeof(o.last_name), "%s%lldić", stems[*have % 14],
				 (*have / 14) % 40);
			snprintf(o.jmbg, sizeof(o.jmbg), "%013d",
				 (int)(1000000 + *have % 100000000));
			snprintf(o.license_number, sizeof(o.license_number), "%d",
				 (int)(100000000 + *have % 100000000));
			snprintf(o.office, sizeof(o.office), "%s", offices[*have % 3]);
			o.created_at = o.updated_at = 1000 + *have;
			if (store_order_create(st, &o) != STORE_OK ||
			    store_order_event_add(st, o.id, o.state, "member", "", o.created_at) !=
				    STORE_OK) {
				fprintf(stderr, "seed failed at %lld\n", *have);
				exit(1);
			}
		}
		if (store_commit(st) != STORE_OK)
			exit(1);
	}
}

/* A session of kind for account id; its cookie value into token. */
static int session_open(struct store *st, enum session_kind kind, long long id, char token[65])
{
	struct session s;

	memset(&s, 0, sizeof(s));
	token_new(token, s.id_hash);
	s.kind = kind;
	s.account_id = id;
	s.created_at = s.last_seen_at = time(NULL);
	return store_session_add(st, &s);
}

/* GROWTH_SESSIONS: the member's and an administrator's sessions, and
 * how many orders there are, into path. */
static int sessions_write(struct store *st, long long account, long long have, const char *path)
{
	struct operator op;
	char member[65], staff[65];
	FILE *f;

	if (store_operator_by_username(st, "growth-admin", &op) != STORE_OK) {
		memset(&op, 0, sizeof(op));
		snprintf(op.username, sizeof(op.username), "growth-admin");
		snprintf(op.password_hash, sizeof(op.password_hash), "$argon2id$x");
		snprintf(op.role, sizeof(op.role), "admin");
		snprintf(op.totp_secret, sizeof(op.totp_secret), "JBSWY3DPEHPK3PXP");
		op.active = 1;
		op.created_at = time(NULL);
		if (store_operator_create(st, &op) != STORE_OK)
			return -1;
	}
	if (session_open(st, SESSION_MEMBER, account, member) != STORE_OK ||
	    session_open(st, SESSION_OPERATOR, op.id, staff) != STORE_OK ||
	    (f = fopen(path, "w")) == NULL)
		return -1;
	fprintf(f, "%s %s %lld\n", member, staff, have);
	return fclose(f) == 0 ? 0 : -1;
}

/* Run i of each call on st (account's, have orders), into t[0..4]. */
static void time_once(struct store *st, long long account, long long have, int i, double t[5])
{
	struct order o;
	struct order_filter f;
	long long n = 0, total;
	double t0;
	int j;

	t0 = now_ms();
	store_order_each_owned(st, account, 20, one_summary, &n);
	t[0] = now_ms() - t0;
	t0 = now_ms();
	store_order_get_owned(st, 1 + (i * 7919) % have, account, &o);
	store_order_events(st, o.id, one_event, &n);
	t[1] = now_ms() - t0;
	memset(&f, 0, sizeof(f));
	f.office = offices[i % 3];
	f.states[f.nstates++] = "documents_received";
	f.limit = 20;
	t0 = now_ms();
	store_office_orders(st, &f, &total, one_order, &n);
	t[2] = now_ms() - t0;
	for (j = 0; j < 2; j++) {
		memset(&f, 0, sizeof(f));
		f.q = j == 0 ? names[i % 2] : "simeun3 nik";
		f.limit = 20;
		t0 = now_ms();
		store_office_orders(st, &f, &total, one_order, &n);
		t[3 + j] = now_ms() - t0;
	}
}

#define DBS_MAX 8
/* Runs of one store before the next takes its turn (time_sizes). */
#define BLOCK 10
/* The orders an order page reads, in turn: the 50 bench/run's
 * scenario 3 over HTTP reads at each size. */
#define PAGES 50
_Static_assert(RUNS % BLOCK == 0, "whole blocks");

/* The medians of RUNS runs of each call on each of the ndb stores
 * (st[d]: account[d]'s, have[d] orders) into med[d][0..4].  The stores
 * take turns, BLOCK runs each, forwards and then backwards, after one
 * untimed block each: so that the host's drift falls on every size
 * alike, and each call runs as a portal serving it runs it, its pages
 * warm from the call before.  Timed a size at a time (50 runs, then the
 * next size), the same code's ratios moved between 0.68 and 1.26 in
 * runs minutes apart on one host. */
static void time_sizes(int ndb, struct store **st, const long long *account,
		       const long long *have, double med[][5])
{
	static double t[DBS_MAX][5][RUNS];
	double one[5];
	int i, d, k, x, b;

	for (d = 0; d < ndb; d++)
		for (i = 0; i < BLOCK; i++)
			time_once(st[d], account[d], have[d], i % PAGES, one);
	for (b = 0; b < RUNS / BLOCK; b++)
		for (x = 0; x < ndb; x++) {
			d = b % 2 == 0 ? x : ndb - 1 - x;
			for (i = b * BLOCK; i < (b + 1) * BLOCK; i++) {
				time_once(st[d], account[d], have[d], i % PAGES, one);
				for (k = 0; k < 5; k++)
					t[d][k][i] = one[k];
			}
		}
	for (d = 0; d < ndb; d++)
		for (k = 0; k < 5; k++) {
			qsort(t[d][k], RUNS, sizeof(double), cmp);
			med[d][k] = t[d][k][RUNS / 2];
		}
}

static void print_row(long long have, const double med[5])
{
	printf("%10lld %12.3f %12.3f %12.3f %12.3f %12.3f\n", have, med[0], med[1], med[2], med[3],
	       med[4]);
	fflush(stdout);
}

static void print_head(void)
{
	printf("%10s %12s %12s %12s %12s %12s\n", "orders", "member_list", "order_page", "queue",
	       "search", "search_none");
}

/* --time DB...: each seeded before, timed in turn (time_sizes). */
static int time_in_turn(int ndb, char **paths)
{
	struct store *st[DBS_MAX];
	struct account a[DBS_MAX];
	long long have[DBS_MAX], account[DBS_MAX];
	double med[DBS_MAX][5];
	char err[256];
	int d;

	if (ndb < 1 || ndb > DBS_MAX) {
		fprintf(stderr, "--time takes 1 to %d databases\n", DBS_MAX);
		return 2;
	}
	for (d = 0; d < ndb; d++) {
		have[d] = 0;
		/* store_open would make a new database at a wrong path. */
		if (access(paths[d], R_OK | W_OK) != 0 ||
		    store_open(&st[d], paths[d], err, sizeof(err)) != STORE_OK ||
		    store_account_by_username(st[d], "ana", &a[d]) != STORE_OK ||
		    store_order_each_owned(st[d], a[d].id, 1, newest, &have[d]) != STORE_OK ||
		    have[d] < 1) {
			fprintf(stderr, "%s: not a database seeded by this program\n", paths[d]);
			return 1;
		}
		account[d] = a[d].id;
	}
	time_sizes(ndb, st, account, have, med);
	print_head();
	for (d = 0; d < ndb; d++) {
		print_row(have[d], med[d]);
		store_close(st[d]);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct store *st;
	struct member m = {0};
	struct account a = {0};
	enum member_upsert up;
	double med[5];
	long long have = 0;
	char err[256];
	int k, applied;

	if (argc >= 2 && strcmp(argv[1], "--time") == 0)
		return time_in_turn(argc - 2, argv + 2);
	if (argc < 3) {
		fprintf(stderr, "usage: %s DB SIZE... | --time DB...\n", argv[0]);
		return 2;
	}
	if (store_open(&st, argv[1], err, sizeof(err)) != STORE_OK ||
	    store_migrate(st, &applied, err, sizeof(err)) != STORE_OK) {
		fprintf(stderr, "%s: %s\n", argv[1], err);
		return 1;
	}
	snprintf(m.license_number, sizeof(m.license_number), "315678901");
	snprintf(m.first_name, sizeof(m.first_name), "Ana");
	snprintf(m.last_name, sizeof(m.last_name), "Ilić");
	snprintf(m.jmbg, sizeof(m.jmbg), "1203978711237");
	snprintf(m.email, sizeof(m.email), "ana@example.rs");
	snprintf(a.username, sizeof(a.username), "ana");
	snprintf(a.password_hash, sizeof(a.password_hash), "$argon2id$x");
	snprintf(a.email, sizeof(a.email), "ana@example.rs");
	if (store_account_by_username(st, "ana", &a) == STORE_OK) /* seeded before */
		store_order_each_owned(st, a.id, 1, newest, &have);
	else if (store_member_upsert(st, &m, &up) != STORE_OK ||
		 store_member_by_license(st, "315678901", &m) != STORE_OK ||
		 (a.member_id = m.id, store_account_create(st, &a)) != STORE_OK) {
		fprintf(stderr, "%s: not a new database\n", argv[1]);
		return 1;
	}
	print_head();
	for (k = 2; k < argc; k++) {
		seed_to(st, a.id, &have, atoll(argv[k]));
		time_sizes(1, &st, &a.id, &have, &med);
		print_row(have, med);
	}
	if (getenv("GROWTH_SESSIONS") != NULL &&
	    sessions_write(st, a.id, have, getenv("GROWTH_SESSIONS")) != 0) {
		fprintf(stderr, "%s: cannot open the sessions\n", getenv("GROWTH_SESSIONS"));
		return 1;
	}
	store_close(st);
	return 0;
}
