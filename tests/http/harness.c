/*
 * HTTP test harness; see harness.h.  Diagnostics go to stderr only:
 * stdout carries the TAP stream of the test program.
 */
#include "harness.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
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
    "QCRA_LISTEN",         "QCRA_VAR",      "QCRA_WORKERS", "QCRA_SMTP_URL",
    "QCRA_MAIL_TRANSPORT", "QCRA_BASE_URL", NULL,
};

static void harness_curl_init(void)
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

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		abort();
	return p;
}

static char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (p == NULL)
		abort();
	return p;
}

static void *xcalloc(size_t n, size_t size)
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
static char **env_build(const struct server *s, const char *const *extra_env, char *defaults[2])
{
	size_t n = 0, i = 0;
	char **env;
	char **e;

	for (e = environ; *e; e++)
		n++;
	for (const char *const *x = extra_env; x && *x; x++)
		n++;
	env = xcalloc(n + 3, sizeof(*env));
	for (e = environ; *e; e++)
		if (!env_has_key(scrubbed_env, *e) && !env_has_key(extra_env, *e))
			env[i++] = *e;
	if (asprintf(&defaults[0], "QCRA_MAIL_TRANSPORT=maildir") < 0 ||
	    asprintf(&defaults[1], "QCRA_BASE_URL=%s", s->base) < 0)
		abort();
	for (int k = 0; k < 2; k++)
		if (!env_has_key(extra_env, defaults[k]))
			env[i++] = defaults[k];
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
	argv = xcalloc(n + 2, sizeof(*argv));
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
	long long deadline = now_ms() + timeout_ms;
	pid_t r;

	for (;;) {
		r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return 1;
		if (r == -1 && errno != EINTR) {
			fprintf(stderr, "harness: waitpid %d: %s\n", (int)pid, strerror(errno));
			return -1;
		}
		if (now_ms() >= deadline)
			return 0;
		sleep_ms(10);
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
	snprintf(s->base, sizeof(s->base), "http://127.0.0.1:%d", s->port);
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
	if (server_pick_port(s) == -1) {
		server_cleanup(s);
		return -1;
	}
	return 0;
}

char *server_log(const struct server *s)
{
	char *log = file_read(s->log, NULL);

	return log ? log : xstrdup("");
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
	char *defaults[2] = {NULL, NULL};
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
	if (s->pid == -1) {
		s->pid = 0;
		return -1;
	}

	if ((h = curl_easy_init()) == NULL)
		abort();
	deadline = now_ms() + START_TIMEOUT_MS;
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
		if (now_ms() >= deadline) {
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
		sleep_ms(50);
	}
	curl_easy_cleanup(h);
	return rc;
}

int server_start_args(struct server *s, const char *const *extra_args, const char *const *extra_env)
{
	const char *bin;
	int rc = -1;

	harness_curl_init();
	if ((bin = qcra_bin()) == NULL)
		return -1;
	if (server_var_init(s) == -1)
		return -1;
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
	if (getenv("QCRA_TEST_KEEP"))
		fprintf(stderr, "harness: keeping %s\n", s->var);
	else
		nftw(s->var, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	s->var[0] = '\0';
}

/* Reads fd until EOF or the deadline into out (may be NULL).
 * 0 at EOF, -1 on timeout or error. */
static int drain(int fd, long long deadline, struct buf *out)
{
	char chunk[4096];
	struct pollfd p = {.fd = fd, .events = POLLIN};
	ssize_t n;
	int left;

	for (;;) {
		left = (int)(deadline - now_ms());
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
	char *defaults[2] = {NULL, NULL};
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
	if (pid == -1) {
		close(fds[0]);
		return -1;
	}
	deadline = now_ms() + CLI_TIMEOUT_MS;
	if (drain(fds[0], deadline, output) == 0) {
		long long left = deadline - now_ms();

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
	return rc;
}

int server_run_cli(const struct server *s, const char *const argv[], struct buf *output)
{
	return server_run_cli_env(s, argv, NULL, output);
}

/* ---- raw TCP ---- */

int raw_connect(const struct server *s)
{
	struct sockaddr_in sin;
	int fd;

	struct timeval tv = {10, 0};

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	/* A server that stops reading must not hang the test in send(). */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)s->port);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		fprintf(stderr, "harness: connect %s: %s\n", s->base, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int raw_send(int fd, const char *str)
{
	size_t len = strlen(str);
	ssize_t n;

	while (len > 0) {
		n = send(fd, str, len, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "harness: send: %s\n", strerror(errno));
			return -1;
		}
		str += n;
		len -= (size_t)n;
	}
	return 0;
}

int raw_recv_all(int fd, struct buf *out, int timeout_ms)
{
	buf_cstr(out);
	return drain(fd, now_ms() + timeout_ms, out);
}

int response_parse(const char *raw, size_t len, struct response *r)
{
	const char *p = raw, *end = raw + len, *hdr_end;

	response_free(r);
	buf_cstr(&r->headers);
	buf_cstr(&r->body);
	for (;;) {
		if ((size_t)(end - p) < 12 || strncmp(p, "HTTP/1.", 7) != 0)
			return -1;
		hdr_end = memmem(p, (size_t)(end - p), "\r\n\r\n", 4);
		if (hdr_end == NULL)
			return -1;
		hdr_end += 4;
		if (p[9] != '1')
			break;
		p = hdr_end; /* 100 Continue and friends */
	}
	r->status = strtol(p + 9, NULL, 10);
	buf_append(&r->headers, p, (size_t)(hdr_end - p));
	buf_append(&r->body, hdr_end, (size_t)(end - hdr_end));
	return 0;
}

int raw_exchange(const struct server *s, const char *req, size_t len, struct response *r,
                 int timeout_ms)
{
	struct buf reply = BUF_INIT;
	size_t off = 0;
	ssize_t n;
	int fd, rc;

	response_free(r);
	if ((fd = raw_connect(s)) == -1)
		return -1;
	while (off < len) {
		n = send(fd, req + off, len - off, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* the server may have answered and closed already */
		off += (size_t)n;
	}
	raw_recv_all(fd, &reply, timeout_ms);
	close(fd);
	rc = response_parse(reply.data, reply.len, r);
	if (rc == -1)
		fprintf(stderr, "harness: no HTTP response (sent %zu of %zu bytes, got %zu)\n", off,
		        len, reply.len);
	buf_free(&reply);
	return rc;
}

/* Whether a log token, with any "key=" prefix and quotes removed,
 * equals want. */
static int log_token_is(const char *tok, size_t len, const char *want)
{
	const char *eq = memchr(tok, '=', len);

	if (eq && eq > tok && isalpha((unsigned char)*tok)) {
		len -= (size_t)(eq + 1 - tok);
		tok = eq + 1;
	}
	if (len >= 2 && (*tok == '"' || *tok == '\'') && tok[len - 1] == *tok) {
		tok++;
		len -= 2;
	}
	return len == strlen(want) && strncmp(tok, want, len) == 0;
}

int log_count_requests(const char *log, const char *method, const char *path, int status)
{
	char code[16];
	int count = 0;

	snprintf(code, sizeof(code), "%d", status);
	while (*log) {
		const char *eol = strchr(log, '\n'), *p = log;
		int has_method = 0, has_path = 0, has_status = 0;

		if (eol == NULL)
			eol = log + strlen(log);
		while (p < eol) {
			const char *tok;

			while (p < eol && isspace((unsigned char)*p))
				p++;
			tok = p;
			while (p < eol && !isspace((unsigned char)*p))
				p++;
			if (p == tok)
				continue;
			has_method |= log_token_is(tok, (size_t)(p - tok), method);
			has_path |= log_token_is(tok, (size_t)(p - tok), path);
			has_status |= log_token_is(tok, (size_t)(p - tok), code);
		}
		count += has_method && has_path && has_status;
		log = *eol ? eol + 1 : eol;
	}
	return count;
}

/* ---- client ---- */

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	buf_append(arg, p, size * n);
	return size * n;
}

/* curl passes each header line of each response, interim 1xx ones
 * included; keep only the last response's block. */
static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct buf *h = arg;

	if (size * n >= 5 && memcmp(p, "HTTP/", 5) == 0)
		buf_reset(h);
	buf_append(h, p, size * n);
	return size * n;
}

int client_init(struct client *c, const struct server *s)
{
	harness_curl_init();
	memset(c, 0, sizeof(*c));
	if ((c->curl = curl_easy_init()) == NULL) {
		fprintf(stderr, "harness: curl_easy_init failed\n");
		return -1;
	}
	snprintf(c->base, sizeof(c->base), "%s", s->base);
	/* Switch the cookie engine on with an empty jar. */
	curl_easy_setopt(c->curl, CURLOPT_COOKIEFILE, "");
	curl_easy_setopt(c->curl, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c->curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, c->error);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c->curl, CURLOPT_HEADERFUNCTION, on_header);
	return 0;
}

void client_free(struct client *c)
{
	if (c->curl)
		curl_easy_cleanup(c->curl);
	c->curl = NULL;
}

void response_free(struct response *r)
{
	buf_free(&r->headers);
	buf_free(&r->body);
	r->status = 0;
}

int client_request(struct client *c, const char *method, const char *path, const char *content_type,
                   const void *body, size_t len, const char *const *headers, struct response *r)
{
	struct curl_slist *list = NULL, *tmp;
	struct buf url = BUF_INIT, ct = BUF_INIT;
	CURLcode rc;

	response_free(r);
	buf_cstr(&r->headers);
	buf_cstr(&r->body);
	c->error[0] = '\0';
	buf_printf(&url, "%s%s", c->base, path);

	/* The handle keeps its cookies and connections between requests;
	 * every option that differs between requests is set here. */
	curl_easy_setopt(c->curl, CURLOPT_URL, url.data);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &r->body);
	curl_easy_setopt(c->curl, CURLOPT_HEADERDATA, &r->headers);
	curl_easy_setopt(c->curl, CURLOPT_NOBODY, 0L);
	curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, NULL);
	if (strcmp(method, "HEAD") == 0) {
		curl_easy_setopt(c->curl, CURLOPT_NOBODY, 1L);
	} else if (body != NULL) {
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
		if (strcmp(method, "POST") != 0)
			curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, method);
	} else {
		curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
		if (strcmp(method, "GET") != 0)
			curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, method);
	}
	if (content_type) {
		buf_printf(&ct, "Content-Type: %s", content_type);
		list = curl_slist_append(list, ct.data);
	}
	for (; headers && *headers; headers++) {
		if ((tmp = curl_slist_append(list, *headers)) == NULL)
			abort();
		list = tmp;
	}
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, list);

	rc = curl_easy_perform(c->curl);
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &r->status);
	if (r->status < 200)
		r->status = 0; /* at most an interim 100 Continue */
	if (rc != CURLE_OK && c->error[0] == '\0')
		snprintf(c->error, sizeof(c->error), "%s", curl_easy_strerror(rc));
	if (rc != CURLE_OK)
		fprintf(stderr, "harness: %s %s: %s (status %ld)\n", method, path, c->error,
		        r->status);

	curl_slist_free_all(list);
	buf_free(&url);
	buf_free(&ct);
	return rc == CURLE_OK ? 0 : -1;
}

