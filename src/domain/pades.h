/*
 * The signature of a signed PDF the member sends back (issue 19): a
 * PAdES signature added as one incremental update to exactly the bytes
 * the portal issued.  Pure: bytes in, the byte range and the CMS out.
 */
#ifndef QCRA_DOMAIN_PADES_H
#define QCRA_DOMAIN_PADES_H

#include <stddef.h>

/* Why a file is not the portal's document signed once, in the order the
 * checks run; pades_err_key() names each one's message. */
enum pades_err {
	PADES_OK,
	PADES_TOO_BIG,        /* over the configured limit */
	PADES_NOT_OURS,       /* the issued bytes are not the file's prefix */
	PADES_NO_SIGNATURE,   /* nothing appended, or no /ByteRange in it */
	PADES_BAD_RANGE,      /* the range leaves out more or less than /Contents */
	PADES_EXTRA_REVISION, /* more than one revision after the original */
	PADES_BAD_CONTENTS,   /* /Contents is not a hex string holding DER */
	PADES_ERR__MAX
};

/* The signature found: the byte range [0, b) and [c, c + d), and the
 * DER CMS (malloc'd, pades_sig_free). */
struct pades_sig {
	size_t range[4];
	unsigned char *der;
	size_t der_len;
};

/*
 * Reads the last signature of file (len bytes) signed over orig
 * (orig_len bytes, what the portal issued), checking it is orig with one
 * revision appended whose signature covers everything but its own
 * /Contents.  max bounds len.  On PADES_OK sig holds the range and the
 * CMS; otherwise sig is empty.
 */
enum pades_err pades_read(const unsigned char *file, size_t len, const unsigned char *orig,
			  size_t orig_len, size_t max, struct pades_sig *sig);

/* Frees the CMS; accepts a zeroed or freed sig. */
void pades_sig_free(struct pades_sig *sig);

/* The message key saying what is wrong and what to do ("sign.err_..."). */
const char *pades_err_key(enum pades_err e);

#endif
