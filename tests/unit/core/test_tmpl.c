/* Specification of the template engine (tmpl/tmpl.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tmpl/tmpl.h"

struct fixture {
	struct arena a;
	struct tmpl_set *s;
	struct tctx *c;
	struct buf out;
	char err[256];
};

static int setup(void **state)
{
	static struct fixture fx;

	arena_init(&fx.a);
	fx.s = tmpl_set_new();
	fx.c = tctx_new(&fx.a);
	fx.out = (struct buf)BUF_INIT;
	fx.err[0] = '\0';
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	tmpl_set_free(fx->s);
	buf_free(&fx->out);
	arena_free(&fx->a);
	return 0;
}

static struct fixture *fix(void **state)
{
	return *state;
}

static void add(void **state, const char *name, const char *src)
{
	struct fixture *fx = *state;

	if (tmpl_set_add(fx->s, name, src, strlen(src), fx->err, sizeof(fx->err)) != 0)
		fail_msg("tmpl_set_add(%s): %s", name, fx->err);
}

/* Parses src and returns the error message (asserting that it fails). */
static const char *add_err(void **state, const char *name, const char *src)
{
	struct fixture *fx = *state;

	assert_int_equal(tmpl_set_add(fx->s, name, src, strlen(src), fx->err, sizeof(fx->err)), -1);
	return fx->err;
}

static const char *messages(void *arg, const char *key)
{
	assert_string_equal((const char *)arg, "sr");
	if (strcmp(key, "greeting") == 0)
		return "Zdravo <svete> & \"svi\"";
	if (strcmp(key, "city") == 0)
		return "Ниш";
	return NULL;
}

/* Renders template `name` with the fixture's context into a fresh
 * output; returns the text, or NULL when rendering fails. */
static const char *render(void **state, const char *name)
{
	struct fixture *fx = *state;

	buf_reset(&fx->out);
	if (tmpl_render(fx->s, name, fx->c, messages, "sr", &fx->out) != 0)
		return NULL;
	return buf_cstr(&fx->out);
}

/* One-template shorthand: parses src as "t" and renders it. */
static const char *render_src(void **state, const char *src)
{
	add(state, "t", src);
	return render(state, "t");
}

/* ---- Variables ---- */

static void test_tmpl_renders_plain_text(void **state)
{
	assert_string_equal(render_src(state, "<p>no tags here</p>\n"), "<p>no tags here</p>\n");
}

static void test_tmpl_renders_empty_template(void **state)
{
	assert_string_equal(render_src(state, ""), "");
}

static void test_tmpl_substitutes_variables(void **state)
{
	tctx_set(fix(state)->c, "first", "Ana");
	tctx_set(fix(state)->c, "last", "Anić");
	assert_string_equal(render_src(state, "{{first}} {{last}}!"), "Ana Anić!");
}

static void test_tmpl_escapes_variables(void **state)
{
	tctx_set(fix(state)->c, "v", "<script>alert('x' & \"y\")</script>");
	assert_string_equal(
		render_src(state, "<b>{{v}}</b>"),
		"<b>&lt;script&gt;alert(&#39;x&#39; &amp; &quot;y&quot;)&lt;/script&gt;</b>");
}

static void test_tmpl_raw_variable_not_escaped(void **state)
{
	tctx_set(fix(state)->c, "body", "<p class=\"x\">A & B</p>");
	assert_string_equal(render_src(state, "<main>{{&body}}</main>"),
			    "<main><p class=\"x\">A & B</p></main>");
}

static void test_tmpl_missing_variable_renders_empty(void **state)
{
	assert_string_equal(render_src(state, "[{{nope}}][{{&nope}}]"), "[][]");
}

static void test_tmpl_whitespace_inside_tags_ignored(void **state)
{
	tctx_set(fix(state)->c, "a", "1");
	tctx_set_bool(fix(state)->c, "on", 1);
	assert_string_equal(render_src(state, "{{ a }}{{& a}}{{# on }}y{{/ on}}{{\ta\n}}"), "11y1");
}

