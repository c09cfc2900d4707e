/*
 * The server under attack (issue 13): one address holding thousands of
 * slow connections does not starve another; a request head or body
 * trickled past its deadline is cut off however busy the client keeps
 * it; and no handler runs unless its answer can be sent (request heads
 * from 6 to 16 KB on a state-changing POST: the normal answer, or 431
 * with nothing changed).  Loopback addresses 127.0.0.2 and 127.0.0.3
 * play two clients.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "journey.h"
#include "store/store.h"

#define PW "Tri ma\xc4\x8dke spavaju na krovu"

static int setup_env(void **state, const char *const *env)
{
	struct journey_fx *f = calloc(1, sizeof(*f));

	if (f == NULL || server_start(&f->s, env) != 0 || client_init(&f->c, &f->s) != 0) {
		if (f)
			server_cleanup(&f->s);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int setup_server(void **state)
{
	return setup_env(state, NULL);
}

/* Deadlines of 2 s, so the test need not wait the default ones. */
static int setup_short_deadlines(void **state)
{
	const char *env[] = {"QCRA_REQUEST_HEAD_SECONDS=2", "QCRA_REQUEST_BODY_SECONDS=2", NULL};

	return setup_env(state, env);
}

/* A member (Žarko) logged in, for the state-changing POSTs. */
static int setup_member(void **state)
{
	struct journey_fx *f;

	if (journey_fx_setup(state, NULL) != 0)
		return -1;
	f = *state;
	journey_member(&f->s, &f->c, &demo_zarko, "zdjuras", PW);
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* Whether the server has closed fd (EOF or reset), waiting up to
 * timeout_ms; what arrived before goes to out (may be NULL). */
static int closed_by_server(int fd, int timeout_ms, struct buf *out)
{
	long long end = now_ms() + timeout_ms;
	char chunk[4096];
	struct pollfd p = {fd, POLLIN, 0};
	ssize_t n;

	for (;;) {
		int left = (int)(end - now_ms());

		/* Past the deadline, what has already arrived is still read:
		 * a refusal page and its close count as closed. */
		if (poll(&p, 1, left < 0 ? 0 : left) == 0)
			return 0;
		n = recv(fd, chunk, sizeof(chunk), MSG_DONTWAIT);
		if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR))
			return 1;
		if (n > 0 && out != NULL)
			buf_append(out, chunk, (size_t)n);
	}
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

#define SLOW 2000
#define FAST 200

/* A slow client's connections: each trickles a request head that never
 * ends; one closed by the server is opened again, as a tool holding
 * 2,000 connections would. */
struct loris {
	int fd[SLOW];
	int started[SLOW]; /* 1: the request line has been sent */
};

/* One round: reopen what the server closed, send the request line on
 * new connections and one more header line on the others.  Returns
 * the number of connections that were found closed. */
static int loris_round(struct loris *l, const struct server *s)
{
	struct pollfd p;
	int i, reopened = 0;

	for (i = 0; i < SLOW; i++) {
		if (l->fd[i] >= 0 && l->started[i] && closed_by_server(l->fd[i], 0, NULL)) {
			close(l->fd[i]);
			l->fd[i] = -1;
			reopened++;
		}
		if (l->fd[i] < 0) {
			l->fd[i] = raw_connect_from(s, "127.0.0.2", 1);
			l->started[i] = 0;
			continue;
		}
		p.fd = l->fd[i];
		p.events = POLLOUT;
		p.revents = 0;
		if (poll(&p, 1, 0) != 1 || !(p.revents & POLLOUT))
			continue;
		if (!l->started[i])
			l->started[i] = send(l->fd[i], "GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\n",
					     38, MSG_NOSIGNAL | MSG_DONTWAIT) == 38;
		else
			send(l->fd[i], "X-Slow: 1\r\n", 11, MSG_NOSIGNAL | MSG_DONTWAIT);
	}
	return reopened;
}

/*
 * Issue 13.1: 127.0.0.2 holds 2,000 connections, trickling a request
 * head on each and reopening any the server closes; meanwhile 127.0.0.3
 * makes 200 requests (each on a new connection), p99 under 100 ms.  Of
 * the slow connections no more than the per-address limit (64) stay
 * open.
 */
