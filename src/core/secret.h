/*
 * The installation's secret, VAR/secret.key (32 random bytes, 0600, made
 * at first start), and what is keyed by it: the CSRF tokens (directly)
 * and secrets kept at rest in the database (sealed with a key derived
 * from it): the staff's TOTP secrets, which must be readable to check a
 * code and so cannot be hashed.  A copy of the database alone (a backup,
 * a leaked file) then does not give the second factor away.
 */
#ifndef QCRA_CORE_SECRET_H
#define QCRA_CORE_SECRET_H

#include <stddef.h>
#include <time.h>

#define SECRET_LEN 32

/* Reads VAR/secret.key, creating it when missing.  0, or -1 with err. */
int secret_load(const char *var_dir, unsigned char key[SECRET_LEN], char *err, size_t errlen);

/* Seals text for storage: "s1:" + hex(nonce, XSalsa20-Poly1305 box) under
 * a key derived from key.  0, or -1 when out (outlen) is too small. */
int secret_seal(const unsigned char key[SECRET_LEN], const char *plain, char *out, size_t outlen);

/* Opens what secret_seal wrote into out: 0.  Text without the "s1:"
 * prefix (stored before sealing existed) is copied as it is: 1.  -1
 * when it does not open (another installation's key, altered, or out
 * too small); out is then "". */
int secret_open(const unsigned char key[SECRET_LEN], const char *stored, char *out, size_t outlen);

/* 1 when stored is sealed. */
int secret_is_sealed(const char *stored);

/*
 * A keyed tag of text, for records that must not hold the text itself
 * but must tell equal texts apart (a username typed at login, which may
 * be a password typed into the wrong field): BLAKE2b-128 under a key
 * derived from key, as 32 hex digits into out.  Without the
 * installation's key, a tag cannot be tried against guesses.
 */
#define SECRET_TAG_HEX 33
void secret_tag(const unsigned char key[SECRET_LEN], const char *text, char out[SECRET_TAG_HEX]);

/*
 * A link that opens one document of one order without an account (the
 * company's proforma, mailed to the company), until a time: the key of
 * (order, document, until), BLAKE2b-128 under a key derived apart from
 * the tags', as 32 hex digits.  A link cannot be made for another order,
 * document or time without the installation's key.
 */
#define SECRET_LINK_HEX 33
void secret_link(const unsigned char key[SECRET_LEN], long long order_id, const char *doc,
		 time_t until, char out[SECRET_LINK_HEX]);

enum secret_link_result {
	SECRET_LINK_OK,
	SECRET_LINK_EXPIRED, /* made by us, past its time */
	SECRET_LINK_BAD,     /* not made by us for this order, document and time */
};
/* Checks a link's key (given, as typed: any text) at time now. */
enum secret_link_result secret_link_check(const unsigned char key[SECRET_LEN], long long order_id,
					  const char *doc, time_t until, const char *given,
					  time_t now);

#endif
