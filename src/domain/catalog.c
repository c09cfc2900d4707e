/*
 * The chamber's catalogue, read from INI text with libinih.  Layout
 * (data/catalog.ini is the worked example):
 *
 *   [office CODE]    name_sr name_en street postal_code city phone email
 *                    hours_sr hours_en, secretariat = 1 (optional, once)
 *   [tariff CODE]    name_sr name_en years price
 *   [seller]         name street postal_code city pib mb account bank
 *                    payment_code purpose_sr purpose_en ca_name vat_pct
 *                    due_days card_reader_price card_reader_name_sr
 *                    card_reader_name_en
 *   [document ID]    text_sr text_en types
 *   [brand]          chamber_sr chamber_en chamber_of_sr chamber_of_en
 *                    site_sr site_en support_email support_phone
 *                    support_hours_sr support_hours_en ca_terms_url
 *                    ca_cps_url ca_pds_url, demo = 1 (optional: the
 *                    demo catalogue, whose names may say "Demo")
 *
 * Every key is required unless marked optional, and appears once per
 * section.  Amounts (price, card_reader_price) are whole para without
 * VAT; types is "natural", "legal" or both, comma-separated; account is
 * 18 digits or the printed "160-45832471-66" form.  A value too long for
 * one line goes on indented lines after it, joined with one space.
 * libinih strips " ;" comments from values, so texts cannot hold " ;".
 *
 * Each value is checked as it is read, so errors name section and key;
 * only missing keys and rules across sections are checked at the end.
 */
#include "domain/catalog.h"

#include <stdio.h>
#include <string.h>

#include <ini.h>

#include "domain/ident.h"
#include "domain/ipsqr.h"
#include "domain/translit.h"
#include "util/escape.h"

/* libinih reads lines into a fixed buffer of INI_MAX_LINE bytes with
 * room for "\r\n\0"; a longer line would be split silently. */
#define CAT_LINE_MAX (INI_MAX_LINE - 3)
#define CAT_ID_MAX 15                /* office and tariff codes, document ids */
#define CAT_PRICE_MAX 100000000000LL /* 1 billion RSD, in para */

enum cat_kind {
	CAT_TEXT,  /* UTF-8 without control characters */
	CAT_INT,   /* whole number in [min, max], int or long long by size */
	CAT_TYPES, /* "natural", "legal", comma-separated: bits of order types */
};

struct cat_key {
	const char *name;
	enum cat_kind kind;
	size_t off, size; /* of the field in its section's struct */
	long long min, max;
	int optional;
	/* Further rule for a text value; may rewrite it in place (size
	 * bytes).  Returns NULL, or what is wrong. */
	const char *(*check)(char *v, size_t size);
};

#define CAT_FIELD(type, m) offsetof(type, m), sizeof(((type *)0)->m)
#define CAT_LANG(type, m, l)                                                                       \
	offsetof(type, m) + (l) * sizeof(((type *)0)->m[0]), sizeof(((type *)0)->m[0])

static const char *cat_check_postal(char *v, size_t size)
{
	return postal_code_valid(v) ? NULL : "not a 5-digit postal code";
}

static const char *cat_check_email(char *v, size_t size)
{
	return email_valid(v) ? NULL : "not a valid e-mail address";
}

static const char *cat_check_pib(char *v, size_t size)
{
	return pib_valid(v) ? NULL : "not a PIB (9 digits, ISO 7064 MOD 11,10 check digit)";
}

/* A sole trader's number may fail the observed rule (DOMAIN.md), so
 * only an outright invalid one is refused. */
static const char *cat_check_mb(char *v, size_t size)
{
	return mb_check(v) != MB_INVALID ? NULL : "not a matični broj (8 digits, check digit)";
}

/* Stored as the 18 digits the IPS QR code and the invoice print. */
static const char *cat_check_account(char *v, size_t size)
{
	char digits[19];

	if (ips_qr_account(v, digits) != 0 || size < sizeof(digits))
		return "not an 18-digit account with valid mod 97 control digits";
	memcpy(v, digits, sizeof(digits));
	return NULL;
}

