/*
 * Throttling of password guesses without locking the owner out (ASVS
 * 6.3.1, SECURITY.md "Throttling without lockout").  Three counts of
 * failures in the window (login_window_minutes), members and staff
 * apart:
 *
 *  - per (account, client address): login_max_failures, then 429 for
 *    that address only, so a guesser elsewhere does not lock the owner
 *    out;
 *  - per client address, whatever the account: login_max_failures_per_
 *    address, then 429 (one address trying many names);
 *  - per account from anywhere: past login_account_slow_after, every
 *    try waits at least 1 s after the account's last failure, doubling with each
 *    further failure up to login_account_wait_max_seconds: many
 *    addresses guessing one account are slowed down, the owner only
 *    waits a little.
 *
 * A try is counted before the password is checked: in one write
 * transaction the counts are read and, when the try is allowed, a
 * failure is recorded under each key at once.  Parallel guesses thus
 * take turns on the counts (no check-then-act race), and a try that
 * turns out right is taken back (uc_throttle_passed).  Account names are
 * stored as keyed tags (core/secret.h), never as typed: a password
 * typed into the username field is not kept.
 */
#include "app/throttle.h"

#include <arpa/inet.h>
#include <stdatomic.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/secret.h"
#include "util/log.h"

/* What a refused try is told, by kind and reason. */
static const char *const refusal_key[THROTTLE__MAX][2] = {
	[THROTTLE_MEMBER] = {"login.throttled", "login.delayed"},
	[THROTTLE_STAFF] = {"ra.login_throttled", "login.delayed"},
	[THROTTLE_REAUTH] = {"password.throttled", "login.delayed"},
	[THROTTLE_CERT] = {"login.throttled", "login.delayed"},
};

/* Members re-authenticating count as members: the same password. */
static char kind_letter(enum throttle_kind kind)
{
	return kind == THROTTLE_STAFF ? 's' : kind == THROTTLE_CERT ? 'c' : 'm';
}

/* Seconds until the window forgets the oldest of a count (at least 1). */
static long window_wait(const struct config *cfg, time_t oldest, time_t now)
{
	long w = (long)(oldest + cfg->login_window_secs - now);

	return w > 0 ? w : 1;
}

/* The per-account wait after `failures` failures, the newest at newest:
 * at least 1 s doubling per failure past the threshold, at most the
 * maximum. */
static long account_wait(const struct config *cfg, int failures, time_t newest, time_t now)
{
	int over = failures - cfg->login_account_slow_after;
	long d = 1;

	if (over < 0)
		return 0;
	while (over-- > 0 && d < cfg->login_account_wait_max)
		d *= 2;
	if (d > cfg->login_account_wait_max)
		d = cfg->login_account_wait_max;
	/* Times are whole seconds: a failure stamped newest may have come
	 * at its very end, so the wait runs to newest + 1 + d. */
	d = (long)(newest + 1 + d - now);
	return d > 0 ? d : 0;
}

/* Reads the three counts and decides; inside the caller's transaction.
 * Returns the wait (0: allowed) with *delayed set for the per-account
 * wait, or -1 on a storage error. */
static long throttle_decide(const struct app_env *env, const struct throttle *t, time_t now,
			    int *delayed)
{
	const struct config *cfg = env->cfg;
	struct store *s = env->store;
	time_t since = now - cfg->login_window_secs, oldest, newest;
	long wait = 0, w;
	int n;

	*delayed = 0;
	if (*t->pair && store_login_failures(s, t->pair, since, &n, &oldest, NULL) != STORE_OK)
		return -1;
	if (*t->pair && n >= cfg->login_max_failures)
		wait = window_wait(cfg, oldest, now);
	if (store_login_failures(s, t->addr, since, &n, &oldest, NULL) != STORE_OK)
		return -1;
	if (n >= cfg->login_max_failures_addr && (w = window_wait(cfg, oldest, now)) > wait)
		wait = w;
	if (wait > 0 || *t->account == '\0')
		return wait;
	if (store_login_failures(s, t->account, since, &n, &oldest, &newest) != STORE_OK)
		return -1;
	if ((wait = account_wait(cfg, n, newest, now)) > 0)
		*delayed = 1;
	return wait;
}

/* The client an address stands for, as counted: an IPv6 client holds a
 * whole /64 ("2001:db8:1:2::/64"); an IPv4-mapped address is its IPv4
 * address; anything else as it is.  The audit log keeps the address. */
