/* Specification of command-line options declared as a table (util/opts.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/opts.h"

/* A TAP comment, so that the usage printed on stdout reads as one. */
static const char usage[] = "# usage: cmd [--name N] [--all] OPERAND\n";

struct fx {
	const char *name, *var;
	int all;
	struct opt opts[4];
};

static void fx_init(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	f->opts[0] = (struct opt){"name", 'n', &f->name, NULL};
	f->opts[1] = (struct opt){"all", 0, NULL, &f->all};
	f->opts[2] = (struct opt){"var", 0, &f->var, NULL};
	f->opts[3] = (struct opt){NULL, 0, NULL, NULL};
}

static void test_values_and_flags_are_filled_and_operands_follow(void **state)
{
	char *argv[] = {"cmd", "file.csv", "--name", "ana", "--all", "--var=/tmp/x", NULL};
	struct fx f;
	int rest;

	(void)state;
	fx_init(&f);
	assert_int_equal(opts_parse(6, argv, f.opts, usage, &rest), OPTS_GO_ON);
	assert_string_equal(f.name, "ana");
	assert_string_equal(f.var, "/tmp/x");
	assert_int_equal(f.all, 1);
	assert_int_equal(rest, 5);
	assert_string_equal(argv[rest], "file.csv");
}

static void test_a_letter_names_the_same_option_and_the_last_value_wins(void **state)
{
	char *argv[] = {"cmd", "-n", "first", "--name", "second", NULL};
	struct fx f;
	int rest;

	(void)state;
	fx_init(&f);
	assert_int_equal(opts_parse(5, argv, f.opts, usage, &rest), OPTS_GO_ON);
	assert_string_equal(f.name, "second");
	assert_int_equal(f.all, 0);
	assert_null(f.var);
	assert_int_equal(rest, 5);
}

static void test_help_is_exit_status_zero(void **state)
{
	char *argv[] = {"cmd", "--name", "x", "--help", NULL};
	char *argv_h[] = {"cmd", "-h", NULL};
	struct fx f;
	int rest;

	(void)state;
	fx_init(&f);
	assert_int_equal(opts_parse(4, argv, f.opts, usage, &rest), 0);
	assert_int_equal(opts_parse(2, argv_h, f.opts, usage, &rest), 0);
}

static void test_unknown_option_or_missing_value_is_a_usage_error(void **state)
{
	char *unknown[] = {"cmd", "--nope", NULL};
	char *missing[] = {"cmd", "--name", NULL};
	char *flag_value[] = {"cmd", "--all=1", NULL};
	struct fx f;
	int rest;

	(void)state;
	fx_init(&f);
	assert_int_equal(opts_parse(2, unknown, f.opts, usage, &rest), 2);
	assert_int_equal(opts_parse(2, missing, f.opts, usage, &rest), 2);
	assert_int_equal(opts_parse(2, flag_value, f.opts, usage, &rest), 2);
	assert_null(f.name);
	assert_int_equal(f.all, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_and_flags_are_filled_and_operands_follow),
		cmocka_unit_test(test_a_letter_names_the_same_option_and_the_last_value_wins),
		cmocka_unit_test(test_help_is_exit_status_zero),
		cmocka_unit_test(test_unknown_option_or_missing_value_is_a_usage_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
