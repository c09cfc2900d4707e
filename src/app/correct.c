/*
 * Orders returned for correction (correct.h).
 */
#include "app/correct.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app/office.h"
#include "app/order.h"
#include "domain/catalog.h"
#include "domain/subject.h"
#include "store/store_payments.h"
#include "util/buf.h"

static const struct uc_result not_returned = {UC_REFUSED, NULL, "bo.not_returned"};

/* Commits, or rolls back: STORE_NOTFOUND means the order moved. */
static struct uc_result end(const struct app_env *env, int rc)
{
	if (rc == STORE_OK)
		rc = store_commit(env->store);
	if (rc != STORE_OK) {
		store_rollback(env->store);
		return rc == STORE_NOTFOUND ? not_returned : uc_unavailable;
	}
	uc_mail_kick(env);
	return uc_ok;
}

/* Audits each change (old and new value) and lists their labels (in
 * Serbian, the office's record) into changed.  Returns STORE_OK or
 * STORE_ERROR. */
static int audit_changes(const struct app_env *env, const struct actor *a, const char *object,
			 const struct office_correction *in, struct buf *changed)
{
	size_t i;

	for (i = 0; i < in->nchanges; i++) {
		const struct office_change *c = &in->changes[i];

		if (uc_audit(env, a, "order.correct", object, "ok", "%s: \"%s\" -> \"%s\"", c->name,
			     c->was, c->now) != STORE_OK)
			return STORE_ERROR;
		buf_printf(changed, "%s%s", changed->len ? ", " : "",
			   i18n_get(LANG_SR, c->label_key));
	}
	return STORE_OK;
}

/* Order o's member in the register (*m), with the name as a
 * certificate says it; 0, or -1 when it cannot be read. */
static int register_member(const struct app_env *env, const struct order *o, struct member *m,
			   char *first, char *last, size_t size)
{
	if (store_member_of_account(env->store, o->account_id, m) != STORE_OK)
		return -1;
	if (subject_clean(SUBJ_NAME, m->first_name, first, size, NULL, NULL) != SUBJ_OK ||
	    subject_clean(SUBJ_NAME, m->last_name, last, size, NULL, NULL) != SUBJ_OK)
		first[0] = last[0] = '\0';
	return 0;
}

/* JMBG and license number as the register says them now (they are
 * never typed at the office either); a change is audited. */
static int identity_from_register(const struct app_env *env, const struct actor *a,
				  const char *object, struct order *n_o, const struct member *m)
{
	if (strcmp(n_o->jmbg, m->jmbg) == 0 && strcmp(n_o->license_number, m->license_number) == 0)
		return STORE_OK;
	if (uc_audit(env, a, "order.correct", object, "ok",
		     "jmbg, license_number from the register: \"%s\" \"%s\" -> \"%s\" \"%s\"",
		     n_o->jmbg, n_o->license_number, m->jmbg, m->license_number) != STORE_OK)
		return STORE_ERROR;
	snprintf(n_o->jmbg, sizeof(n_o->jmbg), "%.13s", m->jmbg);
	snprintf(n_o->license_number, sizeof(n_o->license_number), "%s", m->license_number);
	return STORE_OK;
}

struct uc_result uc_office_correct(const struct app_env *env, const struct actor *a,
				   struct arena *ar, struct order *o,
				   const struct office_correction *in)
{
	struct store *s = env->store;
	char first[SUBJECT_BYTES(SUBJECT_NAME_MAX)], last[SUBJECT_BYTES(SUBJECT_NAME_MAX)];
	struct order_move m = {WF_EV_NEW_PAPERS, WF_OPERATOR, NULL, 0, 0, 0, NULL, NULL};
	struct buf changed = BUF_INIT;
	struct order n_o = *in->now;
	struct member mem;
	char object[32];
	int rc;

	if (register_member(env, o, &mem, first, last, sizeof(first)) != 0)
		return uc_unavailable;
	snprintf(object, sizeof(object), "order:%lld", o->id);
	n_o.updated_at = time(NULL);
	/* A name other than the register's: the office that corrects it
	 * has checked it against the identity document. */
	n_o.name_differs = strcmp(n_o.first_name, first) != 0 || strcmp(n_o.last_name, last) != 0;
	if (n_o.name_differs &&
	    (strcmp(n_o.first_name, o->first_name) != 0 ||
	     strcmp(n_o.last_name, o->last_name) != 0 || !o->name_confirmed_at)) {
		n_o.name_confirmed_at = n_o.updated_at;
		snprintf(n_o.name_confirmed_by, sizeof(n_o.name_confirmed_by), "%s", a->name);
	}
	if (store_begin(s) != STORE_OK)
		return uc_unavailable;
	rc = audit_changes(env, a, object, in, &changed);
	if (rc == STORE_OK)
		rc = identity_from_register(env, a, object, &n_o, &mem);
	if (rc == STORE_OK)
		rc = store_order_rewrite(s, &n_o, o->state, 0);
	/* The fields changed, or a text of its own when none was. */
	m.note = in->nchanges > 0
			 ? i18n_note(ar,
				     in->new_papers ? "note.corrected_papers"
						    : "note.corrected_by_office",
				     "fields", buf_cstr(&changed), NULL)
			 : i18n_note(ar,
				     in->new_papers ? "note.new_papers" : "note.corrected_nothing",
				     NULL);
	if (rc == STORE_OK && in->new_papers) {
		rc = uc_order_move_tx(env, a, &n_o, &m); /* the mail: order_mail.c */
	} else if (rc == STORE_OK)
		rc = store_order_event_add(s, o->id, o->state, a->name, m.note, n_o.updated_at);
	buf_free(&changed);
	return end(env, rc);
}

/* Moves returned order o by ev (return to member, cancel) with the
 * reason, which the member's mail gives (order_mail.c), and, for a
 * cancellation, reopens its payments for a refund: one transaction. */
static struct uc_result close_returned(const struct app_env *env, const struct actor *a,
				       struct arena *ar, struct order *o, enum wf_event ev,
				       const char *reason)
{
	struct store *s = env->store;
	struct order_move m = {ev, WF_OPERATOR, reason, 0, 0, 0, NULL, NULL};
	int rc, reopened = 0;

	if (store_begin(s) != STORE_OK)
		return uc_unavailable;
	rc = uc_order_move_tx(env, a, o, &m);
	if (rc == STORE_OK && ev == WF_EV_CANCEL)
		rc = store_payment_reopen_order(
			s, o->id, i18n_note(ar, "pay.note_order_cancelled", NULL), &reopened);
	if (rc == STORE_OK && reopened > 0)
		rc = uc_audit(env, a, "payment.reopen", arena_printf(ar, "order:%lld", o->id), "ok",
			      "%d payment(s) to refund", reopened);
	return end(env, rc);
}

struct uc_result uc_office_return(const struct app_env *env, const struct actor *a,
				  struct arena *ar, struct order *o, const char *reason)
{
	return close_returned(env, a, ar, o, WF_EV_RETURN_TO_MEMBER, reason);
}

struct uc_result uc_office_cancel(const struct app_env *env, const struct actor *a,
				  struct arena *ar, struct order *o, const char *reason)
{
	return close_returned(env, a, ar, o, WF_EV_CANCEL, reason);
}
