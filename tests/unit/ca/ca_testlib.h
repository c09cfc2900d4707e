/*
 * Helpers shared by the CA service tests (test_ca_*.c).
 */
#ifndef QCRA_CA_TESTLIB_H
#define QCRA_CA_TESTLIB_H

#include <stddef.h>

#include "util/buf.h"

/* A free loopback TCP port, or -1. */
int free_port(void);
/* 1 when something listens on the loopback port. */
int port_open(int port);
/* Runs a shell command; its stdout replaces out (may be NULL).  Exit
 * status. */
int sh(struct buf *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* libcurl write callback appending to the struct buf in arg. */
size_t on_data(char *p, size_t size, size_t n, void *arg);

#endif
