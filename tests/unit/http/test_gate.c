/*
 * Which client addresses the gate counts as one client for
 * max_connections_per_address (gate_addr_key): an IPv4 address alone;
 * an IPv6 address with the rest of its /64, which one client is
 * routinely given whole (RFC 6177, RFC 7934) and can pick any address
 * from; an IPv4-mapped IPv6 address (a dual-stack socket's IPv4 client)
 * as the IPv4 address it is.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "http/gate.h"

/* The key of a textual address (IPv4 or IPv6) into key. */
static void key_of(const char *text, unsigned char key[16])
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)(void *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)(void *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, text, &sin->sin_addr) == 1)
		sin->sin_family = AF_INET;
	else {
		assert_int_equal(inet_pton(AF_INET6, text, &sin6->sin6_addr), 1);
		sin6->sin6_family = AF_INET6;
	}
	gate_addr_key((const struct sockaddr *)&ss, key);
}

/* 1 when a and b are counted as one client. */
static int same_client(const char *a, const char *b)
{
	unsigned char ka[16], kb[16];

	key_of(a, ka);
	key_of(b, kb);
	return memcmp(ka, kb, 16) == 0;
}

static void test_gate_counts_ipv6_by_its_64_prefix(void **state)
{
	assert_true(same_client("2001:db8:1:2::1", "2001:db8:1:2::2"));
	assert_true(same_client("2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff"));
	assert_true(same_client("2001:db8:1:2:a:b:c:d", "2001:db8:1:2:1234:5678:9abc:def0"));
	/* The next /64, or one differing in its first bits, is another. */
	assert_false(same_client("2001:db8:1:2::1", "2001:db8:1:3::1"));
	assert_false(same_client("2001:db8:1:2::1", "3001:db8:1:2::1"));
	assert_false(same_client("fe80::1", "fe80:0:0:1::1"));
}

static void test_gate_counts_ipv4_by_its_address(void **state)
{
	assert_true(same_client("192.0.2.1", "192.0.2.1"));
	assert_false(same_client("192.0.2.1", "192.0.2.2"));
	assert_false(same_client("192.0.2.1", "198.51.100.1"));
}

/* A dual-stack socket sees an IPv4 client as ::ffff:a.b.c.d: it counts
 * as that IPv4 address, not as the /64 all IPv4 clients share. */
static void test_gate_counts_ipv4_mapped_as_ipv4(void **state)
{
	assert_true(same_client("::ffff:192.0.2.1", "192.0.2.1"));
	assert_false(same_client("::ffff:192.0.2.1", "::ffff:192.0.2.2"));
	assert_false(same_client("::ffff:192.0.2.1", "192.0.2.2"));
	/* Nor is any IPv4 client the IPv6 /64 the mapped range lies in. */
	assert_false(same_client("::ffff:192.0.2.1", "::1"));
	assert_false(same_client("192.0.2.1", "::1"));
	assert_false(same_client("0.0.0.0", "::"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gate_counts_ipv6_by_its_64_prefix),
		cmocka_unit_test(test_gate_counts_ipv4_by_its_address),
		cmocka_unit_test(test_gate_counts_ipv4_mapped_as_ipv4),
	};

	return cmocka_run_group_tests_name("gate", tests, NULL, NULL);
}