static const char *cat_check_payment_code(char *v, size_t size)
{
	if (strlen(v) != 3 || v[strspn(v, "0123456789")] != '\0')
		return "not a 3-digit payment code";
	return NULL;
}

/* Seller texts printed into the IPS QR code, where '|' separates tags. */
static const char *cat_check_qr_text(char *v, size_t size)
{
	return strchr(v, '|') == NULL ? NULL : "contains '|', which the IPS QR code cannot carry";
}

/* An address a page links to: http(s), no spaces or quotes. */
static const char *cat_check_url(char *v, size_t size)
{
	if (strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0)
		return "not an http:// or https:// address";
	return v[strcspn(v, " \"'<>")] == '\0' ? NULL : "contains a space, a quote or < >";
}

static const struct cat_key cat_office_keys[] = {
	{"name_sr", CAT_TEXT, CAT_LANG(struct office, name, LANG_SR), 0, 0, 0, NULL},
	{"name_en", CAT_TEXT, CAT_LANG(struct office, name, LANG_EN), 0, 0, 0, NULL},
	{"street", CAT_TEXT, CAT_LANG(struct office, street, LANG_SR), 0, 0, 0, NULL},
	{"postal_code", CAT_TEXT, CAT_FIELD(struct office, postal_code), 0, 0, 0, cat_check_postal},
	{"city", CAT_TEXT, CAT_LANG(struct office, city, LANG_SR), 0, 0, 0, NULL},
	{"phone", CAT_TEXT, CAT_FIELD(struct office, phone), 0, 0, 0, NULL},
	{"email", CAT_TEXT, CAT_FIELD(struct office, email), 0, 0, 0, cat_check_email},
	{"hours_sr", CAT_TEXT, CAT_LANG(struct office, hours, LANG_SR), 0, 0, 0, NULL},
	{"hours_en", CAT_TEXT, CAT_LANG(struct office, hours, LANG_EN), 0, 0, 0, NULL},
	{"secretariat", CAT_INT, CAT_FIELD(struct office, secretariat), 0, 1, 1, NULL},
};

static const struct cat_key cat_tariff_keys[] = {
	{"name_sr", CAT_TEXT, CAT_LANG(struct tariff_item, name, LANG_SR), 0, 0, 0, NULL},
	{"name_en", CAT_TEXT, CAT_LANG(struct tariff_item, name, LANG_EN), 0, 0, 0, NULL},
	{"years", CAT_INT, CAT_FIELD(struct tariff_item, validity_years), 1, 10, 0, NULL},
	{"price", CAT_INT, CAT_FIELD(struct tariff_item, price_para), 1, CAT_PRICE_MAX, 0, NULL},
};

static const struct cat_key cat_seller_keys[] = {
	{"name", CAT_TEXT, CAT_FIELD(struct seller, name), 0, 0, 0, cat_check_qr_text},
	{"street", CAT_TEXT, CAT_FIELD(struct seller, street), 0, 0, 0, cat_check_qr_text},
	{"postal_code", CAT_TEXT, CAT_FIELD(struct seller, postal_code), 0, 0, 0, cat_check_postal},
	{"city", CAT_TEXT, CAT_FIELD(struct seller, city), 0, 0, 0, cat_check_qr_text},
	{"pib", CAT_TEXT, CAT_FIELD(struct seller, pib), 0, 0, 0, cat_check_pib},
	{"mb", CAT_TEXT, CAT_FIELD(struct seller, mb), 0, 0, 0, cat_check_mb},
	{"account", CAT_TEXT, CAT_FIELD(struct seller, account), 0, 0, 0, cat_check_account},
	{"bank", CAT_TEXT, CAT_FIELD(struct seller, bank), 0, 0, 0, NULL},
	{"payment_code", CAT_TEXT, CAT_FIELD(struct seller, payment_code), 0, 0, 0,
	 cat_check_payment_code},
	{"purpose_sr", CAT_TEXT, CAT_LANG(struct seller, purpose, LANG_SR), 0, 0, 0,
	 cat_check_qr_text},
	{"purpose_en", CAT_TEXT, CAT_LANG(struct seller, purpose, LANG_EN), 0, 0, 0,
	 cat_check_qr_text},
	{"ca_name", CAT_TEXT, CAT_FIELD(struct seller, ca_name), 0, 0, 0, NULL},
	{"vat_pct", CAT_INT, CAT_FIELD(struct seller, vat_pct), 0, 100, 0, NULL},
	{"due_days", CAT_INT, CAT_FIELD(struct seller, due_days), 0, 365, 0, NULL},
	{"card_reader_price", CAT_INT, CAT_FIELD(struct seller, card_reader_para), 0, CAT_PRICE_MAX,
	 0, NULL},
	{"card_reader_name_sr", CAT_TEXT, CAT_LANG(struct seller, card_reader_name, LANG_SR), 0, 0,
	 0, NULL},
	{"card_reader_name_en", CAT_TEXT, CAT_LANG(struct seller, card_reader_name, LANG_EN), 0, 0,
	 0, NULL},
};

