/*
 * HTTP test harness, processes: the server under test and CLI runs;
 * see harness.h.  Diagnostics go to stderr only: stdout carries the TAP
 * stream of the test program.
 */
#include "harness.h"
#include "store_db.h" /* tests/unit/app: the database of a _pg run */
#include "harness_private.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define START_TIMEOUT_MS 10000
#define STOP_TIMEOUT_MS 10000
#define CLI_TIMEOUT_MS 60000
#define START_ATTEMPTS 3

/* Variables a developer's shell might export that would change what
 * the server under test does; the harness sets its own. */
static const char *const scrubbed_env[] = {
	"QCRA_LISTEN",
	"QCRA_VAR",
	"QCRA_WORKERS",
	"QCRA_SMTP_URL",
	"QCRA_MAIL_TRANSPORT",
	"QCRA_BASE_URL",
	"QCRA_CA_CONNECTOR",
	"QCRA_DATABASE",
	"QCRA_PASSWORD_HASH_MEMORY_KIB",
	NULL,
};

/* Argon2id at 8 KiB instead of 19 MiB: the servers of the tests hash
 * hundreds of passwords, none of them to measure the cost (test_timing
 * sets the real one).  Only with the TEST CA, as config_check allows. */
static const char cheap_hash[] = "QCRA_PASSWORD_HASH_MEMORY_KIB=8";

void harness_curl_init(void)
{
	static int done;

	if (!done) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			fprintf(stderr, "harness: curl_global_init failed\n");
			abort();
		}
		done = 1;
	}
}

long long harness_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void harness_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

char *harness_strdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		abort();
	return p;
}

char *harness_strndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (p == NULL)
		abort();
	return p;
}

void *harness_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (p == NULL)
		abort();
	return p;
}

char *file_read(const char *path, size_t *len)
{
	struct buf b = BUF_INIT;
	char chunk[8192];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	if (ferror(f)) {
		fclose(f);
		buf_free(&b);
		return NULL;
	}
	fclose(f);
	if (len)
		*len = b.len;
	return buf_detach(&b);
}

/* ---- processes ---- */

/* Length of the KEY part of "KEY=VALUE" (whole string if no '='). */
static size_t env_keylen(const char *kv)
{
	const char *eq = strchr(kv, '=');

	return eq ? (size_t)(eq - kv) : strlen(kv);
}

static int env_has_key(const char *const *list, const char *kv)
{
	size_t n = env_keylen(kv);

	for (; list && *list; list++)
		if (env_keylen(*list) == n && strncmp(*list, kv, n) == 0)
			return 1;
	return 0;
}

/*
 * The child's environment: ours without the scrubbed keys and without
 * keys extra_env sets, then the harness defaults extra_env does not
 * override, then extra_env.  The array is malloc'd; its strings are
 * borrowed except defaults[], which the caller owns.
 */
static char **env_build(const struct server *s, const char *const *extra_env, char *defaults[3])
{
	size_t n = 0, i = 0;
	char **env;
	char **e;

	for (e = environ; *e; e++)
		n++;
	for (const char *const *x = extra_env; x && *x; x++)
		n++;
	env = harness_calloc(n + 6, sizeof(*env));
	for (e = environ; *e; e++)
		if (!env_has_key(scrubbed_env, *e) && !env_has_key(extra_env, *e))
			env[i++] = *e;
	/* The test CA is chosen explicitly (it is never a default). */
	if (asprintf(&defaults[0], "QCRA_MAIL_TRANSPORT=maildir") < 0 ||
	    asprintf(&defaults[1], "QCRA_BASE_URL=%s", s->base) < 0 ||
	    asprintf(&defaults[2], "QCRA_CA_CONNECTOR=testca") < 0)
		abort();
	for (int k = 0; k < 3; k++)
		if (!env_has_key(extra_env, defaults[k]))
			env[i++] = defaults[k];
	if (!env_has_key(extra_env, defaults[2]) && !env_has_key(extra_env, cheap_hash))
		env[i++] = (char *)cheap_hash;
	if (s->database_env[0] != '\0' && !env_has_key(extra_env, s->database_env))
		env[i++] = (char *)s->database_env;
	for (const char *const *x = extra_env; x && *x; x++)
		env[i++] = (char *)*x;
	env[i] = NULL;
	return env;
}

