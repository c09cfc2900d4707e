/*
 * The request form (order_form.c): its declared fields per order type,
 * reading and cleaning them against the member register, and showing
 * them.  The member's pages (orders.c) and the office's corrections
 * (ra_correct.c, through app.h) use it.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "domain/catalog.h"
#include "domain/ident.h"
#include "domain/subject.h"
#include "web/app.h"
#include "web/order_form.h"

/* ---- Validators ------------------------------------------------------- */

static const char *check_id_type(const struct field_ctx *cx, const char *v, struct field_value *out)
{
	return strcmp(v, "id_card") == 0 || strcmp(v, "passport") == 0 ? NULL
								       : "field.choose_option";
}

static const char *check_postal(const struct field_ctx *cx, const char *v, struct field_value *out)
{
	return postal_code_valid(v) ? NULL : "field.postal_invalid";
}

/* The number written the one way (+381...), kept for the order. */
static const char *check_phone(const struct field_ctx *cx, const char *v, struct field_value *out)
{
	char phone[24];

	if (!phone_rs_normalize(v, phone, sizeof(phone)))
		return "field.phone_invalid";
	out->text = arena_strdup(cx->arena, phone);
	return NULL;
}

static const char *check_pib(const struct field_ctx *cx, const char *v, struct field_value *out)
{
	if (strlen(v) != 9 || strspn(v, "0123456789") != 9)
		return "field.pib_format";
	return pib_valid(v) ? NULL : "field.pib_check";
}

