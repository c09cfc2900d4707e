/*
 * Documents signed electronically (sign.h).
 */
#include "app/sign.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/order.h"
#include "app/order_mail.h"
#include "app/sign_verify.h"
#include "store/store_sign.h"
#include "util/log.h"

static const char *const doc_names[SIGN_DOC__MAX] = {"request", "contract"};
static const char *const doc_keys[SIGN_DOC__MAX] = {"sign.doc_request", "sign.doc_contract"};

const char *sign_doc_name(enum sign_doc d)
{
	return (unsigned)d < SIGN_DOC__MAX ? doc_names[d] : "";
}

int sign_doc_parse(const char *s, enum sign_doc *out)
{
	for (int i = 0; i < SIGN_DOC__MAX; i++)
		if (s != NULL && strcmp(s, doc_names[i]) == 0) {
			*out = (enum sign_doc)i;
			return 0;
		}
	return -1;
}

int sign_awaited(const struct order *o)
{
	return o->state < WF_STATE__MAX && workflow_next(o->state, WF_EV_DOCS_OK, WF_SYSTEM) >= 0;
}

/* The CAs a signer may chain to: the CA service's root (ca_cacert, or
 * VAR/ca/ra/ca.pem when there is one) and sign_trusted_cas. */
struct sign_trust *sign_trust_config(const struct config *cfg)
{
	char path[600], err[700];
	struct sign_trust *t;

	if (*cfg->ca_cacert)
		snprintf(path, sizeof(path), "%s", cfg->ca_cacert);
	else
		snprintf(path, sizeof(path), "%s/ca/ra/ca.pem", cfg->var_dir);
	t = sign_trust_load(*cfg->ca_cacert || access(path, R_OK) == 0 ? path : NULL,
			    cfg->sign_trusted_cas, err, sizeof(err));
	if (t == NULL)
		log_warnx("signed requests: %s", err);
	return t;
}

/* The issued document the file was made from: the one it starts with. */
static size_t pick_orig(const struct sign_upload *in)
{
	for (size_t i = 0; i < in->norig; i++)
		if (in->orig_len[i] <= in->len &&
		    memcmp(in->file, in->orig[i], in->orig_len[i]) == 0)
			return i;
	return 0;
}

/* The documents in: verified, or confirmed by the office. */
static int count_doc(void *arg, const struct order_signature *s)
{
	enum sign_doc d;

	if (s->review == SIGN_REVIEW_OK && sign_doc_parse(s->doc, &d) == 0)
		*(unsigned *)arg |= 1u << d;
	return 0;
}

/* A refused upload audited with the check that failed and what was
 * learned of the certificate (its serial, the revocation status). */
static struct uc_result denied(const struct app_env *env, const struct actor *a,
			       const struct order *o, enum sign_doc doc, const char *key,
			       const struct sign_result *r)
{
	char object[32];

	snprintf(object, sizeof(object), "order:%lld", o->id);
	if (store_begin(env->store) == STORE_OK &&
	    uc_audit(env, a, "order.signed", object, "denied", "%s: %s, certificate %s, %s",
		     sign_doc_name(doc), key, *r->serial ? r->serial : "-", r->status) == STORE_OK)
		store_commit(env->store);
	else
		store_rollback(env->store);
	return uc_refused(NULL, key);
}

/* Both documents in (verified or confirmed), the order moves as the
 * office's "documents received" would, mailing the member; in the open
 * transaction. */
static int docs_in(const struct app_env *env, const struct actor *a, struct arena *ar,
		   struct order *o, time_t now, int *complete)
{
	struct order_move m = {WF_EV_DOCS_OK, WF_SYSTEM, NULL, 0, 0, now, NULL, NULL};
	unsigned have = 0;
	int rc = store_sign_each(env->store, o->id, count_doc, &have);

	if (rc == STORE_OK && have == (1u << SIGN_DOC__MAX) - 1) {
		m.note = i18n_note(ar, "sign.note_docs_ok", NULL);
		rc = uc_order_move_tx(env, a, o, &m);
		*complete = rc == STORE_OK;
	}
	return rc;
}

/* The signature recorded, in the open transaction: verified (then
 * docs_in), or held for the office when the certificate names no JMBG
 * (r->err SIGN_UNMATCHED). */
