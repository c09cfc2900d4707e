/*
 * Command-line options declared as a table (opts.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "util/opts.h"

#define OPT_HELP 'h'
#define OPT_LONG 256 /* getopt's value of opts[i] without a letter: OPT_LONG + i */

int opts_parse(int argc, char **argv, const struct opt *opts, const char *usage, int *rest)
{
	struct option lo[OPTS_MAX + 2];
	char letters[2 * OPTS_MAX + 2];
	size_t n = 0, k = 1, i;
	int ch;

	letters[0] = OPT_HELP; /* -h too */
	for (; opts[n].name != NULL; n++) {
		if (n == OPTS_MAX)
			return 2; /* a table too long: a bug, shown as a usage error */
		lo[n].name = opts[n].name;
		lo[n].has_arg = opts[n].value ? required_argument : no_argument;
		lo[n].flag = NULL;
		lo[n].val = opts[n].c ? opts[n].c : OPT_LONG + (int)n;
		if (opts[n].c) {
			letters[k++] = opts[n].c;
			if (opts[n].value)
				letters[k++] = ':';
		}
	}
	lo[n] = (struct option){"help", no_argument, NULL, OPT_HELP};
	lo[n + 1] = (struct option){NULL, 0, NULL, 0};
	letters[k] = '\0';
	optind = 1;
	while ((ch = getopt_long(argc, argv, letters, lo, NULL)) != -1) {
		if (ch == OPT_HELP) {
			fputs(usage, stdout);
			return 0;
		}
		for (i = 0; i < n && lo[i].val != ch; i++)
			;
		if (i == n) {
			fputs(usage, stderr);
			return 2;
		}
		if (opts[i].value)
			*opts[i].value = optarg;
		else
			*opts[i].flag = 1;
	}
	*rest = optind;
	return OPTS_GO_ON;
}
