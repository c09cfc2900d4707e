/*
 * Ordering a qualified certificate: instructions, the request form for
 * a natural person or a legal entity, the review of a draft, its
 * confirmation, the member's order list and order page, cancellation,
 * and the three printable documents.
 *
 * Access (ASVS 8.2): every order is fetched with the member's account
 * id; someone else's order, or an id that does not exist, is 404 alike.
 * State changes go through workflow_next() and a compare-and-set in the
 * store, so a replayed or doubled POST changes nothing twice.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "docs/docs.h"
#include "domain/catalog.h"
#include "domain/ident.h"
#include "domain/subject.h"
#include "domain/workflow.h"
#include "util/log.h"
#include "app/order.h"
#include "web/app.h"

/* ---- Validators ------------------------------------------------------- */

static const char *check_jmbg(const char *v)
{
	switch (jmbg_check(v)) {
	case JMBG_OK:
		return NULL;
	case JMBG_DATE:
		return "field.jmbg_date";
	case JMBG_CHECK:
		return "field.jmbg_check";
	default:
		return "field.jmbg_format";
	}
}

static const char *check_id_type(const char *v)
{
	return strcmp(v, "id_card") == 0 || strcmp(v, "passport") == 0 ? NULL
								       : "field.choose_option";
}

static const char *check_doc_number(const char *v)
{
	for (; *v; v++)
		if (!isalnum((unsigned char)*v) && *v != '-' && *v != ' ')
			return "field.doc_number_invalid";
	return NULL;
}

static const char *check_postal(const char *v)
{
	return postal_code_valid(v) ? NULL : "field.postal_invalid";
}

static const char *check_email(const char *v)
{
	return email_valid(v) ? NULL : "field.email_invalid";
}

static const char *check_phone(const char *v)
{
	char out[24];

	return phone_rs_normalize(v, out, sizeof(out)) ? NULL : "field.phone_invalid";
}

static const char *check_pib(const char *v)
{
	if (strlen(v) != 9 || strspn(v, "0123456789") != 9)
		return "field.pib_format";
	return pib_valid(v) ? NULL : "field.pib_check";
}

static const char *check_mb(const char *v)
{
	if (strlen(v) != 8 || strspn(v, "0123456789") != 8)
		return "field.mb_format";
	return mb_check(v) == MB_INVALID ? "field.mb_check" : NULL;
}

static const char *check_flag(const char *v)
{
	return strcmp(v, "1") == 0 ? NULL : "field.choose_option";
}

/* ---- Select options from the catalogue ------------------------------------- */

static void opt(struct tctx *item, const char *value, const char *label, const char *current)
{
	struct tctx *o = tctx_add(item, "options");

	tctx_set(o, "value", value);
	tctx_set(o, "label", label);
	if (strcmp(value, current) == 0)
		tctx_set_bool(o, "selected", 1);
}

static void id_type_options(struct req *r, struct tctx *item, const char *v)
{
	opt(item, "id_card", msg(r, "order.id_card"), v);
	opt(item, "passport", msg(r, "order.passport"), v);
}

static void office_options(struct req *r, struct tctx *item, const char *v)
{
	const struct catalog *c = app_of(r)->catalog;
	size_t i;

	for (i = 0; i < c->noffices; i++)
		opt(item, c->offices[i].code, c->offices[i].name[r->lang], v);
}

static void validity_options(struct req *r, struct tctx *item, const char *v)
{
	const struct catalog *c = app_of(r)->catalog;
	char price[32], label[256];
	size_t i;

	for (i = 0; i < c->ntariff; i++) {
		money_format(c->tariff[i].price_para, price, sizeof(price));
		snprintf(label, sizeof(label), "%s (%s RSD %s)", c->tariff[i].name[r->lang], price,
			 msg(r, "order.without_vat"));
		opt(item, c->tariff[i].code, label, v);
	}
}

/* The choices the catalogue offers: checked against the application's
 * catalogue after the fields are read (a validator gets only the value,
 * and a shared "current catalogue" would be a data race between the
 * request threads). */
static void check_choices(struct req *r, struct fstate *st)
{
	const struct catalog *c = app_of(r)->catalog;
	const char *office = fields_value(st, "office"), *validity = fields_value(st, "validity");

	if (*office && !fields_error_of(st, "office") && catalog_office(c, office) == NULL)
		fields_error(st, "office", "field.choose_option");
	if (*validity && !fields_error_of(st, "validity") && catalog_tariff(c, validity) == NULL)
		fields_error(st, "validity", "field.choose_option");
}

/* ---- The request form ------------------------------------------------------ */

#define REQ F_REQUIRED

struct order_field {
	struct field f;
	size_t off, size; /* where the value goes in struct order, 0: not stored */
	unsigned types;   /* 1 << ORDER_NATURAL | 1 << ORDER_LEGAL */
};

#define BOTH ((1u << ORDER_NATURAL) | (1u << ORDER_LEGAL))
#define LEGAL (1u << ORDER_LEGAL)
#define AT(name) offsetof(struct order, name), sizeof(((struct order *)0)->name)