int client_get(struct client *c, const char *path, struct response *r)
{
	return client_request(c, "GET", path, NULL, NULL, 0, NULL, r);
}

int client_post(struct client *c, const char *path, const char *body, struct response *r)
{
	return client_request(c, "POST", path, "application/x-www-form-urlencoded", body,
	                      strlen(body), NULL, r);
}

char *client_cookie(struct client *c, const char *name)
{
	struct curl_slist *list = NULL, *l;
	char *value = NULL;

	if (curl_easy_getinfo(c->curl, CURLINFO_COOKIELIST, &list) != CURLE_OK)
		return NULL;
	/* Netscape format: domain, tailmatch, path, secure, expires, name, value. */
	for (l = list; l && value == NULL; l = l->next) {
		const char *f = l->data;
		const char *tab;

		for (int i = 0; i < 5 && f; i++)
			f = (tab = strchr(f, '\t')) ? tab + 1 : NULL;
		if (f == NULL || (tab = strchr(f, '\t')) == NULL)
			continue;
		if ((size_t)(tab - f) == strlen(name) && strncmp(f, name, (size_t)(tab - f)) == 0)
			value = xstrdup(tab + 1);
	}
	curl_slist_free_all(list);
	return value;
}

/*
 * Value of the first field called name in a header block (HTTP or RFC
 * 5322; lines without a colon such as a status line are skipped, a
 * blank line ends the block), unfolded and trimmed.  Caller frees.
 */
