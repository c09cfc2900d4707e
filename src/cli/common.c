#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/pwhash.h"
#include "core/secret.h"
#include "store/store.h"
#include "util/embedded.h"
#include "util/install.h"
#include "util/log.h"
#include "util/opts.h"

/* The configuration file when none is named: an installed qcra's
 * SYSCONFDIR/qcra/qcra.conf where there is one (util/install.h). */
static const char *default_config(char *path, size_t size)
{
	char dir[PATH_MAX];

	if (install_dir(INSTALL_SYSCONF, dir, sizeof(dir)) != 0 ||
	    snprintf(path, size, "%s/qcra.conf", dir) >= (int)size || access(path, F_OK) != 0)
		return NULL;
	return path;
}

/* data_dir, or an installed qcra's DATADIR/qcra, read instead of the
 * built-in copies (util/embedded.h).  0, or -1 with err. */
static int use_data_dir(struct config *cfg, char *err, size_t errlen)
{
	if (cfg->data_dir[0] == '\0' &&
	    install_dir(INSTALL_DATA, cfg->data_dir, sizeof(cfg->data_dir)) != 0) {
		cfg->data_dir[0] = '\0'; /* run from the build directory */
		return 0;
	}
	return embedded_use_dir(cfg->data_dir, err, errlen);
}

/* Defaults, then the file (config_path, or $QCRA_CONFIG, or the
 * installed one), the environment and the options given (NULL: not
 * given); then the data files.  0, or 1 after reporting the error. */
static int config_load(struct config *cfg, const char *config_path, const char *var,
		       const char *listen, const char *workers)
{
	char err[PATH_MAX + 256], conf[PATH_MAX];

	config_defaults(cfg);
	if (config_path == NULL && getenv("QCRA_CONFIG") != NULL)
		config_path = getenv("QCRA_CONFIG");
	if (config_path == NULL)
		config_path = default_config(conf, sizeof(conf));
	if ((config_path && config_load_file(cfg, config_path, err, sizeof(err)) != 0) ||
	    config_load_env(cfg, err, sizeof(err)) != 0 ||
	    (var && config_set(cfg, "var", var, err, sizeof(err)) != 0) ||
	    (listen && config_set(cfg, "listen", listen, err, sizeof(err)) != 0) ||
	    (workers && config_set(cfg, "workers", workers, err, sizeof(err)) != 0) ||
	    use_data_dir(cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "qcra: configuration error: %s\n", err);
		return 1;
	}
	config_finish(cfg);
	if (config_check(cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "qcra: configuration error: %s\n", err);
		return 1;
	}
	pwhash_set_memory((size_t)cfg->pwhash_memory_kib * 1024);
	log_set_json(cfg->log_json);
	return 0;
}

int cli_config_load(struct config *cfg, const char *config_path, const char *var)
{
	return config_load(cfg, config_path, var, NULL, NULL);
}

int cli_config(struct config *cfg, int argc, char **argv, int serve, const char *usage,
	       int *optind_out)
{
	const char *config_path = NULL, *var = NULL, *listen = NULL, *workers = NULL;
	const struct opt opts[] = {
		CLI_CONFIG_OPTS(&config_path, &var),
		{"listen", 'l', &listen, NULL},
		{"workers", 'w', &workers, NULL},
		{NULL, 0, NULL, NULL},
	};
	int rc = opts_parse(argc, argv, opts, usage, optind_out);

	if (rc == 0) {
		if (serve) {
			fputc('\n', stdout);
			config_usage();
		}
		exit(0);
	}
	if (rc != OPTS_GO_ON)
		return rc;
	if (!serve && (listen != NULL || workers != NULL)) { /* serve's only */
		fputs(usage, stderr);
		return 2;
	}
	return config_load(cfg, config_path, var, listen, workers);
}

int cli_subcommand(int argc, char **argv, const char *sub, const char *usage)
{
	if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc < 2 || strcmp(argv[1], sub) != 0) {
		fputs(usage, stderr);
		return 2;
	}
	return OPTS_GO_ON;
}

int cli_sub_config(struct config *cfg, int argc, char **argv, const char *sub, int operands,
		   const char *usage)
{
	int rc = cli_subcommand(argc, argv, sub, usage), next;

	if (rc != OPTS_GO_ON)
		return rc;
	if ((rc = cli_config(cfg, argc - 1, argv + 1, 0, usage, &next)) != 0)
		return rc;
	if (next != argc - 1 - operands) {
		fputs(usage, stderr);
		return 2;
	}
	return OPTS_GO_ON;
}

char *cli_read_file(const char *path, size_t max, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	struct stat sb;
	char *data = NULL;

	if (f == NULL || fstat(fileno(f), &sb) != 0) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode) || (unsigned long long)sb.st_size > max) {
		snprintf(err, errlen, "%s: not a regular file, or larger than %zu KiB", path,
			 max / 1024);
		goto out;
	}
	*len = (size_t)sb.st_size;
	if ((data = malloc(*len + 1)) == NULL || fread(data, 1, *len, f) != *len) {
		snprintf(err, errlen, "cannot read %s", path);
		free(data);
		data = NULL;
		goto out;
	}
	data[*len] = '\0';
out:
	if (f != NULL)
		fclose(f);
	return data;
}