static const struct order_field order_fields[] = {
	/* The holder is the member: name, JMBG and license number come from
	 * the member register (read_order_form); the name only with
	 * name_differs, as on the identity document. */
	{{"name_differs", "field.name_differs", "checkbox", "off", 1, 0, check_flag,
	  "hint.name_differs", NULL},
	 0,
	 0,
	 BOTH},
	{{"first_name", "field.first_name", "text", "given-name", 256, 0, NULL,
	  "hint.name_register", NULL},
	 AT(first_name),
	 BOTH},
	{{"last_name", "field.last_name", "text", "family-name", 256, 0, NULL, NULL, NULL},
	 AT(last_name),
	 BOTH},
	{{"jmbg", "field.jmbg", "text", "off", 13, F_READONLY, check_jmbg, "hint.from_register",
	  NULL},
	 AT(jmbg),
	 BOTH},
	{{"id_type", "field.id_type", "select", "off", 11, REQ, check_id_type, NULL,
	  id_type_options},
	 AT(id_type),
	 BOTH},
	{{"id_number", "field.id_number", "text", "off", 20, REQ, check_doc_number,
	  "hint.id_number", NULL},
	 AT(id_number),
	 BOTH},
	{{"id_issuer", "field.id_issuer", "text", "off", 95, REQ, NULL, "hint.id_issuer", NULL},
	 AT(id_issuer),
	 BOTH},
	{{"street", "field.street", "text", "street-address", 95, REQ, NULL, NULL, NULL},
	 AT(street),
	 BOTH},
	{{"postal_code", "field.postal_code", "text", "postal-code", 5, REQ, check_postal, NULL,
	  NULL},
	 AT(postal_code),
	 BOTH},
	{{"city", "field.city", "text", "address-level2", 63, REQ, NULL, NULL, NULL},
	 AT(city),
	 BOTH},
	{{"email", "field.email", "email", "email", 127, REQ, check_email, NULL, NULL},
	 AT(email),
	 BOTH},
	{{"phone", "field.phone", "tel", "tel", 19, REQ, check_phone, "hint.phone", NULL},
	 AT(phone),
	 BOTH},
	{{"license_number", "field.license_number", "text", "off", 31, F_READONLY, NULL,
	  "hint.from_register", NULL},
	 AT(license_number),
	 BOTH},
	{{"position", "field.position", "text", "organization-title", 95, REQ, NULL, NULL, NULL},
	 AT(position),
	 LEGAL},
	{{"company_name", "field.company_name", "text", "organization", 1020, REQ, NULL,
	  "hint.company_name", NULL},
	 AT(company_name),
	 LEGAL},
	{{"company_cert_name", "field.company_cert_name", "text", "off", 256, 0, NULL,
	  "hint.company_cert_name", NULL},
	 AT(company_cert_name),
	 LEGAL},
	{{"company_mb", "field.company_mb", "text", "off", 8, REQ, check_mb, "hint.company_mb",
	  NULL},
	 AT(company_mb),
	 LEGAL},
	{{"company_pib", "field.company_pib", "text", "off", 9, REQ, check_pib, "hint.company_pib",
	  NULL},
	 AT(company_pib),
	 LEGAL},
	{{"company_street", "field.company_street", "text", "off", 95, REQ, NULL, NULL, NULL},
	 AT(company_street),
	 LEGAL},
	{{"company_postal_code", "field.company_postal_code", "text", "off", 5, REQ, check_postal,
	  NULL, NULL},
	 AT(company_postal_code),
	 LEGAL},
	{{"company_city", "field.company_city", "text", "off", 63, REQ, NULL, NULL, NULL},
	 AT(company_city),
	 LEGAL},
	{{"company_email", "field.company_email", "email", "off", 127, REQ, check_email,
	  "hint.company_email", NULL},
	 AT(company_email),
	 LEGAL},
	{{"office", "field.office", "select", "off", 15, REQ, NULL, "hint.office", office_options},
	 AT(office),
	 BOTH},
	{{"validity", "field.validity", "select", "off", 15, REQ, NULL, NULL, validity_options},
	 AT(validity),
	 BOTH},
	{{"card_reader", "field.card_reader", "checkbox", "off", 1, 0, check_flag,
	  "hint.card_reader", NULL},
	 0,
	 0,
	 BOTH},
	{{"consent", "field.consent", "checkbox", "off", 1, REQ, check_flag, "hint.consent", NULL},
	 0,
	 0,
	 BOTH},
};

#define NORDER (sizeof(order_fields) / sizeof(order_fields[0]))

/* The plain field list of a type, in order. */
static size_t type_fields(enum order_type t, struct field *out)
{
	size_t i, n = 0;

	for (i = 0; i < NORDER; i++)
		if (order_fields[i].types & (1u << t))
			out[n++] = order_fields[i].f;
	return n;
}

static const struct order_field *order_field(const char *name)
{
	size_t i;

	for (i = 0; i < NORDER; i++)
		if (strcmp(order_fields[i].f.name, name) == 0)
			return &order_fields[i];
	return NULL;
}