static void test_tmpl_names_allow_dots_dashes_underscores(void **state)
{
	tctx_set(fix(state)->c, "order.id-2_x", "42");
	assert_string_equal(render_src(state, "{{order.id-2_x}}"), "42");
}

static void test_tmpl_bool_and_list_render_nothing_as_variables(void **state)
{
	tctx_set_bool(fix(state)->c, "b", 1);
	tctx_add(fix(state)->c, "l");
	assert_string_equal(render_src(state, "[{{b}}{{l}}]"), "[]");
}

static void test_tmpl_comment_renders_nothing(void **state)
{
	assert_string_equal(render_src(state, "a{{! a comment, with <b> and {{ in it }}b"), "ab");
}

static void test_tmpl_lone_braces_are_text(void **state)
{
	assert_string_equal(render_src(state, "a { b } c }} d"), "a { b } c }} d");
}

static void test_tmpl_setf_formats(void **state)
{
	tctx_setf(fix(state)->c, "n", "%d-%s", 7, "<x>");
	assert_string_equal(render_src(state, "{{n}}"), "7-&lt;x&gt;");
}

/* ---- Messages ---- */

static void test_tmpl_message_is_escaped(void **state)
{
	assert_string_equal(render_src(state, "{{@greeting}} / {{@city}}"),
			    "Zdravo &lt;svete&gt; &amp; &quot;svi&quot; / Ниш");
}

static void test_tmpl_unknown_message_renders_nothing(void **state)
{
	assert_string_equal(render_src(state, "[{{@nope}}]"), "[]");
}

static void test_tmpl_message_without_callback_renders_nothing(void **state)
{
	struct fixture *fx = *state;

	add(state, "t", "[{{@greeting}}]");
	assert_int_equal(tmpl_render(fx->s, "t", fx->c, NULL, NULL, &fx->out), 0);
	assert_string_equal(buf_cstr(&fx->out), "[]");
}

/* ---- Sections ---- */

static void test_tmpl_section_iterates_list(void **state)
{
	struct tctx *c = fix(state)->c, *it;
	const char *names[] = {"Ana", "Boško", "Ćirko"};
	size_t i;

	for (i = 0; i < 3; i++) {
		it = tctx_add(c, "people");
		tctx_set(it, "name", names[i]);
		tctx_setf(it, "n", "%zu", i + 1);
	}
	assert_string_equal(
		render_src(state, "<ul>{{#people}}<li>{{n}}. {{name}}</li>{{/people}}</ul>"),
		"<ul><li>1. Ana</li><li>2. Boško</li><li>3. Ćirko</li></ul>");
}

static void test_tmpl_section_item_sees_parent_values(void **state)
{
	struct tctx *c = fix(state)->c;

	tctx_set(c, "currency", "RSD");
	tctx_set(tctx_add(c, "prices"), "amount", "100");
	tctx_set(tctx_add(c, "prices"), "amount", "250");
	assert_string_equal(render_src(state, "{{#prices}}{{amount}} {{currency}};{{/prices}}"),
			    "100 RSD;250 RSD;");
}

static void test_tmpl_section_item_shadows_parent(void **state)
{
	struct tctx *c = fix(state)->c;

	tctx_set(c, "x", "outer");
	tctx_set(tctx_add(c, "l"), "x", "inner");
	tctx_add(c, "l");
	assert_string_equal(render_src(state, "{{#l}}{{x}},{{/l}}{{x}}"), "inner,outer,outer");
}

static void test_tmpl_nested_lists(void **state)
{
	struct tctx *c = fix(state)->c, *o;

	o = tctx_add(c, "orders");
	tctx_set(o, "id", "1");
	tctx_set(tctx_add(o, "lines"), "sku", "a");
	tctx_set(tctx_add(o, "lines"), "sku", "b");
	o = tctx_add(c, "orders");
	tctx_set(o, "id", "2");
	tctx_set_list(o, "lines");
	assert_string_equal(render_src(state, "{{#orders}}{{id}}:{{#lines}}{{id}}{{sku}} {{/lines}}"
					      "{{^lines}}none{{/lines}}|{{/orders}}"),
			    "1:1a 1b |2:none|");
}

/* A list's items see the context that owns the list, not whatever
 * context was current where the section was entered. */
