/*
 * Audit entries and their chain (ASVS 16.4.2, EN 319 401 7.10-08).
 *
 * Each entry carries its predecessor's hash and its own, computed over
 * length-prefixed fields ("<decimal length>:<bytes>", so no two field
 * lists read alike), so changing, removing or reordering any entry
 * breaks the chain after it.
 *
 * Two forms, told apart by the entry's key epoch:
 *  - 0: SHA-256, unkeyed (audit_hash): entries written before the keyed
 *    chain, which still verify.  Anyone can recompute these.
 *  - N >= 1: HMAC-SHA-256 (audit_mac) under key epoch N, a key derived
 *    from the installation secret (VAR/secret.key, never in the
 *    database): BLAKE2b KDF, context "qcra-aud", subkey id N.  The MAC
 *    covers "qcra-audit-1", the id, N, prev_hash, the time, actor,
 *    address, action, object, outcome and detail, length-prefixed.
 * The first keyed entry after unkeyed ones is a "chain.keyed" entry; a
 * new key epoch starts only with a "chain.rekey" entry (N -> N + 1,
 * under the new key).
 *
 * The head of the chain (last id, count, hash) is anchored outside the
 * database: one line per anchor, MACed under subkey 0, appended to an
 * anchor file an auditor can also keep elsewhere.  audit_verify_*
 * walks a chain against such anchors, so a cut at the end and a chain
 * rebuilt by someone holding the key show too.
 */
#ifndef QCRA_AUDIT_H
#define QCRA_AUDIT_H

#include <stddef.h>
#include <time.h>

#include "util/sha256.h"

#define AUDIT_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"
#define AUDIT_SECRET_LEN 32 /* the installation secret (core/secret.h SECRET_LEN) */
#define AUDIT_KEY_LEN 32
#define AUDIT_KEYED "chain.keyed" /* action: the keyed chain starts here */
#define AUDIT_REKEY "chain.rekey" /* action: key epoch N + 1 starts here */

/* An entry's detail with its NUL: a step's note whole (a reason of 500
 * characters, a remark of 300 after the missing documents in three
 * languages), at most 4 bytes a character as audit_clean writes it. */
#define AUDIT_DETAIL_SIZE 4096

struct audit_entry {
	long long id;
	time_t at;        /* UTC seconds */
	char actor[96];   /* "member:ana", "operator:bg1", "system", "anonymous" */
	char addr[64];    /* client address, or "" */
	char action[48];  /* "login", "login_failed", "order.confirm", ... */
	char object[96];  /* "account:12", "order:7", "" */
	char outcome[16]; /* "ok", "denied", "failed" */
	char prev_hash[65];
	char hash[65];
	int key_epoch; /* 0 unkeyed (SHA-256), N >= 1 HMAC under key epoch N */
	/* Set by the store when reading: a column held what the store never
	 * writes (a NUL byte, a value that is not text or not an integer,
	 * more than its field holds), so the fields are not what is
	 * stored. */
	int malformed;
	/* Last, so that an entry kept for its commit is kept at its length
	 * (store/audit.c audit_insert). */
	char detail[AUDIT_DETAIL_SIZE]; /* free text, control characters escaped */
};

/* The unkeyed hash of e given its prev_hash: SHA-256, hex, over the
 * length-prefixed fields (key epoch 0). */
void audit_hash(const struct audit_entry *e, char out[65]);

/* Key epoch `epoch` derived from the installation secret; epoch 0 is
 * the key of the anchor lines. */
void audit_key(const unsigned char secret[AUDIT_SECRET_LEN], int epoch,
	       unsigned char key[AUDIT_KEY_LEN]);

/* The keyed hash of e (its id, key_epoch and prev_hash set): HMAC-SHA-256
 * under key, hex. */
void audit_mac(const struct audit_entry *e, const unsigned char key[AUDIT_KEY_LEN], char out[65]);

/*
 * A key epoch's HMAC-SHA-256 with its key already taken in (the inner
 * and outer pads hashed once): sealing an entry with it hashes only the
 * entry's text, two SHA-256 blocks fewer than audit_mac and no key
 * derivation (a statement import seals one entry per order it settles).
 * Holds key material: audit_mac_key_wipe when done.  epoch 0: unset.
 */
