/*
 * The template engine: contexts (values in an arena), the parser that
 * turns a template into a flat node array once, and the renderer that
 * walks that array.
 *
 * A template is one malloc'd text block (a copy of the source, then
 * the NUL-terminated names of its tags) and one node array.  Text nodes
 * are spans of the source copy; a section node holds the index of the
 * node after its body, so skipping a false section is one assignment
 * and iterating a list re-walks a range.  Rendering reads the set
 * without writing to it, so many threads may render from one set.
 */
#include "tmpl/tmpl.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/escape.h"

#define TMPL_PARTIAL_DEPTH 16 /* tmpl.h promises this */
#define TMPL_SECTION_DEPTH 64 /* bounds the renderer's recursion */
#define TMPL_MAX_LEN (UINT32_MAX / 4)
#define TMPL_DEFAULT_LIMIT (1UL << 26)

/* ---- Contexts ------------------------------------------------------ */

enum tval_kind { TV_STR, TV_BOOL, TV_LIST };

struct tval {
	struct tval *next;
	const char *name;
	uint32_t hash;
	enum tval_kind kind;
	const char *str;           /* TV_STR */
	size_t len;                /* TV_STR */
	int on;                    /* TV_BOOL */
	struct tctx *first, *last; /* TV_LIST items, in insertion order */
};

/* A context's values in TCTX_BUCKETS lists by name hash: a page's root
 * context holds a hundred names or more, each set and looked up by name. */
#define TCTX_BUCKETS 16

struct tctx {
	struct arena *a;
	const struct tctx *parent;
	struct tval *vals[TCTX_BUCKETS];
	struct tctx *next; /* next item of the list holding this context */
};

/* FNV-1a: a cheap filter so lookups rarely call strcmp on a miss. */
static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

struct tctx *tctx_new(struct arena *a)
{
	struct tctx *c = arena_alloc(a, sizeof(*c));

	c->a = a;
	return c;
}

/* The link pointing at name's value in c itself (not its parents). */
static struct tval **tval_link(struct tctx *c, const char *name, uint32_t h)
{
	struct tval **vp;

	for (vp = &c->vals[h % TCTX_BUCKETS]; *vp != NULL; vp = &(*vp)->next)
		if ((*vp)->hash == h && strcmp((*vp)->name, name) == 0)
			break;
	return vp;
}

/* Name's value in c, created or reset to an empty value of `kind`. */
static struct tval *tval_put(struct tctx *c, const char *name, enum tval_kind kind)
{
	uint32_t h = name_hash(name);
	struct tval **vp = tval_link(c, name, h), *v = *vp;

	if (v == NULL) {
		v = arena_alloc(c->a, sizeof(*v));
		v->name = arena_strdup(c->a, name);
		v->hash = h;
		v->next = c->vals[h % TCTX_BUCKETS];
		c->vals[h % TCTX_BUCKETS] = v;
	}
	v->kind = kind;
	v->str = NULL;
	v->len = 0;
	v->on = 0;
	v->first = v->last = NULL;
	return v;
}

/* Unsetting unlinks, so a parent's value of the same name shows again. */
void tctx_set(struct tctx *c, const char *name, const char *value)
{
	struct tval **vp, *v;

	if (value == NULL) {
		vp = tval_link(c, name, name_hash(name));
		if (*vp != NULL)
			*vp = (*vp)->next;
		return;
	}
	v = tval_put(c, name, TV_STR);
	v->len = strlen(value);
	v->str = arena_strndup(c->a, value, v->len);
}

void tctx_setf(struct tctx *c, const char *name, const char *fmt, ...)
{
	struct tval *v = tval_put(c, name, TV_STR);
	va_list ap;

	va_start(ap, fmt);
	v->str = arena_vprintf(c->a, fmt, ap);
	va_end(ap);
	v->len = strlen(v->str);
}

void tctx_set_bool(struct tctx *c, const char *name, int on)
{
	tval_put(c, name, TV_BOOL)->on = on != 0;
}

struct tctx *tctx_add(struct tctx *c, const char *name)
{
	struct tval *v = *tval_link(c, name, name_hash(name));
	struct tctx *item;

