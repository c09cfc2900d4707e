/*
 * A statement's parameters written as a list, $1 first, with no
 * database library's header: util/sq.h binds it to an SQLite statement
 * (the CA's database), src/store/db.h to either of the store's
 * backends.
 */
#ifndef QCRA_UTIL_SQARG_H
#define QCRA_UTIL_SQARG_H

#include <stddef.h>

/*
 * Parameters written as a list, $1 first (the store's db_bound, the CA
 * database's bound):
 *
 *   sq_bind_list(s, SQ_ARGS_(SQ_INT(id), SQ_TEXT(name)));
 *
 * SQ_INT(v) any integer (an enum, a time_t; SQLite keeps one integer
 * type, so it is bound as 64 bits), SQ_TEXT(v) a NUL-terminated string
 * (NULL binds NULL), SQ_BLOB(v, n) n bytes (NULL binds NULL), SQ_NULL.
 * The values are typed (a pointer given to SQ_INT does not compile) and
 * bound with the sq_bind_* above (a failed bind fails the step); text
 * and blobs are not copied, they stay until the statement is done.  The
 * list is a compound literal on the caller's stack, ended by SQ_END_:
 * nothing is allocated.  Parameters not listed stay NULL.
 */
struct sq_arg {
	enum { SQ_ARG_END_, SQ_ARG_NULL, SQ_ARG_INT, SQ_ARG_TEXT, SQ_ARG_BLOB } kind;
	long long i;
	const char *text;
	const void *blob;
	size_t n;
};
#define SQ_INT(v) ((struct sq_arg){.kind = SQ_ARG_INT, .i = (v)})
#define SQ_TEXT(v) ((struct sq_arg){.kind = SQ_ARG_TEXT, .text = (v)})
#define SQ_BLOB(v, len) ((struct sq_arg){.kind = SQ_ARG_BLOB, .blob = (v), .n = (len)})
#define SQ_NULL ((struct sq_arg){.kind = SQ_ARG_NULL})
#define SQ_END_ ((struct sq_arg){.kind = SQ_ARG_END_})
#define SQ_ARGS_(...) ((const struct sq_arg[]){__VA_ARGS__, SQ_END_})

#endif
