/*
 * PostgreSQL backend: connections.  A small pool per process (at most
 * QCRA_PG_POOL, default 32, open at once).  A thread takes one on first
 * use and gives it back at thread exit (pthread key); a thread that
 * finds the pool exhausted waits up to WAIT_MS for one.  Each connection
 * sets synchronous_commit=on (an acknowledged commit is on the server's
 * disk), client_encoding UTF8, TimeZone UTC, a statement and a lock
 * timeout, and no notices (the server's warnings) on stderr.  A
 * connection lost between transactions is made again on its next use;
 * inside one it stays lost until the transaction's end, so that nothing
 * of it runs on a new session.
 */
#include "store/db_pg_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store_copy.h"
#include "util/log.h"

#define POOL_DEFAULT 32 /* connections per process, QCRA_PG_POOL overrides */
#define WAIT_MS 5000    /* for a connection of the pool */

/* The backend's part of struct store (st->be). */
struct pg_store {
	char *url;
	pthread_key_t key;
	pthread_mutex_t mu; /* guards idle, all, open */
	pthread_cond_t cv;  /* a connection was given back */
	struct pg_conn *idle, *all;
	int open, max;
};

/* ---- The backend's state of a store ------------------------------------- */

static struct pg_store *be(struct store *st)
{
	return st->be;
}

/* ---- Connections ---------------------------------------------------------- */

void pg_msg(char *out, size_t size, const char *msg)
{
	size_t n;

	snprintf(out, size, "%s", msg != NULL && *msg != '\0' ? msg : "unknown error");
	n = strlen(out);
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' '))
		out[--n] = '\0';
}

static const char SESSION_SQL[] =
	"SET synchronous_commit = on; SET client_encoding = 'UTF8'; SET TimeZone = 'UTC'; "
	"SET statement_timeout = '" PG_STATEMENT_TIMEOUT
	"'; SET lock_timeout = '5s'; SET client_min_messages = error";

PGconn *pg_connect(const char *url, char *err, size_t errlen)
{
	/* The URL's own connect_timeout wins over this default. */
	const char *const keys[] = {"connect_timeout", "dbname", NULL};
	const char *const vals[] = {"10", url, NULL};
	PGconn *pg = PQconnectdbParams(keys, vals, 1);
	PGresult *r;

	if (pg == NULL) {
		snprintf(err, errlen, "postgresql: out of memory");
		return NULL;
	}
	if (PQstatus(pg) != CONNECTION_OK) {
		char m[512];

		pg_msg(m, sizeof(m), PQerrorMessage(pg));
		snprintf(err, errlen, "postgresql: cannot connect: %s", m);
		PQfinish(pg);
		return NULL;
	}
	r = PQexec(pg, SESSION_SQL);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		char m[512];

		pg_msg(m, sizeof(m), PQerrorMessage(pg));
		snprintf(err, errlen, "postgresql: session settings: %s", m);
		PQclear(r);
		PQfinish(pg);
		return NULL;
	}
	PQclear(r);
	return pg;
}

static void conn_close(struct pg_conn *c)
{
	unsigned i;

	for (i = 0; i < STMT_CACHE; i++)
		pg_stmt_free(c->cache[i].s);
	PQfinish(c->pg);
	audit_mac_key_wipe(&c->neutral.audit_mac);
	audit_q_free(&c->neutral);
	free(c);
}

/* Thread exit: this thread's connection back to the pool, out of any
 * transaction (closed when it cannot be). */
static void conn_release(void *arg)
{
	struct pg_conn *c = arg, **pp;
	struct pg_store *ps = c->owner;
	int keep = PQstatus(c->pg) == CONNECTION_OK;

	if (keep && PQtransactionStatus(c->pg) != PQTRANS_IDLE) {
		PGresult *r = PQexec(c->pg, "ROLLBACK");

		keep = PQresultStatus(r) == PGRES_COMMAND_OK;
		PQclear(r);
	}
	c->tx_open = 0;
	memset(&c->neutral, 0, offsetof(struct db_conn, audit_mac));
	c->neutral.woke = 0;
	c->neutral.savepoints = 0;
	c->neutral.audit_n = c->neutral.audit_mark = 0; /* (the buffer kept) */
	pthread_mutex_lock(&ps->mu);
	if (keep) {
		c->next_idle = ps->idle;
		ps->idle = c;
	} else {
		for (pp = &ps->all; *pp != NULL && *pp != c; pp = &(*pp)->next_all)
			;
		if (*pp != NULL)
			*pp = c->next_all;
		ps->open--;
	}
	pthread_cond_signal(&ps->cv);
	pthread_mutex_unlock(&ps->mu);
	if (!keep)
		conn_close(c);
}

/* A connection for this thread: an idle one of the pool, a new one
 * while under the cap, else the first given back within WAIT_MS. */
