/*
 * Orders returned for correction (use cases, app.h; the CA refused
 * them, or could not be reached for too long): the office corrects the
 * order's data, asks for newly signed papers, returns the order to the
 * member, or cancels it with its payments reopened for a refund.  Each
 * is one transaction with its history note, audit entries and the
 * member's mail.  UC_REFUSED "bo.not_returned" when the order is no
 * longer in a state that allows it; UC_UNAVAILABLE "error.storage".
 */
#ifndef QCRA_APP_CORRECT_H
#define QCRA_APP_CORRECT_H

#include "app/app.h"
#include "domain/order.h"

/* One field the office changed: its form name, label (message key) and
 * the value before and after. */
struct office_change {
	const char *name;
	const char *label_key;
	const char *was;
	const char *now;
};

struct office_correction {
	const struct order *now; /* the order with the corrected values */
	const struct office_change *changes;
	size_t nchanges;
	int new_papers; /* printed data changed: the member signs again */
};

/*
 * Writes the corrected order over o (in state o->state, which stays):
 * each change audited with its old and new value; JMBG and license
 * number taken from the member register (a change audited); a name
 * other than the register's marked confirmed by the actor (who checked
 * it against the identity document).  With new_papers the order waits
 * for newly signed papers (event new_papers) and the member is mailed;
 * else a history note lists the changed fields.
 */
struct uc_result uc_office_correct(const struct app_env *env, const struct actor *a,
				   struct arena *ar, struct order *o,
				   const struct office_correction *in);

/* Returns o to the member with reason, mailed to them. */
struct uc_result uc_office_return(const struct app_env *env, const struct actor *a,
				  struct arena *ar, struct order *o, const char *reason);

/* Cancels returned order o with reason, mailed to the member; its
 * payments go back on the unresolved list for a refund (audited). */
struct uc_result uc_office_cancel(const struct app_env *env, const struct actor *a,
				  struct arena *ar, struct order *o, const char *reason);

#endif
