/*
 * qcra demo seed: fills a database with a deterministic demo data set
 * (members, confirmed accounts with one known password, orders in every
 * state of the workflow with their status history), for demonstrations
 * and for the benchmarks in bench/: the options read here, the data
 * made by the use cases of app/demo.c.  The same --seed and --today
 * give the same data, so benchmark runs are comparable.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/demo.h"
#include "cli/cli.h"
#include "core/catalog_load.h"
#include "store/store.h"

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
#define DEMO_MAX 9999999

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

static int seed_run(struct demo_seed *s, const struct config *cfg, const char *password)
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
	if ((s->st = cli_open_store_new(cfg)) == NULL)
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
	if (uc_demo_members(s) != 0) {
		fprintf(stderr, "qcra: demo: adding members failed; nothing added\n");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (uc_demo_orders(s) != 0) {
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
	const char *members = NULL, *orders = NULL, *seed = NULL, *today = NULL;
	const char *password = DEMO_PASSWORD, *config_path = NULL, *var = NULL;
	const struct opt opts[] = {
		{"members", 'm', &members, NULL},
		{"orders", 'o', &orders, NULL},
		{"seed", 's', &seed, NULL},
		{"password", 'p', &password, NULL},
		{"today", 't', &today, NULL},
		CLI_CONFIG_OPTS(&config_path, &var),
		{NULL, 0, NULL, NULL},
	};
	struct demo_seed s;
	struct config cfg;
	int rc, rest;

	memset(&s, 0, sizeof(s));
	if ((rc = cli_subcommand(argc, argv, "seed", demo_usage)) != OPTS_GO_ON ||
	    (rc = opts_parse(argc - 1, argv + 1, opts, demo_usage, &rest)) != OPTS_GO_ON)
		return rc;
	if (rest != argc - 1 || members == NULL || parse_count(members, &s.members) != 0 ||
	    orders == NULL || parse_count(orders, &s.orders) != 0 ||
	    (today != NULL && parse_day(today, &s.today) != 0))
		goto usage;
	if (cli_config_load(&cfg, config_path, var) != 0)
		return 1;
	s.rng.s = (uint64_t)(seed ? strtol(seed, NULL, 10) : 1);
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
