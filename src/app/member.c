/*
 * The member register's import: rows checked one by one; good rows
 * added or updated in one transaction, bad rows reported with their
 * line and reason and skipped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/member.h"
#include "domain/csv.h"
#include "domain/ident.h"
#include "domain/subject.h"

enum col { C_LICENSE, C_FIRST, C_LAST, C_JMBG, C_EMAIL, C__MAX };
static const char *const col_names[C__MAX] = {"license_number", "first_name", "last_name", "jmbg",
					      "email"};

/* Why the row is unusable (static text, or why[]), or NULL with *m
 * filled. */
static const char *row_problem(char *const v[C__MAX], struct member *m, char why[96])
{
	static const size_t sizes[C__MAX] = {sizeof(m->license_number), sizeof(m->first_name),
					     sizeof(m->last_name), sizeof(m->jmbg),
					     sizeof(m->email)};
	int i;

	for (i = 0; i < C__MAX; i++) {
		if (v[i] == NULL || v[i][0] == '\0') {
			snprintf(why, 96, "missing %s", col_names[i]);
			return why;
		}
		if (strlen(v[i]) >= sizes[i]) {
			snprintf(why, 96, "%s too long", col_names[i]);
			return why;
		}
	}
	switch (jmbg_check(v[C_JMBG])) {
	case JMBG_OK:
		break;
	case JMBG_CHECK:
		return "bad JMBG check digit";
	case JMBG_DATE:
		return "JMBG holds no valid date of birth";
	default:
		return "JMBG must be 13 digits";
	}
	if (!email_valid(v[C_EMAIL]))
		return "invalid email address";
	memset(m, 0, sizeof(*m));
	if (!license_normalize(v[C_LICENSE], m->license_number, sizeof(m->license_number)))
		return "license_number must be letters, digits or '/' (spaces, '-' and '.' "
		       "ignored)";
	snprintf(m->first_name, sizeof(m->first_name), "%s", v[C_FIRST]);
	snprintf(m->last_name, sizeof(m->last_name), "%s", v[C_LAST]);
	snprintf(m->jmbg, sizeof(m->jmbg), "%s", v[C_JMBG]);
	snprintf(m->email, sizeof(m->email), "%s", v[C_EMAIL]);
	return NULL;
}

/* The register's names as a certificate will say them (domain/subject.h:
 * spaces joined, Serbian Cyrillic written in Latin).  A name that
 * cannot be (another alphabet, digits) is kept as it is and reported:
 * such a member orders with the name from their identity document.
 * Returns what was done: 0 nothing, 1 written in Latin, -1 kept. */
static int clean_names(struct member *m)
{
	char first[SUBJECT_BYTES(SUBJECT_NAME_MAX)], last[SUBJECT_BYTES(SUBJECT_NAME_MAX)];
	unsigned ch1 = 0, ch2 = 0;

	if (subject_clean(SUBJ_NAME, m->first_name, first, sizeof(first), NULL, &ch1) != SUBJ_OK ||
	    subject_clean(SUBJ_NAME, m->last_name, last, sizeof(last), NULL, &ch2) != SUBJ_OK ||
	    strlen(first) >= sizeof(m->first_name) || strlen(last) >= sizeof(m->last_name))
		return -1;
	snprintf(m->first_name, sizeof(m->first_name), "%s", first);
	snprintf(m->last_name, sizeof(m->last_name), "%s", last);
	return ((ch1 | ch2) & SUBJ_TRANSLITERATED) ? 1 : 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The license numbers met so far, sorted. */
struct seen {
	char **v;
	size_t n, cap;
};

/* 1 when key was met before; else remembers it and returns 0. */
static int seen_before(struct seen *s, const char *key)
{
	if (s->n && bsearch(&key, s->v, s->n, sizeof(*s->v), cmp_str))
		return 1;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		if ((s->v = realloc(s->v, s->cap * sizeof(*s->v))) == NULL)
			abort();
	}
	if ((s->v[s->n++] = strdup(key)) == NULL)
		abort();
	qsort(s->v, s->n, sizeof(*s->v), cmp_str);
	return 0;
}

