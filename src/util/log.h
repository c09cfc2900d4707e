/*
 * Logging to stderr, one line per event, UTC timestamps.
 * log_warn appends strerror(errno); log_warnx does not.
 * fatal/fatalx are for start-up problems and broken invariants only.
 */
#ifndef QCRA_LOG_H
#define QCRA_LOG_H

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_set_quiet(int quiet); /* suppress info lines (tests, benchmarks) */

#endif