static char *header_lookup(const char *block, const char *name)
{
	size_t nlen = strlen(name);
	const char *p = block, *eol, *v;
	struct buf val = BUF_INIT;
	int found = 0;

	while (*p) {
		const char *next;

		eol = strchr(p, '\n');
		if (eol == NULL)
			eol = p + strlen(p);
		next = *eol ? eol + 1 : eol;
		if (eol > p && eol[-1] == '\r')
			eol--;
		if (p == eol)
			break; /* end of the header block */
		if (found && (*p == ' ' || *p == '\t')) {
			/* RFC 5322 2.2.3: unfolding removes the line break only. */
			buf_append(&val, p, (size_t)(eol - p));
		} else if (found) {
			break;
		} else if ((size_t)(eol - p) > nlen && strncasecmp(p, name, nlen) == 0 &&
		           p[nlen] == ':') {
			found = 1;
			v = p + nlen + 1;
			buf_append(&val, v, (size_t)(eol - v));
		}
		p = next;
	}
	if (!found)
		return NULL;
	{
		char *s = buf_detach(&val);
		size_t len = strlen(s);
		size_t start = 0;

		while (len > 0 && isspace((unsigned char)s[len - 1]))
			s[--len] = '\0';
		while (isspace((unsigned char)s[start]))
			start++;
		memmove(s, s + start, len - start + 1);
		return s;
	}
}

