/*
 * The member's mail at each step of an order (order_mail.h, issue 15):
 * one table from the workflow event (and the state it led to) to the
 * message key, read by the one order transition (uc_order_move_by_tx),
 * so each move mails once, in its transaction, whoever made it (a page,
 * the jobs thread, a statement import, the CA worker).
 *
 * A mail is queued as its key, values and order; the outbox writes it
 * when it delivers it, to the order's email in the language of the
 * order's account then, with {base} the portal's address
 * (mail/outbox.c).  Queuing is one plain INSERT of short text, so a
 * statement settling tens of thousands of orders pays little for their
 * mails (bench scenario 7).
 */
#include "app/order_mail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "app/office.h"
#include "core/config.h"
#include "core/secret.h"
#include "domain/catalog.h"
#include "domain/payment.h"
#include "domain/translit.h"
#include "util/buf.h"
#include "util/log.h"

/* What a mail's text takes besides {id} and the caller's values. */
enum {
	OM_OFFICE = 1 << 0,  /* {office} {address} {hours} {phone}: the pickup office */
	OM_DOCS = 1 << 1,    /* {documents}: what to bring, one per line */
	OM_REASON = 1 << 2,  /* {reason}: the move's note (typed by the office) */
	OM_TOTAL = 1 << 3,   /* {total} {reference}: what to pay, and how */
	OM_COMPANY = 1 << 4, /* also key + "_company" to a legal entity's company email */
};

#define ANY WF_STATE__MAX

static const struct step_mail {
	enum wf_event ev;
	unsigned roles;   /* made by one of these (0: anyone) */
	enum wf_state to; /* that led here (ANY: anywhere) */
	const char *key;  /* "mail.x": "mail.x.subject", "mail.x.body" */
	unsigned values;
	const char *next; /* {next}: a message key, what happens next, or NULL */
} step_mails[] = {
	{WF_EV_CONFIRM, 0, WF_CONFIRMED, "mail.order_confirmed",
	 OM_OFFICE | OM_DOCS | OM_TOTAL | OM_COMPANY, NULL},
	{WF_EV_DOCS_OK, 0, WF_DOCS_RECEIVED, "mail.order_docs_ok", 0, "mail.next_payment"},
	{WF_EV_DOCS_OK, 0, WF_READY, "mail.order_docs_ok", 0, "mail.next_verify"},
	{WF_EV_DOCS_MISSING, 0, ANY, "mail.bo_docs_missing", OM_OFFICE, NULL},
	{WF_EV_PAYMENT, 0, WF_PAID, "mail.order_paid", 0, "mail.next_documents"},
	{WF_EV_PAYMENT, 0, WF_DOCS_INCOMPLETE_PAID, "mail.order_paid", 0, "mail.next_missing"},
	{WF_EV_PAYMENT, 0, WF_READY, "mail.order_paid", 0, "mail.next_verify"},
	{WF_EV_SEND, 0, ANY, "mail.order_sent", 0, NULL},
	{WF_EV_ISSUE, 0, ANY, "mail.order_issued", 0, NULL},
	{WF_EV_ARRIVE, 0, ANY, "mail.bo_arrived", OM_OFFICE, NULL},
	{WF_EV_HAND_OVER, 0, ANY, "mail.order_handed_over", 0, NULL},
	{WF_EV_REJECT, 0, ANY, "mail.bo_rejected", OM_OFFICE | OM_REASON, NULL},
	{WF_EV_EXPIRE, 0, ANY, "mail.bo_order_expired", 0, NULL},
	{WF_EV_NEW_PAPERS, 0, ANY, "mail.bo_new_papers", OM_OFFICE, NULL},
	{WF_EV_RETURN_TO_MEMBER, 0, ANY, "mail.bo_returned", OM_REASON, NULL},
	/* A member who cancels knows it; an order the office cancels is told. */
	{WF_EV_CANCEL, WF_OPERATOR, ANY, "mail.bo_cancelled", OM_REASON, NULL},
};

/* Name, value pairs a mail takes at most (with {id}). */
#define MAIL_PAIRS 12

struct mail_values {
	const char *p[2 * MAIL_PAIRS + 1]; /* name, value, ..., NULL */
	size_t n;
};

static void put(struct mail_values *v, const char *name, const char *value)
{
	if (v->n + 2 < 2 * MAIL_PAIRS + 1) {
		v->p[v->n++] = name;
		v->p[v->n++] = value ? value : "";
	} else
		log_warnx("mail: more than %d values, {%s} left out", MAIL_PAIRS, name);
}

/* Queues key with v's values about order id (to: NULL, the order's
 * email) in the open transaction.  The pairs are passed in fixed
 * slots: the first NULL name ends them (i18n_note_to). */
static int queue(struct store *st, long long id, const char *to, const char *key,
		 const struct mail_values *v)
{
	const char *const *p = v->p;
	char stack[2048], *note = stack;
	size_t need;
	int rc;

#define PAIRS                                                                                      \
	p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13],    \
		p[14], p[15], p[16], p[17], p[18], p[19], p[20], p[21], p[22], p[23], NULL
	need = i18n_note_to(stack, sizeof(stack), key, PAIRS);
	if (need >= sizeof(stack)) {
		if ((note = malloc(need + 1)) == NULL)
			return STORE_ERROR;
		i18n_note_to(note, need + 1, key, PAIRS);
	}
#undef PAIRS
	rc = store_outbox_queue_order(st, id, to, key, note, time(NULL));
	if (note != stack)
		free(note);
	return rc;
}

int order_mail_queue(struct store *st, long long order_id, const char *to, const char *key,
		     const char *const *values)
{
	struct mail_values v;
	char id[24];

	memset(&v, 0, sizeof(v));
	snprintf(id, sizeof(id), "%lld", order_id);
	put(&v, "id", id);
	for (; values != NULL && values[0] != NULL; values += 2)
		put(&v, values[0], values[1]);
	return queue(st, order_id, to, key, &v);
}