/* 0 when VAR holds the portal's state: VAR/qcra.db, or with a
 * PostgreSQL database VAR/secret.key, without which its sealed secrets
 * and audit chain cannot be read.  Else -1 after saying which folder is
 * wanted: a mistyped --var must not become a new, empty installation
 * that the command then reports on ("audit log intact: 0 entries"). */
static int var_has_database(const struct config *cfg)
{
	char path[600];
	const char *file = cfg->database[0] != '\0' ? "secret.key" : "qcra.db";

	snprintf(path, sizeof(path), "%s/%s", cfg->var_dir, file);
	if (access(path, F_OK) == 0)
		return 0;
	if (cfg->database[0] == '\0')
		fprintf(stderr,
			"qcra: no database in %s (no qcra.db there): give --var the folder the "
			"portal runs with (its var key), or make a new database there with qcra "
			"migrate --var %s\n",
			cfg->var_dir, cfg->var_dir);
	else
		fprintf(stderr,
			"qcra: %s is not the portal's folder (no secret.key there, which the "
			"database's secrets and audit log need): give --var the folder the portal "
			"runs with (its var key)\n",
			cfg->var_dir);
	return -1;
}

struct store *cli_open_store(const struct config *cfg)
{
	if (var_has_database(cfg) != 0)
		return NULL;
	return cli_open_store_new(cfg);
}

static int keep_newest(void *arg, const struct audit_entry *e)
{
	*(int *)arg = e->key_epoch;
	return 1;
}

/* 0 when VAR/secret.key is there, or when st holds nothing sealed with
 * one (no audit entry keyed yet: a new installation, or one from before
 * the key); else -1 after saying to restore it. */
static int key_lost(const struct config *cfg, struct store *st)
{
	struct audit_filter f = {.limit = 1, .newest_first = 1};
	char path[600];
	int epoch = 0;

	snprintf(path, sizeof(path), "%s/secret.key", cfg->var_dir);
	if (access(path, F_OK) == 0 || errno != ENOENT)
		return 0;
	if (store_audit_each(st, &f, keep_newest, &epoch) != STORE_OK) {
		fprintf(stderr, "qcra: database: cannot read the audit log\n");
		return -1;
	}
	if (epoch == 0)
		return 0;
	fprintf(stderr,
		"qcra: %s is missing, but the database already holds what it sealed (its keyed "
		"audit log, the staff's TOTP secrets, the company links' keys): restore secret.key "
		"from the backup of this installation (qcra backup keeps it beside the database), "
		"or copy it from another instance; a new key would make them unreadable, so none "
		"was made\n",
		path);
	return -1;
}

struct store *cli_open_store_new(const struct config *cfg)
{
	unsigned char key[SECRET_LEN];
	char path[600], err[512];
	struct store *st;
	int applied, sealed = 0;

	if (mkdir(cfg->var_dir, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "qcra: var: cannot create %s: %s\n", cfg->var_dir, strerror(errno));
		return NULL;
	}
	/* The database key when set (PostgreSQL), else VAR/qcra.db. */
	if (cfg->database[0] != '\0')
		snprintf(path, sizeof(path), "%s", cfg->database);
	else
		snprintf(path, sizeof(path), "%s/qcra.db", cfg->var_dir);
	if (store_open(&st, path, err, sizeof(err)) != STORE_OK) {
		fprintf(stderr, "qcra: database: %s\n", err);
		return NULL;
	}
	if (store_migrate(st, &applied, err, sizeof(err)) != STORE_OK) {
		fprintf(stderr, "qcra: migration failed: %s\n", err);
		store_close(st);
		return NULL;
	}
	/* Secrets at rest are sealed with VAR/secret.key (core/secret.h);
	 * any stored before that are sealed now.  A database that holds
	 * what it sealed is never given a new key, which would make that
	 * unreadable for good. */
	if (key_lost(cfg, st) != 0) {
		store_close(st);
		return NULL;
	}
	if (secret_load(cfg->var_dir, key, err, sizeof(err)) != 0) {
		fprintf(stderr, "qcra: %s\n", err);
		store_close(st);
		return NULL;
	}
	store_set_seal_key(st, key);
	store_set_audit_secret(st, key); /* the audit chain's keys (domain/audit.h) */
	sodium_memzero(key, sizeof(key));
	if (store_operator_seal_all(st, &sealed) != STORE_OK) {
		fprintf(stderr, "qcra: database: cannot seal the staff's TOTP secrets\n");
		store_close(st);
		return NULL;
	}
	if (sealed > 0)
		log_info("sealed the TOTP secrets of %d staff accounts", sealed);
	return st;
}

static const char migrate_usage[] =
	"usage: qcra migrate [--config FILE] [--var DIR]\n"
	"Applies pending database migrations to the database (the database key, else VAR/qcra.db;\n"
	"made when there is none) and prints the schema version.\n";

int cli_migrate(int argc, char **argv)
{
	struct config cfg;
	struct store *st;
	int rc, next, version = 0;

	if ((rc = cli_config(&cfg, argc, argv, 0, migrate_usage, &next)) != 0)
		return rc;
	if (next != argc) {
		fputs(migrate_usage, stderr);
		return 2;
	}
	if ((st = cli_open_store_new(&cfg)) == NULL)
		return 1;
	store_schema_version(st, &version);
	printf("schema version %d\n", version);
	store_close(st);
	return 0;
}
