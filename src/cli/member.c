/*
 * qcra member import FILE.csv: loads the chamber's member register.
 * Rows are checked one by one; good rows are added or updated in one
 * transaction, bad rows are reported with their line and reason and
 * skipped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "domain/csv.h"
#include "domain/ident.h"
#include "domain/subject.h"
#include "store/store.h"

static const char member_usage[] =
	"usage: qcra member import [--config FILE] [--var DIR] FILE.csv\n"
	"Loads the member register: UTF-8 CSV with a header row naming at least\n"
	"license_number, first_name, last_name, jmbg, email (any order; other columns\n"
	"are ignored).  Re-importing updates members by license number.\n"
	"License numbers are stored without spaces, '-' and '.' (\"315 6789 01\" is\n"
	"315678901).  Names are stored as a certificate will say them: spaces joined,\n"
	"Serbian Cyrillic written in Serbian Latin (each such row is listed); a name\n"
	"that cannot appear in a certificate is kept as written and listed.\n"
	"Exit status: 0 all rows loaded, 3 some rows rejected (listed), 1 error.\n";

enum col { C_LICENSE, C_FIRST, C_LAST, C_JMBG, C_EMAIL, C__MAX };
static const char *const col_names[C__MAX] = {"license_number", "first_name", "last_name", "jmbg",
					      "email"};

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	size_t cap = 0, n;

	*len = 0;
	if (f == NULL)
		return NULL;
	for (;;) {
		if (cap - *len < 65536) {
			cap = cap ? cap * 2 : 65536;
			if ((data = realloc(data, cap + 1)) == NULL)
				abort();
		}
		n = fread(data + *len, 1, cap - *len, f);
		*len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		free(data);
		fclose(f);
		return NULL;
	}
	fclose(f);
	data[*len] = '\0';
	return data;
}

/* Why the row is unusable, or NULL. */
static const char *row_problem(char *const v[C__MAX], struct member *m)
{
	static const size_t sizes[C__MAX] = {sizeof(m->license_number), sizeof(m->first_name),
					     sizeof(m->last_name), sizeof(m->jmbg),
					     sizeof(m->email)};
	static char why[96];
	int i;

	for (i = 0; i < C__MAX; i++) {
		if (v[i] == NULL || v[i][0] == '\0') {
			snprintf(why, sizeof(why), "missing %s", col_names[i]);
			return why;
		}
		if (strlen(v[i]) >= sizes[i]) {
			snprintf(why, sizeof(why), "%s too long", col_names[i]);
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

static int import(struct store *st, const char *path)
{
	int idx[C__MAX], i, rc, status = 1;
	long added = 0, updated = 0, unchanged = 0, rejected = 0, latin = 0, kept = 0;
	char *data, *v[C__MAX], **seen = NULL;
	size_t len, nseen = 0, capseen = 0, f;
	enum member_upsert outcome;
	struct member m;
	const char *why;
	struct csv r;

	if ((data = read_file(path, &len)) == NULL) {
		fprintf(stderr, "qcra: cannot read %s: %s\n", path, strerror(errno));
		return 1;
	}
	csv_init(&r, data, len);
	if (csv_next(&r) != 1) {
		fprintf(stderr, "qcra: %s: no header row%s%s\n", path, r.error[0] ? ": " : "",
			r.error);
		goto out;
	}
	for (i = 0; i < C__MAX; i++) {
		idx[i] = -1;
		for (f = 0; f < r.nfields; f++)
			if (strcmp(r.fields[f], col_names[i]) == 0)
				idx[i] = (int)f;
		if (idx[i] < 0) {
			fprintf(stderr,
				"qcra: %s: the header has no column \"%s\" (needed: "
				"license_number, first_name, last_name, jmbg, email)\n",
				path, col_names[i]);
			goto out;
		}
	}
	if (store_begin(st) != STORE_OK)
		goto out;
	while ((rc = csv_next(&r)) == 1) {
		for (i = 0; i < C__MAX; i++)
			v[i] = (size_t)idx[i] < r.nfields ? r.fields[idx[i]] : NULL;
		if ((why = row_problem(v, &m)) == NULL) {
			char *key = m.license_number;

			if (nseen && bsearch(&key, seen, nseen, sizeof(*seen), cmp_str)) {
				why = "duplicate license_number in this file";
			} else {
				if (nseen == capseen) {
					capseen = capseen ? capseen * 2 : 256;
					if ((seen = realloc(seen, capseen * sizeof(*seen))) == NULL)
						abort();
				}
				if ((seen[nseen++] = strdup(key)) == NULL)
					abort();
				qsort(seen, nseen, sizeof(*seen), cmp_str);
			}
		}
		if (why != NULL) {
			printf("line %zu: rejected: %s\n", r.line, why);
			rejected++;
			continue;
		}
		switch (clean_names(&m)) {
		case 1:
			printf("line %zu: name written in Cyrillic, stored in Latin: %s %s\n",
			       r.line, m.first_name, m.last_name);
			latin++;
			break;
		case -1:
			printf("line %zu: name kept as written; it cannot appear in a certificate "
			       "(letters outside the Serbian alphabets, digits or signs): the "
			       "member "
			       "will enter it from the identity document\n",
			       r.line);
			kept++;
			break;
		}
		if (store_member_upsert(st, &m, &outcome) != STORE_OK) {
			store_rollback(st);
			fprintf(stderr, "qcra: line %zu: database error; nothing imported\n",
				r.line);
			goto out;
		}
		added += outcome == MEMBER_ADDED;
		updated += outcome == MEMBER_UPDATED;
		unchanged += outcome == MEMBER_UNCHANGED;
	}
	if (rc < 0) {
		store_rollback(st);
		fprintf(stderr, "qcra: %s:%zu: %s; nothing imported\n", path, r.line, r.error);
		goto out;
	}
	if (store_commit(st) != STORE_OK) {
		store_rollback(st);
		fprintf(stderr, "qcra: commit failed; nothing imported\n");
		goto out;
	}
	printf("added %ld, updated %ld, unchanged %ld, rejected %ld; names written in Latin %ld, "
	       "kept as written %ld\n",
	       added, updated, unchanged, rejected, latin, kept);
	status = rejected ? 3 : 0;
out:
	while (nseen > 0)
		free(seen[--nseen]);
	free(seen);
	csv_free(&r);
	free(data);
	return status;
}

int cli_member(int argc, char **argv)
{
	struct config cfg;
	struct store *st;
	int rc, next;

	if (argc < 2 || strcmp(argv[1], "import") != 0) {
		if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
			fputs(member_usage, stdout);
			return 0;
		}
		fputs(member_usage, stderr);
		return 2;
	}
	if ((rc = cli_config(&cfg, argc - 1, argv + 1, 0, member_usage, &next)) != 0)
		return rc;
	if (next != argc - 2) {
		fputs(member_usage, stderr);
		return 2;
	}
	if ((st = cli_open_store(&cfg)) == NULL)
		return 1;
	rc = import(st, argv[argc - 1]);
	store_close(st);
	return rc;
}
