/*
 * libFuzzer target for catalog_parse() on any NUL-terminated text.
 * Besides "does not crash", checks what users of the catalogue rely
 * on: an accepted catalogue has offices, one Secretariat, a tariff and
 * a valid seller account, every code is found by its lookup, every text
 * is NUL-terminated UTF-8, and invoices add up; a rejected one is empty
 * and says why.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/catalog.h"
#include "domain/ipsqr.h"
#include "util/escape.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct catalog cat; /* 40 kB */

static void check_text(const char *s, size_t size)
{
	const char *end = memchr(s, '\0', size);

	if (end == NULL || !utf8_valid(s, (size_t)(end - s)))
		abort();
}

static void check_invoice(const struct tariff_item *t, int card_reader)
{
	struct order o;
	struct invoice inv;
	char money[64];

	memset(&o, 0, sizeof(o));
	memcpy(o.validity, t->code, sizeof(o.validity));
	o.card_reader = card_reader;
	if (invoice_compute(&o, &cat, &inv) != 0)
		abort();
	if (inv.nlines != (card_reader ? 2u : 1u) || inv.lines[0].amount_para != t->price_para)
		abort();
	if (inv.vat_para < 0 || inv.vat_para > inv.net_para ||
	    inv.total_para != inv.net_para + inv.vat_para)
		abort();
	money_format(inv.total_para, money, sizeof(money));
	if (money[0] == '\0')
		abort();
}

static void check_accepted(void)
{
	char account[19];
	size_t i, secretariats = 0;
	int l;

	if (cat.noffices == 0 || cat.noffices > CATALOG_MAX_OFFICES || cat.ntariff == 0 ||
	    cat.ntariff > CATALOG_MAX_TARIFF || cat.ndocs > CATALOG_MAX_DOCS)
		abort();
	for (i = 0; i < cat.noffices; i++) {
		const struct office *o = &cat.offices[i];

		if (catalog_office(&cat, o->code) != o)
			abort();
		check_text(o->email, sizeof(o->email));
		for (l = 0; l < LANG__MAX; l++) {
			check_text(o->street[l], sizeof(o->street[l]));
			check_text(o->city[l], sizeof(o->city[l]));
			check_text(o->name[l], sizeof(o->name[l]));
			check_text(o->hours[l], sizeof(o->hours[l]));
		}
		secretariats += o->secretariat != 0;
	}
	if (secretariats != 1)
		abort();
	for (i = 0; i < cat.ntariff; i++) {
		if (catalog_tariff(&cat, cat.tariff[i].code) != &cat.tariff[i])
			abort();
		if (cat.tariff[i].price_para <= 0 || cat.tariff[i].validity_years < 1)
			abort();
		check_invoice(&cat.tariff[i], 0);
		check_invoice(&cat.tariff[i], 1);
	}
	for (i = 0; i < cat.ndocs; i++)
		if (cat.docs[i].types == 0)
			abort();
	if (strlen(cat.seller.account) != 18 || ips_qr_account(cat.seller.account, account) != 0 ||
	    strchr(cat.seller.name, '|') != NULL)
		abort();
	check_text(cat.seller.name, sizeof(cat.seller.name));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), err[256];

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(err, 'x', sizeof(err));
	if (catalog_parse(&cat, text, err, sizeof(err)) == 0) {
		check_accepted();
	} else {
		if (err[0] == '\0' || memchr(err, '\0', sizeof(err)) == NULL)
			abort();
		if (cat.noffices != 0 || cat.ntariff != 0 || cat.ndocs != 0)
			abort();
	}
	free(text);
	return 0;
}
