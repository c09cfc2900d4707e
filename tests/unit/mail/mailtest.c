#include "mailtest.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SMTPD_PYTHON "/usr/bin/python3" /* Debian's, which has aiosmtpd */
#define SMTPD_READY_MS 15000

char *mailtest_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char path[PATH_MAX];
	char *p;

	snprintf(path, sizeof(path), "%s/qcra-mailtest-XXXXXX",
		 base != NULL && base[0] != '\0' ? base : "/tmp");
	if (mkdtemp(path) == NULL || (p = strdup(path)) == NULL)
		abort();
	return p;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path) == -1 && errno != ENOENT ? -1 : 0;
}

void mailtest_rmtree(const char *dir)
{
	if (dir != NULL)
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int mailtest_free_port(void)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int fd, port = -1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
		port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

static void smtpd_exec(int port, const char *dir, const char *extra, const char *extra2)
{
	const char *src = getenv("QCRA_SRCDIR");
	char script[PATH_MAX], portstr[16];
	const char *argv[10];
	int n = 0;

	/* Never outlive the test, even when it crashes. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	snprintf(script, sizeof(script), "%s/tests/tools/smtpd.py",
		 src != NULL && src[0] != '\0' ? src : MAILTEST_SRCDIR);
	snprintf(portstr, sizeof(portstr), "%d", port);
	argv[n++] = SMTPD_PYTHON;
	argv[n++] = script;
	argv[n++] = "--port";
	argv[n++] = portstr;
	argv[n++] = "--dir";
	argv[n++] = dir;
	if (extra != NULL)
		argv[n++] = extra;
	if (extra2 != NULL)
		argv[n++] = extra2;
	argv[n] = NULL;
	execv(SMTPD_PYTHON, (char *const *)argv);
	_exit(127);
}

int mailtest_smtpd_start(struct mailtest_smtpd *s, int port, const char *dir, const char *extra,
			 const char *extra2)
{
	char line[64];
	size_t have = 0;
	struct pollfd pfd;
	ssize_t n;
	int fds[2];

	s->pid = -1;
	s->out = -1;
	s->port = port;
	if (pipe(fds) == -1)
		return -1;
	if ((s->pid = fork()) == -1) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (s->pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		smtpd_exec(port, dir, extra, extra2);
	}
	close(fds[1]);
	s->out = fds[0];
	pfd.fd = s->out;
	pfd.events = POLLIN;
	while (have < sizeof(line) - 1) {
		if (poll(&pfd, 1, SMTPD_READY_MS) != 1)
			break;
		if ((n = read(s->out, line + have, sizeof(line) - 1 - have)) <= 0)
			break;
		have += (size_t)n;
		line[have] = '\0';
		if (strstr(line, "ready\n") != NULL)
			return 0;
	}
	mailtest_smtpd_stop(s);
	return -1;
}

void mailtest_smtpd_stop(struct mailtest_smtpd *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		while (waitpid(s->pid, NULL, 0) == -1 && errno == EINTR)
			;
	}
	if (s->out != -1)
		close(s->out);
	s->pid = -1;
	s->out = -1;
}

int mailtest_count(const char *dir, const char *suffix)
{
	struct dirent *e;
	size_t n, sl = strlen(suffix);
	int count = 0;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		n = strlen(e->d_name);
		if (n >= sl && strcmp(e->d_name + n - sl, suffix) == 0)
			count++;
	}
	closedir(d);
	return count;
}

char *mailtest_read(const char *path, size_t *len)
{
	struct stat st;
	size_t have = 0;
	ssize_t n;
	char *p;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1 || (p = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return NULL;
	}
	while (have < (size_t)st.st_size && (n = read(fd, p + have, (size_t)st.st_size - have)) > 0)
		have += (size_t)n;
	close(fd);
	p[have] = '\0';
	if (len != NULL)
		*len = have;
	return p;
}
