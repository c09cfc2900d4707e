/*
 * Demo data (`qcra demo seed`, cli/demo.c): deterministic members,
 * confirmed accounts with one known password, and orders in every
 * state of the workflow with their status history, for demonstrations
 * and for the benchmarks in bench/.
 *
 * The same seed and day give the same members, accounts and orders
 * (ids, names, JMBGs, states and dates; only the password hash's salt
 * differs).  Dates lie before the day and agree with the expiry
 * policy: orders still open (states the expiry job acts on) were
 * confirmed within the last order_expiry_days, so a portal started on
 * the data has nothing to expire; finished ones spread over two years.
 *
 * Speed: the password is hashed once (Argon2id, by the caller) and the
 * hash shared by every account; rows go in a few large transactions,
 * so one fsync covers thousands of rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/demo.h"
#include "domain/ident.h"
#include "util/log.h"

#define DAY 86400LL
#define HISTORY_DAYS 730 /* finished orders: confirmed up to two years back */
#define ORDERS_PER_TX 25000

/* ---- Deterministic randomness (splitmix64) -------------------------------- */

static uint64_t rng_next(struct demo_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n); n > 0.  The modulo bias is irrelevant for demo data. */
static unsigned rng_below(struct demo_rng *r, unsigned n)
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

static int jmbg_ok(const char *s)
{
	return jmbg_check(s) == JMBG_OK;
}

static int mb_ok(const char *s)
{
	return mb_check(s) == MB_OK;
}

/* Sets out[pos] to the first digit that makes ok(out) true: 0, or -1
 * when none does (out[pos] is then '9'). */
static int check_digit(char *out, size_t pos, int (*ok)(const char *))
{
	int k;

	for (k = 0; k <= 9; k++) {
		out[pos] = (char)('0' + k);
		if (ok(out))
			return 0;
	}
	return -1;
}

/* A JMBG born 1950-2004 in Serbia (regions 70-99) with its check digit. */
static void make_jmbg(struct demo_rng *r, int female, char out[14])
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	unsigned d, m, y;
	char tmp[64];

	/* Remainder 1: no such JMBG is assigned; draw another. */
	do {
		y = 1950 + rng_below(r, 55);
		m = 1 + rng_below(r, 12);
		d = 1 + rng_below(r, (unsigned)mdays[m - 1]);
		snprintf(tmp, sizeof(tmp), "%02u%02u%03u%02u%03u0", d, m, y % 1000,
			 70 + rng_below(r, 30), (female ? 500 : 0) + rng_below(r, 500));
		memcpy(out, tmp, 13);
		out[13] = '\0';
	} while (check_digit(out, 12, jmbg_ok) != 0);
}

static void make_pib(struct demo_rng *r, char out[10])
{
	snprintf(out, 10, "1%07u0", rng_below(r, 10000000));
	check_digit(out, 8, pib_valid);
}

static void make_mb(struct demo_rng *r, char out[9])
{
	snprintf(out, 9, "2%06u0", rng_below(r, 1000000));
	check_digit(out, 7, mb_ok);
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

int uc_demo_members(struct demo_seed *s)
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
static void fill_order(struct demo_seed *s, struct order *o, const struct member *m)
{
	struct demo_rng *r = &s->rng;
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
static int seed_order(struct demo_seed *s, long i)
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
			log_warnx("demo: no transition %s from %s", wf_event_name(paths[p].ev[j]),
				  wf_state_name(st));
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

int uc_demo_orders(struct demo_seed *s)
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
