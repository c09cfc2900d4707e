#include "core/secret.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define PREFIX "s1:"
#define KDF_CONTEXT "qcra-fld" /* crypto_kdf_CONTEXTBYTES = 8 */
#define KDF_ID 1
#define TAG_CONTEXT "qcra-tag"  /* a key apart from the sealing key */
#define LINK_CONTEXT "qcra-lnk" /* and apart from the tags' */

int secret_load(const char *var_dir, unsigned char key[SECRET_LEN], char *err, size_t errlen)
{
	char path[600];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/secret.key", var_dir);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		n = read(fd, key, SECRET_LEN);
		close(fd);
		if (n == (ssize_t)SECRET_LEN)
			return 0;
		snprintf(err, errlen, "var: %s is damaged (expected 32 bytes); delete it", path);
		return -1;
	}
	randombytes_buf(key, SECRET_LEN);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST) /* made meanwhile by another process */
		return secret_load(var_dir, key, err, errlen);
	if (fd < 0 || write(fd, key, SECRET_LEN) != (ssize_t)SECRET_LEN || fsync(fd) != 0) {
		snprintf(err, errlen, "var: cannot write %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static void field_key(const unsigned char key[SECRET_LEN],
		      unsigned char sub[crypto_secretbox_KEYBYTES])
{
	crypto_kdf_derive_from_key(sub, crypto_secretbox_KEYBYTES, KDF_ID, KDF_CONTEXT, key);
}

int secret_is_sealed(const char *stored)
{
	return strncmp(stored, PREFIX, sizeof(PREFIX) - 1) == 0;
}

int secret_seal(const unsigned char key[SECRET_LEN], const char *plain, char *out, size_t outlen)
{
	unsigned char sub[crypto_secretbox_KEYBYTES], box[crypto_secretbox_NONCEBYTES + 256];
	size_t len = strlen(plain),
	       n = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + len;

	if (len > 256 - crypto_secretbox_MACBYTES || outlen < sizeof(PREFIX) + 2 * n)
		return -1;
	field_key(key, sub);
	randombytes_buf(box, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, (const unsigned char *)plain, len,
			      box, sub);
	memcpy(out, PREFIX, sizeof(PREFIX) - 1);
	sodium_bin2hex(out + sizeof(PREFIX) - 1, outlen - (sizeof(PREFIX) - 1), box, n);
	sodium_memzero(sub, sizeof(sub));
	return 0;
}

int secret_open(const unsigned char key[SECRET_LEN], const char *stored, char *out, size_t outlen)
{
	unsigned char sub[crypto_secretbox_KEYBYTES], box[crypto_secretbox_NONCEBYTES + 256];
	size_t n = 0, len;
	int rc = -1;

	if (outlen == 0)
		return -1;
	out[0] = '\0';
	if (!secret_is_sealed(stored)) {
		if (strlen(stored) >= outlen)
			return -1;
		memcpy(out, stored, strlen(stored) + 1);
		return 1;
	}
	stored += sizeof(PREFIX) - 1;
	if (sodium_hex2bin(box, sizeof(box), stored, strlen(stored), NULL, &n, NULL) != 0 ||
	    n < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
		return -1;
	len = n - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
	if (len + 1 > outlen)
		return -1;
	field_key(key, sub);
	if (crypto_secretbox_open_easy((unsigned char *)out, box + crypto_secretbox_NONCEBYTES,
				       n - crypto_secretbox_NONCEBYTES, box, sub) == 0) {
		out[len] = '\0';
		rc = 0;
	} else
		out[0] = '\0';
	sodium_memzero(sub, sizeof(sub));
	return rc;
}

void secret_tag(const unsigned char key[SECRET_LEN], const char *text, char out[SECRET_TAG_HEX])
{
	unsigned char sub[crypto_generichash_KEYBYTES], tag[16];

	crypto_kdf_derive_from_key(sub, sizeof(sub), KDF_ID, TAG_CONTEXT, key);
	crypto_generichash(tag, sizeof(tag), (const unsigned char *)text, strlen(text), sub,
			   sizeof(sub));
	sodium_bin2hex(out, SECRET_TAG_HEX, tag, sizeof(tag));
	sodium_memzero(sub, sizeof(sub));
}

void secret_link(const unsigned char key[SECRET_LEN], long long order_id, const char *doc,
		 time_t until, char out[SECRET_LINK_HEX])
{
	unsigned char sub[crypto_generichash_KEYBYTES], tag[16];
	char text[128];
	int n;

	n = snprintf(text, sizeof(text), "%lld\n%s\n%lld", order_id, doc, (long long)until);
	crypto_kdf_derive_from_key(sub, sizeof(sub), KDF_ID, LINK_CONTEXT, key);
	crypto_generichash(tag, sizeof(tag), (const unsigned char *)text,
			   n > 0 && (size_t)n < sizeof(text) ? (size_t)n : sizeof(text) - 1, sub,
			   sizeof(sub));
	sodium_bin2hex(out, SECRET_LINK_HEX, tag, sizeof(tag));
	sodium_memzero(sub, sizeof(sub));
}

enum secret_link_result secret_link_check(const unsigned char key[SECRET_LEN], long long order_id,
					  const char *doc, time_t until, const char *given,
					  time_t now)
{
	char want[SECRET_LINK_HEX];
	int same;

	if (strlen(given) != SECRET_LINK_HEX - 1)
		return SECRET_LINK_BAD;
	secret_link(key, order_id, doc, until, want);
	same = sodium_memcmp(want, given, SECRET_LINK_HEX - 1) == 0;
	sodium_memzero(want, sizeof(want));
	if (!same)
		return SECRET_LINK_BAD;
	return now > until ? SECRET_LINK_EXPIRED : SECRET_LINK_OK;
}
