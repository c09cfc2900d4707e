/*
 * The 429 answer to password guesses (throttle.c), for the member's
 * and the staff's logins; the counting is app/throttle.c.
 */
#ifndef QCRA_WEB_THROTTLE_H
#define QCRA_WEB_THROTTLE_H

#include "app/throttle.h"
#include "web/app.h"

/*
 * Counts one try of a password for username from r's address (ASVS
 * 6.3.1).  Returns 0 when allowed: the try is already counted as a
 * failure, and throttle_passed takes it back when the password was
 * right.  Returns the seconds to wait when refused (nothing counted:
 * answer with throttle_refuse and 429), or -1 on a storage error.
 * (uc_throttle_try with r's address.)
 */
long throttle_try(struct req *r, struct throttle *t, enum throttle_kind kind, const char *username);
/* The password was right: the try no longer counts, nor do the earlier
 * failures of this account from this address. */
void throttle_passed(struct req *r, struct throttle *t);
/* The password was wrong: the failure counts from now. */
void throttle_failed(struct req *r, struct throttle *t);
/* For a refused try: sets Retry-After and returns the message saying
 * when to try again (in r's arena). */
const char *throttle_refuse(struct req *r, const struct throttle *t);

#endif
