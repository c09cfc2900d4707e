/*
 * The portal's storage interface.  Handlers and domain code see only
 * this header; the area files (accounts.c, orders.c, ...) implement it
 * over store/db.h's driver: SQLite (db_sqlite.c) or PostgreSQL (db_pg.c).
 *
 * Threading: a struct store is shared by all threads; each thread gets
 * its own database connection lazily (prepared statements are cached
 * per connection).  store_begin/commit/rollback act on the calling
 * thread's connection, so a handler can group several calls into one
 * transaction.  Every call outside an explicit transaction is its own
 * transaction.
 *
 * Return codes: every function returns an enum store_rc unless its
 * comment says otherwise.  Records are filled into caller-owned
 * structs with fixed-size fields (lengths are validated before they
 * get here), so nothing returned needs freeing unless stated.
 */
#ifndef QCRA_STORE_H
#define QCRA_STORE_H

#include <stddef.h>
#include <time.h>

#include "domain/audit.h"
#include "domain/order.h"

enum store_rc {
	STORE_ERROR = -1, /* I/O, constraint or programming error: logged */
	STORE_OK = 0,
	STORE_NOTFOUND = 1, /* no such row (or token expired / used) */
	STORE_CONFLICT = 2, /* unique constraint: the row exists already */
};

struct store;

/* Opens (creating if needed) the database at path.  On failure returns
 * STORE_ERROR with a message in err. */
int store_open(struct store **st, const char *path, char *err, size_t errlen);
void store_close(struct store *st); /* NULL-safe; closes every thread's connection */
/* This process as a claim of queued work records it ("host:pid"). */
const char *store_instance(const struct store *st);
/* The periodic pass `task` is this instance's to run now: STORE_OK when
 * it holds the pass's lease until now + secs (taken, or renewed: its
 * own), STORE_CONFLICT while another instance's lease runs, or
 * STORE_ERROR.  In a transaction of its own unless one is open. */
int store_task_claim(struct store *st, const char *task, time_t now, int secs);
/* Gives this instance's lease of `task` back (at a clean stop), so that
 * another instance takes the pass at once; another's lease stays. */
int store_task_release(struct store *st, const char *task);

/*
 * Leaves WAL checkpoints to other processes: neither a commit nor the
 * close copies the WAL back into the database unless it has grown past
 * 256 MiB.  For a bulk command (`qcra payments import`): it is durable
 * at its commit, and the portal's next commit, or the next process to
 * close the database last, copies the pages back.  Call after
 * store_open, before other threads use st.
 */
void store_checkpoints_leave(struct store *st);
/* After a background pass (the jobs worker's expiry reads thousands of
 * orders): the calling thread's connection, when it has one, drops the
 * pages its cache holds, and the C library gives the freed memory back
 * to the system (malloc_trim), so an idle portal does not keep a pass's
 * working set resident (issue 16, idle RSS). */
void store_release_memory(struct store *st);

/* Applies pending numbered migrations, each in its own transaction.
 * *applied (may be NULL) receives how many ran. */
int store_migrate(struct store *st, int *applied, char *err, size_t errlen);
/* The same, stopping after migration number upto (tests of a migration
 * start from the schema before it). */
int store_migrate_upto(struct store *st, int upto, int *applied, char *err, size_t errlen);
int store_schema_version(struct store *st, int *version);

int store_begin(struct store *st); /* write transaction */
int store_commit(struct store *st);
void store_rollback(struct store *st);

/*
 * A commit group: one write transaction on the calling thread's
 * connection that several requests' work shares, made durable by one
 * commit (one fsync for all of them: web/group.c).  Inside it,
 * store_begin/commit/rollback are a savepoint: a request's rollback
 * undoes its own writes only.  Nothing inside is durable, and nothing
 * may be acknowledged, before store_group_commit returns STORE_OK.
 * store_group_alive is 0 once the transaction has ended under the group
 * (SQLite rolls back everything on I/O errors and a full disk).
 */
int store_group_begin(struct store *st);
/* How many commit groups may run at once, each on its own thread and
 * connection: 1 on SQLite (one writer); several on PostgreSQL, whose
 * groups share the writers' lock (no other write transaction runs
 * beside them; their audit entries take the chain's lock at commit:
 * db.h, audit_lock_sql).  So the routes that run in a group (web/app.c,
 * R_GROUP) must be exact beside each other: moves by compare-and-set,
 * inserts of new rows. */