static const struct cat_key cat_brand_keys[] = {
	{"demo", CAT_INT, CAT_FIELD(struct brand, demo), 0, 1, 1, NULL},
	{"chamber_sr", CAT_TEXT, CAT_LANG(struct brand, chamber, LANG_SR), 0, 0, 0, NULL},
	{"chamber_en", CAT_TEXT, CAT_LANG(struct brand, chamber, LANG_EN), 0, 0, 0, NULL},
	{"chamber_of_sr", CAT_TEXT, CAT_LANG(struct brand, chamber_of, LANG_SR), 0, 0, 0, NULL},
	{"chamber_of_en", CAT_TEXT, CAT_LANG(struct brand, chamber_of, LANG_EN), 0, 0, 0, NULL},
	{"site_sr", CAT_TEXT, CAT_LANG(struct brand, site, LANG_SR), 0, 0, 0, NULL},
	{"site_en", CAT_TEXT, CAT_LANG(struct brand, site, LANG_EN), 0, 0, 0, NULL},
	{"support_email", CAT_TEXT, CAT_FIELD(struct brand, support_email), 0, 0, 0,
	 cat_check_email},
	{"support_phone", CAT_TEXT, CAT_FIELD(struct brand, support_phone), 0, 0, 0, NULL},
	{"support_hours_sr", CAT_TEXT, CAT_LANG(struct brand, support_hours, LANG_SR), 0, 0, 0,
	 NULL},
	{"support_hours_en", CAT_TEXT, CAT_LANG(struct brand, support_hours, LANG_EN), 0, 0, 0,
	 NULL},
	{"ca_terms_url", CAT_TEXT, CAT_FIELD(struct brand, ca_terms_url), 0, 0, 0, cat_check_url},
	{"ca_cps_url", CAT_TEXT, CAT_FIELD(struct brand, ca_cps_url), 0, 0, 0, cat_check_url},
	{"ca_pds_url", CAT_TEXT, CAT_FIELD(struct brand, ca_pds_url), 0, 0, 0, cat_check_url},
};

static const struct cat_key cat_doc_keys[] = {
	{"text_sr", CAT_TEXT, CAT_LANG(struct supporting_doc, text, LANG_SR), 0, 0, 0, NULL},
	{"text_en", CAT_TEXT, CAT_LANG(struct supporting_doc, text, LANG_EN), 0, 0, 0, NULL},
	{"types", CAT_TYPES, CAT_FIELD(struct supporting_doc, types), 0, 0, 0, NULL},
};

enum cat_sec { CAT_OFFICE, CAT_TARIFF, CAT_SELLER, CAT_DOCUMENT, CAT_BRAND, CAT_SEC__MAX };

#define CAT_KEYS(a) a, sizeof(a) / sizeof(a[0])

static const struct cat_section {
	const char *name;
	int has_id; /* [office BG] rather than [seller] */
	const struct cat_key *keys;
	size_t nkeys;
} cat_sections[CAT_SEC__MAX] = {
	[CAT_OFFICE] = {"office", 1, CAT_KEYS(cat_office_keys)},
	[CAT_TARIFF] = {"tariff", 1, CAT_KEYS(cat_tariff_keys)},
	[CAT_SELLER] = {"seller", 0, CAT_KEYS(cat_seller_keys)},
	[CAT_DOCUMENT] = {"document", 1, CAT_KEYS(cat_doc_keys)},
	[CAT_BRAND] = {"brand", 0, CAT_KEYS(cat_brand_keys)},
};

