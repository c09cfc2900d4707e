/*
 * Figures for monitoring (issue 18, point 6), over real HTTP:
 * GET /metrics in Prometheus's text format (0.0.4), read here by a
 * strict parser of that format, answered only to the configured
 * addresses; GET /readyz naming each dependency and whether it is
 * ready.
 */
#include <ctype.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "journey.h"

static int setup(void **state)
{
	return journey_fx_setup(state, NULL);
}

static int setup_elsewhere(void **state)
{
	static const char *const env[] = {"QCRA_METRICS_ALLOW=127.0.0.2, ::2", NULL};

	return journey_fx_setup(state, env);
}

/* SMTP on a port where nothing listens: mail is not deliverable. */
static int setup_no_smtp(void **state)
{
	static const char *const env[] = {"QCRA_MAIL_TRANSPORT=smtp",
					  "QCRA_SMTP_URL=smtp://127.0.0.1:9", NULL};

	return journey_fx_setup(state, env);
}

/* ---- A strict reader of the text format --------------------------------------------- */

#define MAX_SAMPLES 4096
#define MAX_FAMILIES 128

struct sample {
	char name[96];
	char labels[256]; /* as written, between the braces */
	double value;
};

struct family {
	char name[96];
	char type[16];
	int help, samples;
};

struct scrape {
	struct sample s[MAX_SAMPLES];
	size_t n;
	struct family f[MAX_FAMILIES];
	size_t nf;
};

static int name_char(int c, int first)
{
	return isalpha(c) || c == '_' || c == ':' || (!first && isdigit(c));
}

/* The metric name at *p (advanced past it) into out; 0 or -1. */
static int read_name(const char **p, char *out, size_t size, int label)
{
	size_t n = 0;

	if (!name_char((unsigned char)**p, 1) || (label && **p == ':'))
		return -1;
	while (name_char((unsigned char)**p, 0) && !(label && **p == ':')) {
		if (n + 1 >= size)
			return -1;
		out[n++] = *(*p)++;
	}
	out[n] = '\0';
	return 0;
}

static struct family *family_of(struct scrape *sc, const char *name)
{
	size_t i;

	for (i = 0; i < sc->nf; i++)
		if (strcmp(sc->f[i].name, name) == 0)
			return &sc->f[i];
	return NULL;
}

/* The family a sample belongs to: its own name, or a histogram's or
 * summary's with _bucket, _sum or _count cut. */
static struct family *sample_family(struct scrape *sc, const char *name)
{
	static const char *const suffix[] = {"_bucket", "_sum", "_count"};
	char base[96];
	struct family *f;
	size_t i, n = strlen(name), k;

	if ((f = family_of(sc, name)) != NULL)
		return f;
	for (i = 0; i < 3; i++) {
		k = strlen(suffix[i]);
		if (n > k && strcmp(name + n - k, suffix[i]) == 0) {
			snprintf(base, sizeof(base), "%.*s", (int)(n - k), name);
			if ((f = family_of(sc, base)) != NULL &&
			    (strcmp(f->type, "histogram") == 0 || strcmp(f->type, "summary") == 0))
				return f;
		}
	}
	return NULL;
}

static double read_value(const char *p, const char **end)
{
	char *e;
	double v;

	if (strncmp(p, "+Inf", 4) == 0) {
		*end = p + 4;
		return INFINITY;
	}
	if (strncmp(p, "-Inf", 4) == 0) {
		*end = p + 4;
		return -INFINITY;
	}
	if (strncmp(p, "NaN", 3) == 0) {
		*end = p + 3;
		return NAN;
	}
	v = strtod(p, &e);
	*end = e == p ? NULL : e;
	return v;
}

/* Parses text into sc, failing the test at the first line that is not
 * the format's (every sample's family declared by # TYPE before it,
 * names and labels well formed, no sample twice, a histogram's buckets
 * cumulative with +Inf equal to its count). */
