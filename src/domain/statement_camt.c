/*
 * Bank statements in ISO 20022 camt.053 XML (statement.h): every booked
 * entry, each of its transactions one credit line; DOCTYPEs refused, no
 * entity or network ever loaded (libxml2).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "domain/statement.h"
#include "domain/statement_int.h"

/* What a Ntry says that its transactions inherit. */
struct camt_entry {
	xmlNode *node;
	char amount[48], ccy[8], cdi[8], date[11], bank_id[64], info[140];
	size_t ntx; /* TxDtls in the entry */
};

static int camt_is(const xmlNode *n, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* The first child element of n named name (namespace ignored), or NULL. */
static xmlNode *camt_child(const xmlNode *n, const char *name)
{
	xmlNode *c;

	for (c = n != NULL ? n->children : NULL; c != NULL; c = c->next)
		if (camt_is(c, name))
			return c;
	return NULL;
}

/* The element at path ("RltdPties/Dbtr/Nm") below n, or NULL. */
static xmlNode *camt_find(const xmlNode *n, const char *path)
{
	char name[32];
	size_t len;
	xmlNode *cur = NULL;

	while (n != NULL && *path != '\0') {
		len = strcspn(path, "/");
		if (len >= sizeof(name))
			return NULL;
		memcpy(name, path, len);
		name[len] = '\0';
		n = cur = camt_child(n, name);
		path += len + (path[len] == '/');
	}
	return cur;
}

/* The text directly inside n (text and CDATA children; entity
 * references are never expanded), cleaned into out. */
static void camt_text(const xmlNode *n, char *out, size_t outlen)
{
	char buf[STMT_FIELD_MAX] = "";
	size_t len = 0, k;
	xmlNode *c;

	for (c = n != NULL ? n->children : NULL; c != NULL; c = c->next) {
		if ((c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE) ||
		    c->content == NULL)
			continue;
		k = strlen((const char *)c->content);
		if (k > sizeof(buf) - len)
			k = sizeof(buf) - len;
		memcpy(buf + len, c->content, k);
		len += k;
	}
	payment_text_clean(out, outlen, buf, len);
}

/* Text of the first of the paths below n that holds any, into out. */
static void camt_first(const xmlNode *n, const char *const *paths, char *out, size_t outlen)
{
	out[0] = '\0';
	for (; *paths != NULL && out[0] == '\0'; paths++)
		camt_text(camt_find(n, *paths), out, outlen);
}

/* The Ccy attribute of an Amt element into out. */
static void camt_ccy(const xmlNode *amt, char *out, size_t outlen)
{
	xmlChar *v = xmlGetNoNsProp(amt, (const xmlChar *)"Ccy");

	payment_text_clean(out, outlen, v != NULL ? (const char *)v : "",
			   v != NULL ? strlen((const char *)v) : 0);
	xmlFree(v);
}

/* BookgDt, else ValDt, of entry n as YYYY-MM-DD into out ("" if none). */
static void camt_date(const xmlNode *n, char out[11])
{
	static const char *const paths[] = {"BookgDt/Dt", "BookgDt/DtTm", "ValDt/Dt", "ValDt/DtTm",
					    NULL};
	char text[40];

	camt_first(n, paths, text, sizeof(text));
	if (strlen(text) > 10 && text[10] == 'T')
		text[10] = '\0'; /* DtTm: 2024-11-25T10:00:00 */
	if (payment_date_parse(text, out) != 0)
		out[0] = '\0';
}

/* Joins every RmtInf/Ustrd of tx with spaces, cleaned into out. */
static void camt_ustrd(const xmlNode *tx, char *out, size_t outlen)
{
	char joined[STMT_FIELD_MAX], part[STMT_FIELD_MAX];
	xmlNode *rmt = camt_find(tx, "RmtInf"), *c;
	size_t len = 0, n;

	for (c = rmt != NULL ? rmt->children : NULL; c != NULL; c = c->next) {
		if (!camt_is(c, "Ustrd"))
			continue;
		camt_text(c, part, sizeof(part));
		n = strlen(part);
		if (n == 0)
			continue;
		if (len + 1 + n >= sizeof(joined))
			break;
		if (len > 0)
			joined[len++] = ' ';
		memcpy(joined + len, part, n);
		len += n;
	}
	payment_text_clean(out, outlen, joined, len);
}

/* The first non-empty RmtInf/Strd/CdtrRefInf/Ref of tx into out. */
static void camt_strd_ref(const xmlNode *tx, char *out, size_t outlen)
{
	xmlNode *rmt = camt_find(tx, "RmtInf"), *c;

	out[0] = '\0';
	for (c = rmt != NULL ? rmt->children : NULL; c != NULL && out[0] == '\0'; c = c->next)
		if (camt_is(c, "Strd"))
			camt_text(camt_find(c, "CdtrRefInf/Ref"), out, outlen);
}

/* The bank's id of transaction tx (the idx-th of entry e), statement.h. */
static void camt_bank_id(const struct camt_entry *e, const xmlNode *tx, size_t idx, char *out,
			 size_t outlen)
{
	char v[64], part[41];

	camt_text(camt_find(tx, "Refs/AcctSvcrRef"), out, outlen);
	if (out[0] != '\0')
		return;
	if (e->bank_id[0] != '\0') {
		/* part: at most 40 bytes, cut at a character boundary */
		payment_text_clean(part, sizeof(part), e->bank_id, strlen(e->bank_id));
		if (e->ntx <= 1)
			payment_text_clean(out, outlen, e->bank_id, strlen(e->bank_id));
		else
			snprintf(out, outlen, "%s#%zu", part, idx + 1);
		return;
	}
	camt_text(camt_find(tx, "Refs/EndToEndId"), v, sizeof(v));
	if (v[0] == '\0' || strcmp(v, "NOTPROVIDED") == 0)
		camt_text(camt_find(tx, "Refs/TxId"), v, sizeof(v));
	snprintf(out, outlen, "%s", v);
}

/*
 * One transaction: tx (NULL for an entry without details), the idx-th of
 * entry e.  Errors are recorded; -1 only when the file must be refused.
 */
static int camt_tx(struct statement *st, const struct camt_entry *e, const xmlNode *tx, size_t idx,
		   size_t *cap)
{
	static const char *const amounts[] = {"Amt", "AmtDtls/TxAmt/Amt", "AmtDtls/InstdAmt/Amt",
					      NULL};
	static const char *const payers[] = {"RltdPties/Dbtr/Nm", "RltdPties/Dbtr/Pty/Nm",
					     "RltdPties/UltmtDbtr/Nm", "RltdPties/UltmtDbtr/Pty/Nm",
					     NULL};
	char amount[48], ccy[8], cdi[8], ref[STMT_FIELD_MAX], ustrd[STMT_FIELD_MAX];
	char q[STMT_VALUE_MSG];
	const char *why, *const *p;
	xmlNode *n = NULL;
	struct stmt_line l;
	long line;

	memset(&l, 0, sizeof(l));
	line = xmlGetLineNo(tx != NULL ? tx : e->node);
	l.line = line > 0 ? (size_t)line : 0;
	for (p = amounts; tx != NULL && *p != NULL && n == NULL; p++)
		n = camt_find(tx, *p);
	if (n != NULL) {
		camt_text(n, amount, sizeof(amount));
		camt_ccy(n, ccy, sizeof(ccy));
	} else if (e->ntx <= 1) {
		snprintf(amount, sizeof(amount), "%s", e->amount);
		snprintf(ccy, sizeof(ccy), "%s", e->ccy);
	} else {
		stmt_err(st, l.line, "stmt.e_no_amount", NULL,
			 "transaction %zu of a batch entry has no amount", idx + 1);
		return 0;
	}
	camt_text(camt_child(tx, "CdtDbtInd"), cdi, sizeof(cdi));
	if (cdi[0] == '\0')
		snprintf(cdi, sizeof(cdi), "%s", e->cdi);
	if (strcmp(cdi, "DBIT") == 0) {
		st->ndebits++;
		return 0;
	}
	if (strcmp(cdi, "CRDT") != 0) {
		stmt_err(st, l.line, "stmt.e_cdi", cdi, "CdtDbtInd \"%s\": expected CRDT or DBIT",
			 cdi);
		return 0;
	}
	if (strcmp(ccy, "RSD") != 0) {
		stmt_err(st, l.line, "stmt.e_currency", ccy,
			 "currency \"%s\": only RSD payments are imported", ccy);
		return 0;
	}
	if (payment_amount_parse(amount, &l.amount_para, &why) != 0 || l.amount_para < 0) {
		stmt_err(st, l.line, "stmt.e_amount", stmt_quote(st, q, amount),
			 "amount \"%s\": %s", q, l.amount_para < 0 ? "negative" : why);
		return 0;
	}
	if (l.amount_para == 0) {
		st->nskipped++;
		return 0;
	}
	if (e->date[0] == '\0') {
		stmt_err(st, l.line, "stmt.e_date", NULL,
			 "the entry has no valid BookgDt or ValDt date");
		return 0;
	}
	memcpy(l.date, e->date, sizeof(l.date));
	camt_first(tx, payers, l.payer, sizeof(l.payer));
	camt_ustrd(tx, ustrd, sizeof(ustrd));
	payment_text_clean(l.purpose, sizeof(l.purpose), ustrd, strlen(ustrd));
	if (l.purpose[0] == '\0')
		camt_text(camt_child(tx, "AddtlTxInf"), l.purpose, sizeof(l.purpose));
	if (l.purpose[0] == '\0')
		payment_text_clean(l.purpose, sizeof(l.purpose), e->info, strlen(e->info));
	camt_strd_ref(tx, ref, sizeof(ref));
	stmt_reference(st, &l, "", ref, ustrd[0] != '\0' ? ustrd : l.purpose);
	/* Ustrd holding nothing but a reference written without the model */
	if (ref[0] == '\0' && !l.ref97 && ustrd[0] != '\0')
		l.ref97 = payment_ref_normalize(ustrd, l.reference, sizeof(l.reference)) == 1;
	camt_bank_id(e, tx, idx, l.bank_id, sizeof(l.bank_id));
	return stmt_push(st, &l, cap);
}

/* One Ntry.  -1 only when the file must be refused. */
static int camt_entry(struct statement *st, xmlNode *ntry, size_t *cap)
{
	struct camt_entry e;
	char status[16];
	xmlNode *d, *tx, *amt;
	size_t idx = 0;

	memset(&e, 0, sizeof(e));
	e.node = ntry;
	camt_text(camt_child(ntry, "Sts"), status, sizeof(status));
	if (status[0] == '\0')
		camt_text(camt_find(ntry, "Sts/Cd"), status, sizeof(status));
	camt_text(camt_child(ntry, "RvslInd"), e.info, sizeof(e.info));
	if ((status[0] != '\0' && strcmp(status, "BOOK") != 0) || strcmp(e.info, "true") == 0 ||
	    strcmp(e.info, "1") == 0) {
		st->nskipped++;
		return 0;
	}
	amt = camt_child(ntry, "Amt");
	camt_text(amt, e.amount, sizeof(e.amount));
	camt_ccy(amt, e.ccy, sizeof(e.ccy));
	camt_text(camt_child(ntry, "CdtDbtInd"), e.cdi, sizeof(e.cdi));
	camt_date(ntry, e.date);
	camt_text(camt_child(ntry, "AcctSvcrRef"), e.bank_id, sizeof(e.bank_id));
	camt_text(camt_child(ntry, "AddtlNtryInf"), e.info, sizeof(e.info));
	for (d = ntry->children; d != NULL; d = d->next)
		if (camt_is(d, "NtryDtls"))
			for (tx = d->children; tx != NULL; tx = tx->next)
				e.ntx += camt_is(tx, "TxDtls");
	if (e.ntx == 0)
		return camt_tx(st, &e, NULL, 0, cap);
	for (d = ntry->children; d != NULL; d = d->next) {
		if (!camt_is(d, "NtryDtls"))
			continue;
		for (tx = d->children; tx != NULL; tx = tx->next)
			if (camt_is(tx, "TxDtls") && camt_tx(st, &e, tx, idx++, cap) != 0)
				return -1;
	}
	return 0;
}

/* What the parser hooks below saw. */
struct camt_seen {
	int doctype;    /* a DOCTYPE was met */
	int error_line; /* the first error's line, 0 when none */
	char error[128];
};

/* SAX hook: a DOCTYPE stops the parse before any declaration in it is
 * read, so no entity (internal or external) is ever defined. */
static void camt_no_doctype(void *ctx, const xmlChar *name, const xmlChar *ext_id,
			    const xmlChar *sys_id)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct camt_seen *seen = ctxt->_private;

	seen->doctype = 1;
	xmlStopParser(ctxt);
}