/* The parse in progress.  seen[] holds one bit per key of cat_*_keys
 * for every section read so far, to find duplicates and missing keys. */
struct cat_ctx {
	struct catalog *c;
	char *err;
	size_t errlen;
	int failed;

	char section[INI_MAX_LINE]; /* the open section as libinih named it */
	const struct cat_section *sec;
	char *base;          /* its struct office, tariff_item, ... */
	unsigned long *seen; /* its bits in one of the arrays below */
	const struct cat_key *last;

	unsigned long office_seen[CATALOG_MAX_OFFICES];
	unsigned long tariff_seen[CATALOG_MAX_TARIFF];
	unsigned long doc_seen[CATALOG_MAX_DOCS];
	unsigned long seller_seen, brand_seen;
	int have_seller, have_brand;
	char doc_id[CATALOG_MAX_DOCS][CAT_ID_MAX + 1];
};

static int cat_id_valid(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= CAT_ID_MAX &&
	       s[strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")] ==
		       '\0';
}

/*
 * Makes section the open one, creating its entry in the catalogue.
 * Returns 0, or -1 with the problem in why.
 */
static int cat_open(struct cat_ctx *x, const char *section, char *why, size_t whylen)
{
	const char *sp = strchr(section, ' ');
	const char *id = sp != NULL ? sp + 1 : "";
	size_t kindlen = sp != NULL ? (size_t)(sp - section) : strlen(section);
	struct catalog *c = x->c;
	const struct cat_section *sec = NULL;
	size_t s, i;

	for (s = 0; s < CAT_SEC__MAX; s++)
		if (strlen(cat_sections[s].name) == kindlen &&
		    memcmp(cat_sections[s].name, section, kindlen) == 0)
			sec = &cat_sections[s];
	if (sec == NULL) {
		snprintf(why, whylen,
			 "unknown section (expected office, tariff, seller, document or brand)");
		return -1;
	}
	if (sec->has_id && !cat_id_valid(id)) {
		snprintf(why, whylen, "expected [%s CODE], CODE 1-%d of A-Z a-z 0-9 - _", sec->name,
			 CAT_ID_MAX);
		return -1;
	}
	if (!sec->has_id && sp != NULL) {
		snprintf(why, whylen, "expected [%s]", sec->name);
		return -1;
	}
	switch ((enum cat_sec)(sec - cat_sections)) {
	case CAT_OFFICE:
		if (catalog_office(c, id) != NULL)
			goto dup;
		if (c->noffices == CATALOG_MAX_OFFICES)
			goto full;
		snprintf(c->offices[c->noffices].code, sizeof(c->offices[0].code), "%s", id);
		x->base = (char *)&c->offices[c->noffices];
		x->seen = &x->office_seen[c->noffices++];
		break;
	case CAT_TARIFF:
		if (catalog_tariff(c, id) != NULL)
			goto dup;
		if (c->ntariff == CATALOG_MAX_TARIFF)
			goto full;
		snprintf(c->tariff[c->ntariff].code, sizeof(c->tariff[0].code), "%s", id);
		x->base = (char *)&c->tariff[c->ntariff];
		x->seen = &x->tariff_seen[c->ntariff++];
		break;
	case CAT_SELLER:
		if (x->have_seller)
			goto dup;
		x->have_seller = 1;
		x->base = (char *)&c->seller;
		x->seen = &x->seller_seen;
		break;
	case CAT_BRAND:
		if (x->have_brand)
			goto dup;
		x->have_brand = 1;
		x->base = (char *)&c->brand;
		x->seen = &x->brand_seen;
		break;
	case CAT_DOCUMENT:
		for (i = 0; i < c->ndocs; i++)
			if (strcmp(x->doc_id[i], id) == 0)
				goto dup;
		if (c->ndocs == CATALOG_MAX_DOCS)
			goto full;
		snprintf(x->doc_id[c->ndocs], sizeof(x->doc_id[0]), "%s", id);
		x->base = (char *)&c->docs[c->ndocs];
		x->seen = &x->doc_seen[c->ndocs++];
		break;
	case CAT_SEC__MAX:
		break;
	}
	x->sec = sec;
	snprintf(x->section, sizeof(x->section), "%s", section);
	x->last = NULL;
	return 0;
dup:
	snprintf(why, whylen, "section appears twice");
	return -1;
full:
	snprintf(why, whylen, "too many %s sections", sec->name);
	return -1;
}

/* Whole number of at most 12 digits, no sign, no spaces.  0 or -1. */
static int cat_number(const char *v, long long *out)
{
	long long n = 0;
	size_t i;

	for (i = 0; v[i] != '\0'; i++) {
		if (v[i] < '0' || v[i] > '9' || i == 12)
			return -1;
		n = n * 10 + (v[i] - '0');
	}
	if (i == 0)
		return -1;
	*out = n;
	return 0;
}

/* "natural", "legal" or both, comma-separated, spaces allowed around
 * the commas.  Returns the bits (1 << type), or 0 when malformed. */
static unsigned cat_types(const char *v)
{
	char word[16];
	enum order_type t;
	unsigned bits = 0;
	size_t n;

	for (;;) {
		v += strspn(v, " ");
		n = strcspn(v, ", ");
		if (n == 0 || n >= sizeof(word))
			return 0;
		memcpy(word, v, n);
		word[n] = '\0';
		if (order_type_parse(word, &t) != 0)
			return 0;
		bits |= 1u << t;
		v += n;
		v += strspn(v, " ");
		if (*v == '\0')
			return bits;
		if (*v++ != ',')
			return 0;
	}
}

/* Well-formed UTF-8 without control characters (the values end up in
 * HTML, PDF, mail and the IPS QR code). */
static int cat_text_valid(const char *v)
{
	const unsigned char *p;

	for (p = (const unsigned char *)v; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return utf8_valid(v, strlen(v));
}

/*
 * Stores value under key k of the open section; append joins a
 * continuation line to the text already there.  Returns 0, or -1 with
 * the problem in why.
 */
static int cat_store(struct cat_ctx *x, const struct cat_key *k, const char *value, int append,
		     char *why, size_t whylen)
{
	char *field = x->base + k->off;
	const char *problem;
	size_t have = append ? strlen(field) : 0, len = strlen(value);
	long long n;

	if (len == 0) {
		snprintf(why, whylen, "empty value");
		return -1;
	}
	switch (k->kind) {
	case CAT_TEXT:
		if (!cat_text_valid(value)) {
			snprintf(why, whylen, "not UTF-8 text without control characters");
			return -1;
		}
		if (have + (append ? 1 : 0) + len >= k->size) {
			snprintf(why, whylen, "too long (at most %zu bytes)", k->size - 1);
			return -1;
		}
		if (append)
			field[have++] = ' ';
		memcpy(field + have, value, len + 1);
		if (k->check != NULL && (problem = k->check(field, k->size)) != NULL) {
			snprintf(why, whylen, "%s", problem);
			return -1;
		}
		return 0;
	case CAT_INT:
		if (cat_number(value, &n) != 0 || n < k->min || n > k->max) {
			snprintf(why, whylen, "not a whole number from %lld to %lld", k->min,
				 k->max);
			return -1;
		}
		if (k->size == sizeof(int))
			*(int *)(void *)field = (int)n;
		else
			*(long long *)(void *)field = n;
		return 0;
	case CAT_TYPES:
		if ((*(unsigned *)(void *)field = cat_types(value)) == 0) {
			snprintf(why, whylen, "expected natural, legal or natural, legal");
			return -1;
		}
		return 0;
	}
	return -1;
}

static int cat_on_pair(void *user, const char *section, const char *name, const char *value)
{
	struct cat_ctx *x = user;
	const struct cat_key *k = NULL;
	unsigned long bit;
	char why[160];
	size_t i;

	if (x->failed)
		return 0;
	if (section[0] == '\0') {
		snprintf(x->err, x->errlen, "%s: key before the first [section]", name);
		goto fail;
	}
	if (x->sec == NULL || strcmp(section, x->section) != 0) {
		if (cat_open(x, section, why, sizeof(why)) != 0) {
			snprintf(x->err, x->errlen, "%s: %s", section, why);
			goto fail;
		}
	}
	for (i = 0; i < x->sec->nkeys; i++)
		if (strcmp(x->sec->keys[i].name, name) == 0)
			k = &x->sec->keys[i];
	if (k == NULL) {
		snprintf(x->err, x->errlen, "%s: %s: unknown key", section, name);
		goto fail;
	}
	bit = 1UL << (size_t)(k - x->sec->keys);
	/* libinih reports an indented continuation line as the same key
	 * again; anything else seen twice is a mistake. */
	if ((*x->seen & bit) != 0 && (k != x->last || k->kind != CAT_TEXT)) {
		snprintf(x->err, x->errlen, "%s: %s: given twice", section, name);
		goto fail;
	}
	if (cat_store(x, k, value, (*x->seen & bit) != 0, why, sizeof(why)) != 0) {
		snprintf(x->err, x->errlen, "%s: %s: %s", section, name, why);
		goto fail;
	}
	*x->seen |= bit;
	x->last = k;
	return 1;
fail:
	x->failed = 1;
	return 0;
}

/* The first required key of sec missing from seen, or NULL. */
static const char *cat_missing(const struct cat_section *sec, unsigned long seen)
{
	size_t i;

	for (i = 0; i < sec->nkeys; i++)
		if (!sec->keys[i].optional && (seen & (1UL << i)) == 0)
			return sec->keys[i].name;
	return NULL;
}

/* Rules that need the whole text: required keys, at least one office
 * and tariff item, exactly one Secretariat, the seller.  0 or -1. */
static int cat_finish(struct cat_ctx *x)
{
	const struct catalog *c = x->c;
	const char *key;
	size_t i, secretariats = 0;

	for (i = 0; i < c->noffices; i++) {
		if ((key = cat_missing(&cat_sections[CAT_OFFICE], x->office_seen[i])) != NULL) {
			snprintf(x->err, x->errlen, "office %s: %s: missing", c->offices[i].code,
				 key);
			return -1;
		}
		secretariats += c->offices[i].secretariat != 0;
	}
	for (i = 0; i < c->ntariff; i++)
		if ((key = cat_missing(&cat_sections[CAT_TARIFF], x->tariff_seen[i])) != NULL) {
			snprintf(x->err, x->errlen, "tariff %s: %s: missing", c->tariff[i].code,
				 key);
			return -1;
		}
	for (i = 0; i < c->ndocs; i++)
		if ((key = cat_missing(&cat_sections[CAT_DOCUMENT], x->doc_seen[i])) != NULL) {
			snprintf(x->err, x->errlen, "document %s: %s: missing", x->doc_id[i], key);
			return -1;
		}
	if (c->noffices == 0) {
		snprintf(x->err, x->errlen, "office: no [office CODE] section");
		return -1;
	}
	if (secretariats != 1) {
		snprintf(x->err, x->errlen,
			 "office: secretariat: exactly one office must be the Secretariat (found "
			 "%zu)",
			 secretariats);
		return -1;
	}
	if (c->ntariff == 0) {
		snprintf(x->err, x->errlen, "tariff: no [tariff CODE] section");
		return -1;
	}
	if (!x->have_seller) {
		snprintf(x->err, x->errlen, "seller: no [seller] section");
		return -1;
	}
	if ((key = cat_missing(&cat_sections[CAT_SELLER], x->seller_seen)) != NULL) {
		snprintf(x->err, x->errlen, "seller: %s: missing", key);
		return -1;
	}
	if (!x->have_brand) {
		snprintf(x->err, x->errlen, "brand: no [brand] section");
		return -1;
	}
	if ((key = cat_missing(&cat_sections[CAT_BRAND], x->brand_seen)) != NULL) {
		snprintf(x->err, x->errlen, "brand: %s: missing", key);
		return -1;
	}
	return 0;
}

/* The Serbian text src in Cyrillic into dst (size bytes).  0, or -1
 * with err naming what (in section sec) does not fit. */
static int cat_cyrl(char *dst, size_t size, const char *src, const char *sec, const char *what,
		    char *err, size_t errlen)
{
	if (translit_cyrl(dst, size, src, strlen(src)) < size)
		return 0;
	snprintf(err, errlen, "%s: %s: too long once written in Cyrillic (at most %zu bytes)", sec,
		 what, size - 1);
	return -1;
}

/* The Cyrillic texts (LANG_SR_CYRL) from the Serbian Latin ones, once
 * at load, the offices' addresses included (a street's and a city's
 * name are written in the page's script; the file has them once, in
 * Latin, which English pages show).  The payment purpose stays Latin:
 * the IPS QR code carries it and it must read the same in every
 * language.  0 or -1 with err. */
static int cat_cyrillic(struct catalog *c, char *err, size_t errlen)
{
	struct seller *s = &c->seller;
	size_t i;

#define CYRL(f, sec, what)                                                                         \
	cat_cyrl((f)[LANG_SR_CYRL], sizeof((f)[LANG_SR_CYRL]), (f)[LANG_SR], sec, what, err, errlen)
	for (i = 0; i < c->noffices; i++) {
		struct office *f = &c->offices[i];

		memcpy(f->street[LANG_EN], f->street[LANG_SR], sizeof(f->street[LANG_EN]));
		memcpy(f->city[LANG_EN], f->city[LANG_SR], sizeof(f->city[LANG_EN]));
		if (CYRL(f->name, f->code, "name_sr") != 0 ||
		    CYRL(f->hours, f->code, "hours_sr") != 0 ||
		    CYRL(f->street, f->code, "street") != 0 || CYRL(f->city, f->code, "city") != 0)
			return -1;
	}
	for (i = 0; i < c->ntariff; i++)
		if (CYRL(c->tariff[i].name, c->tariff[i].code, "name_sr") != 0)
			return -1;
	for (i = 0; i < c->ndocs; i++)
		if (CYRL(c->docs[i].text, "document", "text_sr") != 0)
			return -1;
	if (CYRL(s->card_reader_name, "seller", "card_reader_name_sr") != 0 ||
	    CYRL(c->brand.chamber, "brand", "chamber_sr") != 0 ||
	    CYRL(c->brand.chamber_of, "brand", "chamber_of_sr") != 0 ||
	    CYRL(c->brand.site, "brand", "site_sr") != 0 ||
	    CYRL(c->brand.support_hours, "brand", "support_hours_sr") != 0)
		return -1;
#undef CYRL
	memcpy(s->purpose[LANG_SR_CYRL], s->purpose[LANG_SR], sizeof(s->purpose[LANG_SR]));
	return 0;
}

/* libinih would split a line longer than its buffer and read the tail
 * as a line of its own: refuse such text instead.  0, or -1 with err. */
static int cat_lines_fit(const char *text, char *err, size_t errlen)
{
	size_t line = 1, n;

	for (;;) {
		n = strcspn(text, "\n");
		if (n > CAT_LINE_MAX) {
			snprintf(err, errlen,
				 "line %zu: longer than %d bytes (continue the value on an "
				 "indented line)",
				 line, CAT_LINE_MAX);
			return -1;
		}
		if (text[n] == '\0')
			return 0;
		text += n + 1;
		line++;
	}
}

/*
 * Parses text into c (overwritten).  Returns 0, or -1 with the first
 * problem in err and c cleared.
 */
int catalog_parse(struct catalog *c, const char *text, char *err, size_t errlen)
{
	struct cat_ctx x;
	char scratch[8];
	int rc;

	if (err == NULL || errlen == 0) {
		err = scratch;
		errlen = sizeof(scratch);
	}
	err[0] = '\0';
	memset(c, 0, sizeof(*c));
	if (text == NULL) {
		snprintf(err, errlen, "catalogue: no text");
		return -1;
	}
	if (cat_lines_fit(text, err, errlen) != 0)
		goto fail;
	memset(&x, 0, sizeof(x));
	x.c = c;
	x.err = err;
	x.errlen = errlen;
	rc = ini_parse_string(text, cat_on_pair, &x);
	if (x.failed)
		goto fail;
	if (rc != 0) {
		snprintf(err, errlen, "line %d: syntax error (expected [section] or key = value)",
			 rc);
		goto fail;
	}
	if (cat_finish(&x) != 0 || cat_cyrillic(c, err, errlen) != 0)
		goto fail;
	return 0;
fail:
	memset(c, 0, sizeof(*c));
	return -1;
}

const struct office *catalog_office(const struct catalog *c, const char *code)
{
	size_t i;

	if (c == NULL || code == NULL)
		return NULL;
	for (i = 0; i < c->noffices; i++)
		if (strcmp(c->offices[i].code, code) == 0)
			return &c->offices[i];
	return NULL;
}

const struct tariff_item *catalog_tariff(const struct catalog *c, const char *code)
{
	size_t i;

	if (c == NULL || code == NULL)
		return NULL;
	for (i = 0; i < c->ntariff; i++)
		if (strcmp(c->tariff[i].code, code) == 0)
			return &c->tariff[i];
	return NULL;
}

/* ---- Invoice arithmetic ---------------------------------------------- */

static void invoice_add(struct invoice *inv, const char *const *name, long long unit)
{
	struct invoice_line *l = &inv->lines[inv->nlines++];
	int i;

	for (i = 0; i < LANG__MAX; i++)
		l->name[i] = name[i];
	l->quantity = 1;
	l->unit_para = unit;
	l->amount_para = unit;
	inv->net_para += unit;
}

/*
 * One line for the certificate at its tariff price, one for a card
 * reader when ordered.  VAT is charged on the net total and rounded to
 * the para half up: (net * pct + 50) / 100 in integers.  Line names are
 * borrowed from c.  Returns 0, or -1 (inv cleared) when o's validity is
 * not in the tariff or a price is out of range.
 */
int invoice_compute(const struct order *o, const struct catalog *c, struct invoice *inv)
{
	const char *names[LANG__MAX];
	const struct tariff_item *t;
	long long price, reader;
	int i, vat;

	memset(inv, 0, sizeof(*inv));
	if (o == NULL || c == NULL)
		return -1;
	t = catalog_tariff(c, o->validity);
	if (o->prices_fixed) {
		/* As confirmed; a tariff item withdrawn since keeps its code
		 * as the line's name. */
		price = o->price_para;
		reader = o->reader_para;
		vat = o->vat_pct;
	} else if (t != NULL) {
		price = t->price_para;
		reader = c->seller.card_reader_para;
		vat = c->seller.vat_pct;
	} else
		return -1;
	if (price < 0 || price > CAT_PRICE_MAX || reader < 0 || reader > CAT_PRICE_MAX || vat < 0 ||
	    vat > 100)
		return -1;
	for (i = 0; i < LANG__MAX; i++)
		names[i] = t != NULL ? t->name[i] : o->validity;
	invoice_add(inv, names, price);
	if (o->card_reader) {
		for (i = 0; i < LANG__MAX; i++)
			names[i] = c->seller.card_reader_name[i];
		invoice_add(inv, names, reader);
	}
	inv->vat_pct = vat;
	inv->vat_para = invoice_vat(inv->net_para, inv->vat_pct);
	inv->total_para = inv->net_para + inv->vat_para;
	return 0;
}

long long invoice_vat(long long net_para, int vat_pct)
{
	return (net_para * vat_pct + 50) / 100;
}

/* Thousands grouped with '.', two decimals after ','; a minus sign for
 * negative amounts.  Truncated (still NUL-terminated) to outlen. */
void money_format(long long para, char *out, size_t outlen)
{
	char units[24], buf[48], *p = buf;
	unsigned long long v;
	int n, i;

	if (out == NULL || outlen == 0)
		return;
	v = para < 0 ? 0ULL - (unsigned long long)para : (unsigned long long)para;
	n = snprintf(units, sizeof(units), "%llu", v / 100);
	if (para < 0)
		*p++ = '-';
	for (i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			*p++ = '.';
		*p++ = units[i];
	}
	snprintf(p, sizeof(buf) - (size_t)(p - buf), ",%02u", (unsigned)(v % 100));
	snprintf(out, outlen, "%s", buf);
}
