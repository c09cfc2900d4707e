/*
 * Signed requests over HTTP (issue 19, points 1 and 3): on the member's
 * order page "Potpišite elektronski", the request and the contract
 * downloaded, signed by the test (a test CA made with OpenSSL, trusted
 * through sign_trusted_cas; its CRL served by the test; the byte-range
 * dance of tests/unit/app/sign_fx.c) and uploaded.  Each check that
 * fails answers with its own message in Serbian and English and changes
 * nothing; both documents verified, the order's documents are received,
 * the history says who signed with which certificate, and the office
 * sees it on the order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "harness_sql.h"
#include "journey.h"
#include "sign_fx.h"
#include "sign_upload.h"
#include "store/store.h"

#define ZARKO_JMBG "1203978711237"
#define ANA_JMBG "0101990710006"
#define REVOKED 66

struct fx {
	struct journey_fx f;
	struct sign_fx_trusted t;
	long long id;
};

static int setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));
	char env[128];
	const char *envs[] = {env, NULL};

	if (x == NULL || sign_fx_trusted_make(&x->t, "Test kvalifikovani CA", REVOKED) != 0)
		return -1;
	snprintf(env, sizeof(env), "QCRA_SIGN_TRUSTED_CAS=%s", x->t.pem);
	if (journey_fx_start(&x->f, envs) != 0)
		return -1;
	journey_member(&x->f.s, &x->f.c, &demo_zarko, "zdjuras", "Lozinka-za-test-1");
	x->id = journey_order(&x->f.c, &x->f.r, "NS", NULL, NULL);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;

	journey_fx_stop(&x->f);
	sign_fx_trusted_free(&x->t);
	free(x);
	return 0;
}

#define BODY(x) ((x)->f.r.body.data ? (const char *)(x)->f.r.body.data : "")

/* The document as the portal issues it (GET /orders/N/DOC.pdf). */
static unsigned char *issued(struct fx *x, const char *doc, size_t *len)
{
	return sign_issued(&x->f.c, &x->f.r, x->id, doc, len);
}

/* doc signed by a certificate of the test CA for jmbg. */
static unsigned char *signed_doc(struct fx *x, const char *doc, const char *jmbg, long from,
				 long to, long serial, const EVP_MD *md, size_t *len)
{
	size_t olen;
	unsigned char *orig = issued(x, doc, &olen), *f;
	EVP_PKEY *key;
	X509 *cert = sign_fx_person(&x->t.ca, jmbg, from, to, serial, x->t.crl_url, &key);

	f = sign_fx_pdf(orig, olen, cert, key, x->t.ca.cert, md, len);
	X509_free(cert);
	EVP_PKEY_free(key);
	free(orig);
	return f;
}

/* POSTs file as the signed doc, the answer in lang.  The status. */
static long upload(struct fx *x, const char *doc, const unsigned char *file, size_t len,
		   const char *lang)
{
	return sign_upload(&x->f.c, &x->f.r, x->id, doc, file, len, lang);
}

static void refused_with(struct fx *x, const unsigned char *f, size_t len, const char *sr,
			 const char *en)
{
	assert_int_equal(upload(x, "request", f, len, "sr"), 409);
	assert_non_null(strstr(BODY(x), sr));
	assert_int_equal(upload(x, "request", f, len, "en"), 409);
	assert_non_null(strstr(BODY(x), en));
}

static void test_signed_page_offers_signing(void **state)
{
	struct fx *x = *state;
	char path[64];

	snprintf(path, sizeof(path), "/orders/%lld?lang=sr", x->id);
	assert_int_equal(journey_get(&x->f.c, path, &x->f.r), 200);
	assert_non_null(strstr(BODY(x), "Potpišite elektronski"));
	assert_non_null(strstr(BODY(x), "enctype=\"multipart/form-data\""));
	snprintf(path, sizeof(path), "/orders/%lld?lang=en", x->id);
	assert_int_equal(journey_get(&x->f.c, path, &x->f.r), 200);
	assert_non_null(strstr(BODY(x), "Sign electronically"));
}

