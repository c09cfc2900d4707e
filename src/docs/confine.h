/*
 * The confinement of a qcra-render child (src/render_main.c), once it
 * has loaded what drawing needs (render_warm_up): it can then read
 * requests and write answers on its socket, allocate memory, run the
 * drawing libraries' threads and nothing else.  No file is opened (not
 * VAR/secret.key, not the database), no socket made, no program run.
 *
 * Linked into qcra-render only (libseccomp); the portal and the CA never
 * load it.
 */
#ifndef QCRA_DOCS_CONFINE_H
#define QCRA_DOCS_CONFINE_H

#include <stddef.h>

#define CONFINE_MAX_AS (512ul << 20) /* address space of a child */

/*
 * Confines this process for good: no core dumps, no new privileges,
 * CONFINE_MAX_AS of address space, and a seccomp filter allowing the
 * system calls the child's loop makes (confine.c lists them, with why);
 * opening files, sockets and running programs fail with EACCES, any
 * other call ends the process (SIGSYS).  Single-threaded callers only
 * (threads started later inherit the filter).  0, or -1 (logged).
 */
int confine_start(void);

/*
 * For a confined process: tries to open each of the n paths, to make an
 * AF_INET and an AF_UNIX socket and to run /bin/sh, and writes one line
 * per attempt to fd ("open PATH: Permission denied"), then "confined"
 * when every attempt failed with EACCES.  Returns 0 then, else 1.
 */
int confine_check(int fd, char *const paths[], size_t n);

#endif