	if (v == NULL || v->kind != TV_LIST)
		v = tval_put(c, name, TV_LIST);
	item = tctx_new(c->a);
	item->parent = c;
	if (v->last != NULL)
		v->last->next = item;
	else
		v->first = item;
	v->last = item;
	return item;
}

/* Declares the list; items already added stay, so the order of
 * tctx_set_list() and tctx_add() calls does not matter. */
void tctx_set_list(struct tctx *c, const char *name)
{
	struct tval *v = *tval_link(c, name, name_hash(name));

	if (v == NULL || v->kind != TV_LIST)
		tval_put(c, name, TV_LIST);
}

/* The innermost value of name, walking out to the root; NULL if none. */
static const struct tval *tval_find(const struct tctx *c, const char *name, uint32_t h)
{
	const struct tval *v;

	for (; c != NULL; c = c->parent)
		for (v = c->vals[h % TCTX_BUCKETS]; v != NULL; v = v->next)
			if (v->hash == h && strcmp(v->name, name) == 0)
				return v;
	return NULL;
}

const char *tctx_get(const struct tctx *c, const char *name)
{
	const struct tval *v = tval_find(c, name, name_hash(name));

	return v != NULL && v->kind == TV_STR ? v->str : NULL;
}

/* ---- Templates and sets -------------------------------------------- */

enum node_kind { N_TEXT, N_VAR, N_RAW, N_MSG, N_SECTION, N_INVERTED, N_PARTIAL };

/*
 * off: N_TEXT: span start; others: the name (NUL-terminated) in text.
 * arg: N_TEXT: span length; N_SECTION, N_INVERTED: index of the node
 * after the body; N_PARTIAL: source offset of the tag, for messages.
 */
struct node {
	uint8_t kind;
	uint32_t off;
	uint32_t arg;
	uint32_t hash; /* of the name */
};

struct tmpl {
	char *name;
	char *text; /* source copy, NUL, then the tags' names */
	struct node *nodes;
	uint32_t n;
};

struct tmpl_set {
	struct tmpl **t; /* sorted by name */
	size_t n, cap;
	unsigned long limit;
};

static void tmpl_free(struct tmpl *t)
{
	if (t == NULL)
		return;
	free(t->name);
	free(t->text);
	free(t->nodes);
	free(t);
}

struct tmpl_set *tmpl_set_new(void)
{
	struct tmpl_set *s = calloc(1, sizeof(*s));

	if (s == NULL)
		abort();
	s->limit = TMPL_DEFAULT_LIMIT;
	return s;
}

void tmpl_set_free(struct tmpl_set *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++)
		tmpl_free(s->t[i]);
	free(s->t);
	free(s);
}

void tmpl_set_limit(struct tmpl_set *s, unsigned long limit)
{
	s->limit = limit ? limit : TMPL_DEFAULT_LIMIT;
}

/* Index of name in s, or where it would go (*found = 0). */
static size_t set_index(const struct tmpl_set *s, const char *name, int *found)
{
	size_t lo = 0, hi = s->n, mid;
	int cmp;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		cmp = strcmp(name, s->t[mid]->name);
		if (cmp == 0) {
			*found = 1;
			return mid;
		}
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	*found = 0;
	return lo;
}

static const struct tmpl *set_find(const struct tmpl_set *s, const char *name)
{
	int found;
	size_t i = set_index(s, name, &found);

	return found ? s->t[i] : NULL;
}

/* ---- Parser -------------------------------------------------------- */

struct parser {
	const char *name; /* of the template, for messages */
	const char *src;
	size_t len;
	struct buf text;
	struct node *nodes;
	size_t n, cap;
	uint32_t open[TMPL_SECTION_DEPTH];   /* node index of each open section */
	size_t open_pos[TMPL_SECTION_DEPTH]; /* and where its tag is */
	size_t depth;
	char *err;
	size_t errlen;
};

static size_t line_of(const char *s, size_t pos)
{
	size_t line = 1, i;

	for (i = 0; i < pos; i++)
		line += s[i] == '\n';
	return line;
}

