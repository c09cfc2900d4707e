/*
 * Retention (issue 18, point 7): what has passed its period is deleted
 * or has its personal data blanked, and what the CA's policy must keep
 * stays (store/store_retention.h says what each period covers).  Run
 * daily by `qcra retention run` (a systemd timer); each run that is not
 * a dry run is one audit entry.
 */
#ifndef QCRA_APP_RETENTION_H
#define QCRA_APP_RETENTION_H

#include <time.h>

#include "app/app.h"
#include "store/store_retention.h"

/*
 * The cut-offs of env's configuration as on as_of (the periods), and
 * for sessions as on now (a session alive now is not dead on any other
 * day); then one transaction: done, or with dry only counted.
 * STORE_OK with *n, or STORE_ERROR (nothing changed).
 */
int uc_retention_run(const struct app_env *env, const struct actor *a, time_t as_of, time_t now,
		     int dry, struct retention_counts *n);

#endif
