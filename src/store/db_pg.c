/*
 * PostgreSQL backend of store/db.h, through libpq.
 *
 * Connections: a small pool per process (at most QCRA_PG_POOL, default
 * 32, open at once).  A thread takes one on first use and gives it back
 * at thread exit (pthread key); a thread that finds the pool exhausted
 * waits up to WAIT_MS for one.  Each connection sets
 * synchronous_commit=on (an acknowledged commit is on the server's
 * disk), client_encoding UTF8, TimeZone UTC, a statement and a lock
 * timeout.
 *
 * Statements: prepared once per connection (PQprepare, named "qN"),
 * cached by the address of their SQL text as the SQLite backend does.
 * Parameters go as text (integers formatted into the statement's own
 * buffers, text not copied) or binary (bytea), results come back as
 * text, whole, on the first step.
 *
 * Write transactions take turns across every process and instance:
 * BEGIN then pg_advisory_xact_lock(WRITER_LOCK), held to the end of the
 * transaction, as SQLite's one writer does; so the audit chain's tip,
 * the compare-and-set transitions and payment matching stay exact.
 * Read transactions are REPEATABLE READ READ ONLY: one snapshot.
 *
 * Unlike SQLite, a failed statement inside a transaction aborts it: what
 * follows fails until ROLLBACK (or ROLLBACK TO a savepoint), and COMMIT
 * then reports DB_ERROR.
 */
#include "store/db.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util/log.h"

#define STMT_CACHE 256  /* per connection, keyed by the SQL text's address */
#define POOL_DEFAULT 32 /* connections per process, QCRA_PG_POOL overrides */
#define WAIT_MS 5000    /* for a connection of the pool */
/* The advisory lock of write transactions: "qcra" (0x71637261). */
#define WRITER_LOCK 1902342753
#define STR_(x) #x
#define STR(x) STR_(x)

struct pg_conn;

struct pg_stmt {
	struct db_stmt base;
	struct pg_conn *c;
	const char *sql;
	char name[16];
	int prepared; /* on c's current session (0 after a reconnect) */
	int nparams;
	int readonly;
	const char **values;
	int *lengths, *formats;
	char (*ints)[24]; /* the integers bound, formatted */
	int bad_param;    /* a failed bind: the parameter ($N), and why */
	const char *bad_why;
	PGresult *res;
	int row, nrows;
	long long changes;
	unsigned char *blob; /* col_blob's decoded bytea */
	size_t blob_cap;
	char err[256]; /* why the last step failed (db_warn) */
};

struct pg_conn {
	struct db_conn neutral;
	PGconn *pg;
	struct pg_store *owner;
	struct {
		const char *sql;
		struct pg_stmt *s;
	} cache[STMT_CACHE];
	unsigned nstmt;
	struct pg_conn *next_idle, *next_all;
};

struct pg_store {
	struct store *st;
	char *url;
	pthread_key_t key;
	pthread_mutex_t mu; /* guards idle, all, open */
	pthread_cond_t cv;  /* a connection was given back */
	struct pg_conn *idle, *all;
	int open, max;
	struct pg_store *next; /* in the registry */
};

/* ---- The backend's state of a store ------------------------------------- */

/* Until struct store carries the driver's `be` pointer, the backend's
 * state is found by the store's address here. */
static pthread_mutex_t reg_mu = PTHREAD_MUTEX_INITIALIZER;
static struct pg_store *reg;

static struct pg_store *be(struct store *st)
{
	struct pg_store *p;

	pthread_mutex_lock(&reg_mu);
	for (p = reg; p != NULL && p->st != st; p = p->next)
		;
	pthread_mutex_unlock(&reg_mu);
	return p;
}

static void be_set(struct store *st, struct pg_store *ps)
{
	struct pg_store **pp;

	pthread_mutex_lock(&reg_mu);
	for (pp = &reg; *pp != NULL && (*pp)->st != st; pp = &(*pp)->next)
		;
	if (*pp != NULL) /* dropped */
		*pp = (*pp)->next;
	if (ps != NULL) {
		ps->st = st;
		ps->next = reg;
		reg = ps;
	}
	pthread_mutex_unlock(&reg_mu);
}