static void test_slow_connections_from_one_address_do_not_starve_another(void **state)
{
	struct journey_fx *f = *state;
	static struct loris l;
	long long t[FAST], started;
	struct rlimit rl;
	struct buf reply = BUF_INIT;
	struct response r = {0};
	int i, open_slow = 0, fd;

	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_cur < SLOW + 256) {
		rl.rlim_cur = rl.rlim_max;
		assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	}
	assert_true(rl.rlim_cur >= SLOW + 256);
	for (i = 0; i < SLOW; i++)
		l.fd[i] = -1;
	for (i = 0; i < 5; i++) {
		loris_round(&l, &f->s);
		sleep_ms(200);
	}
	for (i = 0; i < FAST; i++) {
		if (i % 20 == 0)
			loris_round(&l, &f->s);
		started = now_ms();
		buf_reset(&reply);
		if ((fd = raw_connect_from(&f->s, "127.0.0.3", 1)) >= 0) {
			struct pollfd p = {fd, POLLOUT, 0};

			if (poll(&p, 1, 2000) == 1 && send(fd,
							   "GET /login HTTP/1.1\r\nHost: "
							   "127.0.0.1\r\nConnection: close\r\n\r\n",
							   59, MSG_NOSIGNAL) == 59)
				closed_by_server(fd, 2000, &reply);
			close(fd);
		}
		t[i] = now_ms() - started;
		if (response_parse(reply.data, reply.len, &r) != 0 || r.status != 200)
			fail_msg("request %d of 127.0.0.3: status %ld after %lld ms", i, r.status,
				 t[i]);
	}
	qsort(t, FAST, sizeof(t[0]), cmp_ll);
	fprintf(stderr, "# 127.0.0.3 under 2,000 slow connections: median %lld ms, p99 %lld ms\n",
		t[FAST / 2], t[FAST * 99 / 100 - 1]);
	/* The last round's reopened connections may still wait in the
	 * listen queue, established on this side: let the server take and
	 * refuse them before counting what it keeps open. */
	sleep_ms(200);
	for (i = 0; i < SLOW; i++) {
		if (l.fd[i] < 0)
			continue;
		if (l.started[i] && !closed_by_server(l.fd[i], 0, NULL))
			open_slow++;
		close(l.fd[i]);
	}
	fprintf(stderr, "# slow connections of 127.0.0.2 still open: %d\n", open_slow);
	{
		int fast = 0;

		for (i = 0; i < FAST; i++)
			fast += t[i] < 100;
		/* For docs/SECURITY-TESTS.md (tests/tools/security_report.py). */
		printf("# security: connections: requests of another address within 100 ms under "
		       "2,000 slow connections tried %d passed %d\n",
		       FAST, fast);
	}
	buf_free(&reply);
	response_free(&r);
	assert_true(t[FAST * 99 / 100 - 1] < 100);
	assert_true(open_slow <= 64);
}

/* Issue 13.1: a head trickled one line every 300 ms, never idle long
 * enough for an inactivity timeout, is cut off at its deadline (2 s
 * here) with a 408 page. */
static void test_trickled_head_is_cut_at_its_deadline(void **state)
{
	struct journey_fx *f = *state;
	struct buf got = BUF_INIT;
	long long start = now_ms();
	int fd = raw_connect_from(&f->s, "127.0.0.2", 0), closed = 0;

	assert_true(fd >= 0);
	assert_int_equal(raw_send(fd, "GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"), 0);
	while (!closed && now_ms() - start < 6000) {
		send(fd, "X-Slow: 1\r\n", 11, MSG_NOSIGNAL);
		closed = closed_by_server(fd, 300, &got);
	}
	close(fd);
	fprintf(stderr, "# trickled head closed after %lld ms\n", now_ms() - start);
	assert_true(closed);
	assert_true(now_ms() - start < 4000);
	assert_int_equal(response_parse(got.data, got.len, &f->r), 0);
	assert_int_equal(f->r.status, 408);
	buf_free(&got);
}

/* The same for a body trickled a byte every 300 ms. */
static void test_trickled_body_is_cut_at_its_deadline(void **state)
{
	struct journey_fx *f = *state;
	long long start = now_ms();
	int fd = raw_connect_from(&f->s, "127.0.0.2", 0), closed = 0;

	assert_true(fd >= 0);
	assert_int_equal(raw_send(fd, "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
				      "Content-Type: application/x-www-form-urlencoded\r\n"
				      "Content-Length: 1000\r\n\r\na="),
			 0);
	while (!closed && now_ms() - start < 6000) {
		send(fd, "x", 1, MSG_NOSIGNAL);
		closed = closed_by_server(fd, 300, NULL);
	}
	close(fd);
	fprintf(stderr, "# trickled body closed after %lld ms\n", now_ms() - start);
	assert_true(closed);
	assert_true(now_ms() - start < 4000);
}

