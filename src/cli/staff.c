/*
 * qcra operator add: creates registration authority staff accounts
 * (qcra audit: audit.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "core/catalog_load.h"
#include "core/pwhash.h"
#include "core/totp.h"
#include "app/staff.h"
#include "domain/password.h"
#include "store/store.h"

static const char operator_usage[] =
	"usage: qcra operator add --username U --role operator|admin|auditor [--office CODE]\n"
	"                         --password-file F [--config FILE] [--var DIR]\n"
	"Creates a staff account and prints its TOTP provisioning URI (otpauth://...).\n"
	"An operator works the orders of one office (--office); administrators and\n"
	"auditors see all offices.  The password is the first line of F.\n";

static int read_password(const char *path, char *out, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL || fgets(out, (int)size, f) == NULL) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	n = strcspn(out, "\r\n");
	out[n] = '\0';
	return 0;
}

/* What qcra operator add says when uc_operator_add refused o (res),
 * naming the option to correct; the exit status: 2 for a value the
 * command cannot take, 1 for a username taken. */
static int operator_refused(const struct catalog *cat, const struct operator* o,
			    const char *username, struct uc_result res)
{
	size_t i;

	if (strcmp(res.field, "office") == 0) {
		if (o->office[0] == '\0')
			fputs("qcra: an operator needs --office CODE, one of:", stderr);
		else
			fprintf(stderr, "qcra: --office %s: no such office; the catalogue's are:",
				o->office);
		for (i = 0; i < cat->noffices; i++)
			fprintf(stderr, " %s", cat->offices[i].code);
		fputs(" (written as listed)\n", stderr);
		return 2;
	}
	if (strcmp(res.field, "role") == 0) {
		fputs("qcra: --role must be operator, admin or auditor\n", stderr);
		return 2;
	}
	if (strcmp(res.msg, "field.username_invalid") == 0) {
		fprintf(stderr,
			"qcra: --username %s: a username has 3 to 32 characters: letters a-z "
			"without diacritics, digits, dot, hyphen or underscore, starting with a "
			"letter\n",
			username);
		return 2;
	}
	fprintf(stderr, "qcra: --username %s: that username exists already; choose another\n",
		o->username);
	return 1;
}

static int operator_add(int argc, char **argv)
{
	const char *username = NULL, *role = NULL, *office = "", *pwfile = NULL;
	const char *config_path = NULL, *var = NULL;
	const struct opt opts[] = {
		{"username", 0, &username, NULL},    {"role", 0, &role, NULL},
		{"office", 0, &office, NULL},        {"password-file", 0, &pwfile, NULL},
		CLI_CONFIG_OPTS(&config_path, &var), {NULL, 0, NULL, NULL},
	};
	static struct catalog cat; /* large: not on the stack */
	char password[300], uri[512], err[512];
	struct config cfg;
	struct operator o;
	struct actor cli = {ACTOR_SYSTEM, 0, "cli", "", LANG_SR};
	struct app_env env = {NULL, NULL, NULL, NULL, NULL};
	struct uc_result res;
	struct store *st;
	int rc, rest;

	if ((rc = opts_parse(argc, argv, opts, operator_usage, &rest)) != OPTS_GO_ON)
		return rc;
	if (username == NULL || role == NULL || pwfile == NULL) {
		fputs(operator_usage, stderr);
		return 2;
	}
	if (cli_config_load(&cfg, config_path, var) != 0)
		return 1;
	if (catalog_load(&cat, &cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "qcra: %s\n", err);
		return 1;
	}
	if (read_password(pwfile, password, sizeof(password)) != 0) {
		fprintf(stderr, "qcra: cannot read the password from %s\n", pwfile);
		return 1;
	}
	if (password_check(password, username) != PASSWORD_OK) {
		fprintf(stderr, "qcra: the password is too weak: at least 12 characters, not the "
				"username, not a common password\n");
		return 1;
	}
	memset(&o, 0, sizeof(o));
	snprintf(o.username, sizeof(o.username), "%s", username);
	snprintf(o.role, sizeof(o.role), "%s", role);
	snprintf(o.office, sizeof(o.office), "%s", office);
	if ((st = cli_open_store(&cfg)) == NULL)
		return 1;
	env.cfg = &cfg;
	env.catalog = &cat;
	env.store = st;
	/* The same checks as the web form's (app/staff.h). */
	res = uc_operator_add(&env, &cli, &o, password);
	store_close(st);
	if (res.status == UC_REFUSED)
		return operator_refused(&cat, &o, username, res);
	if (res.status != UC_OK) {
		fprintf(stderr, "qcra: database error\n");
		return 1;
	}
	totp_uri("IKS RA", o.username, o.totp_secret, uri, sizeof(uri));
	printf("%s\n", uri);
	return 0;
}

int cli_operator(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "add") == 0)
		return operator_add(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
		fputs(operator_usage, stdout);
		return 0;
	}
	fputs(operator_usage, stderr);
	return 2;
}
