/*
 * Command-line options declared as a table (the portal's commands in
 * src/cli/ and the CA's in src/ca/ca_cli.c): each option names where
 * its value or flag goes, and one loop (getopt_long) fills them, so a
 * command reads its options without a switch of its own.
 */
#ifndef QCRA_UTIL_OPTS_H
#define QCRA_UTIL_OPTS_H

/* --name (and -c when c is not 0): with a value stored in *value, or,
 * when value is NULL, a flag: *flag set to 1.  A repeated option keeps
 * the last value. */
struct opt {
	const char *name;
	char c;
	const char **value;
	int *flag;
};

#define OPTS_MAX 16     /* options in a table, --help not counted */
#define OPTS_GO_ON (-1) /* opts_parse: parsed, carry on */

/*
 * Parses argv[1..argc) (argv[0]: the command's name) against opts
 * (ended by an entry with name NULL) and --help, options and operands
 * in any order (the operands are moved after the options).  Returns
 * OPTS_GO_ON with *rest the index of the first operand; 0 after --help
 * (usage printed on stdout); 2 after an unknown option or a missing
 * value (usage printed on stderr): the exit status to return.
 */
int opts_parse(int argc, char **argv, const struct opt *opts, const char *usage, int *rest);

#endif
