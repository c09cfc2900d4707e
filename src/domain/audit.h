/*
 * Audit entries and their hash chain (ASVS 16.4.2, EN 319 401 7.10):
 * each entry carries the SHA-256 of its predecessor's hash and its own
 * fields, so changing or removing any entry breaks every hash after it.
 */
#ifndef QCRA_AUDIT_H
#define QCRA_AUDIT_H

#include <stddef.h>
#include <time.h>

#define AUDIT_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

struct audit_entry {
	long long id;
	time_t at;        /* UTC seconds */
	char actor[96];   /* "member:ana", "operator:bg1", "system", "anonymous" */
	char addr[64];    /* client address, or "" */
	char action[48];  /* "login", "login_failed", "order.confirm", ... */
	char object[96];  /* "account:12", "order:7", "" */
	char outcome[16]; /* "ok", "denied", "failed" */
	char detail[512]; /* free text, control characters escaped */
	char prev_hash[65];
	char hash[65];
};

/* The hash of e given its prev_hash: SHA-256, hex, over the
 * length-prefixed fields (unambiguous). */
void audit_hash(const struct audit_entry *e, char out[65]);

/* Copies src into dst (size bytes) with CR, LF, other control
 * characters and backslashes escaped as \xNN (ASVS 16.4.1). */
void audit_clean(char *dst, size_t size, const char *src);

#endif
