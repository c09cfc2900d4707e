/*
 * qcra payments import: records a bank statement file (CSV export or
 * camt.053 XML) as payments, exactly as the import page does, for
 * files larger than a web form may carry.  One transaction: the whole
 * file is recorded or nothing is; importing the same file again
 * records nothing twice.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/cli.h"
#include "core/catalog_load.h"
#include "core/i18n.h"
#include "domain/statement.h"
#include "store/store.h"
#include "store/store_payments.h"
#include "app/payments.h"

static const char payments_usage[] =
	"usage: qcra payments import [--config FILE] [--var DIR] [--by USER]\n"
	"                            [--format auto|csv|camt.053] FILE\n"
	"Records the credit lines of a bank statement (CSV export or ISO 20022 camt.053)\n"
	"as payments, matched to orders by their model 97 reference; orders paid in full\n"
	"move to \"payment received\".  Partial payments, overpayments and unknown\n"
	"references are kept for resolution at /ra/payments/unresolved.  Lines imported\n"
	"before are not recorded again.  --by names the staff account answerable for\n"
	"the import (recorded as cli:USER; default cli).\n";

/* The statement file (larger ones are to be split), or NULL after
 * saying why. */
static char *read_statement(const char *path, size_t *len)
{
	char err[PATH_MAX + 128],
		*data = cli_read_file(path, STMT_MAX_BYTES, len, err, sizeof(err));

	if (data == NULL)
		fprintf(stderr, "qcra: %s\n", err);
	return data;
}

/* The staff account --by names must exist, be active and may record
 * payments.  0 or -1 (reported). */
static int check_by(struct store *st, const char *by)
{
	struct operator o;

	if (store_operator_by_username(st, by, &o) != STORE_OK) {
		fprintf(stderr, "qcra: --by: no staff account \"%s\"\n", by);
		return -1;
	}
	if (!o.active || strcmp(o.role, "auditor") == 0) {
		fprintf(stderr, "qcra: --by: %s is %s and cannot record payments\n", by,
			o.active ? "an auditor" : "disabled");
		return -1;
	}
	return 0;
}

static void print_report(struct store *st, const struct pay_import_result *res, double secs)
{
	struct stmt_import *imp = calloc(1, sizeof(*imp));

	if (imp == NULL || store_import_get(st, res->import_id, imp) != STORE_OK) {
		printf("import %lld recorded\n", res->import_id);
		free(imp);
		return;
	}
	printf("import %lld: %s (%s), %.2f s\n", imp->id, imp->file_name, imp->format, secs);
	printf("  credit lines read       %lld\n", imp->lines);
	printf("  payments recorded       %lld\n", imp->added);
	printf("  recorded before         %lld\n", imp->duplicates);
	printf("  lines with errors       %lld\n", imp->errors);
	printf("  skipped (debits, ...)   %lld\n", imp->skipped);
	printf("  orders paid in full     %lld\n", imp->settled);
	printf("  left for resolution     %lld\n", imp->unresolved);
	if (res->same_file)
		printf("the same file was imported before as import %lld\n", res->same_file);
	if (imp->error_lines[0]) {
		const char *p = imp->error_lines;
		struct pay_error_line e;

		printf("errors:\n");
		while (pay_error_line_next(&p, &e) == 0)
			if (e.line > 0)
				printf("line %lld: %s\n", e.line, e.text);
			else
				printf("%s\n", e.text);
	}
	free(imp);
}

static int payments_import_cmd(int argc, char **argv)
{
	const char *by = NULL, *format_name = NULL, *config_path = NULL, *var = NULL, *path;
	const struct opt opts[] = {
		CLI_CONFIG_OPTS(&config_path, &var),
		{"by", 0, &by, NULL},
		{"format", 0, &format_name, NULL},
		{NULL, 0, NULL, NULL},
	};
	char actor[96], *data = NULL, err[256];
	struct pay_import_result res;
	struct actor who = {ACTOR_SYSTEM, 0, "", "", LANG_SR};
	struct pay_ctx x = {0};
	struct timespec t0, t1;
	struct config cfg;
	struct store *st = NULL;
	int rest, rc, format = STMT_AUTO, status = 1;
	size_t len = 0;

	if ((rc = opts_parse(argc, argv, opts, payments_usage, &rest)) != OPTS_GO_ON)
		return rc;
	if (format_name != NULL)
		for (format = 0; format < STMT__MAX; format++)
			if (strcmp(format_name, stmt_format_name((enum stmt_format)format)) == 0)
				break;
	if (format == STMT__MAX) {
		fprintf(stderr,
			"qcra: payments import: no statement format \"%s\"; give auto, csv or "
			"camt.053\n",
			format_name);
		return 2;
	}
	if (rest != argc - 1 || (by != NULL && (*by == '\0' || strlen(by) > 60))) {
		fputs(payments_usage, stderr);
		return 2;
	}
	path = argv[rest];
	if (cli_config_load(&cfg, config_path, var) != 0)
		return 1;
	if (catalog_messages_load(&cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "qcra: messages: %s\n", err);
		return 1;
	}
	statement_global_init();
	if ((data = read_statement(path, &len)) == NULL || (st = cli_open_store(&cfg)) == NULL)
		goto out;
	/* The import is durable at its commit; copying its pages from the
	 * WAL into the database is left to the portal (store.h). */
	store_checkpoints_leave(st);
	if (by != NULL && check_by(st, by) != 0)
		goto out;
	snprintf(actor, sizeof(actor), "cli%s%s", by ? ":" : "", by ? by : "");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	who.name = actor;
	x.st = st;
	x.role = WF_SYSTEM;
	x.who = &who;
	x.now = time(NULL);
	rc = payments_import(&x, strrchr(path, '/') ? strrchr(path, '/') + 1 : path, data, len,
			     format, &res);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc == STORE_NOTFOUND)
		fprintf(stderr, "qcra: %s was not imported: %s\n", path, res.why);
	else if (rc != STORE_OK)
		fprintf(stderr,
			"qcra: %s was not imported: database error (see above); nothing "
			"was recorded, run it again\n",
			path);
	else {
		print_report(st, &res,
			     (double)(t1.tv_sec - t0.tv_sec) +
				     (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
		status = 0;
	}
out:
	store_close(st);
	free(data);
	i18n_free();
	return status;
}

int cli_payments(int argc, char **argv)
{
	int rc = cli_subcommand(argc, argv, "import", payments_usage);

	return rc != OPTS_GO_ON ? rc : payments_import_cmd(argc - 1, argv + 1);
}
