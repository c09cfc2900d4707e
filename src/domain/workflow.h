/*
 * The order lifecycle: one table of every allowed transition, who may
 * make it and from which state.  Nothing else in the code decides
 * whether an order may move; handlers ask workflow_next() and the
 * store moves the order with a compare-and-set on the old state.
 *
 *   draft -> confirmed -> (documents received, payment received, in
 *   either order) -> verified -> sent to CA -> issued -> at office ->
 *   handed over; documents incomplete, rejected, cancelled, expired.
 *   A registration the CA refuses (or that cannot reach it in time) is
 *   returned for correction: the office corrects it and sends it again,
 *   asks for new signed papers, returns it to the member (who edits and
 *   confirms it again) or cancels it.
 *
 * Per-state properties (final, editable by whom, printable by whom,
 * seen by staff, open to payments, the office queues it stands in, its
 * label) are one table beside the transitions: nothing else in the code
 * decides them from a state's name.
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
	WF_RETURNED,             /* refused by the CA: the office corrects it */
	WF_RETURNED_TO_MEMBER,   /* the member corrects it and confirms again */
	WF_STATE__MAX
};

enum wf_event {
	WF_EV_CONFIRM,          /* member confirms the draft */
	WF_EV_CANCEL,           /* member before processing, or office, of a returned order */
	WF_EV_DOCS_OK,          /* operator: complete documents received */
	WF_EV_DOCS_MISSING,     /* operator: documents incomplete */
	WF_EV_PAYMENT,          /* operator or import: payment recorded in full */
	WF_EV_VERIFY,           /* operator: identity and documents verified */
	WF_EV_SEND,             /* operator: sent to the CA */
	WF_EV_ISSUE,            /* CA: certificate issued */
	WF_EV_ARRIVE,           /* operator: shipment received at the office */
	WF_EV_HAND_OVER,        /* operator: handed over against the ID card */
	WF_EV_REJECT,           /* operator: rejected with a reason */
	WF_EV_EXPIRE,           /* system: not completed in time */
	WF_EV_CA_REFUSE,        /* CA refused the registration (or unreachable too long) */
	WF_EV_NEW_PAPERS,       /* office: corrected data needs newly signed papers */
	WF_EV_RETURN_TO_MEMBER, /* office: the member corrects the order */
	WF_EVENT__MAX
};

enum wf_role {
	WF_MEMBER = 1 << 0,
	WF_OPERATOR = 1 << 1,
	WF_SYSTEM = 1 << 2,
	WF_CA = 1 << 3,
};

/* The office's work queues (bits). */
enum wf_queue {
	WF_Q_DOCUMENTS = 1 << 0, /* documents to receive */
	WF_Q_PAYMENT = 1 << 1,   /* payment to receive */
	WF_Q_VERIFY = 1 << 2,    /* to verify */
	WF_Q_CA = 1 << 3,        /* to send to the CA, or with it */
	WF_Q_PICKUP = 1 << 4,    /* issued: on its way, or waiting at the office */
};
#define WF_QUEUE__COUNT 5

/* What a state allows besides its transitions. */
struct wf_props {
	unsigned final : 1;   /* nothing leads out of it */
	unsigned staff : 1;   /* the office sees it (a draft is the member's alone) */
	unsigned payable : 1; /* a payment may be recorded against it */
	unsigned editable;    /* roles that may change the order's data */
	unsigned printable;   /* roles that may download its documents */
	unsigned queues;      /* the office queues it stands in (enum wf_queue) */
	const char *label;    /* message key of its name for people ("state.NAME") */
	/* Prefix of the member's panel texts ("panel.NAME"): "PREFIX.where"
	 * (where the order is), "PREFIX.next" (what happens next) and, when
	 * the member has something to do, "PREFIX.todo". */
	const char *panel;
};

/* The properties of state s (an invalid s gets those of no state:
 * nothing allowed, label "state.unknown"). */
const struct wf_props *wf_props(enum wf_state s);
/* The same by stored name (an unknown name as an invalid state). */
const struct wf_props *wf_props_of(const char *name);

/* The name in URLs and the title's message key of queue q (one bit). */
const char *wf_queue_name(enum wf_queue q);
const char *wf_queue_title(enum wf_queue q);

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
/* 1 while the office waits for the documents (they may be received),
 * for the payment (it completes the order's payment), and while the
 * order may still expire for want of them. */
int workflow_awaits_documents(enum wf_state s);
int workflow_awaits_payment(enum wf_state s);
int workflow_may_expire(enum wf_state s);
/* 1 for a state nothing leads out of (handed over, rejected, ...). */
int workflow_final(enum wf_state s);
/* 1 when role r may change the order's data in state s. */
int workflow_editable(enum wf_state s, enum wf_role r);

#endif
