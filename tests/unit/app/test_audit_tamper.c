/*
 * The audit log under attack: someone who can write the database file
 * (and in some cases has VAR/secret.key too) changes the log with raw
 * SQL.  `qcra audit verify` must say so every time, naming the first
 * bad entry or the missing range (ASVS 16.4.2, EN 319 401 7.10-08).
 *
 * One chain is built once: unkeyed entries as an older portal wrote
 * them, then keyed entries, a key rotation half way, and an anchor
 * (`qcra audit anchor`).  Each of TAMPERINGS seeded-random tamperings
 * (edit, delete, truncate, insert, reorder, re-chain, NUL injection)
 * works on a fresh copy of the database, the secret and the anchor.
 * QCRA_TAMPER_SEED picks another seed.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>
#include <sqlite3.h>

#include "cli/cli.h"
#include "domain/audit.h"
#include "store/store.h"

#define CHAIN 300       /* entries in the chain */
#define UNKEYED 20      /* of which written first, without the key */
#define TAMPERINGS 1000 /* tried, each on a fresh copy */

/* ---- the chain, its copies and the command ------------------------------ */

struct blob {
	char *data;
	size_t len; /* 0 with data NULL: the file was not there */
};

static struct {
	char dir[64], work[80];
	struct blob db, wal, key, anchor;
	unsigned char secret[32];
	int anchored, rekeyed;
	char out[8192]; /* what the last command printed */
} g;

static void slurp(const char *path, struct blob *b)
{
	FILE *f = fopen(path, "rb");
	long n;

	b->data = NULL;
	b->len = 0;
	if (f == NULL)
		return;
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	b->data = malloc((size_t)n + 1);
	assert_non_null(b->data);
	b->len = fread(b->data, 1, (size_t)n, f);
	assert_int_equal(b->len, (size_t)n);
	fclose(f);
}

static void spill(const char *dir, const char *name, const struct blob *b)
{
	char path[160];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
	if (b->data == NULL)
		return;
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b->data, 1, b->len, f), b->len);
	assert_int_equal(fclose(f), 0);
	chmod(path, 0600);
}

/* Runs `qcra audit ARGS --var dir` in this process; its output (stdout
 * and stderr) lands in g.out.  Returns its exit status. */