/* Copies validated form values into o. */
static void fields_to_order(const struct fstate *st, struct order *o)
{
	const struct order_field *of;
	size_t i;

	for (i = 0; i < st->n; i++) {
		of = order_field(st->fields[i].name);
		if (of != NULL && of->size > 0)
			snprintf((char *)o + of->off, of->size, "%s", st->values[i]);
	}
	phone_rs_normalize(fields_value(st, "phone"), o->phone, sizeof(o->phone));
	o->card_reader = strcmp(fields_value(st, "card_reader"), "1") == 0;
	o->name_differs = strcmp(fields_value(st, "name_differs"), "1") == 0;
}

/* The form state showing order o's values. */
static void order_to_fields(const struct order *o, const struct field *f, size_t n,
			    struct fstate *st, struct req *r)
{
	const struct order_field *of;
	size_t i;

	fields_blank(f, n, st);
	for (i = 0; i < n; i++) {
		of = order_field(f[i].name);
		if (of != NULL && of->size > 0)
			st->values[i] = arena_strdup(&r->arena, (const char *)o + of->off);
	}
	for (i = 0; i < n; i++)
		if (strcmp(f[i].name, "card_reader") == 0)
			st->values[i] = o->card_reader ? "1" : "";
		else if (strcmp(f[i].name, "name_differs") == 0)
			st->values[i] = o->name_differs ? "1" : "";
		else if (strcmp(f[i].name, "consent") == 0)
			st->values[i] = "1"; /* given when the draft was made */
}

static void supporting_docs(struct req *r, struct tctx *c, enum order_type t)
{
	const struct catalog *cat = app_of(r)->catalog;
	struct tctx *d;
	size_t i;

	tctx_set_list(c, "documents");
	for (i = 0; i < cat->ndocs; i++)
		if (cat->docs[i].types & (1u << t)) {
			d = tctx_add(c, "documents");
			tctx_set(d, "text", cat->docs[i].text[r->lang]);
		}
}

static void form_render(struct req *r, unsigned status, enum order_type t, long long edit_id,
			const struct fstate *st)
{
	struct tctx *c = page_ctx(r);

	tctx_set(c, "type", order_type_name(t));
	tctx_set(c, "type_label", msg(r, t == ORDER_LEGAL ? "order.legal" : "order.natural"));
	if (edit_id)
		tctx_setf(c, "action", "/orders/%lld/edit", edit_id);
	else
		tctx_setf(c, "action", "/certificates/new/%s", order_type_name(t));
	if (t == ORDER_LEGAL)
		tctx_set_bool(c, "legal", 1);
	supporting_docs(r, c, t);
	fields_ctx(r, c, st);
	page_render(r, status, "order_form", "order.form_title", c);
}

/* The type in the path: /certificates/new/natural or /legal. */
static int path_type(struct req *r, enum order_type *t)
{
	const char *last = strrchr(r->path, '/');

	return last ? order_type_parse(last + 1, t) : -1;
}

/* The message beside a field of kind k that cleaning refused. */
static const char *subject_error_key(enum subject_kind k, enum subject_error e)
{
	switch (e) {
	case SUBJ_OK:
		return NULL;
	case SUBJ_EMPTY:
		return "field.required";
	case SUBJ_UTF8:
	case SUBJ_CONTROL:
		return "field.text_control";
	case SUBJ_CYRILLIC:
		return "field.cyrillic_other";
	case SUBJ_START:
		return "field.name_start";
	case SUBJ_TOO_LONG:
		return k == SUBJ_NAME      ? "field.name_too_long"
		       : k == SUBJ_ORG     ? "field.org_too_long"
		       : k == SUBJ_COMPANY ? "field.company_too_long"
					   : "field.too_long";
	default:
		return k == SUBJ_NAME   ? "field.name_invalid"
		       : k == SUBJ_TEXT ? "field.text_control"
					: "field.org_invalid";
	}
}

/* Cleans field name as kind k in place (domain/subject.h: what the
 * certificate and the papers will say, shown so on the review).  0, or
 * -1 with the field marked. */
static int clean_field(struct req *r, struct fstate *st, const char *name, enum subject_kind k)
{
	const char *v = fields_value(st, name);
	size_t size = strlen(v) * 2 + 8; /* Latin of Cyrillic: at most 3 bytes for 2 */
	enum subject_error e;
	char *out;

	if (*v == '\0' || fields_error_of(st, name) != NULL)
		return fields_error_of(st, name) != NULL ? -1 : 0;
	out = arena_alloc(&r->arena, size);
	e = subject_clean(k, v, out, size, NULL, NULL);
	if (e != SUBJ_OK) {
		fields_error(st, name, subject_error_key(k, e));
		return -1;
	}
	fields_set(st, name, out);
	return 0;
}

/* Whether the posted value of name (a field the form shows read-only)
 * is absent or the register's want, spaces aside (license numbers
 * compared as normalised). */
static int posted_is(struct req *r, const char *name, const char *want, int license)
{
	const char *raw = http_param(r, name);
	char norm[32], mine[32];
	size_t n;

	if (raw == NULL)
		return 1;
	raw += strspn(raw, " \t");
	n = strlen(raw);
	while (n > 0 && (raw[n - 1] == ' ' || raw[n - 1] == '\t'))
		n--;
	if (n == 0)
		return 1;
	if (!license)
		return n == strlen(want) && strncmp(raw, want, n) == 0;
	return license_normalize(raw, norm, sizeof(norm)) &&
	       license_normalize(want, mine, sizeof(mine)) && strcmp(norm, mine) == 0;
}

