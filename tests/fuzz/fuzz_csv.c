/*
 * libFuzzer target for the CSV reader: reads records until the end or
 * an error and checks what csv.h promises, with ',' or ';' between
 * fields.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv r;
	size_t i, records = 0, prev_line = 0;
	int rc;

	/* Either separator, by the input's length. */
	csv_init_sep(&r, (const char *)data, size, size % 2 ? ';' : ',');
	while ((rc = csv_next(&r)) == 1) {
		if (r.nfields == 0 || r.nfields > CSV_MAX_FIELDS)
			abort();
		/* lines only move forward, and never past the input */
		if (r.line <= prev_line || r.line > size + 1)
			abort();
		prev_line = r.line;
		for (i = 0; i < r.nfields; i++) {
			/* every field is NUL-terminated inside the store and
			 * no longer than the input */
			if (r.fields[i] < r.store || r.fields[i] >= r.store + r.store_cap)
				abort();
			if (strnlen(r.fields[i], size + 1) > size)
				abort();
		}
		if (++records > size)
			abort();
	}
	if (rc == -1) {
		if (r.error[0] == '\0' || memchr(r.error, '\0', sizeof(r.error)) == NULL)
			abort();
		if (csv_next(&r) != -1)
			abort();
	} else if (rc != 0) {
		abort();
	}
	csv_free(&r);
	return 0;
}
