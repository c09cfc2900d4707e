/*
 * The office's actions on an order (use cases, app.h): documents
 * received, identity verified, sent to the CA, rejected, certificates
 * arrived with a shipment, handed over.  Each is one transaction: the
 * transition (workflow table, compare-and-set), its history note, its
 * audit entry and the member's mail commit together or not at all
 * (ASVS 2.3.3).
 *
 * Results shared by these (and correct.h):
 *   UC_REFUSED, msg OFFICE_WRONG_STATE: the order's state does not
 *     allow it (a stale page, a double submit, moved meanwhile); the
 *     denial is audited and *o reloaded, to be shown as it is now;
 *   UC_REFUSED, other msg: the input does not allow it (field, if one
 *     is at fault);
 *   UC_UNAVAILABLE, "error.storage": nothing was done.
 */
#ifndef QCRA_APP_OFFICE_H
#define QCRA_APP_OFFICE_H

#include "app/app.h"
#include "domain/catalog.h"
#include "domain/order.h"

struct ca_connector;
struct ca_shipment;

#define OFFICE_WRONG_STATE "bo.wrong_state"

/* The checklist of order type t: the signed papers, then the supporting
 * documents of the catalogue, texts[] in language l and (names may be
 * NULL) their form names ("doc_request", "doc_contract", "doc_N" by
 * catalogue index; strings in ar).  Returns how many (at most
 * OFFICE_CHECK_MAX). */
#define OFFICE_CHECK_MAX (2 + CATALOG_MAX_DOCS)
size_t office_checklist(const struct app_env *env, struct arena *ar, enum order_type t, enum lang l,
			const char **names, const char **texts);

/* 1 when an operator may move o by ev now (workflow table). */
int office_may(const struct order *o, enum wf_event ev);

/* The language order o's member reads mail in (Serbian when unknown). */
enum lang office_member_lang(const struct app_env *env, const struct order *o);

/* Ends an order action's transaction begun by the caller: commits when
 * rc is STORE_OK (and wakes the mail worker); else rolls back, and for
 * STORE_NOTFOUND (the order moved meanwhile) reloads *o and audits the
 * denial of ev: OFFICE_WRONG_STATE. */
struct uc_result office_end(const struct app_env *env, const struct actor *a, struct order *o,
			    enum wf_event ev, int rc);

/* Documents delivered for o: ticked[i] for item i of office_checklist
 * (n of them), remark ("" for none).  Complete moves o on (docs_ok);
 * incomplete waits for the rest (docs_missing) and mails the member
 * the list; refused ("bo.docs_still_missing") when incomplete again.
 * *complete: 1 when complete. */
struct office_docs {
	const unsigned char *ticked;
	size_t n;
	const char *remark;
};
struct uc_result uc_office_documents(const struct app_env *env, const struct actor *a,
				     struct arena *ar, struct order *o,
				     const struct office_docs *in, int *complete);

/* The holder's identity checked against o's document; a holder's name
 * that differs from the register needs name_confirmed (refused:
 * field "name_confirmed", "bo.name_confirm_required"), which is
 * recorded and audited. */
struct uc_result uc_office_verify(const struct app_env *env, const struct actor *a,
				  struct arena *ar, struct order *o, int name_confirmed);

/*
 * Sends o to the CA through ca (NULL: none could be opened, why says
 * why).  The CA is asked inside the transaction, so that a connector
 * which queues the order does it in the same commit as the move.
 * Refused ("bo.name_unconfirmed") for a differing name not confirmed.
 * When the CA refused the registration, o is returned for correction
 * with the CA's reason in a transaction of its own: UC_OK with
 * *returned = 1.  When the CA could not be asked: UC_UNAVAILABLE,
 * "bo.ca_failed", with the CA's words in err.
 */
struct uc_result uc_office_send(const struct app_env *env, const struct actor *a, struct arena *ar,
				struct order *o, struct ca_connector *ca, const char *why,
				int *returned, char *err, size_t errlen);

/* Rejects o with reason (shown to the member, who is mailed). */
struct uc_result uc_office_reject(const struct app_env *env, const struct actor *a,
				  struct arena *ar, struct order *o, const char *reason);

/* Hands the certificate over against the ID shown: id_number, and
 * new_id with a remark when the holder shows a new valid ID instead of
 * the one in the request (EN 319 411-1 REG-6.4.5).  Refused: field
 * "id_number", "bo.id_mismatch" (audited), or field "note",
 * "bo.new_id_note_required". */
struct office_hand_over {
	const char *id_number;
	int new_id;
	const char *remark;
};
struct uc_result uc_office_hand_over(const struct app_env *env, const struct actor *a,
				     struct arena *ar, struct order *o,
				     const struct office_hand_over *in);
/* The checks of uc_office_hand_over alone, changing nothing (a
 * mismatch is audited): UC_OK, or refused as there.  So the page asks
 * "hand it over?" only about a handover that can be done. */
struct uc_result uc_office_hand_over_check(const struct app_env *env, const struct actor *a,
					   struct arena *ar, const struct order *o,
					   const struct office_hand_over *in);

/*
 * Shipment reference arrived at the office (office: the only office
 * the actor may receive for, or "" for any): every order of it moves
 * to "at the office", its member mailed, in one transaction; then the
 * CA is told (idempotent: a failure there is only logged).
 * UC_UNAVAILABLE "bo.ca_unavailable" with no connector; UC_NOTFOUND
 * "bo.shipment_not_found"; UC_REFUSED "bo.shipment_received_already"
 * or "bo.shipment_wrong_state" (audited).
 */
struct uc_result uc_office_receive(const struct app_env *env, const struct actor *a,
				   struct arena *ar, struct ca_connector *ca, const char *reference,
				   const char *office);

#endif
