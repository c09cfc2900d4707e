/*
 * PostgreSQL backend of store/db.h, through libpq.
 *
 * Connections: db_pg_pool.c.
 *
 * Statements: prepared once per connection (PQprepare, named "qN"),
 * cached by the address of their SQL text as the SQLite backend does.
 * Parameters go as text (integers formatted into the statement's own
 * buffers, text not copied) or binary (bytea), results come back as
 * text, whole, on the first step.
 *
 * Write transactions take turns across every process and instance:
 * BEGIN then pg_advisory_xact_lock(WRITER_LOCK), held to the end of the
 * transaction, as SQLite's one writer does; so the compare-and-set
 * transitions and payment matching stay exact.  Commit groups
 * (GROUP_THREADS of them per process) and the outbox's claims take it
 * shared (DB_BEGIN_SHARED): they run at once with each other, being
 * exact without it (store.h, store_group_threads; row locks), and never
 * beside another writer.
 * The audit chain's tip has a lock of its own (AUDIT_LOCK), taken by a
 * write transaction right before its commit, when it appends the audit
 * entries it kept (store_audit_flush): a group holds it from there to
 * its commit only, waiting for nothing else meanwhile.
 * Read transactions are REPEATABLE READ READ ONLY: one snapshot.
 *
 * Unlike SQLite, a failed statement inside a transaction aborts it: what
 * follows fails until ROLLBACK (or ROLLBACK TO a savepoint), and COMMIT
 * then reports DB_ERROR.  Except an INSERT without ON CONFLICT into a
 * table with a key it may violate (guard_needed), which runs in a
 * savepoint of its own there (exec_stmt): its DB_CONFLICT leaves the
 * transaction as it was.
 */
#include "store/db_pg_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sodium.h>
#include <string.h>
#include <strings.h>

#include "util/log.h"

/* The built-in types' oids (catalog/pg_type_d.h, not installed with
 * libpq-dev). */
enum {
	OID_BYTEA = 17,
	OID_INT8 = 20,
	OID_INT2 = 21,
	OID_INT4 = 23,
	OID_TEXT = 25,
	OID_OID = 26,
	OID_FLOAT4 = 700,
	OID_FLOAT8 = 701,
	OID_NUMERIC = 1700,
};

/* The advisory lock of write transactions: "qcra" (0x71637261). */
#define WRITER_LOCK 1902342753
/* The audit chain's tip ("qcrb"). */
#define AUDIT_LOCK 1902342754
/* Commit groups run at once per process (db.h, group_threads). */
#define GROUP_THREADS 4
#define STR_(x) #x
#define STR(x) STR_(x)

static struct db_conn *pg_conn_of(struct store *st)
{
	struct pg_conn *c = pg_conn_get(st);

