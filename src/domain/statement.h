/*
 * Bank statements: reads a statement file into the credit lines it
 * holds, ready to be matched to orders (payment.h) and recorded.  Two
 * formats: a CSV export with a header row, and ISO 20022 camt.053 XML.
 * No I/O, no SQL: the caller hands over the file's bytes.
 *
 * CSV: RFC 4180 (domain/csv.h: ',' separated, fields quoted with '"',
 * a UTF-8 BOM skipped).  The header row may follow up to
 * STMT_HEADER_SEARCH preamble rows (account, period, ...).  Header
 * names are matched case-insensitively, with '_', '-' and '.' read as
 * spaces; the first column of each kind counts:
 *   date       datum, date, datum uplate, datum knjizenja, datum valute,
 *              booking date, value date, ...
 *   amount     iznos, amount, iznos uplate, ...  (signed: '-' is a debit)
 *   or credit  potrazuje / potražuje, credit, uplate, ...
 *      + debit duguje, debit, isplate, ...
 *   payer      uplatilac, platilac, payer, nalogodavac, ...
 *   reference  poziv na broj, poziv na broj odobrenja, reference, ...
 *   model      model, model odobrenja            (optional, joined to the reference)
 *   purpose    svrha, svrha uplate, purpose, ... (optional)
 *   id         id, transaction id, id transakcije, ... (optional)
 *   currency   valuta, currency                  (optional; only RSD lines are taken)
 * Required: date, amount or credit, payer, reference.  A file that is
 * not valid UTF-8 and holds no UTF-8 character at all is read as
 * Windows-1250 (what Serbian banks' Windows exports use); other
 * invalid bytes become U+FFFD.
 *
 * camt.053 (any version .001.02 to .001.08; namespaces ignored): each
 * booked Stmt/Ntry; each NtryDtls/TxDtls of it is one line (an entry
 * without details is one line).  Amount: TxDtls/Amt, TxDtls/AmtDtls/
 * TxAmt|InstdAmt/Amt, else the entry's Amt (single transaction only),
 * currency RSD.  Credit: CdtDbtInd CRDT (the transaction's, else the
 * entry's).  Date: BookgDt, else ValDt (Dt or DtTm).  Payer:
 * RltdPties/Dbtr/Nm (or Dbtr/Pty/Nm, UltmtDbtr).  Reference:
 * RmtInf/Strd/CdtrRefInf/Ref, else a model 97 reference found in
 * RmtInf/Ustrd, else Ustrd as given.  Purpose: Ustrd, else AddtlTxInf,
 * AddtlNtryInf.  Bank id: Refs/AcctSvcrRef, else the entry's AcctSvcrRef
 * (with "#<n>" for the n-th transaction of a batch entry), else
 * Refs/EndToEndId (unless NOTPROVIDED), else Refs/TxId.  Entries whose
 * status is not BOOK, and reversals (RvslInd true), are skipped and
 * counted.  Documents with a DOCTYPE are refused; external entities and
 * the network are never loaded (XXE safe).
 *
 * Thread safety: call statement_global_init() once at start-up, before
 * threads; statement_parse() is then safe to call from several threads
 * on different struct statement.
 */
#ifndef QCRA_STATEMENT_H
#define QCRA_STATEMENT_H

#include <stddef.h>

#include "domain/payment.h"

#define STMT_MAX_MIB 32 /* larger files are refused */
#define STMT_MAX_BYTES (STMT_MAX_MIB * 1024u * 1024u)
#define STMT_MAX_LINES 200000 /* more credit lines are refused */
#define STMT_MAX_ERRORS 50    /* line errors kept (all are counted) */
#define STMT_HEADER_SEARCH 20 /* CSV rows searched for the header */

enum stmt_format {
	STMT_AUTO,    /* camt.053 when the first non-blank byte is '<', else CSV */
	STMT_CSV,     /* CSV export with a header row */
	STMT_CAMT053, /* ISO 20022 camt.053 XML */
	STMT__MAX
};

/* "auto", "csv", "camt.053"; NULL out of range. */
const char *stmt_format_name(enum stmt_format f);

/*
 * One credit: money received.  Text fields are valid UTF-8, trimmed,
 * with runs of white space made one space, truncated to fit.
 */
