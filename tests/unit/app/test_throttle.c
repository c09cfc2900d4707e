/*
 * Password-guess counting per client (app/throttle.c): an IPv6 client
 * holds a whole /64, so its addresses count as one; an IPv4-mapped
 * address counts as the IPv4 address; IPv4 addresses apart.  The
 * counts are the store's (store_fx: a migrated database).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "app/throttle.h"
#include "core/config.h"
#include "store/store.h"
#include "store_fx.h"

static const unsigned char secret[32] = {1, 2, 3};

/* Fails `tries` logins of username from addr; the wait of the next. */
static long guess(struct fx *f, const struct config *cfg, const char *addr, const char *username,
		  int tries)
{
	struct app_env env = {cfg, NULL, f->st, secret, NULL};
	struct throttle t;
	long wait = 0;

	for (int i = 0; i < tries && wait == 0; i++)
		assert_true((wait = uc_throttle_try(&env, addr, &t, THROTTLE_MEMBER, username)) >=
			    0);
	return wait;
}

static void limits(struct config *cfg)
{
	config_defaults(cfg);
	cfg->login_max_failures = 100; /* only the per-address limit counts here */
	cfg->login_max_failures_addr = 5;
}

/* Five guesses from five addresses of one /64 (each a different name):
 * the sixth, from a sixth address of it, waits. */
static void test_ipv6_counts_per_64(void **state)
{
	struct fx *f = *state;
	struct config cfg;
	char addr[64], user[32];

	limits(&cfg);
	for (int i = 1; i <= 5; i++) {
		snprintf(addr, sizeof(addr), "2001:db8:1:2::%x", i);
		snprintf(user, sizeof(user), "name%d", i);
		assert_int_equal(guess(f, &cfg, addr, user, 1), 0);
	}
	assert_true(guess(f, &cfg, "2001:db8:1:2:ffff::9", "name6", 1) > 0);
	/* Another /64 is another client. */
	assert_int_equal(guess(f, &cfg, "2001:db8:1:3::1", "name7", 1), 0);
}

/* An IPv4-mapped address is its IPv4 address; two IPv4 addresses are
 * two clients. */
static void test_ipv4_mapped_is_ipv4(void **state)
{
	struct fx *f = *state;
	struct config cfg;

	limits(&cfg);
	assert_int_equal(guess(f, &cfg, "192.0.2.7", "a", 3), 0);
	assert_int_equal(guess(f, &cfg, "::ffff:192.0.2.7", "b", 2), 0);
	assert_true(guess(f, &cfg, "192.0.2.7", "c", 1) > 0);
	assert_int_equal(guess(f, &cfg, "192.0.2.8", "d", 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ipv6_counts_per_64, store_fx_setup,
						store_fx_teardown),
		cmocka_unit_test_setup_teardown(test_ipv4_mapped_is_ipv4, store_fx_setup,
						store_fx_teardown),
	};

	return cmocka_run_group_tests_name("throttle", tests, NULL, NULL);
}
