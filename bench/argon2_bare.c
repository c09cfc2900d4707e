/*
 * The physical bound of scenario 5 (login): bare Argon2id hashes with
 * the portal's parameters (src/core/pwhash.h: m = 19 MiB, t = 2, p = 1)
 * through libsodium's crypto_pwhash_str, nothing else.
 *
 * usage: argon2_bare THREADS SECONDS
 * Runs THREADS threads hashing for SECONDS each and prints one line:
 *   threads=T hashes=N seconds=S per_second=R ms_per_hash=M
 * where ms_per_hash is the mean time of one hash on one thread.
 */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define OPSLIMIT 2
#define MEMLIMIT (19u * 1024u * 1024u)

static double seconds;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct worker {
	pthread_t t;
	long hashes;
	double busy;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	char out[crypto_pwhash_STRBYTES];
	double t0 = now(), t;

	do {
		if (crypto_pwhash_str(out, "demo-lozinka-2026", 17, OPSLIMIT, MEMLIMIT) != 0) {
			fprintf(stderr, "argon2_bare: out of memory\n");
			exit(1);
		}
		w->hashes++;
		t = now();
	} while (t - t0 < seconds);
	w->busy = t - t0;
	return NULL;
}

int main(int argc, char **argv)
{
	struct worker *w;
	long total = 0;
	double busy = 0, t0, wall;
	int n, i;

	if (argc != 3 || (n = atoi(argv[1])) < 1 || (seconds = atof(argv[2])) <= 0) {
		fprintf(stderr, "usage: argon2_bare THREADS SECONDS\n");
		return 2;
	}
	if (sodium_init() < 0)
		return 1;
	if ((w = calloc((size_t)n, sizeof(*w))) == NULL)
		return 1;
	t0 = now();
	for (i = 0; i < n; i++)
		pthread_create(&w[i].t, NULL, work, &w[i]);
	for (i = 0; i < n; i++) {
		pthread_join(w[i].t, NULL);
		total += w[i].hashes;
		busy += w[i].busy;
	}
	wall = now() - t0;
	printf("threads=%d hashes=%ld seconds=%.2f per_second=%.1f ms_per_hash=%.2f\n", n, total,
	       wall, (double)total / wall, 1000.0 * busy / (double)total);
	free(w);
	return 0;
}