struct stmt_line {
	size_t line;   /* CSV: line where the record starts; XML: line of TxDtls (or Ntry) */
	char date[11]; /* YYYY-MM-DD: booking date (CSV: the date column) */
	long long amount_para; /* > 0, RSD para */
	char payer[128];
	char reference[PAYMENT_REF_SIZE]; /* canonical "97"+CC+N when ref97, else as given */
	int ref97;                        /* 1: reference is a valid model 97 reference */
	char purpose[140];
	char bank_id[64]; /* the bank's transaction id, "" when none */
	/*
	 * Lowercase hex SHA-256 over "qcra-stmt-v1" and, each written as
	 * "|" + decimal length + ":" + value, bank_id, date, amount_para,
	 * payer, reference and k, where k counts the earlier lines of the
	 * same statement with the same first five values (0 for the first).
	 * The same file parsed again gives the same fingerprints; two
	 * identical payments in one file get different ones; "5.880,00" and
	 * "5880.00" give the same.  The bank's id is part of the hash rather
	 * than the fingerprint itself so that a column of row numbers taken
	 * for an id cannot make two payments collide.  A unique key for
	 * "this payment line was already imported".
	 */
	char fingerprint[65];
};

/* A line that could not be read; it is not in lines[]. */
struct stmt_error {
	size_t line;     /* as stmt_line.line; 0 when not tied to a line */
	char msg[160];   /* English, names the field and the offending value */
	const char *key; /* the message catalogue's "stmt.e_*" (static) */
	char arg[64];    /* its {value}: the offending value, or "" */
};

struct statement {
	enum stmt_format format; /* the format read (never STMT_AUTO after parsing) */
	struct stmt_line *lines; /* credits, in file order */
	size_t nlines;
	size_t ndebits;            /* debits (money out): skipped */
	size_t nskipped;           /* zero amounts, pending or reversed entries: skipped */
	struct stmt_error *errors; /* the first STMT_MAX_ERRORS line errors */
	size_t nerrors;            /* entries in errors[] */
	size_t nerrors_total;      /* all line errors, also those not kept */
	int cp1250;                /* 1: the CSV was read as Windows-1250 */
	char error[200];           /* why the whole file was refused ("" if not), English */
	const char *error_key;     /* the same as a catalogue key "stmt.f_*" */
	char error_arg[96];        /* its {value} */
	size_t error_line;         /* its line, or 0 */
	char sha256[65];           /* of the file's bytes, lowercase hex (also when refused) */

	/* Private to the parser (statement.c, statement_async.c). */
	struct stmt_async *async;      /* the consumer taking lines as they come, or NULL */
	int fixed;                     /* 1: lines[] is allocated once and never moves */
	size_t published;              /* lines handed to the consumer */
	struct stmt_fp_slot *fp_slots; /* the table counting identical lines */
	size_t fp_cap, fp_done;        /* its size; lines with their fingerprint */
};

/* Initialises libxml2 for use from several threads.  Call once, early. */
void statement_global_init(void);

/*
 * Parses the len bytes at data as a statement in format fmt into *st
 * (which need not be initialised).  Lines that cannot be read are listed
 * in st->errors and left out; the others are kept, so the caller decides
 * whether to import a statement with errors.  Returns 0, or -1 when the
 * whole file is refused (not a statement of that format, no usable CSV
 * header, XML not well-formed, a CSV quoting error, too large, out of
 * memory) with st->error saying why and where ("line 7: ...") and no
 * lines.  Either way st must be released with statement_free().
 */
int statement_parse(const char *data, size_t len, enum stmt_format fmt, struct statement *st);

/* Releases what statement_parse() allocated; st may be NULL.  st is
 * left empty and may be parsed into again. */
void statement_free(struct statement *st);

/*
 * Parsing while the lines are used: a large statement is stored as it
 * is read (jobs/payments.c), the parser running in a thread of its own.
 * statement_async_start() starts parsing data into *st (data must stay
 * valid until statement_async_end()).  statement_async_line() waits for
 * line i: 1 with *line pointing at it (fingerprint set; valid until
 * statement_async_end()), 0 when the statement has no line i, -1 when
 * the file is refused (a refusal can come after lines were handed out:
 * whatever the caller did with them must be undone).  Lines come in
 * batches of STMT_BATCH as a CSV file is read; a camt.053 file's all
 * at once at the end.  fn (may be NULL) is called in the parser's
 * thread with each batch, lines [from, to), just before it is handed
 * out: work the caller can do ahead (jobs/payments.c looks up the
 * orders).  statement_async_end() waits for the parser and
 * returns what statement_parse() would have, *st then being exactly
 * what statement_parse() leaves.  Start returns 0, or -1 when out of
 * memory (*st is then empty: use statement_parse()).  Without a thread
 * the file is parsed within start, and the calls behave the same.
 */
#define STMT_BATCH 1024
struct stmt_async;
typedef void stmt_batch_fn(void *arg, const struct stmt_line *lines, size_t from, size_t to);
int statement_async_start(struct stmt_async **out, const char *data, size_t len,
			  enum stmt_format fmt, struct statement *st, stmt_batch_fn *fn, void *arg);
int statement_async_line(struct stmt_async *a, size_t i, const struct stmt_line **line);
int statement_async_end(struct stmt_async *a);

#endif
