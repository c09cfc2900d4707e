/*
 * The audit log's anchor file and its check (audit.c): the head of the
 * chain written outside the database, where truncating or re-chaining
 * the log cannot reach it, and the walk of the whole chain against it
 * (domain/audit.h).  Used by `qcra audit anchor|verify` and by the
 * portal, which anchors at start, every audit_anchor_seconds the log
 * grew, and at shutdown.
 */
#ifndef QCRA_JOBS_AUDIT_H
#define QCRA_JOBS_AUDIT_H

#include <stddef.h>
#include <time.h>

#include "domain/audit.h"
#include "store/store.h"

#define JOBS_ANCHOR_FILE "audit.anchor" /* in VAR */

/*
 * Appends the head of the chain at `now` to the anchor file path
 * (created 0600, opened O_APPEND, synced), the line (newline included)
 * copied into line (size bytes, may be NULL).  With last given, nothing
 * is written when the head is still *last, and *last becomes the head
 * written.  Returns 1 when a line was written, 0 when the head had not
 * moved, -1 with err set.
 */
int jobs_audit_anchor(struct store *st, const unsigned char secret[AUDIT_SECRET_LEN],
		      const char *path, time_t now, struct audit_head *last, char *line,
		      size_t size, char *err, size_t errlen);

struct jobs_audit_check {
	struct audit_verify v;      /* the verdict (v.anchors is gone after the call) */
	size_t anchors;             /* lines checked against */
	struct audit_anchor latest; /* the highest head among them */
	int no_anchor_file;         /* the file was not there (not required) */
	long bad_line;              /* > 0: the anchor file's line that is not the portal's */
	int forged;                 /* that line's MAC did not match (else: not an anchor) */
};

/*
 * Walks the whole chain against the anchors in anchor_path (read first,
 * so every anchor is older than the entries walked).  A missing file
 * is an error when required, else noted.  Returns 0 with the outcome in
 * *out (intact, a bad entry, a missing range, or a bad anchor line), or
 * -1 with err set when the file or the log cannot be read.
 */
int jobs_audit_verify(struct store *st, const unsigned char secret[AUDIT_SECRET_LEN],
		      const char *anchor_path, int required, struct jobs_audit_check *out,
		      char *err, size_t errlen);

#endif