/* The documents to bring for o, one per line, in l. */
static const char *documents(const struct app_env *env, struct arena *ar, const struct order *o,
			     enum lang l)
{
	const char *texts[OFFICE_CHECK_MAX];
	size_t i, n = office_checklist(env, ar, o->type, l, NULL, texts);
	struct buf b = BUF_INIT;
	const char *out;

	for (i = 0; i < n; i++)
		buf_printf(&b, "- %s\n", texts[i]);
	out = arena_strndup(ar, buf_cstr(&b), b.len);
	buf_free(&b);
	return out;
}

/* Adds the values flags asks for (in ar, in the member's language). */
static void add_values(const struct app_env *env, struct arena *ar, const struct order *o,
		       const struct order_move *m, unsigned flags, struct mail_values *v)
{
	const struct office *off = env->catalog ? catalog_office(env->catalog, o->office) : NULL;
	enum lang l =
		flags & (OM_OFFICE | OM_DOCS | OM_TOTAL) ? office_member_lang(env, o) : LANG_SR;
	const char *payee = env->catalog ? env->catalog->seller.name : "";
	char money[32], ref[PAYMENT_REF_SIZE], *cyrl;
	size_t n;

	if (flags & OM_OFFICE) {
		put(v, "office", off ? off->name[l] : o->office);
		put(v, "address",
		    off ? arena_printf(ar, "%s, %s %s", off->street[l], off->postal_code,
				       off->city[l])
			: "");
		put(v, "hours", off ? off->hours[l] : "");
		put(v, "phone", off ? off->phone : "");
	}
	if ((flags & OM_DOCS) && env->catalog != NULL)
		put(v, "documents", documents(env, ar, o, l));
	if (flags & OM_REASON)
		put(v, "reason", m->note);
	if (flags & OM_TOTAL) {
		payment_amount_format(m->total ? m->total : o->total_para, money, sizeof(money));
		put(v, "total", arena_strdup(ar, money));
		payment_ref_display(o->payment_ref, ref, sizeof(ref));
		put(v, "reference", arena_strdup(ar, ref));
		put(v, "account", env->catalog ? env->catalog->seller.account : "");
		if (l == LANG_SR_CYRL) { /* the chamber's name, in the mail's script */
			n = strlen(payee);
			cyrl = arena_alloc(ar, 2 * n + 1);
			translit_cyrl(cyrl, 2 * n + 1, payee, n);
			payee = cyrl;
		}
		put(v, "payee", payee);
	}
}

/* The company's copy: what to pay and a link that opens the proforma
 * without an account (core/secret.h), valid company_link_days. */
static int queue_company(const struct app_env *env, struct arena *ar, const struct order *o,
			 const struct order_move *m, const char *key)
{
	struct mail_values v;
	char id[24], until[24], link[SECRET_LINK_HEX], days[16];
	time_t end = time(NULL) + (time_t)env->cfg->company_link_days * 86400;

	memset(&v, 0, sizeof(v));
	snprintf(id, sizeof(id), "%lld", o->id);
	snprintf(until, sizeof(until), "%lld", (long long)end);
	snprintf(days, sizeof(days), "%d", env->cfg->company_link_days);
	secret_link(env->secret, o->id, "proforma", end, link);
	put(&v, "id", id);
	put(&v, "company", o->company_name);
	put(&v, "until", until);
	put(&v, "key", link);
	put(&v, "days", days);
	add_values(env, ar, o, m, OM_TOTAL, &v);
	return queue(env->store, o->id, o->company_email, arena_printf(ar, "%s_company", key), &v);
}

int order_mail_step(const struct app_env *env, const struct actor *a, const struct order *o,
		    const struct order_move *m)
{
	const struct step_mail *sm = NULL;
	struct mail_values v;
	struct arena ar;
	const char *const *x;
	char id[24];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(step_mails) / sizeof(step_mails[0]) && sm == NULL; i++)
		if (step_mails[i].ev == m->ev &&
		    (!step_mails[i].roles || step_mails[i].roles & m->role) &&
		    (step_mails[i].to == ANY || step_mails[i].to == o->state))
			sm = &step_mails[i];
	if (sm == NULL)
		return STORE_OK;
	memset(&v, 0, sizeof(v));
	snprintf(id, sizeof(id), "%lld", o->id);
	put(&v, "id", id);
	if (sm->next != NULL)
		put(&v, "@next", sm->next);
	for (x = m->mail; x != NULL && x[0] != NULL; x += 2)
		put(&v, x[0], x[1]);
	arena_init(&ar);
	if (sm->values != 0)
		add_values(env, &ar, o, m, sm->values, &v);
	rc = queue(env->store, o->id, NULL, sm->key, &v);
	if (rc == STORE_OK && (sm->values & OM_COMPANY) && o->type == ORDER_LEGAL &&
	    o->company_email[0] != '\0' && strcasecmp(o->company_email, o->email) != 0)
		rc = queue_company(env, &ar, o, m, sm->key);
	arena_free(&ar);
	return rc;
}

int order_mail_paid_part(struct store *st, long long order_id, long long amount_para,
			 long long paid_para, long long due_para)
{
	char amount[32], paid[32], due[32];
	const char *values[] = {"amount", amount, "paid", paid, "remaining", due, NULL};

	payment_amount_format(amount_para, amount, sizeof(amount));
	payment_amount_format(paid_para, paid, sizeof(paid));
	payment_amount_format(due_para, due, sizeof(due));
	return order_mail_queue(st, order_id, NULL, "mail.order_paid_part", values);
}
