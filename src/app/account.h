/*
 * Accounts (use cases, app.h): registering, confirming, the username
 * reminder, the password reset and change.  The caller has checked the
 * form (required fields, formats, the password policy); these check
 * what needs the store, and do the work in one transaction.
 */
#ifndef QCRA_APP_ACCOUNT_H
#define QCRA_APP_ACCOUNT_H

#include "app/app.h"

struct register_input {
	const char *username; /* lower case */
	const char *password;
	const char *license; /* as typed: normalised here */
	const char *jmbg;
	const char *email;
	enum lang lang; /* of the account's mail */
};

/*
 * A member of the register opens an account: refused (field
 * license_number, "register.no_match") unless license, JMBG and e-mail
 * are the register's; refused (username, "register.username_taken")
 * when another account has the username.  A member who has an account
 * already gets the same answer (UC_OK) and a mail saying so, after the
 * same work.  On UC_OK a confirmation link is queued.
 */
struct uc_result uc_register(const struct app_env *env, const struct actor *a, struct arena *ar,
			     const struct register_input *in);

/* The confirmation link's token: the account is confirmed (once is
 * enough; again is fine while the token lives).  UC_NOTFOUND for a
 * token that is unknown, used or expired. */
struct uc_result uc_account_confirm(const struct app_env *env, const struct actor *a,
				    const char *token);

/* A username reminder, or a password reset link, for the account with
 * this e-mail address (lower case).  For an address with no account the
 * same work is done and nothing is sent. */
struct uc_result uc_username_remind(const struct app_env *env, const struct actor *a,
				    struct arena *ar, const char *email);
struct uc_result uc_password_forgot(const struct app_env *env, const struct actor *a,
				    struct arena *ar, const char *email);

/* The account a live reset token belongs to (into acc): 1, or 0 when
 * the token is not (or no longer) valid, or the store failed. */
int uc_reset_account(const struct app_env *env, const char *token, struct account *acc);

/* Sets the password of acc (uc_reset_account's) through the reset link:
 * the token is used up, a pending account confirmed (the link proves
 * the address), every session of the account ended, a mail sent.
 * UC_NOTFOUND when the token was used meanwhile. */
struct uc_result uc_password_reset(const struct app_env *env, const struct actor *a,
				   struct arena *ar, const char *token, const struct account *acc,
				   const char *password);

/* The member acc, who has given the right current password, sets a new
 * one: every other session (all but the one whose token hash is keep)
 * ends, a mail is sent. */
struct uc_result uc_password_change(const struct app_env *env, const struct actor *a,
				    struct arena *ar, const struct account *acc,
				    const char *password, const unsigned char keep[32]);

/* The member (a) chooses the language of their account's mail. */
struct uc_result uc_account_set_lang(const struct app_env *env, const struct actor *a,
				     const struct account *acc, enum lang lang);

#endif