/* Every check that fails, each with its message in both languages; the
 * order stays as it was. */
static void test_signed_refusals_say_what_is_wrong(void **state)
{
	struct fx *x = *state;
	unsigned char *f, *o;
	size_t len, olen;
	EVP_PKEY *key;
	X509 *self;

	/* A signature over a different PDF: the contract sent as the request. */
	f = signed_doc(x, "contract", ZARKO_JMBG, -3600, 86400, 20, NULL, &len);
	refused_with(x, f, len, "nije dokument koji je portal izdao",
		     "is not the document the portal issued");
	free(f);
	/* A byte changed after signing. */
	f = signed_doc(x, "request", ZARKO_JMBG, -3600, 86400, 21, NULL, &len);
	f[len - 8] ^= 1;
	refused_with(x, f, len, "Potpis ne odgovara sadržaju", "does not match the content");
	/* A second revision after the signature. */
	f[len - 8] ^= 1;
	f = realloc(f, len + 40);
	memcpy(f + len, "9 0 obj (x) endobj\n%%EOF\n", 25);
	refused_with(x, f, len + 25, "menjan posle potpisivanja", "changed after it was signed");
	free(f);
	/* A self-signed certificate. */
	o = issued(x, "request", &olen);
	self = sign_fx_person(NULL, ZARKO_JMBG, -3600, 86400, 22, NULL, &key);
	f = sign_fx_pdf(o, olen, self, key, NULL, NULL, &len);
	refused_with(x, f, len, "kome portal veruje",
		     "a certification authority the portal trusts");
	free(f);
	free(o);
	X509_free(self);
	EVP_PKEY_free(key);
	/* Another member's certificate. */
	f = signed_doc(x, "request", ANA_JMBG, -3600, 86400, 23, NULL, &len);
	refused_with(x, f, len, "Dokument je potpisao neko drugi",
		     "Someone else signed the document");
	free(f);
	/* A revoked certificate. */
	f = signed_doc(x, "request", ZARKO_JMBG, -3600, 86400, REVOKED, NULL, &len);
	refused_with(x, f, len, "je opozvan", "is revoked");
	free(f);
	/* An expired certificate. */
	f = signed_doc(x, "request", ZARKO_JMBG, -7200, -3600, 24, NULL, &len);
	refused_with(x, f, len, "nije bio važeći u trenutku potpisivanja", "was not valid when");
	free(f);
	/* A wrong digest algorithm. */
	f = signed_doc(x, "request", ZARKO_JMBG, -3600, 86400, 25, EVP_sha1(), &len);
	refused_with(x, f, len, "algoritam sažetka", "digest algorithm that is not accepted");
	free(f);
	/* A malformed file, and the issued PDF unsigned. */
	refused_with(x, (const unsigned char *)"%PDF-1.7 garbage", 16,
		     "nije dokument koji je portal", "is not the document the portal");
	o = issued(x, "request", &olen);
	refused_with(x, o, olen, "nema elektronskog potpisa", "carries no electronic signature");
	/* A document the portal does not issue: which one is asked, not a file. */
	assert_int_equal(upload(x, "xx", o, olen, "sr"), 400);
	assert_non_null(strstr(BODY(x), "Izaberite koji dokument"));
	assert_int_equal(upload(x, "xx", o, olen, "en"), 400);
	assert_non_null(strstr(BODY(x), "Choose which document"));
	free(o);
	/* Nothing changed. */
	{
		char path[64];

		snprintf(path, sizeof(path), "/orders/%lld?lang=sr", x->id);
		assert_int_equal(journey_get(&x->f.c, path, &x->f.r), 200);
		assert_null(strstr(BODY(x), "Potpisan i proveren"));
	}
}

