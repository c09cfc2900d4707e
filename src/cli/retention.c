/*
 * qcra retention run [--dry-run] [--as-of YYYY-MM-DD]: deletes or
 * anonymises what has passed its retention period (app/retention.h),
 * daily from a systemd timer; --dry-run only says what would go,
 * --as-of runs as on that day (a preview of what later runs will do).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/retention.h"
#include "cli/cli.h"
#include "core/catalog_load.h"
#include "core/secret.h"
#include "store/store.h"

static const char retention_usage[] =
	"usage: qcra retention run [--dry-run] [--as-of YYYY-MM-DD] [--config FILE] [--var DIR]\n"
	"Deletes drafts never confirmed, blanks the personal data of orders that ended\n"
	"without a certificate and of registration records whose certificate expired\n"
	"long enough ago, and deletes delivered mail, old one-time links and dead\n"
	"sessions: each after its retention_* period (qcra.conf(5)).  Each run is\n"
	"recorded in the audit log.\n"
	"  --dry-run          say what would go; change nothing\n"
	"  --as-of DATE       as on that day (UTC) instead of today\n";

/* "YYYY-MM-DD" as the start of that day, UTC; -1 when it is not one. */
static time_t parse_day(const char *s)
{
	struct tm tm;
	char *end;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%d", &tm);
	if (end == NULL || *end != '\0' || strlen(s) != 10)
		return -1;
	t = timegm(&tm);
	/* strptime takes 2030-02-31; timegm would carry it into March. */
	{
		struct tm back;

		gmtime_r(&t, &back);
		if (back.tm_mday != tm.tm_mday || back.tm_mon != tm.tm_mon)
			return -1;
	}
	return t;
}

int cli_retention(int argc, char **argv)
{
	const char *config_path = NULL, *var = NULL, *as_of_text = NULL;
	int dry = 0, rest, rc;
	const struct opt opts[] = {
		CLI_CONFIG_OPTS(&config_path, &var),
		{"dry-run", 0, NULL, &dry},
		{"as-of", 0, &as_of_text, NULL},
		{NULL, 0, NULL, NULL},
	};
	struct actor who = {ACTOR_SYSTEM, 0, "retention", "", LANG_SR};
	struct retention_counts n;
	struct app_env env = {0};
	static struct catalog cat; /* large: not on the stack */
	unsigned char key[32];
	char err[256], day[16];
	time_t now = time(NULL), as_of = now;
	struct config cfg;
	struct store *st;
	struct tm tm;

	if ((rc = cli_subcommand(argc, argv, "run", retention_usage)) != OPTS_GO_ON)
		return rc;
	if ((rc = opts_parse(argc - 1, argv + 1, opts, retention_usage, &rest)) != OPTS_GO_ON)
		return rc;
	if (rest != argc - 1) {
		fputs(retention_usage, stderr);
		return 2;
	}
	if (as_of_text != NULL && (as_of = parse_day(as_of_text)) == -1) {
		fprintf(stderr, "qcra: --as-of %s: give the date as YYYY-MM-DD, e.g. 2031-01-31\n",
			as_of_text);
		return 2;
	}
	if (cli_config_load(&cfg, config_path, var) != 0)
		return 1;
	if (catalog_load(&cat, &cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "qcra: %s\n", err);
		return 1;
	}
	if ((st = cli_open_store(&cfg)) == NULL)
		return 1;
	if (secret_load(cfg.var_dir, key, err, sizeof(err)) != 0) {
		fprintf(stderr, "qcra: %s\n", err);
		store_close(st);
		return 1;
	}
	env.cfg = &cfg;
	env.catalog = &cat;
	env.store = st;
	env.secret = key;
	rc = uc_retention_run(&env, &who, as_of, now, dry, &n);
	store_close(st);
	if (rc != STORE_OK) {
		fprintf(stderr, "qcra: retention stopped on a database error (see the log); "
				"nothing was changed, run it again\n");
		return 1;
	}
	gmtime_r(&as_of, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	printf("retention run as of %s%s\n", day, dry ? " (dry run: nothing was changed)" : "");
	printf("  drafts deleted: %lld (not confirmed within %d days)\n", n.drafts,
	       cfg.retention_draft_days);
	printf("  closed orders anonymised: %lld (ended without a certificate over %d days ago)\n",
	       n.closed, cfg.retention_closed_days);
	printf("  registration records anonymised: %lld (certificate expired over %d years ago)\n",
	       n.registrations, cfg.retention_registration_years);
	printf("  delivered mail deleted: %lld (over %d days ago)\n", n.mail,
	       cfg.retention_mail_days);
	printf("  one-time links deleted: %lld (used or expired over %d days ago)\n", n.tokens,
	       cfg.retention_token_days);
	printf("  sessions deleted: %lld (expired)\n", n.sessions);
	return 0;
}
