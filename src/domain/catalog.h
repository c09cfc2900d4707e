/*
 * The chamber's reference data: offices (the Secretariat and regional
 * offices), the tariff (certificate validity options and prices), the
 * seller's data for invoices, and the supporting documents to bring.
 * Loaded from an INI text (data/catalog.ini is the built-in default;
 * the catalog_file setting replaces it), never from code.
 * Amounts are integer para (1 RSD = 100 para).
 */
#ifndef QCRA_CATALOG_H
#define QCRA_CATALOG_H

#include <stddef.h>

#include "domain/lang.h"
#include "domain/order.h"

#define CATALOG_MAX_OFFICES 32
#define CATALOG_MAX_TARIFF 8
#define CATALOG_MAX_DOCS 16

struct office {
	char code[16];
	char name[LANG__MAX][128];
	char street[LANG__MAX][128]; /* one value in the file: Latin, and Cyrillic for sr-Cyrl */
	char postal_code[8];
	char city[LANG__MAX][64]; /* likewise */
	char phone[64];
	char email[128];
	char hours[LANG__MAX][160];
	int secretariat; /* 1 for the Secretariat (Belgrade) */
};

struct tariff_item {
	char code[16];
	char name[LANG__MAX][160]; /* e.g. "Kvalifikovani sertifikat, 3 godine" */
	int validity_years;
	long long price_para; /* without VAT */
};

struct seller {
	char name[160];
	char street[128];
	char postal_code[8];
	char city[64];
	char pib[12];
	char mb[12];
	char account[24]; /* 18 digits, e.g. "160000000012345678" */
	char bank[96];
	char payment_code[4]; /* IPS "SF", e.g. "221" */
	char purpose[LANG__MAX][36];
	char ca_name[160];          /* the certification authority */
	int vat_pct;                /* 20 */
	int due_days;               /* proforma due date = confirmation + due_days */
	long long card_reader_para; /* card reader price without VAT */
	char card_reader_name[LANG__MAX][96];
};

/* Who the portal speaks for and where the CA's documents are: every
 * name, contact and link the pages, mails and PDFs show. */
struct brand {
	int demo;                        /* 1: the built-in demo catalogue */
	char chamber[LANG__MAX][128];    /* "Inženjerska komora Srbije" */
	char chamber_of[LANG__MAX][128]; /* "(članovi) Inženjerske komore Srbije" */
	char site[LANG__MAX][128];       /* "Kvalifikovani sertifikati" */
	char support_email[128];
	char support_phone[64];
	char support_hours[LANG__MAX][160];
	char ca_terms_url[256]; /* the CA's terms and conditions */
	char ca_cps_url[256];   /* Certificate Policy / Practice Statement */
	char ca_pds_url[256];   /* PKI Disclosure Statement */
};

struct supporting_doc {
	char text[LANG__MAX][256];
	unsigned types; /* bit (1 << ORDER_NATURAL) | (1 << ORDER_LEGAL) */
};

struct catalog {
	struct office offices[CATALOG_MAX_OFFICES];
	size_t noffices;
	struct tariff_item tariff[CATALOG_MAX_TARIFF];
	size_t ntariff;
	struct seller seller;
	struct brand brand;
	struct supporting_doc docs[CATALOG_MAX_DOCS];
	size_t ndocs;
};

/* Parses the INI text into c.  Returns 0, or -1 with "section: key:
 * problem" in err (unknown keys, bad numbers, too long values, no
 * office, no tariff item, bad seller account). */
int catalog_parse(struct catalog *c, const char *text, char *err, size_t errlen);
const struct office *catalog_office(const struct catalog *c, const char *code);
const struct tariff_item *catalog_tariff(const struct catalog *c, const char *code);

/* ---- Invoice arithmetic (integer para, no floating point) ------------- */

#define INVOICE_MAX_LINES 4

struct invoice_line {
	const char *name[LANG__MAX]; /* borrowed from the catalog */
	long long quantity;
	long long unit_para;   /* without VAT */
	long long amount_para; /* quantity * unit */
};

struct invoice {
	struct invoice_line lines[INVOICE_MAX_LINES];
	size_t nlines;
	long long net_para;
	int vat_pct;
	long long vat_para;   /* net * pct / 100, rounded half up */
	long long total_para; /* net + vat */
};

/* The proforma's lines for order o: at the prices fixed when it was
 * confirmed (o->prices_fixed), else at the tariff's.  Returns 0, or -1
 * when the prices are not fixed and o's validity is not in the tariff. */
int invoice_compute(const struct order *o, const struct catalog *c, struct invoice *inv);

/* The VAT on net at pct percent, rounded to the para half up, as on
 * the proforma invoice. */
long long invoice_vat(long long net_para, int vat_pct);

/* Formats para as "1.234,50" (Serbian thousands dots, decimal comma). */
void money_format(long long para, char *out, size_t outlen);

#endif
