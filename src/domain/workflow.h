/*
 * The order lifecycle: one table of every allowed transition, who may
 * make it and from which state.  Nothing else in the code decides
 * whether an order may move; handlers ask workflow_next() and the
 * store moves the order with a compare-and-set on the old state.
 *
 *   draft -> confirmed -> (documents received, payment received, in
 *   either order) -> verified -> sent to CA -> issued -> at office ->
 *   handed over; documents incomplete, rejected, cancelled, expired.
 */
#ifndef QCRA_WORKFLOW_H
#define QCRA_WORKFLOW_H

enum wf_state {
	WF_DRAFT,
	WF_CONFIRMED,
	WF_DOCS_RECEIVED, /* documents in, payment not yet */
	WF_PAID,          /* payment in, documents not yet */
	WF_READY,         /* both in: ready to verify */
	WF_DOCS_INCOMPLETE,
	WF_VERIFIED,
	WF_SENT_TO_CA,
	WF_ISSUED,
	WF_AT_OFFICE,
	WF_HANDED_OVER,
	WF_REJECTED,
	WF_CANCELLED,
	WF_EXPIRED,
	WF_DOCS_INCOMPLETE_PAID, /* documents incomplete, payment already in */
	WF_STATE__MAX
};

enum wf_event {
	WF_EV_CONFIRM,      /* member confirms the draft */
	WF_EV_CANCEL,       /* member cancels before processing */
	WF_EV_DOCS_OK,      /* operator: complete documents received */
	WF_EV_DOCS_MISSING, /* operator: documents incomplete */
	WF_EV_PAYMENT,      /* operator or import: payment recorded in full */
	WF_EV_VERIFY,       /* operator: identity and documents verified */
	WF_EV_SEND,         /* operator: sent to the CA */
	WF_EV_ISSUE,        /* CA: certificate issued */
	WF_EV_ARRIVE,       /* operator: shipment received at the office */
	WF_EV_HAND_OVER,    /* operator: handed over against the ID card */
	WF_EV_REJECT,       /* operator: rejected with a reason */
	WF_EV_EXPIRE,       /* system: not completed in time */
	WF_EV_CA_REFUSE,    /* CA: refused a queued registration: back to the operator */
	WF_EVENT__MAX
};

enum wf_role {
	WF_MEMBER = 1 << 0,
	WF_OPERATOR = 1 << 1,
	WF_SYSTEM = 1 << 2,
	WF_CA = 1 << 3,
};

/* Stable names, as stored ("draft", "confirmed", ...). */
const char *wf_state_name(enum wf_state s);
/* Parses a stored name; returns 0 or -1. */
int wf_state_parse(const char *name, enum wf_state *out);
const char *wf_event_name(enum wf_event e);

/* The state after event e in state s by role r, or -1 when that
 * transition is not allowed. */
int workflow_next(enum wf_state s, enum wf_event e, enum wf_role r);
/* 1 when the member may still change their mind (cancel). */
int workflow_member_may_cancel(enum wf_state s);

#endif
