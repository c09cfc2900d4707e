/*
 * Command-line subcommands.  Each returns the process exit status:
 * 0 success, 1 failure, 2 usage error.
 */
#ifndef QCRA_CLI_H
#define QCRA_CLI_H

#include "core/config.h"
#include "util/opts.h"

/* Parses the options every subcommand shares (--config, --var, and for
 * serve --listen, --workers) after loading defaults, file and
 * environment.  Leaves the remaining arguments from *optind_out.
 * Returns 0, 1 (bad configuration, reported) or 2 (usage). */
int cli_config(struct config *cfg, int argc, char **argv, int serve, const char *usage,
	       int *optind_out);
/* The options --config FILE and --var DIR as entries of a command's own
 * table (util/opts.h), and the configuration they name: defaults, the
 * file (or $QCRA_CONFIG), the environment, then var.  0, or 1 (bad
 * configuration, reported). */
#define CLI_CONFIG_OPTS(config_path, var)                                                          \
	{"config", 'c', (config_path), NULL},                                                      \
	{                                                                                          \
		"var", 'v', (var), NULL                                                            \
	}
int cli_config_load(struct config *cfg, const char *config_path, const char *var);

/* "qcra CMD SUB ...": OPTS_GO_ON when argv[1] is sub; else the exit
 * status after printing usage (0 for --help, on stdout; 2). */
int cli_subcommand(int argc, char **argv, const char *sub, const char *usage);
/* "qcra CMD SUB [--config FILE] [--var DIR] OPERAND..." with exactly
 * `operands` operands (the last ones of argv): OPTS_GO_ON with *cfg
 * loaded, or the exit status (usage, configuration error) to return. */
int cli_sub_config(struct config *cfg, int argc, char **argv, const char *sub, int operands,
		   const char *usage);

/* Opens the portal's database and migrates it: the database of a
 * command that reads or works an existing one, so VAR must hold it
 * (VAR/qcra.db, or VAR/secret.key beside a PostgreSQL database).  NULL
 * on error (reported; for a VAR without one, which folder is wanted). */
struct store *cli_open_store(const struct config *cfg);
/* The same, making VAR, the database and VAR/secret.key when missing:
 * for the commands meant to start an installation (serve, migrate,
 * demo seed). */
struct store *cli_open_store_new(const struct config *cfg);
/* The whole regular file path (at most max bytes), NUL-terminated, its
 * length in *len; NULL with err set ("cannot open FILE: why", ...). */
char *cli_read_file(const char *path, size_t max, size_t *len, char *err, size_t errlen);

int cli_serve(int argc, char **argv);
int cli_migrate(int argc, char **argv);
int cli_member(int argc, char **argv);
int cli_operator(int argc, char **argv);
int cli_audit(int argc, char **argv);
int cli_orders(int argc, char **argv); /* office.c */
int cli_testca(int argc, char **argv); /* office.c */
int cli_demo(int argc, char **argv);
int cli_payments(int argc, char **argv);   /* payments.c */
int cli_retention(int argc, char **argv);  /* retention.c */
int cli_backup(int argc, char **argv);     /* backup.c */
int cli_restore(int argc, char **argv);    /* backup.c */
int cli_store(int argc, char **argv);      /* store.c: store copy */
int cli_config_doc(int argc, char **argv); /* config.c: qcra config man|example */

#endif
