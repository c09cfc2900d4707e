/*
 * Extra helpers for HTTP tests, next to harness.h: reading one cookie's
 * Set-Cookie line, finding one form control's tag, and running the
 * test SMTP server (tests/tools/smtpd.py).
 *
 * Ownership as in harness.h: every char * returned is malloc'd and the
 * caller frees it.
 */
#ifndef QCRA_TEST_HARNESS_EXTRA_H
#define QCRA_TEST_HARNESS_EXTRA_H

#include <stddef.h>
#include <sys/types.h>

#include "harness.h"

/*
 * The value of the Set-Cookie header of r that sets the cookie called
 * name (the whole line after "Set-Cookie:", attributes included,
 * trimmed), or NULL when r sets no such cookie.  A response may carry
 * several Set-Cookie headers; response_header() sees only the first.
 */
char *response_set_cookie(const struct response *r, const char *name);

/*
 * The text of the first <input ...> or <select ...> start tag in html
 * whose name attribute is exactly name (from '<' to '>'), or NULL.
 * For checks on a control's attributes (aria-invalid, value).
 */
char *html_control_tag(const char *html, const char *name);

/*
 * The text of the PDF in pdf (len bytes) as pdftotext reads it, every
 * run of white space made one space (so a phrase the layout broke over
 * two lines is found whole).  The file is written in s's var directory.
 * Caller frees; NULL after saying why on stderr.
 */
char *pdf_text(const struct server *s, const void *pdf, size_t len);

/* The value of the first header field called name in a mail message
 * (RFC 5322, unfolded, trimmed), or NULL. */
char *mail_header(const char *eml, const char *name);

/*
 * Makes c send from the loopback address addr ("127.0.0.2"): the server
 * then sees another client address, as for a request from elsewhere
 * (Linux answers on all of 127/8).  0 or -1.
 */
int client_source(struct client *c, const char *addr);

/* A TCP port on 127.0.0.1 that was free a moment ago, or -1. */
int free_tcp_port(void);

/* cmocka setup and teardown of a portal serving HTTPS (server_start_tls):
 * the state is a malloc'd struct server. */
int harness_tls_setup(void **state);
int harness_tls_teardown(void **state);

/* Number of entries in dir whose names end in suffix and do not start
 * with '.'; 0 when dir does not exist. */
size_t dir_count(const char *dir, const char *suffix);

/* The test SMTP server: a child running tests/tools/smtpd.py. */
struct smtpd {
	pid_t pid; /* 0 when not running */
	int out;   /* its stdout, -1 when closed */
};

/*
 * Runs `/usr/bin/python3 $QCRA_SRCDIR/tests/tools/smtpd.py --port port
 * --dir dir` and waits (15 s) for it to print "ready".  The child gets
 * SIGTERM when the test process dies.  Returns 0, or -1 after saying
 * why on stderr (nothing is left running).
 */
int smtpd_start(struct smtpd *d, int port, const char *dir);

/* SIGTERM and wait; safe on a zeroed or stopped struct. */
void smtpd_stop(struct smtpd *d);

#endif
