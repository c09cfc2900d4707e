/*
 * Back office commands:
 *   qcra orders expire   expires orders not completed in time (the job
 *                        the server also runs periodically)
 *   qcra testca issue    the TEST CA (tests and demo only) issues the
 *                        submitted registrations and ships them
 *   qcra testca fail     makes the TEST CA refuse submissions
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "connector/connector.h"
#include "core/catalog_load.h"
#include "core/i18n.h"
#include "app/jobs.h"
#include "app/testca.h"
#include "store/store.h"

static const char orders_usage[] =
	"usage: qcra orders expire [--config FILE] [--var DIR]\n"
	"Moves orders confirmed more than order_expiry_days ago and still waiting for\n"
	"documents or payment to \"expired\", and mails their members.\n";

static const char testca_usage[] =
	"usage: qcra testca issue [--order N | --all] [--config FILE] [--var DIR]\n"
	"       qcra testca fail (--message TEXT [--refuse CODE] | --off) [--config FILE]\n"
	"                        [--var DIR]\n"
	"The TEST CA, for tests and the demo only (ca_connector = testca).\n"
	"issue: issues the registrations sent to it (one order, or all), moves the\n"
	"       orders to \"issued\" and ships them to their pickup offices.\n"
	"fail:  every submission fails with TEXT until --off; with --refuse it is\n"
	"       refused as the CA service refuses one, CODE being its reason\n"
	"       (invalid_organization, invalid_given_name, ...: docs/ca-api.md).\n";

int cli_orders(int argc, char **argv)
{
	char err[256];
	struct config cfg;
	struct store *st;
	int rc, n;

	if ((rc = cli_sub_config(&cfg, argc, argv, "expire", 0, orders_usage)) != OPTS_GO_ON)
		return rc;
	if (catalog_messages_load(&cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "qcra: messages: %s\n", err);
		return 1;
	}
	if ((st = cli_open_store(&cfg)) == NULL) {
		i18n_free();
		return 1;
	}
	n = jobs_expire_orders(st, &cfg, time(NULL));
	store_close(st);
	i18n_free();
	if (n < 0) {
		fprintf(stderr, "qcra: expiry stopped on a database error (see the log); what "
				"was done stays done, run it again\n");
		return 1;
	}
	printf("expired %d order(s) not completed within %d days\n", n, cfg.order_expiry_days);
	return 0;
}

/* The store of a testca command, whose configuration must name the
 * TEST CA; NULL after reporting why. */
static struct store *testca_store(const char *config_path, const char *var)
{
	struct config cfg;

	if (cli_config_load(&cfg, config_path, var) != 0)
		return NULL;
	if (strcmp(cfg.ca_connector, "testca") != 0) {
		fprintf(stderr,
			"qcra: testca: this portal uses %s%s, not the TEST CA (ca_connector = "
			"testca)\n",
			*cfg.ca_connector ? "ca_connector = "
					  : "no CA connector (ca_connector unset)",
			cfg.ca_connector);
		return NULL;
	}
	return cli_open_store(&cfg);
}

static int testca_issue_cmd(int argc, char **argv)
{
	const char *order = NULL, *config_path = NULL, *var = NULL;
	int all = 0, issued = 0, shipments = 0, rc, rest;
	const struct opt opts[] = {
		{"order", 0, &order, NULL},
		{"all", 0, NULL, &all},
		CLI_CONFIG_OPTS(&config_path, &var),
		{NULL, 0, NULL, NULL},
	};
	long long order_id = 0;
	struct store *st;
	char err[256], *end;

	if ((rc = opts_parse(argc, argv, opts, testca_usage, &rest)) != OPTS_GO_ON)
		return rc;
	if (order != NULL) {
		order_id = strtoll(order, &end, 10);
		if (*end != '\0' || order_id <= 0) {
			fprintf(stderr, "qcra: --order takes an order number\n");
			return 2;
		}
	}
	if (rest != argc || (all && order_id != 0) || (!all && order_id == 0)) {
		fputs(testca_usage, stderr);
		return 2;
	}
	if ((st = testca_store(config_path, var)) == NULL)
		return 1;
	rc = testca_issue(st, order_id, time(NULL), &issued, &shipments, err, sizeof(err));
	store_close(st);
	if (rc != 0) {
		fprintf(stderr, "qcra: testca: %s\n", err);
		return 1;
	}
	printf("test CA issued %d certificate(s) in %d shipment(s)\n", issued, shipments);
	return 0;
}

static int testca_fail_cmd(int argc, char **argv)
{
	const char *message = NULL, *code = NULL, *config_path = NULL, *var = NULL;
	int off = 0, rc, rest;
	const struct opt opts[] = {
		{"message", 0, &message, NULL}, {"refuse", 0, &code, NULL},
		{"off", 0, NULL, &off},         CLI_CONFIG_OPTS(&config_path, &var),
		{NULL, 0, NULL, NULL},
	};
	struct store *st;

	if ((rc = opts_parse(argc, argv, opts, testca_usage, &rest)) != OPTS_GO_ON)
		return rc;
	if (rest != argc || off == (message != NULL) ||
	    (message && (*message == '\0' || strlen(message) > 200))) {
		fputs(testca_usage, stderr);
		return 2;
	}
	if ((st = testca_store(config_path, var)) == NULL)
		return 1;
	rc = testca_fail_submissions(st, off ? NULL : message, code);
	store_close(st);
	if (rc != 0) {
		fprintf(stderr, "qcra: testca: database error\n");
		return 1;
	}
	printf(off ? "test CA accepts submissions\n" : "test CA refuses submissions\n");
	return 0;
}

int cli_testca(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
		fputs(testca_usage, stdout);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "issue") == 0)
		return testca_issue_cmd(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "fail") == 0)
		return testca_fail_cmd(argc - 1, argv + 1);
	fputs(testca_usage, stderr);
	return 2;
}
