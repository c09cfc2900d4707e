/*
 * Bank statements: CSV exports and camt.053 XML read into credit lines
 * with stable fingerprints; malformed input reported with its line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "domain/statement.h"

static int parse(const char *s, struct statement *st)
{
	return statement_parse(s, strlen(s), STMT_AUTO, st);
}

/* The file at QCRA_SRCDIR/rel, NUL-terminated; the caller frees it. */
static char *slurp(const char *rel, size_t *len)
{
	char path[1024];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", getenv("QCRA_SRCDIR"), rel);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Fails unless some recorded error is on line and mentions part. */
static void assert_error_on(const struct statement *st, size_t line, const char *part)
{
	size_t i;

	for (i = 0; i < st->nerrors; i++)
		if (st->errors[i].line == line && strstr(st->errors[i].msg, part) != NULL)
			return;
	fail_msg("no error on line %zu mentioning \"%s\" (%zu errors, first: %s)", line, part,
		 st->nerrors, st->nerrors > 0 ? st->errors[0].msg : "-");
}

/* ---- CSV ---- */

static void test_csv_serbian_headers_and_amounts(void **state)
{
	struct statement st;

	assert_int_equal(parse("Datum,Iznos,Uplatilac,Poziv na broj,Svrha\n"
			       "25.11.2024,\"5.880,00\",Žarko Đurašković,97 20-00000123,"
			       "Kvalifikovani sertifikat\n"
			       "26.11.2024.,\"7380,5\",Petrović d.o.o.,977400004567,Uplata\n",
			       &st),
			 0);
	assert_int_equal(st.format, STMT_CSV);
	assert_int_equal(st.nerrors_total, 0);
	assert_int_equal(st.nlines, 2);
	assert_int_equal(st.lines[0].line, 2);
	assert_string_equal(st.lines[0].date, "2024-11-25");
	assert_int_equal(st.lines[0].amount_para, 588000);
	assert_string_equal(st.lines[0].payer, "Žarko Đurašković");
	assert_string_equal(st.lines[0].reference, "972000000123");
	assert_int_equal(st.lines[0].ref97, 1);
	assert_string_equal(st.lines[0].purpose, "Kvalifikovani sertifikat");
	assert_string_equal(st.lines[0].bank_id, "");
	assert_int_equal(st.lines[1].line, 3);
	assert_string_equal(st.lines[1].date, "2024-11-26");
	assert_int_equal(st.lines[1].amount_para, 738050);
	assert_string_equal(st.lines[1].reference, "977400004567");
	statement_free(&st);
}

static void test_csv_english_headers(void **state)
{
	struct statement st;

	assert_int_equal(parse("Date,Amount,Payer,Reference,Purpose,Transaction ID,Currency\n"
			       "2024-11-25,5880.00,John Smith,972000000123,Certificate,T-1,RSD\n",
			       &st),
			 0);
	assert_int_equal(st.nlines, 1);
	assert_string_equal(st.lines[0].date, "2024-11-25");
	assert_int_equal(st.lines[0].amount_para, 588000);
	assert_string_equal(st.lines[0].payer, "John Smith");
	assert_string_equal(st.lines[0].bank_id, "T-1");
	assert_string_equal(st.lines[0].purpose, "Certificate");
	statement_free(&st);
}

static void test_csv_header_names_any_case_and_spelling(void **state)
{
	struct statement st;

	assert_int_equal(parse("DATUM, IZNOS ,PLATILAC,poziv_na_broj\n"
			       "25.11.2024,100,A,9714123412\n",
			       &st),
			 0);
	assert_int_equal(st.nlines, 1);
	statement_free(&st);
	assert_int_equal(parse("Датум,Износ,Уплатилац,Позив на број\n"
			       "25.11.2024,100,Б,9714123412\n",
			       &st),
			 0);
	assert_int_equal(st.nlines, 1);
	assert_string_equal(st.lines[0].payer, "Б");
	statement_free(&st);
}

static void test_csv_bom_and_quoted_fields(void **state)
{
	struct statement st;

	assert_int_equal(parse("\xef\xbb\xbf\"Datum\",\"Iznos\",\"Platilac\",\"Poziv na broj\"\r\n"
			       "\"25.11.2024\",\"1.234.567,89\",\"Jovanović, Marko \"\"Mare\"\"\","
			       "\"97 20-00000123\"\r\n",
			       &st),
			 0);
	assert_int_equal(st.nlines, 1);
	assert_int_equal(st.lines[0].amount_para, 123456789);
	assert_string_equal(st.lines[0].payer, "Jovanović, Marko \"Mare\"");
	assert_string_equal(st.lines[0].reference, "972000000123");
	statement_free(&st);
}

static void test_csv_header_after_preamble(void **state)
{
	struct statement st;

	assert_int_equal(parse("Izvod br. 231\n"
			       "Račun:,160-0000000012345-67\n"
			       "\n"
			       "Datum knjiženja,Uplatilac,Poziv na broj odobrenja,Iznos\n"
			       "25.11.2024,Ana,9714123412,\"1.000,00\"\n",
			       &st),
			 0);
	assert_int_equal(st.nlines, 1);
	assert_int_equal(st.lines[0].line, 5);
	assert_int_equal(st.lines[0].amount_para, 100000);
	statement_free(&st);
}

static void test_csv_credit_and_debit_columns(void **state)
{
	struct statement st;

	assert_int_equal(parse("Datum,Uplatilac,Poziv na broj,Duguje,Potražuje\n"
			       "25.11.2024,Ana,9714123412,,\"5.880,00\"\n"
			       "25.11.2024,Banka,,\"150,00\",\n"
			       "25.11.2024,Ana,9714123412,\"0,00\",\"100,00\"\n",
			       &st),
			 0);
	assert_int_equal(st.nlines, 2);
	assert_int_equal(st.ndebits, 1);
	assert_int_equal(st.lines[0].amount_para, 588000);
	assert_int_equal(st.lines[1].amount_para, 10000);
	statement_free(&st);
}

static void test_csv_debits_skipped_and_counted(void **state)
{
	struct statement st;

	assert_int_equal(parse("Datum,Iznos,Uplatilac,Poziv na broj\n"
			       "25.11.2024,\"-1.500,00\",Banka,\n"
			       "25.11.2024,\"5.880,00\",Ana,972000000123\n"
			       "25.11.2024,-20,Banka,\n"
			       "25.11.2024,\"0,00\",Nula,\n",
			       &st),
			 0);
	assert_int_equal(st.nlines, 1);
	assert_int_equal(st.ndebits, 2);
	assert_int_equal(st.nskipped, 1);
	assert_int_equal(st.nerrors_total, 0);
	statement_free(&st);
}

static void test_csv_malformed_amount_rejected_with_line(void **state)
{
	struct statement st;

	assert_int_equal(parse("Datum,Iznos,Uplatilac,Poziv na broj\n"
			       "25.11.2024,100,Ana,9714123412\n"
			       "25.11.2024,\"5,8800\",Bora,9714123412\n"
			       "25.11.2024,abc,Cane,9714123412\n"
			       "25.11.2024,200,Deki,9714123412\n",
			       &st),
			 0);
	assert_int_equal(st.nlines, 2);
	assert_int_equal(st.nerrors, 2);
	assert_error_on(&st, 3, "two decimals");
	assert_error_on(&st, 3, "\"5,8800\"");
	assert_error_on(&st, 4, "not a number");
	assert_string_equal(st.lines[1].payer, "Deki");
	statement_free(&st);
}

static void test_csv_malformed_date_rejected_with_line(void **state)
{
	struct statement st;

	assert_int_equal(parse("Datum,Iznos,Uplatilac,Poziv na broj\n"
			       "31.02.2024,100,Ana,9714123412\n"
			       "2024/11/25,100,Ana,9714123412\n"
			       "25.11.2024,100,Ana,9714123412\n",
			       &st),
			 0);
	assert_int_equal(st.nlines, 1);
	assert_error_on(&st, 2, "date \"31.02.2024\"");
	assert_error_on(&st, 3, "date");
	statement_free(&st);
}

static void test_csv_line_numbers_count_quoted_line_breaks(void **state)
{
	struct statement st;

	assert_int_equal(parse("Datum,Iznos,Uplatilac,Poziv na broj\n"
			       "25.11.2024,100,\"Ana\nPetrović\",9714123412\n"
			       "99.11.2024,100,Bora,9714123412\n",
			       &st),
			 0);
	assert_int_equal(st.nlines, 1);
	assert_string_equal(st.lines[0].payer, "Ana Petrović");
	assert_error_on(&st, 4, "date");
	statement_free(&st);
}

static void test_csv_short_row_rejected_with_line(void **state)
{
	struct statement st;

	assert_int_equal(parse("Datum,Iznos,Uplatilac,Poziv na broj\n"
			       "25.11.2024,100\n",
			       &st),
			 0);
	assert_int_equal(st.nlines, 0);
	assert_error_on(&st, 2, "fields");
	statement_free(&st);
}

static void test_csv_blank_padding_rows_ignored(void **state)
{
	struct statement st;

	assert_int_equal(parse("Datum,Iznos,Uplatilac,Poziv na broj\n"
			       "25.11.2024,100,Ana,9714123412\n"
			       ",,,\n"
			       " , ,,\n",
			       &st),
			 0);
	assert_int_equal(st.nlines, 1);
	assert_int_equal(st.nerrors_total, 0);
	statement_free(&st);
}

static void test_csv_missing_columns_refused(void **state)
{
	struct statement st;

	assert_int_equal(parse("Datum,Iznos,Uplatilac\n25.11.2024,100,Ana\n", &st), -1);
	assert_non_null(strstr(st.error, "line 1"));
	assert_non_null(strstr(st.error, "reference"));
	assert_int_equal(st.nlines, 0);
	assert_null(st.lines);
	statement_free(&st);
	assert_int_equal(parse("a,b\n1,2\n", &st), -1);
	assert_non_null(strstr(st.error, "no header"));
	statement_free(&st);
}

/* Spreadsheets in Serbian locales save CSV with ';' between fields and
 * the decimal comma in amounts: read as such, quotes included. */
static void test_csv_with_semicolons_is_read(void **state)
{
	struct statement st;

	assert_int_equal(parse("Datum;Iznos;Uplatilac;Poziv na broj\n"
			       "25.11.2024;5.880,00;Ana;97 14-123412\n"
			       "26.11.2024;\"1.200,50\";\"Biro; d.o.o.\";\n",
			       &st),
			 0);
	assert_int_equal(st.nlines, 2);
	assert_int_equal(st.lines[0].amount_para, 588000);
	assert_string_equal(st.lines[0].payer, "Ana");
	assert_string_equal(st.lines[0].date, "2024-11-25");
	assert_int_equal(st.lines[1].amount_para, 120050);
	assert_string_equal(st.lines[1].payer, "Biro; d.o.o.");
	assert_int_equal(st.lines[1].line, 3);
	statement_free(&st);
}

static void test_csv_unterminated_quote_refused_with_line(void **state)
{
	struct statement st;

	assert_int_equal(parse("Datum,Iznos,Uplatilac,Poziv na broj\n"
			       "25.11.2024,100,Ana,9714123412\n"
			       "25.11.2024,100,\"Bora,9714123412\n",
			       &st),
			 -1);
	assert_non_null(strstr(st.error, "line 3"));
	assert_non_null(strstr(st.error, "unterminated"));
	assert_int_equal(st.nlines, 0);
	statement_free(&st);
}

static void test_csv_empty_file_refused(void **state)
{
	struct statement st;

	assert_int_equal(statement_parse("", 0, STMT_AUTO, &st), -1);
	assert_non_null(strstr(st.error, "empty"));
	statement_free(&st);
	assert_int_equal(statement_parse(NULL, 10, STMT_CSV, &st), -1);
	statement_free(&st);
	statement_free(NULL);
}

static void test_csv_windows_1250_read(void **state)
{
	struct statement st;

	assert_int_equal(parse("Datum,Iznos,Uplatilac,Poziv na broj,Svrha\n"
			       "25.11.2024,100,\x8e"
			       "arko \xd0ura\x9akovi\xe6,9714123412,"
			       "Ra\xe8un\n",
			       &st),
			 0);
	assert_int_equal(st.cp1250, 1);
	assert_int_equal(st.nlines, 1);
	assert_string_equal(st.lines[0].payer, "Žarko Đurašković");
	assert_string_equal(st.lines[0].purpose, "Račun");
	statement_free(&st);
}

static void test_csv_invalid_utf8_replaced(void **state)
{
	struct statement st;

	assert_int_equal(parse("Datum,Iznos,Uplatilac,Poziv na broj\n"
			       "25.11.2024,100,Đura \xff,9714123412\n",
			       &st),
			 0);
	assert_int_equal(st.cp1250, 0);
	assert_string_equal(st.lines[0].payer, "Đura \xef\xbf\xbd");
	statement_free(&st);
}

static void test_csv_model_column_joined(void **state)
{
	struct statement st;

	assert_int_equal(parse("Datum,Iznos,Uplatilac,Model,Poziv na broj\n"
			       "25.11.2024,100,Ana,97,20-00000123\n"
			       "25.11.2024,100,Ana,,20-00000123\n",
			       &st),
			 0);
	assert_int_equal(st.nlines, 2);
	assert_string_equal(st.lines[0].reference, "972000000123");
	assert_string_equal(st.lines[1].reference, "972000000123");
	statement_free(&st);
}

static void test_csv_other_currency_rejected(void **state)
{
	struct statement st;

	assert_int_equal(parse("Datum,Iznos,Valuta,Uplatilac,Poziv na broj\n"
			       "25.11.2024,100,EUR,Ana,9714123412\n"
			       "25.11.2024,100,rsd,Ana,9714123412\n",
			       &st),
			 0);
	assert_int_equal(st.nlines, 1);
	assert_error_on(&st, 2, "EUR");
	statement_free(&st);
}

static void test_csv_reference_taken_from_purpose_when_empty(void **state)
{
	struct statement st;

	assert_int_equal(parse("Datum,Iznos,Uplatilac,Poziv na broj,Svrha\n"
			       "25.11.2024,100,Ana,,Uplata po pozivu 97 20-00000123\n"
			       "25.11.2024,100,Ana,nepoznat,Uplata po pozivu 97 20-00000123\n",
			       &st),
			 0);
	assert_string_equal(st.lines[0].reference, "972000000123");
	assert_int_equal(st.lines[0].ref97, 1);
	assert_string_equal(st.lines[1].reference, "nepoznat");
	assert_int_equal(st.lines[1].ref97, 0);
	statement_free(&st);
}

static void test_csv_references_normalised(void **state)
{
	struct statement st;

	assert_int_equal(parse("Datum,Iznos,Uplatilac,Poziv na broj\n"
			       "25.11.2024,1,A,97 14 123412\n"
			       "25.11.2024,2,A,97-14-123412\n"
			       "25.11.2024,3,A,14123412\n"
			       "25.11.2024,4,A,9715123412\n"
			       "25.11.2024,5,A,  račun  12  \n",
			       &st),
			 0);
	assert_int_equal(st.nlines, 5);
	assert_string_equal(st.lines[0].reference, "9714123412");
	assert_string_equal(st.lines[1].reference, "9714123412");
	assert_string_equal(st.lines[2].reference, "9714123412");
	assert_int_equal(st.lines[2].ref97, 1);
	assert_string_equal(st.lines[3].reference, "9715123412");
	assert_int_equal(st.lines[3].ref97, 0);
	assert_string_equal(st.lines[4].reference, "račun 12");
	assert_int_equal(st.lines[4].ref97, 0);
	statement_free(&st);
}

static void test_errors_capped_but_counted(void **state)
{
	char buf[4096];
	size_t len, i;
	struct statement st;

	len = (size_t)snprintf(buf, sizeof(buf), "Datum,Iznos,Uplatilac,Poziv na broj\n");
	for (i = 0; i < STMT_MAX_ERRORS + 10; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "x,1,A,9714123412\n");
	assert_int_equal(statement_parse(buf, len, STMT_CSV, &st), 0);
	assert_int_equal(st.nerrors, STMT_MAX_ERRORS);
	assert_int_equal(st.nerrors_total, STMT_MAX_ERRORS + 10);
	assert_int_equal(st.errors[STMT_MAX_ERRORS - 1].line, STMT_MAX_ERRORS + 1);
	statement_free(&st);
}

/* ---- camt.053 ---- */

static void test_camt_sample_two_credits_one_debit(void **state)
{
	struct statement st;
	size_t len;
	char *xml = slurp("tests/unit/payments/data/camt053-sample.xml", &len);

	assert_int_equal(statement_parse(xml, len, STMT_AUTO, &st), 0);
	assert_int_equal(st.format, STMT_CAMT053);
	assert_int_equal(st.nerrors_total, 0);
	assert_int_equal(st.nlines, 2);
	assert_int_equal(st.ndebits, 1);
	assert_string_equal(st.lines[0].date, "2024-11-25");
	assert_int_equal(st.lines[0].amount_para, 588000);
	assert_string_equal(st.lines[0].payer, "Žarko Đurašković");
	assert_string_equal(st.lines[0].reference, "972000000123");
	assert_int_equal(st.lines[0].ref97, 1);
	assert_string_equal(st.lines[0].bank_id, "TX-2024112500001");
	assert_string_equal(st.lines[0].purpose, "Uplata za sertifikat");
	assert_int_equal(st.lines[1].amount_para, 738050);
	assert_string_equal(st.lines[1].payer, "Advokatska kancelarija Petrović d.o.o.");
	assert_string_equal(st.lines[1].reference, "977400004567");
	assert_string_equal(st.lines[1].purpose,
			    "Uplata po profakturi, poziv na broj 97 74-00004567");
	assert_string_equal(st.lines[1].bank_id, "2024112500002");
	assert_true(st.lines[0].line > 40 && st.lines[1].line > st.lines[0].line);
	statement_free(&st);
	free(xml);
}

#define CAMT_HEAD                                                                                  \
	"<?xml version=\"1.0\"?>\n"                                                                \
	"<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\">"                      \
	"<BkToCstmrStmt><Stmt>\n"
#define CAMT_TAIL "</Stmt></BkToCstmrStmt></Document>\n"

static void test_camt_newer_versions_and_batches(void **state)
{
	struct statement st;

	assert_int_equal(parse(CAMT_HEAD
			       "<Ntry><Amt Ccy=\"RSD\">300.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>"
			       "<Sts><Cd>BOOK</Cd></Sts>"
			       "<BookgDt><DtTm>2024-11-25T09:30:00</DtTm></BookgDt>"
			       "<AcctSvcrRef>B-7</AcctSvcrRef><NtryDtls>\n"
			       "<TxDtls><Amt Ccy=\"RSD\">100.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>"
			       "<RltdPties><Dbtr><Pty><Nm>Ana</Nm></Pty></Dbtr></RltdPties>"
			       "<RmtInf><Strd><CdtrRefInf><Ref>9714123412</Ref></CdtrRefInf></Strd>"
			       "</RmtInf></TxDtls>\n"
			       "<TxDtls><Amt Ccy=\"RSD\">200.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>"
			       "<RltdPties><Dbtr><Pty><Nm>Bora</Nm></Pty></Dbtr></RltdPties>"
			       "<RmtInf><Ustrd>14123412</Ustrd></RmtInf></TxDtls>\n"
			       "</NtryDtls></Ntry>" CAMT_TAIL,
			       &st),
			 0);
	assert_int_equal(st.nlines, 2);
	assert_string_equal(st.lines[0].date, "2024-11-25");
	assert_int_equal(st.lines[0].amount_para, 10000);
	assert_string_equal(st.lines[0].payer, "Ana");
	assert_string_equal(st.lines[0].bank_id, "B-7#1");
	assert_int_equal(st.lines[0].line, 4);
	assert_int_equal(st.lines[1].amount_para, 20000);
	assert_string_equal(st.lines[1].bank_id, "B-7#2");
	assert_string_equal(st.lines[1].reference, "9714123412");
	assert_int_equal(st.lines[1].line, 5);
	statement_free(&st);
}

static void test_camt_entry_without_details(void **state)
{
	struct statement st;

	assert_int_equal(parse(CAMT_HEAD
			       "<Ntry><Amt Ccy=\"RSD\">50</Amt><CdtDbtInd>CRDT</CdtDbtInd>"
			       "<ValDt><Dt>2024-11-26</Dt></ValDt>"
			       "<AddtlNtryInf>Uplata 9714123412</AddtlNtryInf></Ntry>" CAMT_TAIL,
			       &st),
			 0);
	assert_int_equal(st.nlines, 1);
	assert_string_equal(st.lines[0].date, "2024-11-26");
	assert_int_equal(st.lines[0].amount_para, 5000);
	assert_string_equal(st.lines[0].purpose, "Uplata 9714123412");
	assert_string_equal(st.lines[0].reference, "9714123412");
	statement_free(&st);
}

static void test_camt_pending_and_reversed_skipped(void **state)
{
	struct statement st;

	assert_int_equal(parse(CAMT_HEAD
			       "<Ntry><Amt Ccy=\"RSD\">50</Amt><CdtDbtInd>CRDT</CdtDbtInd>"
			       "<Sts>PDNG</Sts><BookgDt><Dt>2024-11-26</Dt></BookgDt></Ntry>"
			       "<Ntry><Amt Ccy=\"RSD\">50</Amt><CdtDbtInd>CRDT</CdtDbtInd>"
			       "<RvslInd>true</RvslInd><BookgDt><Dt>2024-11-26</Dt></BookgDt>"
			       "</Ntry>" CAMT_TAIL,
			       &st),
			 0);
	assert_int_equal(st.nlines, 0);
	assert_int_equal(st.nskipped, 2);
	statement_free(&st);
}

static void test_camt_bad_values_rejected_with_line(void **state)
{
	struct statement st;

	assert_int_equal(parse(CAMT_HEAD
			       "<Ntry><Amt Ccy=\"EUR\">50</Amt><CdtDbtInd>CRDT</CdtDbtInd>"
			       "<BookgDt><Dt>2024-11-26</Dt></BookgDt></Ntry>\n"
			       "<Ntry><Amt Ccy=\"RSD\">5.001</Amt><CdtDbtInd>CRDT</CdtDbtInd>"
			       "<BookgDt><Dt>2024-11-26</Dt></BookgDt></Ntry>\n"
			       "<Ntry><Amt Ccy=\"RSD\">5</Amt><CdtDbtInd>CRDT</CdtDbtInd>"
			       "<BookgDt><Dt>2024-02-30</Dt></BookgDt></Ntry>\n"
			       "<Ntry><Amt Ccy=\"RSD\">5</Amt><CdtDbtInd>XX</CdtDbtInd>"
			       "<BookgDt><Dt>2024-02-20</Dt></BookgDt></Ntry>\n" CAMT_TAIL,
			       &st),
			 0);
	assert_int_equal(st.nlines, 0);
	assert_error_on(&st, 3, "EUR");
	assert_error_on(&st, 4, "amount");
	assert_error_on(&st, 5, "date");
	assert_error_on(&st, 6, "CdtDbtInd");
	statement_free(&st);
}

static void test_camt_not_well_formed_refused_with_line(void **state)
{
	struct statement st;

	assert_int_equal(parse("<?xml version=\"1.0\"?>\n<Document>\n<BkToCstmrStmt>\n"
			       "<Stmt></Ntry>\n",
			       &st),
			 -1);
	assert_non_null(strstr(st.error, "line 4"));
	assert_non_null(strstr(st.error, "not well-formed"));
	statement_free(&st);
}

static void test_camt_other_documents_refused(void **state)
{
	struct statement st;

	assert_int_equal(parse("<html><body/></html>", &st), -1);
	assert_non_null(strstr(st.error, "camt.053"));
	statement_free(&st);
}

/* None of the ways XML can pull in a file may show its contents. */
static void test_camt_xxe_does_not_read_files(void **state)
{
	static const char *const payloads[] = {
		"<?xml version=\"1.0\"?>\n"
		"<!DOCTYPE Document [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n"
		"<Document><BkToCstmrStmt><Stmt><Ntry><Amt Ccy=\"RSD\">1</Amt>"
		"<CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2024-11-26</Dt></BookgDt>"
		"<NtryDtls><TxDtls><RltdPties><Dbtr><Nm>&xxe;</Nm></Dbtr></RltdPties>"
		"<RmtInf><Ustrd>&xxe;</Ustrd></RmtInf></TxDtls></NtryDtls>"
		"</Ntry></Stmt></BkToCstmrStmt></Document>\n",
		"<?xml version=\"1.0\"?>\n"
		"<!DOCTYPE Document [<!ENTITY % p SYSTEM \"file:///etc/passwd\"> %p;]>\n"
		"<Document/>\n",
		"<?xml version=\"1.0\"?>\n"
		"<!DOCTYPE Document SYSTEM \"file:///etc/passwd\">\n"
		"<Document/>\n",
		"<?xml version=\"1.0\"?>\n"
		"<!DOCTYPE Document [<!ENTITY x SYSTEM \"http://127.0.0.1:1/x\">]>\n"
		"<Document>&x;</Document>\n",
	};
	struct statement st;
	size_t i, j;

	for (i = 0; i < sizeof(payloads) / sizeof(payloads[0]); i++) {
		assert_int_equal(parse(payloads[i], &st), -1);
		assert_non_null(strstr(st.error, "DOCTYPE"));
		assert_null(strstr(st.error, "root:"));
		for (j = 0; j < st.nlines; j++)
			assert_null(strstr(st.lines[j].payer, "root"));
		statement_free(&st);
	}
}

static void test_camt_entity_expansion_refused(void **state)
{
	struct statement st;

	assert_int_equal(parse("<?xml version=\"1.0\"?>\n"
			       "<!DOCTYPE d [<!ENTITY a \"aaaaaaaaaa\">"
			       "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
			       "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>\n"
			       "<Document>&c;</Document>\n",
			       &st),
			 -1);
	assert_non_null(strstr(st.error, "DOCTYPE"));
	statement_free(&st);
}

/* ---- fingerprints ---- */

static const char two_payments[] = "Datum,Iznos,Uplatilac,Poziv na broj\n"
				   "25.11.2024,\"5.880,00\",Ana,9714123412\n"
				   "25.11.2024,\"100,00\",Bora,972000000123\n";

static void test_same_statement_twice_same_fingerprints(void **state)
{
	struct statement a, b;
	size_t i, len;
	char *xml;

	assert_int_equal(parse(two_payments, &a), 0);
	assert_int_equal(parse(two_payments, &b), 0);
	assert_int_equal(a.nlines, 2);
	for (i = 0; i < a.nlines; i++)
		assert_string_equal(a.lines[i].fingerprint, b.lines[i].fingerprint);
	statement_free(&a);
	statement_free(&b);

	xml = slurp("tests/unit/payments/data/camt053-sample.xml", &len);
	assert_int_equal(statement_parse(xml, len, STMT_CAMT053, &a), 0);
	assert_int_equal(statement_parse(xml, len, STMT_CAMT053, &b), 0);
	for (i = 0; i < a.nlines; i++)
		assert_string_equal(a.lines[i].fingerprint, b.lines[i].fingerprint);
	assert_string_not_equal(a.lines[0].fingerprint, a.lines[1].fingerprint);
	statement_free(&a);
	statement_free(&b);
	free(xml);
}

static void test_fingerprint_is_lowercase_hex_sha256(void **state)
{
	struct statement st;
	size_t i;

	assert_int_equal(parse(two_payments, &st), 0);
	assert_int_equal(strlen(st.lines[0].fingerprint), 64);
	for (i = 0; i < 64; i++)
		assert_non_null(strchr("0123456789abcdef", st.lines[0].fingerprint[i]));
	statement_free(&st);
}

static void test_identical_lines_get_distinct_fingerprints(void **state)
{
	struct statement st;

	assert_int_equal(parse("Datum,Iznos,Uplatilac,Poziv na broj\n"
			       "25.11.2024,100,Ana,9714123412\n"
			       "25.11.2024,100,Ana,9714123412\n"
			       "25.11.2024,100,Ana,9714123412\n",
			       &st),
			 0);
	assert_int_equal(st.nlines, 3);
	assert_string_not_equal(st.lines[0].fingerprint, st.lines[1].fingerprint);
	assert_string_not_equal(st.lines[1].fingerprint, st.lines[2].fingerprint);
	assert_string_not_equal(st.lines[0].fingerprint, st.lines[2].fingerprint);
	statement_free(&st);
}

/* A line's fingerprint depends on identical lines before it, not on
 * where it stands: a statement that adds other payments in between
 * still recognises the ones already imported. */
static void test_fingerprint_ignores_unrelated_lines(void **state)
{
	struct statement a, b;

	assert_int_equal(parse("Datum,Iznos,Uplatilac,Poziv na broj\n"
			       "25.11.2024,100,Ana,9714123412\n"
			       "25.11.2024,100,Ana,9714123412\n",
			       &a),
			 0);
	assert_int_equal(parse("Datum,Iznos,Uplatilac,Poziv na broj\n"
			       "24.11.2024,700,Cane,9714123412\n"
			       "25.11.2024,100,Ana,9714123412\n"
			       "25.11.2024,300,Deki,9714123412\n"
			       "25.11.2024,100,Ana,9714123412\n",
			       &b),
			 0);
	assert_string_equal(a.lines[0].fingerprint, b.lines[1].fingerprint);
	assert_string_equal(a.lines[1].fingerprint, b.lines[3].fingerprint);
	statement_free(&a);
	statement_free(&b);
}

static void test_fingerprint_independent_of_spelling(void **state)
{
	struct statement a, b;

	assert_int_equal(parse("Datum,Iznos,Uplatilac,Poziv na broj\n"
			       "25.11.2024,\"5.880,00\",Ana  Petrović,97 20-00000123\n",
			       &a),
			 0);
	assert_int_equal(parse("Date,Amount,Payer,Reference\n"
			       "2024-11-25,5880.00, Ana Petrović ,972000000123\n",
			       &b),
			 0);
	assert_string_equal(a.lines[0].fingerprint, b.lines[0].fingerprint);
	statement_free(&a);
	statement_free(&b);
}

static void test_fingerprint_uses_bank_id(void **state)
{
	struct statement st;

	assert_int_equal(parse("Datum,Iznos,Uplatilac,Poziv na broj,ID\n"
			       "25.11.2024,100,Ana,9714123412,A1\n"
			       "25.11.2024,100,Ana,9714123412,A2\n"
			       "25.11.2024,100,Ana,9714123412,\n",
			       &st),
			 0);
	assert_string_not_equal(st.lines[0].fingerprint, st.lines[1].fingerprint);
	assert_string_not_equal(st.lines[0].fingerprint, st.lines[2].fingerprint);
	statement_free(&st);
}

static void test_format_detected_and_forced(void **state)
{
	struct statement st;
	const char *xml = "\xef\xbb\xbf \n<Document><BkToCstmrStmt/></Document>";

	assert_int_equal(statement_parse(xml, strlen(xml), STMT_AUTO, &st), 0);
	assert_int_equal(st.format, STMT_CAMT053);
	assert_int_equal(st.nlines, 0);
	statement_free(&st);
	assert_int_equal(statement_parse(xml, strlen(xml), STMT_CSV, &st), -1);
	statement_free(&st);
	assert_int_equal(statement_parse(two_payments, strlen(two_payments), STMT_CAMT053, &st),
			 -1);
	statement_free(&st);
	assert_string_equal(stmt_format_name(STMT_CAMT053), "camt.053");
	assert_null(stmt_format_name(STMT__MAX));
}

/* ---- parsing while the lines are used (statement_async_*) ---- */

/* A CSV statement of n credits; every seventh repeats the one before
 * (same payer, amount, reference), so counts matter to fingerprints.
 * With bad_at > 0, line bad_at opens a quote that never closes. */
static char *big_csv(size_t n, size_t bad_at, size_t *len)
{
	size_t cap = 64 + n * 64, off, i, k;
	char *buf = malloc(cap);

	assert_non_null(buf);
	off = (size_t)snprintf(buf, cap, "datum,iznos,uplatilac,poziv na broj\n");
	for (i = 1; i <= n; i++) {
		k = i % 7 == 0 ? i - 1 : i;
		if (i + 1 == bad_at)
			off += (size_t)snprintf(buf + off, cap - off, "2026-11-02,1.00,\"Open\n");
		else
			off += (size_t)snprintf(buf + off, cap - off,
						"2026-11-02,%zu.00,Payer %zu,97%zu\n", k, k,
						10 + k);
	}
	*len = off;
	return buf;
}

/* Takes every line from a, checking each against the same file parsed
 * at once; returns how many came, or -1 when the file was refused. */
static long take_all(struct stmt_async *a, const struct statement *ref)
{
	const struct stmt_line *l;
	size_t i;
	int rc;

	for (i = 0; (rc = statement_async_line(a, i, &l)) == 1; i++) {
		assert_true(i < ref->nlines || ref->nlines == 0);
		if (ref->nlines > 0) {
			assert_string_equal(l->fingerprint, ref->lines[i].fingerprint);
			assert_int_equal(l->amount_para, ref->lines[i].amount_para);
			assert_int_equal(l->line, ref->lines[i].line);
		}
	}
	return rc == 0 ? (long)i : -1;
}

/* The batch hook: marks each line it sees (once, in order). */
struct seen {
	unsigned char *mark;
	size_t next, calls;
};

static void see(void *arg, const struct stmt_line *lines, size_t from, size_t to)
{
	struct seen *v = arg;
	size_t i;

	(void)lines;
	v->calls++;
	if (from != v->next)
		v->next = (size_t)-1; /* a gap or an overlap */
	else
		v->next = to;
	for (i = from; i < to; i++)
		v->mark[i]++;
}

static void test_async_hands_out_what_parse_gives(void **state)
{
	struct statement sync, st;
	struct stmt_async *a;
	const struct stmt_line *l;
	struct seen v;
	size_t len, i;
	char *csv = big_csv(5 * STMT_BATCH + 17, 0, &len);

	(void)state;
	assert_int_equal(statement_parse(csv, len, STMT_AUTO, &sync), 0);
	assert_int_equal(sync.nlines, 5 * STMT_BATCH + 17);
	memset(&v, 0, sizeof(v));
	v.mark = calloc(sync.nlines, 1);
	assert_non_null(v.mark);
	assert_int_equal(statement_async_start(&a, csv, len, STMT_AUTO, &st, see, &v), 0);
	/* Each line the hook saw before it came, once. */
	for (i = 0; statement_async_line(a, i, &l) == 1; i++)
		assert_int_equal(v.mark[i], 1);
	assert_int_equal(i, sync.nlines);
	assert_int_equal(take_all(a, &sync), (long)sync.nlines);
	/* Asking again past the end stays "no more". */
	assert_int_equal(take_all(a, &sync), (long)sync.nlines);
	assert_int_equal(statement_async_end(a), 0);
	assert_int_equal(st.nlines, sync.nlines);
	assert_string_equal(st.sha256, sync.sha256);
	assert_int_equal(strlen(st.sha256), 64);
	for (i = 0; i < st.nlines; i++)
		assert_string_equal(st.lines[i].fingerprint, sync.lines[i].fingerprint);
	assert_int_equal(v.next, sync.nlines);
	assert_int_equal(v.calls, 6); /* five full batches and the rest */
	free(v.mark);
	statement_free(&st);
	statement_free(&sync);
	free(csv);
}

static void test_async_refusal_after_lines_were_handed_out(void **state)
{
	struct statement sync, st;
	struct stmt_async *a;
	const struct stmt_line *l;
	size_t len;
	char *csv = big_csv(3 * STMT_BATCH, 2 * STMT_BATCH + 5, &len);

	(void)state;
	assert_int_equal(statement_parse(csv, len, STMT_CSV, &sync), -1);
	assert_int_equal(statement_async_start(&a, csv, len, STMT_CSV, &st, NULL, NULL), 0);
	/* The first batch comes before the parser reaches the bad quote
	 * (or the refusal, when it got there first); either way the end is
	 * a refusal. */
	assert_true(statement_async_line(a, 0, &l) != 0);
	assert_int_equal(take_all(a, &sync), -1); /* (sync has no lines: refused) */
	assert_int_equal(statement_async_end(a), -1);
	assert_int_equal(st.nlines, 0);
	assert_null(st.lines);
	assert_string_equal(st.error, sync.error);
	assert_string_equal(st.error_key, sync.error_key);
	assert_int_equal(st.error_line, sync.error_line);
	statement_free(&st);
	statement_free(&sync);
	free(csv);
}

static void test_async_small_and_xml_statements(void **state)
{
	struct statement sync, st;
	struct stmt_async *a;
	size_t len;
	char *xml = slurp("tests/unit/payments/data/camt053-sample.xml", &len);
	const char *csv = "datum,iznos,uplatilac,poziv na broj\n2026-11-02,5.00,A,97\n";

	(void)state;
	assert_int_equal(statement_parse(xml, len, STMT_AUTO, &sync), 0);
	assert_int_equal(statement_async_start(&a, xml, len, STMT_AUTO, &st, NULL, NULL), 0);
	assert_int_equal(take_all(a, &sync), (long)sync.nlines);
	assert_int_equal(statement_async_end(a), 0);
	assert_int_equal(st.format, STMT_CAMT053);
	assert_int_equal(st.ndebits, sync.ndebits);
	statement_free(&st);
	statement_free(&sync);
	free(xml);
	assert_int_equal(statement_parse(csv, strlen(csv), STMT_AUTO, &sync), 0);
	assert_int_equal(statement_async_start(&a, csv, strlen(csv), STMT_AUTO, &st, NULL, NULL),
			 0);
	assert_int_equal(take_all(a, &sync), 1);
	assert_int_equal(statement_async_end(a), 0);
	statement_free(&st);
	statement_free(&sync);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_serbian_headers_and_amounts),
		cmocka_unit_test(test_csv_english_headers),
		cmocka_unit_test(test_csv_header_names_any_case_and_spelling),
		cmocka_unit_test(test_csv_bom_and_quoted_fields),
		cmocka_unit_test(test_csv_header_after_preamble),
		cmocka_unit_test(test_csv_credit_and_debit_columns),
		cmocka_unit_test(test_csv_debits_skipped_and_counted),
		cmocka_unit_test(test_csv_malformed_amount_rejected_with_line),
		cmocka_unit_test(test_csv_malformed_date_rejected_with_line),
		cmocka_unit_test(test_csv_line_numbers_count_quoted_line_breaks),
		cmocka_unit_test(test_csv_short_row_rejected_with_line),
		cmocka_unit_test(test_csv_blank_padding_rows_ignored),
		cmocka_unit_test(test_csv_missing_columns_refused),
		cmocka_unit_test(test_csv_with_semicolons_is_read),
		cmocka_unit_test(test_csv_unterminated_quote_refused_with_line),
		cmocka_unit_test(test_csv_empty_file_refused),
		cmocka_unit_test(test_csv_windows_1250_read),
		cmocka_unit_test(test_csv_invalid_utf8_replaced),
		cmocka_unit_test(test_csv_model_column_joined),
		cmocka_unit_test(test_csv_other_currency_rejected),
		cmocka_unit_test(test_csv_reference_taken_from_purpose_when_empty),
		cmocka_unit_test(test_csv_references_normalised),
		cmocka_unit_test(test_errors_capped_but_counted),
		cmocka_unit_test(test_camt_sample_two_credits_one_debit),
		cmocka_unit_test(test_camt_newer_versions_and_batches),
		cmocka_unit_test(test_camt_entry_without_details),
		cmocka_unit_test(test_camt_pending_and_reversed_skipped),
		cmocka_unit_test(test_camt_bad_values_rejected_with_line),
		cmocka_unit_test(test_camt_not_well_formed_refused_with_line),
		cmocka_unit_test(test_camt_other_documents_refused),
		cmocka_unit_test(test_camt_xxe_does_not_read_files),
		cmocka_unit_test(test_camt_entity_expansion_refused),
		cmocka_unit_test(test_same_statement_twice_same_fingerprints),
		cmocka_unit_test(test_fingerprint_is_lowercase_hex_sha256),
		cmocka_unit_test(test_identical_lines_get_distinct_fingerprints),
		cmocka_unit_test(test_fingerprint_ignores_unrelated_lines),
		cmocka_unit_test(test_fingerprint_independent_of_spelling),
		cmocka_unit_test(test_fingerprint_uses_bank_id),
		cmocka_unit_test(test_format_detected_and_forced),
		cmocka_unit_test(test_async_hands_out_what_parse_gives),
		cmocka_unit_test(test_async_refusal_after_lines_were_handed_out),
		cmocka_unit_test(test_async_small_and_xml_statements),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
