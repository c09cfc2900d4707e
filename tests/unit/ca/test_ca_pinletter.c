/*
 * The PIN letter: issuing a card leaves DIR/letters/ORDER.pdf (0600)
 * with the holder's name and a PIN that logs in to the card token;
 * the CA database holds neither PIN nor PUK; `qcra ca pin-letter`
 * hands the letter out once and deletes the CA's copy.
 *
 * The CA is created with the real `qcra ca init` and driven in-process
 * (ca_open, ca_submit); the card is checked with pkcs11-tool.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "ca_testlib.h"
#include <jansson.h>

#include "ca/ca.h"
#include "ca/ca_service.h"
#include "util/buf.h"

#define NATURAL                                                                                    \
	"{\"order_id\":\"T-PIN-1\",\"profile\":\"natural\",\"validity_years\":3,"                  \
	"\"office\":\"BG\",\"subject\":{\"given_name\":\"Žarko\",\"surname\":\"Đurašković\","  \
	"\"jmbg\":\"0101990710008\"}}"

static char dir[64], cadir[128], card[64], pin[16], puk[16];
static const char *bin;

static int setup(void **state)
{
	struct ca_conf c;
	struct ca *ca;
	json_t *o = NULL;
	char err[512];
	int rc;

	(void)state;
	bin = getenv("QCRA_BIN");
	if (bin == NULL)
		return -1;
	snprintf(dir, sizeof(dir), "/tmp/qcra-pin-test-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(cadir, sizeof(cadir), "%s/ca", dir);
	if (sh(NULL, "'%s' ca init --dir '%s' --organization 'Privredna komora Srbije' >&2", bin,
	       cadir) != 0)
		return -1;
	ca_conf_defaults(&c, cadir);
	if (ca_conf_load(&c, err, sizeof(err)) != 0)
		return -1;
	ca = ca_open(&c, err, sizeof(err));
	if (ca == NULL) {
		fprintf(stderr, "ca_open: %s\n", err);
		return -1;
	}
	rc = ca_submit(ca, NATURAL, strlen(NATURAL), &o);
	ca_close(ca);
	if (rc != CA_CREATED || !json_is_string(json_object_get(o, "card"))) {
		json_decref(o);
		return -1;
	}
	snprintf(card, sizeof(card), "%s", json_string_value(json_object_get(o, "card")));
	json_decref(o);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (getenv("QCRA_KEEP") == NULL)
		sh(NULL, "rm -rf '%s'", dir);
	return 0;
}

static void test_letter_is_stored_sealed(void **state)
{
	char path[256];
	struct stat st;

	(void)state;
	snprintf(path, sizeof(path), "%s/letters/T-PIN-1.pdf", cadir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_true(st.st_size > 1000);
	snprintf(path, sizeof(path), "%s/letters", cadir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
}

static void test_letter_shows_holder_and_a_working_pin(void **state)
{
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(sh(&out, "pdftotext -enc UTF-8 '%s/letters/T-PIN-1.pdf' -", cadir), 0);
	assert_non_null(strstr(out.data, "Žarko Đurašković"));
	assert_non_null(strstr(out.data, "T-PIN-1"));
	assert_non_null(strstr(out.data, card));
	assert_non_null(strstr(out.data, "Privredna komora Srbije"));
	assert_non_null(strstr(out.data, "Sertifikaciono telo ne čuva"));
	digits_after(out.data, "PIN:", 6, pin);
	digits_after(out.data, "PUK:", 8, puk);
	buf_free(&out);

	/* The printed PIN is the card's user PIN: with it the private key
	 * is visible (without it, it is not; see test_ca_service). */
	assert_int_equal(sh(&out,
			    "SOFTHSM2_CONF='%s/softhsm2.conf' pkcs11-tool --module "
			    "/usr/lib/softhsm/libsofthsm2.so --token-label %s --login --pin %s "
			    "--list-objects 2>&1",
			    cadir, card, pin),
			 0);
	assert_non_null(strstr(out.data, "Private Key Object"));
	buf_free(&out);
	/* A wrong PIN does not log in. */
	assert_int_not_equal(sh(&out,
				"SOFTHSM2_CONF='%s/softhsm2.conf' pkcs11-tool --module "
				"/usr/lib/softhsm/libsofthsm2.so --token-label %s --login --pin "
				"%s1 --list-objects 2>&1",
				cadir, card, pin),
			     0);
	buf_free(&out);
}

static void test_database_holds_no_pin_or_puk(void **state)
{
	struct buf out = BUF_INIT;

	(void)state;
	assert_true(pin[0] != '\0' && puk[0] != '\0');
	/* grep exits 1 when nothing matches in any of the files. */
	assert_int_equal(sh(NULL, "cat '%s'/ca.db* | grep -a -q -F -e %s -e %s", cadir, pin, puk),
			 1);
	/* Only a note that the letter was produced, and when. */
	assert_int_equal(sh(&out,
			    "sqlite3 '%s/ca.db' \"SELECT object || '@' || at FROM events WHERE "
			    "action = 'pin_letter'\"",
			    cadir),
			 0);
	assert_non_null(strstr(out.data, "T-PIN-1@20"));
	buf_free(&out);
}

static void test_pin_letter_is_handed_out_once(void **state)
{
	struct buf out = BUF_INIT;
	char path[256];
	struct stat st;

	(void)state;
	assert_int_equal(strlen(pin), 6);
	assert_int_equal(sh(&out,
			    "'%s' ca pin-letter --dir '%s' --order T-PIN-1 --out '%s/l.pdf' 2>&1",
			    bin, cadir, dir),
			 0);
	buf_free(&out);
	snprintf(path, sizeof(path), "%s/l.pdf", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(sh(&out, "pdftotext -enc UTF-8 '%s' -", path), 0);
	assert_non_null(strstr(out.data, "Žarko Đurašković"));
	assert_non_null(strstr(out.data, pin));
	buf_free(&out);
	snprintf(path, sizeof(path), "%s/letters/T-PIN-1.pdf", cadir);
	assert_int_not_equal(stat(path, &st), 0);

	assert_int_equal(sh(&out,
			    "'%s' ca pin-letter --dir '%s' --order T-PIN-1 --out '%s/l2.pdf' 2>&1",
			    bin, cadir, dir),
			 1);
	assert_non_null(strstr(out.data, "already collected"));
	buf_free(&out);
	assert_int_equal(sh(&out,
			    "'%s' ca pin-letter --dir '%s' --order T-NONE --out '%s/l3.pdf' 2>&1",
			    bin, cadir, dir),
			 1);
	assert_non_null(strstr(out.data, "no card was issued"));
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_letter_is_stored_sealed),
		cmocka_unit_test(test_letter_shows_holder_and_a_working_pin),
		cmocka_unit_test(test_database_holds_no_pin_or_puk),
		cmocka_unit_test(test_pin_letter_is_handed_out_once),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
