/*
 * Moving an installation from one database to another (issue 17, point
 * 3; qcra store copy, cli/store.c): every table of one store copied
 * into another, SQLite to PostgreSQL or back, rows as they are stored
 * (sealed fields stay sealed, the audit chain's hashes and MACs stay
 * the same), so that `qcra audit verify` passes on the copy.
 */
#ifndef QCRA_STORE_COPY_H
#define QCRA_STORE_COPY_H

#include <stddef.h>

#include "store/store.h"

/* What store_copy did to one table. */
struct store_copy_table {
	const char *name;
	long long from_rows; /* the source's rows */
	long long to_rows;   /* the target's, counted after the copy */
};

/*
 * Copies from into to.  The target is migrated first to the source's
 * schema version (store_migrate_upto) and must then hold no row in any
 * table; the copy is one transaction on the target, read from one
 * snapshot of the source; each identity sequence is set past the
 * largest id copied; every table's rows are counted on both sides
 * before the commit, which happens only when they agree.  each (may be
 * NULL) is called for every table, in the order copied.
 * STORE_OK; STORE_CONFLICT when the target is not empty or at another
 * schema version; STORE_ERROR (err says why, nothing written).
 */
int store_copy(struct store *from, struct store *to,
	       void (*each)(void *arg, const struct store_copy_table *t), void *arg, char *err,
	       size_t errlen);

/* The number of tables st's database has (0: a new, empty database)
 * into *n.  STORE_OK or STORE_ERROR. */
int store_tables(struct store *st, long long *n);

/*
 * The PostgreSQL URL url as libpq's environment ("PGHOST=...",
 * "PGPASSWORD=...", one for each setting it makes) into env[max]
 * (NULL-ended; free with store_pg_env_free), and its database's name
 * into dbname: for a child (pg_dump, pg_restore) that must not be given
 * the URL in its arguments, where ps shows it.  0, or -1 with err (not
 * a URL, a setting with no variable, or a build without PostgreSQL).
 */
int store_pg_env(const char *url, char **env, size_t max, char *dbname, size_t dbsize, char *err,
		 size_t errlen);
void store_pg_env_free(char **env);

#endif
