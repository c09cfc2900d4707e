/*
 * What the CA worker (connector/ca_queue.c) and the CA connectors
 * record in the portal, each in one transaction: a job of the durable
 * queue (ca_outbox) claimed, delivered or refused; a certificate the CA
 * issued or revoked.  The connector speaks to the CA; these write what
 * it said (app/ca_work.c).
 */
#ifndef QCRA_APP_CA_WORK_H
#define QCRA_APP_CA_WORK_H

#include <time.h>

#include "store/store.h"
#include "store/store_ca.h"

/* Takes the oldest job due at now and leases it to this process until
 * now + hold (it is being delivered; store_ca_job_claim): other
 * workers, here or in another instance, leave it until then.  STORE_OK with *j,
 * STORE_NOTFOUND or STORE_ERROR. */
int uc_ca_job_claim(struct store *st, time_t now, time_t hold, struct ca_job *j);

/* Job j was delivered: done, with an audit entry ("system:ca-queue",
 * ca.<kind>, ok).  STORE_OK or STORE_ERROR. */
int uc_ca_job_delivered(struct store *st, const struct ca_job *j, time_t now);

/* The CA refused job j (code: its reason code, "ca_unreachable" when it
 * could not be reached past the retry window; why: its words): the job
 * ends, a refused submission's order is returned for correction
 * (jobs_order_return, role CA, or system for ca_unreachable), and an
 * audit entry (ca.<kind>, denied) is written, in one transaction.
 * STORE_OK or STORE_ERROR. */
int uc_ca_job_refused(struct store *st, const struct ca_job *j, const char *code, const char *why,
		      time_t now);

/*
 * Records certificate cert (cert->order_id) as the CA described it,
 * and moves the order from sent_to_ca to issued (event issue, role CA,
 * "ca:service"); a revocation once recorded is never undone, and the
 * first one is audited and mailed to the holder (links under
 * base_url).  One transaction.  Returns 1 when the order moved, 0, or
 * -1 (database).
 */
int uc_ca_cert_record(struct store *st, const char *base_url, struct ca_cert *cert);

#endif
