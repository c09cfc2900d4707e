/*
 * The fixture of the store's unit tests: a migrated database, SQLite's
 * VAR/t.db in a fresh temporary directory, or with QCRA_TEST_STORE_PG
 * set (the tests' `_pg` runs, under tests/tools/with-pg) a fresh
 * PostgreSQL database on QCRA_TEST_PG's server; removed afterwards.
 * Tests use it as their cmocka state (struct fx).
 */
#ifndef QCRA_TEST_STORE_FX_H
#define QCRA_TEST_STORE_FX_H

#include "store_db.h"

struct store;

struct fx {
	char dir[64];   /* the temporary directory */
	char path[512]; /* dir/t.db, or the PostgreSQL database's URL */
	struct store *st;
};

int store_fx_setup(void **state);
int store_fx_teardown(void **state);

#endif
