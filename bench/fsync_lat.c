/*
 * The disk's durable-write latency, printed at the top of the bench
 * report: COUNT times, a 4 KiB write at the start of FILE followed by
 * fsync(), each timed.  This is what a durable SQLite commit in WAL
 * mode waits for (one fsync of the WAL per commit), without SQLite.
 *
 * usage: fsync_lat FILE COUNT
 * Prints: fsyncs=N median_us=M p99_us=P max_us=X
 * FILE is created and removed afterwards.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	char block[4096];
	double *us, t0;
	long n, i;
	int fd, rc = 1;

	if (argc != 3 || (n = strtol(argv[2], NULL, 10)) < 1 || n > 100000) {
		fprintf(stderr, "usage: fsync_lat FILE COUNT (1-100000)\n");
		return 2;
	}
	if ((us = calloc((size_t)n, sizeof(*us))) == NULL)
		return 1;
	if ((fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0600)) < 0) {
		perror(argv[1]);
		free(us);
		return 1;
	}
	/* The file's first block allocated and durable before timing, so
	 * each timed fsync writes the data block alone, as a WAL append
	 * into a preallocated file would. */
	memset(block, 'x', sizeof(block));
	if (pwrite(fd, block, sizeof(block), 0) != (ssize_t)sizeof(block) || fsync(fd) != 0) {
		perror(argv[1]);
		goto out;
	}
	for (i = 0; i < n; i++) {
		block[i % sizeof(block)] = (char)('a' + i % 26);
		t0 = now_us();
		if (pwrite(fd, block, sizeof(block), 0) != (ssize_t)sizeof(block) || fsync(fd) != 0) {
			perror(argv[1]);
			goto out;
		}
		us[i] = now_us() - t0;
	}
	qsort(us, (size_t)n, sizeof(*us), by_value);
	printf("fsyncs=%ld median_us=%.0f p99_us=%.0f max_us=%.0f\n", n, us[n / 2],
	       us[(size_t)((double)n * 0.99) < (size_t)n ? (size_t)((double)n * 0.99) : (size_t)n - 1],
	       us[n - 1]);
	rc = 0;
out:
	close(fd);
	unlink(argv[1]);
	free(us);
	return rc;
}
