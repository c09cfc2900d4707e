/*
 * qcra demo seed: fills a database with a deterministic demo data set
 * (members, confirmed accounts with one known password, orders in every
 * state of the workflow with their status history), for demonstrations
 * and for the benchmarks in bench/.
 *
 * The same --seed and --today give the same members, accounts and
 * orders (ids, names, JMBGs, states and dates; only the password hash's
 * salt differs), so benchmark runs are comparable.  Dates lie before
 * --today (default: the current UTC date) and agree with the expiry
 * policy: orders still open (states the expiry job acts on) were
 * confirmed within the last order_expiry_days, so a portal started on
 * the data has nothing to expire; finished ones spread over two years.
 *
 * Speed: the password is hashed once (Argon2id) and the hash shared by
 * every account; rows go in a few large transactions, so one fsync
 * covers thousands of rows.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "core/catalog_load.h"
#include "core/pwhash.h"
#include "domain/catalog.h"
#include "domain/ident.h"
#include "domain/workflow.h"
#include "store/store.h"
#include "util/embedded.h"

#define DEMO_PASSWORD "demo-lozinka-2026"

static const char demo_usage[] =
	"usage: qcra demo seed [--config FILE] [--var DIR] --members N --orders N [--seed S]\n"
	"                      [--today YYYY-MM-DD] [--password PW]\n"
	"Adds N demo members (license numbers DEMO-000001...), one confirmed account per\n"
	"member (usernames demo00001..., all with the same password, default\n"
	"\"" DEMO_PASSWORD "\"), and N orders spread round-robin over the accounts, in\n"
	"every state of the workflow with their history, dated before --today (default\n"
	"today, UTC).  Deterministic for a given seed (default 1) and day.  Refuses a\n"
	"database that already holds the demo members.\n";

#define DAY 86400LL
#define HISTORY_DAYS 730 /* finished orders: confirmed up to two years back */
#define ORDERS_PER_TX 25000
#define DEMO_MAX 9999999

/* ---- Deterministic randomness (splitmix64) -------------------------------- */

struct rng {
	uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n); n > 0.  The modulo bias is irrelevant for demo data. */
static unsigned rng_below(struct rng *r, unsigned n)
{
	return (unsigned)(rng_next(r) % n);
}

#define PICK(r, a) ((a)[rng_below((r), sizeof(a) / sizeof((a)[0]))])

/* ---- Names and places ---------------------------------------------------------- */

static const char *const male_names[] = {
	"Marko",    "Nikola", "Stefan", "Miloš", "Đorđe", "Aleksandar", "Nemanja",
	"Vladimir", "Dušan",  "Žarko",  "Petar", "Lazar", "Uroš",       "Vuk",
	"Bojan",    "Dragan", "Zoran",  "Goran", "Milan", "Branislav",
};
static const char *const female_names[] = {
	"Ana",     "Jelena",  "Milica",   "Marija",   "Jovana",   "Ivana",  "Tamara",
	"Dragana", "Snežana", "Kristina", "Katarina", "Ljiljana", "Nataša", "Teodora",
	"Sanja",   "Gordana", "Biljana",  "Vesna",    "Đurđa",    "Maja",
};
static const char *const last_names[] = {
	"Jovanović", "Petrović",  "Nikolić",     "Marković", "Đorđević", "Stojanović", "Ilić",
	"Stanković", "Pavlović",  "Milošević",   "Popović",  "Đurić",    "Živković",   "Todorović",
	"Kostić",    "Savić",     "Mitrović",    "Ristić",   "Lukić",    "Vasić",      "Šarić",
	"Tomić",     "Obradović", "Radovanović", "Čolić",
};

