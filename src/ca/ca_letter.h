/*
 * The PIN letter: the card's PIN and PUK printed on an A4 PDF, kept
 * sealed as DIR/letters/ORDER.pdf (0600) until the CA's operator
 * collects it once (`qcra ca pin-letter`), which deletes it.  The
 * letter is the only place the PIN and PUK exist.
 */
#ifndef QCRA_CA_LETTER_H
#define QCRA_CA_LETTER_H

#include <stddef.h>

#include "ca/ca.h"

/* Renders and stores the letter for registration r on card (atomic
 * rename, fsync).  0 or -1 (err set). */
int ca_letter_write(const struct ca_conf *c, const struct ca_registration *r, const char *card,
		    const char *pin, const char *puk, char *err, size_t errlen);

/* Copies the stored letter of order to out (created 0600) and deletes
 * the stored one.  0; 1 when there is no stored letter; -1 on error
 * (err set). */
int ca_letter_collect(const struct ca_conf *c, const char *order, const char *out, char *err,
		      size_t errlen);

#endif