/* argv for execve: QCRA_BIN, then args, then more (either may be NULL). */
static char **argv_build(const char *bin, const char *const *args, const char *const *more)
{
	size_t n = 0, i = 0;
	char **argv;

	for (const char *const *a = args; a && *a; a++)
		n++;
	for (const char *const *a = more; a && *a; a++)
		n++;
	argv = harness_calloc(n + 2, sizeof(*argv));
	argv[i++] = (char *)bin;
	for (const char *const *a = args; a && *a; a++)
		argv[i++] = (char *)*a;
	for (const char *const *a = more; a && *a; a++)
		argv[i++] = (char *)*a;
	argv[i] = NULL;
	return argv;
}

static const char *qcra_bin(void)
{
	const char *bin = getenv("QCRA_BIN");

	if (bin == NULL || *bin == '\0') {
		fprintf(stderr, "harness: QCRA_BIN is not set (run through meson test)\n");
		return NULL;
	}
	return bin;
}

/*
 * Forks and executes argv with env, stdin from /dev/null and stdout and
 * stderr on outfd.  The child dies with us (PR_SET_PDEATHSIG) so a
 * crashed test leaves no server behind.  Returns the pid or -1.
 */
static pid_t spawn(char **argv, char **env, int outfd)
{
	sigset_t all;
	pid_t parent = getpid();
	pid_t pid;
	int devnull;

	fflush(NULL);
	if ((pid = fork()) == -1) {
		fprintf(stderr, "harness: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid > 0)
		return pid;

	/* Child: only async-signal-safe calls from here. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	devnull = open("/dev/null", O_RDONLY);
	if (devnull == -1 || dup2(devnull, 0) == -1 || dup2(outfd, 1) == -1 || dup2(outfd, 2) == -1)
		_exit(127);
	if (close_range(3, ~0U, 0) == -1)
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
	execve(argv[0], argv, env);
	dprintf(2, "harness: exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Exit code, 128 + signal, or -1 when status is neither. */
static int status_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

/* Waits up to timeout_ms for pid.  Returns 1 and *status when it has
 * exited, 0 on timeout, -1 on error. */
static int wait_for(pid_t pid, int timeout_ms, int *status)
{
	long long deadline = harness_now_ms() + timeout_ms;
	pid_t r;

	for (;;) {
		r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return 1;
		if (r == -1 && errno != EINTR) {
			fprintf(stderr, "harness: waitpid %d: %s\n", (int)pid, strerror(errno));
			return -1;
		}
		if (harness_now_ms() >= deadline)
			return 0;
		harness_sleep_ms(10);
	}
}

/* A port on 127.0.0.1 nobody listens on right now, or -1.  Another
 * process may take it before the server binds it; server_start retries. */
static int free_port(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd, port = -1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = 0;
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &len) == 0)
		port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

static int server_pick_port(struct server *s)
{
	if ((s->port = free_port()) == -1) {
		fprintf(stderr, "harness: no free port: %s\n", strerror(errno));
		return -1;
	}
	snprintf(s->base, sizeof(s->base), "%s://127.0.0.1:%d", s->cafile[0] ? "https" : "http",
		 s->port);
	return 0;
}

int server_var_init(struct server *s)
{
	memset(s, 0, sizeof(*s));
	s->exit_status = -1;
	snprintf(s->var, sizeof(s->var), "/tmp/qcra-test-XXXXXX");
	if (mkdtemp(s->var) == NULL) {
		fprintf(stderr, "harness: mkdtemp %s: %s\n", s->var, strerror(errno));
		s->var[0] = '\0';
		return -1;
	}
	snprintf(s->log, sizeof(s->log), "%s/server.log", s->var);
	store_fx_target(s->database, sizeof(s->database), s->var, "qcra.db");
	if (store_fx_pg())
		snprintf(s->database_env, sizeof(s->database_env), "QCRA_DATABASE=%s", s->database);
	if (server_pick_port(s) == -1) {
		server_cleanup(s);
		return -1;
	}
	return 0;
}

char *server_log(const struct server *s)
{
	char *log = file_read(s->log, NULL);

	return log ? log : harness_strdup("");
}

void server_log_tail(const struct server *s, int lines)
{
	char *log = server_log(s);
	size_t len = strlen(log);
	const char *p = log + len;
	int seen = 0;

	/* Skip a final newline, then walk back `lines` line starts. */
	if (p > log && p[-1] == '\n')
		p--;
	while (p > log) {
		if (p[-1] == '\n' && ++seen == lines)
			break;
		p--;
	}
	fprintf(stderr, "---- %s (last %d lines) ----\n", s->log, lines);
	fprintf(stderr, "%s%s", p, (len && log[len - 1] != '\n') ? "\n" : "");
	fprintf(stderr, "---- end of server log ----\n");
	free(log);
}

/* Bytes of a report shown on stderr at most: the first report whole. */
#define TSAN_SHOWN 32768

void harness_tsan_check(const char *what, const char *text)
{
	static const char rule[] = "==================\n";
	const char *p, *start;
	size_t len;

	if (text == NULL || (p = strstr(text, "ThreadSanitizer")) == NULL)
		return;
	/* From the rule of '=' that opens the report, when there is one. */
	start = p;
	while (start > text && start[-1] != '\n')
		start--;
	if ((size_t)(start - text) >= sizeof(rule) - 1 &&
	    strncmp(start - (sizeof(rule) - 1), rule, sizeof(rule) - 1) == 0)
		start -= sizeof(rule) - 1;
	len = strlen(start);
	fprintf(stderr, "harness: ThreadSanitizer report in %s:\n%.*s%s\n", what,
		(int)(len > TSAN_SHOWN ? TSAN_SHOWN : len), start,
		len > TSAN_SHOWN ? "\n[...]" : "");
	printf("Bail out! ThreadSanitizer report in %s\n", what);
	fflush(NULL);
	exit(66);
}

void harness_tsan_check_file(const char *path)
{
	char *text = file_read(path, NULL);

	harness_tsan_check(path, text);
	free(text);
}

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
	return size * n;
}

/* Status of GET base/healthz: 0 when nothing answered. */
static long healthz_status(CURL *h, const struct server *s)
{
	char url[128];
	long status = 0;

	snprintf(url, sizeof(url), "%s/healthz", s->base);
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 2000L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	if (s->cafile[0])
		curl_easy_setopt(h, CURLOPT_CAINFO, s->cafile);
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	return status;
}

/*
 * One attempt: spawn the server, then poll /healthz until 200.
 * Returns 0 when up, 1 when the child died complaining that the
 * address is in use (worth another port), -1 on other failures.
 */
static int server_try_start(struct server *s, const char *bin, const char *const *extra_args,
			    const char *const *extra_env)
{
	char listen[64];
	const char *args[] = {"serve", "--listen", listen, "--var", s->var, NULL};
	char *defaults[3] = {NULL, NULL, NULL};
	char **argv, **env;
	long long deadline;
	int logfd, status, rc = -1;
	CURL *h;

	snprintf(listen, sizeof(listen), "127.0.0.1:%d", s->port);
	if ((logfd = open(s->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) == -1) {
		fprintf(stderr, "harness: %s: %s\n", s->log, strerror(errno));
		return -1;
	}
	argv = argv_build(bin, args, extra_args);
	env = env_build(s, extra_env, defaults);
	s->pid = spawn(argv, env, logfd);
	close(logfd);
	free(argv);
	free(env);
	free(defaults[0]);
	free(defaults[1]);
	free(defaults[2]);
	if (s->pid == -1) {
		s->pid = 0;
		return -1;
	}

	if ((h = curl_easy_init()) == NULL)
		abort();
	deadline = harness_now_ms() + START_TIMEOUT_MS;
	for (;;) {
		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			char *log = server_log(s);

			s->pid = 0;
			s->exit_status = status_code(status);
			rc = strstr(log, "in use") ? 1 : -1;
			free(log);
			if (rc == -1) {
				fprintf(stderr,
					"harness: qcra serve on port %d exited with status %d "
					"before answering /healthz\n",
					s->port, s->exit_status);
				server_log_tail(s, 30);
			}
			break;
		}
		if (healthz_status(h, s) == 200) {
			rc = 0;
			break;
		}
		if (harness_now_ms() >= deadline) {
			fprintf(stderr,
				"harness: qcra serve on port %d did not answer 200 on "
				"/healthz within %d ms\n",
				s->port, START_TIMEOUT_MS);
			server_log_tail(s, 30);
			kill(s->pid, SIGKILL);
			waitpid(s->pid, &status, 0);
			s->pid = 0;
			break;
		}
		harness_sleep_ms(50);
	}
	curl_easy_cleanup(h);
	return rc;
}

/* Starts the server on the var directory and port s already has,
 * trying other ports while the one picked is taken. */
static int server_start_prepared(struct server *s, const char *bin, const char *const *extra_args,
				 const char *const *extra_env)
{
	int rc = -1;

	for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
		rc = server_try_start(s, bin, extra_args, extra_env);
		if (rc != 1)
			break;
		fprintf(stderr, "harness: port %d was taken, trying another\n", s->port);
		if (server_pick_port(s) == -1)
			break;
		rc = -1;
	}
	if (rc != 0) {
		if (rc == 1)
			fprintf(stderr, "harness: no usable port after %d attempts\n",
				START_ATTEMPTS);
		server_cleanup(s);
		return -1;
	}
	return 0;
}

