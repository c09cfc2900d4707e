/*
 * Recording payments (issue 4), shared by the back-office pages and
 * `qcra payments import`: matching by the model 97 reference, moving
 * orders paid in full, keeping everything else open for an operator.
 * The rules are described in web/ra_payments.c, which shows them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/order.h"
#include "app/order_mail.h"
#include "core/i18n.h"
#include "domain/audit.h"
#include "domain/payment.h"
#include "domain/statement.h"
#include "domain/workflow.h"
#include "app/jobs.h"
#include "app/payments.h"
#include "store/store_payments.h"
#include "util/escape.h"
#include "util/bigmem.h"
#include "util/log.h"
#include "util/sha256.h"

/* Statements of at least BULK_BYTES (some 5,000 lines) are stored as a
 * bulk transaction (store_bulk_begin: the WAL written out as it grows),
 * with a page cache of up to BULK_CACHE (SQLite cache_size: -KiB):
 * room for the indexes' upper levels and the tables' growing ends, which
 * every line touches.  A larger cache costs more than it saves: each new
 * page is fresh memory, faulted in 4 KiB at a time, dearer than reading
 * a page not kept again from the kernel's cache (bench/README.md). */
#define BULK_BYTES (256u * 1024)
#define BULK_CACHE (-8LL * 1024)

/* ---- Recording, shared by the pages and the command line -------------------------- */

int pay_audit(struct pay_ctx *x, const char *action, const char *object, const char *outcome,
	      const char *fmt, ...)
{
	struct audit_entry e;
	char detail[AUDIT_DETAIL_SIZE];
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(detail, sizeof(detail), fmt, ap) >= (int)sizeof(detail))
		detail[utf8_prefix(detail, sizeof(detail) - 1)] = '\0';
	va_end(ap);
	memset(&e, 0, sizeof(e));
	e.at = x->now;
	actor_audit_name(x->who, e.actor, sizeof(e.actor));
	audit_clean(e.addr, sizeof(e.addr), x->who->addr ? x->who->addr : "");
	audit_clean(e.action, sizeof(e.action), action);
	audit_clean(e.object, sizeof(e.object), object);
	audit_clean(e.outcome, sizeof(e.outcome), outcome);
	audit_clean(e.detail, sizeof(e.detail), detail);
	return store_audit_append(x->st, &e);
}

/* 1 when an order in `state` may take event payment now. */
int pay_may_settle(const struct pay_ctx *x, enum wf_state state)
{
	return workflow_next(state, WF_EV_PAYMENT, x->role) >= 0;
}

/* Moves order po (paid in full by payment pid) by event payment, and
 * settles its earlier partial payments.  In the caller's transaction. */
int pay_settle(struct pay_ctx *x, const struct payment_order *po, long long pid, long long amount,
	       const char *remark)
{
	struct app_env env = {NULL, NULL, x->st, NULL, NULL};
	struct order o;
	char money[32], payment[24], total[32], *more = NULL, *note = NULL;
	const char *mail[] = {"amount", money, "total", total, NULL};
	struct order_move m = {WF_EV_PAYMENT, x->role, NULL, 0, 0, x->now, mail, NULL};
	size_t need;
	int rc = STORE_ERROR;

	memset(&o, 0, sizeof(o));
	o.id = po->id;
	o.state = po->state;
	payment_amount_format(amount, money, sizeof(money));
	payment_amount_format(po->total_para, total, sizeof(total));
	snprintf(payment, sizeof(payment), "%lld", pid);
	/* the remark whole (a resolution's note: 300 characters) */
	if (asprintf(&more, "%s%s", remark && *remark ? "; " : "", remark ? remark : "") < 0)
		return STORE_ERROR;
	need = i18n_note_to(NULL, 0, "hist.paid", "amount", money, "payment", payment, "remark",
			    more, NULL);
	if ((note = malloc(need + 1)) == NULL)
		goto out;
	i18n_note_to(note, need + 1, "hist.paid", "amount", money, "payment", payment, "remark",
		     more, NULL);
	m.note = note;
	rc = uc_order_move_tx(&env, x->who, &o, &m);
	if (rc == STORE_OK && po->paid_para > 0) /* else there are none */
		rc = store_payment_complete_partials(x->st, po->id, pid, x->who->name, x->now,
						     NULL);
out:
	free(note);
	free(more);
	return rc;
}

/* The order a model 97 reference names, when it is one that can be
 * paid (not a draft); 1 with *po filled, 0 when none, -1 on a store
 * error. */