static struct pg_conn *conn_take(struct pg_store *ps, char *err, size_t errlen)
{
	struct pg_conn *c = NULL;
	struct timespec until;
	PGconn *pg;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += WAIT_MS / 1000;
	pthread_mutex_lock(&ps->mu);
	while (ps->idle == NULL && ps->open >= ps->max)
		if (pthread_cond_timedwait(&ps->cv, &ps->mu, &until) != 0)
			break;
	if (ps->idle != NULL) {
		c = ps->idle;
		ps->idle = c->next_idle;
		pthread_mutex_unlock(&ps->mu);
		return c;
	}
	if (ps->open >= ps->max) {
		pthread_mutex_unlock(&ps->mu);
		snprintf(err, errlen, "postgresql: all %d connections of the pool are in use",
			 ps->max);
		return NULL;
	}
	ps->open++;
	pthread_mutex_unlock(&ps->mu);
	if ((pg = pg_connect(ps->url, err, errlen)) == NULL ||
	    (c = calloc(1, sizeof(*c))) == NULL) {
		if (pg != NULL)
			snprintf(err, errlen, "postgresql: out of memory");
		PQfinish(pg);
		pthread_mutex_lock(&ps->mu);
		ps->open--;
		pthread_cond_signal(&ps->cv);
		pthread_mutex_unlock(&ps->mu);
		return NULL;
	}
	c->pg = pg;
	c->owner = ps;
	pthread_mutex_lock(&ps->mu);
	c->next_all = ps->all;
	ps->all = c;
	pthread_mutex_unlock(&ps->mu);
	return c;
}

/* A connection lost between transactions is made again; its statements
 * are prepared again on their next use. */
static void conn_check(struct pg_conn *c)
{
	unsigned i;

	if (PQstatus(c->pg) == CONNECTION_OK)
		return;
	PQreset(c->pg);
	if (PQstatus(c->pg) != CONNECTION_OK) {
		log_warnx("store: postgresql: connection lost and not made again");
		return;
	}
	PQclear(PQexec(c->pg, SESSION_SQL));
	for (i = 0; i < STMT_CACHE; i++)
		if (c->cache[i].s != NULL)
			c->cache[i].s->prepared = 0;
	log_info("store: postgresql: connection lost and made again");
}

struct pg_conn *pg_conn_get(struct store *st)
{
	struct pg_store *ps = be(st);
	struct pg_conn *c;
	char err[256];

	if (ps == NULL)
		return NULL;
	if ((c = pthread_getspecific(ps->key)) != NULL) {
		/* Not inside a transaction: its statements must fail, and
		 * its COMMIT, rather than run on a new session. */
		if (!c->tx_open)
			conn_check(c);
		return c;
	}
	if ((c = conn_take(ps, err, sizeof(err))) == NULL) {
		log_warnx("store: %s", err);
		return NULL;
	}
	pthread_setspecific(ps->key, c);
	return c;
}

int pg_pool_open(struct store *st, const char *target, char *err, size_t errlen)
{
	struct pg_store *ps = calloc(1, sizeof(*ps));
	const char *env = getenv("QCRA_PG_POOL");
	struct pg_conn *c;

	if (ps == NULL || (ps->url = strdup(target)) == NULL) {
		free(ps);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	ps->max = env != NULL && atoi(env) > 0 ? atoi(env) : POOL_DEFAULT;
	pthread_mutex_init(&ps->mu, NULL);
	pthread_cond_init(&ps->cv, NULL);
	if (pthread_key_create(&ps->key, conn_release) != 0) {
		snprintf(err, errlen, "pthread_key_create failed");
		goto fail;
	}
	/* This thread's connection now, so that a bad URL fails here. */
	if ((c = conn_take(ps, err, errlen)) == NULL) {
		pthread_key_delete(ps->key);
		goto fail;
	}
	pthread_setspecific(ps->key, c);
	st->be = ps;
	return 0;
fail:
	pthread_cond_destroy(&ps->cv);
	pthread_mutex_destroy(&ps->mu);
	free(ps->url);
	free(ps);
	return -1;
}

const char *pg_pool_url(struct store *st)
{
	return be(st)->url;
}

void pg_pool_close(struct store *st)
{
	struct pg_store *ps = be(st);
	struct pg_conn *c, *next;

	if (ps == NULL)
		return;
	st->be = NULL;
	pthread_setspecific(ps->key, NULL);
	pthread_key_delete(ps->key);
	for (c = ps->all; c != NULL; c = next) {
		next = c->next_all;
		conn_close(c);
	}
	pthread_cond_destroy(&ps->cv);
	pthread_mutex_destroy(&ps->mu);
	free(ps->url);
	free(ps);
}

int store_pg_env(const char *url, char **env, size_t max, char *dbname, size_t dbsize, char *err,
		 size_t errlen)
{
	PQconninfoOption *opts, *o, *defs = NULL;
	char *why = NULL;
	size_t n = 0, len;
	int rc = -1;

	if (max > 0)
		env[0] = NULL;
	dbname[0] = '\0';
	if ((opts = PQconninfoParse(url, &why)) == NULL) {
		snprintf(err, errlen, "not a PostgreSQL URL: %s", why ? why : "out of memory");
		PQfreemem(why);
		return -1;
	}
	/* The parsed options carry no envvar: it is in the defaults'. */
	if ((defs = PQconndefaults()) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (o = opts; o->keyword != NULL; o++) {
		const PQconninfoOption *d;

		if (o->val == NULL || o->val[0] == '\0')
			continue;
		for (d = defs; d->keyword != NULL && strcmp(d->keyword, o->keyword) != 0; d++)
			;
		if (d->keyword == NULL || d->envvar == NULL) {
			snprintf(err, errlen, "the URL's setting %s has no environment variable",
				 o->keyword);
			goto out;
		}
		if (strcmp(o->keyword, "dbname") == 0)
			snprintf(dbname, dbsize, "%s", o->val);
		len = strlen(d->envvar) + strlen(o->val) + 2;
		if (n + 1 >= max || (env[n] = malloc(len)) == NULL) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		snprintf(env[n], len, "%s=%s", d->envvar, o->val);
		env[++n] = NULL;
	}
	rc = 0;
out:
	if (rc != 0)
		store_pg_env_free(env);
	PQconninfoFree(defs);
	PQconninfoFree(opts);
	return rc;
}