static int record(const struct app_env *env, const struct actor *a, struct arena *ar,
		  struct order *o, enum sign_doc doc, const struct sign_result *r, time_t now,
		  int *complete)
{
	struct order_signature s;
	int held = r->err == SIGN_UNMATCHED;
	char object[32], when[32];
	struct tm tm;
	int rc;

	memset(&s, 0, sizeof(s));
	s.order_id = o->id;
	snprintf(s.doc, sizeof(s.doc), "%s", sign_doc_name(doc));
	snprintf(s.signer, sizeof(s.signer), "%s", r->signer);
	snprintf(s.serial, sizeof(s.serial), "%s", r->serial);
	snprintf(s.status, sizeof(s.status), "%s", r->status);
	s.signed_at = r->signed_at;
	s.verified_at = now;
	s.review = held ? SIGN_REVIEW_HELD : SIGN_REVIEW_OK;
	snprintf(s.signer_name, sizeof(s.signer_name), "%s", r->name);
	snprintf(s.signer_sn, sizeof(s.signer_sn), "%s", r->subject_sn);
	snprintf(s.issuer, sizeof(s.issuer), "%s", r->issuer);
	gmtime_r(&r->signed_at, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	snprintf(object, sizeof(object), "order:%lld", o->id);
	rc = store_sign_put(env->store, &s, r->ocsp, r->ocsp_len);
	if (rc == STORE_OK)
		rc = store_order_event_add(
			env->store, o->id, o->state, a->name,
			i18n_note(ar, held ? "sign.note_held" : "sign.note_signed", "@doc",
				  doc_keys[doc], "signer", s.signer, "serial", s.serial, "status",
				  s.status, "at", when, "sn", s.signer_sn, "issuer", s.issuer,
				  NULL),
			now);
	if (rc == STORE_OK)
		rc = uc_audit(env, a, "order.signed", object, "ok",
			      "%s signed by %s, certificate %s, %s, at %s%s", s.doc, s.signer,
			      s.serial, s.status, when,
			      held ? "; no JMBG in the certificate: held for the office" : "");
	return rc != STORE_OK || held ? rc : docs_in(env, a, ar, o, now, complete);
}

struct uc_result uc_sign_upload(const struct app_env *env, const struct actor *a, struct arena *ar,
				struct order *o, const struct sign_upload *in, int *complete)
{
	struct sign_check chk = {o->jmbg, env->cfg->sign_max_bytes, time(NULL), 0};
	struct sign_trust *t;
	struct sign_result r;
	size_t k;
	int rc;

	*complete = 0;
	if (!sign_awaited(o))
		return uc_refused(NULL, "sign.err_state");
	if (in->len == 0 || in->norig == 0)
		return uc_refused(NULL, "sign.err_no_file");
	if ((t = sign_trust_config(env->cfg)) == NULL)
		return uc_refused(NULL, "sign.err_no_trust");
	k = pick_orig(in);
	sign_verify(t, in->file, in->len, in->orig[k], in->orig_len[k], &chk, &r);
	sign_trust_free(t);
	if (r.err != SIGN_OK && r.err != SIGN_UNMATCHED) {
		sign_result_free(&r);
		return denied(env, a, o, in->doc, sign_result_key(&r), &r);
	}
	if (store_begin(env->store) != STORE_OK) {
		sign_result_free(&r);
		return uc_unavailable;
	}
	rc = record(env, a, ar, o, in->doc, &r, chk.now, complete);
	sign_result_free(&r);
	if (rc == STORE_OK && store_commit(env->store) == STORE_OK) {
		uc_mail_kick(env);
		return uc_ok;
	}
	store_rollback(env->store);
	return rc == STORE_NOTFOUND ? uc_refused(NULL, "sign.err_state") : uc_unavailable;
}

struct uc_result uc_sign_decide(const struct app_env *env, const struct actor *a, struct arena *ar,
				struct order *o, enum sign_doc doc, int confirm, int *complete)
{
	struct order_signature s;
	const char *name = sign_doc_name(doc), *signer;
	const char *mail[] = {"@doc", doc_keys[doc], "signer", NULL, NULL};
	time_t now = time(NULL);
	char object[32];
	int rc;

	*complete = 0;
	memset(&s, 0, sizeof(s));
	if (!sign_awaited(o))
		return uc_refused(NULL, "sign.err_state");
	if (store_begin(env->store) != STORE_OK)
		return uc_result_of(STORE_ERROR, NULL);
	rc = store_sign_get(env->store, o->id, name, &s);
	if (rc == STORE_OK)
		rc = store_sign_decide(env->store, o->id, name,
				       confirm ? SIGN_REVIEW_OK : SIGN_REVIEW_REFUSED, a->name,
				       now);
	signer = *s.signer_name ? s.signer_name : s.signer;
	mail[3] = signer;
	snprintf(object, sizeof(object), "order:%lld", o->id);
	if (rc == STORE_OK)
		rc = store_order_event_add(
			env->store, o->id, o->state, a->name,
			i18n_note(ar, confirm ? "sign.note_confirmed" : "sign.note_office_refused",
				  "@doc", doc_keys[doc], "signer", signer, "sn", s.signer_sn, NULL),
			now);
	if (rc == STORE_OK)
		rc = uc_audit(
			env, a, "order.sign_decide", object, "ok",
			"%s signed by %s (serialNumber \"%s\", issuer %s), certificate %s: %s "
			"as the holder's (%s %s, JMBG %s) by the office",
			name, s.signer, s.signer_sn, s.issuer, s.serial,
			confirm ? "confirmed" : "refused", o->first_name, o->last_name, o->jmbg);
	if (rc == STORE_OK && !confirm)
		rc = order_mail_queue(env->store, o->id, NULL, "mail.sign_refused", mail);
	if (rc == STORE_OK && confirm)
		rc = docs_in(env, a, ar, o, now, complete);
	if (rc == STORE_OK && store_commit(env->store) == STORE_OK) {
		uc_mail_kick(env);
		return uc_ok;
	}
	store_rollback(env->store);
	return rc == STORE_NOTFOUND ? uc_refused(NULL, "sign.err_not_held")
				    : uc_result_of(STORE_ERROR, NULL);
}