int pay_order_of_reference(struct pay_ctx *x, const char *ref, int ref97, struct payment_order *po)
{
	long long id;
	int rc;

	if (!ref97 || payment_ref_order_id(ref, &id) != 0)
		return 0;
	rc = store_payment_order(x->st, id, po);
	if (rc == STORE_ERROR)
		return -1;
	return rc == STORE_OK && po->state != WF_DRAFT;
}

/* src (NULL: "") into dst[size], cut to fit: snprintf("%s") without
 * its format parsing (four per payment of a statement import). */
static void copy(char *dst, size_t size, const char *src)
{
	const char *s = src != NULL ? src : "";
	size_t n = strnlen(s, size - 1);

	memcpy(dst, s, n);
	dst[n] = '\0';
}

/*
 * Classifies payment p (filled in but for its match and resolution)
 * against order po (NULL: none), records it, audits it and, when it
 * pays the order in full and the order may take a payment now, moves
 * the order.  In the caller's transaction.  *settled (may be NULL) is
 * set to 1 when the order moved.  Returns STORE_OK, STORE_CONFLICT when
 * it was recorded before (nothing written), or STORE_ERROR.
 */
int pay_record(struct pay_ctx *x, struct payment *p, const struct payment_order *po, int *settled)
{
	struct payment_match m;
	char money[32], object[32];
	int settle, rc = STORE_OK;

	if (payment_match(po != NULL, po ? po->total_para : 0, po ? po->paid_para : 0,
			  p->amount_para, &m) != 0) {
		log_warnx("payment of %lld para for order %lld: cannot be matched", p->amount_para,
			  po ? po->id : 0);
		return STORE_ERROR;
	}
	p->order_id = po ? po->id : 0;
	copy(p->match, sizeof(p->match), match_result_name(m.result));
	settle = m.result == MATCH_EXACT && pay_may_settle(x, po->state);
	if (settle) {
		copy(p->resolution, sizeof(p->resolution), "paid");
		p->resolved_at = x->now;
		copy(p->resolved_by, sizeof(p->resolved_by), x->who->name);
	}
	p->created_at = x->now;
	copy(p->created_by, sizeof(p->created_by), x->who->name);
	if ((rc = store_payment_add(x->st, p)) != STORE_OK)
		return rc;
	/* A payment typed in gets its own audit entry; imported ones are
	 * covered by the import's entry (the file's SHA-256 and counts: each
	 * row keeps its import id, line and fingerprint, so the file the
	 * office keeps reproduces them). */
	if (p->import_id == 0) {
		payment_amount_format(p->amount_para, money, sizeof(money));
		snprintf(object, sizeof(object), "payment:%lld", p->id);
		rc = pay_audit(x, "payment.record", object, "ok",
			       "manual: %s RSD, reference %s: %s, order %lld%s", money,
			       p->reference, p->match, p->order_id, settle ? " (settled)" : "");
	}
	if (rc == STORE_OK && settle)
		rc = pay_settle(x, po, p->id, p->amount_para, NULL);
	else if (rc == STORE_OK && m.result == MATCH_PARTIAL && pay_may_settle(x, po->state))
		rc = order_mail_paid_part(x->st, po->id, p->amount_para, m.paid_para, m.due_para);
	if (settled != NULL)
		*settled = settle && rc == STORE_OK;
	return rc;
}

/* Copies s into the stored error lines without the separators they use. */
static size_t put_field(char *out, size_t size, const char *s)
{
	size_t n = 0;

	for (; s != NULL && *s && n + 1 < size; s++)
		out[n++] = *s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s;
	out[n] = '\0';
	return n;
}

/* The statement's line errors as "LINE\tKEY\tVALUE\tEnglish" lines
 * (pay_error_line_next reads them back). */
static void error_lines(const struct statement *sm, char *out, size_t size)
{
	char key[32], value[96], text[200], more[24];
	size_t i, n = 0;
	int w;

	out[0] = '\0';
	for (i = 0; i < sm->nerrors && n < size; i++) {
		put_field(key, sizeof(key), sm->errors[i].key);
		put_field(value, sizeof(value), sm->errors[i].arg);
		put_field(text, sizeof(text), sm->errors[i].msg);
		w = snprintf(out + n, size - n, "%zu\t%s\t%s\t%s\n", sm->errors[i].line, key, value,
			     text);
		n += w > 0 ? (size_t)w : 0;
	}
	if (sm->nerrors_total > sm->nerrors && n < size) {
		snprintf(more, sizeof(more), "%zu", sm->nerrors_total - sm->nerrors);
		snprintf(out + n, size - n, "0\tstmt.e_more\t%s\t(+%s)\n", more, more);
	}
}

