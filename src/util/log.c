#include "util/log.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int quiet, json;
static _Thread_local const char *request_id;

void log_set_quiet(int q)
{
	quiet = q;
}

void log_set_json(int j)
{
	json = j;
}

void log_set_request(const char *id)
{
	request_id = id;
}

/* UTC, to the millisecond: 2026-12-06T09:30:00.123Z */
static void timestamp(char ts[32])
{
	struct timespec now;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	n = strftime(ts, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ts + n, 32 - n, ".%03ldZ", now.tv_nsec / 1000000);
}

/* s with control characters (and, for text values, space, '"' and
 * '\\') as \xNN, into dst[size], cut to fit. */
static void escape_into(char *dst, size_t size, const char *s, int value)
{
	size_t o = 0;

	for (; *s != '\0' && o + 5 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f || (value && (c == ' ' || c == '"' || c == '\\')))
			o += (size_t)snprintf(dst + o, size - o, "\\x%02x", c);
		else
			dst[o++] = (char)c;
	}
	dst[o] = '\0';
}

/* A JSON string of s; bytes that are not UTF-8 become '?' (jansson
 * takes only valid UTF-8).  Never NULL unless out of memory. */
static json_t *jstr(const char *s)
{
	json_t *v = json_string(s);
	char *copy;
	size_t i;

	if (v != NULL || (copy = strdup(s)) == NULL)
		return v;
	for (i = 0; copy[i] != '\0'; i++)
		if ((unsigned char)copy[i] >= 0x80)
			copy[i] = '?';
	v = json_string(copy);
	free(copy);
	return v;
}

/* Writes o as one line and frees it. */
static void json_line(json_t *o)
{
	char line[8192];
	size_t n;

	if (o == NULL)
		return;
	n = json_dumpb(o, line, sizeof(line) - 1, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (n > 0 && n < sizeof(line) - 1) {
		line[n] = '\n';
		fwrite(line, 1, n + 1, stderr);
	}
	json_decref(o);
}

/* A log line's JSON object, started as every line is: ts, level, then
 * key (msg or event) with the string s.  NULL when out of memory. */
static json_t *json_head(const char *ts, const char *level, const char *key, const char *s)
{
	json_t *o = json_object();

	if (o != NULL) {
		json_object_set_new(o, "ts", json_string(ts));
		json_object_set_new(o, "level", json_string(level));
		json_object_set_new(o, key, jstr(s));
	}
	return o;
}

static void vlog(const char *level, const char *fmt, va_list ap, int err)
{
	char msg[2048], safe[2048], ts[32];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (err) {
		n = strlen(msg);
		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(err));
	}
	escape_into(safe, sizeof(safe), msg, 0);
	timestamp(ts);
	if (json) {
		json_t *o = json_head(ts, level, "msg", safe);

		if (o == NULL)
			return;
		if (request_id != NULL)
			json_object_set_new(o, "rid", jstr(request_id));
		json_line(o);
		return;
	}
	if (request_id != NULL)
		fprintf(stderr, "%s %s %s rid=%s\n", ts, level, safe, request_id);
	else
		fprintf(stderr, "%s %s %s\n", ts, level, safe);
}

void log_event(const char *level, const char *event, const struct log_field *f, size_t n)
{
	char line[4096], v[1024], ts[32];
	size_t i, o;

	timestamp(ts);
	if (json) {
		json_t *obj = json_head(ts, level, "event", event);

		if (obj == NULL)
			return;
		for (i = 0; i < n; i++)
			json_object_set_new(obj, f[i].key,
					    f[i].str ? jstr(f[i].str) : json_integer(f[i].num));
		json_line(obj);
		return;
	}
	o = (size_t)snprintf(line, sizeof(line), "%s %s %s", ts, level, event);
	for (i = 0; i < n && o < sizeof(line); i++) {
		if (f[i].str != NULL)
			escape_into(v, sizeof(v), f[i].str, 1);
		else
			snprintf(v, sizeof(v), "%lld", f[i].num);
		o += (size_t)snprintf(line + o, sizeof(line) - o, " %s=%s", f[i].key, v);
	}
	if (o >= sizeof(line))
		o = sizeof(line) - 1;
	line[o] = '\n';
	fwrite(line, 1, o + 1, stderr);
}

#define LOGFN(name, level, witherr, cond)                                                          \
	void name(const char *fmt, ...)                                                            \
	{                                                                                          \
		int e = errno;                                                                     \
		va_list ap;                                                                        \
		if (!(cond))                                                                       \
			return;                                                                    \
		va_start(ap, fmt);                                                                 \
		vlog(level, fmt, ap, witherr ? e : 0);                                             \
		va_end(ap);                                                                        \
		errno = e;                                                                         \
	}

LOGFN(log_info, "info", 0, !quiet)
LOGFN(log_warn, "warn", 1, 1)
LOGFN(log_warnx, "warn", 0, 1)

void fatal(const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog("fatal", fmt, ap, e);
	va_end(ap);
	exit(1);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("fatal", fmt, ap, 0);
	va_end(ap);
	exit(1);
}
