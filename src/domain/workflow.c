#include "domain/workflow.h"

#include <string.h>

static const char *const state_names[WF_STATE__MAX] = {
	[WF_DRAFT] = "draft",
	[WF_CONFIRMED] = "confirmed",
	[WF_DOCS_RECEIVED] = "documents_received",
	[WF_PAID] = "payment_received",
	[WF_READY] = "ready",
	[WF_DOCS_INCOMPLETE] = "documents_incomplete",
	[WF_VERIFIED] = "verified",
	[WF_SENT_TO_CA] = "sent_to_ca",
	[WF_ISSUED] = "issued",
	[WF_AT_OFFICE] = "at_office",
	[WF_HANDED_OVER] = "handed_over",
	[WF_REJECTED] = "rejected",
	[WF_CANCELLED] = "cancelled",
	[WF_EXPIRED] = "expired",
	[WF_DOCS_INCOMPLETE_PAID] = "documents_incomplete_paid",
	[WF_RETURNED] = "returned",
	[WF_RETURNED_TO_MEMBER] = "returned_to_member",
};

#define ALL (WF_MEMBER | WF_OPERATOR | WF_SYSTEM | WF_CA)
#define STAFF_ONLY WF_OPERATOR
/* A state's label and the prefix of its member-facing panel texts
 * ("panel.NAME.where", ".next", ".todo"). */
#define LABEL(name) "state." name, "panel." name

/* What each state allows besides its transitions (workflow.h). */
static const struct wf_props props[WF_STATE__MAX] = {
	[WF_DRAFT] = {0, 0, 0, WF_MEMBER, 0, 0, LABEL("draft")},
	[WF_CONFIRMED] = {0, 1, 1, 0, ALL, WF_Q_DOCUMENTS | WF_Q_PAYMENT, LABEL("confirmed")},
	[WF_DOCS_RECEIVED] = {0, 1, 1, 0, ALL, WF_Q_PAYMENT, LABEL("documents_received")},
	[WF_PAID] = {0, 1, 1, 0, ALL, WF_Q_DOCUMENTS, LABEL("payment_received")},
	[WF_READY] = {0, 1, 1, 0, ALL, WF_Q_VERIFY, LABEL("ready")},
	[WF_DOCS_INCOMPLETE] = {0, 1, 1, 0, ALL, WF_Q_DOCUMENTS | WF_Q_PAYMENT,
				LABEL("documents_incomplete")},
	[WF_VERIFIED] = {0, 1, 1, 0, ALL, WF_Q_CA, LABEL("verified")},
	[WF_SENT_TO_CA] = {0, 1, 1, 0, ALL, WF_Q_CA, LABEL("sent_to_ca")},
	[WF_ISSUED] = {0, 1, 1, 0, ALL, WF_Q_PICKUP, LABEL("issued")},
	[WF_AT_OFFICE] = {0, 1, 1, 0, ALL, WF_Q_PICKUP, LABEL("at_office")},
	[WF_HANDED_OVER] = {1, 1, 1, 0, ALL, 0, LABEL("handed_over")},
	[WF_REJECTED] = {1, 1, 1, 0, ALL, 0, LABEL("rejected")},
	[WF_CANCELLED] = {1, 1, 1, 0, 0, 0, LABEL("cancelled")},
	[WF_EXPIRED] = {1, 1, 1, 0, ALL, 0, LABEL("expired")},
	[WF_DOCS_INCOMPLETE_PAID] = {0, 1, 1, 0, ALL, WF_Q_DOCUMENTS,
				     LABEL("documents_incomplete_paid")},
	/* The office corrects it and sends it again: work for the CA. */
	[WF_RETURNED] = {0, 1, 1, WF_OPERATOR, ALL, WF_Q_CA, LABEL("returned")},
	/* The member is changing it: their papers would not match. */
	[WF_RETURNED_TO_MEMBER] = {0, 1, 1, WF_MEMBER, STAFF_ONLY, 0, LABEL("returned_to_member")},
};

static const struct wf_props no_props = {0, 0, 0, 0, 0, 0, LABEL("unknown")};

static const struct {
	enum wf_queue q;
	const char *name, *title;
} queues[WF_QUEUE__COUNT] = {
	{WF_Q_DOCUMENTS, "documents", "bo.q_documents"}, {WF_Q_PAYMENT, "payment", "bo.q_payment"},
	{WF_Q_VERIFY, "verify", "bo.q_verify"},          {WF_Q_CA, "ca", "bo.q_ca"},
	{WF_Q_PICKUP, "pickup", "bo.q_pickup"},
};

