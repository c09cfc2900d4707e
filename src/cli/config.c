/*
 * `qcra config man` and `qcra config example`: the configuration's
 * documentation written from its key table (core/config.h), so that
 * qcra.conf(5) and the installed example file name every key with its
 * default and cannot drift from what the program reads.  Meson runs both
 * at build time (meson.build).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "util/install.h"
#include "version.h"

static const char config_usage_text[] =
	"usage: qcra config man\n"
	"       qcra config example [KEY=VALUE...]\n"
	"man      prints qcra.conf(5), every configuration key, as roff (man -l -).\n"
	"example  prints a configuration file naming every key, commented out with its\n"
	"         default; each KEY=VALUE given is written set to VALUE instead.\n";

/* s as roff text: backslashes and hyphens escaped, no request at a
 * line's start. */
static void roff(FILE *f, const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", f);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\e", f);
		else if (*s == '-')
			fputs("\\-", f);
		else
			fputc(*s, f);
	}
}

static void env_name(char *out, size_t size, const char *key)
{
	size_t j;

	snprintf(out, size, "QCRA_");
	for (j = 0; key[j] && j + 6 < size; j++)
		out[5 + j] = (char)toupper((unsigned char)key[j]);
	out[5 + j] = '\0';
}

static const char man_head[] =
	".SH NAME\n"
	"qcra.conf \\- configuration of the qcra registration authority portal\n"
	".SH SYNOPSIS\n"
	".B %s/qcra.conf\n"
	".SH DESCRIPTION\n"
	"The configuration of\n"
	".BR qcra (8):\n"
	"an INI file of\n"
	".I key\n"
	"=\n"
	".I value\n"
	"lines.\n"
	"Lines starting with\n"
	".B ;\n"
	"or\n"
	".B #\n"
	"are comments; [section] lines are for people, keys are unique across them.\n"
	"An installed\n"
	".B qcra\n"
	"reads this file when no other is named; a command reads the one named by\n"
	".B \\-\\-config\n"
	"or\n"
	".BR QCRA_CONFIG .\n"
	".PP\n"
	"Each value comes from, last one winning: the default below, the file, the\n"
	"environment variable\n"
	".BI QCRA_ KEY\n"
	"(the key in capitals), and the command's options\n"
	"(\\fB\\-\\-var\\fR, \\fB\\-\\-listen\\fR, \\fB\\-\\-workers\\fR).\n"
	"A value that is wrong stops the command with a message naming the key.\n"
	"Keys ending in _minutes, _hours, _days or _seconds are in that unit.\n"
	".SH KEYS\n";

static const char man_tail[] =
	".SH ENVIRONMENT\n"
	".TP\n"
	".B QCRA_CONFIG\n"
	"The configuration file, when \\fB\\-\\-config\\fR is not given.\n"
	".TP\n"
	".BI QCRA_ KEY\n"
	"The value of\n"
	".I key\n"
	"(in capitals), over the file's.\n"
	".SH FILES\n"
	".TP\n"
	".B %s/qcra.conf\n"
	"This file.\n"
	".TP\n"
	".B %s\n"
	"The pages, messages, static files and demo catalogue (\\fBdata_dir\\fR).\n"
	".SH SEE ALSO\n"
	".BR qcra (8)\n";

static int write_man(void)
{
	struct config_key_doc d;
	char env[96];
	size_t i;

	printf(".TH QCRA.CONF 5 \"\" \"qcra %s\" \"File Formats\"\n", QCRA_VERSION);
	printf(man_head, install_default(INSTALL_SYSCONF));
	for (i = 0; config_key_doc(i, &d) == 0; i++) {
		env_name(env, sizeof(env), d.name);
		printf(".TP\n.B %s\n%c", d.name, toupper((unsigned char)d.help[0]));
		roff(stdout, d.help + 1);
		printf(".\n.br\n");
		if (d.max > d.min)
			printf("A number from %ld to %ld.\n", d.min, d.max);
		else
			printf("Value: %s.\n", strcmp(d.type, "TEXT") == 0 ? "text" : d.type);
		if (d.def != NULL) {
			printf("Default: \\fB");
			roff(stdout, d.def);
			printf("\\fR.\n");
		}
		printf("Environment: \\fB%s\\fR.\n", env);
	}
	printf(man_tail, install_default(INSTALL_SYSCONF), install_default(INSTALL_DATA));
	return 0;
}

/* The value given for key in set (KEY=VALUE...), or NULL. */
static const char *given(const char *key, char **set, int n)
{
	size_t len = strlen(key);
	int i;

	for (i = 0; i < n; i++)
		if (strncmp(set[i], key, len) == 0 && set[i][len] == '=')
			return set[i] + len + 1;
	return NULL;
}

/* text as ';' comment lines of at most 78 columns. */
static void comment(const char *text)
{
	const char *s = text, *space;
	size_t col = 0, w;

	while (*s) {
		space = strchr(s, ' ');
		w = space ? (size_t)(space - s) : strlen(s);
		if (col > 0 && col + 1 + w > 78) {
			col = 0;
			putchar('\n');
		}
		col += (size_t)printf(col == 0 ? "; %.*s" : " %.*s", (int)w, s);
		s += w;
		while (*s == ' ')
			s++;
	}
	putchar('\n');
}

static int write_example(char **set, int n)
{
	struct config_key_doc d;
	struct config check;
	const char *v;
	char err[512];
	size_t i;
	int j, known;

	/* Every KEY=VALUE names a key and is a value it takes. */
	config_defaults(&check);
	for (j = 0; j < n; j++) {
		for (i = 0, known = 0; config_key_doc(i, &d) == 0; i++)
			if ((v = given(d.name, set + j, 1)) != NULL) {
				known = 1;
				if (config_set(&check, d.name, v, err, sizeof(err)) != 0) {
					fprintf(stderr, "qcra config: %s\n", err);
					return 1;
				}
			}
		if (!known) {
			fprintf(stderr, "qcra config: %s: not KEY=VALUE of a known key\n", set[j]);
			return 2;
		}
	}
	printf("; qcra configuration (qcra.conf(5)): key = value, one a line.\n"
	       "; A line starting with ';' is a comment: below, each key commented out\n"
	       "; shows its default.  The environment variable QCRA_<KEY in capitals>\n"
	       "; wins over this file.\n");
	for (i = 0; config_key_doc(i, &d) == 0; i++) {
		char text[512];

		if (d.max > d.min)
			snprintf(text, sizeof(text), "%s (%ld to %ld)", d.help, d.min, d.max);
		else
			snprintf(text, sizeof(text), "%s", d.help);
		putchar('\n');
		comment(text);
		if ((v = given(d.name, set, n)) != NULL)
			printf("%s = %s\n", d.name, v);
		else if (d.def != NULL)
			printf("; %s = %s\n", d.name, d.def);
		else
			printf("; %s =\n", d.name);
	}
	return 0;
}

int cli_config_doc(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0) {
			fputs(config_usage_text, stdout);
			return 0;
		}
	if (argc == 2 && strcmp(argv[1], "man") == 0)
		return write_man();
	if (argc >= 2 && strcmp(argv[1], "example") == 0)
		return write_example(argv + 2, argc - 2);
	fputs(config_usage_text, stderr);
	return 2;
}
