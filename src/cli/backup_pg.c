/*
 * The PostgreSQL side of qcra backup and restore (backup.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/backup.h"
#include "store/store.h"
#include "store/store_copy.h"

#define PG_ENV_MAX 32

/* Runs argv[0] (looked up on PATH) with url's settings in its
 * environment; its stdout and stderr are ours.  0, or -1 with err. */
static int run(const char *const *argv, const char *url, char *err, size_t errlen)
{
	char *env[PG_ENV_MAX], dbname[256];
	int status, i;
	pid_t pid;

	if (store_pg_env(url, env, PG_ENV_MAX, dbname, sizeof(dbname), err, errlen) != 0)
		return -1;
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		snprintf(err, errlen, "%s: %s", argv[0], strerror(errno));
		store_pg_env_free(env);
		return -1;
	}
	if (pid == 0) {
		for (i = 0; env[i] != NULL; i++)
			putenv(env[i]);
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "qcra: %s: %s (Debian: apt install postgresql-client)\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	store_pg_env_free(env);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			snprintf(err, errlen, "%s: %s", argv[0], strerror(errno));
			return -1;
		}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(err, errlen, "%s failed (%s %d; its message is above)", argv[0],
			 WIFEXITED(status) ? "exit status" : "signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		return -1;
	}
	return 0;
}

int backup_pg_dump(const char *url, const char *out, char *err, size_t errlen)
{
	char file[4200];
	const char *argv[] = {"pg_dump", "--format=custom", "--no-owner", "--no-privileges", file,
			      NULL};

	if ((size_t)snprintf(file, sizeof(file), "--file=%s", out) >= sizeof(file)) {
		snprintf(err, errlen, "the path is too long");
		return -1;
	}
	return run(argv, url, err, errlen);
}

int backup_pg_restore(const char *url, const char *in, int clean, char *err, size_t errlen)
{
	char *env[PG_ENV_MAX], dbname[256], db[300];
	const char *argv[12];
	struct store *st;
	long long tables = 0;
	int n = 0, rc;

	if (store_pg_env(url, env, PG_ENV_MAX, dbname, sizeof(dbname), err, errlen) != 0)
		return -1;
	store_pg_env_free(env);
	if (dbname[0] == '\0') {
		snprintf(err, errlen, "the URL names no database: postgresql://HOST/NAME");
		return -1;
	}
	if (store_open(&st, url, err, errlen) != STORE_OK)
		return -1;
	rc = store_tables(st, &tables);
	store_close(st);
	if (rc != STORE_OK) {
		snprintf(err, errlen, "cannot list the database's tables");
		return -1;
	}
	if (tables > 0 && !clean) {
		snprintf(err, errlen,
			 "the database %s is not empty (%lld tables): restore into a new, empty "
			 "database, or give --clean to replace its tables (the portal stopped)",
			 dbname, tables);
		return -1;
	}
	/* The name only (the rest comes from the environment): pg_restore
	 * writes a script to stdout when given no database. */
	snprintf(db, sizeof(db), "--dbname=%s", dbname);
	argv[n++] = "pg_restore";
	argv[n++] = "--no-owner";
	argv[n++] = "--no-privileges";
	argv[n++] = "--exit-on-error";
	argv[n++] = "--single-transaction";
	if (clean) {
		argv[n++] = "--clean";
		argv[n++] = "--if-exists";
	}
	argv[n++] = db;
	argv[n++] = in;
	argv[n] = NULL;
	return run(argv, url, err, errlen);
}
