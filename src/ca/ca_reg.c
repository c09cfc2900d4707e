/*
 * The registration the RA submits: declared fields, validated once.
 * Undeclared fields are ignored.  The CA checks again what the portal
 * has checked: it signs what it is given, so it trusts nothing.
 */
#include "ca/ca.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "domain/ident.h"
#include "domain/subject.h"

static const char *const profile_names[CA_PROFILE__MAX] = {"natural", "legal"};

const char *ca_profile_name(enum ca_profile p)
{
	return p < CA_PROFILE__MAX ? profile_names[p] : "?";
}

static const struct {
	const char *code, *field, *text;
} reg_errors[CA_REG__MAX] = {
	[CA_REG_OK] = {"ok", NULL, "valid"},
	[CA_REG_MALFORMED] = {"malformed", NULL, "the body is not a registration JSON object"},
	[CA_REG_ORDER_ID] = {"invalid_order_id", "order_id",
			     "order_id must be 1-64 characters of A-Z, a-z, 0-9, '.', '_', '-'"},
	[CA_REG_PROFILE] = {"unknown_profile", "profile",
			    "profile must be \"natural\" or \"legal\""},
	[CA_REG_GIVEN_NAME] = {"invalid_given_name", "subject.given_name",
			       "given name must be 1-64 Latin letters, single spaces, '-', '.' or "
			       "apostrophes, starting with a letter"},
	[CA_REG_SURNAME] = {"invalid_surname", "subject.surname",
			    "surname must be 1-64 Latin letters, single spaces, '-', '.' or "
			    "apostrophes, starting with a letter"},
	[CA_REG_COMMON_NAME] = {"invalid_common_name", "subject",
				"given name and surname together exceed 64 characters"},
	[CA_REG_JMBG] = {"invalid_jmbg", "subject.jmbg", "JMBG is not a valid personal number"},
	[CA_REG_ORGANIZATION] =
		{"invalid_organization", "subject.organization",
		 "organization must be 1-64 letters, digits, single spaces or punctuation"},
	[CA_REG_PIB] = {"invalid_pib", "subject.pib", "PIB is not a valid tax number"},
	[CA_REG_VALIDITY] = {"invalid_validity", "validity_years",
			     "validity_years is out of the allowed range"},
	[CA_REG_OFFICE] = {"invalid_office", "office",
			   "office must be 1-32 characters of A-Z, a-z, 0-9, '_', '-'"},
	[CA_REG_UNEXPECTED] = {"unexpected_field", "subject",
			       "organization and pib belong only to the legal profile"},
};

const char *ca_reg_code(enum ca_reg_error e)
{
	return e < CA_REG__MAX ? reg_errors[e].code : "unknown";
}

const char *ca_reg_strerror(enum ca_reg_error e)
{
	return e < CA_REG__MAX ? reg_errors[e].text : "unknown error";
}

const char *ca_reg_field(enum ca_reg_error e)
{
	return e < CA_REG__MAX ? reg_errors[e].field : NULL;
}

/* Names and organisations: the rule set the portal's forms use
 * (domain/subject.h), applied strictly: a value must be exactly what
 * the forms would have made of it. */
int ca_name_valid(const char *s)
{
	return subject_check(SUBJ_NAME, s) == SUBJ_OK;
}

int ca_org_valid(const char *s)
{
	return subject_check(SUBJ_ORG, s) == SUBJ_OK;
}

/* [A-Za-z0-9] plus the characters in extra, 1..max long. */
static int token_valid(const char *s, const char *extra, size_t max)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > max)
		return 0;
	for (i = 0; i < n; i++) {
		char ch = s[i];

		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		      (ch >= '0' && ch <= '9') || strchr(extra, ch) != NULL))
			return 0;
	}
	return 1;
}

/* Copies the string member key of o into out.  0, or -1 when absent,
 * not a string, holding NUL, or too long. */
static int get_str(json_t *o, const char *key, char *out, size_t outlen)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v) || json_string_length(v) >= outlen ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return -1;
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

static enum ca_reg_error check_subject(json_t *subj, struct ca_subject *s)
{
	json_t *org = json_object_get(subj, "organization"), *pib = json_object_get(subj, "pib");

