/*
 * qcra audit verify|anchor|rekey: the audit log's chain checked against
 * its anchors, its head anchored outside the database, and a new key
 * epoch started (domain/audit.h, jobs/audit.h).
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "core/secret.h"
#include "app/audit.h"
#include "store/store.h"

static const char audit_usage[] =
	"usage: qcra audit verify [--anchor FILE] [--config FILE] [--var DIR]\n"
	"       qcra audit anchor [--anchor FILE] [--config FILE] [--var DIR]\n"
	"       qcra audit rekey [--config FILE] [--var DIR]\n"
	"verify  checks the audit log's chain (keyed entries by their HMAC under a key\n"
	"        derived from VAR/secret.key, older unkeyed ones by their SHA-256) against\n"
	"        the anchors in FILE (default VAR/" JOBS_ANCHOR_FILE "): names the first bad\n"
	"        entry or the range of missing entries.  Exit status 0 intact, 1 broken.\n"
	"anchor  appends the head of the chain (last id, count, hash) to FILE and prints\n"
	"        the line: keep a copy away from this machine and verify with --anchor.\n"
	"        The portal appends one at start, each minute the log grew, at shutdown.\n"
	"rekey   starts the next audit key epoch, recorded in the chain (chain.rekey).\n";

/* Splits argv (argv[0] "audit", argv[1] the command) into --anchor and
 * the options cli_config reads.  0, or 2 after printing the usage. */
static int audit_args(int argc, char **argv, struct config *cfg, const char **anchor)
{
	char *cfgv[16];
	int i, cfgc = 0, next, rc;

	*anchor = NULL;
	cfgv[cfgc++] = argv[1];
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--anchor") == 0 && i + 1 < argc)
			*anchor = argv[++i];
		else if (strncmp(argv[i], "--anchor=", 9) == 0)
			*anchor = argv[i] + 9;
		else if (cfgc < 15)
			cfgv[cfgc++] = argv[i];
		else
			goto usage;
	}
	cfgv[cfgc] = NULL;
	if ((rc = cli_config(cfg, cfgc, cfgv, 0, audit_usage, &next)) != 0)
		return rc;
	if (next == cfgc)
		return 0;
usage:
	fputs(audit_usage, stderr);
	return 2;
}

static void print_verdict(const struct jobs_audit_check *c, const char *path)
{
	const struct audit_verify *v = &c->v;
	char when[32];
	struct tm tm;

	if (c->bad_line > 0) {
		printf("audit anchor file BROKEN: %s line %ld %s\n", path, c->bad_line,
		       c->forged ? "does not carry this installation's MAC (changed, or "
				   "written by another installation)"
				 : "is not an anchor line");
		return;
	}
	if (v->verdict == AUDIT_BAD_ENTRY) {
		printf("audit log BROKEN at entry %lld: %s\n", v->bad_id, v->why);
		return;
	}
	if (v->verdict == AUDIT_MISSING) {
		if (v->missing_from == v->missing_to)
			printf("audit log BROKEN: entry %lld missing (%s)\n", v->missing_from,
			       v->why);
		else
			printf("audit log BROKEN: entries %lld-%lld missing (%s)\n",
			       v->missing_from, v->missing_to, v->why);
		return;
	}
	printf("audit log intact: %lld entries, head id %lld", v->count, v->last_id);
	if (v->keyed_from > 0)
		printf("; keyed from entry %lld, key epoch %d", v->keyed_from, v->epoch);
	else if (v->count > 0)
		printf("; unkeyed");
	if (c->no_anchor_file)
		printf("; no anchor file %s: a cut at the end would not show\n", path);
	else if (c->anchors == 0)
		printf("; %s holds no anchor yet\n", path);
	else {
		gmtime_r(&c->latest.at, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
		printf("; agrees with the %zu anchor line%s in %s, the latest of %s (head id "
		       "%lld)\n",
		       c->anchors, c->anchors == 1 ? "" : "s", path, when, c->latest.head.id);
	}
}

static int audit_run(const char *cmd, const struct config *cfg, const char *anchor)
{
	unsigned char secret[SECRET_LEN];
	char path[700], err[900], line[AUDIT_ANCHOR_MAX];
	struct jobs_audit_check c;
	struct audit_entry e;
	struct store *st;
	int rc = 1;

	if ((st = cli_open_store(cfg)) == NULL)
		return 1;
	if (secret_load(cfg->var_dir, secret, err, sizeof(err)) != 0) {
		fprintf(stderr, "qcra: %s\n", err);
		goto out;
	}
	snprintf(path, sizeof(path), "%s/%s", cfg->var_dir, JOBS_ANCHOR_FILE);
	if (anchor != NULL)
		snprintf(path, sizeof(path), "%s", anchor);
	if (strcmp(cmd, "verify") == 0) {
		if (jobs_audit_verify(st, secret, path, anchor != NULL, &c, err, sizeof(err)) != 0)
			fprintf(stderr, "qcra: %s\n", err);
		else {
			print_verdict(&c, path);
			rc = c.bad_line == 0 && c.v.verdict == AUDIT_INTACT ? 0 : 1;
		}
	} else if (strcmp(cmd, "anchor") == 0) {
		if (jobs_audit_anchor(st, secret, path, time(NULL), NULL, line, sizeof(line), err,
				      sizeof(err)) < 0)
			fprintf(stderr, "qcra: %s\n", err);
		else {
			fputs(line, stdout);
			rc = 0;
		}
	} else {
		memset(&e, 0, sizeof(e));
		e.at = time(NULL);
		snprintf(e.actor, sizeof(e.actor), "cli");
		snprintf(e.outcome, sizeof(e.outcome), "ok");
		if (store_audit_rekey(st, &e) != STORE_OK)
			fprintf(stderr, "qcra: cannot start a new audit key epoch\n");
		else {
			printf("audit key epoch %d starts at entry %lld\n", e.key_epoch, e.id);
			rc = 0;
		}
	}
out:
	sodium_memzero(secret, sizeof(secret));
	store_close(st);
	return rc;
}

int cli_audit(int argc, char **argv)
{
	struct config cfg;
	const char *anchor;
	int rc;

	if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
		fputs(audit_usage, stdout);
		return 0;
	}
	if (argc < 2 || (strcmp(argv[1], "verify") != 0 && strcmp(argv[1], "anchor") != 0 &&
			 strcmp(argv[1], "rekey") != 0)) {
		fputs(audit_usage, stderr);
		return 2;
	}
	if ((rc = audit_args(argc, argv, &cfg, &anchor)) != 0)
		return rc;
	if (anchor != NULL && strcmp(argv[1], "rekey") == 0) {
		fputs(audit_usage, stderr);
		return 2;
	}
	return audit_run(argv[1], &cfg, anchor);
}
