/*
 * Files compiled into the binary (templates/, messages/, static/, data/,
 * src/store/migrations/).  Names are paths relative to the source root,
 * e.g. "templates/layout.html".  Data is NUL-terminated; len excludes it.
 */
#ifndef QCRA_EMBEDDED_H
#define QCRA_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
	const char *name;
	const unsigned char *data;
	size_t len;
};

extern const struct embedded_file embedded_files[]; /* ends with a NULL name */
extern const size_t embedded_count;

/* Returns the file of that exact name, or NULL. */
const struct embedded_file *embedded_find(const char *name);

#endif
