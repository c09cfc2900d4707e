/*
 * The SQL functions the store's statements call that SQLite lacks,
 * defined on each connection the driver opens (db_sqlite.c).  On
 * PostgreSQL qcra_fold is an SQL function (migrations/pg/003_ra.sql),
 * and migrations/pg/008 computes the fingerprint keys in SQL.
 */
#include "store/db_sqlite.h"
#include "store/store_int.h"

#include <sqlite3.h>
#include <stddef.h>

#include "domain/fold.h"

/* SQL qcra_fold(text): domain/fold.h's search folding, for the back
 * office's search (the PostgreSQL driver defines the same function). */
static void sql_fold(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *in = (const char *)sqlite3_value_text(argv[0]);
	int len = sqlite3_value_bytes(argv[0]);
	char stack[512], *out = stack;
	size_t n;

	(void)argc;
	if (in == NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	if ((size_t)len + 1 > sizeof(stack) && (out = sqlite3_malloc(len + 1)) == NULL) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	n = text_fold(in, (size_t)len, out, (size_t)len + 1);
	sqlite3_result_text(ctx, out, (int)n, SQLITE_TRANSIENT);
	if (out != stack)
		sqlite3_free(out);
}

/* qcra_fp_key(text): the key of a payment fingerprint (db_fp_key), NULL
 * for NULL (the migration that turned the stored fingerprints into keys
 * uses it). */
static void sql_fp_key(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *fp = (const char *)sqlite3_value_text(argv[0]);
	unsigned char key[DB_FP_KEY];

	(void)argc;
	if (fp == NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	db_fp_key(fp, (size_t)sqlite3_value_bytes(argv[0]), key);
	sqlite3_result_blob(ctx, key, DB_FP_KEY, SQLITE_TRANSIENT);
}

int db_sqlite_functions(sqlite3 *db)
{
	int rc = sqlite3_create_function_v2(db, "qcra_fold", 1,
					    SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
					    NULL, sql_fold, NULL, NULL, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_create_function_v2(
			db, "qcra_fp_key", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
			NULL, sql_fp_key, NULL, NULL, NULL);
	return rc;
}
