/*
 * Behind a load balancer (issue 17, point 5; issue 13, point 1): the
 * addresses of proxy_protocol_from send the PROXY protocol header
 * (haproxy's "send-proxy" v1 text, "send-proxy-v2" binary) before each
 * connection, and the client address it carries is the one the portal
 * counts, throttles and logs.  A connection from such an address
 * without the header is closed unanswered; one from anywhere else
 * that starts with a header is a bad request.  127.0.0.4 plays the
 * load balancer, 127.0.0.2 a client connecting directly.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

#define PROXY "127.0.0.4"

static int setup(void **state)
{
	const char *env[] = {"QCRA_PROXY_PROTOCOL_FROM=" PROXY ", ::1",
			     "QCRA_MAX_CONNECTIONS_PER_ADDRESS=4", "QCRA_REQUEST_HEAD_SECONDS=2",
			     NULL};
	struct server *s = calloc(1, sizeof(*s));

	if (s == NULL || server_start(s, env) != 0) {
		free(s);
		return -1;
	}
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	if (*state == NULL)
		return 0;
	server_cleanup(*state);
	free(*state);
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void send_all(int fd, const void *p, size_t n)
{
	assert_int_equal(send(fd, p, n, MSG_NOSIGNAL), (ssize_t)n);
}

static int status_of(const char *b, size_t len)
{
	struct response r = {0};
	int st = response_parse(b, len, &r) == 0 ? (int)r.status : 0;

	response_free(&r);
	return st;
}

/* What the server sends on fd until it has a whole answer to one GET
 * (Content-Length read) or closes, within timeout_ms: the status, 0
 * when the server closed without answering, -1 on timeout. */
static int answer(int fd, int timeout_ms)
{
	char b[65536];
	size_t len = 0;
	long long end = now_ms() + timeout_ms;

	for (;;) {
		struct pollfd p = {fd, POLLIN, 0};
		const char *h, *cl;
		ssize_t n;
		long left = (long)(end - now_ms());

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return -1;
		n = recv(fd, b + len, sizeof(b) - 1 - len, 0);
		if (n <= 0)
			return len == 0 ? 0 : status_of(b, len);
		len += (size_t)n;
		b[len] = '\0';
		if ((h = strstr(b, "\r\n\r\n")) != NULL &&
		    ((cl = strstr(b, "Content-Length: ")) == NULL ||
		     (size_t)(h + 4 - b) + strtoul(cl + 16, NULL, 10) <= len))
			return status_of(b, len);
	}
}

static const char GET[] = "GET /login HTTP/1.1\r\nHost: portal\r\n\r\n";

/* A v2 header (PROXY command, TCP over IPv4 or IPv6) for src:sport. */
static size_t v2_header(unsigned char *out, const char *src, unsigned sport)
{
	static const unsigned char sig[12] = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
					      0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a};
	int six = strchr(src, ':') != NULL;
	size_t alen = six ? 16 : 4, n = 16;

	memcpy(out, sig, 12);
	out[12] = 0x21;
	out[13] = six ? 0x21 : 0x11;
	out[14] = 0;
	out[15] = (unsigned char)(2 * alen + 4 + 7); /* and a TLV of 7 bytes, ignored */
	assert_int_equal(inet_pton(six ? AF_INET6 : AF_INET, src, out + n), 1);
	n += alen;
	assert_int_equal(inet_pton(six ? AF_INET6 : AF_INET, six ? "::1" : "127.0.0.1", out + n),
			 1);
	n += alen;
	out[n++] = (unsigned char)(sport >> 8);
	out[n++] = (unsigned char)sport;
	out[n++] = 0x1f;
	out[n++] = 0x90; /* destination port 8080 */
	memcpy(out + n,
	       "\x04\x00\x04"
	       "abcd",
	       7); /* PP2_TYPE_NOOP */
	return n + 7;
}

/* How many lines of the log name addr, once at least want do or 3 s
 * have passed (the access line is written after the answer is sent). */
static int log_lines_from(const struct server *s, const char *addr, int want)
{
	long long end = now_ms() + 3000;
	int n;

	do {
		char *log = server_log(s), *p;

		assert_non_null(log);
		for (n = 0, p = log; (p = strstr(p, addr)) != NULL; p += strlen(addr))
			n++;
		free(log);
		if (n >= want)
			break;
		usleep(20000);
	} while (now_ms() < end);
	return n;
}

static void test_v1_header_gives_the_clients_address(void **state)
{
	struct server *s = *state;
	char req[256];
	int fd = raw_connect_from(s, PROXY, 0);

	assert_true(fd >= 0);
	snprintf(req, sizeof(req), "PROXY TCP4 198.51.100.7 127.0.0.1 40000 %d\r\n%s", s->port,
		 GET);
	send_all(fd, req, strlen(req)); /* header and request in one segment */
	assert_int_equal(answer(fd, 5000), 200);
	/* The connection is kept alive: the next request is the same client's. */
	send_all(fd, GET, strlen(GET));
	assert_int_equal(answer(fd, 5000), 200);
	close(fd);
	assert_int_equal(log_lines_from(s, "198.51.100.7", 2), 2);
	assert_int_equal(log_lines_from(s, PROXY, 0), 0);
}