/* Over sign_max_bytes: refused by its message (the limit lowered to its
 * least for the test would need another server; the body limit of the
 * upload itself is max_upload_bytes, server.c). */
static void test_signed_huge_file_is_refused(void **state)
{
	struct fx *x = *state;
	size_t len = 21 * 1024 * 1024;
	unsigned char *f = calloc(1, len);

	memcpy(f, "%PDF", 4);
	refused_with(x, f, len, "Datoteka je prevelika", "The file is too large");
	free(f);
}

static void test_signed_both_documents_received(void **state)
{
	struct fx *x = *state;
	unsigned char *f;
	size_t len;
	char path[64], *loc;

	f = signed_doc(x, "request", ZARKO_JMBG, -3600, 86400, 30, NULL, &len);
	assert_int_equal(upload(x, "request", f, len, "sr"), 303);
	loc = journey_location(&x->f.r);
	snprintf(path, sizeof(path), "/orders/%lld", x->id);
	assert_string_equal(loc, path);
	free(loc);
	free(f);
	snprintf(path, sizeof(path), "/orders/%lld?lang=sr", x->id);
	assert_int_equal(journey_get(&x->f.c, path, &x->f.r), 200);
	assert_non_null(strstr(BODY(x), "Potpisan i proveren"));
	assert_non_null(strstr(BODY(x), "sertifikat 1E"));
	assert_non_null(strstr(BODY(x), "Potvrđen, čeka dokumentaciju i uplatu"));

	f = signed_doc(x, "contract", ZARKO_JMBG, -3600, 86400, 31, NULL, &len);
	assert_int_equal(upload(x, "contract", f, len, "en"), 303);
	free(f);
	snprintf(path, sizeof(path), "/orders/%lld?lang=sr", x->id);
	assert_int_equal(journey_get(&x->f.c, path, &x->f.r), 200);
	assert_non_null(strstr(BODY(x), "Dokumentacija primljena elektronski"));
	assert_non_null(strstr(BODY(x), "Ugovor potpisan elektronski i proveren"));
	assert_non_null(strstr(BODY(x), "opoziv crl:good"));
	assert_null(strstr(BODY(x), "Potpišite elektronski")); /* no longer waiting */
	/* Once received, an upload is not taken. */
	f = signed_doc(x, "request", ZARKO_JMBG, -3600, 86400, 32, NULL, &len);
	assert_int_equal(upload(x, "request", f, len, "en"), 409);
	assert_non_null(strstr(BODY(x), "is not waiting for documents"));
	/* The error page shows no state: the message says where it is. */
	assert_null(strstr(BODY(x), "state above"));
	free(f);
}

struct audit_count {
	int ok, denied;
	char detail[AUDIT_DETAIL_SIZE];
};

static int count_audit(void *arg, const struct audit_entry *e)
{
	struct audit_count *n = arg;

	if (strcmp(e->outcome, "ok") == 0) {
		n->ok++;
		snprintf(n->detail, sizeof(n->detail), "%s", e->detail);
	} else if (strcmp(e->outcome, "denied") == 0)
		n->denied++;
	return 0;
}

/* Every upload is in the audit log: the refused ones with the check
 * that failed, the verified ones with signer, serial and status. */
static void test_signed_uploads_are_audited(void **state)
{
	struct fx *x = *state;
	struct audit_filter af = {0};
	struct audit_count n = {0};
	struct store *st = journey_db(&x->f.s);
	char object[32];

	snprintf(object, sizeof(object), "order:%lld", x->id);
	af.action = "order.signed";
	af.object = object;
	assert_non_null(st);
	assert_int_equal(store_audit_each(st, &af, count_audit, &n), STORE_OK);
	store_close(st);
	assert_int_equal(n.ok, 2);
	assert_true(n.denied >= 22); /* test_signed_refusals_say_what_is_wrong's, twice each */
	assert_non_null(strstr(n.detail, "contract signed by /C=RS/CN="));
	assert_non_null(strstr(n.detail, "PNORS-" ZARKO_JMBG));
	assert_non_null(strstr(n.detail, "certificate 1F, crl:good"));
}

