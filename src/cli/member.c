/*
 * qcra member import FILE.csv: loads the chamber's member register
 * through the use case uc_member_import (app/member.c), printing what
 * it says of each row.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/member.h"
#include "cli/cli.h"
#include "store/store.h"

static const char member_usage[] =
	"usage: qcra member import [--config FILE] [--var DIR] FILE.csv\n"
	"Loads the member register: UTF-8 CSV with a header row naming at least\n"
	"license_number, first_name, last_name, jmbg, email (any order; other columns\n"
	"are ignored).  Re-importing updates members by license number.\n"
	"License numbers are stored without spaces, '-' and '.' (\"315 6789 01\" is\n"
	"315678901).  Names are stored as a certificate will say them: spaces joined,\n"
	"Serbian Cyrillic written in Serbian Latin (each such row is listed); a name\n"
	"that cannot appear in a certificate is kept as written and listed.\n"
	"Exit status: 0 all rows loaded, 3 some rows rejected (listed), 1 error.\n";

/* The register's file at most (a register of 100,000 members is ~10 MB). */
#define MEMBER_FILE_MAX ((size_t)256 << 20)

static void print_note(void *arg, size_t line, const char *text)
{
	(void)arg;
	printf("line %zu: %s\n", line, text);
}

static int import(struct store *st, const char *path)
{
	struct member_import n;
	char *data, err[PATH_MAX + 128];
	size_t len;
	int rc;

	if ((data = cli_read_file(path, MEMBER_FILE_MAX, &len, err, sizeof(err))) == NULL) {
		fprintf(stderr, "qcra: %s\n", err);
		return 1;
	}
	rc = uc_member_import(st, path, data, len, print_note, NULL, &n, err, sizeof(err));
	free(data);
	if (rc != 0) {
		fprintf(stderr, "qcra: %s\n", err);
		return 1;
	}
	printf("added %ld, updated %ld, unchanged %ld, rejected %ld; names written in Latin %ld, "
	       "kept as written %ld\n",
	       n.added, n.updated, n.unchanged, n.rejected, n.latin, n.kept);
	return n.rejected ? 3 : 0;
}

int cli_member(int argc, char **argv)
{
	struct config cfg;
	struct store *st;
	int rc;

	if ((rc = cli_sub_config(&cfg, argc, argv, "import", 1, member_usage)) != OPTS_GO_ON)
		return rc;
	if ((st = cli_open_store(&cfg)) == NULL)
		return 1;
	rc = import(st, argv[argc - 1]);
	store_close(st);
	return rc;
}
