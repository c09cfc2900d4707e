/*
 * libFuzzer target for bank statement import (CSV and camt.053 XML,
 * chosen by the first byte as in production) and the payment value
 * parsers under it.  Checks what statement.h and payment.h promise:
 * every line is a positive RSD credit with a real date, valid UTF-8
 * text, a canonical reference when ref97 is set and a 64-hex-digit
 * fingerprint unique within the statement; parsing again, in a thread
 * while the lines are taken, gives the same lines, fingerprints and
 * refusal; a refused file has a reason and no lines.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/ident.h"
#include "domain/payment.h"
#include "domain/statement.h"
#include "util/escape.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 1 when the array s of n bytes holds a NUL-terminated UTF-8 string. */
static int fuzz_text(const char *s, size_t n)
{
	const char *nul = memchr(s, '\0', n);

	return nul != NULL && utf8_valid(s, (size_t)(nul - s));
}

#define TEXT_OK(field) fuzz_text((field), sizeof(field))

static void fuzz_line(const struct stmt_line *l, size_t max_line)
{
	char date[11];
	size_t i;

	if (l->amount_para <= 0 || l->line > max_line)
		abort();
	if (payment_date_parse(l->date, date) != 0 || strcmp(date, l->date) != 0)
		abort();
	if (!TEXT_OK(l->payer) || !TEXT_OK(l->reference) || !TEXT_OK(l->purpose) ||
	    !TEXT_OK(l->bank_id) || !TEXT_OK(l->date))
		abort();
	if (l->ref97 != (l->ref97 ? 1 : 0) || (l->ref97 && !ref97_valid(l->reference)))
		abort();
	if (strlen(l->fingerprint) != 64)
		abort();
	for (i = 0; i < 64; i++)
		if (strchr("0123456789abcdef", l->fingerprint[i]) == NULL)
			abort();
}

static void fuzz_statement(const char *data, size_t size)
{
	struct statement st, again;
	struct stmt_async *a;
	const struct stmt_line *l;
	size_t i, j, max_line = 1;
	int rc, got;

	for (i = 0; i < size; i++)
		max_line += data[i] == '\n' || data[i] == '\r';
	rc = statement_parse(data, size, STMT_AUTO, &st);
	if (rc != 0 && rc != -1)
		abort();
	if (!TEXT_OK(st.error) || (rc == -1) != (st.error[0] != '\0'))
		abort();
	if (rc == -1 && (st.nlines != 0 || st.lines != NULL))
		abort();
	if (st.format != STMT_CSV && st.format != STMT_CAMT053)
		abort();
	if (st.nerrors > STMT_MAX_ERRORS || st.nerrors > st.nerrors_total ||
	    st.nlines > STMT_MAX_LINES)
		abort();
	for (i = 0; i < st.nerrors; i++)
		if (!TEXT_OK(st.errors[i].msg) || st.errors[i].msg[0] == '\0' ||
		    st.errors[i].line > max_line)
			abort();
	for (i = 0; i < st.nlines; i++) {
		fuzz_line(&st.lines[i], max_line);
		for (j = 0; j < i && st.nlines <= 256; j++)
			if (strcmp(st.lines[i].fingerprint, st.lines[j].fingerprint) == 0)
				abort();
	}
	/* importing the same file twice yields the same keys, also when it
	 * is parsed in a thread while its lines are taken (the import) */
	if (statement_async_start(&a, data, size, st.format, &again, NULL, NULL) != 0)
		abort();
	for (i = 0; (got = statement_async_line(a, i, &l)) == 1; i++)
		if (i >= st.nlines || strcmp(l->fingerprint, st.lines[i].fingerprint) != 0)
			abort();
	if (got != (rc == 0 ? 0 : -1) || (rc == 0 && i != st.nlines))
		abort();
	if (statement_async_end(a) != rc || again.nlines != st.nlines ||
	    strcmp(again.sha256, st.sha256) != 0 || strcmp(again.error, st.error) != 0)
		abort();
	for (i = 0; i < st.nlines; i++)
		if (strcmp(st.lines[i].fingerprint, again.lines[i].fingerprint) != 0)
			abort();
	statement_free(&again);
	statement_free(&st);
	if (st.lines != NULL || st.nlines != 0)
		abort();
}

/* The payment value parsers on the input as one short string. */
static void fuzz_values(const char *data, size_t size)
{
	char s[128], out[PAYMENT_REF_SIZE], back[48], date[11];
	long long para, para2;
	size_t n = size < sizeof(s) - 1 ? size : sizeof(s) - 1;

	memcpy(s, data, n);
	s[n] = '\0';
	if (payment_amount_parse(s, &para, NULL) == 0) {
		if (payment_amount_format(para, back, sizeof(back)) != 0 ||
		    payment_amount_parse(back, &para2, NULL) != 0 || para2 != para)
			abort();
	}
	if (payment_date_parse(s, date) == 0 && (strlen(date) != 10 || date[4] != '-'))
		abort();
	if (payment_ref_normalize(s, out, sizeof(out)) == 1 && !ref97_valid(out))
		abort();
	if (!TEXT_OK(out))
		abort();
	if (payment_ref_find(s, out, sizeof(out)) == 1 && !ref97_valid(out))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;

	if (!ready) {
		statement_global_init();
		ready = 1;
	}
	fuzz_statement((const char *)data, size);
	fuzz_values((const char *)data, size);
	return 0;
}
