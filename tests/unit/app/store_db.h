/*
 * The database a store test opens (store_fx.c): SQLite's file in the
 * test's directory, or with QCRA_TEST_STORE_PG set (the tests' `_pg`
 * runs, under tests/tools/with-pg) a fresh PostgreSQL database on
 * QCRA_TEST_PG's server.
 */
#ifndef QCRA_TEST_STORE_DB_H
#define QCRA_TEST_STORE_DB_H

#include <stddef.h>

/* 1 when the tests run on PostgreSQL (QCRA_TEST_STORE_PG). */
int store_fx_pg(void);
/* The database a test opens into out: on PostgreSQL a new database's
 * URL (already migrated: a copy of a template database migrated once
 * per server), else dir/name (a new file).  Fails the test when the
 * database cannot be made. */
void store_fx_target(char *out, size_t size, const char *dir, const char *name);
/* A new, empty database on QCRA_TEST_PG's server (whatever
 * QCRA_TEST_STORE_PG says), its URL into out; fails the test when it
 * cannot be made. */
void store_fx_pg_new(char *out, size_t size);
/* Drops target's database when it is PostgreSQL's (the store closed);
 * a file is left to the directory's removal. */
void store_fx_drop(const char *target);

/* tests[n] without, on PostgreSQL, those named in sqlite_only (NULL
 * ended): each left out is said on stdout as a TAP comment with why.
 * The count kept (pass it to _cmocka_run_group_tests). */
struct CMUnitTest;
size_t store_fx_sqlite_only(struct CMUnitTest *tests, size_t n, const char *const *sqlite_only,
			    const char *why);

#endif
