/*
 * Recording payments: used by the back-office pages (web/ra_payments.c)
 * and by `qcra payments import` (cli/payments.c).  Everything runs in
 * the caller's open transaction unless said otherwise.
 */
#ifndef QCRA_JOBS_PAYMENTS_H
#define QCRA_JOBS_PAYMENTS_H

#include <stddef.h>
#include <time.h>

#include "app/app.h"
#include "domain/workflow.h"
#include "store/store.h"
#include "store/store_payments.h"

/* Who records: a staff member from a page (role WF_OPERATOR), the
 * system from the CLI (WF_SYSTEM).  who's name is recorded with the
 * payments and in the history, the audit log names who as
 * actor_audit_name does, with who's address.  who is borrowed. */
struct pay_ctx {
	struct store *st;
	enum wf_role role;
	const struct actor *who;
	time_t now;
};

/* An audit entry (detail printf-style). */
int pay_audit(struct pay_ctx *x, const char *action, const char *object, const char *outcome,
	      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* 1 when an order in `state` may take event payment now. */
int pay_may_settle(const struct pay_ctx *x, enum wf_state state);
/* Moves order po, paid in full by payment pid, and settles its earlier
 * partial payments. */
int pay_settle(struct pay_ctx *x, const struct payment_order *po, long long pid, long long amount,
	       const char *remark);
/* The payable order a model 97 reference names: 1 with *po, 0 none, -1 error. */
int pay_order_of_reference(struct pay_ctx *x, const char *ref, int ref97, struct payment_order *po);
/* Classifies payment p against order po (NULL: none), records and
 * audits it, and moves the order when paid in full and allowed.
 * STORE_OK, STORE_CONFLICT (recorded before: nothing written), or
 * STORE_ERROR. */
int pay_record(struct pay_ctx *x, struct payment *p, const struct payment_order *po, int *settled);

struct pay_import_result {
	long long import_id; /* the import recorded (store_import_get), 0 when refused */
	long long same_file; /* an earlier import of the same bytes, or 0 */
	char why[200];       /* why the whole file was refused (English) */
	const char *why_key; /* the same for the catalogue ("stmt.f_*"), or NULL */
	char why_arg[96];    /* its {value} */
	long long why_line;  /* its line, or 0 */
};

/* One line of an import's stored error lines (stmt_import.error_lines):
 * "LINE<tab>KEY<tab>VALUE<tab>English", or the English text alone (rows
 * written before keys were kept: key is then ""). */
struct pay_error_line {
	long long line;
	char key[32], value[96], text[200];
};
/* Reads the line at *p into out and moves *p past it.  0, or -1 at the
 * end. */
int pay_error_line_next(const char **p, struct pay_error_line *out);

/*
 * Reads the bank statement data[0..len) in format (enum stmt_format)
 * and records its credit lines as payments, in ONE transaction of its
 * own with the import's record and the audit entries.  Lines recorded
 * before (the same fingerprint) are counted, not recorded again.
 * Returns STORE_OK with out->import_id, STORE_NOTFOUND when the file
 * was refused (out->why; only the refusal is audited), or STORE_ERROR
 * (nothing recorded).
 */
int payments_import(const struct pay_ctx *ctx, const char *file_name, const char *data, size_t len,
		    int format, struct pay_import_result *out);

#endif
