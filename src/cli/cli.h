/*
 * Command-line subcommands.  Each returns the process exit status:
 * 0 success, 1 failure, 2 usage error.
 */
#ifndef QCRA_CLI_H
#define QCRA_CLI_H

#include "core/config.h"

/* Parses the options every subcommand shares (--config, --var, and for
 * serve --listen, --workers) after loading defaults, file and
 * environment.  Leaves the remaining arguments from *optind_out.
 * Returns 0, 1 (bad configuration, reported) or 2 (usage). */
int cli_config(struct config *cfg, int argc, char **argv, int serve, const char *usage,
	       int *optind_out);

/* Opens the portal's database in VAR and migrates it.  NULL on error
 * (reported). */
struct store *cli_open_store(const struct config *cfg);
/* The whole regular file path (at most max bytes), NUL-terminated, its
 * length in *len; NULL with err set ("cannot open FILE: why", ...). */
char *cli_read_file(const char *path, size_t max, size_t *len, char *err, size_t errlen);

/* Moves --config FILE and --var DIR (with their values) out of argv into
 * cfgv (room for 8 pointers, cfgv[0] = argv[0], NULL-terminated) for
 * cli_config, blanking them ("") in argv; *cfgc their count. */
void cli_split_config(int argc, char **argv, char **cfgv, int *cfgc);
/* 1 when argv[from..argc) are all blanks (what cli_split_config left). */
int cli_only_blanks(int argc, char **argv, int from);

int cli_serve(int argc, char **argv);
int cli_migrate(int argc, char **argv);
int cli_member(int argc, char **argv);
int cli_operator(int argc, char **argv);
int cli_audit(int argc, char **argv);
int cli_orders(int argc, char **argv); /* office.c */
int cli_testca(int argc, char **argv); /* office.c */
int cli_demo(int argc, char **argv);
int cli_payments(int argc, char **argv); /* payments.c */

#endif
