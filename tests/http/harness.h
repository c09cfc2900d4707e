/*
 * HTTP test harness: starts the real qcra server (getenv("QCRA_BIN"))
 * on a free loopback port with a fresh var directory, and speaks real
 * HTTP to it with libcurl.  Made for cmocka tests but needs no cmocka:
 * every function reports failure by its return value and says why on
 * stderr, so a test does assert_int_equal(server_start(&s, NULL), 0).
 *
 * Ownership: every char * returned is malloc'd and the caller frees it;
 * every struct has a matching _free/_cleanup that accepts a zeroed or
 * already freed struct.
 */
#ifndef QCRA_TEST_HARNESS_H
#define QCRA_TEST_HARNESS_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include <curl/curl.h>

#include "util/buf.h"

struct server {
	pid_t pid;                  /* 0 when not running */
	int port;                   /* loopback port the server listens on */
	char var[PATH_MAX];         /* the server's --var directory (a mkdtemp dir) */
	char base[64];              /* "http://127.0.0.1:PORT", no trailing slash */
	char log[PATH_MAX + 16];    /* VAR/server.log: the server's stderr */
	int exit_status;            /* after server_stop: see there */
	char cafile[PATH_MAX + 16]; /* HTTPS (server_start_tls): the certificate to trust */
	/* The database the server and the CLI open: VAR/qcra.db, or with
	 * QCRA_TEST_STORE_PG set (the `_pg` runs) a fresh PostgreSQL
	 * database made by server_var_init, given as QCRA_DATABASE. */
	char database[512];
	char database_env[560]; /* "QCRA_DATABASE=..." or "" */
};

/*
 * Creates a var directory, picks a free port and runs
 * `$QCRA_BIN serve --listen 127.0.0.1:PORT --var DIR` with stdout and
 * stderr appended to DIR/server.log, then polls GET /healthz until it
 * answers 200 (10 s).  The child's environment is the test's, minus any
 * inherited QCRA_LISTEN/QCRA_VAR/QCRA_WORKERS/QCRA_SMTP_URL, plus
 * QCRA_MAIL_TRANSPORT=maildir and QCRA_BASE_URL=<base>, then extra_env
 * ("KEY=VALUE" strings, NULL-terminated, may be NULL), which wins.
 * Returns 0, or -1 after printing why (with the log tail when the child
 * died) and cleaning up everything it created.
 */
int server_start(struct server *s, const char *const *extra_env);

/* As server_start, with extra_args appended after the standard
 * `serve --listen ... --var ...` (NULL-terminated, may be NULL). */
int server_start_args(struct server *s, const char *const *extra_args,
		      const char *const *extra_env);

/* As server_start, over HTTPS: a self-signed certificate for
 * 127.0.0.1 is made in the var directory (openssl), the server gets
 * tls_cert/tls_key, s->base is https://..., and the health check and
 * clients trust s->cafile. */
int server_start_tls(struct server *s, const char *const *extra_env);

/* Starts a stopped server again on the same var directory and port
 * (extra_env as for server_start).  0 or -1. */
int server_restart(struct server *s, const char *const *extra_env);

/*
 * Sends SIGTERM and waits up to 10 s for the server to exit; after that
 * it sends SIGKILL and fails.  Returns the exit code (0..255) when the
 * server exited, 128 + signal number when a signal killed it, -1 on
 * timeout or when no server was running; also stored in s->exit_status.
 */
int server_stop(struct server *s);

/* Waits up to timeout_ms for the server to exit by itself (after the
 * test signalled it, say); returns as server_stop does, -1 on timeout
 * (the server is then still running). */
int server_wait(struct server *s, int timeout_ms);

/* Kills a still running server (SIGKILL), then removes the var
 * directory recursively unless QCRA_TEST_KEEP is set in the environment
 * (then it says where the directory is).  Safe to call twice. */
void server_cleanup(struct server *s);

/*
 * ThreadSanitizer (the tsan stage of scripts/test) writes its reports
 * on the stderr of the program that raced: the server's log, a CLI
 * run's output, the CA service's log.  When text holds one, this prints
 * it on stderr, says "Bail out!" on the TAP stream and exits 66, so that
 * a race anywhere in the programs a test ran fails that test (and the
 * cases after it, which never run).  what names the source (a log's
 * path).  Called by server_cleanup (which then keeps VAR) and
 * server_run_cli; text may be NULL.
 */
void harness_tsan_check(const char *what, const char *text);

/* harness_tsan_check on the file at path (missing: nothing to check). */
void harness_tsan_check_file(const char *path);

/* Returns the contents of the server log (caller frees; "" when empty). */
char *server_log(const struct server *s);

/* Prints the last lines of the server log to stderr, for diagnostics. */
void server_log_tail(const struct server *s, int lines);

/*
 * Runs `$QCRA_BIN argv...` (argv NULL-terminated, without the program
 * name; the caller adds "--var", s->var where the command wants it)
 * in the server's environment (see server_start, plus extra_env), with
 * stdin from /dev/null and stdout+stderr appended to output (may be
 * NULL).  Gives up after 60 s (SIGKILL).  Returns the exit code,
 * 128 + signal when killed by one, -1 on timeout or failure to run.
 * s needs only its var and base set, so it may be a server that was
 * never started (server_var_init).
 */
int server_run_cli(const struct server *s, const char *const argv[], struct buf *output);
int server_run_cli_env(const struct server *s, const char *const argv[],
		       const char *const *extra_env, struct buf *output);

