/*
 * Safe defaults for the CA: the in-process TEST CA runs only when chosen
 * (ca_connector = testca); without a CA configured the portal refuses to
 * start, naming the setting, and a portal on the test CA says so on
 * every page, so that no one hands members test certificates unawares.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

struct fx {
	struct server s;
	struct client c;
	struct response r;
	struct buf out;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL || server_var_init(&f->s) == -1)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	response_free(&f->r);
	buf_free(&f->out);
	client_free(&f->c);
	server_cleanup(&f->s);
	free(f);
	return 0;
}

static void test_serve_without_a_ca_connector_refuses_to_start(void **state)
{
	struct fx *f = *state;
	const char *argv[] = {"serve", "--var", f->s.var, "--listen", "127.0.0.1:0", NULL};
	const char *unset[] = {"QCRA_CA_CONNECTOR=", NULL};

	assert_int_equal(server_run_cli_env(&f->s, argv, unset, &f->out), 1);
	assert_non_null(strstr(buf_cstr(&f->out), "ca_connector is not set"));
	assert_non_null(strstr(buf_cstr(&f->out), "ca_connector = service"));
}

/* Every page, the member's and the staff's, in both languages. */
static void test_every_page_of_a_test_ca_portal_carries_a_banner(void **state)
{
	struct fx *f = *state;
	const char *env[] = {"QCRA_CA_CONNECTOR=testca", NULL};
	const char *paths[] = {"/",     "/login",   "/register",     "/ra/login",
			       "/help", "/nowhere", "/login?lang=en"};
	size_t i;

	assert_int_equal(server_start(&f->s, env), 0);
	assert_int_equal(client_init(&f->c, &f->s), 0);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		assert_int_equal(client_get(&f->c, paths[i], &f->r), 0);
		if (strstr(buf_cstr(&f->r.body), "class=\"test-ca\"") == NULL)
			fail_msg("%s has no test CA banner", paths[i]);
	}
	assert_non_null(strstr(buf_cstr(&f->r.body), "TEST certification authority"));
}

static void test_a_portal_on_the_ca_service_has_no_banner(void **state)
{
	struct fx *f = *state;
	const char *env[] = {"QCRA_CA_CONNECTOR=service", NULL};

	assert_int_equal(server_start(&f->s, env), 0);
	assert_int_equal(client_init(&f->c, &f->s), 0);
	assert_int_equal(client_get(&f->c, "/login", &f->r), 0);
	assert_int_equal(f->r.status, 200);
	assert_null(strstr(buf_cstr(&f->r.body), "class=\"test-ca\""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_serve_without_a_ca_connector_refuses_to_start,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_every_page_of_a_test_ca_portal_carries_a_banner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_portal_on_the_ca_service_has_no_banner,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