int store_group_threads(struct store *st);
int store_group_alive(struct store *st);
int store_group_commit(struct store *st); /* on failure, everything is rolled back */
/* After store_group_commit: the STORE_WAKE_* bits of the work the
 * group queued (mail, the CA's queue; also a request's rolled back
 * since: a worker woken for nothing finds nothing), so that only a
 * group that queued mail wakes the mail worker. */
unsigned store_group_queued(struct store *st);
void store_group_rollback(struct store *st);

/*
 * A read transaction on this thread's connection (BEGIN DEFERRED), so
 * the reads that follow share one snapshot and one WAL read lock
 * instead of one each.  Whatever may write ends it first (a statement
 * that is not read-only, store_begin(), raw use of the connection), so
 * writes behave as without it.  store_read_end() ends it; harmless when
 * none is open.  STORE_ERROR when a transaction is already open.
 */
int store_read_begin(struct store *st);
void store_read_end(struct store *st);

/* ---- Member register ------------------------------------------------ */

struct member {
	long long id;
	char license_number[32];
	char first_name[128];
	char last_name[128];
	char jmbg[16];
	char email[256];
};

enum member_upsert { MEMBER_ADDED, MEMBER_UPDATED, MEMBER_UNCHANGED };

/* Inserts or updates by license_number; *outcome says which. */
int store_member_upsert(struct store *st, const struct member *m, enum member_upsert *outcome);
int store_member_get(struct store *st, long long id, struct member *out);
int store_member_by_license(struct store *st, const char *license, struct member *out);
/* The member an account belongs to, in one statement. */
int store_member_of_account(struct store *st, long long account_id, struct member *out);
int store_member_count(struct store *st, long long *count);

/* ---- Member accounts -------------------------------------------------- */

struct account {
	long long id;
	long long member_id;
	char username[64];       /* stored lower-case */
	char password_hash[128]; /* crypto_pwhash_STRBYTES */
	char email[256];
	char lang[16]; /* a language code (core/i18n.h): the language of its mail */
	time_t created_at;
	time_t confirmed_at; /* 0 until the email link is used */
};

/* Sets a->id.  STORE_CONFLICT when the username or the member is taken. */
int store_account_create(struct store *st, struct account *a);
int store_account_get(struct store *st, long long id, struct account *out);
int store_account_by_username(struct store *st, const char *username, struct account *out);
int store_account_by_member(struct store *st, long long member_id, struct account *out);
/* The account of a member with that JMBG (the oldest, should the
 * register hold the number twice): a certificate's login. */
int store_account_by_jmbg(struct store *st, const char *jmbg, struct account *out);
int store_account_by_email(struct store *st, const char *email, struct account *out);
int store_account_confirm(struct store *st, long long id, time_t now);
int store_account_set_password(struct store *st, long long id, const char *hash);
/* The language of the account's mail (a code, core/i18n.h). */
int store_account_set_lang(struct store *st, long long id, const char *lang);

/* ---- One-time tokens (only their SHA-256 is stored) ------------------ */

enum token_kind { TOKEN_CONFIRM = 1, TOKEN_RESET = 2 };

int store_token_add(struct store *st, const unsigned char hash[32], enum token_kind kind,
		    long long account_id, time_t expires_at);
/* A token for an address with no account (a password reset asked for
 * it): written as store_token_add writes one, but of no account and
 * used already, so it can never be redeemed (no enumeration by
 * timing). */
int store_token_withheld(struct store *st, const unsigned char hash[32], enum token_kind kind,
			 time_t now);
/* Valid (unused, unexpired) token: fills *account_id.  Does not consume. */
int store_token_peek(struct store *st, const unsigned char hash[32], enum token_kind kind,
		     time_t now, long long *account_id);
/* Marks the token used; STORE_NOTFOUND when missing, used or expired. */
int store_token_use(struct store *st, const unsigned char hash[32], enum token_kind kind,
		    time_t now, long long *account_id);
/* Marks every token of the account not yet used, of every kind, used
 * at now: a password set ends the links mailed before it (a reset link
 * would set another; a confirmation link has nothing left to confirm).
 * STORE_OK also when there was none. */