__attribute__((format(printf, 3, 4))) static int parse_error(struct parser *p, size_t pos,
							     const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->err == NULL || p->errlen == 0)
		return -1;
	n = snprintf(p->err, p->errlen, "%s:%zu: ", p->name, line_of(p->src, pos));
	if (n >= 0 && (size_t)n < p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static struct node *parse_node(struct parser *p, enum node_kind kind)
{
	struct node *nd;

	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 32;
		p->nodes = realloc(p->nodes, p->cap * sizeof(*p->nodes));
		if (p->nodes == NULL)
			abort();
	}
	nd = &p->nodes[p->n++];
	memset(nd, 0, sizeof(*nd));
	nd->kind = (uint8_t)kind;
	return nd;
}

static void parse_text(struct parser *p, size_t from, size_t to)
{
	struct node *nd;

	if (to <= from)
		return;
	nd = parse_node(p, N_TEXT);
	nd->off = (uint32_t)from;
	nd->arg = (uint32_t)(to - from);
}

/* Appends a tag's name to the text block; returns its offset. */
static uint32_t parse_name(struct parser *p, const char *s, size_t n, uint32_t *hash)
{
	uint32_t off = (uint32_t)p->text.len;

	buf_append(&p->text, s, n);
	buf_putc(&p->text, '\0');
	*hash = name_hash(p->text.data + off);
	return off;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int is_name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-';
}

/*
 * Mustache "standalone" rule: a section, close, partial or comment tag
 * alone on its line (only blanks around it) removes the whole line, so
 * block tags do not leave blank lines in the output.  The tag at
 * [o, e) is on a line that starts at or after ts (the end of the
 * previous tag).  On success *ls is where the line starts and *next
 * where the following line does.
 */
static int parse_standalone(const struct parser *p, size_t ts, size_t o, size_t e, size_t *ls,
			    size_t *next)
{
	const char *s = p->src;
	size_t i = o, j = e;

	while (i > ts && (s[i - 1] == ' ' || s[i - 1] == '\t'))
		i--;
	if (i > ts ? s[i - 1] != '\n' : ts != 0 && s[ts - 1] != '\n')
		return 0;
	while (j < p->len && (s[j] == ' ' || s[j] == '\t'))
		j++;
	if (j == p->len)
		*next = j;
	else if (s[j] == '\n')
		*next = j + 1;
	else if (s[j] == '\r' && j + 1 < p->len && s[j + 1] == '\n')
		*next = j + 2;
	else
		return 0;
	*ls = i;
	return 1;
}

/*
 * Handles the tag whose inner text is s[a..b), opened at o.  Returns 0
 * or -1 with the message set.
 */
static int parse_tag(struct parser *p, size_t o, size_t a, size_t b)
{
	const char *s = p->src;
	enum node_kind kind;
	struct node *nd;
	const struct node *open;
	uint32_t off, hash;
	size_t i;
	char sigil = a < b ? s[a] : '\0';

	switch (sigil) {
	case '!':
		return 0;
	case '#':
		kind = N_SECTION;
		break;
	case '^':
		kind = N_INVERTED;
		break;
	case '&':
		kind = N_RAW;
		break;
	case '@':
		kind = N_MSG;
		break;
	case '>':
		kind = N_PARTIAL;
		break;
	case '/':
		kind = N_TEXT; /* unused: a close tag makes no node */
		break;
	default:
		kind = N_VAR;
		sigil = '\0';
		break;
	}
	if (sigil != '\0')
		for (a++; a < b && is_space(s[a]); a++)
			;
	if (a == b)
		return parse_error(p, o, "empty name in tag");
	for (i = a; i < b; i++)
		if (!is_name_char(s[i]))
			return parse_error(
				p, o, "bad character in tag name (allowed: A-Z a-z 0-9 _ . -)");
	if (sigil == '/') {
		if (p->depth == 0)
			return parse_error(p, o, "{{/%.*s}} closes no open section", (int)(b - a),
					   s + a);
		open = &p->nodes[p->open[p->depth - 1]];
		if (strlen(p->text.data + open->off) != b - a ||
		    memcmp(p->text.data + open->off, s + a, b - a) != 0)
			return parse_error(p, o, "{{/%.*s}} does not match open section {{%c%s}}",
					   (int)(b - a), s + a, open->kind == N_SECTION ? '#' : '^',
					   p->text.data + open->off);
		p->nodes[p->open[--p->depth]].arg = (uint32_t)p->n;
		return 0;
	}
	if ((kind == N_SECTION || kind == N_INVERTED) && p->depth == TMPL_SECTION_DEPTH)
		return parse_error(p, o, "sections nest deeper than %d", TMPL_SECTION_DEPTH);
	off = parse_name(p, s + a, b - a, &hash);
	nd = parse_node(p, kind);
	nd->off = off;
	nd->hash = hash;
	if (kind == N_PARTIAL)
		nd->arg = (uint32_t)o;
	if (kind == N_SECTION || kind == N_INVERTED) {
		p->open[p->depth] = (uint32_t)(p->n - 1);
		p->open_pos[p->depth++] = o;
	}
	return 0;
}

