/*
 * The member's certificate: after handover the order page shows it
 * (subject, serial, validity, status) and offers it for download in
 * PEM and DER (the certificate only: the holder's key never leaves the
 * card, and the portal never has it).  The member may ask for its
 * revocation; an operator confirms the request, or revokes on a
 * reported loss, and the CA worker takes it to the CA (queued, so a CA
 * that is down gets it later); the member sees each step.  Renewal
 * starts a new order prefilled from a previous one.
 *
 * Access (ASVS 8.2): a member reaches only their own orders; another
 * member's order, or one without a certificate, answers 404 like an id
 * that does not exist.  Operators reach only their office's orders
 * (ra_order_load).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "app/certificate.h"
#include "connector/caservice.h"
#include "domain/workflow.h"
#include "store/store_ca.h"
#include "store/store_office.h"
#include "util/log.h"
#include "web/app.h"
#include "web/certificates.h"
#include "web/handlers.h"
#include "web/order_form.h"
#include "web/pages.h"
#include "web/ra_order.h"

#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))

/* RFC 5280 5.3.1 reasons the portal offers; the member picks from the
 * first ones. */
static const struct reason {
	const char *name;
	const char *label_key;    /* as the member says it */
	const char *ra_label_key; /* as staff say it, of the holder */
	int member;
} reasons[] = {
	{"keyCompromise", "cert.reason_keyCompromise", "cert.ra_reason_keyCompromise", 1},
	{"affiliationChanged", "cert.reason_affiliationChanged",
	 "cert.ra_reason_affiliationChanged", 1},
	{"cessationOfOperation", "cert.reason_cessationOfOperation",
	 "cert.ra_reason_cessationOfOperation", 1},
	{"unspecified", "cert.reason_unspecified", "cert.ra_reason_unspecified", 1},
	{"superseded", "cert.reason_superseded", "cert.ra_reason_superseded", 0},
	{"privilegeWithdrawn", "cert.reason_privilegeWithdrawn",
	 "cert.ra_reason_privilegeWithdrawn", 0},
};

static const struct reason *reason_find(const char *name, int member)
{
	size_t i;

	for (i = 0; i < NFIELDS(reasons); i++)
		if (strcmp(reasons[i].name, name) == 0 && (!member || reasons[i].member))
			return &reasons[i];
	return NULL;
}

static const char *check_member_reason(const struct field_ctx *cx, const char *v,
				       struct field_value *out)
{
	return reason_find(v, 1) ? NULL : "cert.reason_invalid";
}

static const char *check_any_reason(const struct field_ctx *cx, const char *v,
				    struct field_value *out)
{
	return reason_find(v, 0) ? NULL : "cert.reason_invalid";
}

/* A reason's label as the reader says it: the member in the first
 * person, staff of the holder. */
static const char *reason_label(struct req *r, const char *name)
{
	const struct reason *x = reason_find(name, 0);

	if (x == NULL)
		return name;
	return msg(r, ra_user(r) != NULL ? x->ra_label_key : x->label_key);
}

/* List "reasons" (value, label, selected) into c. */
static void reasons_ctx(struct req *r, struct tctx *c, int member, const char *selected)
{
	struct tctx *item;
	size_t i;

	tctx_set_list(c, "reasons");
	for (i = 0; i < NFIELDS(reasons); i++) {
		if (member && !reasons[i].member)
			continue;
		item = tctx_add(c, "reasons");
		tctx_set(item, "value", reasons[i].name);
		tctx_set(item, "label",
			 msg(r, member ? reasons[i].label_key : reasons[i].ra_label_key));
		if (selected && strcmp(selected, reasons[i].name) == 0)
			tctx_set_bool(item, "selected", 1);
	}
}

static void kick(struct req *r)
{
	ca_worker_kick(app_of(r)->ca);
}

/* The certificate of order o (in the request's arena), or NULL when it
 * has none (*rc: STORE_NOTFOUND or STORE_ERROR). */
static struct ca_cert *cert_load(struct req *r, const struct order *o, int *rc)
{
	struct ca_cert *c = arena_alloc(&r->arena, sizeof(*c));

	*rc = store_ca_cert_get(app_of(r)->store, o->id, c);
	return *rc == STORE_OK ? c : NULL;
}

/* Subject, serial, validity and status of c into ctx, as the member
 * and the operator see them. */