/* The holder's name as typed (from the identity document): required
 * and cleaned. */
static void typed_names(struct req *r, struct fstate *st)
{
	if (!*fields_value(st, "first_name"))
		fields_error(st, "first_name", "field.required");
	if (!*fields_value(st, "last_name"))
		fields_error(st, "last_name", "field.required");
	clean_field(r, st, "first_name", SUBJ_NAME);
	clean_field(r, st, "last_name", SUBJ_NAME);
}

/* "first last" must fit the certificate's commonName. */
static void common_name_fits(struct fstate *st)
{
	char cn[SUBJECT_BYTES(SUBJECT_CN_MAX)];

	if (!fields_error_of(st, "first_name") && !fields_error_of(st, "last_name") &&
	    *fields_value(st, "first_name") && *fields_value(st, "last_name") &&
	    subject_common_name(fields_value(st, "first_name"), fields_value(st, "last_name"), cn,
				sizeof(cn)) != SUBJ_OK)
		fields_error(st, fields_error_of(st, "name_differs") ? "name_differs" : "last_name",
			     "field.cn_too_long");
}

/* The holder is the member (both types): JMBG and license number from
 * the register, whatever was posted (a different one is refused); the
 * name from the register unless name_differs, then as typed, cleaned. */
static void holder_from_register(struct req *r, struct fstate *st, const struct member *m)
{
	char first[SUBJECT_BYTES(SUBJECT_NAME_MAX)], last[SUBJECT_BYTES(SUBJECT_NAME_MAX)];
	int reg_ok, same;

	if (!posted_is(r, "jmbg", m->jmbg, 0))
		fields_error(st, "jmbg", "order.identity_from_register");
	if (!posted_is(r, "license_number", m->license_number, 1))
		fields_error(st, "license_number", "order.identity_from_register");
	fields_set(st, "jmbg", arena_strdup(&r->arena, m->jmbg));
	fields_set(st, "license_number", arena_strdup(&r->arena, m->license_number));

	reg_ok = subject_clean(SUBJ_NAME, m->first_name, first, sizeof(first), NULL, NULL) ==
			 SUBJ_OK &&
		 subject_clean(SUBJ_NAME, m->last_name, last, sizeof(last), NULL, NULL) == SUBJ_OK;
	if (strcmp(fields_value(st, "name_differs"), "1") != 0) {
		/* Posted names that are not the register's need the choice. */
		clean_field(r, st, "first_name", SUBJ_NAME);
		clean_field(r, st, "last_name", SUBJ_NAME);
		same = (!*fields_value(st, "first_name") ||
			strcmp(fields_value(st, "first_name"), first) == 0) &&
		       (!*fields_value(st, "last_name") ||
			strcmp(fields_value(st, "last_name"), last) == 0);
		if (!reg_ok)
			fields_error(st, "name_differs", "order.register_name_unusable");
		else if (!same || fields_error_of(st, "first_name") ||
			 fields_error_of(st, "last_name"))
			fields_error(st, "name_differs", "order.name_not_register");
		else {
			fields_set(st, "first_name", arena_strdup(&r->arena, first));
			fields_set(st, "last_name", arena_strdup(&r->arena, last));
		}
	} else
		typed_names(r, st);
	common_name_fits(st);
}

/* The company: its full registered name for the contract and the
 * proforma, and the name in the certificate (organizationName, at most
 * 64 characters): the full name when it fits, unless given. */
static void company_names(struct req *r, struct fstate *st)
{
	const char *full;
	char *org;
	size_t size;

	if (clean_field(r, st, "company_name", SUBJ_COMPANY) != 0 ||
	    !*fields_value(st, "company_name"))
		return;
	if (*fields_value(st, "company_cert_name")) {
		clean_field(r, st, "company_cert_name", SUBJ_ORG);
		return;
	}
	full = fields_value(st, "company_name");
	size = strlen(full) + 1;
	org = arena_alloc(&r->arena, size);
	if (subject_clean(SUBJ_ORG, full, org, size, NULL, NULL) == SUBJ_OK)
		fields_set(st, "company_cert_name", org);
	else
		fields_error(st, "company_cert_name", "field.company_cert_name_needed");
}

/* Printed text as it will be stored: no control characters, single
 * spaces. */
static void clean_texts(struct req *r, struct fstate *st)
{
	static const char *const text[] = {"id_issuer", "street",         "city",
					   "position",  "company_street", "company_city"};
	size_t i;

	for (i = 0; i < sizeof(text) / sizeof(text[0]); i++)
		clean_field(r, st, text[i], SUBJ_TEXT);
}

/* Reads and validates the form for type t against the member register
 * (m).  Values are cleaned as they will be stored.  Returns the number
 * of errors. */
