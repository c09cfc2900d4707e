/*
 * libFuzzer target for what a certificate may say (domain/subject.h):
 * on any bytes, for each kind and any room, cleaning writes within the
 * room and NUL-terminates; a value it accepts is valid UTF-8 within the
 * kind's bound in characters, and is accepted by the CA's check
 * (subject_check) exactly as it is; cleaning it again changes nothing.
 * The first byte picks the kind and the room.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/subject.h"
#include "util/escape.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const size_t bound[SUBJ_KIND__MAX] = {SUBJECT_NAME_MAX, SUBJECT_ORG_MAX, SUBJECT_COMPANY_MAX,
					     (size_t)-1};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum subject_kind k;
	size_t room, chars = 0, n;
	char *in, *out, *again;
	enum subject_error e;

	if (size < 1 || size > 4096)
		return 0;
	k = (enum subject_kind)(data[0] % SUBJ_KIND__MAX);
	room = (data[0] >> 2) % 2 ? 2 * size + 8 : (size_t)(data[0] >> 3) + 1;
	if ((in = malloc(size)) == NULL || (out = malloc(room)) == NULL ||
	    (again = malloc(room)) == NULL)
		abort();
	memcpy(in, data + 1, size - 1); /* a C string: up to the first NUL */
	in[size - 1] = '\0';
	e = subject_clean(k, in, out, room, &chars, NULL);
	if (memchr(out, '\0', room) == NULL)
		abort();
	if (e == SUBJ_OK) {
		n = strlen(out);
		if (!utf8_valid(out, n) || chars == 0 || chars > bound[k] ||
		    subject_chars(out) != chars)
			abort();
		if (k != SUBJ_TEXT && subject_check(k, out) != SUBJ_OK)
			abort();
		if (subject_clean(k, out, again, room, NULL, NULL) != SUBJ_OK ||
		    strcmp(again, out) != 0)
			abort();
	}
	free(in);
	free(out);
	free(again);
	return 0;
}