static const struct {
	const char *city, *postal;
} places[] = {
	{"Beograd", "11000"},  {"Novi Sad", "21000"}, {"Niš", "18000"},   {"Kragujevac", "34000"},
	{"Subotica", "24000"}, {"Kraljevo", "36000"}, {"Čačak", "32000"}, {"Zrenjanin", "23000"},
	{"Pančevo", "26000"},  {"Valjevo", "14000"},
};
static const char *const streets[] = {
	"Bulevar oslobođenja",
	"Kneza Miloša",
	"Njegoševa",
	"Cara Dušana",
	"Vojvode Stepe",
	"Kralja Petra I",
	"Žarka Zrenjanina",
	"Svetog Save",
	"Takovska",
	"Bulevar despota Stefana",
};
static const char *const companies[] = {
	"Projekt Inženjering d.o.o.",  "Konstruktor Plus d.o.o.", "Hidrogradnja a.d.",
	"Elektroprojekt Sever d.o.o.", "Most i Put d.o.o.",       "Arhitekta Studio d.o.o.",
	"Geodetski Biro Tačka d.o.o.", "Termoinženjering d.o.o.",
};
static const char *const positions[] = {"direktor", "odgovorni projektant", "izvođač radova",
					"rukovodilac projekta"};

/* Copies src into dst[size], cut to fit (the demo values always fit). */
static void copy(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* ---- Valid identifiers ------------------------------------------------------ */

/* A JMBG born 1950-2004 in Serbia (regions 70-99) with its check digit. */
static void make_jmbg(struct rng *r, int female, char out[14])
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	unsigned d, m, y, k;
	char tmp[64];

	for (;;) {
		y = 1950 + rng_below(r, 55);
		m = 1 + rng_below(r, 12);
		d = 1 + rng_below(r, (unsigned)mdays[m - 1]);
		snprintf(tmp, sizeof(tmp), "%02u%02u%03u%02u%03u0", d, m, y % 1000,
			 70 + rng_below(r, 30), (female ? 500 : 0) + rng_below(r, 500));
		memcpy(out, tmp, 13);
		out[13] = '\0';
		for (k = 0; k <= 9; k++) {
			out[12] = (char)('0' + k);
			if (jmbg_check(out) == JMBG_OK)
				return;
		}
		/* Remainder 1: no such JMBG is assigned; draw another. */
	}
}

static void make_pib(struct rng *r, char out[10])
{
	int k;

	snprintf(out, 10, "1%07u0", rng_below(r, 10000000));
	for (k = 0; k <= 9; k++) {
		out[8] = (char)('0' + k);
		if (pib_valid(out))
			return;
	}
}

static void make_mb(struct rng *r, char out[9])
{
	int k;

	snprintf(out, 9, "2%06u0", rng_below(r, 1000000));
	for (k = 0; k <= 9; k++) {
		out[7] = (char)('0' + k);
		if (mb_check(out) == MB_OK)
			return;
	}
}

/* ---- Order histories ------------------------------------------------------------ */

/* Where seeded orders end up, in percent; each path is a walk through
 * the workflow table from a confirmed draft. */
static const struct {
	int weight;
	enum wf_event ev[8];
	int n;
} paths[] = {
	{20, {WF_EV_CONFIRM}, 1},
	{5, {WF_EV_CONFIRM, WF_EV_EXPIRE}, 2},
	{5, {WF_EV_CONFIRM, WF_EV_CANCEL}, 2},
	{10, {WF_EV_CONFIRM, WF_EV_DOCS_OK}, 2},
	{10, {WF_EV_CONFIRM, WF_EV_PAYMENT}, 2},
	{5, {WF_EV_CONFIRM, WF_EV_DOCS_OK, WF_EV_PAYMENT}, 3},
	{5, {WF_EV_CONFIRM, WF_EV_DOCS_MISSING}, 2},
	{5, {WF_EV_CONFIRM, WF_EV_PAYMENT, WF_EV_DOCS_OK, WF_EV_VERIFY}, 4},
	{5, {WF_EV_CONFIRM, WF_EV_PAYMENT, WF_EV_DOCS_OK, WF_EV_VERIFY, WF_EV_SEND}, 5},
	{5,
	 {WF_EV_CONFIRM, WF_EV_PAYMENT, WF_EV_DOCS_OK, WF_EV_VERIFY, WF_EV_SEND, WF_EV_ISSUE},
	 6},
	{5,
	 {WF_EV_CONFIRM, WF_EV_PAYMENT, WF_EV_DOCS_OK, WF_EV_VERIFY, WF_EV_SEND, WF_EV_ISSUE,
	  WF_EV_ARRIVE},
	 7},
	{15,
	 {WF_EV_CONFIRM, WF_EV_PAYMENT, WF_EV_DOCS_OK, WF_EV_VERIFY, WF_EV_SEND, WF_EV_ISSUE,
	  WF_EV_ARRIVE, WF_EV_HAND_OVER},
	 8},
	{5, {WF_EV_CONFIRM, WF_EV_DOCS_OK, WF_EV_REJECT}, 3},
};
#define NPATHS (sizeof(paths) / sizeof(paths[0]))