/*
 * Splits the source into text spans and tags.  Section nodes are
 * remembered on p->open until their close tag fills in where they end.
 */
static int parse(struct parser *p)
{
	const char *s = p->src, *o, *c;
	size_t ts = 0, pos = 0, a, b, e, ls, next;
	char sigil;

	while (pos < p->len && (o = memmem(s + pos, p->len - pos, "{{", 2)) != NULL) {
		c = memmem(o + 2, p->len - (size_t)(o + 2 - s), "}}", 2);
		if (c == NULL)
			return parse_error(p, (size_t)(o - s), "unterminated tag (no closing }})");
		a = (size_t)(o - s) + 2;
		b = (size_t)(c - s);
		e = b + 2;
		while (a < b && is_space(s[a]))
			a++;
		while (b > a && is_space(s[b - 1]))
			b--;
		sigil = a < b ? s[a] : '\0';
		if (sigil != '\0' && strchr("#^/>!", sigil) != NULL &&
		    parse_standalone(p, ts, (size_t)(o - s), e, &ls, &next)) {
			parse_text(p, ts, ls);
			ts = next;
		} else {
			parse_text(p, ts, (size_t)(o - s));
			ts = e;
		}
		if (parse_tag(p, (size_t)(o - s), a, b) < 0)
			return -1;
		pos = ts;
	}
	parse_text(p, ts, p->len);
	if (p->depth > 0) {
		const struct node *open = &p->nodes[p->open[p->depth - 1]];

		return parse_error(p, p->open_pos[p->depth - 1], "unclosed section {{%c%s}}",
				   open->kind == N_SECTION ? '#' : '^', p->text.data + open->off);
	}
	return 0;
}

/* Parses into a new template, then puts it in its sorted place
 * (replacing a template of the same name). */
int tmpl_set_add(struct tmpl_set *s, const char *name, const char *src, size_t len, char *err,
		 size_t errlen)
{
	struct parser p = {.name = name, .src = src, .len = len, .err = err, .errlen = errlen};
	struct tmpl *t = NULL;
	size_t i;
	int found;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (len > TMPL_MAX_LEN) {
		parse_error(&p, 0, "template too large");
		return -1;
	}
	buf_append(&p.text, len ? src : "", len);
	buf_putc(&p.text, '\0');
	if (parse(&p) < 0)
		goto err;
	t = calloc(1, sizeof(*t));
	if (t == NULL || (t->name = strdup(name)) == NULL)
		abort();
	t->text = buf_detach(&p.text);
	t->nodes = p.nodes;
	t->n = (uint32_t)p.n;
	i = set_index(s, name, &found);
	if (found) {
		tmpl_free(s->t[i]);
		s->t[i] = t;
		return 0;
	}
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->t = realloc(s->t, s->cap * sizeof(*s->t));
		if (s->t == NULL)
			abort();
	}
	memmove(s->t + i + 1, s->t + i, (s->n - i) * sizeof(*s->t));
	s->t[i] = t;
	s->n++;
	return 0;
err:
	buf_free(&p.text);
	free(p.nodes);
	return -1;
}

int tmpl_set_check(const struct tmpl_set *s, char *err, size_t errlen)
{
	const struct tmpl *t;
	const struct node *nd;
	size_t i;
	uint32_t k;

	for (i = 0; i < s->n; i++) {
		t = s->t[i];
		for (k = 0; k < t->n; k++) {
			nd = &t->nodes[k];
			if (nd->kind != N_PARTIAL || set_find(s, t->text + nd->off) != NULL)
				continue;
			if (err != NULL && errlen > 0)
				snprintf(err, errlen, "%s:%zu: no template \"%s\" for {{>%s}}",
					 t->name, line_of(t->text, nd->arg), t->text + nd->off,
					 t->text + nd->off);
			return -1;
		}
	}
	return 0;
}