static void test_tmpl_list_items_parent_is_owner(void **state)
{
	struct tctx *c = fix(state)->c, *o;

	tctx_set(c, "v", "root");
	o = tctx_add(c, "outer");
	tctx_set(o, "v", "outer-item");
	tctx_add(c, "roots");
	assert_string_equal(
		render_src(state, "{{#outer}}{{v}}/{{#roots}}{{v}}{{/roots}}{{/outer}}"),
		"outer-item/root");
}

static void test_tmpl_section_true_bool_renders_once(void **state)
{
	tctx_set_bool(fix(state)->c, "admin", 1);
	tctx_set(fix(state)->c, "who", "Đorđe");
	assert_string_equal(render_src(state, "{{#admin}}admin: {{who}}{{/admin}}"),
			    "admin: Đorđe");
}

static void test_tmpl_section_false_bool_renders_nothing(void **state)
{
	tctx_set_bool(fix(state)->c, "admin", 0);
	assert_string_equal(render_src(state, "[{{#admin}}x{{/admin}}]"), "[]");
}

static void test_tmpl_section_nonempty_string_renders_once(void **state)
{
	tctx_set(fix(state)->c, "error", "Pogrešna lozinka");
	assert_string_equal(render_src(state, "{{#error}}<p>{{error}}</p>{{/error}}"),
			    "<p>Pogrešna lozinka</p>");
}

static void test_tmpl_section_empty_string_renders_nothing(void **state)
{
	tctx_set(fix(state)->c, "error", "");
	assert_string_equal(render_src(state, "[{{#error}}x{{/error}}]"), "[]");
}

static void test_tmpl_section_missing_renders_nothing(void **state)
{
	assert_string_equal(render_src(state, "[{{#nope}}x{{>nowhere}}{{/nope}}]"), "[]");
}

static void test_tmpl_section_empty_list_renders_nothing(void **state)
{
	tctx_set_list(fix(state)->c, "l");
	assert_string_equal(render_src(state, "[{{#l}}x{{/l}}]"), "[]");
}

static void test_tmpl_inverted_section_on_empty_list(void **state)
{
	tctx_set_list(fix(state)->c, "orders");
	assert_string_equal(render_src(state, "{{^orders}}Nema porudžbina.{{/orders}}"),
			    "Nema porudžbina.");
}

static void test_tmpl_inverted_section_on_missing_false_or_empty(void **state)
{
	tctx_set_bool(fix(state)->c, "f", 0);
	tctx_set(fix(state)->c, "e", "");
	assert_string_equal(render_src(state, "{{^m}}m{{/m}}{{^f}}f{{/f}}{{^e}}e{{/e}}"), "mfe");
}

static void test_tmpl_inverted_section_skipped_when_truthy(void **state)
{
	struct tctx *c = fix(state)->c;

	tctx_set_bool(c, "b", 1);
	tctx_set(c, "s", "x");
	tctx_add(c, "l");
	assert_string_equal(render_src(state, "[{{^b}}b{{/b}}{{^s}}s{{/s}}{{^l}}l{{/l}}]"), "[]");
}

static void test_tmpl_nested_sections(void **state)
{
	tctx_set_bool(fix(state)->c, "a", 1);
	tctx_set_bool(fix(state)->c, "b", 0);
	assert_string_equal(render_src(state, "{{#a}}A{{#b}}B{{/b}}{{^b}}!B{{/b}}A{{/a}}"), "A!BA");
}

static void test_tmpl_standalone_tags_remove_their_line(void **state)
{
	struct tctx *c = fix(state)->c;

	tctx_set(tctx_add(c, "l"), "x", "1");
	tctx_set(tctx_add(c, "l"), "x", "2");
	add(state, "row", "<tr>{{x}}</tr>\n");
	assert_string_equal(render_src(state, "<table>\n"
					      "  {{#l}}\n"
					      "  {{>row}}\n"
					      "  {{/l}}\r\n"
					      "\t{{! note }}\n"
					      "</table>\n"),
			    "<table>\n<tr>1</tr>\n<tr>2</tr>\n</table>\n");
}

