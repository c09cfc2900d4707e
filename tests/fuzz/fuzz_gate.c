/*
 * libFuzzer target for gate_head_check(), the request head check the
 * gate makes before libmicrohttpd reads anything (http/gate.c).  Besides
 * "does not crash or read past len" (the input is copied to a buffer of
 * exactly its size), checks what the gate relies on: the answer is 0 or
 * one of the statuses it documents; a complete head's end lies within
 * the input and the head limit and follows a line feed; the same head
 * alone, without what came after it, gets the same answer; and limits
 * as small as 512/128 bytes are honoured as well as the server's.  On
 * the same bytes as the start of a TLS connection, gate_tls_check's
 * answer never goes back as more arrives: refused stays refused, whole
 * stays whole, and "whole" means the announced record is all there.
 * gate_proxy_check (a balancer's PROXY header) is held to the same:
 * its answer never goes back as bytes arrive, a whole header lies
 * within what arrived, and the address it gives is IPv4 or IPv6.
 */
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/gate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const char *head, size_t len, size_t max_head, size_t max_target)
{
	size_t end = 1, again = 1;
	unsigned st = gate_head_check(head, len, max_head, max_target, &end);

	if (st != 0) {
		if ((st != 400 && st != 411 && st != 414 && st != 431 && st != 505) || end != 0)
			abort();
		return;
	}
	if (end == 0) {
		/* Incomplete: only while it may still fit. */
		if (len > max_head)
			abort();
		return;
	}
	if (end > len || end > max_head || head[end - 1] != '\n')
		abort();
	if (gate_head_check(head, end, max_head, max_target, &again) != 0 || again != end)
		abort();
}

static void check_tls(const uint8_t *rec, size_t size)
{
	int last = 0;

	for (size_t len = 0; len <= size; len++) {
		int r = gate_tls_check(rec, len);

		if (r < -1 || r > 1 || (last != 0 && r != last))
			abort();
		if (r == 1 && (len < 6 || rec[0] != 22 || len < 5 + ((size_t)rec[3] << 8 | rec[4])))
			abort();
		last = r;
	}
}

static void check_proxy(const uint8_t *b, size_t size)
{
	struct sockaddr_storage sa;
	socklen_t salen;
	size_t hlen, whole_at = 0;
	int last = 0;

	for (size_t len = 0; len <= size; len++) {
		int r;

		salen = 1;
		hlen = 0;
		r = gate_proxy_check(b, len, &sa, &salen, &hlen);
		if (r < -1 || r > 1 || (last != 0 && r != last))
			abort();
		if (r == 1) {
			if (hlen == 0 || hlen > len || (whole_at != 0 && hlen != whole_at))
				abort();
			if (salen != 0 &&
			    !(sa.ss_family == AF_INET && salen == sizeof(struct sockaddr_in)) &&
			    !(sa.ss_family == AF_INET6 && salen == sizeof(struct sockaddr_in6)))
				abort();
			whole_at = hlen;
		}
		last = r;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *head = malloc(size ? size : 1);

	if (head == NULL)
		abort();
	memcpy(head, data, size);
	check(head, size, 8192, 4096); /* the server's limits */
	check(head, size, 512, 128);
	check_tls((const uint8_t *)head, size < 64 ? size : 64);
	check_proxy((const uint8_t *)head, size < 256 ? size : 256);
	free(head);
	return 0;
}