static int audit_cmd(const char *dir, const char *a1, const char *a2, const char *a3)
{
	char *argv[8], outpath[160];
	int argc = 0, rc, fd, save1, save2;
	ssize_t n;

	argv[argc++] = (char *)"audit";
	argv[argc++] = (char *)a1;
	if (a2 != NULL) {
		argv[argc++] = (char *)a2;
		argv[argc++] = (char *)a3;
	}
	argv[argc++] = (char *)"--var";
	argv[argc++] = (char *)dir;
	argv[argc] = NULL;
	snprintf(outpath, sizeof(outpath), "%s/out.txt", g.dir);
	fd = open(outpath, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	fflush(stdout);
	fflush(stderr);
	save1 = dup(1);
	save2 = dup(2);
	dup2(fd, 1);
	dup2(fd, 2);
	rc = cli_audit(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(save1, 1);
	dup2(save2, 2);
	close(save1);
	close(save2);
	n = pread(fd, g.out, sizeof(g.out) - 1, 0);
	g.out[n > 0 ? n : 0] = '\0';
	close(fd);
	return rc;
}

static void append(struct store *st, int i)
{
	static const char *const actors[] = {"operator:bg1", "member:ana", "admin:admin1",
					     "system",       "anonymous",  "cli"};
	static const char *const actions[] = {"login",          "order.confirm",   "order.verify",
					      "payment.record", "ra.operator_add", "logout"};
	struct audit_entry e;

	memset(&e, 0, sizeof(e));
	e.at = 1700000000 + i * 37;
	snprintf(e.actor, sizeof(e.actor), "%s", actors[i % 6]);
	if (i % 3)
		snprintf(e.addr, sizeof(e.addr), "127.0.0.%d", i % 250);
	snprintf(e.action, sizeof(e.action), "%s", actions[(i / 6) % 6]);
	snprintf(e.object, sizeof(e.object), "order:%d", i * 7);
	snprintf(e.outcome, sizeof(e.outcome), i % 5 ? "ok" : "denied");
	snprintf(e.detail, sizeof(e.detail), "Đorđe %d: napomena\\x0a %*s", i, i % 40, "x");
	assert_int_equal(store_audit_append(st, &e), STORE_OK);
}

/* The chain every tampering starts from. */
static int build(void **state)
{
	struct config cfg;
	struct store *st;
	char path[128], err[256];
	int i;

	(void)state;
	snprintf(g.dir, sizeof(g.dir), "/tmp/qcra-tamper-XXXXXX");
	assert_non_null(mkdtemp(g.dir));
	snprintf(g.work, sizeof(g.work), "%s/work", g.dir);
	assert_int_equal(mkdir(g.work, 0700), 0);
	/* An older portal's entries: unkeyed. */
	snprintf(path, sizeof(path), "%s/qcra.db", g.dir);
	assert_int_equal(store_open(&st, path, err, sizeof(err)), STORE_OK);
	assert_int_equal(store_migrate(st, NULL, err, sizeof(err)), STORE_OK);
	for (i = 0; i < UNKEYED; i++)
		append(st, i);
	store_close(st);
	/* The portal of today: keyed by VAR/secret.key. */
	config_defaults(&cfg);
	assert_int_equal(config_set(&cfg, "var", g.dir, err, sizeof(err)), 0);
	config_finish(&cfg);
	st = cli_open_store(&cfg);
	assert_non_null(st);
	for (; i < CHAIN / 2; i++) {
		if (i % 10 == 0)
			assert_int_equal(store_begin(st), STORE_OK);
		append(st, i);
		if (i % 10 == 9)
			assert_int_equal(store_commit(st), STORE_OK);
	}
	if (i % 10 != 0)
		assert_int_equal(store_commit(st), STORE_OK);
	store_close(st);
	g.rekeyed = audit_cmd(g.dir, "rekey", NULL, NULL) == 0;
	st = cli_open_store(&cfg);
	assert_non_null(st);
	for (; i < CHAIN; i++)
		append(st, i);
	store_close(st);
	g.anchored = audit_cmd(g.dir, "anchor", NULL, NULL) == 0;
	snprintf(path, sizeof(path), "%s/qcra.db", g.dir);
	slurp(path, &g.db);
	snprintf(path, sizeof(path), "%s/qcra.db-wal", g.dir);
	slurp(path, &g.wal);
	snprintf(path, sizeof(path), "%s/secret.key", g.dir);
	slurp(path, &g.key);
	assert_int_equal(g.key.len, sizeof(g.secret));
	memcpy(g.secret, g.key.data, sizeof(g.secret));
	snprintf(path, sizeof(path), "%s/audit.anchor", g.dir);
	slurp(path, &g.anchor);
	return 0;
}

static int unbuild(void **state)
{
	char cmd[128];

	(void)state;
	free(g.db.data);
	free(g.wal.data);
	free(g.key.data);
	free(g.anchor.data);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", g.dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void fresh_copy(void)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/qcra.db-shm", g.work);
	unlink(path);
	spill(g.work, "qcra.db", &g.db);
	spill(g.work, "qcra.db-wal", &g.wal);
	spill(g.work, "secret.key", &g.key);
	spill(g.work, "audit.anchor", &g.anchor);
}

/* ---- raw access, as an attacker has it ----------------------------------- */

struct row {
	long long id, at, epoch;
	char f[8][600]; /* actor, addr, action, object, outcome, detail, prev_hash, hash */
};

enum { F_ACTOR, F_ADDR, F_ACTION, F_OBJECT, F_OUTCOME, F_DETAIL, F_PREV, F_HASH };
static const char *const colname[] = {"actor",   "addr",   "action",    "object",
				      "outcome", "detail", "prev_hash", "hash"};

static sqlite3 *db_open(int *has_epoch)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	char path[160];

	snprintf(path, sizeof(path), "%s/qcra.db", g.work);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
				      "PRAGMA synchronous = OFF; "
				      "DROP TRIGGER IF EXISTS audit_log_no_update; "
				      "DROP TRIGGER IF EXISTS audit_log_no_delete;",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
					    "SELECT count(*) FROM pragma_table_info('audit_log') "
					    "WHERE name = 'key_epoch'",
					    -1, &s, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	*has_epoch = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return db;
}

