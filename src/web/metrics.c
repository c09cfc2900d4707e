/*
 * Figures for monitoring (issue 18, point 6): GET /metrics in
 * Prometheus's text format (0.0.4) to the addresses of metrics_allow
 * only, and GET /readyz naming each dependency.
 *
 * Requests are counted where the server writes the access line
 * (metrics_done, the server's done hook): by route (the route table's
 * pattern, "other" for none), method and status, with a latency
 * histogram.  Relaxed atomic additions, a few per request; the scrape
 * reads them and asks the store for the queues, the orders by state and
 * the database's size.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app/ca_port.h"
#include "app/throttle.h"
#include "docs/render.h"
#include "domain/workflow.h"
#include "mail/mail.h"
#include "store/store_metrics.h"
#include "util/buf.h"
#include "web/app.h"

#define MAX_ROUTES 160
#define N_METHODS 4 /* GET (and HEAD), POST, other; index 3 unused */

static const unsigned statuses[] = {200, 204, 301, 302, 303, 304, 400, 401, 403,
				    404, 405, 408, 409, 410, 411, 413, 414, 415,
				    422, 429, 431, 500, 502, 503, 504, 505};
#define N_STATUS (sizeof(statuses) / sizeof(statuses[0]) + 1) /* + other */

/* Upper bounds of the latency buckets, in microseconds. */
static const unsigned long long bounds_us[] = {500,     1000,    2500,    5000,    10000,
					       25000,   50000,   100000,  250000,  500000,
					       1000000, 2500000, 5000000, 10000000};
#define N_BUCKETS (sizeof(bounds_us) / sizeof(bounds_us[0]) + 1) /* + +Inf */

static _Atomic unsigned long long counts[MAX_ROUTES + 1][N_METHODS][N_STATUS];
static _Atomic unsigned long long buckets[N_BUCKETS];
static _Atomic unsigned long long sum_us, aborted_count;
static _Atomic(struct http_server *) server;

void metrics_set_server(struct http_server *s)
{
	atomic_store(&server, s);
}

static size_t status_index(unsigned status)
{
	size_t i;

	for (i = 0; i < N_STATUS - 1; i++)
		if (statuses[i] == status)
			return i;
	return N_STATUS - 1;
}

