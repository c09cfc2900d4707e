/*
 * The PDF renderer failing under the portal (issue 13, items 11 and 14):
 * a qcra-render child that dies while drawing, however it dies (a
 * document that crashes it, its memory or CPU limit, a kill), costs the
 * member a clear 503 page in their language and nothing else; the next
 * document is drawn by a new child.
 *
 * The children are the real ones, started by the portal on demand and
 * spoken to over their real protocol; the test kills them from outside
 * with SIGKILL (found in /proc as the server's children).
 */
#include <ctype.h>
#include <dirent.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/i18n.h"
#include "harness.h"
#include "journey.h"

#define PW "Tri ma\xc4\x8dke spavaju na krovu"

struct fx {
	struct journey_fx j; /* the server, Žarko's client and its last response */
	long long order;
};

/* Kills every qcra-render child of the server while running is set. */
struct killer {
	pid_t parent;
	atomic_int running; /* the test stops the killer thread with it */
	int kills;
	pthread_t thread;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[256];

	if (f == NULL || i18n_load(err, sizeof(err)) != 0 || journey_fx_start(&f->j, NULL) != 0)
		return -1;
	journey_member(&f->j.s, &f->j.c, &demo_zarko, "zdjuras", PW);
	f->order = journey_order(&f->j.c, &f->j.r, "NS", NULL, NULL);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	journey_fx_stop(&f->j);
	i18n_free();
	free(f);
	return 0;
}

#define BODY(f) buf_cstr(&(f)->j.r.body)

/* The pids of the live qcra-render children of parent, up to max. */
static size_t render_children(pid_t parent, pid_t *pids, size_t max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	size_t n = 0;

	if (d == NULL)
		return 0;
	while (n < max && (e = readdir(d)) != NULL) {
		char path[300], line[512], *close_paren;
		FILE *fp;
		pid_t ppid;
		char st;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		if ((fp = fopen(path, "r")) == NULL)
			continue;
		if (fgets(line, sizeof(line), fp) != NULL &&
		    strstr(line, "(qcra-render)") != NULL &&
		    (close_paren = strrchr(line, ')')) != NULL &&
		    sscanf(close_paren + 1, " %c %d", &st, &ppid) == 2 && ppid == parent &&
		    st != 'Z')
			pids[n++] = (pid_t)atoi(e->d_name);
		fclose(fp);
	}
	closedir(d);
	return n;
}

static void *killer_run(void *arg)
{
	struct killer *k = arg;
	struct timespec pause = {0, 500 * 1000};

	while (atomic_load(&k->running)) {
		pid_t pids[8];
		size_t i, n = render_children(k->parent, pids, 8);

		for (i = 0; i < n; i++)
			if (kill(pids[i], SIGKILL) == 0)
				k->kills++;
		nanosleep(&pause, NULL);
	}
	return NULL;
}

static void killer_start(struct killer *k, pid_t parent)
{
	memset(k, 0, sizeof(*k));
	k->parent = parent;
	atomic_init(&k->running, 1);
	assert_int_equal(pthread_create(&k->thread, NULL, killer_run, k), 0);
}

static void killer_stop(struct killer *k)
{
	atomic_store(&k->running, 0);
	pthread_join(k->thread, NULL);
}

/* The member's document while every renderer dies under it: 503 with the
 * catalogue's error.documents in the member's language, in an HTML page,
 * never a PDF; after the kills stop, the next request gets the document
 * from a new child. */
static void test_renderer_killed_gives_503_in_the_members_language_then_recovers(void **state)
{
	static const struct {
		const char *query;
		enum lang lang;
	} langs[] = {{"?lang=en", LANG_EN}, {"?lang=sr", LANG_SR}};
	struct fx *f = *state;
	struct killer k;
	char path[96];
	pid_t before[8], after[8];
	size_t i, j, nb, na;
	char *ct;

	/* A child running, so the kills hit a warm one first. */
	snprintf(path, sizeof(path), "/orders/%lld/request.pdf", f->order);
	assert_int_equal(journey_get(&f->j.c, path, &f->j.r), 200);
	nb = render_children(f->j.s.pid, before, 8);
	assert_true(nb >= 1);

	for (i = 0; i < sizeof(langs) / sizeof(langs[0]); i++) {
		killer_start(&k, f->j.s.pid);
		snprintf(path, sizeof(path), "/orders/%lld/proforma.pdf%s", f->order,
			 langs[i].query);
		assert_int_equal(journey_get(&f->j.c, path, &f->j.r), 503);
		killer_stop(&k);
		assert_true(k.kills >= 2); /* the first try and the one retry */
		ct = response_header(&f->j.r, "Content-Type");
		assert_non_null(ct);
		assert_non_null(strstr(ct, "text/html"));
		free(ct);
		assert_non_null(strstr(BODY(f), i18n_get(langs[i].lang, "error.documents")));
	}

	/* The fault is over: a new child draws it. */
	snprintf(path, sizeof(path), "/orders/%lld/proforma.pdf", f->order);
	assert_int_equal(journey_get(&f->j.c, path, &f->j.r), 200);
	assert_memory_equal(f->j.r.body.data, "%PDF", 4);
	na = render_children(f->j.s.pid, after, 8);
	assert_true(na >= 1);
	for (i = 0; i < na; i++)
		for (j = 0; j < nb; j++)
			assert_true(after[i] != before[j]);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_renderer_killed_gives_503_in_the_members_language_then_recovers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