static void test_tmpl_inline_section_tags_keep_whitespace(void **state)
{
	tctx_set_bool(fix(state)->c, "on", 1);
	assert_string_equal(render_src(state, "a {{#on}}b{{/on}} c\n {{#on}}\n"
					      "d{{/on}} x\n"),
			    "a b c\nd x\n");
}

static void test_tmpl_standalone_at_end_without_newline(void **state)
{
	tctx_set_bool(fix(state)->c, "on", 1);
	assert_string_equal(render_src(state, "x\n{{#on}}\ny\n  {{/on}}  "), "x\ny\n");
}

/* ---- Partials ---- */

static void test_tmpl_partial_uses_current_context(void **state)
{
	struct tctx *c = fix(state)->c;

	tctx_set(c, "title", "Naslov");
	tctx_set(tctx_add(c, "users"), "name", "Žika");
	tctx_set(tctx_add(c, "users"), "name", "Љиљана");
	add(state, "user", "<b>{{name}}</b>");
	add(state, "header", "<h1>{{title}}</h1>");
	assert_string_equal(render_src(state, "{{>header}}{{#users}}{{>user}}{{/users}}"),
			    "<h1>Naslov</h1><b>Žika</b><b>Љиљана</b>");
}

static void test_tmpl_partial_depth_limited(void **state)
{
	char name[16], src[32];
	int i;

	/* p0 includes p1 ... p15 includes p16: 16 levels of partials */
	for (i = 0; i <= 16; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		if (i < 16)
			snprintf(src, sizeof(src), "%d{{>p%d}}", i, i + 1);
		else
			snprintf(src, sizeof(src), "end");
		add(state, name, src);
	}
	assert_string_equal(render(state, "p0"), "0123456789101112131415end");
	/* entering from one level further out makes it 17 */
	add(state, "top", "{{>p0}}");
	assert_null(render(state, "top"));
}

static void test_tmpl_partial_self_recursion_fails(void **state)
{
	add(state, "loop", "x{{>loop}}");
	assert_null(render(state, "loop"));
}

static void test_tmpl_recursive_partial_renders_tree(void **state)
{
	struct tctx *root = fix(state)->c, *a, *b;

	a = tctx_add(root, "children");
	tctx_set(a, "name", "a");
	b = tctx_add(a, "children");
	tctx_set(b, "name", "b");
	tctx_set_list(b, "children");
	add(state, "node", "({{name}}{{#children}}{{>node}}{{/children}})");
	add(state, "t", "{{#children}}{{>node}}{{/children}}");
	assert_string_equal(render(state, "t"), "(a(b))");
}

static void test_tmpl_missing_partial_fails_render(void **state)
{
	assert_null(render_src(state, "a{{>nowhere}}b"));
}

static void test_tmpl_failed_render_leaves_output_unchanged(void **state)
{
	struct fixture *fx = *state;

	add(state, "loop", "lots of text {{>loop}}");
	buf_puts(&fx->out, "kept");
	assert_int_equal(tmpl_render(fx->s, "loop", fx->c, NULL, NULL, &fx->out), -1);
	assert_string_equal(buf_cstr(&fx->out), "kept");
	assert_int_equal(fx->out.len, 4);
}

static void test_tmpl_render_unknown_template_fails(void **state)
{
	assert_null(render(state, "nope"));
}

static void test_tmpl_set_check_reports_missing_partial(void **state)
{
	struct fixture *fx = *state;

	add(state, "a", "{{>b}}");
	add(state, "b", "ok");
	assert_int_equal(tmpl_set_check(fx->s, fx->err, sizeof(fx->err)), 0);
	add(state, "c", "line1\n{{#x}}{{>missing}}{{/x}}");
	assert_int_equal(tmpl_set_check(fx->s, fx->err, sizeof(fx->err)), -1);
	assert_non_null(strstr(fx->err, "c:2: "));
	assert_non_null(strstr(fx->err, "missing"));
}

/* ---- Sets ---- */

static void test_tmpl_add_replaces_same_name(void **state)
{
	add(state, "t", "old");
	add(state, "t", "new");
	assert_string_equal(render(state, "t"), "new");
}