static const enum wf_role roles[] = {WF_MEMBER, WF_OPERATOR, WF_SYSTEM, WF_CA};

/* Who makes event ev in state s: the first role the table allows, with
 * the actor name recorded in the history.  -1 when nobody may. */
static int step(enum wf_state s, enum wf_event ev, const char *member, const char **actor)
{
	size_t i;
	int to;

	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if ((to = workflow_next(s, ev, roles[i])) >= 0) {
			*actor = roles[i] == WF_MEMBER     ? member
				 : roles[i] == WF_OPERATOR ? "demo-operator"
				 : roles[i] == WF_CA       ? "ca"
							   : "system";
			return to;
		}
	return -1;
}

static const char *event_note(enum wf_event ev)
{
	if (ev == WF_EV_REJECT)
		return "documents not legible";
	if (ev == WF_EV_EXPIRE)
		return "not completed in time";
	return "";
}

/* 1 when path p ends in a state the expiry job acts on. */
static int path_open(size_t p)
{
	enum wf_state st = WF_DRAFT;
	const char *actor;
	int j, to;

	for (j = 0; j < paths[p].n; j++) {
		if ((to = step(st, paths[p].ev[j], "", &actor)) < 0)
			return 0; /* seed_order reports the broken path */
		st = (enum wf_state)to;
	}
	return workflow_next(st, WF_EV_EXPIRE, WF_SYSTEM) >= 0;
}

/* ---- Seeding ----------------------------------------------------------------- */

struct seed {
	struct store *st;
	struct catalog cat;
	struct rng rng;
	long members, orders;
	char hash[PWHASH_STRBYTES];
	long long *account_ids; /* [members] */
	long long *member_ids;
	long per_state[WF_STATE__MAX];
	time_t today;                      /* 00:00 UTC of the reference day */
	int expiry_days;                   /* order_expiry_days of the configuration */
	long long first_order, last_order; /* ids */
};

static int seed_members(struct seed *s)
{
	enum member_upsert outcome;
	struct account a;
	struct member m;
	time_t at;
	long i;
	int female;

	if (store_begin(s->st) != STORE_OK)
		return -1;
	for (i = 0; i < s->members; i++) {
		memset(&m, 0, sizeof(m));
		female = (int)rng_below(&s->rng, 2);
		snprintf(m.license_number, sizeof(m.license_number), "DEMO-%06ld", i + 1);
		snprintf(m.first_name, sizeof(m.first_name), "%s",
			 female ? PICK(&s->rng, female_names) : PICK(&s->rng, male_names));
		snprintf(m.last_name, sizeof(m.last_name), "%s", PICK(&s->rng, last_names));
		make_jmbg(&s->rng, female, m.jmbg);
		snprintf(m.email, sizeof(m.email), "demo%05ld@members.example", i + 1);
		if (store_member_upsert(s->st, &m, &outcome) != STORE_OK ||
		    store_member_by_license(s->st, m.license_number, &m) != STORE_OK)
			goto fail;
		memset(&a, 0, sizeof(a));
		a.member_id = m.id;
		snprintf(a.username, sizeof(a.username), "demo%05ld", i + 1);
		memcpy(a.password_hash, s->hash, sizeof(a.password_hash));
		snprintf(a.email, sizeof(a.email), "%s", m.email);
		snprintf(a.lang, sizeof(a.lang), "%s", rng_below(&s->rng, 10) ? "sr" : "en");
		at = (time_t)(s->today - (HISTORY_DAYS + 30) * DAY +
			      (long long)rng_below(&s->rng, 30 * DAY));
		a.created_at = at;
		if (store_account_create(s->st, &a) != STORE_OK ||
		    store_account_confirm(s->st, a.id, at + 600) != STORE_OK)
			goto fail;
		s->member_ids[i] = m.id;
		s->account_ids[i] = a.id;
	}
	return store_commit(s->st) == STORE_OK ? 0 : -1;
fail:
	store_rollback(s->st);
	return -1;
}

