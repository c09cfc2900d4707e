/*
 * qcra store copy --from DB --to DB (issue 17, point 3): an
 * installation moved from SQLite to PostgreSQL, or back, with every
 * table as it is (store/store_copy.h).  A database is "sqlite:PATH" or
 * a postgresql:// URL.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store.h"
#include "store/store_copy.h"

static const char store_usage[] =
	"usage: qcra store copy --from DB --to DB\n"
	"Copies every table of one database into another, empty one, in one transaction:\n"
	"from SQLite to PostgreSQL or back.  A database is sqlite:PATH (the file VAR/qcra.db)\n"
	"or a postgresql:// URL.  The target is first migrated to the source's schema\n"
	"version; rows are counted on both sides and printed.  Stop the portal first, and\n"
	"afterwards check the copy: QCRA_DATABASE=URL qcra audit verify --var VAR.\n"
	"  --from DB          the database copied\n"
	"  --to DB            the new database (empty)\n";

/* db as store_open takes it: the path of "sqlite:PATH", a URL as it is;
 * NULL when it is neither. */
static const char *target_of(const char *db)
{
	if (strncmp(db, "sqlite:", 7) == 0 && db[7] != '\0')
		return db + 7;
	if (strncmp(db, "postgresql://", 13) == 0 || strncmp(db, "postgres://", 11) == 0)
		return db;
	return NULL;
}

static void print_table(void *arg, const struct store_copy_table *t)
{
	(void)arg;
	printf("  %-20s %10lld rows, %10lld copied\n", t->name, t->from_rows, t->to_rows);
}

int cli_store(int argc, char **argv)
{
	const char *from = NULL, *to = NULL, *src, *dst;
	const struct opt opts[] = {
		{"from", 0, &from, NULL},
		{"to", 0, &to, NULL},
		{NULL, 0, NULL, NULL},
	};
	struct store *a = NULL, *b = NULL;
	char err[512];
	int rc, rest;

	if ((rc = cli_subcommand(argc, argv, "copy", store_usage)) != OPTS_GO_ON)
		return rc;
	if ((rc = opts_parse(argc - 1, argv + 1, opts, store_usage, &rest)) != OPTS_GO_ON)
		return rc;
	if (rest != argc - 1 || from == NULL || to == NULL) {
		fputs(store_usage, stderr);
		return 2;
	}
	if ((src = target_of(from)) == NULL || (dst = target_of(to)) == NULL) {
		fprintf(stderr,
			"qcra: store copy: %s is not a database: give sqlite:PATH or a "
			"postgresql:// URL\n",
			src == NULL ? from : to);
		return 2;
	}
	if (strcmp(src, dst) == 0) {
		fprintf(stderr, "qcra: store copy: --from and --to name the same database\n");
		return 2;
	}
	if (store_open(&a, src, err, sizeof(err)) != STORE_OK) {
		fprintf(stderr, "qcra: store copy: source: %s\n", err);
		return 1;
	}
	if (store_open(&b, dst, err, sizeof(err)) != STORE_OK) {
		fprintf(stderr, "qcra: store copy: target: %s\n", err);
		store_close(a);
		return 1;
	}
	/* A URL is not printed: it may hold a password. */
	printf("copying %s into %s\n", src == from ? "PostgreSQL" : from,
	       dst == to ? "PostgreSQL" : to);
	rc = store_copy(a, b, print_table, NULL, err, sizeof(err));
	store_close(b);
	store_close(a);
	if (rc != STORE_OK) {
		fprintf(stderr, "qcra: store copy: %s; nothing was copied\n", err);
		return 1;
	}
	printf("copied; every table's rows agree\n");
	return 0;
}