static void sql(sqlite3 *db, const char *text)
{
	char *err = NULL;

	if (sqlite3_exec(db, text, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", text, err);
}

/* Every row, in id order, into rows[] (CHAIN + 8 at most). */
static int rows_read(sqlite3 *db, int has_epoch, struct row *rows)
{
	sqlite3_stmt *s;
	int n = 0, i;

	assert_int_equal(sqlite3_prepare_v2(
				 db,
				 has_epoch
					 ? "SELECT id, at, actor, addr, action, object, outcome, "
					   "detail, prev_hash, hash, key_epoch FROM audit_log "
					   "ORDER BY id"
					 : "SELECT id, at, actor, addr, action, object, outcome, "
					   "detail, prev_hash, hash, 0 FROM audit_log ORDER BY id",
				 -1, &s, NULL),
			 SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		assert_true(n < CHAIN + 8);
		rows[n].id = sqlite3_column_int64(s, 0);
		rows[n].at = sqlite3_column_int64(s, 1);
		for (i = 0; i < 8; i++)
			snprintf(rows[n].f[i], sizeof(rows[n].f[i]), "%s",
				 (const char *)sqlite3_column_text(s, 2 + i));
		rows[n].epoch = sqlite3_column_int64(s, 10);
		n++;
	}
	sqlite3_finalize(s);
	return n;
}

/* Rewrites the table as rows[0..n) (ids, hashes and all). */
static void rows_write(sqlite3 *db, int has_epoch, const struct row *rows, int n)
{
	sqlite3_stmt *s;
	int i, k;

	sql(db, "DELETE FROM audit_log");
	assert_int_equal(sqlite3_prepare_v2(
				 db,
				 has_epoch ? "INSERT INTO audit_log (id, at, actor, addr, action, "
					     "object, outcome, detail, prev_hash, hash, key_epoch) "
					     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
					   : "INSERT INTO audit_log (id, at, actor, addr, action, "
					     "object, outcome, detail, prev_hash, hash) "
					     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
				 -1, &s, NULL),
			 SQLITE_OK);
	for (i = 0; i < n; i++) {
		assert_int_equal(sqlite3_bind_int64(s, 1, rows[i].id), SQLITE_OK);
		assert_int_equal(sqlite3_bind_int64(s, 2, rows[i].at), SQLITE_OK);
		for (k = 0; k < 8; k++)
			assert_int_equal(
				sqlite3_bind_text(s, 3 + k, rows[i].f[k], -1, SQLITE_STATIC),
				SQLITE_OK);
		if (has_epoch)
			assert_int_equal(sqlite3_bind_int64(s, 11, rows[i].epoch), SQLITE_OK);
		assert_int_equal(sqlite3_step(s), SQLITE_DONE);
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
}

/* "<decimal length>:<bytes>" (the documented field encoding). */
static size_t put(char *p, const char *s)
{
	return (size_t)sprintf(p, "%zu:%s", strlen(s), s);
}

/* The keyed form, computed here from its description in audit.h, apart
 * from audit.c: HMAC-SHA-256 under subkey `epoch` of context "qcra-aud"
 * of the secret, over the length-prefixed tag, id, epoch, prev_hash,
 * time, actor, address, action, object, outcome and detail. */
static void mac_of(const struct row *r, const unsigned char secret[32], char out[65])
{
	unsigned char key[32], mac[crypto_auth_hmacsha256_BYTES];
	char msg[2048], num[3][24];
	size_t n = 0;
	int i;

	crypto_kdf_derive_from_key(key, sizeof(key), (uint64_t)r->epoch, "qcra-aud", secret);
	snprintf(num[0], sizeof(num[0]), "%lld", r->id);
	snprintf(num[1], sizeof(num[1]), "%lld", r->epoch);
	snprintf(num[2], sizeof(num[2]), "%lld", r->at);
	n += put(msg + n, "qcra-audit-1");
	n += put(msg + n, num[0]);
	n += put(msg + n, num[1]);
	n += put(msg + n, r->f[F_PREV]);
	n += put(msg + n, num[2]);
	for (i = F_ACTOR; i <= F_DETAIL; i++)
		n += put(msg + n, r->f[i]);
	crypto_auth_hmacsha256(mac, (const unsigned char *)msg, n, key);
	sodium_bin2hex(out, 65, mac, sizeof(mac));
}

static void copy(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void hash_unkeyed(const struct row *r, char out[65])
{
	struct audit_entry e;

	memset(&e, 0, sizeof(e));
	e.at = (time_t)r->at;
	copy(e.actor, sizeof(e.actor), r->f[F_ACTOR]);
	copy(e.addr, sizeof(e.addr), r->f[F_ADDR]);
	copy(e.action, sizeof(e.action), r->f[F_ACTION]);
	copy(e.object, sizeof(e.object), r->f[F_OBJECT]);
	copy(e.outcome, sizeof(e.outcome), r->f[F_OUTCOME]);
	copy(e.detail, sizeof(e.detail), r->f[F_DETAIL]);
	copy(e.prev_hash, sizeof(e.prev_hash), r->f[F_PREV]);
	audit_hash(&e, out);
}

enum key_known { K_UNKEYED, K_GUESSED, K_REAL };

/* Renumbers rows[from..n) and recomputes their links and hashes as an
 * attacker knowing `known` would: the old unkeyed form (the rows then
 * claim to be unkeyed), a key of their own, or the real secret. */
static void rechain(struct row *rows, int n, int from, enum key_known known, uint64_t *rng)
{
	unsigned char guess[32];
	int i;

	for (i = 0; i < 32; i++)
		guess[i] = (unsigned char)(*rng >> (i % 8));
	for (i = from; i < n; i++) {
		rows[i].id = i + 1;
		snprintf(rows[i].f[F_PREV], sizeof(rows[i].f[F_PREV]), "%s",
			 i == 0 ? AUDIT_GENESIS : rows[i - 1].f[F_HASH]);
		if (known == K_UNKEYED)
			rows[i].epoch = 0;
		if (rows[i].epoch == 0)
			hash_unkeyed(&rows[i], rows[i].f[F_HASH]);
		else
			mac_of(&rows[i], known == K_REAL ? g.secret : guess, rows[i].f[F_HASH]);
	}
}

/* ---- the tamperings ------------------------------------------------------ */

enum kind { EDIT, DELETE, TRUNCATE, INSERT, REORDER, RECHAIN, NUL, KIND__MAX };
static const char *const kind_name[KIND__MAX] = {"edit",    "delete",   "truncate",     "insert",
						 "reorder", "re-chain", "NUL injection"};

static uint64_t next(uint64_t *s) /* xorshift64* */
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static int pick(uint64_t *s, int n) /* 0..n-1 */
{
	return (int)(next(s) % (uint64_t)n);
}

/* What verify must name: an entry ("at entry N"), a range ("entries
 * A-B missing" / "entry A missing"), or nothing in particular. */
struct expect {
	long long entry, from, to;
	char what[160];
};

static void edit_one(sqlite3 *db, int has_epoch, struct row *rows, int n, uint64_t *rng,
		     struct expect *x)
{
	sqlite3_stmt *s;
	char q[160], val[64];
	int r = pick(rng, n), field = pick(rng, has_epoch ? 10 : 9);

	x->entry = rows[r].id;
	if (field == 8) { /* the time */
		snprintf(q, sizeof(q), "UPDATE audit_log SET at = at + %d WHERE id = %lld",
			 1 + pick(rng, 1000), rows[r].id);
		snprintf(x->what, sizeof(x->what), "edit at of entry %lld", rows[r].id);
		sql(db, q);
		return;
	}
	if (field == 9) { /* the key epoch */
		snprintf(q, sizeof(q),
			 "UPDATE audit_log SET key_epoch = key_epoch + %d WHERE id = %lld",
			 1 + pick(rng, 3), rows[r].id);
		snprintf(x->what, sizeof(x->what), "edit key_epoch of entry %lld", rows[r].id);
		sql(db, q);
		return;
	}
	if (field >= F_PREV) /* a hash: one hex digit changed */
		snprintf(val, sizeof(val), "%s", rows[r].f[field]);
	else
		snprintf(val, sizeof(val), "forged-%d", pick(rng, 1000));
	/* Within the hash as stored (an empty one gets a digit): never
	 * the terminating NUL. */
	if (field >= F_PREV && val[0] == '\0')
		snprintf(val, sizeof(val), "0");
	else if (field >= F_PREV)
		val[pick(rng, (int)strlen(val))] ^= 0x01;
	snprintf(q, sizeof(q), "UPDATE audit_log SET %s = ?1 WHERE id = ?2", colname[field]);
	assert_int_equal(sqlite3_prepare_v2(db, q, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_bind_text(s, 1, val, -1, SQLITE_STATIC), SQLITE_OK);
	assert_int_equal(sqlite3_bind_int64(s, 2, rows[r].id), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);
	snprintf(x->what, sizeof(x->what), "edit %s of entry %lld", colname[field], rows[r].id);
}

static void delete_some(sqlite3 *db, struct row *rows, int n, uint64_t *rng, struct expect *x)
{
	char q[96];
	long long first = 0, id;
	int k = 1 + (pick(rng, 4) == 0 ? pick(rng, 5) : 0), i;
	char gone[CHAIN + 8] = {0};

	for (i = 0; i < k; i++) {
		id = rows[pick(rng, n)].id;
		gone[id] = 1;
		snprintf(q, sizeof(q), "DELETE FROM audit_log WHERE id = %lld", id);
		sql(db, q);
	}
	for (id = 1; id <= n && first == 0; id++)
		if (gone[id])
			first = id;
	x->from = first;
	for (x->to = first; x->to + 1 <= n && gone[x->to + 1]; x->to++)
		;
	snprintf(x->what, sizeof(x->what), "delete %d entries, the first %lld", k, first);
}

static void truncate_tail(sqlite3 *db, int n, uint64_t *rng, struct expect *x)
{
	char q[96];
	int keep = pick(rng, 4) == 0 ? n - 1 - pick(rng, 3) : pick(rng, n);

	if (pick(rng, 20) == 0)
		keep = 0; /* all of it */
	snprintf(q, sizeof(q), "DELETE FROM audit_log WHERE id > %d", keep);
	sql(db, q);
	x->from = keep + 1;
	x->to = n;
	snprintf(x->what, sizeof(x->what), "truncate after entry %d", keep);
}

static void insert_one(sqlite3 *db, int has_epoch, struct row *rows, int n, uint64_t *rng,
		       struct expect *x)
{
	int at = pick(rng, 3) == 0 ? n : pick(rng, n + 1), how = pick(rng, 3), i;
	struct row forged = rows[at > 0 ? at - 1 : 0];

	snprintf(forged.f[F_DETAIL], sizeof(forged.f[F_DETAIL]), "inserted %d", pick(rng, 999));
	for (i = n; i > at; i--)
		rows[i] = rows[i - 1];
	rows[at] = forged;
	for (i = at + 1; i <= n; i++)
		rows[i].id++;
	rows[at].id = at + 1;
	snprintf(rows[at].f[F_PREV], sizeof(rows[at].f[F_PREV]), "%s",
		 at == 0 ? AUDIT_GENESIS : rows[at - 1].f[F_HASH]);
	if (how == 0 || rows[at].epoch == 0) { /* the old unkeyed form */
		rows[at].epoch = 0;
		hash_unkeyed(&rows[at], rows[at].f[F_HASH]);
	} else if (how == 1) { /* the next entry's hash, copied */
		snprintf(rows[at].f[F_HASH], sizeof(rows[at].f[F_HASH]), "%s",
			 at + 1 <= n ? rows[at + 1].f[F_HASH] : rows[at - 1].f[F_HASH]);
	} else {
		rechain(rows, at + 1, at, K_GUESSED, rng);
	}
	rows_write(db, has_epoch, rows, n + 1);
	snprintf(x->what, sizeof(x->what), "insert before entry %d (form %d)", at + 1, how);
}

static void reorder(sqlite3 *db, int has_epoch, struct row *rows, int n, uint64_t *rng,
		    struct expect *x)
{
	int i = pick(rng, n), j = pick(rng, n - 1), how = pick(rng, 2);
	struct row t;

	if (j >= i)
		j++;
	t = rows[i];
	rows[i] = rows[j];
	rows[j] = t;
	if (how == 0) { /* contents swapped, ids kept in place */
		long long id = rows[i].id;

		rows[i].id = rows[j].id;
		rows[j].id = id;
	} else { /* entry i moved to place j, the ids renumbered */
		int k;

		t = rows[j];
		rows[j] = rows[i];
		rows[i] = t; /* back as it was */
		t = rows[i];
		if (i < j)
			memmove(&rows[i], &rows[i + 1], sizeof(t) * (size_t)(j - i));
		else
			memmove(&rows[j + 1], &rows[j], sizeof(t) * (size_t)(i - j));
		rows[j] = t;
		for (k = 0; k < n; k++)
			rows[k].id = k + 1;
	}
	rows_write(db, has_epoch, rows, n);
	snprintf(x->what, sizeof(x->what), "swap entries %d and %d (form %d)", i + 1, j + 1, how);
}

static void rechain_after(sqlite3 *db, int has_epoch, struct row *rows, int n, uint64_t *rng,
			  struct expect *x)
{
	static const char *const known_name[] = {"unkeyed", "a guessed key", "the real key"};
	enum key_known known = (enum key_known)pick(rng, 3);
	int change = pick(rng, 3), at = pick(rng, n), i;

	if (change == 0) { /* edit, then recompute */
		snprintf(rows[at].f[F_DETAIL], sizeof(rows[at].f[F_DETAIL]), "rewritten %d",
			 pick(rng, 999));
	} else if (change == 1) { /* delete, renumber, recompute */
		for (i = at; i < n - 1; i++)
			rows[i] = rows[i + 1];
		n--;
		if (at == n && at > 0)
			at--;
	} else { /* a forged entry inserted, the rest renumbered */
		for (i = n; i > at; i--)
			rows[i] = rows[i - 1];
		snprintf(rows[at].f[F_DETAIL], sizeof(rows[at].f[F_DETAIL]), "forged %d",
			 pick(rng, 999));
		n++;
	}
	if (n > 0)
		rechain(rows, n, at, known, rng);
	rows_write(db, has_epoch, rows, n);
	snprintf(x->what, sizeof(x->what), "%s at entry %d, re-chained with %s",
		 change == 0   ? "edit"
		 : change == 1 ? "delete"
			       : "insert",
		 at + 1, known_name[known]);
}

static void nul_inject(sqlite3 *db, struct row *rows, int n, uint64_t *rng, struct expect *x)
{
	sqlite3_stmt *s;
	char q[96], val[700];
	int r = pick(rng, n), field = pick(rng, 8), blob = pick(rng, 3) == 0;
	size_t len = strlen(rows[r].f[field]);

	memcpy(val, rows[r].f[field], len);
	memcpy(val + len, "\0HIDDEN", 7);
	len += 7;
	snprintf(q, sizeof(q), "UPDATE audit_log SET %s = ?1 WHERE id = ?2", colname[field]);
	assert_int_equal(sqlite3_prepare_v2(db, q, -1, &s, NULL), SQLITE_OK);
	if (blob)
		assert_int_equal(sqlite3_bind_blob(s, 1, val, (int)len, SQLITE_STATIC), SQLITE_OK);
	else
		assert_int_equal(sqlite3_bind_text(s, 1, val, (int)len, SQLITE_STATIC), SQLITE_OK);
	assert_int_equal(sqlite3_bind_int64(s, 2, rows[r].id), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);
	x->entry = rows[r].id;
	snprintf(x->what, sizeof(x->what), "\\0HIDDEN after %s of entry %lld%s", colname[field],
		 rows[r].id, blob ? " (as a blob)" : "");
}

static void tamper(enum kind k, uint64_t *rng, struct expect *x)
{
	static struct row rows[CHAIN + 8];
	int has_epoch, n;
	sqlite3 *db = db_open(&has_epoch);

	memset(x, 0, sizeof(*x));
	n = rows_read(db, has_epoch, rows);
	assert_int_equal(n, CHAIN + (has_epoch ? 2 : 0)); /* + the keyed start, the rotation */
	sql(db, "BEGIN");
	switch (k) {
	case EDIT:
		edit_one(db, has_epoch, rows, n, rng, x);
		break;
	case DELETE:
		delete_some(db, rows, n, rng, x);
		break;
	case TRUNCATE:
		truncate_tail(db, n, rng, x);
		break;
	case INSERT:
		insert_one(db, has_epoch, rows, n, rng, x);
		break;
	case REORDER:
		reorder(db, has_epoch, rows, n, rng, x);
		break;
	case RECHAIN:
		rechain_after(db, has_epoch, rows, n, rng, x);
		break;
	case NUL:
	default:
		nul_inject(db, rows, n, rng, x);
		break;
	}
	sql(db, "COMMIT");
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

/* Whether g.out names what x expects. */
static int named(const struct expect *x)
{
	char want[64];

	if (x->entry > 0)
		snprintf(want, sizeof(want), "at entry %lld:", x->entry);
	else if (x->from > 0 && x->from == x->to)
		snprintf(want, sizeof(want), "entry %lld missing", x->from);
	else if (x->from > 0)
		snprintf(want, sizeof(want), "entries %lld-%lld missing", x->from, x->to);
	else
		return 1;
	return strstr(g.out, want) != NULL;
}

/* s with its line breaks as spaces (a TAP comment is one line). */
static const char *one_line(char *s)
{
	char *p;

	for (p = s; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return s;
}

/* ---- the tests ----------------------------------------------------------- */

/* The chain as built verifies, against its anchor, from a fresh copy. */
static void test_untouched_copy_is_intact(void **state)
{
	char want[64];

	(void)state;
	assert_true(g.rekeyed);
	assert_true(g.anchored);
	assert_non_null(g.anchor.data);
	fresh_copy();
	assert_int_equal(audit_cmd(g.work, "verify", NULL, NULL), 0);
	snprintf(want, sizeof(want), "intact: %d entries, head id %d", CHAIN + 2, CHAIN + 2);
	if (strstr(g.out, want) == NULL)
		fail_msg("verify said: %s", one_line(g.out));
}

/* What the outside test did (issue 13, item 3), one by one. */
static void test_the_reported_tamperings_are_detected(void **state)
{
	static struct row rows[CHAIN + 8];
	const int n = CHAIN + 2;
	uint64_t rng = 42;
	int has_epoch, m;
	sqlite3 *db;
	static const char *const cut[] = {"DELETE FROM audit_log WHERE id = 302",
					  "DELETE FROM audit_log WHERE id > 252",
					  "DELETE FROM audit_log"};
	static const char *const cut_says[] = {"entry 302 missing", "entries 253-302 missing",
					       "entries 1-302 missing"};
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		fresh_copy();
		db = db_open(&has_epoch);
		sql(db, cut[i]);
		sqlite3_close(db);
		assert_int_equal(audit_cmd(g.work, "verify", NULL, NULL), 1);
		if (strstr(g.out, cut_says[i]) == NULL)
			fail_msg("%s: verify said: %s", cut[i], one_line(g.out));
	}
	/* An entry edited and every hash after it recomputed. */
	fresh_copy();
	db = db_open(&has_epoch);
	m = rows_read(db, has_epoch, rows);
	assert_int_equal(m, n);
	snprintf(rows[99].f[F_DETAIL], sizeof(rows[99].f[F_DETAIL]), "nothing happened");
	rechain(rows, m, 99, K_UNKEYED, &rng);
	rows_write(db, has_epoch, rows, m);
	sqlite3_close(db);
	assert_int_equal(audit_cmd(g.work, "verify", NULL, NULL), 1);
	if (strstr(g.out, "BROKEN at entry 100:") == NULL)
		fail_msg("edit and re-chain: verify said: %s", one_line(g.out));
	/* A middle entry deleted and the chain rebuilt after it. */
	fresh_copy();
	db = db_open(&has_epoch);
	m = rows_read(db, has_epoch, rows);
	memmove(&rows[149], &rows[150], sizeof(rows[0]) * (size_t)(m - 150));
	rechain(rows, m - 1, 149, K_GUESSED, &rng);
	rows_write(db, has_epoch, rows, m - 1);
	sqlite3_close(db);
	assert_int_equal(audit_cmd(g.work, "verify", NULL, NULL), 1);
	if (strstr(g.out, "BROKEN at entry 150:") == NULL)
		fail_msg("delete and re-chain: verify said: %s", one_line(g.out));
	/* \0HIDDEN after a field. */
	fresh_copy();
	db = db_open(&has_epoch);
	sql(db, "UPDATE audit_log SET detail = detail || char(0) || 'HIDDEN' WHERE id = 200");
	sqlite3_close(db);
	assert_int_equal(audit_cmd(g.work, "verify", NULL, NULL), 1);
	if (strstr(g.out, "BROKEN at entry 200:") == NULL)
		fail_msg("NUL injection: verify said: %s", one_line(g.out));
}

static void test_random_tamperings_are_all_detected(void **state)
{
	const char *seed_env = getenv("QCRA_TAMPER_SEED");
	uint64_t seed = seed_env ? strtoull(seed_env, NULL, 10) : 13, rng;
	int tried[KIND__MAX] = {0}, detected[KIND__MAX] = {0}, exact[KIND__MAX] = {0};
	int i, k, missed = 0;
	struct expect x;
	struct timespec t0, t1;

	(void)state;
	rng = seed * 0x9E3779B97F4A7C15ULL + 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < TAMPERINGS; i++) {
		k = pick(&rng, KIND__MAX);
		fresh_copy();
		tamper((enum kind)k, &rng, &x);
		tried[k]++;
		if (audit_cmd(g.work, "verify", NULL, NULL) == 1 && strstr(g.out, "BROKEN")) {
			detected[k]++;
			exact[k] += named(&x);
			if (!named(&x))
				printf("# %s: verify named something else: %s\n", x.what,
				       one_line(g.out));
		} else if (missed++ < 10) {
			printf("# missed (%s): %s\n", x.what, one_line(g.out));
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# seed %llu: %d tamperings in %.1f s\n", (unsigned long long)seed, TAMPERINGS,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	for (k = 0; k < KIND__MAX; k++)
		printf("# %-13s tried %3d, detected %3d, first bad entry or range named %3d\n",
		       kind_name[k], tried[k], detected[k], exact[k]);
	/* For docs/SECURITY-TESTS.md (tests/tools/security_report.py). */
	for (k = 0; k < KIND__MAX; k++)
		printf("# security: audit: %s tamperings detected tried %d passed %d\n",
		       kind_name[k], tried[k], detected[k]);
	for (k = 0; k < KIND__MAX; k++) {
		assert_true(tried[k] > 0);
		assert_int_equal(detected[k], tried[k]);
		assert_int_equal(exact[k], tried[k]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_untouched_copy_is_intact),
		cmocka_unit_test(test_the_reported_tamperings_are_detected),
		cmocka_unit_test(test_random_tamperings_are_all_detected),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, build, unbuild);
}