static int read_order_form(struct req *r, enum order_type t, struct fstate *st, struct field *f,
			   size_t *nf, const struct member *m)
{
	*nf = type_fields(t, f);
	fields_read(r, f, *nf, st);
	check_choices(r, st);
	clean_texts(r, st);
	holder_from_register(r, st, m);
	if (t == ORDER_LEGAL)
		company_names(r, st);
	return st->nerrors;
}

/* ---- The same form for the office (ra_correct.c) ------------------------------------------ */

size_t order_form_fields(enum order_type t, struct field *out)
{
	struct field all[FORM_MAX_FIELDS];
	size_t n = type_fields(t, all), i, k = 0;

	/* Not the member's consent, and nothing that changes the price. */
	for (i = 0; i < n; i++)
		if (strcmp(all[i].name, "consent") != 0 &&
		    strcmp(all[i].name, "card_reader") != 0 &&
		    strcmp(all[i].name, "validity") != 0 &&
		    strcmp(all[i].name, "name_differs") != 0) {
			out[k] = all[i];
			/* No box to tick here: the office types the name
			 * as on the identity document it checked. */
			if (strcmp(out[k].name, "first_name") == 0)
				out[k].hint_key = "bo.hint_name_office";
			k++;
		}
	return k;
}

int order_form_read_office(struct req *r, enum order_type t, struct fstate *st,
			   const struct field *f, size_t n, const struct order *o)
{
	fields_read(r, f, n, st);
	check_choices(r, st);
	fields_set(st, "jmbg", arena_strdup(&r->arena, o->jmbg));
	fields_set(st, "license_number", arena_strdup(&r->arena, o->license_number));
	clean_texts(r, st);
	typed_names(r, st);
	common_name_fits(st);
	if (t == ORDER_LEGAL)
		company_names(r, st);
	return st->nerrors;
}

void order_form_to_order(const struct fstate *st, struct order *o)
{
	int differs = o->name_differs, reader = o->card_reader;

	fields_to_order(st, o);
	o->name_differs = differs; /* fields the office form does not have */
	o->card_reader = reader;
}

void order_form_from_order(struct req *r, const struct order *o, const struct field *f, size_t n,
			   struct fstate *st)
{
	order_to_fields(o, f, n, st, r);
}

static int own_member(struct req *r, struct member *m)
{
	struct account a;

	return store_account_get(app_of(r)->store, r->account_id, &a) == STORE_OK &&
	       store_member_get(app_of(r)->store, a.member_id, m) == STORE_OK;
}

void web_cert_new(struct req *r)
{
	struct tctx *c = page_ctx(r);

	supporting_docs(r, c, ORDER_NATURAL);
	page_render(r, 200, "cert_new", "cert_new.title", c);
}

void web_cert_form_get(struct req *r)
{
	struct field f[FORM_MAX_FIELDS];
	enum order_type t;
	struct fstate st;
	struct member m;
	size_t n, i;

	if (path_type(r, &t) != 0) {
		page_error(r, 404, "error.not_found");
		return;
	}
	n = type_fields(t, f);
	fields_blank(f, n, &st);
	/* Prefilled from the member register, as the certificate will say it. */
	if (own_member(r, &m))
		for (i = 0; i < n; i++) {
			char v[SUBJECT_BYTES(SUBJECT_NAME_MAX)];
			const char *name = f[i].name;

			if (strcmp(name, "first_name") == 0 || strcmp(name, "last_name") == 0)
				st.values[i] =
					subject_clean(SUBJ_NAME,
						      name[0] == 'f' ? m.first_name : m.last_name,
						      v, sizeof(v), NULL, NULL) == SUBJ_OK
						? arena_strdup(&r->arena, v)
						: "";
			else if (strcmp(name, "jmbg") == 0)
				st.values[i] = arena_strdup(&r->arena, m.jmbg);
			else if (strcmp(name, "email") == 0)
				st.values[i] = arena_strdup(&r->arena, m.email);
			else if (strcmp(name, "license_number") == 0)
				st.values[i] = arena_strdup(&r->arena, m.license_number);
		}
	form_render(r, 200, t, 0, &st);
}

void web_cert_form_post(struct req *r)
{
	struct store *s = app_of(r)->store;
	struct field f[FORM_MAX_FIELDS];
	enum order_type t;
	struct fstate st;
	struct member m;
	struct order o;
	char loc[64];
	size_t n;

	if (path_type(r, &t) != 0) {
		page_error(r, 404, "error.not_found");
		return;
	}
	if (!own_member(r, &m)) {
		page_error(r, 503, "error.storage");
		return;
	}
	if (read_order_form(r, t, &st, f, &n, &m) > 0) {
		form_render(r, 422, t, 0, &st);
		return;
	}
	memset(&o, 0, sizeof(o));
	o.account_id = r->account_id;
	o.type = t;
	snprintf(o.state, sizeof(o.state), "%s", wf_state_name(WF_DRAFT));
	fields_to_order(&st, &o);
	o.created_at = o.updated_at = time(NULL);
	if (store_begin(s) != STORE_OK || store_order_create(s, &o) != STORE_OK ||
	    store_order_event_add(s, o.id, o.state, session_user(r)->username, "", o.created_at) !=
		    STORE_OK ||
	    app_audit(r, "order.create", "", "ok", "%s order %lld", order_type_name(t), o.id) !=
		    STORE_OK ||
	    store_commit(s) != STORE_OK) {
		store_rollback(s);
		page_error(r, 503, "error.storage");
		return;
	}
	snprintf(loc, sizeof(loc), "/orders/%lld/review", o.id);
	http_redirect(r, loc);
}