/* The office sees what was signed, by whom, on the order. */
static void test_signed_office_sees_it(void **state)
{
	struct fx *x = *state;
	struct client op;
	struct response r = {0};
	char path[64];

	assert_int_equal(client_init(&op, &x->f.s), 0);
	journey_staff(&x->f.s, &op, "ns1", "operator", "NS", "Lozinka-za-test-2", NULL, 0);
	snprintf(path, sizeof(path), "/ra/orders/%lld?lang=sr", x->id);
	assert_int_equal(journey_get(&op, path, &r), 200);
	assert_non_null(strstr((const char *)r.body.data, "Potpisano elektronski"));
	assert_non_null(strstr((const char *)r.body.data, "Zahtev: /C=RS/CN="));
	assert_non_null(strstr((const char *)r.body.data, "PNORS-" ZARKO_JMBG));
	response_free(&r);
	client_free(&op);
}

/* ---- The office confirms a signer by hand ------------------------------------------------ */

/* doc signed with a certificate of the test CA whose subject
 * serialNumber is sn as written (NULL: none), as another qualified CA's. */
static unsigned char *signed_as(struct fx *x, const char *doc, const char *sn, long serial,
				size_t *len)
{
	size_t olen;
	unsigned char *orig = issued(x, doc, &olen), *f;
	EVP_PKEY *key;
	X509 *cert = sign_fx_person_sn(&x->t.ca, sn, serial, x->t.crl_url, &key);

	f = sign_fx_pdf(orig, olen, cert, key, x->t.ca.cert, NULL, len);
	X509_free(cert);
	EVP_PKEY_free(key);
	free(orig);
	return f;
}

/* POSTs the NULL-terminated name, value pairs to path as c (CSRF token
 * of its session).  Returns the status. */
static long post_as(struct client *c, struct response *r, const char *path, ...)
{
	va_list ap;
	long status;

	va_start(ap, path);
	status = journey_vpost(c, path, r, ap);
	va_end(ap);
	return status;
}

static void body_has(const struct response *r, const char *text)
{
	const char *b = r->body.data ? (const char *)r->body.data : "";

	if (strstr(b, text) == NULL)
		fprintf(stderr, "the page lacks \"%s\":\n%s\n", text, b);
	assert_non_null(strstr(b, text));
}

/* The review state of order id's doc, as stored, is want. */
static void review_is(struct fx *x, long long id, const char *doc, const char *want)
{
	char sid[24], *v;
	const char *params[] = {sid, doc, NULL};

	snprintf(sid, sizeof(sid), "%lld", id);
	v = server_sql_ok(&x->f.s,
			  "SELECT review FROM order_signatures WHERE order_id = $1 AND doc = $2",
			  params);
	assert_string_equal(v, want);
	free(v);
}

/*
 * A certificate that names no JMBG (another CA's serialNumber, or
 * none): kept as awaiting the office, the member told so; the office's
 * order page shows signer and holder side by side; only an operator of
 * the order's office decides, after a confirmation step; confirmed, it
 * counts as a verified upload; refused, the member is told why and may
 * upload again.
 */
/* Whether the office's queue and its dashboard (op's) mark the order
 * x->id as having a signature awaiting the office: in its row, in
 * Serbian and English. */
