/*
 * The route handlers, one file per area; the route table in app.c
 * lists them.  Each takes the request and answers it.
 */
#ifndef QCRA_WEB_HANDLERS_H
#define QCRA_WEB_HANDLERS_H

#include "web/app.h"

/* account.c */
void web_home(struct req *r);
void web_account(struct req *r);
void web_account_data(struct req *r); /* account_data.c */
void web_account_lang_post(struct req *r);
void web_register_get(struct req *r);
void web_register_post(struct req *r);
void web_register_sent(struct req *r);
void web_confirm_get(struct req *r);
void web_confirm_post(struct req *r);
void web_login_get(struct req *r);
void web_login_post(struct req *r);
void web_login_cert(struct req *r);
void web_logout(struct req *r);
/* The forgotten username's and password's forms, by the path. */
void web_by_email_get(struct req *r);
void web_by_email_post(struct req *r);
void web_by_email_sent(struct req *r);
void web_password_reset_get(struct req *r);
void web_password_reset_post(struct req *r);
void web_password_change_get(struct req *r);
void web_password_change_post(struct req *r);

/* orders.c */
void web_cert_new(struct req *r);
void web_cert_form_get(struct req *r);
void web_cert_form_post(struct req *r);
void web_order_edit_get(struct req *r);
void web_order_edit_post(struct req *r);
void web_order_review(struct req *r);
void web_order_confirm(struct req *r);
void web_order_cancel(struct req *r);
void web_order_page(struct req *r);
void web_orders(struct req *r);
void web_order_pdf(struct req *r);
void web_order_signed_post(struct req *r); /* order_sign.c */
void web_ra_sign_decide(struct req *r);    /* order_sign.c */
void web_company_proforma(struct req *r);
void web_help(struct req *r);
void web_prices(struct req *r);
void web_help_request(struct req *r);
void web_offices(struct req *r);

/* certificates.c */
void web_cert_download(struct req *r);
void web_ra_cert_download(struct req *r);
void web_cert_revoke(struct req *r);
void web_cert_renew(struct req *r);
void web_ra_certificate(struct req *r);
void web_ra_cert_revoke(struct req *r);

/* ra_auth.c */
void web_ra_login_get(struct req *r);
void web_ra_login_post(struct req *r);
void web_ra_enroll_get(struct req *r);
void web_ra_enroll_post(struct req *r);
void web_ra_logout(struct req *r);
void web_ra_operators(struct req *r);
void web_ra_operator_add(struct req *r);
void web_ra_operator_active(struct req *r);
void web_ra_audit(struct req *r);

/* ra_orders.c */
void web_ra_home(struct req *r);
void web_ra_queue(struct req *r);
void web_ra_order(struct req *r);
void web_ra_order_pdf(struct req *r);

/* ra_actions.c */
void web_ra_documents(struct req *r);
void web_ra_verify(struct req *r);
void web_ra_send(struct req *r);
void web_ra_reject(struct req *r);
void web_ra_hand_over(struct req *r);
void web_ra_shipments(struct req *r);
void web_ra_shipment_receive(struct req *r);

/* ra_correct.c */
void web_ra_correct_get(struct req *r);
void web_ra_correct_post(struct req *r);
void web_ra_return(struct req *r);
void web_ra_cancel(struct req *r);

/* ra_payments.c */
void web_ra_payment_add(struct req *r);
void web_ra_payments_import_get(struct req *r);
void web_ra_payments_import_post(struct req *r);
void web_ra_payments_import_report(struct req *r);
void web_ra_payments_unresolved(struct req *r);
void web_ra_payment_resolve(struct req *r);

/* ra_reports.c */
void web_ra_reports(struct req *r);
void web_ra_reports_csv(struct req *r);
void web_ra_reports_chart(struct req *r);

#endif