int pay_error_line_next(const char **p, struct pay_error_line *out)
{
	const char *s = *p, *end, *f[4];
	size_t nf = 0, len;

	memset(out, 0, sizeof(*out));
	if (s == NULL || *s == '\0')
		return -1;
	end = strchr(s, '\n');
	end = end != NULL ? end : s + strlen(s);
	*p = *end ? end + 1 : end;
	f[nf++] = s;
	for (; s < end && nf < 4; s++)
		if (*s == '\t')
			f[nf++] = s + 1;
	if (nf < 4) { /* an older row: English text alone */
		len = (size_t)(end - f[0]);
		snprintf(out->text, sizeof(out->text), "%.*s", (int)len, f[0]);
		return 0;
	}
	out->line = strtoll(f[0], NULL, 10);
	snprintf(out->key, sizeof(out->key), "%.*s", (int)(f[2] - f[1] - 1), f[1]);
	snprintf(out->value, sizeof(out->value), "%.*s", (int)(f[3] - f[2] - 1), f[2]);
	snprintf(out->text, sizeof(out->text), "%.*s", (int)(end - f[3]), f[3]);
	return 0;
}

/* date (YYYY-MM-DD) moved by days into out[11].  0 or -1. */
static int date_shift(const char *date, int days, char out[11])
{
	struct tm tm;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(date, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_hour = 12;
	t = timegm(&tm) + (time_t)days * 86400;
	if (gmtime_r(&t, &tm) == NULL)
		return -1;
	return strftime(out, 11, "%Y-%m-%d", &tm) == 10 ? 0 : -1;
}

/* How far apart the date typed with a payment entered by hand and the
 * statement's booking date may be for them to be the same payment. */
#define MANUAL_MATCH_DAYS 3

/* The line p, for an order that already has payments, when it is one
 * of them entered by hand (same amount, within MANUAL_MATCH_DAYS, not
 * yet seen on a statement): that payment takes the line.  1 when it
 * did, 0 when p is a payment of its own, -1 on a store error. */
static int import_claims_manual(struct pay_ctx *x, const struct payment *p)
{
	char from[11], to[11], note[160], import[24], line[24];
	long long id;
	int rc;

	if (date_shift(p->paid_on, -MANUAL_MATCH_DAYS, from) != 0 ||
	    date_shift(p->paid_on, MANUAL_MATCH_DAYS, to) != 0)
		return 0;
	snprintf(import, sizeof(import), "%lld", p->import_id);
	snprintf(line, sizeof(line), "%lld", p->line);
	i18n_note_to(note, sizeof(note), "pay.note_on_statement", "import", import, "line", line,
		     NULL);
	rc = store_payment_claim_manual(x->st, p, from, to, note, &id);
	if (rc == STORE_OK || rc == STORE_CONFLICT)
		return 1; /* taken, or the same line recorded before */
	return rc == STORE_NOTFOUND ? 0 : -1;
}

/*
 * Order lookups made ahead, in the parser's thread, for a large
 * statement: pay_order_of_reference() on that thread's own connection.
 * It reads what was committed when the import's write transaction
 * began, since no one else can commit until the import does.  What the
 * import itself changes, it knows: a line whose order an earlier line
 * of the file touched is looked up again, in the transaction.
 */
struct ahead {
	struct payment_order po;
	int known; /* as pay_order_of_reference(); -1: look again */
};

struct lookahead {
	struct pay_ctx x;
	struct ahead *line;     /* STMT_MAX_LINES entries: only the pages used are touched */
	unsigned char *touched; /* a bit per order id, grown as ids come */
	size_t touched_bytes;
};

/* Order ids from here on count as touched (their lines are looked up
 * again in the transaction): the bitmap stays under 8 MiB. */
#define TOUCHED_MAX_ID (1LL << 26)

/* One read transaction per batch: one snapshot and one WAL read lock
 * for its lookups, not one each (a lookup alone also stats the
 * database file, 100,000 system calls for scenario 7's statement). */
static void look_ahead(void *arg, const struct stmt_line *lines, size_t from, size_t to)
{
	struct lookahead *la = arg;
	size_t i;
	int reading = store_read_begin(la->x.st) == STORE_OK;

	for (i = from; i < to; i++)
		la->line[i].known = pay_order_of_reference(&la->x, lines[i].reference,
							   lines[i].ref97, &la->line[i].po);
	if (reading)
		store_read_end(la->x.st);
}

/*
 * 1 when order id was touched before, and marks it.  A bit per order
 * id: ids are dense from 1, so 140,000 orders take 17 KiB that stay in
 * the cache (a hash table of the ids missed the cache on nearly every
 * probe: ~2% of scenario 7's import).  An id past TOUCHED_MAX_ID, or
 * one the bitmap has no memory for, counts as touched: its line is
 * looked up again, which is always right.
 */
static int touched(struct lookahead *la, long long id)
{
	size_t byte, n;
	unsigned char bit, *grown;

	if (id < 0 || id >= TOUCHED_MAX_ID)
		return 1;
	byte = (size_t)id / 8;
	bit = (unsigned char)(1u << (id % 8));
	if (byte >= la->touched_bytes) {
		n = byte + 1 > 2 * la->touched_bytes ? byte + 1 : 2 * la->touched_bytes;
		n = (n + 4095) & ~(size_t)4095;
		if ((grown = realloc(la->touched, n)) == NULL)
			return 1;
		memset(grown + la->touched_bytes, 0, n - la->touched_bytes);
		la->touched = grown;
		la->touched_bytes = n;
	}
	if (la->touched[byte] & bit)
		return 1;
	la->touched[byte] |= bit;
	return 0;
}

static struct lookahead *lookahead_new(const struct pay_ctx *x)
{
	struct lookahead *la = calloc(1, sizeof(*la));

	if (la == NULL)
		return NULL;
	la->x = *x;
	la->line = calloc(STMT_MAX_LINES, sizeof(*la->line));
	if (la->line == NULL) {
		free(la);
		return NULL;
	}
	bigmem_hint(la->line, STMT_MAX_LINES * sizeof(*la->line));
	return la;
}

static void lookahead_free(struct lookahead *la)
{
	if (la == NULL)
		return;
	free(la->line);
	free(la->touched);
	free(la);
}

/* Line i's order (pay_order_of_reference), from la when it can be. */
static int line_order(struct pay_ctx *x, struct lookahead *la, size_t i, const struct stmt_line *l,
		      struct payment_order *po)
{
	int known;

	if (la == NULL || i >= STMT_MAX_LINES)
		return pay_order_of_reference(x, l->reference, l->ref97, po);
	known = la->line[i].known;
	if (known == 1 && touched(la, la->line[i].po.id))
		known = -1; /* this file changed it: look again */
	if (known >= 0) {
		*po = la->line[i].po;
		return known;
	}
	if ((known = pay_order_of_reference(x, l->reference, l->ref97, po)) == 1)
		touched(la, po->id);
	return known;
}

/* Records every line of statement a (being parsed) into import imp,
 * in the caller's transaction, as the parser hands the lines out.  One
 * struct payment is reused for all lines.  STORE_OK, STORE_NOTFOUND
 * when the file is refused (part way through, maybe), or STORE_ERROR. */
/* A statement line's texts fit a payment's (copied whole below). */
_Static_assert(sizeof(((struct payment *)0)->payer) >= sizeof(((struct stmt_line *)0)->payer) &&
		       sizeof(((struct payment *)0)->reference) >=
			       sizeof(((struct stmt_line *)0)->reference),
	       "a payment holds a statement line's payer and reference");

static int import_lines(struct pay_ctx *x, struct stmt_async *a, struct lookahead *la,
			struct stmt_import *imp)
{
	const struct stmt_line *l;
	struct payment_order po;
	struct payment p;
	size_t i;
	int known, settled, rc;

	for (i = 0; (rc = statement_async_line(a, i, &l)) == 1; i++) {
		if ((known = line_order(x, la, i, l, &po)) < 0)
			return STORE_ERROR;
		memset(&p, 0, sizeof(p));
		p.amount_para = l->amount_para;
		memcpy(p.paid_on, l->date, sizeof(p.paid_on));
		memcpy(p.payer, l->payer, sizeof(l->payer));
		memcpy(p.reference, l->reference, sizeof(l->reference));
		memcpy(p.purpose, l->purpose, sizeof(p.purpose));
		memcpy(p.bank_id, l->bank_id, sizeof(p.bank_id));
		memcpy(p.fingerprint, l->fingerprint, sizeof(l->fingerprint));
		memcpy(p.source, "import", sizeof("import"));
		p.import_id = imp->id;
		p.line = (long long)l->line;
		if (known && po.paid_para > 0) {
			p.order_id = po.id;
			if ((rc = import_claims_manual(x, &p)) < 0)
				return STORE_ERROR;
			if (rc == 1) { /* entered by hand before: recorded */
				imp->duplicates++;
				continue;
			}
		}
		settled = 0;
		rc = pay_record(x, &p, known ? &po : NULL, &settled);
		if (rc == STORE_CONFLICT) {
			imp->duplicates++;
			continue;
		}
		if (rc != STORE_OK)
			return rc;
		imp->added++;
		if (settled)
			imp->settled++;
		else
			imp->unresolved++;
	}
	return rc == 0 ? STORE_OK : STORE_NOTFOUND;
}

/* The import's record from the parsed statement sm. */
static void import_counts(struct stmt_import *imp, const struct statement *sm)
{
	memcpy(imp->sha256, sm->sha256, sizeof(imp->sha256));
	snprintf(imp->format, sizeof(imp->format), "%s", stmt_format_name(sm->format));
	imp->lines = (long long)sm->nlines;
	imp->errors = (long long)sm->nerrors_total;
	imp->skipped = (long long)(sm->ndebits + sm->nskipped);
	error_lines(sm, imp->error_lines, sizeof(imp->error_lines));
}

/*
 * The statement is parsed in a thread of its own while its lines are
 * stored here, in one transaction: for a large statement the parser
 * (and the file's SHA-256) then costs no time (bench/README.md).  A
 * file refused part way through rolls back what its first lines wrote.
 */
int payments_import(const struct pay_ctx *ctx, const char *file_name, const char *data, size_t len,
		    int format, struct pay_import_result *out)
{
	struct pay_ctx x = *ctx;
	struct store *st = x.st;
	struct statement sm;
	struct stmt_async *a = NULL;
	struct stmt_import *imp = calloc(1, sizeof(*imp));
	struct lookahead *la = NULL;
	struct store_bulk bulk = {0, 0};
	char object[32];
	int rc = STORE_ERROR, began, parsed;

	memset(out, 0, sizeof(*out));
	memset(&sm, 0, sizeof(sm));
	if (imp == NULL)
		return STORE_ERROR;
	snprintf(imp->file_name, sizeof(imp->file_name), "%s", file_name);
	imp->created_at = x.now;
	snprintf(imp->created_by, sizeof(imp->created_by), "%s", x.who->name);
	if (len >= BULK_BYTES) {
		(void)store_bulk_begin(st, BULK_CACHE, &bulk); /* else as any other */
		la = lookahead_new(&x);                        /* NULL: the lookups are made here */
	}
	/* The parser starts once the write transaction has: its lookups
	 * ahead then read what the transaction started from. */
	if (!(began = store_begin(st) == STORE_OK) ||
	    statement_async_start(&a, data, len, (enum stmt_format)format, &sm,
				  la != NULL ? look_ahead : NULL, la) != 0) {
		if (began)
			store_rollback(st);
		rc = STORE_ERROR;
		goto out;
	}
	rc = store_import_add(st, imp);
	if (rc == STORE_OK)
		rc = import_lines(&x, a, la, imp);
	parsed = statement_async_end(a) == 0; /* always: the parser's thread ends here */
	if (!parsed) {
		store_rollback(st);
		snprintf(out->why, sizeof(out->why), "%s", sm.error);
		out->why_key = sm.error_key;
		snprintf(out->why_arg, sizeof(out->why_arg), "%s", sm.error_arg);
		out->why_line = (long long)sm.error_line;
		pay_audit(&x, "payment.import", "", "refused", "%s (sha256 %.16s): %s",
			  imp->file_name, sm.sha256, sm.error);
		rc = STORE_NOTFOUND;
		goto out;
	}
	if (rc == STORE_OK) {
		import_counts(imp, &sm);
		rc = store_import_update(st, imp);
	}
	if (rc == STORE_OK) {
		snprintf(object, sizeof(object), "import:%lld", imp->id);
		rc = pay_audit(
			&x, "payment.import", object, "ok",
			"%s (%s, sha256 %.16s): %lld lines, %lld added, %lld recorded before, "
			"%lld errors, %lld settled, %lld unresolved",
			imp->file_name, imp->format, imp->sha256, imp->lines, imp->added,
			imp->duplicates, imp->errors, imp->settled, imp->unresolved);
	}
	if (rc == STORE_OK)
		rc = store_commit(st);
	if (rc != STORE_OK) {
		store_rollback(st);
		rc = STORE_ERROR;
		goto out;
	}
	out->import_id = imp->id;
	if (store_import_same_file(st, imp->sha256, imp->id, &out->same_file) != STORE_OK)
		out->same_file = 0;
out:
	store_bulk_end(st, &bulk);
	lookahead_free(la);
	statement_free(&sm);
	free(imp);
	return rc;
}
