/*
 * qcra backup and restore of a database on PostgreSQL (backup_pg.c):
 * pg_dump --format=custom and pg_restore, Debian's postgresql-client of
 * the server's major version, found on PATH.  The connection goes to
 * them through libpq's environment (PGHOST, PGPASSWORD, ...), never in
 * their arguments, where ps shows it.
 */
#ifndef QCRA_CLI_BACKUP_H
#define QCRA_CLI_BACKUP_H

#include <stddef.h>

/* The name of the dump inside a backup's archive. */
#define BACKUP_PG_DUMP "qcra.pgdump"

/* The database at url dumped into the file out (one snapshot).  0, or
 * -1 with err. */
int backup_pg_dump(const char *url, const char *out, char *err, size_t errlen);

/* The dump at in restored into the database at url, in one
 * transaction.  The database must have no table, unless clean (its
 * tables are then dropped and made again from the dump).  0, or -1 with
 * err. */
int backup_pg_restore(const char *url, const char *in, int clean, char *err, size_t errlen);

/* restore's unpacking (backup.c) of the tar.gz of len bytes at data
 * into the folder dir, which exists: names checked (relative, no "..",
 * plain characters), MANIFEST first, only files (0600) and folders
 * (0700) made, nothing outside dir.  0, or -1 with err.  For
 * tests/fuzz/fuzz_backup.c. */
int backup_unpack_memory(const void *data, size_t len, const char *dir, char *err, size_t errlen);

#endif
