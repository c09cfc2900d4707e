#include "util/sha256.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>

#include "util/log.h"

static EVP_MD *md;
static pthread_once_t md_once = PTHREAD_ONCE_INIT;

static void md_fetch(void)
{
	md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

void sha256(const void *data, size_t len, unsigned char out[SHA256_LEN])
{
	unsigned int n = 0;

	pthread_once(&md_once, md_fetch);
	if (md == NULL || !EVP_Digest(data, len, out, &n, md, NULL) || n != SHA256_LEN) {
		log_warnx("OpenSSL cannot compute SHA-256");
		abort();
	}
}

void hex_lower(const unsigned char *in, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 0xf];
	}
	out[2 * n] = '\0';
}

void sha256_hex(const void *data, size_t len, char out[2 * SHA256_LEN + 1])
{
	unsigned char d[SHA256_LEN];

	sha256(data, len, d);
	hex_lower(d, sizeof(d), out);
}
