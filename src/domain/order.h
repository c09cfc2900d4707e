/*
 * A certificate order (the request for a qualified certificate) as the
 * member filled it in.  Plain data: validation rules are in
 * order_validate() (order.c), storage in store.h, documents in docs/.
 * Field sizes include the terminating NUL; the maxima users may type
 * are ORDER_MAX_* below and are enforced before anything is stored.
 */
#ifndef QCRA_ORDER_H
#define QCRA_ORDER_H

#include <stddef.h>
#include <time.h>

#include "domain/workflow.h"
#include "util/escape.h"

enum order_type { ORDER_NATURAL = 1, ORDER_LEGAL = 2 };

/* Room for the longest workflow state name, with its NUL. */
#define ORDER_STATE_MAX 32

struct order {
	long long id;
	long long account_id;
	enum order_type type;
	enum wf_state state; /* workflow.h; stored by its name */

	/* The certificate holder (both types): the member register's name,
	 * or, with name_differs, the name on the identity document, which
	 * the office confirms against that document (name_confirmed_*). */
	char first_name[UTF8_BUF(64)]; /* domain/subject.h */
	char last_name[UTF8_BUF(64)];
	char jmbg[14];
	char id_type[12]; /* "id_card" or "passport" */
	char id_number[24];
	char id_issuer[UTF8_BUF(95)]; /* limits in characters: web/order_form.c */
	char street[UTF8_BUF(95)];
	char postal_code[6];
	char city[UTF8_BUF(63)];
	char email[128];
	char phone[20]; /* normalised +3816... */
	char license_number[32];
	char office[16];   /* pickup office code */
	char validity[16]; /* tariff code */
	int card_reader;   /* 1: a card reader is ordered too */

	/* Legal entity only: the company, which pays. */
	char position[UTF8_BUF(95)];
	char company_name[UTF8_BUF(255)];     /* full registered name */
	char company_cert_name[UTF8_BUF(64)]; /* organizationName in the certificate */
	char company_mb[9];
	char company_pib[10];
	char company_street[UTF8_BUF(95)];
	char company_postal_code[6];
	char company_city[UTF8_BUF(63)];
	char company_email[128];

	int name_differs;         /* 1: the holder's name is not the register's */
	time_t name_confirmed_at; /* the office checked it against the ID; 0 until then */
	char name_confirmed_by[64];

	/* Why the order was returned for correction (the CA refused it, or
	 * could not be reached): a reason code (see order_return_code) and,
	 * for staff, the CA's own words. */
	char returned_code[48];
	char returned_text[512];

	char payment_ref[40]; /* "97" + CC + N, assigned when created */
	long long total_para; /* amount due incl. VAT, fixed at confirmation */
	/* The prices (without VAT) and VAT rate fixed at confirmation, so
	 * that the documents keep them when the tariff changes.  While
	 * prices_fixed is 0 (a draft; or confirmed before prices were
	 * kept) the tariff applies. */
	int prices_fixed;
	long long price_para;  /* the certificate */
	long long reader_para; /* the card reader, 0 when none */
	int vat_pct;
	time_t created_at;
	time_t updated_at;
	time_t confirmed_at; /* 0 while a draft */
};

/* One line of a member's order list: what the list shows, nothing else
 * (a fraction of struct order to read and copy per row). */
struct order_summary {
	long long id;
	enum order_type type;
	enum wf_state state;
	char first_name[257];
	char last_name[UTF8_BUF(64)];
	char company_name[1021];
	time_t created_at;
	char office[16]; /* pickup office code */
};

const char *order_type_name(enum order_type t);            /* "natural" / "legal" */
int order_type_parse(const char *s, enum order_type *out); /* 0 or -1 */

/* The model 97 payment reference of order id: N is the id as 8+ digits
 * (zero-padded), so references are unique per order. */
int order_payment_ref(long long id, char *out, size_t outlen);

#endif
