/*
 * Back office commands:
 *   qcra orders expire   expires orders not completed in time (the job
 *                        the server also runs periodically)
 *   qcra testca issue    the TEST CA (tests and demo only) issues the
 *                        submitted registrations and ships them
 *   qcra testca fail     makes the TEST CA refuse submissions
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "connector/connector.h"
#include "core/catalog_load.h"
#include "core/i18n.h"
#include "app/jobs.h"
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
	char *cfgv[8], err[256];
	struct config cfg;
	struct store *st;
	int rc, cfgc, next, n;

	if ((argc >= 2 && strcmp(argv[1], "--help") == 0) ||
	    (argc >= 3 && strcmp(argv[1], "expire") == 0 && strcmp(argv[2], "--help") == 0)) {
		fputs(orders_usage, stdout);
		return 0;
	}
	if (argc < 2 || strcmp(argv[1], "expire") != 0) {
		fputs(orders_usage, stderr);
		return 2;
	}
	cli_split_config(argc - 1, argv + 1, cfgv, &cfgc);
	if (!cli_only_blanks(argc - 1, argv + 1, 1)) {
		fputs(orders_usage, stderr);
		return 2;
	}
	if ((rc = cli_config(&cfg, cfgc, cfgv, 0, orders_usage, &next)) != 0)
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

static int testca_issue_cmd(int argc, char **argv, const struct config *cfg)
{
	static const struct option opts[] = {
		{"order", required_argument, NULL, 'o'},
		{"all", no_argument, NULL, 'a'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	long long order_id = 0;
	int c, all = 0, issued = 0, shipments = 0, rc;
	struct store *st;
	char err[256], *end;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			order_id = strtoll(optarg, &end, 10);
			if (*end != '\0' || order_id <= 0) {
				fprintf(stderr, "qcra: --order takes an order number\n");
				return 2;
			}
			break;
		case 'a':
			all = 1;
			break;
		case 'h':
			fputs(testca_usage, stdout);
			return 0;
		default:
			fputs(testca_usage, stderr);
			return 2;
		}
	}
	if (!cli_only_blanks(argc, argv, optind) || (all && order_id != 0) ||
	    (!all && order_id == 0)) {
		fputs(testca_usage, stderr);
		return 2;
	}
	if ((st = cli_open_store(cfg)) == NULL)
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

static int testca_fail_cmd(int argc, char **argv, const struct config *cfg)
{
	static const struct option opts[] = {
		{"message", required_argument, NULL, 'm'},
		{"refuse", required_argument, NULL, 'r'},
		{"off", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *message = NULL, *code = NULL;
	int c, off = 0, rc;
	struct store *st;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			message = optarg;
			break;
		case 'r':
			code = optarg;
			break;
		case 'f':
			off = 1;
			break;
		case 'h':
			fputs(testca_usage, stdout);
			return 0;
		default:
			fputs(testca_usage, stderr);
			return 2;
		}
	}
	if (!cli_only_blanks(argc, argv, optind) || off == (message != NULL) ||
	    (message && (*message == '\0' || strlen(message) > 200))) {
		fputs(testca_usage, stderr);
		return 2;
	}
	if ((st = cli_open_store(cfg)) == NULL)
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
	char *cfgv[8];
	struct config cfg;
	int rc, cfgc, next;

	if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
		fputs(testca_usage, stdout);
		return 0;
	}
	if (argc < 2 || (strcmp(argv[1], "issue") != 0 && strcmp(argv[1], "fail") != 0)) {
		fputs(testca_usage, stderr);
		return 2;
	}
	cli_split_config(argc - 1, argv + 1, cfgv, &cfgc);
	if ((rc = cli_config(&cfg, cfgc, cfgv, 0, testca_usage, &next)) != 0)
		return rc;
	if (strcmp(cfg.ca_connector, "testca") != 0) {
		fprintf(stderr, "qcra: testca: this portal uses ca_connector = %s, not testca\n",
			cfg.ca_connector);
		return 1;
	}
	if (strcmp(argv[1], "issue") == 0)
		return testca_issue_cmd(argc - 1, argv + 1, &cfg);
	return testca_fail_cmd(argc - 1, argv + 1, &cfg);
}