static const char *check_mb(const struct field_ctx *cx, const char *v, struct field_value *out)
{
	if (strlen(v) != 8 || strspn(v, "0123456789") != 8)
		return "field.mb_format";
	return mb_check(v) == MB_INVALID ? "field.mb_check" : NULL;
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

/* The choices the catalogue offers (the validator's context carries it). */
static const char *check_office(const struct field_ctx *cx, const char *v, struct field_value *out)
{
	return catalog_office(cx->catalog, v) != NULL ? NULL : "field.choose_option";
}

static const char *check_validity(const struct field_ctx *cx, const char *v,
				  struct field_value *out)
{
	return catalog_tariff(cx->catalog, v) != NULL ? NULL : "field.choose_option";
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

/* Limits are in characters.  The names' are generous on purpose: the
 * browser never cuts a pasted name short (maxlength), and their check
 * (domain/subject.c) refuses one past what a certificate holds, saying
 * why; struct order keeps what the check lets through. */
static const struct order_field order_fields[] = {
	/* The holder is the member: name, JMBG and license number come from
	 * the member register (read_order_form); the name only with
	 * name_differs, as on the identity document. */
	{{"name_differs", "field.name_differs", "checkbox", "off", 1, 0, field_flag,
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
	{{"jmbg", "field.jmbg", "text", "off", 13, F_READONLY, field_jmbg, "hint.from_register",
	  NULL},
	 AT(jmbg),
	 BOTH},
	{{"id_type", "field.id_type", "select", "off", 11, REQ, check_id_type, NULL,
	  id_type_options},
	 AT(id_type),
	 BOTH},
	{{"id_number", "field.id_number", "text", "off", 20, REQ, field_doc_number,
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
	{{"email", "field.email", "email", "email", 127, REQ, field_email, NULL, NULL},
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
	{{"company_email", "field.company_email", "email", "off", 127, REQ, field_email,
	  "hint.company_email", NULL},
	 AT(company_email),
	 LEGAL},
	{{"office", "field.office", "select", "off", 15, REQ, check_office, "hint.office",
	  office_options},
	 AT(office),
	 BOTH},
	{{"validity", "field.validity", "select", "off", 15, REQ, check_validity, NULL,
	  validity_options},
	 AT(validity),
	 BOTH},
	{{"card_reader", "field.card_reader", "checkbox", "off", 1, 0, field_flag,
	  "hint.card_reader", NULL},
	 0,
	 0,
	 BOTH},
	{{"consent", "field.consent", "checkbox", "off", 1, REQ, field_flag, "hint.consent", NULL},
	 0,
	 0,
	 BOTH},
};

#define NORDER (sizeof(order_fields) / sizeof(order_fields[0]))

/* The plain field list of a type, in order. */
size_t order_form_type_fields(enum order_type t, struct field *out)
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
void order_form_apply(const struct fstate *st, struct order *o)
{
	const struct order_field *of;
	size_t i;

	for (i = 0; i < st->n; i++) {
		of = order_field(st->fields[i].name);
		if (of != NULL && of->size > 0)
			snprintf((char *)o + of->off, of->size, "%s", st->values[i]);
	}
	snprintf(o->phone, sizeof(o->phone), "%s", fields_parsed(st, "phone"));
	o->card_reader = strcmp(fields_value(st, "card_reader"), "1") == 0;
	o->name_differs = strcmp(fields_value(st, "name_differs"), "1") == 0;
}

/* The form state showing order o's values. */
void order_form_show(const struct order *o, const struct field *f, size_t n, struct fstate *st,
		     struct req *r)
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

void order_form_documents(struct req *r, struct tctx *c, enum order_type t)
{
	order_form_documents_as(r, c, t, "documents");
}

void order_form_documents_as(struct req *r, struct tctx *c, enum order_type t, const char *list)
{
	const struct catalog *cat = app_of(r)->catalog;
	struct tctx *d;
	size_t i;

	tctx_set_list(c, list);
	for (i = 0; i < cat->ndocs; i++)
		if (cat->docs[i].types & (1u << t)) {
			d = tctx_add(c, list);
			tctx_set(d, "text", cat->docs[i].text[r->lang]);
		}
}

void order_form_render(struct req *r, unsigned status, enum order_type t, long long edit_id,
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
	order_form_documents(r, c, t);
	fields_ctx(r, c, st);
	page_render(r, status, "order_form", "order.form_title", c);
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
		return k == SUBJ_NAME                     ? "field.name_invalid"
		       : k == SUBJ_TEXT && e == SUBJ_CHAR ? "field.text_char"
		       : k == SUBJ_TEXT                   ? "field.text_control"
							  : "field.org_invalid";
	}
}

/* The message for a value that is too long only as stored in Latin
 * (Lj, Nj and Dž are two letters each): it says why. */
static const char *latin_too_long_key(enum subject_kind k)
{
	return k == SUBJ_NAME      ? "field.name_too_long_latin"
	       : k == SUBJ_ORG     ? "field.org_too_long_latin"
	       : k == SUBJ_COMPANY ? "field.company_too_long_latin"
				   : "field.too_long_latin";
}

/* Cleans field name as kind k in place (domain/subject.h: what the
 * certificate and the papers will say, shown so on the review).  The
 * form's limit holds for the cleaned text: Cyrillic is stored in Latin,
 * which may be longer, and the edit form must take back what was
 * stored.  0, or -1 with the field marked. */
static int clean_field(struct req *r, struct fstate *st, const char *name, enum subject_kind k)
{
	const char *v = fields_value(st, name);
	size_t size = strlen(v) * 2 + 8; /* Latin of Cyrillic: at most 3 bytes for 2 */
	size_t typed, kept, max = fields_maxlen(st, name);
	enum subject_error e;
	char *out;

	if (*v == '\0' || fields_error_of(st, name) != NULL)
		return fields_error_of(st, name) != NULL ? -1 : 0;
	out = arena_alloc(&r->arena, size);
	e = subject_clean(k, v, out, size, &kept, NULL);
	if (e == SUBJ_OK && max > 0 && kept > max)
		e = SUBJ_TOO_LONG;
	if (e != SUBJ_OK) {
		/* Cleaning only shortens, but for the letters written as two. */
		typed = subject_chars(v);
		fields_error(st, name,
			     e == SUBJ_TOO_LONG && typed <= max && typed <= subject_kind_max(k)
				     ? latin_too_long_key(k)
				     : subject_error_key(k, e));
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
int order_form_read(struct req *r, enum order_type t, struct fstate *st, struct field *f,
		    size_t *nf, const struct member *m)
{
	*nf = order_form_type_fields(t, f);
	fields_read(r, f, *nf, st);
	clean_texts(r, st);
	holder_from_register(r, st, m);
	if (t == ORDER_LEGAL)
		company_names(r, st);
	return st->nerrors;
}

/* ---- The same form for the office (ra_correct.c) ------------------------------------------ */

/* Renewal (certificates.c): the form of o's type with o's values,
 * posting a new order. */
void order_form_prefilled(struct req *r, const struct order *o)
{
	struct field f[FORM_MAX_FIELDS];
	struct fstate st;
	size_t n = order_form_type_fields(o->type, f);

	size_t i;

	order_form_show(o, f, n, &st, r);
	/* A new order: consent is given anew, and the member who has a
	 * card reader does not buy a second one unasked. */
	for (i = 0; i < n; i++)
		if (strcmp(f[i].name, "consent") == 0 || strcmp(f[i].name, "card_reader") == 0)
			st.values[i] = "";
	order_form_render(r, 200, o->type, 0, &st);
}

size_t order_form_fields(enum order_type t, struct field *out)
{
	struct field all[FORM_MAX_FIELDS];
	size_t n = order_form_type_fields(t, all), i, k = 0;

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

	order_form_apply(st, o);
	o->name_differs = differs; /* fields the office form does not have */
	o->card_reader = reader;
}

void order_form_from_order(struct req *r, const struct order *o, const struct field *f, size_t n,
			   struct fstate *st)
{
	order_form_show(o, f, n, st, r);
}

void order_form_rows(struct req *r, struct tctx *c, const struct order *o, const struct office *off,
		     const struct tariff_item *ti)
{
	const struct order_field *of;
	struct tctx *row;
	size_t i;

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
}