static void scrape_parse(struct scrape *sc, const char *text)
{
	const char *line = text, *eol, *p, *e;
	char ln[1024], name[96];
	size_t i, j;

	memset(sc, 0, sizeof(*sc));
	for (; *line != '\0'; line = eol + 1) {
		if ((eol = strchr(line, '\n')) == NULL)
			fail_msg("the last line does not end with a line feed");
		snprintf(ln, sizeof(ln), "%.*s", (int)(eol - line), line);
		if (ln[0] == '\0')
			fail_msg("an empty line");
		if (ln[0] == '#') {
			struct family *f;
			int help = strncmp(ln, "# HELP ", 7) == 0;

			if (!help && strncmp(ln, "# TYPE ", 7) != 0)
				fail_msg("a comment that is neither HELP nor TYPE: %s", ln);
			p = ln + 7;
			if (read_name(&p, name, sizeof(name), 0) != 0 || *p != ' ')
				fail_msg("bad name in: %s", ln);
			p++;
			if ((f = family_of(sc, name)) == NULL) {
				assert_true(sc->nf < MAX_FAMILIES);
				f = &sc->f[sc->nf++];
				snprintf(f->name, sizeof(f->name), "%s", name);
			}
			if (help) {
				if (f->help++ || *p == '\0')
					fail_msg("HELP twice or empty: %s", ln);
			} else {
				if (f->type[0] != '\0' || f->samples > 0)
					fail_msg("TYPE twice or after samples: %s", ln);
				if (strcmp(p, "counter") && strcmp(p, "gauge") &&
				    strcmp(p, "histogram") && strcmp(p, "summary") &&
				    strcmp(p, "untyped"))
					fail_msg("unknown type: %s", ln);
				snprintf(f->type, sizeof(f->type), "%s", p);
			}
			continue;
		}
		assert_true(sc->n < MAX_SAMPLES);
		struct sample *s = &sc->s[sc->n];
		struct family *f;

		p = ln;
		if (read_name(&p, s->name, sizeof(s->name), 0) != 0)
			fail_msg("bad sample name: %s", ln);
		if (*p == '{') {
			const char *start = ++p;

			while (*p != '}') {
				char lname[64];

				if (read_name(&p, lname, sizeof(lname), 1) != 0 || *p++ != '=' ||
				    *p++ != '"')
					fail_msg("bad label in: %s", ln);
				while (*p != '"') {
					if (*p == '\0')
						fail_msg("unterminated label value: %s", ln);
					if (*p == '\\' && p[1] != '\\' && p[1] != '"' &&
					    p[1] != 'n')
						fail_msg("bad escape in: %s", ln);
					p += *p == '\\' ? 2 : 1;
				}
				p++;
				if (*p == ',')
					p++;
				else if (*p != '}')
					fail_msg("labels not separated by commas: %s", ln);
			}
			snprintf(s->labels, sizeof(s->labels), "%.*s", (int)(p - start), start);
			p++;
		}
		if (*p++ != ' ')
			fail_msg("no space before the value: %s", ln);
		s->value = read_value(p, &e);
		if (e == NULL || (*e != '\0' && *e != ' '))
			fail_msg("bad value: %s", ln);
		if ((f = sample_family(sc, s->name)) == NULL || f->type[0] == '\0')
			fail_msg("sample without a # TYPE before it: %s", ln);
		f->samples++;
		for (i = 0; i < sc->n; i++)
			if (!strcmp(sc->s[i].name, s->name) && !strcmp(sc->s[i].labels, s->labels))
				fail_msg("sample twice: %s", ln);
		sc->n++;
	}
	/* Histograms: buckets cumulative, +Inf = _count. */
	for (i = 0; i < sc->nf; i++) {
		char bucket[128], count[128];
		double last = -1, inf = -1, cnt = -1, le_last = -INFINITY;

		if (strcmp(sc->f[i].type, "histogram") != 0)
			continue;
		snprintf(bucket, sizeof(bucket), "%s_bucket", sc->f[i].name);
		snprintf(count, sizeof(count), "%s_count", sc->f[i].name);
		for (j = 0; j < sc->n; j++) {
			if (strcmp(sc->s[j].name, bucket) == 0) {
				const char *le = strstr(sc->s[j].labels, "le=\"");
				double lev;

				assert_non_null(le);
				lev = read_value(le + 4, &e);
				assert_true(e != NULL && *e == '"');
				assert_true(lev > le_last);
				assert_true(sc->s[j].value >= last);
				le_last = lev;
				last = sc->s[j].value;
				if (isinf(lev))
					inf = sc->s[j].value;
			} else if (strcmp(sc->s[j].name, count) == 0) {
				cnt = sc->s[j].value;
			}
		}
		if (inf < 0 || cnt < 0 || inf != cnt)
			fail_msg("histogram %s: +Inf bucket %g, count %g", sc->f[i].name, inf, cnt);
	}
}

/* The value of the sample name{labels} (labels as written), or -1. */
static double value_of(const struct scrape *sc, const char *name, const char *labels)
{
	size_t i;

	for (i = 0; i < sc->n; i++)
		if (strcmp(sc->s[i].name, name) == 0 && strcmp(sc->s[i].labels, labels) == 0)
			return sc->s[i].value;
	return -1;
}

static void get_metrics(struct journey_fx *f, struct scrape *sc)
{
	char *ct;

	response_free(&f->r);
	assert_int_equal(client_get(&f->c, "/metrics", &f->r), 0);
	if (f->r.status != 200)
		fail_msg("/metrics: %ld %s", f->r.status, buf_cstr(&f->r.body));
	ct = response_header(&f->r, "Content-Type");
	assert_non_null(ct);
	assert_string_equal(ct, "text/plain; version=0.0.4; charset=utf-8");
	free(ct);
	scrape_parse(sc, buf_cstr(&f->r.body));
}