/* The id in a Location "/orders/N..." of r, or 0. */
static long long location_order(const struct response *r)
{
	char *loc = journey_location(r);
	long long id = 0;

	if (loc != NULL && strncmp(loc, "/orders/", 8) == 0)
		id = atoll(loc + 8);
	free(loc);
	return id;
}

#define HEAD_FROM 6000
#define HEAD_TO 16000
#define HEAD_STEP 64
#define NSIZES ((HEAD_TO - HEAD_FROM) / HEAD_STEP + 1)

/*
 * Issue 13.2: the member cancels a draft order with a request whose
 * head is 6,000 to 16,000 bytes, in steps of 64: each gets its normal
 * answer (303, and the order is cancelled) or 431 (and the order is
 * still a draft), never silence.
 */
static void test_big_heads_get_their_answer_or_431_with_nothing_changed(void **state)
{
	struct journey_fx *f = *state;
	static long long ids[NSIZES];
	char *session = client_cookie(&f->c, "qcra_session"), *csrf, *ct;
	struct buf req = BUF_INIT;
	struct store *st;
	struct order o;
	char path[PATH_MAX + 16], err[256], body[256];
	int i, served = 0, refused = 0;

	assert_non_null(session);
	for (i = 0; i < NSIZES; i++) {
		assert_int_equal(journey_order_draft(&f->c, &f->r, "NS", NULL, NULL), 303);
		assert_true((ids[i] = location_order(&f->r)) > 0);
	}
	assert_int_equal(journey_get(&f->c, "/", &f->r), 200);
	csrf = form_field_value(buf_cstr(&f->r.body), "csrf_token");
	assert_non_null(csrf);
	snprintf(body, sizeof(body), "csrf_token=%s&confirm=1", csrf);
	snprintf(path, sizeof(path), "%s/qcra.db", f->s.var);
	for (i = 0; i < NSIZES; i++) {
		size_t size = HEAD_FROM + (size_t)i * HEAD_STEP, pad;

		buf_reset(&req);
		buf_printf(&req,
			   "POST /orders/%lld/cancel HTTP/1.1\r\nHost: 127.0.0.1\r\n"
			   "Cookie: qcra_session=%s\r\n"
			   "Content-Type: application/x-www-form-urlencoded\r\n"
			   "Content-Length: %zu\r\nConnection: close\r\nX-Pad: ",
			   ids[i], session, strlen(body));
		pad = size - req.len - 4; /* "\r\n\r\n" ends the head */
		assert_true(pad < size);
		for (size_t k = 0; k < pad; k++)
			buf_putc(&req, 'p');
		buf_puts(&req, "\r\n\r\n");
		assert_int_equal(req.len, size);
		buf_puts(&req, body);
		raw_exchange(&f->s, req.data, req.len, &f->r, 10000);
		assert_int_equal(store_open(&st, path, err, sizeof(err)), STORE_OK);
		assert_int_equal(store_order_get(st, ids[i], &o), STORE_OK);
		store_close(st);
		if (f->r.status == 303 && o.state == WF_CANCELLED) {
			served++;
			continue;
		}
		if (f->r.status == 431 && o.state == WF_DRAFT) {
			ct = response_header(&f->r, "Content-Type");
			assert_non_null(ct);
			assert_non_null(strstr(ct, "text/html"));
			free(ct);
			refused++;
			continue;
		}
		fail_msg("head of %zu bytes: status %ld, order %s", size, f->r.status,
			 wf_state_name(o.state));
	}
	fprintf(stderr, "# heads %d-%d bytes: %d served, %d refused with 431\n", HEAD_FROM, HEAD_TO,
		served, refused);
	printf("# security: large heads: answered or refused with 431, nothing changed tried %d "
	       "passed %d\n",
	       NSIZES, served + refused);
	assert_true(served > 0); /* 6 KB heads are served */
	assert_true(refused > 0);
	buf_free(&req);
	free(csrf);
	free(session);
}

#define TEST(name, setup) cmocka_unit_test_setup_teardown(name, setup, journey_fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_slow_connections_from_one_address_do_not_starve_another, setup_server),
		TEST(test_trickled_head_is_cut_at_its_deadline, setup_short_deadlines),
		TEST(test_trickled_body_is_cut_at_its_deadline, setup_short_deadlines),
		TEST(test_big_heads_get_their_answer_or_431_with_nothing_changed, setup_member),
	};

	return cmocka_run_group_tests_name("http_limits", tests, NULL, NULL);
}