/* Renewal (certificates.c): the form of o's type with o's values,
 * posting a new order. */
void order_form_prefilled(struct req *r, const struct order *o)
{
	struct field f[FORM_MAX_FIELDS];
	struct fstate st;
	size_t n = type_fields(o->type, f);

	order_to_fields(o, f, n, &st, r);
	form_render(r, 200, o->type, 0, &st);
}

/* 1 when the member may change order o's data (a draft, or an order
 * the office returned to them). */
static int member_may_edit(const struct order *o)
{
	enum wf_state st;

	return wf_state_parse(o->state, &st) == 0 && workflow_editable(st, WF_MEMBER);
}

/* The member's own order r->ids[0], or a 404 page (returns -1). */
static int load_own(struct req *r, struct order *o)
{
	int rc = store_order_get_owned(app_of(r)->store, r->ids[0], r->account_id, o);

	if (rc == STORE_OK)
		return 0;
	if (rc == STORE_NOTFOUND)
		page_error(r, 404, "order.not_found");
	else
		page_error(r, 503, "error.storage");
	return -1;
}

void web_order_edit_get(struct req *r)
{
	struct field f[FORM_MAX_FIELDS];
	struct fstate st;
	struct order o;
	char loc[64];
	size_t n;

	if (load_own(r, &o) != 0)
		return;
	if (!member_may_edit(&o)) {
		snprintf(loc, sizeof(loc), "/orders/%lld", o.id);
		http_redirect(r, loc);
		return;
	}
	n = type_fields(o.type, f);
	order_to_fields(&o, f, n, &st, r);
	form_render(r, 200, o.type, o.id, &st);
}

void web_order_edit_post(struct req *r)
{
	struct store *s = app_of(r)->store;
	struct field f[FORM_MAX_FIELDS];
	struct fstate st;
	struct member m;
	struct order o;
	char loc[64];
	size_t n;
	int rc;

	if (load_own(r, &o) != 0)
		return;
	snprintf(loc, sizeof(loc), "/orders/%lld", o.id);
	if (!member_may_edit(&o)) {
		page_error(r, 409, "order.frozen");
		return;
	}
	if (!own_member(r, &m)) {
		page_error(r, 503, "error.storage");
		return;
	}
	read_order_form(r, o.type, &st, f, &n, &m);
	/* A returned order is paid: what was paid for stays. */
	if (strcmp(o.state, wf_state_name(WF_DRAFT)) != 0) {
		if (strcmp(fields_value(&st, "validity"), o.validity) != 0)
			fields_error(&st, "validity", "order.paid_choice_fixed");
		if ((strcmp(fields_value(&st, "card_reader"), "1") == 0) != (o.card_reader != 0))
			fields_error(&st, "card_reader", "order.paid_choice_fixed");
	}
	if (st.nerrors > 0) {
		form_render(r, 422, o.type, o.id, &st);
		return;
	}
	fields_to_order(&st, &o);
	o.updated_at = time(NULL);
	o.name_confirmed_at = 0; /* a changed name is checked again */
	o.name_confirmed_by[0] = '\0';
	rc = store_order_rewrite(s, &o, o.state, r->account_id);
	if (rc == STORE_NOTFOUND) {
		page_error(r, 409, "order.frozen");
		return;
	}
	if (rc != STORE_OK) {
		page_error(r, 503, "error.storage");
		return;
	}
	snprintf(loc, sizeof(loc), "/orders/%lld/review", o.id);
	http_redirect(r, loc);
}

/* ---- Showing an order -------------------------------------------------------- */

static const char *state_label(struct req *r, const char *state)
{
	char key[48];

	snprintf(key, sizeof(key), "state.%s", state);
	return arena_strdup(&r->arena, msg(r, key));
}