/* ---- Cases -------------------------------------------------------------------------------- */

static void test_metrics_in_the_text_format(void **state)
{
	static const char *const families[][2] = {
		{"qcra_http_requests_total", "counter"},
		{"qcra_http_request_duration_seconds", "histogram"},
		{"qcra_http_connections_open", "gauge"},
		{"qcra_outbox_messages", "gauge"},
		{"qcra_outbox_oldest_age_seconds", "gauge"},
		{"qcra_ca_queue_orders", "gauge"},
		{"qcra_ca_queue_oldest_age_seconds", "gauge"},
		{"qcra_orders", "gauge"},
		{"qcra_renderer_children", "gauge"},
		{"qcra_database_size_bytes", "gauge"},
		{"qcra_login_throttled_total", "counter"},
	};
	struct journey_fx *f = *state;
	struct scrape *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	double before, count_before;
	size_t i;
	int k;

	assert_non_null(a);
	assert_non_null(b);
	get_metrics(f, a);
	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		struct family *fam = family_of(a, families[i][0]);

		if (fam == NULL)
			fail_msg("no family %s", families[i][0]);
		assert_string_equal(fam->type, families[i][1]);
		assert_true(fam->help);
	}
	/* Every order state is there, zero or not. */
	assert_true(value_of(a, "qcra_orders", "state=\"draft\"") >= 0);
	assert_true(value_of(a, "qcra_orders", "state=\"issued\"") >= 0);
	assert_true(value_of(a, "qcra_database_size_bytes", "") > 0);
	assert_true(value_of(a, "qcra_http_connections_open", "") >= 1);

	before = value_of(a, "qcra_http_requests_total",
			  "method=\"GET\",route=\"/login\",status=\"200\"");
	if (before < 0)
		before = 0;
	count_before = value_of(a, "qcra_http_request_duration_seconds_count", "");
	for (k = 0; k < 3; k++) {
		response_free(&f->r);
		assert_int_equal(client_get(&f->c, "/login", &f->r), 0);
		assert_int_equal(f->r.status, 200);
	}
	response_free(&f->r);
	assert_int_equal(client_get(&f->c, "/no/such/page", &f->r), 0);
	assert_int_equal(f->r.status, 404);
	get_metrics(f, b);
	assert_true(value_of(b, "qcra_http_requests_total",
			     "method=\"GET\",route=\"/login\",status=\"200\"") == before + 3);
	assert_true(value_of(b, "qcra_http_requests_total",
			     "method=\"GET\",route=\"other\",status=\"404\"") >= 1);
	/* The three logins, the 404 and the first scrape at least. */
	assert_true(value_of(b, "qcra_http_request_duration_seconds_count", "") >=
		    count_before + 5);
	free(a);
	free(b);
}

static void test_metrics_only_for_configured_addresses(void **state)
{
	struct journey_fx *f = *state;

	assert_int_equal(client_get(&f->c, "/metrics", &f->r), 0);
	assert_int_equal(f->r.status, 404);
	assert_null(strstr(buf_cstr(&f->r.body), "qcra_"));
}

static void test_ready_names_each_dependency(void **state)
{
	struct journey_fx *f = *state;
	const char *b;

	assert_int_equal(client_get(&f->c, "/readyz", &f->r), 0);
	b = buf_cstr(&f->r.body);
	if (f->r.status != 200)
		fail_msg("/readyz: %ld\n%s", f->r.status, b);
	assert_non_null(strstr(b, "database: ok\n"));
	assert_non_null(strstr(b, "ca: ok\n"));
	assert_non_null(strstr(b, "mail: ok\n"));
}

static void test_not_ready_names_what_is_not(void **state)
{
	struct journey_fx *f = *state;
	const char *b;

	assert_int_equal(client_get(&f->c, "/readyz", &f->r), 0);
	b = buf_cstr(&f->r.body);
	assert_int_equal(f->r.status, 503);
	assert_non_null(strstr(b, "database: ok\n"));
	assert_non_null(strstr(b, "mail: not ready"));
	assert_non_null(strstr(b, "127.0.0.1:9"));
	/* Liveness is another matter: the process itself is fine. */
	response_free(&f->r);
	assert_int_equal(client_get(&f->c, "/healthz", &f->r), 0);
	assert_int_equal(f->r.status, 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_metrics_in_the_text_format, setup,
						journey_fx_teardown),
		cmocka_unit_test_setup_teardown(test_metrics_only_for_configured_addresses,
						setup_elsewhere, journey_fx_teardown),
		cmocka_unit_test_setup_teardown(test_ready_names_each_dependency, setup,
						journey_fx_teardown),
		cmocka_unit_test_setup_teardown(test_not_ready_names_what_is_not, setup_no_smtp,
						journey_fx_teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