static void cert_facts(struct req *r, struct tctx *ctx, const struct ca_cert *c,
		       const struct ca_revocation *rev)
{
	const char *status;

	tctx_set_bool(ctx, "cert", 1);
	tctx_set(ctx, "cert_subject", c->subject);
	tctx_set(ctx, "cert_serial", c->serial);
	tctx_set(ctx, "cert_from", page_time(r, c->not_before, 1));
	tctx_set(ctx, "cert_until", page_time(r, c->not_after, 1));
	if (c->revoked_at != 0) {
		status = i18n_format(&r->arena, r->lang, "cert.status_revoked", "reason",
				     reason_label(r, c->revoke_reason), NULL);
		tctx_set(ctx, "cert_revoked_at", page_time(r, c->revoked_at, 1));
		tctx_set_bool(ctx, "cert_revoked", 1);
	} else if (rev != NULL && rev->confirmed_at != 0)
		status = msg(r, "cert.status_revoking");
	else if (rev != NULL)
		status = msg(r, "cert.status_requested");
	else if (c->not_after <= time(NULL))
		status = msg(r, "cert.status_expired");
	else
		status = msg(r, "cert.status_valid");
	tctx_set(ctx, "cert_status", status);
	if (rev != NULL) {
		tctx_set_bool(ctx, "revocation", 1);
		tctx_set(ctx, "rev_reason", reason_label(r, rev->reason));
		tctx_set(ctx, "rev_by", rev->requested_by);
		tctx_set(ctx, "rev_at", page_time(r, rev->requested_at, 1));
		if (rev->confirmed_at != 0) {
			tctx_set(ctx, "rev_confirmed_by", rev->confirmed_by);
			tctx_set(ctx, "rev_confirmed_at", page_time(r, rev->confirmed_at, 1));
		}
	}
}

/* ---- The member's order page --------------------------------------------------------- */

void cert_order_ctx(struct req *r, struct tctx *c, const struct order *o)
{
	struct ca_revocation rev;
	struct ca_cert *cert;
	enum wf_state st;
	const char *q = http_query(r, "cert");
	int rc, has_rev;

	if ((st = o->state) >= WF_STATE__MAX || st == WF_DRAFT)
		return;
	/* A new order with this one's data once it has ended: handed over
	 * (a renewal), rejected or expired; not beside one under way. */
	if (workflow_final(st) && st != WF_CANCELLED)
		tctx_set_bool(c, "may_renew", 1);
	if (st != WF_HANDED_OVER || (cert = cert_load(r, o, &rc)) == NULL)
		return;
	has_rev = store_ca_revocation_get(app_of(r)->store, o->id, &rev) == STORE_OK;
	cert_facts(r, c, cert, has_rev ? &rev : NULL);
	if (!has_rev && cert->revoked_at == 0 && cert->not_after > time(NULL)) {
		tctx_set_bool(c, "may_revoke", 1);
		reasons_ctx(r, c, 1, NULL);
	}
	if (q != NULL && strcmp(q, "revoke_requested") == 0)
		tctx_set(c, "cert_notice", msg(r, "cert.done_requested"));
}

/* The member's handed-over order r->ids[0] and its certificate, or a
 * 404 page (another member's order, no certificate) and NULL. */
static struct ca_cert *member_cert(struct req *r, struct order *o)
{
	struct ca_cert *cert;
	int rc = store_order_get_owned(app_of(r)->store, r->ids[0], r->account_id, o);

	if (rc == STORE_OK) {
		if (o->state != WF_HANDED_OVER)
			rc = STORE_NOTFOUND;
		else if ((cert = cert_load(r, o, &rc)) != NULL)
			return cert;
	}
	if (rc == STORE_NOTFOUND)
		page_error(r, 404, "cert.not_found");
	else
		page_error(r, 503, "error.storage");
	return NULL;
}

/* PEM to DER into out.  0 or -1. */
static int pem_to_der(const char *pem, struct buf *out)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	unsigned char *der = NULL;
	int n = x ? i2d_X509(x, &der) : -1;

	if (n > 0)
		buf_append(out, der, (size_t)n);
	OPENSSL_free(der);
	X509_free(x);
	BIO_free(bio);
	ERR_clear_error();
	return n > 0 ? 0 : -1;
}

/* Answers with cert of order o as a download, PEM or DER as the path
 * ends (.pem, .der).  Access checks are the caller's.  0, or -1 after
 * an error page. */