	if (!json_is_object(subj))
		return CA_REG_MALFORMED;
	if (get_str(subj, "given_name", s->given_name, sizeof(s->given_name)) != 0 ||
	    !ca_name_valid(s->given_name))
		return CA_REG_GIVEN_NAME;
	if (get_str(subj, "surname", s->surname, sizeof(s->surname)) != 0 ||
	    !ca_name_valid(s->surname))
		return CA_REG_SURNAME;
	if (subject_common_name(s->given_name, s->surname, s->common_name,
				sizeof(s->common_name)) != SUBJ_OK)
		return CA_REG_COMMON_NAME;
	if (get_str(subj, "jmbg", s->jmbg, sizeof(s->jmbg)) != 0 || jmbg_check(s->jmbg) != JMBG_OK)
		return CA_REG_JMBG;
	if (s->profile == CA_PROFILE_NATURAL) {
		if ((org != NULL && !json_is_null(org)) || (pib != NULL && !json_is_null(pib)))
			return CA_REG_UNEXPECTED;
		return CA_REG_OK;
	}
	if (get_str(subj, "organization", s->organization, sizeof(s->organization)) != 0 ||
	    !ca_org_valid(s->organization))
		return CA_REG_ORGANIZATION;
	if (get_str(subj, "pib", s->pib, sizeof(s->pib)) != 0 || !pib_valid(s->pib))
		return CA_REG_PIB;
	return CA_REG_OK;
}

static char *canonical(const struct ca_registration *r)
{
	const struct ca_subject *s = &r->subject;
	json_t *subj, *o;
	char *text;

	subj = json_pack("{s:s, s:s, s:s}", "given_name", s->given_name, "surname", s->surname,
			 "jmbg", s->jmbg);
	if (subj != NULL && s->profile == CA_PROFILE_LEGAL) {
		json_object_set_new(subj, "organization", json_string(s->organization));
		json_object_set_new(subj, "pib", json_string(s->pib));
	}
	o = json_pack("{s:s, s:s, s:o, s:i, s:s}", "order_id", r->order_id, "profile",
		      ca_profile_name(s->profile), "subject", subj, "validity_years",
		      r->validity_years, "office", r->office);
	if (o == NULL)
		return NULL;
	text = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(o);
	return text;
}

enum ca_reg_error ca_reg_parse(const char *text, size_t len, int max_years,
			       struct ca_registration *r, char **canon)
{
	json_error_t jerr;
	json_t *o, *v;
	char profile[16];
	enum ca_reg_error e = CA_REG_OK;
	int i;

	memset(r, 0, sizeof(*r));
	*canon = NULL;
	o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(o)) {
		json_decref(o);
		return CA_REG_MALFORMED;
	}
	if (get_str(o, "order_id", r->order_id, sizeof(r->order_id)) != 0 ||
	    !token_valid(r->order_id, "._-", 64)) {
		e = CA_REG_ORDER_ID;
		goto out;
	}
	e = CA_REG_PROFILE;
	if (get_str(o, "profile", profile, sizeof(profile)) != 0)
		goto out;
	for (i = 0; i < CA_PROFILE__MAX; i++)
		if (strcmp(profile, profile_names[i]) == 0) {
			r->subject.profile = (enum ca_profile)i;
			e = CA_REG_OK;
		}
	if (e != CA_REG_OK)
		goto out;
	e = check_subject(json_object_get(o, "subject"), &r->subject);
	if (e != CA_REG_OK)
		goto out;
	v = json_object_get(o, "validity_years");
	if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > max_years) {
		e = CA_REG_VALIDITY;
		goto out;
	}
	r->validity_years = (int)json_integer_value(v);
	if (get_str(o, "office", r->office, sizeof(r->office)) != 0 ||
	    !token_valid(r->office, "_-", 32)) {
		e = CA_REG_OFFICE;
		goto out;
	}
	*canon = canonical(r);
	if (*canon == NULL)
		e = CA_REG_MALFORMED;
out:
	json_decref(o);
	return e;
}
