/*
 * The storage bound of scenario 6 (order submission): bare durable
 * SQLite commits of one row, with the portal's durability settings
 * (WAL, synchronous=FULL), one connection, on the disk given.
 *
 * usage: sqlite_commit DBFILE SECONDS
 * Prints: commits=N seconds=S per_second=R us_per_commit=U
 * DBFILE is created (and its -wal/-shm) and removed afterwards.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void cleanup(const char *path)
{
	char p[4096];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

int main(int argc, char **argv)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *ins = NULL;
	double secs, t0, t;
	long n = 0;
	int rc = 1;

	if (argc != 3 || (secs = atof(argv[2])) <= 0) {
		fprintf(stderr, "usage: sqlite_commit DBFILE SECONDS\n");
		return 2;
	}
	cleanup(argv[1]);
	if (sqlite3_open(argv[1], &db) != SQLITE_OK ||
	    sqlite3_exec(db,
	                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
	                 "CREATE TABLE t (id INTEGER PRIMARY KEY, at BIGINT NOT NULL, "
	                 "note TEXT NOT NULL)",
	                 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO t (at, note) VALUES (?1, ?2)", -1, &ins, NULL) !=
	        SQLITE_OK) {
		fprintf(stderr, "sqlite_commit: %s\n", db ? sqlite3_errmsg(db) : "open failed");
		goto out;
	}
	t0 = now();
	do {
		/* Autocommit: each INSERT is its own durable transaction. */
		sqlite3_bind_int64(ins, 1, (sqlite3_int64)n);
		sqlite3_bind_text(ins, 2, "one row, one commit", -1, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE) {
			fprintf(stderr, "sqlite_commit: %s\n", sqlite3_errmsg(db));
			goto out;
		}
		sqlite3_reset(ins);
		n++;
		t = now();
	} while (t - t0 < secs);
	printf("commits=%ld seconds=%.2f per_second=%.1f us_per_commit=%.1f\n", n, t - t0,
	       (double)n / (t - t0), 1e6 * (t - t0) / (double)n);
	rc = 0;
out:
	sqlite3_finalize(ins);
	sqlite3_close(db);
	cleanup(argv[1]);
	return rc;
}