static int cert_respond(struct req *r, const struct order *o, const struct ca_cert *cert)
{
	int der = strcmp(r->path + strlen(r->path) - 4, ".der") == 0;
	char disp[96];

	buf_reset(&r->out);
	if (der) {
		if (pem_to_der(cert->pem, &r->out) != 0) {
			log_warnx("order %lld: the stored certificate does not parse", o->id);
			buf_reset(&r->out);
			page_error(r, 503, "error.storage");
			return -1;
		}
		r->content_type = "application/pkix-cert";
	} else {
		buf_puts(&r->out, cert->pem);
		r->content_type = "application/x-pem-file";
	}
	r->status = 200;
	/* The name is ASCII digits only: no RFC 5987 encoding needed. */
	snprintf(disp, sizeof(disp), "attachment; filename=\"qcra-%lld.%s\"", o->id,
		 der ? "cer" : "pem");
	http_header(r, "Content-Disposition", disp);
	return 0;
}

/* GET /orders/N/certificate.pem and /orders/N/certificate.der */
void web_cert_download(struct req *r)
{
	struct ca_cert *cert;
	struct order o;

	if ((cert = member_cert(r, &o)) == NULL)
		return;
	cert_respond(r, &o, cert);
}

/* The order r->ids[0] as staff may see it and its certificate (in
 * the request's arena), or NULL after the error page (404 for an order
 * out of reach or without a certificate, 503). */
static struct ca_cert *ra_cert(struct req *r, struct order *o)
{
	struct ca_cert *cert;
	int rc;

	if (ra_order_load(r, o) != 0)
		return NULL;
	if ((cert = cert_load(r, o, &rc)) == NULL)
		page_error(r, rc == STORE_NOTFOUND ? 404 : 503,
			   rc == STORE_NOTFOUND ? "cert.none" : "error.storage");
	return cert;
}

/* GET /ra/orders/N/certificate.pem and .der: the issued certificate
 * for staff, as the member gets it (from "issued" on: the office may
 * need it before the handover); 404 while there is none. */
void web_ra_cert_download(struct req *r)
{
	struct ca_cert *cert;
	struct order o;
	char object[32];

	if ((cert = ra_cert(r, &o)) == NULL)
		return;
	if (cert_respond(r, &o, cert) == 0) {
		snprintf(object, sizeof(object), "order:%lld", o.id);
		app_audit(r, "ra.cert_download", object, "ok", "%s", strrchr(r->path, '.') + 1);
	}
}

static const struct field member_revoke_fields[] = {
	{"reason", "cert.reason", "select", "off", 32, F_REQUIRED, check_member_reason, NULL, NULL},
};

/* POST /orders/N/revoke: reason.  Records the member's request; an
 * operator confirms it. */
void web_cert_revoke(struct req *r)
{
	struct app_env env = web_env(r);
	struct actor a = web_actor(r);
	struct uc_result res;
	struct ca_cert *cert;
	struct fstate st;
	struct order o;
	char loc[64];

	if ((cert = member_cert(r, &o)) == NULL)
		return;
	if (fields_read(r, member_revoke_fields, NFIELDS(member_revoke_fields), &st) > 0) {
		page_error(r, 422, "cert.reason_invalid");
		return;
	}
	res = uc_cert_revoke_request(&env, &a, &o, cert, fields_value(&st, "reason"));
	snprintf(loc, sizeof(loc), "/orders/%lld?cert=revoke_requested", o.id);
	web_answer_item(r, res, loc);
}

/* GET /certificates/renew/N: a new order of the same type prefilled
 * from the member's order N (posting it creates the new draft). */
void web_cert_renew(struct req *r)
{
	struct order o;
	int rc = store_order_get_owned(app_of(r)->store, r->ids[0], r->account_id, &o);

	if (rc == STORE_OK && o.state == WF_DRAFT)
		rc = STORE_NOTFOUND;
	if (rc != STORE_OK) {
		page_error(r, rc == STORE_NOTFOUND ? 404 : 503,
			   rc == STORE_NOTFOUND ? "order.not_found" : "error.storage");
		return;
	}
	order_form_prefilled(r, &o);
}

/* ---- The back office ------------------------------------------------------------------------- */

/* The queue's state of one job into ctx as job_<kind>_* values. */
static void job_ctx(struct req *r, struct tctx *ctx, const struct order *o, const char *kind)
{
	struct ca_job j;
	char name[48];
	const char *status;

	if (store_ca_job_get(app_of(r)->store, o->id, kind, &j) != STORE_OK)
		return;
	if (j.refused)
		status = i18n_format(&r->arena, r->lang, "cert.job_refused", "message", j.error,
				     NULL);
	else if (j.done_at != 0)
		status = msg(r, "cert.job_done");
	else
		status = i18n_format(&r->arena, r->lang, "cert.job_waiting", "attempts",
				     arena_printf(&r->arena, "%d", j.attempts), "message",
				     j.error[0] ? j.error : "-", NULL);
	snprintf(name, sizeof(name), "job_%s", kind);
	tctx_set(ctx, name, status);
	if (j.refused) {
		snprintf(name, sizeof(name), "job_%s_refused", kind);
		tctx_set_bool(ctx, name, 1);
	}
}