int store_token_void_account(struct store *st, long long account_id, time_t now);

/* ---- Sessions (only the SHA-256 of the cookie value is stored) ------- */

enum session_kind {
	SESSION_MEMBER = 1,
	SESSION_OPERATOR = 2,
	SESSION_OPERATOR_ENROLL = 3, /* password checked, TOTP not yet set up */
};

struct session {
	unsigned char id_hash[32];
	long long account_id;
	enum session_kind kind;
	time_t created_at;
	time_t last_seen_at;
};

int store_session_add(struct store *st, const struct session *s);
int store_session_get(struct store *st, const unsigned char id_hash[32], struct session *out);
/* A session with who it belongs to, in one query (every page needs it). */
struct session_view {
	struct session s;
	char username[64];    /* the member's account or the operator */
	char first_name[128]; /* members only */
	char last_name[128];
	char role[16]; /* operators only */
	char office[16];
	int active; /* operators: 0 when deactivated */
};

int store_session_view(struct store *st, const unsigned char id_hash[32], struct session_view *out);
int store_session_touch(struct store *st, const unsigned char id_hash[32], time_t now);
int store_session_delete(struct store *st, const unsigned char id_hash[32]);
/* Deletes every session of the account except `keep` (may be NULL). */
int store_session_delete_account(struct store *st, enum session_kind kind, long long account_id,
				 const unsigned char *keep);

/* ---- Login throttling (web/throttle.c) ---------------------------------- */

/* One failed (or reserved) try under key, at now; *id (may be NULL)
 * gets its row, for store_login_failure_remove. */
int store_login_failure_add(struct store *st, const char *key, time_t now, long long *id);
/* Failures under key since `since`: *count, the *oldest and *newest
 * times (0 when none; newest may be NULL). */
int store_login_failures(struct store *st, const char *key, time_t since, int *count,
			 time_t *oldest, time_t *newest);
int store_login_failures_clear(struct store *st, const char *key);
int store_login_failure_remove(struct store *st, long long id);
/* Moves the failure with row id to time at (when it was known). */
int store_login_failure_restamp(struct store *st, long long id, time_t at);
/* Deletes every failure older than before (any key). */
int store_login_failures_purge(struct store *st, time_t before);

/* ---- Wake-ups across instances ---------------------------------------- */

/* What a wake-up names: mail queued in the outbox, work queued for the
 * CA.  store_outbox_add/queue/queue_order and store_ca_job_add send
 * theirs with the transaction that queues (PostgreSQL: NOTIFY, so it
 * is told at the commit, and not at all on a rollback). */
enum { STORE_WAKE_MAIL = 1, STORE_WAKE_CA = 2 };

struct store_listener;
/* A listener of the wake-ups other processes (and this one) send, on a
 * connection of its own; NULL when the backend has none (SQLite: one
 * process kicks its own workers) or out of memory. */
struct store_listener *store_listen(struct store *st);
/* Waits up to ms: the STORE_WAKE_* bits told meanwhile, 0 when none,
 * -1 when the connection is lost (logged once; the next call connects
 * again and then answers every bit). */
int store_listen_wait(struct store_listener *l, int ms);
void store_listen_close(struct store_listener *l); /* NULL-safe */

/* ---- Mail outbox ------------------------------------------------------ */

struct outbox_item {
	long long id;
	char to[256];
	char *subject; /* malloc'd: free with store_outbox_item_free */
	char *body;
	char *message; /* "": subject and body are the text; else the mail's
			* key (in subject) with its values (i18n_note form) */
	char lang[16]; /* the language code the message is written in */
	int attempts;
	time_t created_at;
};

/* Call inside the transaction of the change that causes the mail. */
int store_outbox_add(struct store *st, const char *to, const char *subject, const char *body,
		     time_t now);
/* The same for a mail written when it is delivered: key is its message
 * key ("mail.x": subject "mail.x.subject", body "mail.x.body"), message
 * the key with its values (i18n_note), lang the language code. */
int store_outbox_queue(struct store *st, const char *to, const char *lang, const char *key,
		       const char *message, time_t now);
