/*
 * Documents signed electronically (use case, app.h; issue 19): the
 * member uploads the request or the contract signed with a qualified
 * certificate; a verified one is recorded, and both verified mark the
 * order's documents received as the office does.
 */
#ifndef QCRA_APP_SIGN_H
#define QCRA_APP_SIGN_H

#include "app/app.h"
#include "domain/order.h"

enum sign_doc { SIGN_DOC_REQUEST, SIGN_DOC_CONTRACT, SIGN_DOC__MAX };

/* "request" / "contract" (also the PDF's name without ".pdf"). */
const char *sign_doc_name(enum sign_doc d);
/* 0 with *out, or -1. */
int sign_doc_parse(const char *s, enum sign_doc *out);

/* The CAs a signer (or a certificate's login) may chain to: the CA
 * service's root and sign_trusted_cas (sign_trust_free), or NULL, logged. */
struct sign_trust;
struct sign_trust *sign_trust_config(const struct config *cfg);

/* 1 when o waits for its documents, so signed ones are taken. */
int sign_awaited(const struct order *o);

struct sign_upload {
	enum sign_doc doc;
	const unsigned char *file; /* what the member sent */
	size_t len;
	/* The document as the portal issued it, in each language it may
	 * have been downloaded in: the one the file starts with is checked. */
	const unsigned char *const *orig;
	const size_t *orig_len;
	size_t norig;
};

/*
 * Verifies the upload as the holder's (o->jmbg) signature of the
 * document (app/sign_verify.h).  Verified: recorded with its signer,
 * serial, revocation status and the OCSP answer, a history note and an
 * audit entry; with both documents verified the order moves as the
 * office's "documents received" would (*complete = 1).  A certificate
 * that names no JMBG but passes every other check: recorded as held for
 * the office's confirmation (uc_sign_decide), UC_OK.  Refused: the
 * check's message key in .msg, audited as denied.
 */
struct uc_result uc_sign_upload(const struct app_env *env, const struct actor *a, struct arena *ar,
				struct order *o, const struct sign_upload *in, int *complete);

/*
 * The office's decision on a signature held because its certificate
 * names no JMBG (uc_sign_upload): confirm = 1, the signer is the holder,
 * and the document counts as a verified one (both in: the order moves,
 * *complete = 1); 0, refused, and the member is mailed why.  The
 * operator and the decision in the history and the audit log.  Refused
 * with "sign.err_not_held" when doc's signature is not held (decided
 * already, replaced), "sign.err_state" when o no longer waits.
 */
struct uc_result uc_sign_decide(const struct app_env *env, const struct actor *a, struct arena *ar,
				struct order *o, enum sign_doc doc, int confirm, int *complete);

#endif
