/*
 * The fixture of the store's unit tests: a migrated SQLite database
 * VAR/t.db in a fresh temporary directory, removed afterwards.  Tests
 * use it as their cmocka state (struct fx).
 */
#ifndef QCRA_TEST_STORE_FX_H
#define QCRA_TEST_STORE_FX_H

struct store;

struct fx {
	char dir[64];   /* the temporary directory */
	char path[128]; /* dir/t.db */
	struct store *st;
};

int store_fx_setup(void **state);
int store_fx_teardown(void **state);

#endif