static void client_of(const char *addr, char *out, size_t size)
{
	struct in6_addr a6;
	char text[INET6_ADDRSTRLEN];

	snprintf(out, size, "%s", addr);
	if (inet_pton(AF_INET6, addr, &a6) != 1)
		return;
	if (IN6_IS_ADDR_V4MAPPED(&a6)) {
		if (inet_ntop(AF_INET, &a6.s6_addr[12], text, sizeof(text)) != NULL)
			snprintf(out, size, "%s", text);
		return;
	}
	memset(&a6.s6_addr[8], 0, 8);
	if (inet_ntop(AF_INET6, &a6, text, sizeof(text)) != NULL)
		snprintf(out, size, "%s/64", text);
}

static _Atomic unsigned long long refused_count;

unsigned long long uc_throttle_refused(void)
{
	return refused_count;
}

long uc_throttle_try(const struct app_env *env, const char *addr, struct throttle *t,
		     enum throttle_kind kind, const char *username)
{
	const struct config *cfg = env->cfg;
	struct store *s = env->store;
	char tag[SECRET_TAG_HEX], client[INET6_ADDRSTRLEN + 4];
	time_t now = time(NULL);
	const char *keys[3];
	long wait;
	int delayed, i;

	memset(t, 0, sizeof(*t));
	t->kind = kind;
	client_of(addr, client, sizeof(client));
	snprintf(t->addr, sizeof(t->addr), "%ca:%s", kind_letter(kind), client);
	if (username != NULL) {
		secret_tag(env->secret, username, tag);
		snprintf(t->pair, sizeof(t->pair), "%cp:%s@%s", kind_letter(kind), tag, client);
		snprintf(t->account, sizeof(t->account), "%cu:%s", kind_letter(kind), tag);
	}
	keys[0] = t->pair, keys[1] = t->addr, keys[2] = t->account;
	if (store_begin(s) != STORE_OK)
		return -1;
	if (store_login_failures_purge(s, now - cfg->login_window_secs) != STORE_OK ||
	    (wait = throttle_decide(env, t, now, &delayed)) < 0)
		goto fail;
	if (wait > 0) {
		refused_count++;
		store_rollback(s);
		t->refusal = refusal_key[kind][delayed];
		t->wait = wait;
		return wait;
	}
	for (i = 0; i < 3; i++)
		if (*keys[i] && store_login_failure_add(s, keys[i], now, &t->ids[i]) != STORE_OK)
			goto fail;
	if (store_commit(s) != STORE_OK)
		goto fail;
	t->reserved = 1;
	return 0;
fail:
	store_rollback(s);
	return -1;
}

int uc_throttle_passed_tx(const struct app_env *env, struct throttle *t)
{
	int i, rc = STORE_OK;

	if (!t->reserved)
		return STORE_OK;
	t->reserved = 0;
	if (*t->pair)
		rc = store_login_failures_clear(env->store, t->pair);
	for (i = 1; i < 3 && rc == STORE_OK; i++)
		if (t->ids[i] != 0)
			rc = store_login_failure_remove(env->store, t->ids[i]);
	return rc == STORE_OK ? STORE_OK : STORE_ERROR;
}

int uc_throttle_failed_tx(const struct app_env *env, struct throttle *t)
{
	time_t now = time(NULL);
	int i, rc = STORE_OK;

	if (!t->reserved)
		return STORE_OK;
	t->reserved = 0;
	for (i = 0; i < 3 && rc == STORE_OK; i++)
		if (t->ids[i] != 0)
			rc = store_login_failure_restamp(env->store, t->ids[i], now);
	return rc == STORE_OK ? STORE_OK : STORE_ERROR;
}

/* fn in a transaction of its own; a storage error leaves the count as
 * it was (said in the log). */
static void alone(const struct app_env *env, struct throttle *t,
		  int (*fn)(const struct app_env *, struct throttle *), const char *lost)
{
	if (!t->reserved)
		return;
	if (store_begin(env->store) == STORE_OK) {
		if (fn(env, t) == STORE_OK && store_commit(env->store) == STORE_OK)
			return;
		store_rollback(env->store);
	}
	t->reserved = 0;
	log_warnx("throttle: %s (storage error)", lost);
}

void uc_throttle_passed(const struct app_env *env, struct throttle *t)
{
	alone(env, t, uc_throttle_passed_tx, "a right password stays counted as a failure");
}

void uc_throttle_failed(const struct app_env *env, struct throttle *t)
{
	alone(env, t, uc_throttle_failed_tx, "a failure keeps the time its try began");
}