/* The order as its member filled it in: the holder is the member. */
static void fill_order(struct seed *s, struct order *o, const struct member *m)
{
	struct rng *r = &s->rng;
	unsigned p = rng_below(r, sizeof(places) / sizeof(places[0]));

	memset(o, 0, sizeof(*o));
	o->type = rng_below(r, 5) == 0 ? ORDER_LEGAL : ORDER_NATURAL;
	copy(o->first_name, sizeof(o->first_name), m->first_name);
	copy(o->last_name, sizeof(o->last_name), m->last_name);
	copy(o->jmbg, sizeof(o->jmbg), m->jmbg);
	snprintf(o->id_type, sizeof(o->id_type), "%s",
		 rng_below(r, 10) == 0 ? "passport" : "id_card");
	snprintf(o->id_number, sizeof(o->id_number), "%09u", rng_below(r, 1000000000));
	snprintf(o->id_issuer, sizeof(o->id_issuer), "PU %s", places[p].city);
	snprintf(o->street, sizeof(o->street), "%s %u", PICK(r, streets), 1 + rng_below(r, 150));
	snprintf(o->postal_code, sizeof(o->postal_code), "%s", places[p].postal);
	snprintf(o->city, sizeof(o->city), "%s", places[p].city);
	copy(o->email, sizeof(o->email), m->email);
	snprintf(o->phone, sizeof(o->phone), "+3816%u%07u", rng_below(r, 7),
		 rng_below(r, 10000000));
	copy(o->license_number, sizeof(o->license_number), m->license_number);
	snprintf(o->office, sizeof(o->office), "%s",
		 s->cat.offices[rng_below(r, (unsigned)s->cat.noffices)].code);
	snprintf(o->validity, sizeof(o->validity), "%s",
		 s->cat.tariff[rng_below(r, (unsigned)s->cat.ntariff)].code);
	o->card_reader = rng_below(r, 3) == 0;
	if (o->type == ORDER_LEGAL) {
		unsigned q = rng_below(r, sizeof(places) / sizeof(places[0]));

		snprintf(o->position, sizeof(o->position), "%s", PICK(r, positions));
		snprintf(o->company_name, sizeof(o->company_name), "%s", PICK(r, companies));
		make_mb(r, o->company_mb);
		make_pib(r, o->company_pib);
		snprintf(o->company_street, sizeof(o->company_street), "%s %u", PICK(r, streets),
			 1 + rng_below(r, 150));
		snprintf(o->company_postal_code, sizeof(o->company_postal_code), "%s",
			 places[q].postal);
		snprintf(o->company_city, sizeof(o->company_city), "%s", places[q].city);
		snprintf(o->company_email, sizeof(o->company_email), "office%u@company.example",
			 rng_below(r, 1000));
	}
}

/* One order: created as a draft, then walked along a path of the
 * workflow, each step a compare-and-set transition with its history
 * entry, some hours to days after the one before. */
