/* Helpers shared by the CA service tests. */
#include "ca_testlib.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <jansson.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

int free_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) != 0)
		port = -1;
	else
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

int port_open(int port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

int sh(struct buf *out, const char *fmt, ...)
{
	struct buf cmd = BUF_INIT;
	char chunk[4096];
	va_list ap;
	size_t n;
	FILE *p;
	int st;

	if (out != NULL)
		buf_reset(out);
	va_start(ap, fmt);
	buf_vprintf(&cmd, fmt, ap);
	va_end(ap);
	p = popen(buf_cstr(&cmd), "r");
	buf_free(&cmd);
	if (p == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		if (out != NULL)
			buf_append(out, chunk, n);
	if (out != NULL)
		buf_cstr(out);
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

void digits_after(const char *text, const char *label, size_t n, char *out)
{
	const char *s = strstr(text, label);
	size_t i = 0;

	assert_non_null(s);
	for (s += strlen(label); *s != '\0' && i < n; s++)
		if (*s >= '0' && *s <= '9')
			out[i++] = *s;
		else if (i > 0)
			break;
	out[i] = '\0';
	assert_int_equal(i, n);
}

size_t on_data(char *p, size_t size, size_t n, void *arg)
{
	buf_append(arg, p, size * n);
	return size * n;
}

/* ---- A CA started for the tests ---- */

char ca_dir[64], ca_cadir[128];
int ca_tls_port, ca_pub_port;
pid_t ca_pid = -1;

/* One request to the CA.  Returns the HTTP status, 0 when the TLS
 * connection failed; the body into out. */
long ca_request(enum ca_client who, const char *method, const char *url, const void *body,
		size_t bodylen, const char *type, struct buf *out)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	char path[256], hdr[128];
	long status = 0;

	assert_non_null(c);
	buf_reset(out);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	snprintf(path, sizeof(path), "%s/ra/ca.pem", ca_cadir);
	curl_easy_setopt(c, CURLOPT_CAINFO, path);
	if (who == CLIENT_RA) {
		snprintf(path, sizeof(path), "%s/ra/ra.pem", ca_cadir);
		curl_easy_setopt(c, CURLOPT_SSLCERT, path);
		snprintf(path, sizeof(path), "%s/ra/ra.key", ca_cadir);
		curl_easy_setopt(c, CURLOPT_SSLKEY, path);
	} else if (who == CLIENT_OTHER) {
		/* A certificate from the same CA that is not the RA's. */
		snprintf(path, sizeof(path), "%s/tls/server.pem", ca_cadir);
		curl_easy_setopt(c, CURLOPT_SSLCERT, path);
		snprintf(path, sizeof(path), "%s/tls/server.key", ca_cadir);
		curl_easy_setopt(c, CURLOPT_SSLKEY, path);
	}
	if (body != NULL) {
		snprintf(hdr, sizeof(hdr), "Content-Type: %s", type);
		h = curl_slist_append(h, hdr);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)bodylen);
	}
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	buf_cstr(out);
	return status;
}

long ca_api(const char *method, const char *path, const char *json, struct buf *out)
{
	char url[256];

	snprintf(url, sizeof(url), "https://127.0.0.1:%d%s", ca_tls_port, path);
	return ca_request(CLIENT_RA, method, url, json, json != NULL ? strlen(json) : 0,
			  "application/json", out);
}

json_t *ca_parse(const struct buf *b)
{
	json_t *o = json_loads(b->data != NULL ? b->data : "", 0, NULL);

	assert_non_null(o);
	return o;
}

const char *ca_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	assert_non_null(s);
	return s;
}

/*
 * `qcra ca init` into DIR/ca<attempt> on two free ports, then `qcra ca
 * serve`.  0 once both ports answer; 1 when the CA exited first (a port
 * taken meanwhile: free_port closes what it found, and tests run side
 * by side); -1 on any other failure.
 */
static int ca_start(const char *bin, int attempt)
{
	char arg_listen[64], arg_pub[64], arg_url[64];
	int i, st;

	snprintf(ca_cadir, sizeof(ca_cadir), "%s/ca%d", ca_dir, attempt);
	ca_tls_port = free_port();
	ca_pub_port = free_port();
	snprintf(arg_listen, sizeof(arg_listen), "127.0.0.1:%d", ca_tls_port);
	snprintf(arg_pub, sizeof(arg_pub), "127.0.0.1:%d", ca_pub_port);
	snprintf(arg_url, sizeof(arg_url), "http://127.0.0.1:%d", ca_pub_port);
	if (sh(NULL, "'%s' ca init --dir '%s' --listen %s --public-listen %s --public-url %s >&2",
	       bin, ca_cadir, arg_listen, arg_pub, arg_url) != 0)
		return -1;
	ca_pid = fork();
	if (ca_pid == 0) {
		execl(bin, bin, "ca", "serve", "--dir", ca_cadir, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 200; i++) {
		if (waitpid(ca_pid, &st, WNOHANG) == ca_pid) {
			ca_pid = -1;
			return 1;
		}
		if (port_open(ca_tls_port) && port_open(ca_pub_port))
			return 0;
		usleep(50 * 1000);
	}
	return -1;
}

int ca_setup(void **state)
{
	const char *bin = getenv("QCRA_BIN");
	int attempt, rc = 1;

	if (bin == NULL) {
		fprintf(stderr, "QCRA_BIN not set\n");
		return -1;
	}
	snprintf(ca_dir, sizeof(ca_dir), "/tmp/qcra-ca-test-XXXXXX");
	if (mkdtemp(ca_dir) == NULL)
		return -1;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	for (attempt = 0; attempt < 3 && rc == 1; attempt++)
		rc = ca_start(bin, attempt);
	if (rc != 0)
		fprintf(stderr, "the CA did not start\n");
	return rc == 0 ? 0 : -1;
}

int ca_teardown(void **state)
{
	int st;

	if (ca_pid > 0) {
		kill(ca_pid, SIGTERM);
		waitpid(ca_pid, &st, 0);
	}
	curl_global_cleanup();
	if (getenv("QCRA_KEEP") == NULL)
		sh(NULL, "rm -rf '%s'", ca_dir);
	return 0;
}
