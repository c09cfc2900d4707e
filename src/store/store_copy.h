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

#endif