static const char *const event_names[WF_EVENT__MAX] = {
	[WF_EV_CONFIRM] = "confirm",
	[WF_EV_CANCEL] = "cancel",
	[WF_EV_DOCS_OK] = "documents",
	[WF_EV_DOCS_MISSING] = "documents_missing",
	[WF_EV_PAYMENT] = "payment",
	[WF_EV_VERIFY] = "verify",
	[WF_EV_SEND] = "send",
	[WF_EV_ISSUE] = "issue",
	[WF_EV_ARRIVE] = "arrive",
	[WF_EV_HAND_OVER] = "hand_over",
	[WF_EV_REJECT] = "reject",
	[WF_EV_EXPIRE] = "expire",
	[WF_EV_CA_REFUSE] = "ca_refused",
	[WF_EV_NEW_PAPERS] = "new_papers",
	[WF_EV_RETURN_TO_MEMBER] = "return_to_member",
};

struct transition {
	enum wf_state from;
	enum wf_event event;
	enum wf_state to;
	unsigned who;
};

/* The whole lifecycle.  Order matters only for readability. */
static const struct transition table[] = {
	{WF_DRAFT, WF_EV_CONFIRM, WF_CONFIRMED, WF_MEMBER},
	{WF_DRAFT, WF_EV_CANCEL, WF_CANCELLED, WF_MEMBER},
	{WF_CONFIRMED, WF_EV_CANCEL, WF_CANCELLED, WF_MEMBER},

	/* The system: both papers signed electronically and verified (app/sign.c). */
	{WF_CONFIRMED, WF_EV_DOCS_OK, WF_DOCS_RECEIVED, WF_OPERATOR | WF_SYSTEM},
	{WF_CONFIRMED, WF_EV_PAYMENT, WF_PAID, WF_OPERATOR | WF_SYSTEM},
	{WF_CONFIRMED, WF_EV_DOCS_MISSING, WF_DOCS_INCOMPLETE, WF_OPERATOR},
	{WF_DOCS_RECEIVED, WF_EV_PAYMENT, WF_READY, WF_OPERATOR | WF_SYSTEM},
	{WF_PAID, WF_EV_DOCS_OK, WF_READY, WF_OPERATOR | WF_SYSTEM},
	{WF_PAID, WF_EV_DOCS_MISSING, WF_DOCS_INCOMPLETE_PAID, WF_OPERATOR},
	{WF_DOCS_INCOMPLETE, WF_EV_DOCS_OK, WF_DOCS_RECEIVED, WF_OPERATOR | WF_SYSTEM},
	{WF_DOCS_INCOMPLETE, WF_EV_PAYMENT, WF_DOCS_INCOMPLETE_PAID, WF_OPERATOR | WF_SYSTEM},
	/* A payment already made is not forgotten while documents are missing. */
	{WF_DOCS_INCOMPLETE_PAID, WF_EV_DOCS_OK, WF_READY, WF_OPERATOR | WF_SYSTEM},
	{WF_READY, WF_EV_VERIFY, WF_VERIFIED, WF_OPERATOR},
	{WF_VERIFIED, WF_EV_SEND, WF_SENT_TO_CA, WF_OPERATOR},
	{WF_SENT_TO_CA, WF_EV_ISSUE, WF_ISSUED, WF_CA | WF_SYSTEM},
	/* A refusal at send (the operator's request carries the CA's
	 * answer) or later (the queue's worker), or a CA out of reach past
	 * the retry window: the order is returned for correction. */
	{WF_VERIFIED, WF_EV_CA_REFUSE, WF_RETURNED, WF_OPERATOR | WF_CA | WF_SYSTEM},
	{WF_SENT_TO_CA, WF_EV_CA_REFUSE, WF_RETURNED, WF_CA | WF_SYSTEM},
	{WF_RETURNED, WF_EV_SEND, WF_SENT_TO_CA, WF_OPERATOR},
	{WF_RETURNED, WF_EV_NEW_PAPERS, WF_DOCS_INCOMPLETE_PAID, WF_OPERATOR},
	{WF_RETURNED, WF_EV_RETURN_TO_MEMBER, WF_RETURNED_TO_MEMBER, WF_OPERATOR},
	{WF_RETURNED, WF_EV_CANCEL, WF_CANCELLED, WF_OPERATOR},
	/* Paid, so confirmed again it waits for the new papers only. */
	{WF_RETURNED_TO_MEMBER, WF_EV_CONFIRM, WF_PAID, WF_MEMBER},
	{WF_RETURNED_TO_MEMBER, WF_EV_CANCEL, WF_CANCELLED, WF_MEMBER | WF_OPERATOR},
	{WF_ISSUED, WF_EV_ARRIVE, WF_AT_OFFICE, WF_OPERATOR},
	{WF_AT_OFFICE, WF_EV_HAND_OVER, WF_HANDED_OVER, WF_OPERATOR},

	{WF_CONFIRMED, WF_EV_REJECT, WF_REJECTED, WF_OPERATOR},
	{WF_DOCS_RECEIVED, WF_EV_REJECT, WF_REJECTED, WF_OPERATOR},
	{WF_PAID, WF_EV_REJECT, WF_REJECTED, WF_OPERATOR},
	{WF_READY, WF_EV_REJECT, WF_REJECTED, WF_OPERATOR},
	{WF_VERIFIED, WF_EV_REJECT, WF_REJECTED, WF_OPERATOR},
	{WF_DOCS_INCOMPLETE, WF_EV_REJECT, WF_REJECTED, WF_OPERATOR},
	{WF_DOCS_INCOMPLETE_PAID, WF_EV_REJECT, WF_REJECTED, WF_OPERATOR},

	{WF_CONFIRMED, WF_EV_EXPIRE, WF_EXPIRED, WF_SYSTEM},
	{WF_DOCS_RECEIVED, WF_EV_EXPIRE, WF_EXPIRED, WF_SYSTEM},
	{WF_PAID, WF_EV_EXPIRE, WF_EXPIRED, WF_SYSTEM},
	{WF_DOCS_INCOMPLETE, WF_EV_EXPIRE, WF_EXPIRED, WF_SYSTEM},
	{WF_DOCS_INCOMPLETE_PAID, WF_EV_EXPIRE, WF_EXPIRED, WF_SYSTEM},
};

