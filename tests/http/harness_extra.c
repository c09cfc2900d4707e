/*
 * Extra helpers for HTTP tests (harness_extra.h): Set-Cookie lines,
 * form control tags, a free port, and the test SMTP server.
 */
#include "harness_extra.h"
#include "harness_private.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define SMTPD_PYTHON "/usr/bin/python3" /* Debian's, which has aiosmtpd */
#define SMTPD_READY_MS 15000

static char *dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p == NULL)
		abort();
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

int client_source(struct client *c, const char *addr)
{
	char iface[64];

	/* "host!" makes libcurl bind to the address, not an interface name. */
	snprintf(iface, sizeof(iface), "host!%s", addr);
	if (curl_easy_setopt(c->curl, CURLOPT_INTERFACE, iface) != CURLE_OK) {
		fprintf(stderr, "harness: cannot send from %s\n", addr);
		return -1;
	}
	return 0;
}

char *response_set_cookie(const struct response *r, const char *name)
{
	const char *p = r->headers.data, *eol, *v, *end;
	size_t nlen = strlen(name);

	if (p == NULL)
		return NULL;
	for (; *p; p = *eol ? eol + 1 : eol) {
		if ((eol = strchr(p, '\n')) == NULL)
			eol = p + strlen(p);
		if (strncasecmp(p, "Set-Cookie:", 11) != 0)
			continue;
		for (v = p + 11; v < eol && (*v == ' ' || *v == '\t'); v++)
			;
		end = eol;
		while (end > v && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if ((size_t)(end - v) > nlen && strncmp(v, name, nlen) == 0 && v[nlen] == '=')
			return dup_n(v, (size_t)(end - v));
	}
	return NULL;
}

/* 1 when the tag [tag, end) has name="want" (or 'want', or unquoted). */
static int tag_named(const char *tag, const char *end, const char *want)
{
	size_t wlen = strlen(want);
	const char *p = tag;

	while ((p = strstr(p, "name=")) != NULL && p < end) {
		const char *v = p + 5;
		char q = (*v == '"' || *v == '\'') ? *v++ : 0;

		if (p > tag && (p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\n') &&
		    v + wlen <= end && strncmp(v, want, wlen) == 0 &&
		    (q ? v[wlen] == q : (v[wlen] == ' ' || v[wlen] == '>' || v[wlen] == '/')))
			return 1;
		p = v;
	}
	return 0;
}

char *html_control_tag(const char *html, const char *name)
{
	const char *p = html, *end;

	while ((p = strchr(p, '<')) != NULL) {
		if (strncasecmp(p, "<input", 6) == 0 || strncasecmp(p, "<select", 7) == 0) {
			if ((end = strchr(p, '>')) == NULL)
				return NULL;
			if (tag_named(p, end, name))
				return dup_n(p, (size_t)(end - p + 1));
		}
		p++;
	}
	return NULL;
}

char *mail_header(const char *eml, const char *name)
{
	return harness_header_lookup(eml, name);
}

int free_tcp_port(void)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int fd, port = -1;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
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

size_t dir_count(const char *dir, const char *suffix)
{
	size_t count = 0, n, sl = strlen(suffix);
	struct dirent *e;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		n = strlen(e->d_name);
		if (e->d_name[0] != '.' && n >= sl && strcmp(e->d_name + n - sl, suffix) == 0)
			count++;
	}
	closedir(d);
	return count;
}

/* In the child: becomes smtpd.py with stdout on the pipe. */
static void smtpd_exec(int port, const char *dir)
{
	const char *src = getenv("QCRA_SRCDIR");
	char script[4096], portstr[16];

	/* Never outlive the test, even when it crashes. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	snprintf(script, sizeof(script), "%s/tests/tools/smtpd.py",
		 src != NULL && src[0] != '\0' ? src : ".");
	snprintf(portstr, sizeof(portstr), "%d", port);
	execl(SMTPD_PYTHON, SMTPD_PYTHON, script, "--port", portstr, "--dir", dir, (char *)NULL);
	fprintf(stderr, "smtpd: cannot run %s: %s\n", SMTPD_PYTHON, strerror(errno));
	_exit(127);
}

int smtpd_start(struct smtpd *d, int port, const char *dir)
{
	char line[256];
	size_t have = 0;
	struct pollfd pfd;
	ssize_t n;
	int fds[2];

	d->pid = 0;
	d->out = -1;
	if (pipe2(fds, O_CLOEXEC) == -1)
		return -1;
	if ((d->pid = fork()) == -1) {
		d->pid = 0;
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (d->pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		smtpd_exec(port, dir);
	}
	close(fds[1]);
	d->out = fds[0];
	pfd.fd = d->out;
	pfd.events = POLLIN;
	while (have < sizeof(line) - 1) {
		if (poll(&pfd, 1, SMTPD_READY_MS) != 1)
			break;
		if ((n = read(d->out, line + have, sizeof(line) - 1 - have)) <= 0)
			break;
		have += (size_t)n;
		line[have] = '\0';
		if (strstr(line, "ready\n") != NULL)
			return 0;
	}
	line[have] = '\0';
	fprintf(stderr, "smtpd: not ready on port %d (said \"%s\")\n", port, line);
	smtpd_stop(d);
	return -1;
}

void smtpd_stop(struct smtpd *d)
{
	if (d->pid > 0) {
		kill(d->pid, SIGTERM);
		while (waitpid(d->pid, NULL, 0) == -1 && errno == EINTR)
			;
	}
	if (d->pid > 0 && d->out > STDERR_FILENO)
		close(d->out);
	d->pid = 0;
	d->out = -1;
}

int harness_tls_setup(void **state)
{
	struct server *s = calloc(1, sizeof(*s));

	if (s == NULL || server_start_tls(s, NULL) != 0) {
		if (s)
			server_cleanup(s);
		free(s);
		return -1;
	}
	*state = s;
	return 0;
}

int harness_tls_teardown(void **state)
{
	struct server *s = *state;

	server_cleanup(s);
	free(s);
	return 0;
}

char *pdf_text(const struct server *s, const void *pdf, size_t len)
{
	char file[PATH_MAX + 32], cmd[PATH_MAX + 64], *text = NULL, *w;
	const char *p;
	size_t n;
	FILE *fp;

	snprintf(file, sizeof(file), "%s/pdf_text.pdf", s->var);
	if ((fp = fopen(file, "w")) == NULL || fwrite(pdf, 1, len, fp) != len) {
		fprintf(stderr, "pdf_text: cannot write %s\n", file);
		if (fp != NULL)
			fclose(fp);
		return NULL;
	}
	fclose(fp);
	snprintf(cmd, sizeof(cmd), "pdftotext -enc UTF-8 '%s' -", file);
	if ((fp = popen(cmd, "r")) == NULL || (text = calloc(1, 262144)) == NULL) {
		fprintf(stderr, "pdf_text: cannot run pdftotext\n");
		if (fp != NULL)
			pclose(fp);
		return NULL;
	}
	n = fread(text, 1, 262143, fp);
	if (pclose(fp) != 0 || n == 0) {
		fprintf(stderr, "pdf_text: pdftotext failed on %s\n", file);
		free(text);
		return NULL;
	}
	for (p = w = text; *p; p++) {
		if (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\f' || *p == '\r') {
			if (w > text && w[-1] != ' ')
				*w++ = ' ';
			continue;
		}
		*w++ = *p;
	}
	*w = '\0';
	return text;
}