/* The same about order order_id: to `to`, or when that is NULL or ""
 * to the order's email, in the language of the order's account, both
 * read when the mail is delivered (store_outbox_next). */
int store_outbox_queue_order(struct store *st, long long order_id, const char *to, const char *key,
			     const char *message, time_t now);
/* A mail asked for an address with no account (forgot-username,
 * forgot-password): recorded like a mail, but with no recipient and no
 * body, and already done, so it is never sent.  The same write as
 * store_outbox_add, so the answer takes as long (no enumeration). */
int store_outbox_withheld(struct store *st, const char *subject, time_t now);
/* The oldest item due at `now` (unsent, next_attempt_at <= now, no
 * lease running: lease_until <= now), with an order's mail addressed to
 * its email in its account's language. */
int store_outbox_next(struct store *st, time_t now, struct outbox_item *out);
/* Takes the oldest item due at now for delivery, in a transaction of
 * its own: it is leased to this process (claimed_by store_instance,
 * lease_until), so that no other worker, in this process or another,
 * takes it meanwhile; when the lease runs out before the item is
 * marked sent or rescheduled (the process died), another worker takes
 * it over.  On PostgreSQL the row is read FOR UPDATE SKIP LOCKED.
 * STORE_OK with *out filled, STORE_NOTFOUND or STORE_ERROR. */
int store_outbox_claim(struct store *st, time_t now, time_t lease_until, struct outbox_item *out);
/* The holder and the end of item id's lease ("" and 0: none). */
int store_outbox_lease(struct store *st, long long id, char *by, size_t size, time_t *until);
/* Marks the item delivered and clears its body (one-time links); its
 * recipient, subject and times are kept; the lease ends. */
int store_outbox_sent(struct store *st, long long id, time_t now);
/* Reschedules item id (attempts, next attempt, last error); the lease
 * ends. */
int store_outbox_retry(struct store *st, long long id, int attempts, time_t next_attempt_at,
		       const char *error);
int store_outbox_pending(struct store *st, long long *count);
void store_outbox_item_free(struct outbox_item *it);

/* ---- Certificate orders ------------------------------------------------ */

/* Inserts o as given (state, all fields); sets o->id and assigns
 * o->payment_ref from the id. */
int store_order_create(struct store *st, struct order *o);
/* Rewrites the member-editable fields of a draft of that account;
 * STORE_NOTFOUND when it is not (any longer) a draft of theirs. */
int store_order_update_draft(struct store *st, const struct order *o);
/* Rewrites the data of order o (as for a draft, plus name_confirmed_*)
 * while it is in state (compare-and-set), and, unless account_id is 0,
 * of that account; STORE_NOTFOUND otherwise. */
int store_order_rewrite(struct store *st, const struct order *o, enum wf_state state,
			long long account_id);
/* Records that by checked the holder's differing name against the
 * identity document; STORE_NOTFOUND when there is nothing to confirm. */
int store_order_confirm_name(struct store *st, long long id, const char *by, time_t now);
/* Sets why the order was returned for correction ("" "" clears). */
int store_order_set_returned(struct store *st, long long id, const char *code, const char *text);
int store_order_get(struct store *st, long long id, struct order *out);
/* Like store_order_get, but STORE_NOTFOUND unless account_id owns it. */
int store_order_get_owned(struct store *st, long long id, long long account_id, struct order *out);
/* Moves the order from state `from` to `to` (compare-and-set), with
 * total_para / confirmed_at set when non-zero.  STORE_NOTFOUND when
 * the order is not in `from` (someone else moved it first). */
int store_order_transition(struct store *st, long long id, enum wf_state from, enum wf_state to,
			   long long total_para, time_t confirmed_at, time_t now);
/* The prices an order is confirmed at, fixed with its move. */
struct order_prices {
	long long price_para, reader_para;
	int vat_pct;
};
/* store_order_transition fixing the prices p too, in the one UPDATE (a
 * confirmation); p NULL is store_order_transition. */
int store_order_transition_priced(struct store *st, long long id, enum wf_state from,
				  enum wf_state to, long long total_para, time_t confirmed_at,
				  const struct order_prices *p, time_t now);
/* Calls fn with the summary of each order of the account, newest first,
 * limit of them at most (0: every one; the statement reads no more:
 * PostgreSQL runs a statement to its end); fn returning non-zero stops. */