struct audit_mac_key {
	int epoch;
	struct sha256_hmac st;
};
void audit_mac_key_set(struct audit_mac_key *k, const unsigned char secret[AUDIT_SECRET_LEN],
		       int epoch);
void audit_mac_key_wipe(struct audit_mac_key *k);
/* audit_mac of e under k's epoch key (e->key_epoch is not checked). */
void audit_mac_with(const struct audit_entry *e, const struct audit_mac_key *k, char out[65]);

/* What e's hash must be, by its key epoch: audit_hash, or audit_mac
 * under the epoch's key from secret.  0, or -1 when e is keyed and
 * secret is NULL (out is then ""). */
int audit_seal(const struct audit_entry *e, const unsigned char *secret, char out[65]);

/* Copies src into dst (size bytes) with CR, LF, other control
 * characters, backslashes and bytes that are not UTF-8 escaped as \xNN
 * (ASVS 16.4.1); cut to fit before a character or an escape that does
 * not, so dst is valid UTF-8 whatever src holds. */
void audit_clean(char *dst, size_t size, const char *src);

/* ---- Anchors ------------------------------------------------------------- */

/* The head of the chain: the last entry's id and hash, and how many
 * entries there are (0, 0, AUDIT_GENESIS when empty). */
struct audit_head {
	long long id, count;
	char hash[65];
};

struct audit_anchor {
	time_t at;
	struct audit_head head;
	long line; /* in its file, from 1 */
};

#define AUDIT_ANCHOR_MAX 256 /* a line's length, with its newline */

/* The anchor line for head at time at, newline-terminated:
 * "qcra-audit-anchor 1 2025-03-01T10:00:00Z id=H count=N hash=HEX mac=HEX",
 * the MAC (subkey 0) over the text before " mac=".  Its length, or -1
 * when out (size) is too small. */
int audit_anchor_format(const struct audit_head *h, time_t at,
			const unsigned char secret[AUDIT_SECRET_LEN], char *out, size_t size);

enum audit_anchor_rc { AUDIT_ANCHOR_OK, AUDIT_ANCHOR_MALFORMED, AUDIT_ANCHOR_FORGED };

/* Reads one line (len bytes, a trailing newline allowed) into a.
 * MALFORMED when it is not an anchor line, FORGED when its MAC does not
 * match (changed, or another installation's). */
enum audit_anchor_rc audit_anchor_parse(const char *line, size_t len,
					const unsigned char secret[AUDIT_SECRET_LEN],
					struct audit_anchor *a);

/* ---- Verifying ----------------------------------------------------------- */

enum audit_verdict {
	AUDIT_INTACT,
	AUDIT_BAD_ENTRY, /* bad_id is the first entry that does not verify */
	AUDIT_MISSING,   /* entries missing_from..missing_to are not there */
};

struct audit_verify {
	/* given */
	const unsigned char *secret; /* NULL: keyed entries cannot be checked */
	const struct audit_anchor *anchors;
	size_t n_anchors, next_anchor; /* anchors sorted by head id */
	/* the walk */
	char prev[65];
	long long last_id, count, keyed_from; /* keyed_from: first keyed entry, or 0 */
	int epoch;
	/* the verdict */
	enum audit_verdict verdict;
	long long bad_id, missing_from, missing_to;
	char why[200];
};

/* Starts a walk; anchors (n, sorted by head id, may be NULL) are
 * borrowed until audit_verify_end. */
void audit_verify_begin(struct audit_verify *v, const unsigned char *secret,
			const struct audit_anchor *anchors, size_t n);
/* Takes the next entry in id order: 0 to go on, 1 when the verdict is
 * reached (stop walking). */
int audit_verify_entry(struct audit_verify *v, const struct audit_entry *e);
/* After the last entry: the verdict (anchors beyond the end of the
 * chain make it AUDIT_MISSING). */
enum audit_verdict audit_verify_end(struct audit_verify *v);

/* Sorts anchors by head id, then line (for audit_verify_begin). */
void audit_anchor_sort(struct audit_anchor *a, size_t n);

#endif