static void test_v2_header_in_pieces_gives_the_clients_address(void **state)
{
	struct server *s = *state;
	unsigned char h[128];
	size_t n = v2_header(h, "2001:db8::7", 40001), i;
	int fd = raw_connect_from(s, PROXY, 0);

	assert_true(fd >= 0);
	for (i = 0; i < n; i += 5) { /* the header trickles in */
		send_all(fd, h + i, n - i < 5 ? n - i : 5);
		usleep(20000);
	}
	send_all(fd, GET, strlen(GET));
	assert_int_equal(answer(fd, 5000), 200);
	close(fd);
	assert_int_equal(log_lines_from(s, "2001:db8::7", 1), 1);
}

/* A v2 LOCAL header (the balancer's own health check) keeps the
 * balancer's address. */
static void test_v2_local_keeps_the_balancers_address(void **state)
{
	struct server *s = *state;
	unsigned char h[64];
	int fd = raw_connect_from(s, PROXY, 0);

	v2_header(h, "192.0.2.1", 1);
	h[12] = 0x20; /* LOCAL */
	h[13] = 0x00;
	h[14] = h[15] = 0;
	assert_true(fd >= 0);
	send_all(fd, h, 16);
	send_all(fd, "GET /healthz HTTP/1.1\r\nHost: portal\r\n\r\n", 39);
	assert_int_equal(answer(fd, 5000), 200);
	close(fd);
	assert_true(log_lines_from(s, PROXY, 1) >= 1);
}

static void test_balancer_without_header_is_closed(void **state)
{
	struct server *s = *state;
	int fd = raw_connect_from(s, PROXY, 0);

	assert_true(fd >= 0);
	send_all(fd, GET, strlen(GET));
	assert_int_equal(answer(fd, 5000), 0);
	close(fd);
	/* A header that never ends is cut at the head's deadline (2 s). */
	assert_true((fd = raw_connect_from(s, PROXY, 0)) >= 0);
	send_all(fd, "PROXY TCP4 198.51.100.9", 23);
	assert_int_equal(answer(fd, 5000), 0);
	close(fd);
	assert_int_equal(log_lines_from(s, "198.51.100.9", 0), 0);
}

/* Anyone else may not say who they are. */
static void test_header_from_elsewhere_is_a_bad_request(void **state)
{
	struct server *s = *state;
	char req[256];
	int fd = raw_connect_from(s, "127.0.0.2", 0);

	assert_true(fd >= 0);
	snprintf(req, sizeof(req), "PROXY TCP4 198.51.100.8 127.0.0.1 40000 %d\r\n%s", s->port,
		 GET);
	send_all(fd, req, strlen(req));
	assert_int_equal(answer(fd, 5000), 400);
	close(fd);
	assert_int_equal(log_lines_from(s, "198.51.100.8", 0), 0);
}

/* max_connections_per_address (4 here) counts the clients behind the
 * balancer, not the balancer: six clients through it are all served
 * at once, and a fifth connection of one client is refused. */
static void test_limits_count_the_clients_behind_the_balancer(void **state)
{
	struct server *s = *state;
	int fd[6], same[5], i;
	char req[256];

	for (i = 0; i < 6; i++) {
		assert_true((fd[i] = raw_connect_from(s, PROXY, 0)) >= 0);
		snprintf(req, sizeof(req), "PROXY TCP4 203.0.113.%d 127.0.0.1 4000%d %d\r\n%s",
			 10 + i, i, s->port, GET);
		send_all(fd[i], req, strlen(req));
		assert_int_equal(answer(fd[i], 5000), 200); /* and kept open */
	}
	for (i = 0; i < 5; i++) {
		assert_true((same[i] = raw_connect_from(s, PROXY, 0)) >= 0);
		snprintf(req, sizeof(req), "PROXY TCP4 203.0.113.99 127.0.0.1 4100%d %d\r\n%s", i,
			 s->port, GET);
		send_all(same[i], req, strlen(req));
		assert_int_equal(answer(same[i], 5000), i < 4 ? 200 : 0);
	}
	for (i = 0; i < 6; i++)
		close(fd[i]);
	for (i = 0; i < 5; i++)
		close(same[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1_header_gives_the_clients_address),
		cmocka_unit_test(test_v2_header_in_pieces_gives_the_clients_address),
		cmocka_unit_test(test_v2_local_keeps_the_balancers_address),
		cmocka_unit_test(test_balancer_without_header_is_closed),
		cmocka_unit_test(test_header_from_elsewhere_is_a_bad_request),
		cmocka_unit_test(test_limits_count_the_clients_behind_the_balancer),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
