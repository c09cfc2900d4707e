/*
 * systemd's service notifications (sd_notify's protocol): READY=1 once
 * a service listens, WATCHDOG=1 pings at half the interval systemd asks
 * for (WatchdogSec=, seen as $WATCHDOG_USEC), STOPPING=1 on shutdown.
 * Without $NOTIFY_SOCKET (not started by systemd) each is a no-op.
 * Linked by qcra only (library qcra_notify), not by qcra-render.
 */
#ifndef QCRA_UTIL_NOTIFY_H
#define QCRA_UTIL_NOTIFY_H

void notify_ready(void);
void notify_stopping(void);
void notify_watchdog(void);
/* Half of the watchdog interval in milliseconds (at least 1), or 0 when
 * systemd asked for no pings. */
long notify_watchdog_ms(void);

#endif
