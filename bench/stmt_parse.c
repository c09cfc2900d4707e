/*
 * Scenario 7 while no import command exists: the bank statement parser
 * alone (src/domain/statement.h), linked against the portal's core
 * library.  Reads FILE once, then parses it RUNS times and prints the
 * fastest run:
 *   lines=N errors=E seconds=S lines_per_second=R
 *
 * usage: stmt_parse FILE [RUNS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "domain/statement.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct statement st;
	double best = 1e9, t0, t;
	size_t len = 0, cap = 0, got, nlines = 0, nerrors = 0;
	char *data = NULL;
	FILE *f;
	int runs, i;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: stmt_parse FILE [RUNS]\n");
		return 2;
	}
	runs = argc == 3 ? atoi(argv[2]) : 3;
	if (runs < 1 || (f = fopen(argv[1], "rb")) == NULL) {
		fprintf(stderr, "stmt_parse: cannot read %s\n", argv[1]);
		return 1;
	}
	do {
		if (cap - len < 65536 && (data = realloc(data, cap += 1 << 20)) == NULL)
			return 1;
		got = fread(data + len, 1, cap - len, f);
		len += got;
	} while (got > 0);
	fclose(f);
	statement_global_init();
	for (i = 0; i < runs; i++) {
		t0 = now();
		if (statement_parse(data, len, STMT_CSV, &st) != 0) {
			fprintf(stderr, "stmt_parse: refused: %s\n", st.error);
			statement_free(&st);
			return 1;
		}
		t = now() - t0;
		nlines = st.nlines;
		nerrors = st.nerrors_total;
		statement_free(&st);
		if (t < best)
			best = t;
	}
	printf("lines=%zu errors=%zu seconds=%.3f lines_per_second=%.0f\n", nlines, nerrors, best,
	       (double)nlines / best);
	free(data);
	return 0;
}
