/*
 * libFuzzer target for the template engine.  The input up to its first
 * NUL is template "t"; what follows (or, without a NUL, the whole
 * input again) is template "p", so {{>p}} recurses.  Both are parsed,
 * checked and rendered against a fixed context whose values hold
 * < > & " '.  Checks: parse errors name the template and a line, and
 * when neither template has a raw tag ({{&...}}) nor one of < > " ' in
 * its own text, the output has none of them either: every such byte
 * could only have come unescaped from a value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl/tmpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *fuzz_msg(void *arg, const char *key)
{
	if (strcmp(key, "m") == 0)
		return "<msg & \"quoted\" 'q'>";
	return key[0] == 'n' ? NULL : "<x>";
}

/* 1 when src has a raw tag or a byte the escaper would never emit. */
static int may_emit_specials(const char *src, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (src[i] == '<' || src[i] == '>' || src[i] == '"' || src[i] == '\'')
			return 1;
		if (src[i] == '{' && i + 1 < n && src[i + 1] == '{') {
			for (j = i + 2; j < n && strchr(" \t\r\n", src[j]) && src[j]; j++)
				;
			if (j < n && src[j] == '&')
				return 1;
		}
	}
	return 0;
}

static int has_specials(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '<' || s[i] == '>' || s[i] == '"' || s[i] == '\'')
			return 1;
	return 0;
}

static struct tctx *fuzz_ctx(struct arena *a)
{
	struct tctx *c = tctx_new(a), *it;
	int i;

	tctx_set(c, "name", "<b>\"Ana\" & 'Bo'</b>");
	tctx_set(c, "city", "Niš <Ђ> čćšžđ");
	tctx_set(c, "empty", "");
	tctx_set_bool(c, "on", 1);
	tctx_set_bool(c, "off", 0);
	tctx_set_list(c, "none");
	for (i = 0; i < 3; i++) {
		it = tctx_add(c, "items");
		tctx_setf(it, "name", "<item %d>", i);
		tctx_set_bool(it, "on", i & 1);
		tctx_set(tctx_add(it, "sub"), "v", "'\"");
	}
	return c;
}

static void check_error(const char *name, const char *err)
{
	size_t n = strlen(name);
	const char *p = err + n + 1;

	if (strncmp(err, name, n) != 0 || err[n] != ':' || *p < '1' || *p > '9')
		abort();
	while (*p >= '0' && *p <= '9')
		p++;
	if (p[0] != ':' || p[1] != ' ' || p[2] == '\0')
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *src = (const char *)data;
	const char *nul = memchr(src, 0, size);
	size_t tlen = nul ? (size_t)(nul - src) : size;
	const char *psrc = nul ? nul + 1 : src;
	size_t plen = nul ? size - tlen - 1 : size;
	struct tmpl_set *s = tmpl_set_new();
	struct arena a;
	struct buf out = BUF_INIT;
	char err[128];
	const char *names[] = {"t", "p"};
	int ok[2], i, strict;

	arena_init(&a);
	tmpl_set_limit(s, 1UL << 18);
	ok[0] = tmpl_set_add(s, "t", src, tlen, err, sizeof(err)) == 0;
	if (!ok[0])
		check_error("t", err);
	ok[1] = tmpl_set_add(s, "p", psrc, plen, err, sizeof(err)) == 0;
	if (!ok[1])
		check_error("p", err);
	if (tmpl_set_check(s, err, sizeof(err)) != 0 && err[0] == '\0')
		abort();
	strict = !may_emit_specials(src, tlen) && !may_emit_specials(psrc, plen);
	for (i = 0; i < 2; i++) {
		if (!ok[i])
			continue;
		buf_reset(&out);
		if (tmpl_render(s, names[i], fuzz_ctx(&a), fuzz_msg, NULL, &out) != 0) {
			if (out.len != 0)
				abort();
			continue;
		}
		if (strict && has_specials(out.data, out.len))
			abort();
	}
	buf_free(&out);
	arena_free(&a);
	tmpl_set_free(s);
	return 0;
}
