/*
 * Throttling of password guesses without locking the owner out (ASVS
 * 6.3.1; the rules in throttle.c).  The request's parts come as plain
 * input: the client's address and the name typed.
 */
#ifndef QCRA_APP_THROTTLE_H
#define QCRA_APP_THROTTLE_H

#include "app/app.h"

enum throttle_kind {
	THROTTLE_MEMBER, /* member login */
	THROTTLE_STAFF,  /* staff login: counted apart from members */
	THROTTLE_REAUTH, /* a member's current password: counted as member logins */
	THROTTLE_CERT,   /* certificate login: per client address only, no username */
	THROTTLE__MAX
};

struct throttle {
	enum throttle_kind kind;
	char pair[128], addr[96], account[64]; /* the keys counted ("": not counted) */
	long long ids[3];                      /* rows of this try, as a failure */
	int reserved;                          /* counted, not yet taken back */
	long wait;                             /* refused: seconds to wait */
	const char *refusal;                   /* refused: its message key */
};

/*
 * Counts one try of a password for username from address addr, in a
 * transaction of its own.  Returns 0 when allowed: the try is already
 * counted as a failure, and uc_throttle_passed takes it back when the
 * password was right.  Returns the seconds to wait when refused
 * (nothing counted; t->wait and t->refusal say how to answer), or -1 on
 * a storage error.  THROTTLE_CERT counts the address alone (username
 * NULL): a certificate login guesses no account's secret, but each try
 * may cost a request to a CA.
 */
/* Tries refused or delayed since the process started (metrics). */
unsigned long long uc_throttle_refused(void);

long uc_throttle_try(const struct app_env *env, const char *addr, struct throttle *t,
		     enum throttle_kind kind, const char *username);
/* The password was right: the try no longer counts, nor do the earlier
 * failures of this account from this address. */
void uc_throttle_passed(const struct app_env *env, struct throttle *t);
/* The password was wrong: the try counts from now, when that was known
 * (a slow password check must not eat the account's wait). */
void uc_throttle_failed(const struct app_env *env, struct throttle *t);
/* The same two in the caller's transaction (the login's outcome is one:
 * app/login.c).  STORE_OK (also when nothing was counted) or
 * STORE_ERROR. */
int uc_throttle_passed_tx(const struct app_env *env, struct throttle *t);
int uc_throttle_failed_tx(const struct app_env *env, struct throttle *t);

#endif
