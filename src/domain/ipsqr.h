/*
 * NBS IPS QR code payload for an invoice ("PR" form): see
 * ../shared/DOMAIN.md.  Pure string formatting and checking.
 */
#ifndef QCRA_IPSQR_H
#define QCRA_IPSQR_H

#include <stddef.h>

struct ips_qr {
	const char *account;      /* R: payee account, 18 digits (dashes allowed here) */
	const char *payee;        /* N: name and address, '\n' between (1-70 chars) */
	long long amount_para;    /* I: RSD amount in para, > 0 */
	const char *payer;        /* P: optional (<= 70 chars) */
	const char *payment_code; /* SF: 3 digits */
	const char *purpose;      /* S: optional (<= 35 chars) */
	const char *reference;    /* RO: model + reference digits, e.g. "9714123412" (<= 35) */
};

/* Room for the longest payload and its NUL: N and P of 70 characters
 * of up to 4 bytes each, S of 35, RO of 35 digits, an amount of up to
 * 18 integer digits, the tags and separators (~830 bytes). */
#define IPS_QR_SIZE 1024

/*
 * Writes "K:PR|V:01|C:1|R:...|N:...|I:RSD1025,50|P:...|SF:221|S:...|RO:..."
 * into out (optional tags without a value are left out; no trailing
 * separator).  Returns 0, or -1 when a value breaks the format (account
 * not 18 digits or failing its mod 97 control, a name over 70
 * characters, '|' inside a value, amount <= 0, payment code not 3
 * digits) or out is too small.
 */
int ips_qr_format(const struct ips_qr *q, char *out, size_t outlen);

/*
 * Normalises a payee account number to its 18 digits: accepts the plain
 * 18 digits or the printed bank-account-control form ("160-5100-05": a
 * 3-digit bank, 1-13 account digits, zero-padded to 13, and 2 control
 * digits).  Writes 18 digits and a NUL into out.  Returns 0, or -1 (out
 * then "") when the shape is wrong or the control digits fail ISO 7064
 * MOD 97-10 over the first 16 digits.  Added for the catalogue, so the
 * seller's account is checked once, by the same rule, at start-up.
 */
int ips_qr_account(const char *s, char out[19]);

/* 1 when s is a well-formed IPS QR invoice payload (mandatory tags K, V,
 * C, R, N, I, SF present in order, each value valid), else 0. */
int ips_qr_valid(const char *s);

#endif