/* Fills s with a fresh var directory and a free port without starting
 * anything: for CLI tests and servers expected not to start.  0 or -1. */
int server_var_init(struct server *s);

/* One HTTP client with its own cookie jar (in memory). */
struct client {
	CURL *curl;
	char base[64];
	char error[CURL_ERROR_SIZE];
};

struct response {
	long status;        /* 0 when no response was received */
	struct buf headers; /* raw header block of the final response */
	struct buf body;
};

/* 0 or -1.  The client talks to s->base. */
int client_init(struct client *c, const struct server *s);
void client_free(struct client *c);

/*
 * One request to base + path; never follows redirects; 30 s timeout.
 * content_type and body may be NULL (no body); headers is a NULL-
 * terminated list of "Name: value" lines or NULL.  r is reset first
 * (it may hold an earlier response).  Returns 0 when a complete
 * response arrived, -1 otherwise (c->error says why; r->status is still
 * set if a final status line was read, e.g. when the server answered
 * early and closed the connection during the upload; 0 otherwise).
 */
int client_request(struct client *c, const char *method, const char *path, const char *content_type,
		   const void *body, size_t len, const char *const *headers, struct response *r);
int client_get(struct client *c, const char *path, struct response *r);
/* POST with Content-Type application/x-www-form-urlencoded. */
int client_post(struct client *c, const char *path, const char *body, struct response *r);

/* Value of cookie name in the client's jar (caller frees), or NULL. */
char *client_cookie(struct client *c, const char *name);

/* Value of the first header called name (ASCII case-insensitive),
 * without surrounding white space; caller frees.  NULL if absent. */
char *response_header(const struct response *r, const char *name);
/* 1 when some header called name exists, 0 otherwise. */
int response_has_header(const struct response *r, const char *name);
void response_free(struct response *r);

/*
 * Value of the value attribute of the first <input> whose name
 * attribute is name, entity-decoded (&amp; &quot; &#39; &lt; &gt; and
 * numeric references); "" when it has no value attribute.  Attributes
 * in any order, quoted with " or ' or unquoted.  Caller frees; NULL if
 * there is no such input.
 */
char *form_field_value(const char *html, const char *name);

/* Percent-encodes everything but RFC 3986 unreserved characters. */
char *urlenc(const char *s);

/* "k1=v1&k2=v2" from a NULL-terminated list k1, v1, k2, v2, ..., NULL,
 * each part percent-encoded.  Caller frees. */
char *form_encode(const char *const *pairs);
char *form_encodef(const char *key, ...) __attribute__((sentinel));

/* Full paths of VAR/mail/ *.eml sorted by name in version order (2 before
 * 10), NULL-terminated; *n gets the count (n may be NULL).  Never NULL;
 * free with mail_files_free. */
char **mail_files(const struct server *s, size_t *n);
void mail_files_free(char **files);

/* Number of messages whose To: header contains addr. */
size_t mail_count_to(const struct server *s, const char *addr);

/* Contents of the newest (last by name) message whose To: header
 * contains addr (case-insensitive); caller frees; NULL if none. */
char *mail_latest_to(const struct server *s, const char *addr);

/* Mail is sent by a background worker: waits up to timeout_ms until
 * more than `already` messages to addr exist, then returns the newest
 * as mail_latest_to does.  NULL on timeout. */
char *mail_wait_to(const struct server *s, const char *addr, size_t already, int timeout_ms);

/* Finds prefix (e.g. "/register/confirm?token=") in the message body
 * (quoted-printable decoded if so declared) and returns from prefix up
 * to the next white space, quote or '<' ('>'), without any scheme and
 * host.  Caller frees; NULL if absent. */
char *mail_extract_link(const char *eml, const char *prefix);

/*
 * Raw TCP, for what libcurl will not send (partial or malformed
 * requests, slow clients).  raw_connect returns a connected socket to
 * the server or -1; raw_send writes all of str, 0 or -1; raw_recv_all
 * appends what arrives to out until the peer closes (0) or timeout_ms
 * passes (-1).
 */
int raw_connect(const struct server *s);
/* A TCP socket from source address src (e.g. "127.0.0.2") to the
 * server, connecting; non-blocking when nonblock (the connection may
 * still be under way when this returns).  -1 when none could be made. */
int raw_connect_from(const struct server *s, const char *src, int nonblock);
int raw_send(int fd, const char *str);
int raw_recv_all(int fd, struct buf *out, int timeout_ms);

/*
 * Sends req (len bytes: a whole request, which should ask for
 * "Connection: close") on a new connection, then reads until the server
 * closes it or timeout_ms passes, and parses what came back into r.
 * Send errors are ignored: a server may answer early (413) and close
 * while the body is still being sent.  Returns 0 when a status line
 * arrived, -1 otherwise.
 */
int raw_exchange(const struct server *s, const char *req, size_t len, struct response *r,
		 int timeout_ms);

/* Parses a raw HTTP/1.x reply into r (after skipping interim 1xx
 * responses).  Returns 0, or -1 when there is no status line. */
int response_parse(const char *raw, size_t len, struct response *r);

/*
 * Number of lines of an access log that record a request with this
 * method, path (without query) and status, whatever the layout:
 * "GET /healthz 200" and "method=GET path=/healthz status=200" both
 * count.
 */
int log_count_requests(const char *log, const char *method, const char *path, int status);

/* Whole file into a malloc'd NUL-terminated string, or NULL. */
char *file_read(const char *path, size_t *len);

#endif