static int seed_order(struct seed *s, long i)
{
	long k = i % s->members;
	unsigned pick = rng_below(&s->rng, 100), acc = 0;
	const char *actor;
	char member[32]; /* "demo" + any long */
	struct invoice inv;
	struct member m;
	struct order o;
	enum wf_state st = WF_DRAFT;
	size_t p;
	time_t at;
	int j, to, open;

	if (store_member_get(s->st, s->member_ids[k], &m) != STORE_OK)
		return -1;
	snprintf(member, sizeof(member), "demo%05ld", k + 1);
	for (p = 0; p + 1 < NPATHS; p++)
		if (pick < (acc += (unsigned)paths[p].weight))
			break;
	fill_order(s, &o, &m);
	o.account_id = s->account_ids[k];
	o.state = WF_DRAFT;
	/* Open at the end of its path: confirmed 2 .. expiry_days - 1 days
	 * ago, its steps hours apart; finished: up to two years ago. */
	open = path_open(p);
	if (open)
		at = s->today -
		     (time_t)(1 + rng_below(&s->rng, s->expiry_days > 3 ? s->expiry_days - 2 : 1)) *
			     DAY -
		     (time_t)rng_below(&s->rng, DAY);
	else
		at = s->today -
		     (time_t)(s->expiry_days + 45 + rng_below(&s->rng, HISTORY_DAYS)) * DAY -
		     (time_t)rng_below(&s->rng, DAY);
	o.created_at = o.updated_at = at;
	if (invoice_compute(&o, &s->cat, &inv) != 0 || store_order_create(s->st, &o) != STORE_OK ||
	    store_order_event_add(s->st, o.id, o.state, member, "", at) != STORE_OK)
		return -1;
	for (j = 0; j < paths[p].n; j++) {
		if ((to = step(st, paths[p].ev[j], member, &actor)) < 0) {
			fprintf(stderr, "qcra: demo: no transition %s from %s\n",
				wf_event_name(paths[p].ev[j]), wf_state_name(st));
			return -1;
		}
		if (paths[p].ev[j] == WF_EV_EXPIRE)
			at += (time_t)(s->expiry_days + 1) * DAY;
		else if (j == 0)
			at += 60 + (time_t)rng_below(&s->rng, 3600);
		else if (open)
			at += 600 + (time_t)rng_below(&s->rng, 12 * 3600);
		else
			at += 3600 + (time_t)rng_below(&s->rng, 5 * DAY);
		if (store_order_transition(s->st, o.id, st, (enum wf_state)to,
					   j == 0 ? inv.total_para : 0, j == 0 ? at : 0,
					   at) != STORE_OK ||
		    store_order_event_add(s->st, o.id, (enum wf_state)to, actor,
					  event_note(paths[p].ev[j]), at) != STORE_OK)
			return -1;
		st = (enum wf_state)to;
	}
	s->per_state[st]++;
	if (s->first_order == 0)
		s->first_order = o.id;
	s->last_order = o.id;
	return 0;
}

static int seed_orders(struct seed *s)
{
	long i;

	for (i = 0; i < s->orders; i++) {
		if (i % ORDERS_PER_TX == 0 && store_begin(s->st) != STORE_OK)
			return -1;
		if (seed_order(s, i) != 0) {
			store_rollback(s->st);
			return -1;
		}
		if ((i + 1) % ORDERS_PER_TX == 0 || i + 1 == s->orders) {
			if (store_commit(s->st) != STORE_OK) {
				store_rollback(s->st);
				return -1;
			}
		}
	}
	return 0;
}

static int load_catalog(const struct config *cfg, struct catalog *cat)
{
	char err[512];

	if (catalog_load(cat, cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "qcra: %s\n", err);
		return -1;
	}
	return 0;
}

/* YYYY-MM-DD as 00:00 UTC of that day.  Returns 0 or -1. */
static int parse_day(const char *v, time_t *out)
{
	struct tm tm;
	char *end;

	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(v, "%Y-%m-%d", &tm)) == NULL || *end != '\0')
		return -1;
	*out = timegm(&tm);
	return *out == (time_t)-1 ? -1 : 0;
}

/* A count: 1..DEMO_MAX.  Returns 0 or -1. */
static int parse_count(const char *v, long *out)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (*v == '\0' || *end != '\0' || n < 1 || n > DEMO_MAX)
		return -1;
	*out = n;
	return 0;
}

