/*
 * What a browser does, for HTTP tests: a server with the demo member
 * register, GET a form and POST it back with its csrf_token, a member
 * registered, confirmed by the mailed link and logged in.  Every
 * response is checked for what must always hold (never a 500; the
 * security headers).  Failures abort the test through cmocka.
 */
#ifndef QCRA_TEST_JOURNEY_H
#define QCRA_TEST_JOURNEY_H

#include <stdarg.h>

#include "harness.h"

struct store;

struct demo_member {
	const char *license, *first, *last, *jmbg, *email;
};

extern const struct demo_member demo_zarko, demo_ana;

/* Starts a server (extra env may be NULL) and imports
 * data/demo-members.csv.  0 or -1. */
int journey_server(struct server *s, const char *const *env);
/* The same over HTTPS (server_start_tls). */
int journey_server_tls(struct server *s, const char *const *env);

/* The fixture most HTTP tests share: a journey_server and a client of
 * it, and the response of the last request. */
struct journey_fx {
	struct server s;
	struct client c;
	struct response r;
};

/* Starts f's server with journey_server (env may be NULL) and its
 * client; on failure cleans up what it started.  0 or -1. */
int journey_fx_start(struct journey_fx *f, const char *const *env);
/* Frees f's response and client and cleans up its server. */
void journey_fx_stop(struct journey_fx *f);
/* For cmocka: a calloc'd journey_fx started with env (may be NULL) in
 * *state; and its teardown. */
int journey_fx_setup(void **state, const char *const *env);
int journey_fx_teardown(void **state);
/* journey_fx_setup without extra env, for cmocka's setup slot. */
int journey_fx_setup_plain(void **state);

/* The server's database opened as the portal's own processes open it:
 * with VAR/secret.key, so what a test writes there on the system's
 * behalf (an order transition and its audit entry) is keyed like the
 * rest of the audit chain.  The caller closes it. */
struct store *journey_db(const struct server *s);

/* GET path; checks the response; returns the status (answer in *r). */
long journey_get(struct client *c, const char *path, struct response *r);
/* The same for a path made with printf's fmt and its arguments. */
long journey_vgetf(struct client *c, struct response *r, const char *fmt, va_list ap);
/* POST an urlencoded body; checks the response; returns the status. */
long journey_post(struct client *c, const char *path, const char *body, struct response *r);
/* GETs page, then POSTs to action the NULL-terminated name, value pairs
 * plus the page's csrf_token.  Returns the POST's status. */
long journey_submit(struct client *c, const char *page, const char *action, struct response *r, ...)
	__attribute__((sentinel));

/* POSTs to action the NULL-terminated name, value pairs (as a va_list)
 * with the CSRF token of c's session, taken from /ra (staff) or /
 * (anyone else).  Returns the status (answer in *r). */
long journey_vpost(struct client *c, const char *action, struct response *r, va_list ap);

/* Registers m with username/password, follows the mailed confirmation
 * link and logs in with c. */
void journey_member(struct server *s, struct client *c, const struct demo_member *m,
		    const char *username, const char *password);

/* Creates a staff account with `qcra operator add` (office may be NULL)
 * and logs c in (c must be initialised): the first login without a
 * code, then the enrolment with the current TOTP code.  The base32
 * TOTP secret goes to secret (may be NULL). */
void journey_staff(struct server *s, struct client *c, const char *username, const char *role,
		   const char *office, const char *password, char *secret, size_t size);

/* The Location header's path (after the host), malloc'd, or NULL. */
char *journey_location(const struct response *r);

/* What Žarko (demo_zarko) writes in his order forms. */
#define JOURNEY_ZARKO_MAIL "zarko.djuraskovic@example.rs"
#define JOURNEY_ZARKO_ID_CARD "012345678"

/* Žarko's natural-person order form for office, submitted by c (a
 * draft; field, may be NULL, gets value); returns the status (303 and
 * the draft's review page in Location). */
long journey_order_draft(struct client *c, struct response *r, const char *office,
			 const char *field, const char *value);
/* Žarko's natural-person order picked up at office, submitted and
 * confirmed by c (logged in as Žarko); field (may be NULL) gets value
 * instead of the default.  Returns its id. */
long long journey_order(struct client *c, struct response *r, const char *office, const char *field,
			const char *value);
/* After an order form's 303 (in *r): confirms the draft it made, as c;
 * returns its id. */
long long journey_confirm(struct client *c, struct response *r);

#endif