static void order_ctx(struct req *r, struct tctx *c, const struct order *o)
{
	const struct catalog *cat = app_of(r)->catalog;
	const struct office *off = catalog_office(cat, o->office);
	const struct tariff_item *ti = catalog_tariff(cat, o->validity);
	const struct order_field *of;
	struct tctx *row;
	struct invoice inv;
	char money[32];
	size_t i;

	tctx_setf(c, "id", "%lld", o->id);
	tctx_set(c, "type_label", msg(r, o->type == ORDER_LEGAL ? "order.legal" : "order.natural"));
	tctx_set(c, "state", o->state);
	tctx_set(c, "state_label", state_label(r, o->state));
	tctx_set(c, "payment_ref", o->payment_ref);
	tctx_set_list(c, "rows");
	for (i = 0; i < NORDER; i++) {
		of = &order_fields[i];
		if (!(of->types & (1u << o->type)) || strcmp(of->f.name, "consent") == 0 ||
		    (strcmp(of->f.name, "name_differs") == 0 && !o->name_differs))
			continue;
		row = tctx_add(c, "rows");
		tctx_set(row, "label", msg(r, of->f.label_key));
		if (strcmp(of->f.name, "id_type") == 0)
			tctx_set(row, "value",
				 msg(r, strcmp(o->id_type, "passport") == 0 ? "order.passport"
									    : "order.id_card"));
		else if (strcmp(of->f.name, "office") == 0)
			tctx_set(row, "value", off ? off->name[r->lang] : o->office);
		else if (strcmp(of->f.name, "validity") == 0)
			tctx_set(row, "value", ti ? ti->name[r->lang] : o->validity);
		else if (strcmp(of->f.name, "card_reader") == 0)
			tctx_set(row, "value", msg(r, o->card_reader ? "order.yes" : "order.no"));
		else if (strcmp(of->f.name, "name_differs") == 0)
			tctx_set(row, "value", msg(r, "order.yes"));
		else
			tctx_set(row, "value", (const char *)o + of->off);
	}
	if (off != NULL) {
		tctx_set(c, "office_name", off->name[r->lang]);
		tctx_setf(c, "office_address", "%s, %s %s", off->street, off->postal_code,
			  off->city);
		tctx_set(c, "office_phone", off->phone);
		tctx_set(c, "office_email", off->email);
		tctx_set(c, "office_hours", off->hours[r->lang]);
	}
	if (invoice_compute(o, cat, &inv) == 0) {
		money_format(inv.total_para, money, sizeof(money));
		tctx_set(c, "total", money);
	}
	supporting_docs(r, c, o->type);
}

void web_order_review(struct req *r)
{
	struct tctx *c;
	struct order o;
	char loc[64];

	if (load_own(r, &o) != 0)
		return;
	if (!member_may_edit(&o)) {
		snprintf(loc, sizeof(loc), "/orders/%lld", o.id);
		http_redirect(r, loc);
		return;
	}
	c = page_ctx(r);
	order_ctx(r, c, &o);
	page_render(r, 200, "order_review", "order.review_title", c);
}

void web_order_confirm(struct req *r)
{
	struct app_env env = web_env(r);
	struct actor who = web_actor(r);
	struct uc_result res;
	struct order o;
	char loc[64];

	if (load_own(r, &o) != 0)
		return;
	res = uc_order_confirm(&env, &who, &r->arena, &o);
	if (res.status == UC_REFUSED)
		page_error(r, 409, res.msg);
	else if (res.status != UC_OK)
		page_error(r, 503, "error.storage");
	else {
		snprintf(loc, sizeof(loc), "/orders/%lld", o.id);
		http_redirect(r, loc);
	}
}

void web_order_cancel(struct req *r)
{
	struct app_env env = web_env(r);
	struct actor who = web_actor(r);
	struct uc_result res;
	struct order o;
	char loc[64];

	if (load_own(r, &o) != 0)
		return;
	res = uc_order_cancel(&env, &who, &o);
	if (res.status == UC_REFUSED)
		page_error(r, 409, res.msg);
	else if (res.status != UC_OK)
		page_error(r, 503, "error.storage");
	else {
		snprintf(loc, sizeof(loc), "/orders/%lld", o.id);
		http_redirect(r, loc);
	}
}

struct events_ctx {
	struct req *r;
	struct tctx *c;
	const char *office_reason; /* the latest return to the member's note */
};

static int add_event(void *arg, const struct order_event *e)
{
	struct events_ctx *x = arg;
	struct tctx *ev = tctx_add(x->c, "events");
	char when[32];
	struct tm tm;

	localtime_r(&e->at, &tm);
	strftime(when, sizeof(when), "%d.%m.%Y. %H:%M", &tm);
	tctx_set(ev, "when", when);
	tctx_set(ev, "state_label", state_label(x->r, e->state));
	tctx_set(ev, "actor", e->actor);
	tctx_set(ev, "note", i18n_note_text(&x->r->arena, x->r->lang, e->note));
	if (strcmp(e->state, wf_state_name(WF_RETURNED_TO_MEMBER)) == 0)
		x->office_reason = arena_strdup(&x->r->arena, e->note);
	return 0;
}

/* A returned order: why, in plain words (never the CA's), and what
 * happens next. */
static void returned_panel(struct req *r, struct tctx *c, const struct order *o, enum wf_state st)
{
	char key[64];

	if (st != WF_RETURNED && st != WF_RETURNED_TO_MEMBER)
		return;
	snprintf(key, sizeof(key), "return.%s", o->returned_code[0] ? o->returned_code : "refused");
	tctx_set(c, "returned_panel",
		 i18n_format(&r->arena, r->lang,
			     st == WF_RETURNED ? "order.returned_panel"
					       : "order.returned_to_member_panel",
			     "@reason", key, NULL));
}