static void queue_marks(struct fx *x, struct client *op, int held)
{
	static const char *const pages[] = {"/ra/queue?state=documents&lang=sr",
					    "/ra/queue?state=documents&lang=en", "/ra?lang=sr"};
	static const char *const label[] = {"Potpis čeka potvrdu", "Signature to confirm",
					    "Potpis čeka potvrdu"};
	struct response r = {0};
	char row[64];
	const char *at, *end;

	snprintf(row, sizeof(row), "/ra/orders/%lld\"", x->id);
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		assert_int_equal(journey_get(op, pages[i], &r), 200);
		at = strstr(r.body.data ? (const char *)r.body.data : "", row);
		if (i == 2 && at == NULL) /* the dashboard shows the oldest five */
			continue;
		assert_non_null(at);
		end = strstr(at, "</tr>");
		assert_non_null(end);
		at = strstr(at, label[i]);
		assert_true(held ? at != NULL && at < end : at == NULL || at > end);
	}
	response_free(&r);
}

static void test_signed_office_confirms_the_signer_by_hand(void **state)
{
	struct fx *x = *state;
	long long first = x->id;
	struct client op, other, admin;
	struct response r = {0};
	unsigned char *f;
	char path[80], *v, *loc;
	size_t len;

	x->id = journey_order(&x->f.c, &x->f.r, "NS", NULL, NULL);
	f = signed_as(x, "request", "IDCRS-12345678", 50, &len);
	assert_int_equal(upload(x, "request", f, len, "sr"), 303);
	free(f);
	review_is(x, x->id, "request", "1");
	snprintf(path, sizeof(path), "/orders/%lld?lang=sr", x->id);
	assert_int_equal(journey_get(&x->f.c, path, &x->f.r), 200);
	body_has(&x->f.r, "čeka potvrdu kancelarije");
	assert_null(strstr(BODY(x), "Potpisan i proveren"));
	snprintf(path, sizeof(path), "/orders/%lld?lang=en", x->id);
	assert_int_equal(journey_get(&x->f.c, path, &x->f.r), 200);
	body_has(&x->f.r, "awaiting the office");

	/* The office's page: the certificate beside the request. */
	assert_int_equal(client_init(&op, &x->f.s), 0);
	journey_staff(&x->f.s, &op, "ns2", "operator", "NS", "Lozinka-za-test-2", NULL, 0);
	snprintf(path, sizeof(path), "/ra/orders/%lld?lang=sr", x->id);
	assert_int_equal(journey_get(&op, path, &r), 200);
	body_has(&r, "Potvrdi da je potpisnik nosilac");
	body_has(&r, "Odbij");
	body_has(&r, "IDCRS-12345678");
	body_has(&r, "Petar Petrović");
	body_has(&r, "Test kvalifikovani CA");
	body_has(&r, "\xc4\x90ura\xc5\xa1kovi\xc4\x87");
	body_has(&r, ZARKO_JMBG);
	body_has(&r, "name=\"decision\" value=\"confirm\"");
	/* The office's queues mark the order, in either language. */
	queue_marks(x, &op, 1);

	/* Another office's operator: as if there were no such order; an
	 * administrator: not theirs to decide. */
	snprintf(path, sizeof(path), "/ra/orders/%lld/signed", x->id);
	assert_int_equal(client_init(&other, &x->f.s), 0);
	journey_staff(&x->f.s, &other, "bg2", "operator", "BG", "Lozinka-za-test-3", NULL, 0);
	assert_int_equal(post_as(&other, &r, path, "doc", "request", "decision", "confirm",
				 "confirm", "1", NULL),
			 404);
	assert_int_equal(client_init(&admin, &x->f.s), 0);
	journey_staff(&x->f.s, &admin, "adm2", "admin", NULL, "Lozinka-za-test-4", NULL, 0);
	assert_int_equal(post_as(&admin, &r, path, "doc", "request", "decision", "confirm",
				 "confirm", "1", NULL),
			 403);
	/* Without confirm=1: what will happen, nothing done. */
	assert_int_equal(post_as(&op, &r, path, "doc", "request", "decision", "confirm", NULL),
			 200);
	body_has(&r, "name=\"confirm\" value=\"1\"");
	body_has(&r, "Petar Petrović");
	review_is(x, x->id, "request", "1");
	/* Confirmed: counted as a verified signature. */
	assert_int_equal(post_as(&op, &r, path, "doc", "request", "decision", "confirm", "confirm",
				 "1", NULL),
			 303);
	loc = journey_location(&r);
	assert_non_null(strstr(loc, "?done=sign_confirm"));
	free(loc);
	review_is(x, x->id, "request", "0");
	queue_marks(x, &op, 0);
	/* Decided: a second decision is refused and changes nothing. */
	assert_int_equal(post_as(&op, &r, path, "doc", "request", "decision", "refuse", "confirm",
				 "1", NULL),
			 409);
	snprintf(path, sizeof(path), "/orders/%lld?lang=sr", x->id);
	assert_int_equal(journey_get(&x->f.c, path, &x->f.r), 200);
	body_has(&x->f.r, "Potpisan i proveren");
	body_has(&x->f.r, "kancelarija potvrdila");

	/* The contract with no serialNumber at all: refused by the office. */
	f = signed_as(x, "contract", NULL, 51, &len);
	assert_int_equal(upload(x, "contract", f, len, "sr"), 303);
	free(f);
	snprintf(path, sizeof(path), "/ra/orders/%lld/signed", x->id);
	assert_int_equal(post_as(&op, &r, path, "doc", "contract", "decision", "refuse", "confirm",
				 "1", NULL),
			 303);
	review_is(x, x->id, "contract", "2");
	snprintf(path, sizeof(path), "/orders/%lld?lang=en", x->id);
	assert_int_equal(journey_get(&x->f.c, path, &x->f.r), 200);
	body_has(&x->f.r, "The office did not confirm");
	body_has(&x->f.r, "Confirmed, awaiting documents and payment");
	{
		char sid[24];
		const char *params[] = {sid, NULL};

		snprintf(sid, sizeof(sid), "%lld", x->id);
		v = server_sql_ok(&x->f.s,
				  "SELECT COUNT(*) FROM outbox WHERE order_id = $1 AND subject = "
				  "'mail.sign_refused'",
				  params);
		assert_string_equal(v, "1");
		free(v);
	}

	/* Signed again with the holder's own certificate: both in, received. */
	f = signed_doc(x, "contract", ZARKO_JMBG, -3600, 86400, 52, NULL, &len);
	assert_int_equal(upload(x, "contract", f, len, "sr"), 303);
	free(f);
	snprintf(path, sizeof(path), "/orders/%lld?lang=sr", x->id);
	assert_int_equal(journey_get(&x->f.c, path, &x->f.r), 200);
	body_has(&x->f.r, "Dokumentacija primljena elektronski");

	/* The history and the audit log name the operator and the decision. */
	snprintf(path, sizeof(path), "/ra/orders/%lld?lang=en", x->id);
	assert_int_equal(journey_get(&op, path, &r), 200);
	body_has(&r, "ns2");
	body_has(&r, "the office confirmed");
	body_has(&r, "the office did not confirm");
	{
		char obj[32];
		const char *params[] = {obj, NULL};

		snprintf(obj, sizeof(obj), "order:%lld", x->id);
		v = server_sql_ok(
			&x->f.s,
			"SELECT COUNT(*) FROM audit_log WHERE object = $1 AND action = "
			"'order.sign_decide' AND outcome = 'ok' AND actor = 'operator:ns2'",
			params);
		assert_string_equal(v, "2");
		free(v);
	}
	response_free(&r);
	client_free(&op);
	client_free(&other);
	client_free(&admin);
	x->id = first;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signed_page_offers_signing),
		cmocka_unit_test(test_signed_refusals_say_what_is_wrong),
		cmocka_unit_test(test_signed_huge_file_is_refused),
		cmocka_unit_test(test_signed_both_documents_received),
		cmocka_unit_test(test_signed_office_sees_it),
		cmocka_unit_test(test_signed_uploads_are_audited),
		cmocka_unit_test(test_signed_office_confirms_the_signer_by_hand),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
