/*
 * Logging to stderr (the journal keeps it), one line per event, UTC
 * timestamps, in one of two forms (log_set_json):
 *
 *   text  2026-12-06T09:30:00Z warn csrf: POST /login refused rid=1a2b-3c4d-5e6f
 *   json  {"ts":"2026-12-06T09:30:00Z","level":"warn","msg":"csrf: ...","rid":"1a2b-..."}
 *
 * A line written while a request runs carries its id (log_set_request),
 * the id the user sees on an error page and the access line repeats.
 * Control characters in a message are written as \xNN, so no value
 * logged can start a line of its own.
 * log_warn appends strerror(errno); log_warnx does not.
 * fatal/fatalx are for start-up problems and broken invariants only.
 */
#ifndef QCRA_LOG_H
#define QCRA_LOG_H

#include <stddef.h>

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_set_quiet(int quiet); /* suppress info lines (tests, benchmarks) */
void log_set_json(int json);   /* 1: JSON lines (log_format = json) */

/* This thread's current request id (NULL: none), added to every line
 * it writes until cleared.  id is not copied: it stays until cleared. */
void log_set_request(const char *id);

/*
 * One structured event: "ts level event k=v k=v" as text, or one JSON
 * object with the fields as members (an integer field as a number).
 * Values are written as they are in JSON and with control characters,
 * spaces, quotes and backslashes escaped in text.
 */
struct log_field {
	const char *key;
	const char *str; /* NULL: the field is the integer num */
	long long num;
};
void log_event(const char *level, const char *event, const struct log_field *f, size_t n);

#endif
