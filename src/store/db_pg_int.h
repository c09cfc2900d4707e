/*
 * Internals shared by the PostgreSQL backend's files: db_pg_pool.c
 * (connections and the pool), db_pg.c (statements, transactions),
 * db_pg_listen.c (wake-ups: NOTIFY and a LISTEN connection).  Not
 * for use outside src/store/.
 */
#ifndef QCRA_STORE_DB_PG_INT_H
#define QCRA_STORE_DB_PG_INT_H

#include <libpq-fe.h>
#include <stddef.h>

#include "store/db.h"
#include "store/store_int.h" /* struct store: the pool in st->be */

#define STMT_CACHE 256             /* per connection, keyed by the SQL text's address */
#define PG_STATEMENT_TIMEOUT "60s" /* a statement's, on every connection (not exec's) */

struct pg_conn;

struct pg_stmt {
	struct db_stmt base;
	struct pg_conn *c;
	const char *sql;
	char name[16];
	int prepared; /* on c's current session (0 after a reconnect) */
	int nparams;  /* the statement's (once prepared) */
	int nbound;   /* the parameters bound */
	int readonly;
	int guard; /* an INSERT without ON CONFLICT that may violate a key (exec_stmt) */
	const char **values;
	int *lengths, *formats;
	unsigned *types;  /* the first binding's parameter types (stmt_prepare) */
	int cap;          /* values, lengths, formats, ints and types hold this many */
	char (*ints)[24]; /* the integers bound, formatted */
	int bad_param;    /* a failed bind: the parameter ($N), and why */
	const char *bad_why;
	PGresult *res;
	int row, nrows;
	long long changes;
	unsigned char *blob; /* col_blob's decoded bytea */
	size_t blob_cap;
	char err[256]; /* why the last step failed (db_warn) */
};

struct pg_conn {
	struct db_conn neutral;
	PGconn *pg;
	struct pg_store *owner;
	struct {
		const char *sql;
		struct pg_stmt *s;
	} cache[STMT_CACHE];
	unsigned nstmt;
	int tx_open; /* between a BEGIN and its COMMIT or ROLLBACK (pg_tx) */
	struct pg_conn *next_idle, *next_all;
};

/* db_pg_pool.c: opens the pool for target (this thread's connection
 * made, so that a bad target fails here); 0, or -1 with err. */
int pg_pool_open(struct store *st, const char *target, char *err, size_t errlen);
void pg_pool_close(struct store *st);
/* This thread's connection, taken from the pool on first use (a
 * connection lost between transactions made again); NULL (logged). */
struct pg_conn *pg_conn_get(struct store *st);
/* A new session on url with the pool's settings; NULL with err. */
PGconn *pg_connect(const char *url, char *err, size_t errlen);
/* The database URL the pool was opened on. */
const char *pg_pool_url(struct store *st);
/* db_pg_listen.c: the driver's listen, listen_wait, listen_close. */
void *pg_listen(struct store *st);
int pg_listen_wait(void *l, int ms);
void pg_listen_close(void *l);
extern const char *const pg_wake_sql[];
/* PostgreSQL's message msg without its trailing newline, into out. */
void pg_msg(char *out, size_t size, const char *msg);

/* db_pg.c */
void pg_stmt_free(struct pg_stmt *s);

#endif
