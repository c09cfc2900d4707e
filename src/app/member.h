/*
 * The member register (the chamber's list of licensed members): loaded
 * from a CSV file by `qcra member import` (cli/member.c), through
 * uc_member_import.
 */
#ifndef QCRA_APP_MEMBER_H
#define QCRA_APP_MEMBER_H

#include <stddef.h>

#include "store/store.h"

/* What an import did, row by row. */
struct member_import {
	long added, updated, unchanged, rejected;
	long latin; /* names written in Cyrillic, stored in Latin */
	long kept;  /* names kept as written: they cannot appear in a certificate */
};

/*
 * Loads the register from CSV text data[len] (UTF-8, a header row naming
 * at least license_number, first_name, last_name, jmbg, email, in any
 * order; other columns ignored; name: the file's name in messages).
 * Every good row is added or updated by license number, in one
 * transaction; a bad row is skipped.  note(arg, line, text) is called
 * for each rejected row and each name that was changed or kept (text:
 * what happened, in English, for the operator).  Returns 0 with the
 * counts in *out, or -1 with err and nothing imported (no header, a
 * missing column, a malformed CSV, a database error).
 */
int uc_member_import(struct store *st, const char *name, char *data, size_t len,
		     void (*note)(void *arg, size_t line, const char *text), void *arg,
		     struct member_import *out, char *err, size_t errlen);

#endif