static void ra_cert_page(struct req *r, unsigned status, const struct order *o, struct tctx *c)
{
	const struct ra_user *u = ra_user(r);
	struct ca_revocation rev;
	struct ca_request cr;
	struct ca_cert *cert;
	const char *d = http_query(r, "done");
	int rc, has_rev;

	if (c == NULL)
		c = page_ctx(r);
	tctx_setf(c, "id", "%lld", o->id);
	tctx_setf(c, "holder", "%s %s", o->first_name, o->last_name);
	{
		tctx_set(c, "state_label", page_state_label(r, o->state));
	}
	if (store_ca_request_get(app_of(r)->store, o->id, &cr) == STORE_OK) {
		tctx_set(c, "ca_reference", cr.reference);
		tctx_set(c, "ca_connector", cr.connector);
	}
	job_ctx(r, c, o, CA_JOB_SUBMIT);
	job_ctx(r, c, o, CA_JOB_REVOKE);
	has_rev = store_ca_revocation_get(app_of(r)->store, o->id, &rev) == STORE_OK;
	if ((cert = cert_load(r, o, &rc)) != NULL) {
		cert_facts(r, c, cert, has_rev ? &rev : NULL);
		if (u->role != RA_AUDITOR && cert->revoked_at == 0 &&
		    (!has_rev || rev.confirmed_at == 0)) {
			tctx_set_bool(c, "may_revoke", 1);
			if (has_rev)
				tctx_set_bool(c, "confirm_request", 1);
			reasons_ctx(r, c, 0, has_rev ? rev.reason : "keyCompromise");
		}
	} else if (rc != STORE_NOTFOUND) {
		page_error(r, 503, "error.storage");
		return;
	}
	if (d != NULL && strcmp(d, "revoke") == 0)
		tctx_set(c, "notice", msg(r, "cert.done_confirmed"));
	page_render(r, status, "cert_ra", "cert.ra_title", c);
}

/* GET /ra/orders/N/certificate: what the CA did with the order (the
 * queue, its refusal), the certificate and its revocation. */
void web_ra_certificate(struct req *r)
{
	ra_order_show(r, ra_cert_page);
}

static const struct field ra_revoke_fields[] = {
	{"reason", "cert.reason", "select", "off", 32, F_REQUIRED, check_any_reason, NULL, NULL},
};

/* POST /ra/orders/N/revoke: reason.  Confirms the member's request, or
 * revokes on a reported loss; queued for the CA in the same
 * transaction (ASVS 2.3.3), delivered by the CA worker. */
void web_ra_cert_revoke(struct req *r)
{
	struct app_env env = web_env(r);
	struct actor a = web_actor(r);
	struct uc_result res;
	struct ca_cert *cert;
	struct fstate st;
	struct order o;
	struct tctx *c;
	char loc[80];

	if ((cert = ra_cert(r, &o)) == NULL)
		return;
	fields_read(r, ra_revoke_fields, NFIELDS(ra_revoke_fields), &st);
	snprintf(loc, sizeof(loc), "/ra/orders/%lld/certificate", o.id);
	if (st.nerrors == 0 && cert->revoked_at == 0 &&
	    page_ask_first(r, "ask.revoke_title",
			   i18n_format(&r->arena, r->lang, "ask.revoke", "id",
				       arena_printf(&r->arena, "%lld", o.id), "holder",
				       arena_printf(&r->arena, "%s %s", o.first_name, o.last_name),
				       "reason", reason_label(r, fields_value(&st, "reason")),
				       NULL),
			   "ask.revoke_button", loc))
		return;
	res = uc_cert_revoke_confirm(&env, &a, &o, cert,
				     st.nerrors > 0 ? NULL : fields_value(&st, "reason"));
	if (res.status == UC_REFUSED) {
		c = page_ctx(r);
		tctx_set(c, "action_error", msg(r, res.msg));
		ra_cert_page(r, res.field != NULL ? 422 : 409, &o, c);
		return;
	}
	if (res.status != UC_OK) {
		page_error(r, 503, res.msg);
		return;
	}
	kick(r);
	snprintf(loc, sizeof(loc), "/ra/orders/%lld/certificate?done=revoke", o.id);
	http_redirect(r, loc);
}