	return c != NULL ? &c->neutral : NULL;
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

void pg_stmt_free(struct pg_stmt *s)
{
	if (s == NULL)
		return;
	PQclear(s->res);
	free(s->values);
	free(s->lengths);
	free(s->formats);
	free(s->ints);
	free(s->types);
	free(s->blob);
	free(s);
}

/* The parameter arrays grown to hold n; 0, or -1 (logged). */
static int params_grow(struct pg_stmt *s, int n)
{
	char(*ints)[24];
	int cap = s->cap, i;

	if (n <= cap)
		return 0;
	s->values = realloc(s->values, (size_t)n * sizeof(*s->values));
	s->lengths = realloc(s->lengths, (size_t)n * sizeof(*s->lengths));
	s->formats = realloc(s->formats, (size_t)n * sizeof(*s->formats));
	s->types = realloc(s->types, (size_t)n * sizeof(*s->types));
	/* The integers bound already move with their buffer (values[]
	 * point into it): the statement's first run grows it past what
	 * its binding held when it has more parameters than were bound. */
	ints = malloc((size_t)n * sizeof(*ints));
	if (!s->values || !s->lengths || !s->formats || !ints || !s->types) {
		free(ints);
		log_warnx("store: prepare: out of memory");
		return -1;
	}
	for (i = 0; i < cap; i++) {
		memcpy(ints[i], s->ints[i], sizeof(ints[i]));
		if (s->values[i] >= s->ints[i] && s->values[i] < s->ints[i] + sizeof(ints[i]))
			s->values[i] = ints[i] + (s->values[i] - s->ints[i]);
	}
	free(s->ints);
	s->ints = ints;
	for (i = cap; i < n; i++) {
		s->values[i] = NULL;
		s->lengths[i] = 0;
		s->formats[i] = 0;
		s->types[i] = 0;
	}
	s->cap = n;
	return 0;
}

/*
 * Whether s, an INSERT without ON CONFLICT, needs exec_stmt's savepoint:
 * 1 when its table has a unique key that a row it inserts may violate,
 * a unique index not on the table's identity column alone (that one's
 * values come from its sequence; given explicitly, by the audit chain
 * under its lock or by store copy into an empty table, they do not
 * collide either).  Asked of the server once per statement and
 * connection; 1 when it cannot tell (a table it cannot name, a failed
 * query: inside an aborted transaction the statement fails anyway).
 * Without the savepoint, 2 statements fewer and one subtransaction less
 * per row: e.g. an order's events, its mail, its audit entries.
 */
static int guard_needed(struct pg_stmt *s)
{
	static const char sql[] =
		"SELECT to_regclass($1) IS NULL OR EXISTS (SELECT 1 FROM pg_index i WHERE "
		"i.indrelid = to_regclass($1) AND i.indisunique AND NOT (i.indnkeyatts = 1 AND "
		"EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = i.indrelid AND "
		"a.attnum = i.indkey[0] AND a.attidentity <> '')))";
	const char *p = s->sql + 6, *v[1];
	char table[64];
	size_t n = 0;
	PGresult *r;
	int need = 1;

	while (*p == ' ')
		p++;
	if (strncasecmp(p, "INTO ", 5) != 0)
		return 1;
	for (p += 5; *p == ' '; p++)
		;
	while (n + 1 < sizeof(table) &&
	       ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
		table[n++] = *p++;
	table[n] = '\0';
	if (n == 0 || (*p != ' ' && *p != '('))
		return 1;
	v[0] = table;
	r = PQexecParams(s->c->pg, sql, 1, NULL, v, NULL, NULL, 0);
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		need = strcmp(PQgetvalue(r, 0, 0), "f") != 0;
	PQclear(r);
	return need;
}

/*
 * Prepares s on its connection's session, on its first run (after its
 * first binding): each parameter typed as it was bound then (an integer
 * int8, text text, a blob bytea; NULL or unbound left to the server),
 * so that a parameter whose type PostgreSQL cannot infer from the SQL
 * alone (COALESCE($4, ''), $6 in note || $6, $1 = '' OR ...) has one.
 * 0, or -1 (logged).
 */
static int stmt_prepare(struct pg_stmt *s)
{
	PGresult *r = PQprepare(s->c->pg, s->name, s->sql, s->nbound, s->types);
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
	if (params_grow(s, n) != 0)
		return -1;
	if (s->guard)
		s->guard = guard_needed(s);
	s->nparams = n;
	s->prepared = 1;
	return 0;
fail:
	pg_msg(m, sizeof(m), PQresultErrorMessage(r));
	log_warnx("store: prepare \"%.60s\": %s", s->sql, m);
	snprintf(s->err, sizeof(s->err), "prepare: %.200s", m);
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
	s->nbound = 0;
	for (i = 0; i < s->cap; i++) {
		s->values[i] = NULL;
		s->formats[i] = 0;
	}
}

static struct db_stmt *pg_stmt_of(struct store *st, const char *sql)
{
	struct pg_conn *c = pg_conn_get(st);
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
		s->guard = strncasecmp(sql, "INSERT", 6) == 0 &&
			   strcasestr(sql, "ON CONFLICT") == NULL;
		snprintf(s->name, sizeof(s->name), "q%u", c->nstmt++);
		c->cache[h].sql = sql;
		c->cache[h].s = s;
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

	for (i = 0; args[i].kind != SQ_ARG_END_; i++)
		;
	if (params_grow(s, i) != 0) {
		s->bad_param = 1;
		s->bad_why = "out of memory";
		return;
	}
	s->nbound = i;
	for (i = 0; args[i].kind != SQ_ARG_END_; i++) {
		if (s->prepared && i >= s->nparams) {
			s->bad_param = i + 1;
			s->bad_why = "no such parameter";
			return;
		}
		if (!s->prepared) /* its first binding types the parameters */
			s->types[i] = args[i].kind == SQ_ARG_INT    ? OID_INT8
				      : args[i].kind == SQ_ARG_TEXT ? OID_TEXT
				      : args[i].kind == SQ_ARG_BLOB ? OID_BYTEA
								    : 0;
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

/*
 * Runs s.  An INSERT that may fail on a unique key (one without ON
 * CONFLICT) inside a transaction runs in a savepoint of its own, so
 * that its DB_CONFLICT leaves the transaction alive as in SQLite (the
 * caller reads the row that won, or goes on): SAVEPOINT, the INSERT and
 * RELEASE in one round trip (a pipeline), and ROLLBACK TO the savepoint
 * when it failed.  Any other statement that fails inside a transaction
 * aborts it.
 */
static PGresult *exec_stmt(struct pg_stmt *s)
{
	PGconn *pg = s->c->pg;
	PGresult *r, *res = NULL;
	int i;

	if (!s->guard || PQtransactionStatus(pg) != PQTRANS_INTRANS || !PQenterPipelineMode(pg))
		return PQexecPrepared(pg, s->name, s->nparams, s->values, s->lengths, s->formats,
				      0);
	if (!PQsendQueryParams(pg, "SAVEPOINT qcra_stmt", 0, NULL, NULL, NULL, NULL, 0) ||
	    !PQsendQueryPrepared(pg, s->name, s->nparams, s->values, s->lengths, s->formats, 0) ||
	    !PQsendQueryParams(pg, "RELEASE SAVEPOINT qcra_stmt", 0, NULL, NULL, NULL, NULL, 0) ||
	    !PQpipelineSync(pg)) {
		PQexitPipelineMode(pg);
		return NULL; /* the connection's error */
	}
	for (i = 0; i < 3; i++)
		while ((r = PQgetResult(pg)) != NULL) {
			if (i == 1 && res == NULL)
				res = r;
			else
				PQclear(r);
		}
	PQclear(PQgetResult(pg)); /* PGRES_PIPELINE_SYNC */
	PQexitPipelineMode(pg);
	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK &&
	    PQtransactionStatus(pg) == PQTRANS_INERROR)
		PQclear(PQexec(pg, "ROLLBACK TO SAVEPOINT qcra_stmt; RELEASE SAVEPOINT qcra_stmt"));
	return res;
}

static enum db_rc pg_step(struct db_stmt *base)
{
	struct pg_stmt *s = (struct pg_stmt *)base;
	PGresult *r;
	int conflict;

	if (s->bad_param != 0)
		return DB_ERROR;
	if (s->res == NULL && !s->prepared) {
		if (stmt_prepare(s) != 0)
			return DB_ERROR;
		if (s->nbound > s->nparams) {
			s->bad_param = s->nparams + 1;
			s->bad_why = "no such parameter";
			return DB_ERROR;
		}
	}
	if (s->res == NULL) {
		r = exec_stmt(s);
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

/* bytea's text form ("\x" and hex) decoded into the statement's buffer;
 * any other column's text as it is. */
static const void *pg_col_blob(struct db_stmt *base, int i, size_t *n)
{
	struct pg_stmt *s = (struct pg_stmt *)base;
	int len = 0;
	const char *v = cell(s, i, &len);
	size_t need;

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
	if (sodium_hex2bin(s->blob, s->blob_cap, v + 2, (size_t)len - 2, NULL, n, NULL) != 0 ||
	    *n != need) {
		log_warnx("store: column %d: not bytea", i);
		*n = 0;
		return NULL;
	}
	return s->blob;
}

static int pg_col_null(struct db_stmt *base, int i)
{
	return cell((struct pg_stmt *)base, i, NULL) == NULL;
}

static int pg_col_type(struct db_stmt *base, int i)
{
	struct pg_stmt *s = (struct pg_stmt *)base;

	if (cell(s, i, NULL) == NULL)
		return DB_T_NULL;
	switch (PQftype(s->res, i)) {
	case OID_INT8:
	case OID_INT2:
	case OID_INT4:
	case OID_OID:
		return DB_T_INT;
	case OID_FLOAT4:
	case OID_FLOAT8:
	case OID_NUMERIC:
		return DB_T_FLOAT;
	case OID_BYTEA:
		return DB_T_BLOB;
	default:
		return DB_T_TEXT;
	}
}

/* Column i's length: the text's, or the decoded bytea's. */
static int pg_col_count(struct db_stmt *base)
{
	struct pg_stmt *s = (struct pg_stmt *)base;

	return s->res != NULL ? PQnfields(s->res) : 0;
}

static const char *pg_col_name(struct db_stmt *base, int i)
{
	struct pg_stmt *s = (struct pg_stmt *)base;

	return s->res != NULL && i >= 0 && i < PQnfields(s->res) ? PQfname(s->res, i) : NULL;
}

static size_t pg_col_bytes(struct db_stmt *base, int i)
{
	struct pg_stmt *s = (struct pg_stmt *)base;
	int len = 0;
	const char *v = cell(s, i, &len);

	if (v == NULL)
		return 0;
	if (PQftype(s->res, i) == OID_BYTEA && len >= 2 && v[0] == '\\' && v[1] == 'x')
		return (size_t)(len - 2) / 2;
	return (size_t)len;
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
	[DB_BEGIN_SHARED] = "BEGIN; SELECT pg_advisory_xact_lock_shared(" STR(WRITER_LOCK) ")",
};

static enum db_rc pg_tx(struct store *st, enum db_tx what)
{
	struct pg_conn *c = pg_conn_get(st);
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
		pg_msg(m, sizeof(m),
		       state != NULL ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY)
				     : PQerrorMessage(c->pg));
	} else if (what == DB_COMMIT && strcmp(PQcmdStatus(r), "ROLLBACK") == 0) {
		rc = DB_ERROR; /* a statement in it had failed: nothing was kept */
		snprintf(m, sizeof(m), "rolled back: a statement in the transaction had failed");
	}
	PQclear(r);
	if (what == DB_BEGIN_WRITE || what == DB_BEGIN_READ || what == DB_BEGIN_SHARED)
		c->tx_open = rc == DB_DONE;
	else if (what == DB_COMMIT || what == DB_ROLLBACK)
		c->tx_open = 0;
	if (rc == DB_DONE)
		return rc;
	if (rc == DB_ERROR)
		log_warnx("store: %s: %s", tx_sql[what], m);
	/* A BEGIN that could not have the lock leaves no transaction open. */
	if ((what == DB_BEGIN_WRITE || what == DB_BEGIN_SHARED) &&
	    PQtransactionStatus(c->pg) != PQTRANS_IDLE)
		PQclear(PQexec(c->pg, "ROLLBACK"));
	return rc;
}

static int pg_in_tx(struct store *st)
{
	struct pg_conn *c = pg_conn_get(st);

	return c != NULL && (c->tx_open || PQtransactionStatus(c->pg) != PQTRANS_IDLE);
}

static int pg_exec(struct store *st, const char *sql, char *err, size_t errlen)
{
	struct pg_conn *c = pg_conn_get(st);
	PGresult *r;
	int rc = 0;

	if (c == NULL) {
		snprintf(err, errlen, "no database connection");
		return -1;
	}
	/* A migration may take longer than a statement is allowed to. */
	PQclear(PQexec(c->pg, "SET statement_timeout = 0"));
	r = PQexec(c->pg, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
		pg_msg(err, errlen, PQresultErrorMessage(r));
		rc = -1;
	}
	PQclear(r);
	PQclear(PQexec(c->pg, "SET statement_timeout = '" PG_STATEMENT_TIMEOUT "'"));
	return rc;
}

const struct db_driver db_pg = {
	.name = "postgresql",
	.row_locks = 1,
	.group_threads = GROUP_THREADS,
	.audit_lock_sql = "SELECT pg_advisory_xact_lock(" STR(AUDIT_LOCK) ")",
	.wake_sql = pg_wake_sql,
	.listen = pg_listen,
	.listen_wait = pg_listen_wait,
	.listen_close = pg_listen_close,
	.open = pg_pool_open,
	.close = pg_pool_close,
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
	.col_type = pg_col_type,
	.col_bytes = pg_col_bytes,
	.col_count = pg_col_count,
	.col_name = pg_col_name,
	.warn = pg_warn,
	.tx = pg_tx,
	.in_tx = pg_in_tx,
	.exec = pg_exec,
	.size_sql = "SELECT pg_database_size(current_database())",
	.tables_sql = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()",
	/* Each identity column's sequence: its next value one past the
	 * column's largest (1 on an empty table). */
	.ids_sql = "DO $$DECLARE r record; m bigint; BEGIN "
		   "FOR r IN SELECT c.relname AS t, a.attname AS col FROM pg_attribute a "
		   "JOIN pg_class c ON c.oid = a.attrelid "
		   "JOIN pg_namespace n ON n.oid = c.relnamespace "
		   "WHERE n.nspname = current_schema() AND c.relkind = 'r' "
		   "AND a.attidentity <> '' AND NOT a.attisdropped LOOP "
		   "EXECUTE format('SELECT COALESCE(MAX(%I), 0) FROM %I', r.col, r.t) INTO m; "
		   "PERFORM setval(pg_get_serial_sequence(quote_ident(r.t), r.col), "
		   "GREATEST(m, 1), m > 0); "
		   "END LOOP; END$$",
};