int server_start_args(struct server *s, const char *const *extra_args, const char *const *extra_env)
{
	const char *bin;

	harness_curl_init();
	if ((bin = qcra_bin()) == NULL || server_var_init(s) == -1)
		return -1;
	return server_start_prepared(s, bin, extra_args, extra_env);
}

int server_start_tls(struct server *s, const char *const *extra_env)
{
	char cmd[3 * PATH_MAX], cert[PATH_MAX + 32], key[PATH_MAX + 32];
	const char *env[16];
	const char *bin;
	size_t n = 0;

	harness_curl_init();
	if ((bin = qcra_bin()) == NULL || server_var_init(s) == -1)
		return -1;
	snprintf(cert, sizeof(cert), "QCRA_TLS_CERT=%s/tls.pem", s->var);
	snprintf(key, sizeof(key), "QCRA_TLS_KEY=%s/tls.key", s->var);
	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 "
		 "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout '%s/tls.key' "
		 "-out '%s/tls.pem' >/dev/null 2>&1",
		 s->var, s->var);
	if (system(cmd) != 0) {
		fprintf(stderr, "harness: openssl could not make a test certificate\n");
		server_cleanup(s);
		return -1;
	}
	snprintf(s->cafile, sizeof(s->cafile), "%s/tls.pem", s->var);
	server_pick_port(s);
	env[n++] = cert;
	env[n++] = key;
	for (size_t i = 0; extra_env != NULL && extra_env[i] != NULL && n + 1 < 16; i++)
		env[n++] = extra_env[i];
	env[n] = NULL;
	return server_start_prepared(s, bin, NULL, env);
}

