#ifndef QCRA_STORE_SQLITE_WAL_H
#define QCRA_STORE_SQLITE_WAL_H

/*
 * The write-ahead log written out while a large transaction runs
 * (sqlite_wal.c), for store_bulk_begin() on SQLite.
 *
 * SQLite appends the pages a transaction changes to the WAL as its
 * cache spills, and at the commit asks for all of it to reach the disk:
 * for scenario 7's statement that is a 50 MB fsync, ~0.1 s in which the
 * import does nothing.  Here a thread syncs what was appended every few
 * milliseconds (fdatasync), on a file descriptor of its own, so that the
 * disk works while the import does and the commit's fsync finds little
 * left.  It changes nothing SQLite relies on: frames without a commit
 * mark are ignored after a crash, and the commit still syncs the whole
 * log.
 */

struct wal_ahead;

/* Starts writing out db_path's WAL ("-wal" appended) as it grows.
 * NULL when no thread can be had: the transaction runs as before. */
struct wal_ahead *wal_ahead_start(const char *db_path);

/* Stops the thread and frees w (NULL: nothing). */
void wal_ahead_stop(struct wal_ahead *w);

#endif