/* ---- Connections ---------------------------------------------------------- */

/* PostgreSQL's message without its trailing newline, into out. */
static void pg_msg(char *out, size_t size, const char *msg)
{
	size_t n;

	snprintf(out, size, "%s", msg != NULL && *msg != '\0' ? msg : "unknown error");
	n = strlen(out);
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' '))
		out[--n] = '\0';
}

static const char SESSION_SQL[] =
	"SET synchronous_commit = on; SET client_encoding = 'UTF8'; SET TimeZone = 'UTC'; "
	"SET statement_timeout = '60s'; SET lock_timeout = '5s'";

static PGconn *pg_connect(const char *url, char *err, size_t errlen)
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

static void stmt_free(struct pg_stmt *s);

static void conn_close(struct pg_conn *c)
{
	unsigned i;

	for (i = 0; i < STMT_CACHE; i++)
		stmt_free(c->cache[i].s);
	PQfinish(c->pg);
	audit_mac_key_wipe(&c->neutral.audit_mac);
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
	memset(&c->neutral, 0, offsetof(struct db_conn, audit_mac));
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

static struct pg_conn *conn_get(struct store *st)
{
	struct pg_store *ps = be(st);
	struct pg_conn *c;
	char err[256];

	if (ps == NULL)
		return NULL;
	if ((c = pthread_getspecific(ps->key)) != NULL) {
		if (PQtransactionStatus(c->pg) == PQTRANS_IDLE)
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

static struct db_conn *pg_conn_of(struct store *st)
{
	struct pg_conn *c = conn_get(st);

	return c != NULL ? &c->neutral : NULL;
}

static int pg_open(struct store *st, const char *target, char *err, size_t errlen)
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
	be_set(st, ps);
	return 0;
fail:
	pthread_cond_destroy(&ps->cv);
	pthread_mutex_destroy(&ps->mu);
	free(ps->url);
	free(ps);
	return -1;
}

static void pg_close(struct store *st)
{
	struct pg_store *ps = be(st);
	struct pg_conn *c, *next;

	if (ps == NULL)
		return;
	be_set(st, NULL);
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

/* ---- Statements ------------------------------------------------------------ */

/* 1 when sql only reads: it starts with SELECT or WITH and has no
 * INSERT, UPDATE (FOR UPDATE included) or DELETE word. */
static int sql_readonly(const char *sql)
{
	static const char *const writes[] = {"insert", "update", "delete"};
	const char *p = sql, *w;
	size_t n, i;
	int first = 1;

	while (*p != '\0') {
		if (!((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z')) {
			p++;
			continue;
		}
		for (w = p; ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z') || *p == '_' ||
			    (*p >= '0' && *p <= '9');
		     p++)
			;
		n = (size_t)(p - w);
		if (first && !(n == 6 && strncasecmp(w, "select", 6) == 0) &&
		    !(n == 4 && strncasecmp(w, "with", 4) == 0))
			return 0;
		first = 0;
		for (i = 0; i < sizeof(writes) / sizeof(writes[0]); i++)
			if (n == 6 && strncasecmp(w, writes[i], 6) == 0)
				return 0;
	}
	return !first;
}

static void stmt_free(struct pg_stmt *s)
{
	if (s == NULL)
		return;
	PQclear(s->res);
	free(s->values);
	free(s->lengths);
	free(s->formats);
	free(s->ints);
	free(s->blob);
	free(s);
}

/* Prepares s on its connection's session; 0, or -1 (logged). */
static int stmt_prepare(struct pg_stmt *s)
{
	PGresult *r = PQprepare(s->c->pg, s->name, s->sql, 0, NULL);
	char m[256];
	int n;

	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		goto fail;
	PQclear(r);
	r = PQdescribePrepared(s->c->pg, s->name);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		goto fail;
	n = PQnparams(r);
	PQclear(r);
	if (s->values != NULL && n != s->nparams) {
		log_warnx("store: prepare \"%.60s\": parameters changed", s->sql);
		return -1;
	}
	if (s->values == NULL && n > 0) {
		s->values = calloc((size_t)n, sizeof(*s->values));
		s->lengths = calloc((size_t)n, sizeof(*s->lengths));
		s->formats = calloc((size_t)n, sizeof(*s->formats));
		s->ints = calloc((size_t)n, sizeof(*s->ints));
		if (!s->values || !s->lengths || !s->formats || !s->ints) {
			log_warnx("store: prepare: out of memory");
			return -1;
		}
	}
	s->nparams = n;
	s->prepared = 1;
	return 0;
fail:
	pg_msg(m, sizeof(m), PQresultErrorMessage(r));
	log_warnx("store: prepare \"%.60s\": %s", s->sql, m);
	PQclear(r);
	return -1;
}

static void pg_reset(struct db_stmt *base)
{
	struct pg_stmt *s = (struct pg_stmt *)base;
	int i;

	PQclear(s->res);
	s->res = NULL;
	s->row = -1;
	s->nrows = 0;
	s->bad_param = 0;
	for (i = 0; i < s->nparams; i++) {
		s->values[i] = NULL;
		s->formats[i] = 0;
	}
}

static struct db_stmt *pg_stmt_of(struct store *st, const char *sql)
{
	struct pg_conn *c = conn_get(st);
	struct pg_stmt *s;
	size_t h, i;

	if (c == NULL)
		return NULL;
	h = ((size_t)(uintptr_t)sql >> 4) % STMT_CACHE;
	for (i = 0; i < STMT_CACHE; i++, h = (h + 1) % STMT_CACHE)
		if (c->cache[h].sql == NULL || c->cache[h].sql == sql)
			break;
	if (i == STMT_CACHE) {
		log_warnx("store: statement cache full");
		return NULL;
	}
	if ((s = c->cache[h].s) == NULL) {
		if ((s = calloc(1, sizeof(*s))) == NULL) {
			log_warnx("store: prepare: out of memory");
			return NULL;
		}
		s->base.drv = &db_pg;
		s->c = c;
		s->sql = sql;
		s->readonly = sql_readonly(sql);
		snprintf(s->name, sizeof(s->name), "q%u", c->nstmt++);
		if (stmt_prepare(s) != 0) {
			stmt_free(s);
			return NULL;
		}
		c->cache[h].sql = sql;
		c->cache[h].s = s;
	} else if (!s->prepared && stmt_prepare(s) != 0) {
		return NULL;
	}
	pg_reset(&s->base);
	return &s->base;
}

/* v in decimal into out (24 bytes). */
static const char *fmt_int(long long v, char out[24])
{
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	char *p = out + 23;

	*p = '\0';
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--p = '-';
	return p;
}

static void pg_bind(struct db_stmt *base, const struct sq_arg *args)
{
	struct pg_stmt *s = (struct pg_stmt *)base;
	int i;

	for (i = 0; args[i].kind != SQ_ARG_END_; i++) {
		if (i >= s->nparams) {
			s->bad_param = i + 1;
			s->bad_why = "no such parameter";
			return;
		}
		s->formats[i] = 0;
		switch (args[i].kind) {
		case SQ_ARG_INT:
			s->values[i] = fmt_int(args[i].i, s->ints[i]);
			break;
		case SQ_ARG_TEXT:
			s->values[i] = args[i].text;
			break;
		case SQ_ARG_BLOB:
			if (args[i].n > INT32_MAX) {
				s->bad_param = i + 1;
				s->bad_why = "too big";
				return;
			}
			/* Binary bytea; a NULL pointer binds NULL, as in SQLite. */
			s->values[i] = args[i].blob;
			s->lengths[i] = (int)args[i].n;
			s->formats[i] = 1;
			break;
		default:
			s->values[i] = NULL;
			break;
		}
	}
}

static int is_conflict(const char *state)
{
	return state != NULL && strcmp(state, "23505") == 0;
}

/* Keeps why r failed in s->err, without a value bound: a data
 * exception's message (class 22) is cut where it quotes the value, and
 * DETAIL (which shows a key's value) is not kept. */
static void keep_error(struct pg_stmt *s, const PGresult *r)
{
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
	char m[200], *cut;

	if (msg == NULL) /* not from the server: the connection's */
		msg = PQerrorMessage(s->c->pg);
	pg_msg(m, sizeof(m), msg);
	if (state != NULL && strncmp(state, "22", 2) == 0 && (cut = strstr(m, ": ")) != NULL)
		*cut = '\0';
	snprintf(s->err, sizeof(s->err), "%s (SQLSTATE %s)", m, state != NULL ? state : "none");
}

static enum db_rc pg_step(struct db_stmt *base)
{
	struct pg_stmt *s = (struct pg_stmt *)base;
	PGresult *r;
	int conflict;

	if (s->bad_param != 0)
		return DB_ERROR;
	if (s->res == NULL) {
		r = PQexecPrepared(s->c->pg, s->name, s->nparams, s->values, s->lengths, s->formats,
				   0);
		switch (PQresultStatus(r)) {
		case PGRES_TUPLES_OK:
		case PGRES_COMMAND_OK:
			s->res = r;
			s->nrows = PQntuples(r);
			s->row = -1;
			s->changes = strtoll(PQcmdTuples(r), NULL, 10);
			break;
		default:
			keep_error(s, r);
			conflict = is_conflict(PQresultErrorField(r, PG_DIAG_SQLSTATE));
			PQclear(r);
			return conflict ? DB_CONFLICT : DB_ERROR;
		}
	}
	if (s->row + 1 < s->nrows) {
		s->row++;
		return DB_ROW;
	}
	s->row = s->nrows;
	return DB_DONE;
}

static long long pg_changes(struct db_stmt *base)
{
	return ((struct pg_stmt *)base)->changes;
}

static int pg_readonly(struct db_stmt *base)
{
	return ((struct pg_stmt *)base)->readonly;
}

/* Column i of the current row, NULL when none or SQL NULL. */
static const char *cell(struct pg_stmt *s, int i, int *len)
{
	if (s->res == NULL || s->row < 0 || s->row >= s->nrows || i < 0 || i >= PQnfields(s->res) ||
	    PQgetisnull(s->res, s->row, i))
		return NULL;
	if (len != NULL)
		*len = PQgetlength(s->res, s->row, i);
	return PQgetvalue(s->res, s->row, i);
}

static long long pg_col_int64(struct db_stmt *base, int i)
{
	const char *v = cell((struct pg_stmt *)base, i, NULL);

	return v != NULL ? strtoll(v, NULL, 10) : 0;
}

static const char *pg_col_text(struct db_stmt *base, int i)
{
	return cell((struct pg_stmt *)base, i, NULL);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

/* bytea's text form ("\x" and hex) decoded into the statement's buffer;
 * any other column's text as it is. */
static const void *pg_col_blob(struct db_stmt *base, int i, size_t *n)
{
	struct pg_stmt *s = (struct pg_stmt *)base;
	int len = 0, hi, lo;
	const char *v = cell(s, i, &len);
	size_t k, need;

	*n = 0;
	if (v == NULL)
		return NULL;
	if (len < 2 || v[0] != '\\' || v[1] != 'x') {
		*n = (size_t)len;
		return v;
	}
	need = (size_t)(len - 2) / 2;
	if (need + 1 > s->blob_cap) {
		unsigned char *b = realloc(s->blob, need + 1);

		if (b == NULL) {
			log_warnx("store: column %d: out of memory", i);
			return NULL;
		}
		s->blob = b;
		s->blob_cap = need + 1;
	}
	for (k = 0; k < need; k++) {
		hi = hexval(v[2 + 2 * k]);
		lo = hexval(v[3 + 2 * k]);
		if (hi < 0 || lo < 0) {
			log_warnx("store: column %d: not bytea", i);
			return NULL;
		}
		s->blob[k] = (unsigned char)(hi << 4 | lo);
	}
	*n = need;
	return s->blob;
}

static int pg_col_null(struct db_stmt *base, int i)
{
	return cell((struct pg_stmt *)base, i, NULL) == NULL;
}

static void pg_warn(struct db_stmt *base, const char *who, const char *what)
{
	struct pg_stmt *s = (struct pg_stmt *)base;
	char head[72];

	if (s == NULL) {
		log_warnx("%s: %s: no statement", who, what != NULL ? what : "?");
		return;
	}
	if (what == NULL) {
		snprintf(head, sizeof(head), "\"%.60s\"", s->sql);
		what = head;
	}
	if (s->bad_param != 0)
		log_warnx("%s: %s: parameter %d not bound: %s; not run", who, what, s->bad_param,
			  s->bad_why);
	else
		log_warnx("%s: %s: %s", who, what, s->err[0] != '\0' ? s->err : "no error");
}

/* ---- Transactions and scripts ---------------------------------------------- */

static const char *const tx_sql[] = {
	[DB_BEGIN_WRITE] = "BEGIN; SELECT pg_advisory_xact_lock(" STR(WRITER_LOCK) ")",
	[DB_BEGIN_READ] = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
	[DB_COMMIT] = "COMMIT",
	[DB_ROLLBACK] = "ROLLBACK",
	[DB_SAVEPOINT] = "SAVEPOINT g",
	[DB_RELEASE] = "RELEASE SAVEPOINT g",
	[DB_ROLLBACK_TO] = "ROLLBACK TO SAVEPOINT g",
};

static enum db_rc pg_tx(struct store *st, enum db_tx what)
{
	struct pg_conn *c = conn_get(st);
	const char *state;
	enum db_rc rc = DB_DONE;
	PGresult *r;
	char m[256];

	if (c == NULL)
		return DB_ERROR;
	r = PQexec(c->pg, tx_sql[what]);
	state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
		/* Busy: the writers' lock not had within lock_timeout (or
		 * statement_timeout), a serialization failure, a deadlock. */
		rc = state != NULL && (strcmp(state, "55P03") == 0 || strcmp(state, "57014") == 0 ||
				       strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
			     ? DB_CONFLICT
			     : DB_ERROR;
		pg_msg(m, sizeof(m), PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY));
	} else if (what == DB_COMMIT && strcmp(PQcmdStatus(r), "ROLLBACK") == 0) {
		rc = DB_ERROR; /* a statement in it had failed: nothing was kept */
		snprintf(m, sizeof(m), "rolled back: a statement in the transaction had failed");
	}
	PQclear(r);
	if (rc == DB_DONE)
		return rc;
	if (rc == DB_ERROR)
		log_warnx("store: %s: %s", tx_sql[what], m);
	/* A BEGIN that could not have the lock leaves no transaction open. */
	if (what == DB_BEGIN_WRITE && PQtransactionStatus(c->pg) != PQTRANS_IDLE)
		PQclear(PQexec(c->pg, "ROLLBACK"));
	return rc;
}

static int pg_in_tx(struct store *st)
{
	struct pg_conn *c = conn_get(st);

	return c != NULL && PQtransactionStatus(c->pg) != PQTRANS_IDLE;
}

static int pg_exec(struct store *st, const char *sql, char *err, size_t errlen)
{
	struct pg_conn *c = conn_get(st);
	PGresult *r;
	int rc = 0;

	if (c == NULL) {
		snprintf(err, errlen, "no database connection");
		return -1;
	}
	r = PQexec(c->pg, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
		pg_msg(err, errlen, PQresultErrorMessage(r));
		rc = -1;
	}
	PQclear(r);
	return rc;
}

const struct db_driver db_pg = {
	.name = "postgresql",
	.open = pg_open,
	.close = pg_close,
	.conn = pg_conn_of,
	.stmt = pg_stmt_of,
	.bind = pg_bind,
	.step = pg_step,
	.reset = pg_reset,
	.changes = pg_changes,
	.readonly = pg_readonly,
	.col_int64 = pg_col_int64,
	.col_text = pg_col_text,
	.col_blob = pg_col_blob,
	.col_null = pg_col_null,
	.warn = pg_warn,
	.tx = pg_tx,
	.in_tx = pg_in_tx,
	.exec = pg_exec,
};