int server_restart(struct server *s, const char *const *extra_env)
{
	const char *bin;
	int rc;

	if (s->pid > 0 || (bin = qcra_bin()) == NULL)
		return -1;
	rc = server_try_start(s, bin, NULL, extra_env);
	if (rc == 1)
		fprintf(stderr, "harness: port %d was taken meanwhile\n", s->port);
	return rc == 0 ? 0 : -1;
}

int server_start(struct server *s, const char *const *extra_env)
{
	return server_start_args(s, NULL, extra_env);
}

int server_stop(struct server *s)
{
	int status, r;

	if (s->pid <= 0) {
		fprintf(stderr, "harness: server_stop: no server running\n");
		return s->exit_status = -1;
	}
	if (kill(s->pid, SIGTERM) == -1) {
		fprintf(stderr, "harness: kill %d: %s\n", (int)s->pid, strerror(errno));
		return s->exit_status = -1;
	}
	r = wait_for(s->pid, STOP_TIMEOUT_MS, &status);
	if (r == 1) {
		s->pid = 0;
		s->exit_status = status_code(status);
		if (s->exit_status != 0) {
			fprintf(stderr, "harness: server exited with status %d after SIGTERM\n",
				s->exit_status);
			server_log_tail(s, 30);
		}
		return s->exit_status;
	}
	if (r == 0) {
		fprintf(stderr, "harness: server did not exit within %d ms of SIGTERM; killing\n",
			STOP_TIMEOUT_MS);
		server_log_tail(s, 30);
	}
	kill(s->pid, SIGKILL);
	waitpid(s->pid, &status, 0);
	s->pid = 0;
	return s->exit_status = -1;
}