/* Error hook: keeps the first error (libxml2's last one is often only
 * "premature end of data" that follows from it). */
static void camt_error(void *ctx, xmlErrorPtr err)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct camt_seen *seen = ctxt->_private;

	if (seen->error[0] != '\0' || err == NULL || err->message == NULL ||
	    err->level < XML_ERR_ERROR)
		return;
	/* the message may quote the document: cut at a character boundary */
	payment_text_clean(seen->error, sizeof(seen->error), err->message, strlen(err->message));
	seen->error_line = err->line;
}

/* Parses the XML; NULL with st->error set when it is refused. */
static xmlDoc *camt_read(const char *data, size_t len, struct statement *st)
{
	const int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
			 XML_PARSE_NOCDATA | XML_PARSE_BIG_LINES;
	struct camt_seen seen;
	xmlParserCtxtPtr ctxt;
	xmlDoc *doc;

	memset(&seen, 0, sizeof(seen));
	if ((ctxt = xmlNewParserCtxt()) == NULL) {
		stmt_fatal(st, 0, "stmt.f_memory", NULL, "out of memory");
		return NULL;
	}
	ctxt->_private = &seen;
	ctxt->sax->internalSubset = camt_no_doctype;
	ctxt->sax->serror = camt_error;
	doc = xmlCtxtReadMemory(ctxt, data, (int)len, "statement.xml", NULL, opts);
	if (seen.doctype)
		stmt_fatal(st, 0, "stmt.f_doctype", NULL,
			   "a DOCTYPE is not allowed in a bank statement");
	else if (doc == NULL && seen.error[0] != '\0')
		stmt_fatal(st, seen.error_line > 0 ? (size_t)seen.error_line : 0, "stmt.f_xml",
			   seen.error, "not well-formed XML: %s", seen.error);
	else if (doc == NULL)
		stmt_fatal(st, 0, "stmt.f_xml", NULL, "not well-formed XML");
	if (st->error[0] != '\0' && doc != NULL) {
		xmlFreeDoc(doc);
		doc = NULL;
	}
	xmlFreeParserCtxt(ctxt);
	return doc;
}

int stmt_camt(const char *data, size_t len, struct statement *st)
{
	xmlNode *root, *bk, *s, *n;
	xmlDoc *doc;
	size_t cap = 0;
	int rc = 0;

	if ((doc = camt_read(data, len, st)) == NULL)
		return -1;
	root = xmlDocGetRootElement(doc);
	if (!camt_is(root, "Document") || (bk = camt_child(root, "BkToCstmrStmt")) == NULL) {
		stmt_fatal(st, 0, "stmt.f_not_camt", NULL,
			   "not a camt.053 statement (no Document/BkToCstmrStmt)");
		rc = -1;
		goto out;
	}
	for (s = bk->children; s != NULL && rc == 0; s = s->next) {
		if (!camt_is(s, "Stmt"))
			continue;
		for (n = s->children; n != NULL && rc == 0; n = n->next)
			if (camt_is(n, "Ntry"))
				rc = camt_entry(st, n, &cap);
	}
out:
	xmlFreeDoc(doc);
	return rc;
}
