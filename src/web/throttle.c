/*
 * Throttling of password guesses for the login pages: the counting is
 * app/throttle.c's, with the request's address; this sets Retry-After
 * and words the refusal.
 */
#include <stdio.h>
#include <string.h>

#include "web/app.h"
#include "web/throttle.h"

long throttle_try(struct req *r, struct throttle *t, enum throttle_kind kind, const char *username)
{
	struct app_env env = web_env(r);

	return uc_throttle_try(&env, r->client_addr, t, kind, username);
}

void throttle_passed(struct req *r, struct throttle *t)
{
	struct app_env env = web_env(r);

	uc_throttle_passed(&env, t);
}

void throttle_failed(struct req *r, struct throttle *t)
{
	struct app_env env = web_env(r);

	uc_throttle_failed(&env, t);
}

const char *throttle_refuse(struct req *r, const struct throttle *t)
{
	char retry[24], n[24];

	snprintf(retry, sizeof(retry), "%ld", t->wait);
	http_header(r, "Retry-After", retry);
	if (strcmp(t->refusal, "login.delayed") == 0) {
		snprintf(n, sizeof(n), "%ld", t->wait);
		return i18n_format(&r->arena, r->lang, t->refusal, "seconds", n, NULL);
	}
	snprintf(n, sizeof(n), "%ld", (t->wait + 59) / 60);
	return i18n_format(&r->arena, r->lang, t->refusal, "minutes", n, NULL);
}
