/*
 * The parent's side of render.h: a small pool of qcra-render children.
 * Nothing here links cairo: a program that draws through this file
 * does not load the drawing libraries at all.
 */
#include "docs/render.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/fdio.h"
#include "util/install.h"
#include "util/log.h"

extern char **environ;

struct child {
	pid_t pid; /* 0: none */
	int fd;
	int busy;
};

static const struct timeval answer_timeout = {RENDER_ANSWER_SECS, 0};
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static struct child children[RENDER_CHILDREN];

/* QCRA_RENDER_BIN; installed, LIBEXECDIR/qcra/qcra-render; in the build
 * directory, beside the program (util/install.h). */
static int program(char *path, size_t size)
{
	const char *env = getenv("QCRA_RENDER_BIN");
	char self[PATH_MAX];
	ssize_t n;
	char *slash;

	if (env != NULL && env[0] != '\0') {
		snprintf(path, size, "%s", env);
		return 0;
	}
	if (install_dir(INSTALL_LIBEXEC, self, sizeof(self)) == 0)
		return snprintf(path, size, "%s/qcra-render", self) < (int)size ? 0 : -1;
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) <= 0)
		return -1;
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) == NULL)
		return -1;
	*slash = '\0';
	return snprintf(path, size, "%s/qcra-render", self) < (int)size ? 0 : -1;
}

/* Under mu: ends child ch (gone by itself after its idle time, crashed,
 * or confused) and reaps it, saying how it ended unless that was by
 * this kill or its own idle exit: SIGSYS is a call outside its seccomp
 * filter (docs/confine.c), SIGPROF its CPU budget per document, SIGABRT
 * often its memory limit. */
static void child_end(struct child *ch)
{
	int status;

	if (ch->fd >= 0)
		close(ch->fd);
	if (ch->pid > 0) {
		kill(ch->pid, SIGKILL);
		if (waitpid(ch->pid, &status, 0) == ch->pid) {
			if (WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL)
				log_warnx("documents: qcra-render %d ended by signal %d (%s)",
					  (int)ch->pid, WTERMSIG(status),
					  strsignal(WTERMSIG(status)));
			else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
				log_warnx("documents: qcra-render %d exited with status %d",
					  (int)ch->pid, WEXITSTATUS(status));
		}
	}
	ch->fd = -1;
	ch->pid = 0;
}

static int child_start(struct child *ch)
{
	char path[PATH_MAX];
	char *argv[] = {"qcra-render", NULL};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none;
	int sv[2], rc;
	pid_t pid;

	if (program(path, sizeof(path)) != 0) {
		log_warnx("documents: cannot locate qcra-render");
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		log_warn("documents: socketpair");
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 1);
	/* Not the server's mask (its threads block the signals that the
	 * main thread waits for). */
	sigemptyset(&none);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	posix_spawnattr_setsigmask(&attr, &none);
	rc = posix_spawn(&pid, path, &fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	close(sv[1]);
	if (rc != 0) {
		errno = rc;
		log_warn("documents: cannot start %s", path);
		close(sv[0]);
		return -1;
	}
	ch->pid = pid;
	ch->fd = sv[0];
	/* A child that hangs (a drawing library stuck on some input) is
	 * given up after this long, killed and replaced. */
	setsockopt(ch->fd, SOL_SOCKET, SO_RCVTIMEO, &answer_timeout, sizeof(answer_timeout));
	setsockopt(ch->fd, SOL_SOCKET, SO_SNDTIMEO, &answer_timeout, sizeof(answer_timeout));
	return 0;
}

/* An idle child, started if need be; waits while all are busy. */
static struct child *acquire(void)
{
	struct child *ch;
	size_t i;

	pthread_mutex_lock(&mu);
	for (;;) {
		struct child *free_slot = NULL;

		for (i = 0; i < RENDER_CHILDREN; i++) {
			ch = &children[i];
			if (ch->busy)
				continue;
			if (ch->pid > 0) {
				ch->busy = 1;
				pthread_mutex_unlock(&mu);
				return ch;
			}
			if (free_slot == NULL)
				free_slot = ch;
		}
		if (free_slot != NULL) {
			free_slot->fd = -1;
			if (child_start(free_slot) != 0) {
				pthread_mutex_unlock(&mu);
				return NULL;
			}
			free_slot->busy = 1;
			pthread_mutex_unlock(&mu);
			return free_slot;
		}
		pthread_cond_wait(&cv, &mu);
	}
}

static void release(struct child *ch, int broken)
{
	pthread_mutex_lock(&mu);
	if (broken)
		child_end(ch);
	ch->busy = 0;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
}

/* One exchange with ch.  0 with the answer's status in *status and the
 * PDF appended to out; -1 when the child is gone or broke the protocol
 * (out unchanged). */
static int exchange(struct child *ch, uint32_t kind, const void *req, size_t len, int *status,
		    struct buf *out)
{
	struct render_head h = {RENDER_MAGIC, kind, 0, (uint32_t)len};

	if (fd_write_all(ch->fd, &h, sizeof(h)) != 0 || fd_write_all(ch->fd, req, len) != 0 ||
	    fd_read_all(ch->fd, &h, sizeof(h)) != 0 || h.magic != RENDER_MAGIC ||
	    h.len > RENDER_MAX_PDF)
		return -1;
	buf_reserve(out, h.len);
	if (fd_read_all(ch->fd, out->data + out->len, h.len) != 0)
		return -1;
	out->len += h.len;
	*status = h.status;
	return 0;
}

/* Sends the request to a child; once more to a fresh one when the first
 * had gone away (idle timeout, crash). */
static int request(uint32_t kind, const void *req, size_t len, struct buf *out)
{
	struct child *ch;
	int attempt, status = -1;

	for (attempt = 0; attempt < 2; attempt++) {
		if ((ch = acquire()) == NULL)
			return -1;
		if (exchange(ch, kind, req, len, &status, out) == 0) {
			release(ch, 0);
			return status;
		}
		release(ch, 1);
	}
	log_warnx("documents: qcra-render did not answer");
	return -1;
}

int render_order_pdf(const struct order *o, const struct catalog *c, const char *name, enum lang l,
		     struct buf *out)
{
	struct render_order_req *r = malloc(sizeof(*r));
	int rc;

	if (r == NULL)
		return -1;
	memset(r, 0, sizeof(*r));
	r->catalog = *c;
	r->order = *o;
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->lang = (int32_t)l;
	rc = request(RENDER_ORDER, r, sizeof(*r), out);
	free(r);
	return rc;
}

int render_pin_letter(const struct doc_pin_letter *l, struct buf *out)
{
	return request(RENDER_LETTER, l, sizeof(*l), out);
}

int render_children(void)
{
	size_t i;
	int n = 0;

	pthread_mutex_lock(&mu);
	for (i = 0; i < RENDER_CHILDREN; i++)
		n += children[i].pid > 0;
	pthread_mutex_unlock(&mu);
	return n;
}

void render_stop(void)
{
	size_t i;

	pthread_mutex_lock(&mu);
	for (i = 0; i < RENDER_CHILDREN; i++) {
		struct child *ch = &children[i];

		if (ch->pid > 0) {
			close(ch->fd);
			waitpid(ch->pid, NULL, 0); /* it exits on EOF (or has) */
		}
		ch->pid = 0;
		ch->fd = -1;
	}
	pthread_mutex_unlock(&mu);
}