char *response_header(const struct response *r, const char *name)
{
	if (r->headers.data == NULL)
		return NULL;
	return header_lookup(r->headers.data, name);
}

int response_has_header(const struct response *r, const char *name)
{
	char *v = response_header(r, name);

	free(v);
	return v != NULL;
}

/* ---- forms and URLs ---- */

static void utf8_put(struct buf *b, unsigned long cp)
{
	if (cp < 0x80) {
		buf_putc(b, (char)cp);
	} else if (cp < 0x800) {
		buf_putc(b, (char)(0xC0 | (cp >> 6)));
		buf_putc(b, (char)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		buf_putc(b, (char)(0xE0 | (cp >> 12)));
		buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
		buf_putc(b, (char)(0x80 | (cp & 0x3F)));
	} else {
		buf_putc(b, (char)(0xF0 | (cp >> 18)));
		buf_putc(b, (char)(0x80 | ((cp >> 12) & 0x3F)));
		buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
		buf_putc(b, (char)(0x80 | (cp & 0x3F)));
	}
}

/* HTML character references in s[0..n) decoded; unknown ones kept. */
static char *html_decode(const char *s, size_t n)
{
	static const struct {
		const char *name;
		char c;
	} named[] = {{"amp;", '&'}, {"quot;", '"'}, {"apos;", '\''}, {"lt;", '<'}, {"gt;", '>'}};
	struct buf b = BUF_INIT;
	size_t i = 0, k;

	buf_cstr(&b);
	while (i < n) {
		if (s[i] != '&') {
			buf_putc(&b, s[i++]);
			continue;
		}
		for (k = 0; k < sizeof(named) / sizeof(named[0]); k++) {
			size_t l = strlen(named[k].name);

			if (n - i - 1 >= l && strncmp(s + i + 1, named[k].name, l) == 0) {
				buf_putc(&b, named[k].c);
				i += 1 + l;
				break;
			}
		}
		if (k < sizeof(named) / sizeof(named[0]))
			continue;
		if (i + 2 < n && s[i + 1] == '#') {
			int hex = (s[i + 2] == 'x' || s[i + 2] == 'X');
			size_t j = i + 2 + (size_t)hex;
			unsigned long cp = 0;
			size_t digits = 0;

			while (
			    j < n && digits < 8 &&
			    (hex ? isxdigit((unsigned char)s[j]) : isdigit((unsigned char)s[j]))) {
				cp = cp * (hex ? 16 : 10) +
				     (unsigned long)(isdigit((unsigned char)s[j])
				                         ? s[j] - '0'
				                         : (tolower((unsigned char)s[j]) - 'a' +
				                            10));
				j++;
				digits++;
			}
			if (digits > 0 && j < n && s[j] == ';' && cp > 0 && cp <= 0x10FFFF) {
				utf8_put(&b, cp);
				i = j + 1;
				continue;
			}
		}
		buf_putc(&b, s[i++]);
	}
	return buf_detach(&b);
}

/* Parses one attribute at *pp inside a tag.  Returns 0 and the spans,
 * or -1 at the end of the tag. */
static int html_attr(const char **pp, const char **name, size_t *nlen, const char **val,
                     size_t *vlen)
{
	const char *p = *pp;

	while (*p && (isspace((unsigned char)*p) || *p == '/'))
		p++;
	if (*p == '\0' || *p == '>')
		return -1;
	*name = p;
	while (*p && !isspace((unsigned char)*p) && *p != '=' && *p != '>' && *p != '/')
		p++;
	*nlen = (size_t)(p - *name);
	*val = NULL;
	*vlen = 0;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '=') {
		p++;
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '"' || *p == '\'') {
			char q = *p++;

			*val = p;
			while (*p && *p != q)
				p++;
			*vlen = (size_t)(p - *val);
			if (*p)
				p++;
		} else {
			*val = p;
			while (*p && !isspace((unsigned char)*p) && *p != '>')
				p++;
			*vlen = (size_t)(p - *val);
		}
	}
	if (*nlen == 0) /* stray character: step over it */
		p++;
	*pp = p;
	return 0;
}