void web_order_page(struct req *r)
{
	struct events_ctx x;
	struct tctx *c;
	struct order o;
	enum wf_state st;

	if (load_own(r, &o) != 0)
		return;
	c = page_ctx(r);
	order_ctx(r, c, &o);
	cert_order_ctx(r, c, &o);
	if (wf_state_parse(o.state, &st) == 0) {
		if (st == WF_DRAFT)
			tctx_set_bool(c, "draft", 1);
		else if (workflow_editable(st, WF_MEMBER))
			tctx_set_bool(c, "to_correct", 1);
		else if (st != WF_CANCELLED)
			tctx_set_bool(c, "printable", 1);
		if (workflow_member_may_cancel(st))
			tctx_set_bool(c, "may_cancel", 1);
		returned_panel(r, c, &o, st);
	}
	x.r = r;
	x.c = c;
	x.office_reason = NULL;
	tctx_set_list(c, "events");
	store_order_events(app_of(r)->store, o.id, add_event, &x);
	/* What the office asked the member to correct, as it wrote it. */
	if (x.office_reason != NULL && strcmp(o.state, wf_state_name(WF_RETURNED_TO_MEMBER)) == 0)
		tctx_set(c, "office_reason", x.office_reason);
	page_render(r, 200, "order_page", "order.page_title", c);
}

static int add_order_row(void *arg, const struct order_summary *o)
{
	struct events_ctx *x = arg;
	struct tctx *row = tctx_add(x->c, "orders");
	char when[32];
	struct tm tm;

	tctx_set_bool(x->c, "has_orders", 1);
	localtime_r(&o->created_at, &tm);
	strftime(when, sizeof(when), "%d.%m.%Y.", &tm);
	tctx_setf(row, "id", "%lld", o->id);
	tctx_set(row, "created", when);
	tctx_set(row, "type_label",
		 msg(x->r, o->type == ORDER_LEGAL ? "order.legal" : "order.natural"));
	tctx_set(row, "state_label", state_label(x->r, o->state));
	tctx_setf(row, "holder", "%s %s", o->first_name, o->last_name);
	if (o->type == ORDER_LEGAL)
		tctx_set(row, "company", o->company_name);
	return 0;
}

void web_orders(struct req *r)
{
	struct events_ctx x;
	struct tctx *c = page_ctx(r);

	x.r = r;
	x.c = c;
	x.office_reason = NULL;
	tctx_set_list(c, "orders");
	if (store_order_each_owned(app_of(r)->store, r->account_id, add_order_row, &x) !=
	    STORE_OK) {
		page_error(r, 503, "error.storage");
		return;
	}
	page_render(r, 200, "orders", "orders.title", c);
}

int order_pdf_respond(struct req *r, const struct order *o, const char *name)
{
	char disp[128];
	int rc;

	buf_reset(&r->out);
	/* Deterministic per order version: served from docs' cache (cache.c). */
	rc = doc_order_pdf(o, app_of(r)->catalog, name, &r->out);
	if (rc != 0) {
		log_warnx("order %lld: %s failed", o->id, name);
		buf_reset(&r->out);
		page_error(r, 503, "error.documents");
		return -1;
	}
	r->status = 200;
	r->content_type = "application/pdf";
	snprintf(disp, sizeof(disp), "attachment; filename=\"qcra-%lld-%s\"", o->id, name);
	http_header(r, "Content-Disposition", disp);
	return 0;
}

/* GET /orders/N/{request,contract,proforma}.pdf */
void web_order_pdf(struct req *r)
{
	struct order o;
	enum wf_state st;

	if (load_own(r, &o) != 0)
		return;
	if (wf_state_parse(o.state, &st) != 0 || workflow_editable(st, WF_MEMBER) ||
	    st == WF_CANCELLED) {
		page_error(r, 409, "order.not_printable");
		return;
	}
	order_pdf_respond(r, &o, strrchr(r->path, '/') + 1);
}

/* ---- Help and offices ---------------------------------------------------------------- */

static void offices_ctx(struct req *r, struct tctx *c)
{
	const struct catalog *cat = app_of(r)->catalog;
	struct tctx *o;
	size_t i;

	for (i = 0; i < cat->noffices; i++) {
		o = tctx_add(c, "offices");
		tctx_set(o, "code", cat->offices[i].code);
		tctx_set(o, "name", cat->offices[i].name[r->lang]);
		tctx_setf(o, "address", "%s, %s %s", cat->offices[i].street,
			  cat->offices[i].postal_code, cat->offices[i].city);
		tctx_set(o, "phone", cat->offices[i].phone);
		tctx_set(o, "email", cat->offices[i].email);
		tctx_set(o, "hours", cat->offices[i].hours[r->lang]);
		if (cat->offices[i].secretariat)
			tctx_set_bool(o, "secretariat", 1);
	}
}

void web_offices(struct req *r)
{
	struct tctx *c = page_ctx(r);

	offices_ctx(r, c);
	page_render(r, 200, "offices", "offices.title", c);
}

void web_help(struct req *r)
{
	struct tctx *c = page_ctx(r);

	page_render(r, 200, r->lang == LANG_EN ? "help_en" : "help_sr", "help.title", c);
}

void web_help_request(struct req *r)
{
	struct tctx *c = page_ctx(r);

	supporting_docs(r, c, ORDER_NATURAL);
	page_render(r, 200, r->lang == LANG_EN ? "help_request_en" : "help_request_sr",
		    "help.request_title", c);
}
