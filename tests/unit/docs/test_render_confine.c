/*
 * The qcra-render child is confined once started (issue 13, item 11):
 * no new privileges, a seccomp filter, a memory limit; it opens no file
 * (VAR/secret.key, the database), makes no socket and runs no program;
 * and it still draws every document exactly as this process does.
 *
 * The child is the real one ($QCRA_RENDER_BIN), started by client.c and
 * spoken to over its real protocol; what it may do is read from
 * /proc/PID.  What it may not do is asked of `qcra-render --check PATH...`,
 * which starts up exactly as a child serving the portal does and then
 * tries to open each PATH, make sockets and run a program.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "docs/docs.h"
#include "docs/render.h"
#include "util/embedded.h"

/* Sanitizers reserve terabytes of address space: no RLIMIT_AS there. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZER 1
#endif
#endif

static struct catalog cat;

static int setup(void **state)
{
	const struct embedded_file *f = embedded_find("data/catalog.ini");
	char err[256];

	if (f == NULL || catalog_parse(&cat, (const char *)f->data, err, sizeof(err)) != 0)
		return -1;
	render_stop();
	return 0;
}

static int teardown(void **state)
{
	render_stop();
	return 0;
}

static void order_of(struct order *o, enum order_type type, const char *street)
{
	memset(o, 0, sizeof(*o));
	o->id = 42;
	o->account_id = 7;
	o->type = type;
	o->state = WF_CONFIRMED;
	snprintf(o->first_name, sizeof(o->first_name),
		 "\xc5\xbd"
		 "arko");
	snprintf(o->last_name, sizeof(o->last_name), "\xc4\x90ura\xc5\xa1kovi\xc4\x87");
	snprintf(o->jmbg, sizeof(o->jmbg), "1203978711237");
	snprintf(o->id_type, sizeof(o->id_type), "passport");
	snprintf(o->id_number, sizeof(o->id_number), "P1234567");
	snprintf(o->id_issuer, sizeof(o->id_issuer), "MUP Republike Srbije");
	snprintf(o->street, sizeof(o->street), "%s", street);
	snprintf(o->postal_code, sizeof(o->postal_code), "21000");
	snprintf(o->city, sizeof(o->city), "Novi Sad");
	snprintf(o->email, sizeof(o->email), "zarko@example.rs");
	snprintf(o->phone, sizeof(o->phone), "+381651112222");
	snprintf(o->license_number, sizeof(o->license_number), "310123456");
	snprintf(o->office, sizeof(o->office), "BG");
	snprintf(o->validity, sizeof(o->validity), "2y");
	o->card_reader = 1;
	if (type == ORDER_LEGAL) {
		snprintf(o->position, sizeof(o->position), "Direktor");
		snprintf(o->company_name, sizeof(o->company_name),
			 "Projektni biro \xe2\x80\x9e\xc4\x8cvor\xe2\x80\x9c & sinovi d.o.o.");
		snprintf(o->company_cert_name, sizeof(o->company_cert_name), "Projektni biro");
		snprintf(o->company_mb, sizeof(o->company_mb), "17167418");
		snprintf(o->company_pib, sizeof(o->company_pib), "101745818");
		snprintf(o->company_street, sizeof(o->company_street), "Nemanjina 4");
		snprintf(o->company_postal_code, sizeof(o->company_postal_code), "11000");
		snprintf(o->company_city, sizeof(o->company_city), "Beograd");
		snprintf(o->company_email, sizeof(o->company_email), "office@cvor.example");
	}
	assert_int_equal(order_payment_ref(o->id, o->payment_ref, sizeof(o->payment_ref)), 0);
	o->created_at = o->updated_at = o->confirmed_at = 1760000000;
}

/* The pid of this process's one qcra-render child, or 0. */
static pid_t render_child(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t found = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		char path[300], line[512], *paren;
		FILE *fp;
		int ppid;
		char st;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		if ((fp = fopen(path, "r")) == NULL)
			continue;
		if (fgets(line, sizeof(line), fp) != NULL && strstr(line, "(qcra-render)") &&
		    (paren = strrchr(line, ')')) != NULL &&
		    sscanf(paren + 1, " %c %d", &st, &ppid) == 2 && ppid == (int)getpid() &&
		    st != 'Z')
			found = (pid_t)atoi(e->d_name);
		fclose(fp);
	}
	closedir(d);
	return found;
}

