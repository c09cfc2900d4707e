#include "util/notify.h"

#include <stdint.h>
#include <systemd/sd-daemon.h>

void notify_ready(void)
{
	(void)sd_notify(0, "READY=1");
}

void notify_stopping(void)
{
	(void)sd_notify(0, "STOPPING=1");
}

void notify_watchdog(void)
{
	(void)sd_notify(0, "WATCHDOG=1");
}

long notify_watchdog_ms(void)
{
	uint64_t usec = 0;

	if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
		return 0;
	return usec / 2000 > 0 ? (long)(usec / 2000) : 1;
}