char *form_field_value(const char *html, const char *name)
{
	const char *p = html;

	while ((p = strcasestr(p, "<input")) != NULL) {
		const char *an, *av, *value = NULL;
		size_t anl, avl, valuelen = 0;
		int match = 0, has_value = 0;

		p += 6;
		if (*p && !isspace((unsigned char)*p) && *p != '/' && *p != '>')
			continue; /* e.g. <inputx> */
		while (html_attr(&p, &an, &anl, &av, &avl) == 0) {
			if (anl == 4 && strncasecmp(an, "name", 4) == 0 && av) {
				char *n = html_decode(av, avl);

				match = strcmp(n, name) == 0;
				free(n);
			} else if (anl == 5 && strncasecmp(an, "value", 5) == 0) {
				has_value = 1;
				value = av;
				valuelen = avl;
			}
		}
		if (match)
			return has_value && value ? html_decode(value, valuelen) : xstrdup("");
	}
	return NULL;
}

char *urlenc(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf b = BUF_INIT;

	buf_cstr(&b);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (isalnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~') {
			buf_putc(&b, (char)ch);
		} else {
			buf_putc(&b, '%');
			buf_putc(&b, hex[ch >> 4]);
			buf_putc(&b, hex[ch & 15]);
		}
	}
	return buf_detach(&b);
}

char *form_encode(const char *const *pairs)
{
	struct buf b = BUF_INIT;

	buf_cstr(&b);
	for (; pairs[0] && pairs[1]; pairs += 2) {
		char *k = urlenc(pairs[0]), *v = urlenc(pairs[1]);

		buf_printf(&b, "%s%s=%s", b.len ? "&" : "", k, v);
		free(k);
		free(v);
	}
	return buf_detach(&b);
}

char *form_encodef(const char *key, ...)
{
	const char **pairs;
	size_t n = 0, i = 0;
	va_list ap;
	char *out;

	va_start(ap, key);
	for (const char *s = key; s; s = va_arg(ap, const char *))
		n++;
	va_end(ap);
	pairs = xcalloc(n + 2, sizeof(*pairs));
	va_start(ap, key);
	for (const char *s = key; s; s = va_arg(ap, const char *))
		pairs[i++] = s;
	va_end(ap);
	pairs[i] = NULL;
	out = form_encode(pairs);
	free(pairs);
	return out;
}

/* ---- mail ---- */

