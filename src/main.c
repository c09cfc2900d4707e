/*
 * qcra: the registration authority portal.  One binary, subcommands.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "ca/ca_cli.h"
#include "cli/cli.h"
#include "version.h"

static const char usage[] =
	"usage: qcra COMMAND [OPTIONS]\n"
	"\n"
	"Commands:\n"
	"  serve            run the portal (HTTP)\n"
	"  migrate          apply database migrations\n"
	"  member import    load the chamber's member register from a CSV file\n"
	"  ca init|serve|pin-letter  the certification authority service\n"
	"  operator add     create a registration authority staff account\n"
	"  audit verify     check the audit log's chain against its anchors\n"
	"  audit anchor     append the audit log's head to the anchor file, print it\n"
	"  audit rekey      start the next audit key epoch\n"
	"  orders expire    expire orders not completed in time\n"
	"  testca issue|fail  TEST CA (tests, demo): issue submitted registrations, or fail\n"
	"  demo seed        fill a database with deterministic demo data\n"
	"  payments import  record a bank statement file (CSV or camt.053) as payments\n"
	"  retention run    delete or anonymise what has passed its retention period\n"
	"  backup FILE      one archive of the database, secret.key and the CA's folder\n"
	"  restore FILE     unpack a backup into an empty folder (--var DIR)\n"
	"  store copy       copy the database into another (SQLite to PostgreSQL or back)\n"
	"  config man|example  qcra.conf(5) as roff, or a configuration file of every key\n"
	"\n"
	"  qcra COMMAND --help   options of a command\n"
	"  qcra --version        print the version\n";

/* The commands, each given its own arguments (argv[0]: its name). */
static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{"serve", cli_serve},         {"migrate", cli_migrate},
	{"member", cli_member},       {"ca", cli_ca},
	{"operator", cli_operator},   {"audit", cli_audit},
	{"orders", cli_orders},       {"testca", cli_testca},
	{"demo", cli_demo},           {"payments", cli_payments},
	{"retention", cli_retention}, {"backup", cli_backup},
	{"restore", cli_restore},     {"config", cli_config_doc},
	{"store", cli_store},
};

int main(int argc, char **argv)
{
	size_t i;

	/* Whatever a command creates (the database, its WAL, VAR/secret.key,
	 * mail, the CA's files) is the portal user's alone, whatever umask
	 * it was started with; files also name their mode where made. */
	umask(077);
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("qcra %s\n", QCRA_VERSION);
		return 0;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "qcra: libsodium failed to initialise\n");
		return 1;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "qcra: unknown command \"%s\"\n\n%s", argv[1], usage);
	return 2;
}
