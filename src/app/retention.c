/* Retention (retention.h). */
#include "app/retention.h"

#include <stdio.h>
#include <stdlib.h>

#include "domain/catalog.h"

#define DAY (24 * 3600L)

/*
 * When a certificate ends: as the CA told, else its issue and the
 * validity of its tariff (a catalogue that no longer has the code: the
 * longest validity it offers, so nothing goes early).
 */
static time_t cert_end(const struct catalog *cat, const struct retention_issued *x)
{
	const struct tariff_item *t;
	int years = 0;
	size_t i;

	if (x->not_after > 0)
		return x->not_after;
	if (cat != NULL && (t = catalog_tariff(cat, x->validity)) != NULL)
		years = t->validity_years;
	for (i = 0; years == 0 && cat != NULL && i < cat->ntariff; i++)
		if (cat->tariff[i].validity_years > years)
			years = cat->tariff[i].validity_years;
	return x->issued_at + (time_t)(years > 0 ? years : 5) * 366 * DAY;
}

/* Registration records kept retention_registration_years after their
 * certificate ended: blanked past that (dry: counted). */
static int registrations(const struct app_env *env, time_t as_of, time_t now, int dry,
			 long long *count)
{
	/* Years of 366 days: never a day short. */
	time_t keep = (time_t)env->cfg->retention_registration_years * 366 * DAY;
	struct retention_issued *v;
	size_t n, i;
	int rc = STORE_OK;

	*count = 0;
	if (store_retention_issued(env->store, &v, &n) != STORE_OK)
		return STORE_ERROR;
	for (i = 0; i < n && rc == STORE_OK; i++) {
		if (cert_end(env->catalog, &v[i]) + keep >= as_of)
			continue;
		rc = dry ? STORE_OK : store_order_anonymise(env->store, v[i].order_id, now);
		if (rc == STORE_NOTFOUND)
			rc = STORE_OK;
		else if (rc == STORE_OK)
			(*count)++;
	}
	free(v);
	return rc;
}

int uc_retention_run(const struct app_env *env, const struct actor *a, time_t as_of, time_t now,
		     int dry, struct retention_counts *n)
{
	const struct config *cfg = env->cfg;
	struct retention_cuts c = {
		.draft = as_of - cfg->retention_draft_days * DAY,
		.closed = as_of - cfg->retention_closed_days * DAY,
		.mail = as_of - cfg->retention_mail_days * DAY,
		.token = as_of - cfg->retention_token_days * DAY,
		.session_idle = now - cfg->session_idle_secs,
		.session_born = now - cfg->session_lifetime_secs,
		.now = now,
	};
	int rc;

	if (store_begin(env->store) != STORE_OK)
		return STORE_ERROR;
	rc = store_retention(env->store, &c, dry, n);
	if (rc == STORE_OK)
		rc = registrations(env, as_of, now, dry, &n->registrations);
	if (rc == STORE_OK && !dry)
		rc = uc_audit(env, a, "retention.run", "retention", "ok",
			      "as of %lld: %lld draft(s) deleted, %lld closed order(s) and %lld "
			      "registration record(s) anonymised, %lld mail, %lld token(s), %lld "
			      "session(s) deleted",
			      (long long)as_of, n->drafts, n->closed, n->registrations, n->mail,
			      n->tokens, n->sessions);
	if (rc != STORE_OK || dry) {
		store_rollback(env->store);
		return rc;
	}
	return store_commit(env->store);
}
