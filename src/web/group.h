/*
 * Commit groups: the members' order forms (create, edit, confirm,
 * cancel) are each a short write transaction whose cost is the durable
 * commit (an fsync).  Their requests are handed to one thread that runs
 * every request waiting at that moment inside one transaction, each in
 * a savepoint of its own, commits once, and only then lets the
 * responses go (store.h: store_group_*).  Under load one fsync serves
 * many orders; alone, a request waits for nothing but its own commit.
 * On PostgreSQL several such threads run at once (store_group_threads),
 * each its own connection and transaction: a group's statements are
 * round trips to the server, and while one group waits for them
 * another runs.
 */
#ifndef QCRA_WEB_GROUP_H
#define QCRA_WEB_GROUP_H

#include "http/http.h"

struct app;
struct commit_group;

/* Starts the group's threads.  NULL when it cannot. */
struct commit_group *group_start(struct app *app);
/* Runs what is queued and stops the thread; requests deferred after
 * that run on the server's thread that hands them over.  Call before
 * http_server_stop (which waits for requests in flight: a suspended
 * one must not outlive it), and group_free after it.  NULL: no-op. */
void group_stop(struct commit_group *g);
void group_free(struct commit_group *g);

/* The http_server_conf hooks: whether a request goes through the group
 * (a POST to a route marked so in app.c), and handing it over. */
int group_deferrable(struct req *r);
void group_defer(struct req *r);

#endif