int server_wait(struct server *s, int timeout_ms)
{
	int status, r;

	if (s->pid <= 0)
		return -1;
	if ((r = wait_for(s->pid, timeout_ms, &status)) != 1) {
		if (r == 0)
			fprintf(stderr, "harness: server still running after %d ms\n", timeout_ms);
		return -1;
	}
	s->pid = 0;
	s->exit_status = status_code(status);
	if (s->exit_status != 0) {
		fprintf(stderr, "harness: server exited with status %d\n", s->exit_status);
		server_log_tail(s, 30);
	}
	return s->exit_status;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (remove(path) == -1 && errno != ENOENT)
		fprintf(stderr, "harness: remove %s: %s\n", path, strerror(errno));
	return 0;
}

void server_cleanup(struct server *s)
{
	int status;

	if (s->pid > 0) {
		kill(s->pid, SIGKILL);
		waitpid(s->pid, &status, 0);
		s->pid = 0;
	}
	if (s->var[0] == '\0')
		return;
	/* The server is gone: its log is whole.  A report keeps VAR. */
	harness_tsan_check_file(s->log);
	if (s->database_env[0] != '\0' && !getenv("QCRA_TEST_KEEP"))
		store_fx_drop(s->database);
	if (getenv("QCRA_TEST_KEEP"))
		fprintf(stderr, "harness: keeping %s\n", s->var);
	else
		nftw(s->var, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	s->var[0] = '\0';
}

int harness_drain(int fd, long long deadline, struct buf *out)
{
	char chunk[4096];
	struct pollfd p = {.fd = fd, .events = POLLIN};
	ssize_t n;
	int left;

	for (;;) {
		left = (int)(deadline - harness_now_ms());
		if (left <= 0)
			return -1;
		if (poll(&p, 1, left) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		n = read(fd, chunk, sizeof(chunk));
		if (n == 0)
			return 0;
		if (n == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -1;
		}
		if (out)
			buf_append(out, chunk, (size_t)n);
	}
}

int server_run_cli_env(const struct server *s, const char *const argv[],
		       const char *const *extra_env, struct buf *output)
{
	char *defaults[3] = {NULL, NULL, NULL};
	struct buf own = BUF_INIT;
	struct buf *out = output ? output : &own;
	size_t from = out->len;
	char what[128];
	char **av, **env;
	const char *bin;
	long long deadline;
	int fds[2], status, r, rc = -1;
	pid_t pid;

	if ((bin = qcra_bin()) == NULL)
		return -1;
	if (pipe2(fds, O_CLOEXEC) == -1) {
		fprintf(stderr, "harness: pipe: %s\n", strerror(errno));
		return -1;
	}
	av = argv_build(bin, argv, NULL);
	env = env_build(s, extra_env, defaults);
	pid = spawn(av, env, fds[1]);
	close(fds[1]);
	free(av);
	free(env);
	free(defaults[0]);
	free(defaults[1]);
	free(defaults[2]);
	if (pid == -1) {
		close(fds[0]);
		return -1;
	}
	deadline = harness_now_ms() + CLI_TIMEOUT_MS;
	if (harness_drain(fds[0], deadline, out) == 0) {
		long long left = deadline - harness_now_ms();

		r = wait_for(pid, left > 0 ? (int)left : 0, &status);
		if (r == 1)
			rc = status_code(status);
	}
	close(fds[0]);
	if (rc == -1) {
		fprintf(stderr, "harness: qcra %s did not finish within %d ms; killed\n",
			argv[0] ? argv[0] : "", CLI_TIMEOUT_MS);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	snprintf(what, sizeof(what), "the output of qcra %s", argv[0] ? argv[0] : "");
	harness_tsan_check(what, buf_cstr(out) + from);
	buf_free(&own);
	return rc;
}

int server_run_cli(const struct server *s, const char *const argv[], struct buf *output)
{
	return server_run_cli_env(s, argv, NULL, output);
}