static int seed_run(struct seed *s, const struct config *cfg, const char *password)
{
	struct timespec t0, t1, t2;
	struct tm tm;
	char day[16];
	int st;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (load_catalog(cfg, &s->cat) != 0)
		return 1;
	if (pwhash_make(s->hash, password) != 0) {
		fprintf(stderr, "qcra: demo: password hashing failed (out of memory?)\n");
		return 1;
	}
	if ((s->st = cli_open_store(cfg)) == NULL)
		return 1;
	{
		struct member probe;

		if (store_member_by_license(s->st, "DEMO-000001", &probe) != STORE_NOTFOUND) {
			fprintf(stderr,
				"qcra: demo: %s/qcra.db already holds demo members; seed "
				"a fresh --var directory\n",
				cfg->var_dir);
			return 1;
		}
	}
	if (seed_members(s) != 0) {
		fprintf(stderr, "qcra: demo: adding members failed; nothing added\n");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (seed_orders(s) != 0) {
		fprintf(stderr, "qcra: demo: adding orders failed (members and accounts stay)\n");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t2);
	printf("members:  %ld (license DEMO-000001..DEMO-%06ld), %.2f s\n", s->members, s->members,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	printf("accounts: %ld confirmed (demo00001..demo%05ld), password \"%s\"\n", s->members,
	       s->members, password);
	printf("orders:   %ld (ids %lld..%lld), round-robin over the accounts, %zu offices, "
	       "%.2f s\n",
	       s->orders, s->first_order, s->last_order, s->cat.noffices,
	       (double)(t2.tv_sec - t1.tv_sec) + (double)(t2.tv_nsec - t1.tv_nsec) / 1e9);
	strftime(day, sizeof(day), "%Y-%m-%d", gmtime_r(&s->today, &tm));
	printf("dates:    before %s; open orders confirmed within the last %d days "
	       "(order_expiry_days)\n",
	       day, s->expiry_days);
	for (st = 0; st < WF_STATE__MAX; st++)
		if (s->per_state[st])
			printf("  %-22s %ld\n", wf_state_name((enum wf_state)st), s->per_state[st]);
	printf("first account: demo00001 (member id %lld, account id %lld)\n", s->member_ids[0],
	       s->account_ids[0]);
	return 0;
}

int cli_demo(int argc, char **argv)
{
	static const struct option opts[] = {
		{"members", required_argument, NULL, 'm'},
		{"orders", required_argument, NULL, 'o'},
		{"seed", required_argument, NULL, 's'},
		{"password", required_argument, NULL, 'p'},
		{"today", required_argument, NULL, 't'},
		{"config", required_argument, NULL, 'c'},
		{"var", required_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char *common[5] = {"demo"};
	const char *password = DEMO_PASSWORD;
	struct seed s;
	struct config cfg;
	int c, ncommon = 1, rc, next;
	long seed = 1;

	if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
		fputs(demo_usage, stdout);
		return 0;
	}
	if (argc < 2 || strcmp(argv[1], "seed") != 0) {
		fputs(demo_usage, stderr);
		return 2;
	}
	memset(&s, 0, sizeof(s));
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "+m:o:s:t:p:c:v:h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (parse_count(optarg, &s.members) != 0)
				goto usage;
			break;
		case 'o':
			if (parse_count(optarg, &s.orders) != 0)
				goto usage;
			break;
		case 's':
			seed = strtol(optarg, NULL, 10);
			break;
		case 'p':
			password = optarg;
			break;
		case 't':
			if (parse_day(optarg, &s.today) != 0)
				goto usage;
			break;
		case 'c':
		case 'v':
			if (ncommon + 2 > (int)(sizeof(common) / sizeof(common[0])))
				goto usage;
			common[ncommon++] = c == 'c' ? "--config" : "--var";
			common[ncommon++] = optarg;
			break;
		case 'h':
			fputs(demo_usage, stdout);
			return 0;
		default:
			goto usage;
		}
	}
	if (optind != argc - 1 || s.members == 0 || s.orders == 0)
		goto usage;
	if ((rc = cli_config(&cfg, ncommon, common, 0, demo_usage, &next)) != 0)
		return rc;
	s.rng.s = (uint64_t)seed;
	if (s.today == 0)
		s.today = time(NULL) / DAY * DAY;
	s.expiry_days = cfg.order_expiry_days;
	s.member_ids = calloc((size_t)s.members, sizeof(*s.member_ids));
	s.account_ids = calloc((size_t)s.members, sizeof(*s.account_ids));
	if (s.member_ids == NULL || s.account_ids == NULL)
		abort();
	rc = seed_run(&s, &cfg, password);
	store_close(s.st);
	free(s.member_ids);
	free(s.account_ids);
	return rc;
usage:
	fputs(demo_usage, stderr);
	return 2;
}
