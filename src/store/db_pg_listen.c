/*
 * PostgreSQL backend: wake-ups across instances (db.h: wake_sql,
 * listen).  Queuing work runs pg_notify() in the queuing transaction,
 * so PostgreSQL tells every session listening on the channel at the
 * commit (and nobody on a rollback).  A listener holds a connection of
 * its own, outside the pool, that only LISTENs: its wait polls the
 * socket (PQsocket), reads what came (PQconsumeInput) and collects the
 * notifications (PQnotifies).  A lost connection is made again on the
 * next wait, which then answers every kind: a notification sent while
 * it was down is not kept for it.
 */
#include "store/db_pg_int.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

/* Indexed by the bit of STORE_WAKE_* (store.h). */
static const char *const channels[] = {"qcra_mail", "qcra_ca"};
const char *const pg_wake_sql[] = {"SELECT pg_notify('qcra_mail', '')",
				   "SELECT pg_notify('qcra_ca', '')"};
static const char LISTEN_SQL[] = "LISTEN qcra_mail; LISTEN qcra_ca";
#define ALL_WAKES (STORE_WAKE_MAIL | STORE_WAKE_CA)

struct pg_listener {
	char *url;
	PGconn *pg;  /* NULL while lost */
	int failing; /* the last connect failed (said once) */
};

/* (Re)connects l and listens; 0 or -1 (logged once while it fails). */
static int listener_connect(struct pg_listener *l)
{
	char err[512];
	PGresult *r;

	if (l->pg != NULL)
		PQfinish(l->pg);
	if ((l->pg = pg_connect(l->url, err, sizeof(err))) != NULL) {
		r = PQexec(l->pg, LISTEN_SQL);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			pg_msg(err, sizeof(err), PQerrorMessage(l->pg));
			PQfinish(l->pg);
			l->pg = NULL;
		}
		PQclear(r);
	}
	if (l->pg == NULL) {
		if (!l->failing)
			log_warnx("store: wake-ups: cannot listen: %s; polling meanwhile", err);
		l->failing = 1;
		return -1;
	}
	if (l->failing)
		log_info("store: wake-ups: listening again");
	l->failing = 0;
	return 0;
}

void *pg_listen(struct store *st)
{
	struct pg_listener *l = calloc(1, sizeof(*l));

	if (l == NULL || (l->url = strdup(pg_pool_url(st))) == NULL) {
		free(l);
		return NULL;
	}
	listener_connect(l); /* when it fails, the first wait tries again */
	return l;
}

/* The STORE_WAKE_* bits of the notifications l's connection holds. */
static int collect(struct pg_listener *l)
{
	PGnotify *n;
	int bits = 0;
	size_t i;

	while ((n = PQnotifies(l->pg)) != NULL) {
		for (i = 0; i < sizeof(channels) / sizeof(channels[0]); i++)
			if (strcmp(n->relname, channels[i]) == 0)
				bits |= 1 << i;
		PQfreemem(n);
	}
	return bits;
}

int pg_listen_wait(void *arg, int ms)
{
	struct pg_listener *l = arg;
	struct pollfd p;
	int bits, rc;

	if (l->pg == NULL || PQstatus(l->pg) != CONNECTION_OK) {
		if (listener_connect(l) != 0) {
			poll(NULL, 0, ms);
			return -1;
		}
		return ALL_WAKES; /* what was told meanwhile is lost */
	}
	if ((bits = collect(l)) != 0)
		return bits;
	p.fd = PQsocket(l->pg);
	p.events = POLLIN;
	p.revents = 0;
	rc = poll(&p, 1, ms);
	if (rc < 0)
		return errno == EINTR ? 0 : -1;
	if (rc == 0)
		return 0;
	if (!PQconsumeInput(l->pg)) {
		char m[256];

		pg_msg(m, sizeof(m), PQerrorMessage(l->pg));
		log_warnx("store: wake-ups: connection lost: %s", m);
		PQfinish(l->pg);
		l->pg = NULL;
		return -1;
	}
	return collect(l);
}

void pg_listen_close(void *arg)
{
	struct pg_listener *l = arg;

	if (l == NULL)
		return;
	if (l->pg != NULL)
		PQfinish(l->pg);
	free(l->url);
	free(l);
}