/* ---- Renderer ------------------------------------------------------ */

struct render {
	const struct tmpl_set *s;
	tmpl_msg_fn msg;
	void *msg_arg;
	struct buf *out;
	unsigned long budget; /* nodes visited plus bytes written */
	int depth;            /* partials */
};

static int truthy(const struct tval *v)
{
	if (v == NULL)
		return 0;
	switch (v->kind) {
	case TV_STR:
		return v->len > 0;
	case TV_BOOL:
		return v->on;
	case TV_LIST:
		return v->first != NULL;
	}
	return 0;
}

static int render_spend(struct render *r, size_t n)
{
	if (r->budget < n)
		return -1;
	r->budget -= n;
	return 0;
}

/*
 * Renders nodes [i, end) of t with context c.  Recursion goes one level
 * per open section (at most TMPL_SECTION_DEPTH) and per partial (at
 * most TMPL_PARTIAL_DEPTH).  Returns 0 or -1 (missing partial, partials
 * too deep, work limit reached).
 */
static int render_nodes(struct render *r, const struct tmpl *t, uint32_t i, uint32_t end,
			const struct tctx *c)
{
	const struct node *nd;
	const struct tval *v;
	const struct tctx *item;
	const struct tmpl *part;
	const char *name, *msg;

	while (i < end) {
		nd = &t->nodes[i];
		name = t->text + nd->off;
		if (render_spend(r, 1) < 0)
			return -1;
		switch (nd->kind) {
		case N_TEXT:
			if (render_spend(r, nd->arg) < 0)
				return -1;
			buf_append(r->out, name, nd->arg);
			break;
		case N_VAR:
		case N_RAW:
			v = tval_find(c, name, nd->hash);
			if (v == NULL || v->kind != TV_STR)
				break;
			if (render_spend(r, v->len) < 0)
				return -1;
			if (nd->kind == N_VAR)
				html_escape(r->out, v->str, v->len);
			else
				buf_append(r->out, v->str, v->len);
			break;
		case N_MSG:
			msg = r->msg != NULL ? r->msg(r->msg_arg, name) : NULL;
			if (msg == NULL)
				break;
			if (render_spend(r, strlen(msg)) < 0)
				return -1;
			html_escape(r->out, msg, strlen(msg));
			break;
		case N_SECTION:
			v = tval_find(c, name, nd->hash);
			if (v != NULL && v->kind == TV_LIST) {
				for (item = v->first; item != NULL; item = item->next)
					if (render_nodes(r, t, i + 1, nd->arg, item) < 0)
						return -1;
			} else if (truthy(v) && render_nodes(r, t, i + 1, nd->arg, c) < 0) {
				return -1;
			}
			i = nd->arg;
			continue;
		case N_INVERTED:
			if (!truthy(tval_find(c, name, nd->hash)) &&
			    render_nodes(r, t, i + 1, nd->arg, c) < 0)
				return -1;
			i = nd->arg;
			continue;
		case N_PARTIAL:
			part = set_find(r->s, name);
			if (part == NULL || r->depth == TMPL_PARTIAL_DEPTH)
				return -1;
			r->depth++;
			if (render_nodes(r, part, 0, part->n, c) < 0)
				return -1;
			r->depth--;
			break;
		}
		i++;
	}
	return 0;
}

/* On failure out is put back as it was, so a caller can fall back to an
 * error page without a half-rendered one in front of it. */
int tmpl_render(const struct tmpl_set *s, const char *name, const struct tctx *ctx, tmpl_msg_fn msg,
		void *msg_arg, struct buf *out)
{
	struct render r = {.s = s, .msg = msg, .msg_arg = msg_arg, .out = out, .budget = s->limit};
	const struct tmpl *t = set_find(s, name);
	size_t mark = out->len;

	if (t != NULL && render_nodes(&r, t, 0, t->n, ctx) == 0)
		return 0;
	out->len = mark;
	if (out->data != NULL)
		out->data[mark] = '\0';
	return -1;
}