static int eml_name_cmp(const void *a, const void *b)
{
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

char **mail_files(const struct server *s, size_t *np)
{
	char dir[PATH_MAX + 8];
	struct dirent *de;
	char **files = NULL;
	size_t n = 0, cap = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/mail", s->var);
	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			size_t len = strlen(de->d_name);
			char **grown;

			/* Dot files are deliveries still being written. */
			if (de->d_name[0] == '.' || len <= 4 ||
			    strcmp(de->d_name + len - 4, ".eml") != 0)
				continue;
			if (n + 1 >= cap) {
				cap = cap ? cap * 2 : 16;
				if ((grown = realloc(files, cap * sizeof(*files))) == NULL)
					abort();
				files = grown;
			}
			files[n++] = xstrdup(de->d_name);
		}
		closedir(d);
	}
	if (files == NULL)
		files = xcalloc(1, sizeof(*files));
	qsort(files, n, sizeof(*files), eml_name_cmp);
	for (size_t i = 0; i < n; i++) {
		char *full;

		if (asprintf(&full, "%s/%s", dir, files[i]) < 0)
			abort();
		free(files[i]);
		files[i] = full;
	}
	files[n] = NULL;
	if (np)
		*np = n;
	return files;
}

void mail_files_free(char **files)
{
	if (files == NULL)
		return;
	for (char **f = files; *f; f++)
		free(*f);
	free(files);
}

static int eml_is_to(const char *eml, const char *addr)
{
	char *to = header_lookup(eml, "To");
	int yes = to && strcasestr(to, addr) != NULL;

	free(to);
	return yes;
}

size_t mail_count_to(const struct server *s, const char *addr)
{
	char **files = mail_files(s, NULL);
	size_t count = 0;

	for (char **f = files; *f; f++) {
		char *eml = file_read(*f, NULL);

		if (eml && eml_is_to(eml, addr))
			count++;
		free(eml);
	}
	mail_files_free(files);
	return count;
}

char *mail_latest_to(const struct server *s, const char *addr)
{
	size_t n;
	char **files = mail_files(s, &n);
	char *found = NULL;

	while (n-- > 0 && found == NULL) {
		char *eml = file_read(files[n], NULL);

		if (eml && eml_is_to(eml, addr))
			found = eml;
		else
			free(eml);
	}
	mail_files_free(files);
	return found;
}

char *mail_wait_to(const struct server *s, const char *addr, size_t already, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;

	for (;;) {
		if (mail_count_to(s, addr) > already)
			return mail_latest_to(s, addr);
		if (now_ms() >= deadline) {
			fprintf(stderr, "harness: no new mail to %s within %d ms\n", addr,
			        timeout_ms);
			return NULL;
		}
		sleep_ms(50);
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* RFC 2045 6.7 quoted-printable: "=XX" escapes and "=" soft breaks. */
static char *qp_decode(const char *s)
{
	struct buf b = BUF_INIT;

	buf_cstr(&b);
	while (*s) {
		if (*s == '=' && s[1] == '\r' && s[2] == '\n') {
			s += 3;
		} else if (*s == '=' && s[1] == '\n') {
			s += 2;
		} else if (*s == '=' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
			buf_putc(&b, (char)(hexval(s[1]) * 16 + hexval(s[2])));
			s += 3;
		} else {
			buf_putc(&b, *s++);
		}
	}
	return buf_detach(&b);
}

char *mail_extract_link(const char *eml, const char *prefix)
{
	const char *body = strstr(eml, "\r\n\r\n");
	const char *p, *end;
	char *cte, *decoded = NULL, *link = NULL;
	size_t len;

	if (body)
		body += 4;
	else if ((body = strstr(eml, "\n\n")) != NULL)
		body += 2;
	else
		return NULL;
	cte = header_lookup(eml, "Content-Transfer-Encoding");
	if (cte && strcasecmp(cte, "quoted-printable") == 0)
		body = decoded = qp_decode(body);
	free(cte);

	if ((p = strstr(body, prefix)) != NULL) {
		end = p;
		while (*end && !isspace((unsigned char)*end) && *end != '"' && *end != '\'' &&
		       *end != '<' && *end != '>')
			end++;
		len = (size_t)(end - p);
		/* Sentence punctuation right after a link is not part of it. */
		while (len > strlen(prefix) && strchr(".,;:!?)]", p[len - 1]))
			len--;
		link = xstrndup(p, len);
	}
	free(decoded);
	return link;
}