int store_order_each_owned(struct store *st, long long account_id, int limit,
			   int (*fn)(void *arg, const struct order_summary *o), void *arg);
/* A page of the account's orders, limit at most: with after > 0 those
 * newer than after, oldest first; else those older than before (0: the
 * newest), newest first. */
int store_order_page_owned(struct store *st, long long account_id, long long before,
			   long long after, int limit,
			   int (*fn)(void *arg, const struct order_summary *o), void *arg);

/* An order's history entry, as store_order_events hands it to its
 * callback: note, a text of any length (i18n.h's notes hold a remark or
 * a reason whole), is borrowed from the row and valid only during the
 * call. */
struct order_event {
	time_t at;
	enum wf_state state;
	char actor[96];
	const char *note;
};

int store_order_event_add(struct store *st, long long order_id, enum wf_state state,
			  const char *actor, const char *note, time_t at);
/* Calls fn for each event of the order, oldest first. */
int store_order_events(struct store *st, long long order_id,
		       int (*fn)(void *arg, const struct order_event *e), void *arg);

/* ---- Registration authority staff (ra.c) -------------------------- */

struct operator
{
	long long id;
	char username[64];
	char password_hash[128];
	char role[16];            /* "operator", "admin", "auditor" */
	char office[16];          /* office code; "" for admin and auditor */
	char totp_secret[40];     /* base32 */
	long long totp_last_step; /* last accepted TOTP step (no replay) */
	time_t totp_enrolled_at;  /* 0 until the first code was entered */
	int active;
	time_t created_at;
};

/* Sets o->id; STORE_CONFLICT when the username exists. */
int store_operator_create(struct store *st, struct operator* o);
int store_operator_get(struct store *st, long long id, struct operator* out);
int store_operator_by_username(struct store *st, const char *username, struct operator* out);
/* Rewrites role, office, active and password_hash. */
int store_operator_update(struct store *st, const struct operator* o);
/* Records a TOTP step as used; STORE_NOTFOUND when it is not newer than
 * the last one (a replayed code).  Marks enrolment on first use. */
int store_operator_totp_step(struct store *st, long long id, long long step, time_t now);
int store_operator_each(struct store *st, int (*fn)(void *arg, const struct operator* o),
			void *arg);
/* With the key set (store_set_seal_key), TOTP secrets are sealed when
 * written and opened when read (core/secret.h); one that does not open
 * reads as "" (no code matches).  store_operator_seal_all seals those
 * stored before; *n (may be NULL) counts them. */
void store_set_seal_key(struct store *st, const unsigned char key[32]);
int store_operator_seal_all(struct store *st, int *n);

/* ---- Audit log (append-only, chained; domain/audit.h) -------------------- */

/* The installation secret (VAR/secret.key) the chain is keyed with
 * (domain/audit.h).  Without it entries are appended unkeyed as long as
 * the chain is, and refused once it is keyed. */
void store_set_audit_secret(struct store *st, const unsigned char secret[32]);

/* Appends e (its id, key epoch, prev_hash and hash are filled in): keyed
 * when the store has the secret, after a chain.keyed entry when the
 * entries before are unkeyed.  Joins the caller's transaction, or runs
 * in its own.  STORE_OK or STORE_ERROR. */
int store_audit_append(struct store *st, struct audit_entry *e);
/* Appends e (actor, addr, time as given) as the chain.rekey entry that
 * starts the next key epoch (needs the secret). */
int store_audit_rekey(struct store *st, struct audit_entry *e);
/* The head of the chain (its last id and hash, and the count), read in
 * one statement. */
int store_audit_head(struct store *st, struct audit_head *h);

struct audit_filter {
	const char *actor;   /* exact, or NULL */
	const char *action;  /* prefix, or NULL */
	const char *object;  /* exact, or NULL */
	time_t since, until; /* 0: open */
	long long after_id;  /* entries with id > after_id */
	long long before_id; /* entries with id < before_id; 0: no bound */
	int limit;           /* 0: no limit */
	int newest_first;
};

int store_audit_each(struct store *st, const struct audit_filter *f,
		     int (*fn)(void *arg, const struct audit_entry *e), void *arg);

#endif
