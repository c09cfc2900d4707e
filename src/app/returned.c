/*
 * Orders the CA refused: returned for correction with the CA's reason,
 * whether the refusal came at "send" (web/ra_actions.c), later through
 * the CA queue's worker, or as the end of the retry window for a CA out
 * of reach (connector/ca_queue.c).
 */
#include <stdio.h>
#include <string.h>

#include "app/order.h"
#include "core/i18n.h"
#include "app/jobs.h"

/* The CA service's refusal codes (docs/ca-api.md) the portal explains
 * in its own words (catalogue "return.<code>"); any other is "refused". */
static const char *const known[] = {
	"invalid_given_name", "invalid_surname",      "invalid_common_name",
	"invalid_jmbg",       "invalid_organization", "invalid_pib",
	"invalid_validity",   "invalid_office",       "unexpected_field",
	"malformed",          "invalid_order_id",     "unknown_profile",
	"conflict",           "ca_unreachable",       "refused",
};

const char *order_return_code(const char *ca_code)
{
	size_t i;

	for (i = 0; ca_code != NULL && i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(ca_code, known[i]) == 0)
			return known[i];
	return "refused";
}

int jobs_order_return(struct store *st, struct order *o, enum wf_role role, const struct actor *a,
		      const char *by, const char *ca_code, const char *ca_text, time_t now)
{
	struct app_env env = {NULL, NULL, st, NULL, NULL};
	const char *code = order_return_code(ca_code);
	char key[64], note[160];
	struct order_move m = {WF_EV_CA_REFUSE, role, note, 0, 0, now, NULL, NULL};
	int rc;

	snprintf(key, sizeof(key), "return.%s", code);
	/* The note names the reason by its catalogue key: each reader sees
	 * it in their language (i18n_note_text). */
	i18n_note_to(note, sizeof(note), "note.ca_refused", "@reason", key, NULL);
	rc = uc_order_move_by_tx(&env, a, by, o, &m);
	if (rc == STORE_OK)
		rc = store_order_set_returned(st, o->id, code, ca_text ? ca_text : "");
	if (rc == STORE_OK) {
		snprintf(o->returned_code, sizeof(o->returned_code), "%s", code);
		snprintf(o->returned_text, sizeof(o->returned_text), "%s", ca_text ? ca_text : "");
	}
	return rc;
}
