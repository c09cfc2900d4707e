#include "util/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int quiet;

void log_set_quiet(int q)
{
	quiet = q;
}

static void vlog(const char *level, const char *fmt, va_list ap, int err)
{
	char line[2048], ts[32];
	struct tm tm;
	time_t now = time(NULL);
	size_t n;

	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = (size_t)snprintf(line, sizeof(line), "%s %s ", ts, level);
	if (n < sizeof(line))
		vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (err)
		fprintf(stderr, "%s: %s\n", line, strerror(err));
	else
		fprintf(stderr, "%s\n", line);
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