/* The column of each field in the header row r; -1 with err when one
 * is missing. */
static int header_columns(const struct csv *r, const char *name, int idx[C__MAX], char *err,
			  size_t errlen)
{
	size_t f;
	int i;

	for (i = 0; i < C__MAX; i++) {
		idx[i] = -1;
		for (f = 0; f < r->nfields; f++)
			if (strcmp(r->fields[f], col_names[i]) == 0)
				idx[i] = (int)f;
		if (idx[i] < 0) {
			snprintf(err, errlen,
				 "%s: the header has no column \"%s\" (needed: "
				 "license_number, first_name, last_name, jmbg, email)",
				 name, col_names[i]);
			return -1;
		}
	}
	return 0;
}

/* Checks, cleans and stores one row (v); counts it in *out.  0, or -1
 * when the store failed. */
static int import_row(struct store *st, char *const v[C__MAX], size_t line, struct seen *seen,
		      void (*note)(void *arg, size_t line, const char *text), void *arg,
		      struct member_import *out)
{
	enum member_upsert outcome;
	struct member m;
	const char *why;
	char text[384], whybuf[96];

	if ((why = row_problem(v, &m, whybuf)) == NULL && seen_before(seen, m.license_number))
		why = "duplicate license_number in this file";
	if (why != NULL) {
		snprintf(text, sizeof(text), "rejected: %s", why);
		note(arg, line, text);
		out->rejected++;
		return 0;
	}
	switch (clean_names(&m)) {
	case 1:
		snprintf(text, sizeof(text), "name written in Cyrillic, stored in Latin: %s %s",
			 m.first_name, m.last_name);
		note(arg, line, text);
		out->latin++;
		break;
	case -1:
		note(arg, line,
		     "name kept as written; it cannot appear in a certificate (letters outside "
		     "the Serbian alphabets, digits or signs): the member will enter it from the "
		     "identity document");
		out->kept++;
		break;
	}
	if (store_member_upsert(st, &m, &outcome) != STORE_OK)
		return -1;
	out->added += outcome == MEMBER_ADDED;
	out->updated += outcome == MEMBER_UPDATED;
	out->unchanged += outcome == MEMBER_UNCHANGED;
	return 0;
}

int uc_member_import(struct store *st, const char *name, char *data, size_t len,
		     void (*note)(void *arg, size_t line, const char *text), void *arg,
		     struct member_import *out, char *err, size_t errlen)
{
	struct seen seen = {NULL, 0, 0};
	int idx[C__MAX], i, rc, status = -1;
	char *v[C__MAX];
	struct csv r;

	memset(out, 0, sizeof(*out));
	csv_init(&r, data, len);
	if (csv_next(&r) != 1) {
		snprintf(err, errlen, "%s: no header row%s%s", name, r.error[0] ? ": " : "",
			 r.error);
		goto out;
	}
	if (header_columns(&r, name, idx, err, errlen) != 0)
		goto out;
	if (store_begin(st) != STORE_OK) {
		snprintf(err, errlen, "database error; nothing imported");
		goto out;
	}
	while ((rc = csv_next(&r)) == 1) {
		for (i = 0; i < C__MAX; i++)
			v[i] = (size_t)idx[i] < r.nfields ? r.fields[idx[i]] : NULL;
		if (import_row(st, v, r.line, &seen, note, arg, out) != 0) {
			store_rollback(st);
			snprintf(err, errlen, "line %zu: database error; nothing imported", r.line);
			goto out;
		}
	}
	if (rc < 0) {
		store_rollback(st);
		snprintf(err, errlen, "%s:%zu: %s; nothing imported", name, r.line, r.error);
		goto out;
	}
	if (store_commit(st) != STORE_OK) {
		store_rollback(st);
		snprintf(err, errlen, "commit failed; nothing imported");
		goto out;
	}
	status = 0;
out:
	while (seen.n > 0)
		free(seen.v[--seen.n]);
	free(seen.v);
	csv_free(&r);
	return status;
}
