/* The cache of rendered documents: a hit only for exactly the same
 * order; another order or a changed one is rendered anew. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "docs/docs.h"
#include "docs/render.h"
#include "util/embedded.h"

static struct catalog cat;

static int setup(void **state)
{
	const struct embedded_file *f = embedded_find("data/catalog.ini");
	char err[256];

	if (f == NULL || catalog_parse(&cat, (const char *)f->data, err, sizeof(err)) != 0)
		return -1;
	doc_set_renderer(doc_render);
	doc_cache_clear();
	return 0;
}

static int teardown(void **state)
{
	doc_cache_clear();
	return 0;
}

static void order_of(struct order *o, long long id, const char *name)
{
	memset(o, 0, sizeof(*o));
	o->id = id;
	o->account_id = 7;
	o->type = ORDER_NATURAL;
	o->state = WF_CONFIRMED;
	snprintf(o->first_name, sizeof(o->first_name), "%s", name);
	snprintf(o->last_name, sizeof(o->last_name), "Petrovi\xc4\x87");
	snprintf(o->jmbg, sizeof(o->jmbg), "0511985715143");
	snprintf(o->id_type, sizeof(o->id_type), "id_card");
	snprintf(o->id_number, sizeof(o->id_number), "123456789");
	snprintf(o->id_issuer, sizeof(o->id_issuer), "PU Novi Sad");
	snprintf(o->street, sizeof(o->street), "Zmaj Jovina 1");
	snprintf(o->postal_code, sizeof(o->postal_code), "21000");
	snprintf(o->city, sizeof(o->city), "Novi Sad");
	snprintf(o->email, sizeof(o->email), "ana@example.rs");
	snprintf(o->phone, sizeof(o->phone), "+381641234567");
	snprintf(o->license_number, sizeof(o->license_number), "311234567");
	snprintf(o->office, sizeof(o->office), "NS");
	snprintf(o->validity, sizeof(o->validity), "3y");
	assert_int_equal(order_payment_ref(id, o->payment_ref, sizeof(o->payment_ref)), 0);
	o->created_at = o->updated_at = o->confirmed_at = 1760000000;
}

/* The cached answer equals a fresh rendering, byte for byte. */
static void assert_same_as_fresh(const struct order *o)
{
	struct buf cached = BUF_INIT, fresh = BUF_INIT;

	assert_int_equal(doc_order_pdf(o, &cat, "proforma.pdf", LANG_SR, &cached), 0);
	assert_int_equal(doc_proforma_pdf(o, &cat, &fresh), 0);
	assert_int_equal(cached.len, fresh.len);
	assert_memory_equal(cached.data, fresh.data, fresh.len);
	buf_free(&cached);
	buf_free(&fresh);
}

static void test_repeat_download_is_identical(void **state)
{
	struct order o;

	order_of(&o, 1, "Ana");
	assert_same_as_fresh(&o);
	assert_same_as_fresh(&o); /* now from the cache */
}

static void test_other_order_never_gets_a_cached_document(void **state)
{
	struct order a, b;

	order_of(&a, 1, "Ana");
	order_of(&b, 2, "Ana");
	assert_same_as_fresh(&a);
	assert_same_as_fresh(&b); /* differs only by id: must not be a's */
}

static void test_changed_order_is_rendered_anew(void **state)
{
	struct order o;

	order_of(&o, 3, "Ana");
	assert_same_as_fresh(&o);
	snprintf(o.first_name, sizeof(o.first_name), "Milica");
	o.updated_at++;
	assert_same_as_fresh(&o);
}

static void test_unknown_document_name_is_refused(void **state)
{
	struct buf b = BUF_INIT;
	struct order o;

	order_of(&o, 4, "Ana");
	assert_int_equal(doc_order_pdf(&o, &cat, "../secret.pdf", LANG_SR, &b), -2);
	assert_int_equal(b.len, 0);
	buf_free(&b);
}

static void test_many_orders_stay_correct_past_the_limit(void **state)
{
	struct order o;
	long long id;

	for (id = 100; id < 180; id++) { /* more than the cache holds */
		struct buf b = BUF_INIT;

		order_of(&o, id, "Ana");
		assert_int_equal(doc_order_pdf(&o, &cat, "request.pdf", LANG_SR, &b), 0);
		buf_free(&b);
	}
	order_of(&o, 100, "Ana");
	assert_same_as_fresh(&o);
}

/* Through qcra-render (the portal's way): the same bytes as drawn in
 * this process, for several documents in a row on the same children;
 * after render_stop (the children gone), the next request starts a new
 * child and still gets them; an unknown name is refused there too. */
static void test_child_process_draws_the_same_bytes(void **state)
{
	static const char *const names[] = {"request.pdf", "contract.pdf", "proforma.pdf"};
	struct buf child = BUF_INIT, here = BUF_INIT;
	struct order o;
	size_t i;

	(void)state;
	order_of(&o, 7, "Jovana");
	for (i = 0; i < 2 * 3; i++) {
		if (i == 3)
			render_stop();
		buf_reset(&child);
		buf_reset(&here);
		assert_int_equal(render_order_pdf(&o, &cat, names[i % 3], LANG_SR, &child), 0);
		assert_int_equal(doc_render(&o, &cat, names[i % 3], LANG_SR, &here), 0);
		assert_true(child.len > 1000);
		assert_int_equal(child.len, here.len);
		assert_memory_equal(child.data, here.data, here.len);
	}
	buf_reset(&child);
	assert_int_equal(render_order_pdf(&o, &cat, "../x.pdf", LANG_SR, &child), -2);
	assert_int_equal(child.len, 0);
	render_stop();
	buf_free(&child);
	buf_free(&here);
}

/* A renderer that dies without answering: the request fails (after one
 * fresh try), nothing is appended, and the next request with a working
 * renderer succeeds. */
static void test_dead_child_fails_cleanly_then_recovers(void **state)
{
	const char *real = getenv("QCRA_RENDER_BIN");
	char *saved = real != NULL ? strdup(real) : NULL;
	struct buf out = BUF_INIT;
	struct order o;

	(void)state;
	order_of(&o, 8, "Milan");
	render_stop();
	assert_int_equal(setenv("QCRA_RENDER_BIN", "/bin/true", 1), 0);
	buf_puts(&out, "kept");
	assert_int_equal(render_order_pdf(&o, &cat, "proforma.pdf", LANG_SR, &out), -1);
	assert_int_equal(out.len, 4);
	render_stop();
	if (saved != NULL)
		assert_int_equal(setenv("QCRA_RENDER_BIN", saved, 1), 0);
	else
		unsetenv("QCRA_RENDER_BIN");
	buf_reset(&out);
	assert_int_equal(render_order_pdf(&o, &cat, "proforma.pdf", LANG_SR, &out), 0);
	assert_memory_equal(out.data, "%PDF", 4);
	render_stop();
	buf_free(&out);
	free(saved);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_repeat_download_is_identical),
		T(test_other_order_never_gets_a_cached_document),
		T(test_changed_order_is_rendered_anew),
		T(test_unknown_document_name_is_refused),
		T(test_many_orders_stay_correct_past_the_limit),
		T(test_child_process_draws_the_same_bytes),
		T(test_dead_child_fails_cleanly_then_recovers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
