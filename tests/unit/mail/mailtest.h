/*
 * Helpers for the mail tests: temporary directories, reading files
 * back, and the real SMTP server of tests/tools/smtpd.py.
 */
#ifndef QCRA_MAILTEST_H
#define QCRA_MAILTEST_H

#include <stddef.h>
#include <sys/types.h>

struct mailtest_smtpd {
	pid_t pid;
	int out; /* its stdout, kept open until it stops */
	int port;
};

/* A fresh directory under $TMPDIR (or /tmp); caller frees the string
 * and removes the tree with mailtest_rmtree.  Aborts on failure. */
char *mailtest_tmpdir(void);
void mailtest_rmtree(const char *dir);

/* A loopback TCP port nothing listens on (bind to port 0, close). */
int mailtest_free_port(void);

/* Starts smtpd.py on 127.0.0.1:port storing into dir and waits for its
 * "ready".  extra is NULL or one more argument ("--envelope") and
 * extra2 NULL or another ("--auth=u:p").  0 or -1. */
int mailtest_smtpd_start(struct mailtest_smtpd *s, int port, const char *dir, const char *extra,
			 const char *extra2);
void mailtest_smtpd_stop(struct mailtest_smtpd *s);

/* Entries in dir whose names end in suffix ("" for all but . and ..). */
int mailtest_count(const char *dir, const char *suffix);

/* The whole file, NUL-terminated; *len (may be NULL) gets its length.
 * NULL when it cannot be read.  Caller frees. */
char *mailtest_read(const char *path, size_t *len);

#endif
