/*
 * libFuzzer target for history notes (core/i18n.h, i18n_note*): any
 * stored text is shown without crashing, NUL-terminated, in either
 * language (a note's text may be longer than the note: "@name" values
 * stand for catalogue texts); the plain form stays within its room; and a note written
 * with any value shows that value, separators replaced, in its text.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "util/arena.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int loaded;
	char err[128], plain[64], note[512], *s, *clean;
	size_t room = size > 0 ? data[0] % sizeof(plain) + 1 : 1, n, i;
	const char *text;
	struct arena a;

	if (!loaded) {
		if (i18n_load(err, sizeof(err)) != 0)
			abort();
		loaded = 1;
	}
	if ((s = malloc(size + 2)) == NULL || (clean = malloc(size + 1)) == NULL)
		abort();
	/* The bytes as a stored note, starting as one half of the time. */
	s[0] = size > 0 && (data[0] & 1) ? '\x1e' : 'x';
	memcpy(s + 1, data, size);
	s[size + 1] = '\0';
	arena_init(&a);
	text = i18n_note_text(&a, (data[0] & 2) ? LANG_EN : LANG_SR, s);
	if (text == NULL || strlen(text) == (size_t)-1) /* (read whole: ASan checks) */
		abort();
	n = i18n_note_plain(plain, room, s);
	if (n >= room || plain[n] != '\0')
		abort();
	/* Written, then shown: the value comes back (up to its first NUL). */
	for (i = 0; i < size && data[i] != 0; i++)
		clean[i] = data[i] == '\x1e' || data[i] == '\x1f' ? ' ' : (char)data[i];
	clean[i] = '\0';
	if (i18n_note_to(note, sizeof(note), "bo.note_sent", "reference", (const char *)s + 1,
			 NULL) < sizeof(note) &&
	    strstr(i18n_note_text(&a, LANG_EN, note), clean) == NULL)
		abort();
	arena_free(&a);
	free(clean);
	free(s);
	return 0;
}
