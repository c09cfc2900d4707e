#include "core/pwhash.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

static size_t memlimit = PWHASH_MEMLIMIT;
static char dummy_hash[PWHASH_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

void pwhash_set_memory(size_t bytes)
{
	memlimit = bytes;
}

int pwhash_make(char out[PWHASH_STRBYTES], const char *password)
{
	return crypto_pwhash_str(out, password, strlen(password), PWHASH_OPSLIMIT, memlimit) == 0
		       ? 0
		       : -1;
}

int pwhash_verify(const char *hash, const char *password)
{
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

int pwhash_needs_rehash(const char *hash)
{
	return crypto_pwhash_str_needs_rehash(hash, PWHASH_OPSLIMIT, memlimit) != 0;
}

static void make_dummy(void)
{
	unsigned char rnd[16];
	char pw[33];

	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(pw, sizeof(pw), rnd, sizeof(rnd));
	if (pwhash_make(dummy_hash, pw) != 0)
		dummy_hash[0] = '\0';
}

void pwhash_dummy_verify(const char *password)
{
	pthread_once(&dummy_once, make_dummy);
	if (dummy_hash[0])
		(void)pwhash_verify(dummy_hash, password);
}
