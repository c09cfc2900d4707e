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
/* File i (below embedded_count): the copy read by embedded_use_dir, or
 * the one built in. */
const struct embedded_file *embedded_at(size_t i);

/*
 * Reads every file the portal serves and draws with (the pages of templates/,
 * messages/, static/, data/: the directory data_dir, laid out as the
 * source tree) from dir, to be used from then on instead of the built-in
 * copies; migrations and the renderer's files stay built in.  Called
 * once at start, before any thread.  0, or -1 with err ("data_dir: cannot
 * read DIR/templates/home.html: ...") and the built-in copies kept.
 */
int embedded_use_dir(const char *dir, char *err, size_t errlen);

#endif
