/*
 * The member's mail about their order (order_mail.c): one table from
 * the workflow event to the message key, and the mails that are no
 * move (a partial payment; the certificate's revocation and expiry,
 * app/reminders.c).  Each is queued in the caller's open transaction
 * as a message key with its values and the order's number, and
 * written when it is delivered (mail/outbox.c), to the order's email
 * (or another address) in the language of the order's account then.
 */
#ifndef QCRA_APP_ORDER_MAIL_H
#define QCRA_APP_ORDER_MAIL_H

#include "app/order.h"

/* The mail the move m of order o (o->state: the state it led to) gives
 * the member, if the table has one: {id}, {next} and the values the
 * text takes (the office, the documents, the reason, what to pay), with
 * m->mail's.  Returns STORE_OK (also when there is none) or STORE_ERROR. */
int order_mail_step(const struct app_env *env, const struct actor *a, const struct order *o,
		    const struct order_move *m);

/* Queues mail key about order order_id ({id} and the NULL-terminated
 * name, value pairs values, may be NULL) to its email, or to `to` unless
 * NULL: the address and the language are the order's when the mail is
 * delivered. */
int order_mail_queue(struct store *st, long long order_id, const char *to, const char *key,
		     const char *const *values);

/* A payment of amount_para that leaves due_para still to pay (paid_para
 * paid so far): the member's mail. */
int order_mail_paid_part(struct store *st, long long order_id, long long amount_para,
			 long long paid_para, long long due_para);

#endif
