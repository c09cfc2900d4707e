/*
 * What the SQLite driver (db_sqlite.c) offers besides struct db_driver:
 * the raw connection, for the store's own tests of SQLite's settings
 * (checkpoints, the allocator, binding limits).  Not for the area files.
 */
#ifndef QCRA_STORE_DB_SQLITE_H
#define QCRA_STORE_DB_SQLITE_H

#include <sqlite3.h>

struct store;

/* This thread's SQLite connection of st (a read scope ended first);
 * NULL when st is not on SQLite or no connection can be had. */
sqlite3 *db_sqlite_handle(struct store *st);

/* Defines qcra_fold and qcra_fp_key on db (db_sqlite_fn.c), for the
 * driver's connections; SQLITE_OK or SQLite's error code. */
int db_sqlite_functions(sqlite3 *db);

#endif
