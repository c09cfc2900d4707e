/*
 * The signed PDF's signature reader (domain/pades.h): the portal's bytes
 * with one revision appended whose /ByteRange leaves out exactly its
 * /Contents.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "domain/pades.h"

static const char orig[] = "%PDF-1.7\n1 0 obj <</Type/Catalog>> endobj\ntrailer <</Root 1 0 R>>\n"
			   "%%EOF\n";

/* A DER SEQUENCE { INTEGER 5 } padded with zeros, as signers reserve. */
static const char cms_hex[] = "3003020105000000";

/* orig + one revision with a signature dictionary; contents is the hex
 * between the angle brackets, tail what follows the dictionary.  The
 * range is computed unless range is given. */
static size_t make(char *out, size_t size, const char *contents, const char *tail,
		   const size_t *range)
{
	char head[256];
	size_t b, c, len, r[4];
	int n;

	for (int pass = 0; pass < 2; pass++) {
		n = snprintf(
			head, sizeof(head),
			"\n2 0 obj <</Type/Sig/Filter/Adobe.PPKLite/SubFilter/ETSI.CAdES.detached"
			"/ByteRange [0 %010zu %010zu %010zu] /Contents ",
			pass ? r[1] : 0, pass ? r[2] : 0, pass ? r[3] : 0);
		b = strlen(orig) + (size_t)n;
		c = b + strlen(contents) + 2;
		len = (size_t)snprintf(out, size, "%s%s<%s>%s", orig, head, contents, tail);
		r[0] = 0, r[1] = b, r[2] = c, r[3] = len - c;
	}
	if (range != NULL) {
		memcpy(r, range, sizeof(r));
		n = snprintf(
			head, sizeof(head),
			"\n2 0 obj <</Type/Sig/Filter/Adobe.PPKLite/SubFilter/ETSI.CAdES.detached"
			"/ByteRange [%zu %010zu %010zu %010zu] /Contents ",
			r[0], r[1], r[2], r[3]);
		len = (size_t)snprintf(out, size, "%s%s<%s>%s", orig, head, contents, tail);
	}
	return len;
}

static const char tail[] = ">> endobj\nxref\n0 0\ntrailer <</Root 1 0 R/Prev 9>>\n%%EOF\n";

static enum pades_err sread(const char *file, size_t len, struct pades_sig *sig)
{
	return pades_read((const unsigned char *)file, len, (const unsigned char *)orig,
			  strlen(orig), 1 << 20, sig);
}

static void test_pades_reads_one_signed_revision(void **state)
{
	char f[1024];
	size_t len = make(f, sizeof(f), cms_hex, tail, NULL);
	struct pades_sig sig;

	(void)state;
	assert_int_equal(sread(f, len, &sig), PADES_OK);
	assert_int_equal(sig.range[0], 0);
	assert_int_equal(f[sig.range[1]], '<');
	assert_int_equal(f[sig.range[2] - 1], '>');
	assert_int_equal(sig.range[2] + sig.range[3], len);
	assert_int_equal(sig.der_len, 5);
	assert_memory_equal(sig.der, "\x30\x03\x02\x01\x05", 5);
	pades_sig_free(&sig);
	pades_sig_free(&sig);
}

static void test_pades_refuses_another_document(void **state)
{
	char f[1024];
	size_t len = make(f, sizeof(f), cms_hex, tail, NULL);
	struct pades_sig sig;

	(void)state;
	f[3] = 'X';
	assert_int_equal(sread(f, len, &sig), PADES_NOT_OURS);
	assert_null(sig.der);
	assert_int_equal(sread(f, 10, &sig), PADES_NOT_OURS);
}

static void test_pades_refuses_unsigned_and_too_big(void **state)
{
	char f[1024];
	size_t len = make(f, sizeof(f), cms_hex, tail, NULL);
	struct pades_sig sig;

	(void)state;
	assert_int_equal(sread(orig, strlen(orig), &sig), PADES_NO_SIGNATURE);
	assert_int_equal(pades_read((const unsigned char *)f, len, (const unsigned char *)orig,
				    strlen(orig), len - 1, &sig),
			 PADES_TOO_BIG);
	assert_string_equal(pades_err_key(PADES_TOO_BIG), "sign.err_too_big");
}

/* A second revision after the signed one: something changed after
 * signing that the signature does not cover. */
static void test_pades_refuses_a_revision_after_the_signature(void **state)
{
	char f[1024], t[256];
	size_t len;
	struct pades_sig sig;

	(void)state;
	snprintf(t, sizeof(t), "%s3 0 obj (changed) endobj\ntrailer <</Prev 99>>\n%%%%EOF\n", tail);
	len = make(f, sizeof(f), cms_hex, t, NULL);
	assert_int_equal(sread(f, len, &sig), PADES_EXTRA_REVISION);
	len = make(f, sizeof(f), cms_hex, ">> endobj\n%%EOF\ngarbage", NULL);
	assert_int_equal(sread(f, len, &sig), PADES_EXTRA_REVISION);
}

static void test_pades_refuses_a_range_not_around_contents(void **state)
{
	char f[1024];
	size_t len = make(f, sizeof(f), cms_hex, tail, NULL), r[4];
	struct pades_sig sig;

	(void)state;
	assert_int_equal(sread(f, len, &sig), PADES_OK);
	memcpy(r, sig.range, sizeof(r));
	pades_sig_free(&sig);
	/* One byte less at the end: the last byte is not covered. */
	r[3]--;
	len = make(f, sizeof(f), cms_hex, tail, r);
	assert_int_equal(sread(f, len, &sig), PADES_BAD_RANGE);
	/* The gap one byte wider than /Contents. */
	r[3]++, r[2]++, r[3]--;
	len = make(f, sizeof(f), cms_hex, tail, r);
	assert_int_equal(sread(f, len, &sig), PADES_BAD_RANGE);
	/* Not starting at 0. */
	r[2]--, r[3]++, r[0] = 1;
	len = make(f, sizeof(f), cms_hex, tail, r);
	assert_int_equal(sread(f, len, &sig), PADES_BAD_RANGE);
	/* The gap inside the portal's own bytes. */
	len = make(f, sizeof(f), cms_hex, tail, (size_t[]){0, 4, 10, 0});
	assert_int_equal(sread(f, len, &sig), PADES_BAD_RANGE);
}

static void test_pades_refuses_contents_not_der(void **state)
{
	char f[1024];
	size_t len;
	struct pades_sig sig;

	(void)state;
	len = make(f, sizeof(f), "3003020105000001", tail, NULL);
	assert_int_equal(sread(f, len, &sig), PADES_BAD_CONTENTS);
	len = make(f, sizeof(f), "30030201zz", tail, NULL);
	assert_int_equal(sread(f, len, &sig), PADES_BAD_CONTENTS);
	len = make(f, sizeof(f), "3009020105", tail, NULL);
	assert_int_equal(sread(f, len, &sig), PADES_BAD_CONTENTS);
	len = make(f, sizeof(f), "300", tail, NULL);
	assert_int_equal(sread(f, len, &sig), PADES_BAD_CONTENTS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pades_reads_one_signed_revision),
		cmocka_unit_test(test_pades_refuses_another_document),
		cmocka_unit_test(test_pades_refuses_unsigned_and_too_big),
		cmocka_unit_test(test_pades_refuses_a_revision_after_the_signature),
		cmocka_unit_test(test_pades_refuses_a_range_not_around_contents),
		cmocka_unit_test(test_pades_refuses_contents_not_der),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