static void test_tmpl_failed_add_keeps_old_template(void **state)
{
	add(state, "t", "old");
	add_err(state, "t", "{{#x}}");
	assert_string_equal(render(state, "t"), "old");
}

static void test_tmpl_finds_each_of_many_templates(void **state)
{
	char name[32], src[32];
	unsigned i, k;

	/* inserted out of order: 37 is coprime to 200 */
	for (i = 0; i < 200; i++) {
		k = (i * 37) % 200;
		snprintf(name, sizeof(name), "page/%03u.html", k);
		snprintf(src, sizeof(src), "<%u>", k);
		add(state, name, src);
	}
	for (k = 0; k < 200; k++) {
		snprintf(name, sizeof(name), "page/%03u.html", k);
		snprintf(src, sizeof(src), "<%u>", k);
		assert_string_equal(render(state, name), src);
	}
	assert_null(render(state, "page/200.html"));
	assert_null(render(state, "page"));
}

static void test_tmpl_renders_page_inside_layout(void **state)
{
	struct fixture *fx = *state;
	struct buf page = BUF_INIT;

	tctx_set(fx->c, "title", "Početna");
	add(state, "layout", "<html><title>{{title}}</title><body>{{&body}}</body></html>");
	add(state, "home", "<h1>{{title}}</h1>");
	assert_int_equal(tmpl_render(fx->s, "home", fx->c, NULL, NULL, &page), 0);
	tctx_set(fx->c, "body", buf_cstr(&page));
	assert_string_equal(render(state, "layout"), "<html><title>Početna</title><body>"
						     "<h1>Početna</h1></body></html>");
	buf_free(&page);
}

