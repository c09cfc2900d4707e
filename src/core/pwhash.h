/*
 * Password hashing: Argon2id through libsodium's crypto_pwhash_str,
 * m = 19 MiB, t = 2, p = 1 (OWASP, ASVS 11.4.2).  Verification is
 * constant-time inside libsodium.  The memory is the configuration's
 * (password_hash_memory_kib): less than 19 MiB only on an installation
 * of the TEST CA (config_check), where tests hash many passwords.
 */
#ifndef QCRA_PWHASH_H
#define QCRA_PWHASH_H

#include <stddef.h>

#define PWHASH_OPSLIMIT 2
#define PWHASH_MEMLIMIT (19u * 1024u * 1024u)
#define PWHASH_STRBYTES 128

/* The memory of the hashes made from now on, bytes (at least 8 KiB);
 * before any thread hashes. */
void pwhash_set_memory(size_t bytes);
/* Returns 0, or -1 (out of memory). */
int pwhash_make(char out[PWHASH_STRBYTES], const char *password);
/* 1 when password matches hash, else 0. */
int pwhash_verify(const char *hash, const char *password);
/* 1 when hash was made with other parameters than today's. */
int pwhash_needs_rehash(const char *hash);
/* Spends the time of one verification (for unknown usernames, so that
 * timing does not tell whether an account exists). */
void pwhash_dummy_verify(const char *password);

#endif