/* /proc/PID/name of pid, whole, NUL-terminated (malloc'd). */
static char *proc_file(pid_t pid, const char *name)
{
	char path[64], *text = calloc(1, 16384);
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	assert_non_null(text);
	fp = fopen(path, "r");
	assert_non_null(fp);
	n = fread(text, 1, 16383, fp);
	text[n] = '\0';
	fclose(fp);
	return text;
}

/* A child that has drawn a document runs with no new privileges under a
 * seccomp filter, with its address space limited (not under a sanitizer,
 * whose shadow memory is terabytes of address space). */
static void test_started_child_is_confined(void **state)
{
	struct buf b = BUF_INIT;
	struct order o;
	char *status, *limits, *line;
	unsigned long long soft = 0;
	pid_t pid;

	order_of(&o, ORDER_NATURAL, "Zmaj Jovina 1");
	assert_int_equal(render_order_pdf(&o, &cat, "proforma.pdf", LANG_SR, &b), 0);
	pid = render_child();
	assert_true(pid > 0);
	status = proc_file(pid, "status");
	assert_non_null(strstr(status, "NoNewPrivs:\t1\n"));
	assert_non_null(strstr(status, "Seccomp:\t2\n")); /* SECCOMP_MODE_FILTER */
	limits = proc_file(pid, "limits");
	line = strstr(limits, "Max address space");
	assert_non_null(line);
#ifndef SANITIZER
	assert_int_equal(sscanf(line + strlen("Max address space"), " %llu", &soft), 1);
	assert_true(soft > 0 && soft <= 1024ull << 20);
#else
	(void)soft;
#endif
	free(status);
	free(limits);
	buf_free(&b);
}

/* Confined, the child draws every kind of document byte for byte as
 * this process does: the three order documents for a natural person and
 * for a legal entity (bold, italic, quotes, Serbian Latin and Cyrillic),
 * and the CA's PIN letter, all on the same child. */
static void test_confined_child_draws_every_document_as_here(void **state)
{
	static const char *const names[] = {"request.pdf", "contract.pdf", "proforma.pdf"};
	static const enum order_type types[] = {ORDER_NATURAL, ORDER_LEGAL};
	struct buf child = BUF_INIT, here = BUF_INIT;
	struct doc_pin_letter l;
	struct order o;
	pid_t pid = 0;
	size_t t, i;

	for (t = 0; t < 2; t++) {
		order_of(&o, types[t],
			 "\xd0\x9a\xd0\xbd\xd0\xb5\xd0\xb7\xd0\xb0 \xd0\x9c\xd0\xb8\xd0\xbb\xd0"
			 "\xbe\xd1\x88\xd0\xb0 9"); /* Кнеза Милоша 9 */
		for (i = 0; i < 3; i++) {
			buf_reset(&child);
			buf_reset(&here);
			assert_int_equal(render_order_pdf(&o, &cat, names[i], LANG_SR, &child), 0);
			assert_int_equal(doc_render(&o, &cat, names[i], LANG_SR, &here), 0);
			assert_int_equal(child.len, here.len);
			assert_memory_equal(child.data, here.data, here.len);
			if (pid == 0)
				pid = render_child();
			assert_int_equal(render_child(), pid); /* the same child throughout */
		}
	}
	memset(&l, 0, sizeof(l));
	snprintf(l.issuer, sizeof(l.issuer), "Komora CA");
	snprintf(l.holder, sizeof(l.holder),
		 "\xc5\xbd"
		 "arko \xc4\x90ura\xc5\xa1kovi\xc4\x87");
	snprintf(l.company, sizeof(l.company), "Projektni biro");
	snprintf(l.order, sizeof(l.order), "42");
	snprintf(l.card, sizeof(l.card), "QCRA-0042");
	snprintf(l.pin, sizeof(l.pin), "493021");
	snprintf(l.puk, sizeof(l.puk), "20571846");
	buf_reset(&child);
	buf_reset(&here);
	assert_int_equal(render_pin_letter(&l, &child), 0);
	assert_int_equal(doc_pin_letter_pdf(&l, &here), 0);
	assert_int_equal(child.len, here.len);
	assert_memory_equal(child.data, here.data, here.len);
	assert_int_equal(render_child(), pid);
	buf_free(&child);
	buf_free(&here);
}

/* Text no font loaded before confinement covers (an emoji, CJK, Thai, a
 * private-use character of another installed font) in every document
 * is answered (a PDF or a refusal), and the same child goes on to draw
 * the next documents exactly as this process does. */