const char *wf_state_name(enum wf_state s)
{
	return (unsigned)s < WF_STATE__MAX ? state_names[s] : "unknown";
}

int wf_state_parse(const char *name, enum wf_state *out)
{
	int i;

	for (i = 0; i < WF_STATE__MAX; i++)
		if (name != NULL && strcmp(name, state_names[i]) == 0) {
			*out = (enum wf_state)i;
			return 0;
		}
	return -1;
}

const char *wf_event_name(enum wf_event e)
{
	return (unsigned)e < WF_EVENT__MAX ? event_names[e] : "unknown";
}

int workflow_next(enum wf_state s, enum wf_event e, enum wf_role r)
{
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].from == s && table[i].event == e && (table[i].who & (unsigned)r))
			return (int)table[i].to;
	return -1;
}

int workflow_member_may_cancel(enum wf_state s)
{
	return workflow_next(s, WF_EV_CANCEL, WF_MEMBER) >= 0;
}

const struct wf_props *wf_props(enum wf_state s)
{
	return (unsigned)s < WF_STATE__MAX ? &props[s] : &no_props;
}

const struct wf_props *wf_props_of(const char *name)
{
	enum wf_state s;

	return wf_state_parse(name, &s) == 0 ? &props[s] : &no_props;
}

const char *wf_queue_name(enum wf_queue q)
{
	for (size_t i = 0; i < WF_QUEUE__COUNT; i++)
		if (queues[i].q == q)
			return queues[i].name;
	return "";
}

const char *wf_queue_title(enum wf_queue q)
{
	for (size_t i = 0; i < WF_QUEUE__COUNT; i++)
		if (queues[i].q == q)
			return queues[i].title;
	return "";
}

int workflow_awaits_documents(enum wf_state s)
{
	return workflow_next(s, WF_EV_DOCS_OK, WF_OPERATOR) >= 0;
}

int workflow_awaits_payment(enum wf_state s)
{
	return workflow_next(s, WF_EV_PAYMENT, WF_SYSTEM) >= 0;
}

int workflow_may_expire(enum wf_state s)
{
	return workflow_next(s, WF_EV_EXPIRE, WF_SYSTEM) >= 0;
}

int workflow_final(enum wf_state s)
{
	return wf_props(s)->final;
}

int workflow_editable(enum wf_state s, enum wf_role r)
{
	return (wf_props(s)->editable & (unsigned)r) != 0;
}