static void test_tmpl_render_limit_stops_runaway_templates(void **state)
{
	struct fixture *fx = *state;
	struct tctx *c = fx->c;
	int i;

	for (i = 0; i < 10; i++)
		tctx_add(c, "l");
	/* 10^8 visits of the innermost text */
	add(state, "t",
	    "{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}x"
	    "{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}");
	tmpl_set_limit(fx->s, 100000);
	assert_null(render(state, "t"));
	add(state, "small", "{{#l}}{{#l}}x{{/l}}{{/l}}");
	assert_string_equal(render(state, "small"),
			    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
}

static void test_tmpl_render_without_context(void **state)
{
	struct fixture *fx = *state;

	add(state, "t", "a{{x}}{{^x}}b{{/x}}");
	assert_int_equal(tmpl_render(fx->s, "t", NULL, NULL, NULL, &fx->out), 0);
	assert_string_equal(buf_cstr(&fx->out), "ab");
}

static void test_tmpl_serbian_text_passes_unchanged(void **state)
{
	struct tctx *c = fix(state)->c;

	tctx_set(c, "lat", "čćšžđ ČĆŠŽĐ");
	tctx_set(c, "cyr", "Ђурђевдан у Београду, љиљани и џем");
	assert_string_equal(
		render_src(state, "Latinica: {{lat}}; Ћирилица: {{cyr}} — ok"),
		"Latinica: čćšžđ ČĆŠŽĐ; Ћирилица: Ђурђевдан у Београду, љиљани и џем — ok");
}

/* ---- Contexts ---- */

static void test_tctx_get_walks_parents(void **state)
{
	struct tctx *c = fix(state)->c, *it;

	tctx_set(c, "a", "root");
	it = tctx_add(c, "l");
	tctx_set(it, "b", "item");
	assert_string_equal(tctx_get(it, "a"), "root");
	assert_string_equal(tctx_get(it, "b"), "item");
	assert_null(tctx_get(c, "b"));
	assert_null(tctx_get(c, "l")); /* a list has no string value */
}

static void test_tctx_set_replaces_and_copies(void **state)
{
	struct tctx *c = fix(state)->c;
	char name[] = "k", value[] = "v1";

	tctx_set(c, name, value);
	value[1] = '2';
	name[0] = 'x';
	assert_string_equal(tctx_get(c, "k"), "v1");
	tctx_set(c, "k", "v3");
	assert_string_equal(tctx_get(c, "k"), "v3");
	tctx_set_bool(c, "k", 1);
	assert_null(tctx_get(c, "k"));
}

static void test_tctx_set_null_unsets(void **state)
{
	struct tctx *c = fix(state)->c, *it;

	tctx_set(c, "a", "root");
	it = tctx_add(c, "l");
	tctx_set(it, "a", "item");
	tctx_set(it, "a", NULL);
	assert_string_equal(tctx_get(it, "a"), "root");
	tctx_set(c, "a", NULL);
	assert_null(tctx_get(it, "a"));
	tctx_set(c, "never", NULL);
}

static void test_tctx_set_list_keeps_added_items(void **state)
{
	struct tctx *c = fix(state)->c;

	tctx_set(tctx_add(c, "l"), "x", "1");
	tctx_set_list(c, "l");
	assert_string_equal(render_src(state, "{{#l}}{{x}}{{/l}}"), "1");
}

/* ---- Parse errors ---- */

static void test_tmpl_parse_error_names_line(void **state)
{
	assert_string_equal(add_err(state, "page.html", "<p>\nline 2\n{{#open}}\n4\n"),
			    "page.html:3: unclosed section {{#open}}");
}

static void test_tmpl_parse_error_unclosed_inner_section(void **state)
{
	const char *e = add_err(state, "t", "{{#a}}{{#b}}x{{/a}}");

	assert_non_null(strstr(e, "t:1: "));
	assert_non_null(strstr(e, "{{/a}}"));
	assert_non_null(strstr(e, "{{#b}}"));
}

static void test_tmpl_parse_error_mismatched_close(void **state)
{
	assert_string_equal(add_err(state, "x.html", "a\n{{#one}}\nb\n{{/two}}"),
			    "x.html:4: {{/two}} does not match open section {{#one}}");
	assert_non_null(strstr(add_err(state, "t", "{{^ab}}{{/a}}"), "does not match"));
}

static void test_tmpl_parse_error_unterminated_tag(void **state)
{
	assert_string_equal(add_err(state, "t", "ok\nok {{name\n}"),
			    "t:2: unterminated tag (no closing }})");
	assert_non_null(strstr(add_err(state, "t", "{{"), "unterminated"));
	assert_non_null(strstr(add_err(state, "t", "x {{!comment"), "unterminated"));
}

static void test_tmpl_parse_error_empty_name(void **state)
{
	assert_string_equal(add_err(state, "t", "a\n\n{{}}"), "t:3: empty name in tag");
	assert_non_null(strstr(add_err(state, "t", "{{  }}"), "empty name"));
	assert_non_null(strstr(add_err(state, "t", "{{# }}{{/ }}"), "empty name"));
	assert_non_null(strstr(add_err(state, "t", "{{&}}"), "empty name"));
	assert_non_null(strstr(add_err(state, "t", "{{>}}"), "empty name"));
}

static void test_tmpl_parse_error_bad_name(void **state)
{
	assert_string_equal(add_err(state, "t", "{{a b}}"),
			    "t:1: bad character in tag name (allowed: A-Z a-z 0-9 _ . -)");
	assert_non_null(strstr(add_err(state, "t", "{{{raw}}}"), "bad character"));
	assert_non_null(strstr(add_err(state, "t", "{{=<% %>=}}"), "bad character"));
	assert_non_null(strstr(add_err(state, "t", "{{ime_č}}"), "bad character"));
	assert_non_null(strstr(add_err(state, "t", "{{#a<b}}"), "bad character"));
}

static void test_tmpl_parse_error_stray_close_tag(void **state)
{
	assert_string_equal(add_err(state, "t", "a\nb{{/x}}"),
			    "t:2: {{/x}} closes no open section");
}

static void test_tmpl_parse_error_sections_too_deep(void **state)
{
	struct buf src = BUF_INIT;
	int i;

	for (i = 0; i < 65; i++)
		buf_puts(&src, "{{#a}}");
	for (i = 0; i < 65; i++)
		buf_puts(&src, "{{/a}}");
	assert_non_null(strstr(add_err(state, "t", buf_cstr(&src)), "nest deeper"));
	buf_free(&src);
}

static void test_tmpl_parse_error_truncated_to_errlen(void **state)
{
	struct fixture *fx = *state;
	char err[8];

	assert_int_equal(tmpl_set_add(fx->s, "long-name.html", "{{", 2, err, sizeof(err)), -1);
	assert_string_equal(err, "long-na");
	assert_int_equal(tmpl_set_add(fx->s, "t", "{{", 2, NULL, 0), -1);
}

static void test_tmpl_parse_uses_length_not_nul(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(tmpl_set_add(fx->s, "t", "ab{{x}}", 2, fx->err, sizeof(fx->err)), 0);
	assert_string_equal(render(state, "t"), "ab");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_tmpl_renders_plain_text),
		T(test_tmpl_renders_empty_template),
		T(test_tmpl_substitutes_variables),
		T(test_tmpl_escapes_variables),
		T(test_tmpl_raw_variable_not_escaped),
		T(test_tmpl_missing_variable_renders_empty),
		T(test_tmpl_whitespace_inside_tags_ignored),
		T(test_tmpl_names_allow_dots_dashes_underscores),
		T(test_tmpl_bool_and_list_render_nothing_as_variables),
		T(test_tmpl_comment_renders_nothing),
		T(test_tmpl_lone_braces_are_text),
		T(test_tmpl_setf_formats),
		T(test_tmpl_message_is_escaped),
		T(test_tmpl_unknown_message_renders_nothing),
		T(test_tmpl_message_without_callback_renders_nothing),
		T(test_tmpl_section_iterates_list),
		T(test_tmpl_section_item_sees_parent_values),
		T(test_tmpl_section_item_shadows_parent),
		T(test_tmpl_nested_lists),
		T(test_tmpl_list_items_parent_is_owner),
		T(test_tmpl_section_true_bool_renders_once),
		T(test_tmpl_section_false_bool_renders_nothing),
		T(test_tmpl_section_nonempty_string_renders_once),
		T(test_tmpl_section_empty_string_renders_nothing),
		T(test_tmpl_section_missing_renders_nothing),
		T(test_tmpl_section_empty_list_renders_nothing),
		T(test_tmpl_inverted_section_on_empty_list),
		T(test_tmpl_inverted_section_on_missing_false_or_empty),
		T(test_tmpl_inverted_section_skipped_when_truthy),
		T(test_tmpl_nested_sections),
		T(test_tmpl_standalone_tags_remove_their_line),
		T(test_tmpl_inline_section_tags_keep_whitespace),
		T(test_tmpl_standalone_at_end_without_newline),
		T(test_tmpl_partial_uses_current_context),
		T(test_tmpl_partial_depth_limited),
		T(test_tmpl_partial_self_recursion_fails),
		T(test_tmpl_recursive_partial_renders_tree),
		T(test_tmpl_missing_partial_fails_render),
		T(test_tmpl_failed_render_leaves_output_unchanged),
		T(test_tmpl_render_unknown_template_fails),
		T(test_tmpl_set_check_reports_missing_partial),
		T(test_tmpl_add_replaces_same_name),
		T(test_tmpl_failed_add_keeps_old_template),
		T(test_tmpl_finds_each_of_many_templates),
		T(test_tmpl_renders_page_inside_layout),
		T(test_tmpl_render_limit_stops_runaway_templates),
		T(test_tmpl_render_without_context),
		T(test_tmpl_serbian_text_passes_unchanged),
		T(test_tctx_get_walks_parents),
		T(test_tctx_set_replaces_and_copies),
		T(test_tctx_set_null_unsets),
		T(test_tctx_set_list_keeps_added_items),
		T(test_tmpl_parse_error_names_line),
		T(test_tmpl_parse_error_unclosed_inner_section),
		T(test_tmpl_parse_error_mismatched_close),
		T(test_tmpl_parse_error_unterminated_tag),
		T(test_tmpl_parse_error_empty_name),
		T(test_tmpl_parse_error_bad_name),
		T(test_tmpl_parse_error_stray_close_tag),
		T(test_tmpl_parse_error_sections_too_deep),
		T(test_tmpl_parse_error_truncated_to_errlen),
		T(test_tmpl_parse_uses_length_not_nul),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
