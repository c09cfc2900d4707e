#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "ca_stack.h"
#include "harness_extra.h"
#include "app/jobs.h"
#include "journey.h"

/* ---- The CA service ------------------------------------------------------------ */

/* Runs a shell command line; its stdout into out (may be NULL).
 * Returns the exit status. */
int stack_sh(struct buf *out, const char *fmt, ...)
{
	struct buf cmd = BUF_INIT;
	char chunk[4096];
	va_list ap;
	size_t n;
	FILE *p;
	int st;

	va_start(ap, fmt);
	buf_vprintf(&cmd, fmt, ap);
	va_end(ap);
	p = popen(buf_cstr(&cmd), "r");
	buf_free(&cmd);
	if (p == NULL)
		return -1;
	if (out != NULL)
		buf_reset(out);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		if (out != NULL)
			buf_append(out, chunk, n);
	if (out != NULL)
		buf_cstr(out);
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int port_open(int port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

/* `qcra ca serve` on the test's ports; waits until both listen. */
void stack_ca_start(struct stack *f)
{
	const char *bin = getenv("QCRA_BIN");
	char log[PATH_MAX + 16];
	int i;

	snprintf(log, sizeof(log), "%s/ca.log", f->tmp);
	f->ca = fork();
	assert_true(f->ca >= 0);
	if (f->ca == 0) {
		if (freopen(log, "a", stderr) == NULL || freopen(log, "a", stdout) == NULL)
			_exit(126);
		execl(bin, bin, "ca", "serve", "--dir", f->cadir, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 200; i++) {
		if (port_open(f->tls_port) && port_open(f->pub_port))
			return;
		usleep(50 * 1000);
	}
	fail_msg("the CA service did not start (see %s)", log);
}

void stack_ca_stop(struct stack *f)
{
	int st;

	if (f->ca > 0) {
		kill(f->ca, SIGTERM);
		waitpid(f->ca, &st, 0);
		f->ca = 0;
	}
}

/* ---- Setup ------------------------------------------------------------------------ */

/* An operator of office, logged in with TOTP (journey_staff). */
static void staff_login(struct stack *f, struct client *c, const char *username, const char *office)
{
	assert_int_equal(client_init(c, &f->s), 0);
	journey_staff(&f->s, c, username, "operator", office, PW, NULL, 0);
}

int stack_ca_init(struct stack *f, const char *tmp_template)
{
	const char *bin = getenv("QCRA_BIN");

	snprintf(f->tmp, sizeof(f->tmp), "%s", tmp_template);
	if (bin == NULL || mkdtemp(f->tmp) == NULL)
		return -1;
	snprintf(f->cadir, sizeof(f->cadir), "%s/ca", f->tmp);
	f->tls_port = free_tcp_port();
	f->pub_port = free_tcp_port();
	if (stack_sh(NULL,
		     "'%s' ca init --dir '%s' --listen 127.0.0.1:%d --public-listen 127.0.0.1:%d "
		     "--public-url http://127.0.0.1:%d >&2",
		     bin, f->cadir, f->tls_port, f->pub_port, f->pub_port) != 0) {
		stack_sh(NULL, "rm -rf '%s'", f->tmp);
		return -1;
	}
	return 0;
}

int stack_setup(void **state)
{
	struct stack *f = calloc(1, sizeof(*f));
	const char *bin = getenv("QCRA_BIN");
	char url[64], cert[PATH_MAX + 32], key[PATH_MAX + 32], cacert[PATH_MAX + 32];
	const char *env[] = {"QCRA_CA_CONNECTOR=service", url, cert, key, cacert,
			     "QCRA_CA_POLL_SECONDS=1",    NULL};

	if (f == NULL || bin == NULL || stack_ca_init(f, "/tmp/qcra-ca-e2e-XXXXXX") != 0) {
		free(f);
		return -1;
	}
	snprintf(url, sizeof(url), "QCRA_CA_URL=https://127.0.0.1:%d", f->tls_port);
	snprintf(cert, sizeof(cert), "QCRA_CA_CERT=%s/ra/ra.pem", f->cadir);
	snprintf(key, sizeof(key), "QCRA_CA_KEY=%s/ra/ra.key", f->cadir);
	snprintf(cacert, sizeof(cacert), "QCRA_CA_CACERT=%s/ra/ca.pem", f->cadir);
	if (journey_server(&f->s, env) != 0 || client_init(&f->member, &f->s) != 0)
		goto fail;
	*state = f;
	journey_member(&f->s, &f->member, &demo_zarko, "zdjuras", PW);
	staff_login(f, &f->ns, "ns1", "NS");
	return 0;
fail:
	server_cleanup(&f->s);
	stack_sh(NULL, "rm -rf '%s'", f->tmp);
	free(f);
	return -1;
}

int stack_teardown(void **state)
{
	struct stack *f = *state;
	char calog[sizeof(f->tmp) + 8];

	stack_ca_stop(f);
	snprintf(calog, sizeof(calog), "%s/ca.log", f->tmp);
	harness_tsan_check_file(calog);
	response_free(&f->r);
	buf_free(&f->out);
	client_free(&f->member);
	client_free(&f->ns);
	server_cleanup(&f->s);
	if (getenv("QCRA_TEST_KEEP") == NULL)
		stack_sh(NULL, "rm -rf '%s'", f->tmp);
	else
		fprintf(stderr, "kept the CA in %s\n", f->tmp);
	free(f);
	return 0;
}

/* ---- Requests ---------------------------------------------------------------------- */

long stack_get(struct stack *f, struct client *c, const char *fmt, ...)
{
	va_list ap;
	long status;

	va_start(ap, fmt);
	status = journey_vgetf(c, &f->r, fmt, ap);
	va_end(ap);
	return status;
}

/* POSTs the name, value pairs with the CSRF token of c's session. */
long stack_post(struct stack *f, struct client *c, const char *action, ...)
{
	va_list ap;
	long status;

	va_start(ap, action);
	status = journey_vpost(c, action, &f->r, ap);
	va_end(ap);
	return status;
}

const char *stack_path(long long id, const char *what)
{
	static char path[96];

	snprintf(path, sizeof(path), "/ra/orders/%lld/%s", id, what);
	return path;
}

void stack_body_has(struct stack *f, const char *text)
{
	if (strstr(BODY(f), text) == NULL)
		fprintf(stderr, "page lacks \"%s\":\n%s\n", text, BODY(f));
	assert_non_null(strstr(BODY(f), text));
}

/* ---- The portal's database ------------------------------------------------------- */

/* The single integer a query gives on the database at path (-1: no row). */
static long long db_int(const char *path, const char *sql, long long arg)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	long long v = -1;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_int64(s, 1, arg);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

long long stack_int(struct stack *f, const char *sql, long long arg)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/qcra.db", f->s.var);
	return db_int(path, sql, arg);
}

struct store *stack_db(struct stack *f)
{
	return journey_db(&f->s);
}

const char *stack_state(struct stack *f, long long id)
{
	static char state[32];
	struct store *st = stack_db(f);
	struct order o;

	assert_int_equal(store_order_get(st, id, &o), STORE_OK);
	store_close(st);
	snprintf(state, sizeof(state), "%s", wf_state_name(o.state));
	return state;
}

/* Waits until order id is in state want (WAIT_SECS). */
void stack_wait_state(struct stack *f, long long id, const char *want)
{
	int i;

	for (i = 0; i < WAIT_SECS * 5; i++) {
		if (strcmp(stack_state(f, id), want) == 0)
			return;
		usleep(200 * 1000);
	}
	server_log_tail(&f->s, 40);
	fail_msg("order %lld is %s, not %s", id, stack_state(f, id), want);
}

void stack_pay(struct stack *f, long long id)
{
	struct store *st = stack_db(f);
	struct order o;

	assert_int_equal(store_order_get(st, id, &o), STORE_OK);
	assert_int_equal(store_begin(st), STORE_OK);
	assert_int_equal(jobs_order_apply(st, &o, WF_EV_PAYMENT, WF_SYSTEM, "test:payments",
					  "payment recorded (test stand-in)", time(NULL)),
			 STORE_OK);
	assert_int_equal(store_commit(st), STORE_OK);
	store_close(st);
}

/* ---- The order ------------------------------------------------------------------------- */

/* Žarko's confirmed natural-person order at NS, brought to "verified". */
long long stack_order_verified(struct stack *f)
{
	long long id = journey_order(&f->member, &f->r, "NS", NULL, NULL);

	assert_int_equal(stack_post(f, &f->ns, stack_path(id, "documents"), "doc_request", "1",
				    "doc_contract", "1", "doc_0", "1", NULL),
			 303);
	stack_pay(f, id);
	assert_int_equal(
		stack_post(f, &f->ns, stack_path(id, "verify"), "identity_checked", "1", NULL),
		303);
	assert_string_equal(stack_state(f, id), "verified");
	return id;
}

/* The shipment holding order id, from the office's shipments page. */
char *stack_shipment_of(struct stack *f, long long id)
{
	char link[64];
	const char *at, *form;

	assert_int_equal(stack_get(f, &f->ns, "/ra/shipments"), 200);
	snprintf(link, sizeof(link), "/ra/orders/%lld\"", id);
	at = strstr(BODY(f), link);
	if (at == NULL)
		fprintf(stderr, "no shipment holds order %lld:\n%s\n", id, BODY(f));
	assert_non_null(at);
	form = strstr(at, "name=\"shipment\"");
	assert_non_null(form);
	/* The hidden input of the shipment that lists the order. */
	while (form > BODY(f) && strncmp(form, "<input", 6) != 0)
		form--;
	return form_field_value(form, "shipment");
}