void metrics_done(const struct req *r, int aborted)
{
	unsigned long long us = http_now_us() - r->start_us;
	size_t route = r->route > 0 && r->route <= MAX_ROUTES ? (size_t)r->route : 0, b;
	int m = r->method == HTTP_GET || r->method == HTTP_HEAD ? 0
		: r->method == HTTP_POST                        ? 1
								: 2;

	atomic_fetch_add_explicit(&counts[route][m][status_index(r->status)], 1,
				  memory_order_relaxed);
	for (b = 0; b < N_BUCKETS - 1 && us > bounds_us[b]; b++)
		;
	atomic_fetch_add_explicit(&buckets[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&sum_us, us, memory_order_relaxed);
	if (aborted)
		atomic_fetch_add_explicit(&aborted_count, 1, memory_order_relaxed);
}

static void family(struct buf *o, const char *name, const char *type, const char *help)
{
	buf_printf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void requests(struct buf *o)
{
	static const char *const mnames[] = {"GET", "POST", "other"};
	const char *route, *rmethod;
	unsigned long long v, total = 0;
	size_t i, s, n = app_route_count();
	int m;

	family(o, "qcra_http_requests_total", "counter",
	       "Requests answered, by route, method and status.");
	for (i = 0; i <= n && i <= MAX_ROUTES; i++)
		for (m = 0; m < 3; m++)
			for (s = 0; s < N_STATUS; s++) {
				if ((v = atomic_load_explicit(&counts[i][m][s],
							      memory_order_relaxed)) == 0)
					continue;
				route = i == 0 ? "other" : app_route_name((int)i, &rmethod);
				buf_printf(o,
					   "qcra_http_requests_total{method=\"%s\",route=\"%s\",",
					   mnames[m], route);
				if (s < N_STATUS - 1)
					buf_printf(o, "status=\"%u\"} %llu\n", statuses[s], v);
				else
					buf_printf(o, "status=\"other\"} %llu\n", v);
			}
	family(o, "qcra_http_request_duration_seconds", "histogram",
	       "Time from a request's arrival to its answer's end.");
	for (i = 0; i < N_BUCKETS; i++) {
		total += atomic_load_explicit(&buckets[i], memory_order_relaxed);
		if (i < N_BUCKETS - 1)
			buf_printf(o, "qcra_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
				   (double)bounds_us[i] / 1e6, total);
		else
			buf_printf(o,
				   "qcra_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
				   total);
	}
	buf_printf(o, "qcra_http_request_duration_seconds_sum %.6f\n",
		   (double)atomic_load_explicit(&sum_us, memory_order_relaxed) / 1e6);
	buf_printf(o, "qcra_http_request_duration_seconds_count %llu\n", total);
	family(o, "qcra_http_responses_aborted_total", "counter",
	       "Answers that did not go out whole (the client went away).");
	buf_printf(o, "qcra_http_responses_aborted_total %llu\n",
		   atomic_load_explicit(&aborted_count, memory_order_relaxed));
}

static void age(struct buf *o, const char *name, time_t oldest, time_t now)
{
	buf_printf(o, "%s %lld\n", name,
		   oldest > 0 && now > oldest ? (long long)(now - oldest) : 0);
}

void web_metrics(struct req *r)
{
	struct app *app = app_of(r);
	struct store_metrics sm;
	struct http_server *srv;
	struct buf *o = &r->out;
	time_t now = time(NULL);
	int st;

	if (!web_addr_listed(app_of(r)->cfg->metrics_allow, r->client_addr)) {
		http_text(r, 404, "not found\n");
		return;
	}
	if (store_metrics_read(app->store, &sm) != STORE_OK) {
		http_text(r, 503, "the database cannot be read now\n");
		return;
	}
	buf_reset(o);
	requests(o);
	family(o, "qcra_http_connections_open", "gauge", "Client connections open now.");
	srv = atomic_load(&server);
	buf_printf(o, "qcra_http_connections_open %u\n", srv ? http_server_connections(srv) : 0);
	family(o, "qcra_outbox_messages", "gauge", "Mail queued and not yet delivered.");
	buf_printf(o, "qcra_outbox_messages %lld\n", sm.outbox_queued);
	family(o, "qcra_outbox_oldest_age_seconds", "gauge",
	       "Age of the oldest mail not yet delivered (0: none).");
	age(o, "qcra_outbox_oldest_age_seconds", sm.outbox_oldest, now);
	family(o, "qcra_ca_queue_orders", "gauge",
	       "Submissions and revocations waiting for the CA.");
	buf_printf(o, "qcra_ca_queue_orders %lld\n", sm.ca_queued);
	family(o, "qcra_ca_queue_oldest_age_seconds", "gauge",
	       "Age of the oldest of them (0: none).");
	age(o, "qcra_ca_queue_oldest_age_seconds", sm.ca_oldest, now);
	family(o, "qcra_orders", "gauge", "Orders by state.");
	for (st = 0; st < WF_STATE__MAX; st++)
		buf_printf(o, "qcra_orders{state=\"%s\"} %lld\n", wf_state_name((enum wf_state)st),
			   sm.orders[st]);
	family(o, "qcra_renderer_children", "gauge", "Document renderer processes running.");
	buf_printf(o, "qcra_renderer_children %d\n", render_children());
	family(o, "qcra_database_size_bytes", "gauge", "Size of the database.");
	buf_printf(o, "qcra_database_size_bytes %lld\n", sm.db_bytes);
	family(o, "qcra_login_throttled_total", "counter",
	       "Login tries refused or delayed by throttling since the start.");
	buf_printf(o, "qcra_login_throttled_total %llu\n", uc_throttle_refused());
	r->status = 200;
	r->content_type = "text/plain; version=0.0.4; charset=utf-8";
}

void web_readyz(struct req *r)
{
	struct app *app = app_of(r);
	struct ca_connector *ca;
	char err[512];
	int ok = 1;

	buf_reset(&r->out);
	/* Writable: a write transaction can begin (and is rolled back). */
	if (store_write_check(app->store) == STORE_OK) {
		buf_puts(&r->out, "database: ok\n");
	} else {
		buf_puts(&r->out, "database: not ready: a write transaction cannot begin\n");
		ok = 0;
	}
	if ((ca = web_ca_connector(r, err, sizeof(err))) == NULL ||
	    (ca->ready != NULL && ca->ready(ca, err, sizeof(err)) != 0)) {
		buf_printf(&r->out, "ca: not ready: %s\n", err);
		ok = 0;
	} else {
		buf_puts(&r->out, "ca: ok\n");
	}
	if (app->mail == NULL) {
		buf_puts(&r->out, "mail: ok (delivered by another process)\n");
	} else if (mail_worker_ready(app->mail, err, sizeof(err)) != 0) {
		buf_printf(&r->out, "mail: not ready: %s\n", err);
		ok = 0;
	} else {
		buf_puts(&r->out, "mail: ok\n");
	}
	r->status = ok ? 200 : 503;
	r->content_type = "text/plain; charset=utf-8";
}