static void test_text_outside_the_fonts_does_not_kill_the_child(void **state)
{
	static const char *const names[] = {"request.pdf", "contract.pdf", "proforma.pdf"};
	struct buf b = BUF_INIT, here = BUF_INIT;
	struct order o;
	size_t i;
	pid_t pid;
	int rc;

	order_of(&o, ORDER_NATURAL, "Zmaj Jovina 1");
	assert_int_equal(render_order_pdf(&o, &cat, "request.pdf", LANG_SR, &b), 0);
	pid = render_child();
	assert_true(pid > 0);
	order_of(&o, ORDER_NATURAL,
		 "\xf0\x9f\x98\x80 \xe6\xbc\xa2\xe5\xad\x97 \xef\x80\x95 \xe0\xb8\x81 1");
	for (i = 0; i < 3; i++) {
		buf_reset(&b);
		rc = render_order_pdf(&o, &cat, names[i], LANG_SR, &b);
		assert_true(rc == 0 || rc == -1);
		assert_int_equal(render_child(), pid);
	}
	for (i = 0; i < 3; i++) {
		order_of(&o, i == 1 ? ORDER_LEGAL : ORDER_NATURAL, "Zmaj Jovina 2");
		buf_reset(&b);
		buf_reset(&here);
		assert_int_equal(render_order_pdf(&o, &cat, names[i], LANG_SR, &b), 0);
		assert_int_equal(doc_render(&o, &cat, names[i], LANG_SR, &here), 0);
		assert_int_equal(b.len, here.len);
		assert_memory_equal(b.data, here.data, here.len);
		assert_int_equal(render_child(), pid);
	}
	buf_free(&b);
	buf_free(&here);
}

/* Runs `$QCRA_RENDER_BIN --check args...`; its output (stdout and
 * stderr) into out, its exit status returned (-1: did not exit). */
static int run_check(const char *const *paths, size_t n, char *out, size_t outlen)
{
	const char *bin = getenv("QCRA_RENDER_BIN");
	int pipefd[2], status;
	size_t len = 0;
	ssize_t r;
	pid_t pid;

	assert_non_null(bin);
	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		const char *argv[8] = {"qcra-render", "--check"};
		int null = open("/dev/null", O_RDONLY);
		size_t i;

		for (i = 0; i < n && i < 5; i++)
			argv[2 + i] = paths[i];
		dup2(null, 0);
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	close(pipefd[1]);
	while (len + 1 < outlen && (r = read(pipefd[0], out + len, outlen - 1 - len)) > 0)
		len += (size_t)r;
	out[len] = '\0';
	close(pipefd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Started as for the portal, then asked to open VAR/secret.key and the
 * database (both there, and readable to its user without the filter):
 * each open fails with EACCES, as do a network socket, a local one and
 * running a program; the check says so and exits 0. */
static void test_confined_child_cannot_open_the_secret_key(void **state)
{
	char var[] = "/tmp/qcra-confine-XXXXXX", key[64], db[64], out[4096], want[160];
	const char *paths[2];
	int fd;

	assert_non_null(mkdtemp(var));
	snprintf(key, sizeof(key), "%s/secret.key", var);
	snprintf(db, sizeof(db), "%s/qcra.db", var);
	fd = open(key, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "0123456789abcdef0123456789abcdef", 32), 32);
	close(fd);
	fd = open(db, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(access(key, R_OK), 0);

	paths[0] = key;
	paths[1] = db;
	assert_int_equal(run_check(paths, 2, out, sizeof(out)), 0);
	snprintf(want, sizeof(want), "open %s: %s\n", key, strerror(EACCES));
	assert_non_null(strstr(out, want));
	snprintf(want, sizeof(want), "open %s: %s\n", db, strerror(EACCES));
	assert_non_null(strstr(out, want));
	snprintf(want, sizeof(want), "socket AF_INET: %s\n", strerror(EACCES));
	assert_non_null(strstr(out, want));
	snprintf(want, sizeof(want), "socket AF_UNIX: %s\n", strerror(EACCES));
	assert_non_null(strstr(out, want));
	snprintf(want, sizeof(want), "execve /bin/sh: %s\n", strerror(EACCES));
	assert_non_null(strstr(out, want));
	assert_non_null(strstr(out, "confined\n"));

	unlink(key);
	unlink(db);
	rmdir(var);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_started_child_is_confined),
		T(test_confined_child_draws_every_document_as_here),
		T(test_text_outside_the_fonts_does_not_kill_the_child),
		T(test_confined_child_cannot_open_the_secret_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
