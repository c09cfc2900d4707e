/*
 * What the gate reads before a connection is handed over (gate.h): a
 * request head checked against RFC 9112 and the pool's limits, the
 * start of a TLS handshake, and a PROXY protocol header (v1 or v2).
 * Pure functions of the bytes peeked so far: gate.c calls them as more
 * arrives; tests/unit calls them directly.
 */
#include "http/gate.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Each header line, cookie and query parameter takes a record in
 * libmicrohttpd's pool: their numbers are bounded with the head's size
 * (server.c sizes the pool for the worst case). */
#define GATE_MAX_HEADERS 64
#define GATE_MAX_COOKIES 32
#define GATE_MAX_PARAMS 32
#define PROXY_V1_MAX 107 /* a v1 line, CRLF included */

/* ---- The head ------------------------------------------------------------ */

static int is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* A line from p up to (not including) its LF, without a CR before it. */
static size_t line_len(const char *p, const char *lf)
{
	size_t n = (size_t)(lf - p);

	return n > 0 && p[n - 1] == '\r' ? n - 1 : n;
}

/* The request line (len bytes, no line end).  0, or a status. */
static unsigned check_request_line(const char *l, size_t len, size_t max_target, int *minor)
{
	size_t i = 0, t;

	while (i < len && is_tchar((unsigned char)l[i]))
		i++;
	if (i == 0 || i == len || l[i] != ' ')
		return 400;
	t = ++i;
	while (i < len && l[i] != ' ') {
		if ((unsigned char)l[i] < 0x21 || l[i] == 0x7f)
			return 400;
		i++;
	}
	if (i - t > max_target)
		return 414;
	if (i == t || i == len)
		return 400;
	for (size_t k = t, params = 1; k < i; k++) {
		if (l[k] == '%' && k + 2 < i && l[k + 1] == '0' && l[k + 2] == '0')
			return 400; /* a NUL would cut the path short */
		if (l[k] == '&' && ++params > GATE_MAX_PARAMS)
			return 431;
	}
	l += i + 1;
	len -= i + 1;
	if (len != 8 || strncmp(l, "HTTP/", 5) != 0 || l[6] != '.' || l[5] < '0' || l[5] > '9' ||
	    l[7] < '0' || l[7] > '9')
		return 400;
	if (l[5] != '1')
		return 505;
	*minor = l[7] - '0';
	return 0;
}

/* One header line (no line end).  0, or a status; counts Host and
 * Transfer-Encoding lines. */
static unsigned check_header_line(const char *l, size_t len, int *hosts, int *te, int *cookies)
{
	const char *colon = memchr(l, ':', len);
	size_t i, nlen;

	if (colon == NULL || colon == l)
		return 400; /* also obsolete line folding (RFC 9112 5.2) */
	nlen = (size_t)(colon - l);
	for (i = 0; i < nlen; i++)
		if (!is_tchar((unsigned char)l[i]))
			return 400;
	for (i = nlen + 1; i < len; i++)
		if (((unsigned char)l[i] < 0x20 && l[i] != '\t') || l[i] == 0x7f)
			return 400;
	if (nlen == 4 && strncasecmp(l, "host", 4) == 0)
		(*hosts)++;
	else if (nlen == 17 && strncasecmp(l, "transfer-encoding", 17) == 0)
		(*te)++;
	else if (nlen == 6 && strncasecmp(l, "cookie", 6) == 0) {
		for (i = nlen + 1, (*cookies)++; i < len; i++)
			if (l[i] == ';' && ++*cookies > GATE_MAX_COOKIES)
				return 431;
	} else if (nlen == 14 && strncasecmp(l, "content-length", 14) == 0) {
		for (i = nlen + 1; i < len && (l[i] == ' ' || l[i] == '\t'); i++)
			;
		if (i == len)
			return 400;
		for (; i < len && l[i] >= '0' && l[i] <= '9'; i++)
			;
		for (; i < len && (l[i] == ' ' || l[i] == '\t'); i++)
			;
		if (i != len)
			return 400;
	}
	return 0;
}

unsigned gate_head_check(const char *head, size_t len, size_t max_head, size_t max_target,
			 size_t *end)
{
	const char *p = head, *stop, *lf;
	int minor = 0, hosts = 0, te = 0, lines = 0, cookies = 0;
	unsigned st;

	*end = 0;
	stop = head + (len > max_head ? max_head : len);
	if ((lf = memchr(p, '\n', (size_t)(stop - p))) == NULL) {
		if (len > max_target + 32)
			return 414;
		return len > max_head ? 431 : 0;
	}
	if ((st = check_request_line(p, line_len(p, lf), max_target, &minor)) != 0)
		return st;
	for (p = lf + 1;; p = lf + 1) {
		if ((lf = memchr(p, '\n', (size_t)(stop - p))) == NULL)
			return len > max_head ? 431 : 0;
		if (line_len(p, lf) == 0)
			break;
		if (++lines > GATE_MAX_HEADERS)
			return 431;
		if ((st = check_header_line(p, line_len(p, lf), &hosts, &te, &cookies)) != 0)
			return st;
	}
	/* RFC 9112 3.2: exactly one Host in HTTP/1.1, at most one before. */
	if (hosts > 1 || (minor >= 1 && hosts != 1))
		return 400;
	if (te)
		return 411; /* RFC 9112 6.3: a server may want Content-Length */
	*end = (size_t)(lf + 1 - head);
	return 0;
}

int gate_tls_check(const unsigned char *rec, size_t len)
{
	size_t body;

	/* RFC 8446 5.1: handshake (22), legacy version 3.x, length. */
	if ((len >= 1 && rec[0] != 22) || (len >= 2 && rec[1] != 3))
		return -1;
	if (len < 5)
		return 0;
	body = (size_t)rec[3] << 8 | rec[4];
	if (body == 0 || body > GATE_TLS_RECORD_MAX - 5)
		return -1;
	return len >= 5 + body;
}

/* ---- The PROXY protocol header ------------------------------------------ */

static const unsigned char proxy_v2_sig[12] = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
					       0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a};

/* A port in decimal (1 to 5 digits, at most 65535) at s[0..n): 0 or -1. */
static int proxy_port(const char *s, size_t n, uint16_t *port)
{
	unsigned long v = 0;
	size_t i;

	if (n == 0 || n > 5)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* "PROXY TCP4 src dst sport dport\r\n" (or TCP6, or UNKNOWN ...). */
static int proxy_v1(const unsigned char *b, size_t len, struct sockaddr_storage *sa,
		    socklen_t *salen, size_t *hlen)
{
	const char *line = (const char *)b, *tok[6];
	size_t tlen[6], i, n = 0, end;
	char addr[INET6_ADDRSTRLEN];
	uint16_t port;

	size_t lim = len < PROXY_V1_MAX ? len : PROXY_V1_MAX;

	for (end = 0; end + 1 < lim; end++)
		if (b[end] == '\r' && b[end + 1] == '\n')
			break;
	if (end + 1 >= lim)
		return len >= PROXY_V1_MAX ? -1 : 0;
	*hlen = end + 2;
	*salen = 0;
	for (i = 0; i < end && n < 6; n++) { /* single spaces between words */
		tok[n] = line + i;
		for (tlen[n] = 0; i < end && line[i] != ' '; i++)
			tlen[n]++;
		if (tlen[n] == 0)
			return -1;
		if (i < end)
			i++;
	}
	if (i < end || n < 2)
		return -1;
	if (tlen[1] == 7 && memcmp(tok[1], "UNKNOWN", 7) == 0)
		return 1;
	if (n != 6 || tlen[1] != 4 ||
	    (memcmp(tok[1], "TCP4", 4) != 0 && memcmp(tok[1], "TCP6", 4) != 0) ||
	    tlen[2] >= sizeof(addr) || proxy_port(tok[4], tlen[4], &port) != 0 ||
	    proxy_port(tok[5], tlen[5], &(uint16_t){0}) != 0)
		return -1;
	snprintf(addr, sizeof(addr), "%.*s", (int)tlen[3], tok[3]);
	if (tlen[3] >= sizeof(addr) ||
	    inet_pton(tok[1][3] == '4' ? AF_INET : AF_INET6, addr, &(struct in6_addr){0}) != 1)
		return -1; /* the destination, checked and not used */
	memcpy(addr, tok[2], tlen[2]);
	addr[tlen[2]] = '\0';
	memset(sa, 0, sizeof(*sa));
	if (tok[1][3] == '4') {
		struct sockaddr_in *in = (struct sockaddr_in *)sa;

		if (inet_pton(AF_INET, addr, &in->sin_addr) != 1)
			return -1;
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		*salen = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)sa;

		if (inet_pton(AF_INET6, addr, &in6->sin6_addr) != 1)
			return -1;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		*salen = sizeof(*in6);
	}
	return 1;
}

/* The binary header: signature, version 2 and command, family and
 * transport, length, addresses, TLVs (skipped). */
static int proxy_v2(const unsigned char *b, size_t len, struct sockaddr_storage *sa,
		    socklen_t *salen, size_t *hlen)
{
	size_t alen;

	if (len < 16)
		return 0;
	if ((b[12] & 0xf0) != 0x20 || (b[12] & 0x0f) > 1)
		return -1;
	alen = (size_t)b[14] << 8 | b[15];
	if (16 + alen > GATE_PROXY_V2_MAX)
		return -1;
	if (len < 16 + alen)
		return 0;
	*hlen = 16 + alen;
	*salen = 0;
	if ((b[12] & 0x0f) == 0) /* LOCAL: the balancer's own connection */
		return 1;
	memset(sa, 0, sizeof(*sa));
	if (b[13] == 0x11) { /* TCP over IPv4 */
		struct sockaddr_in *in = (struct sockaddr_in *)sa;

		if (alen < 12)
			return -1;
		in->sin_family = AF_INET;
		memcpy(&in->sin_addr, b + 16, 4);
		memcpy(&in->sin_port, b + 24, 2);
		*salen = sizeof(*in);
	} else if (b[13] == 0x21) { /* TCP over IPv6 */
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)sa;

		if (alen < 36)
			return -1;
		in6->sin6_family = AF_INET6;
		memcpy(&in6->sin6_addr, b + 16, 16);
		memcpy(&in6->sin6_port, b + 48, 2);
		*salen = sizeof(*in6);
	}
	return 1; /* another family: no address of a client */
}

int gate_proxy_check(const unsigned char *b, size_t len, struct sockaddr_storage *sa,
		     socklen_t *salen, size_t *hlen)
{
	size_t n;

	n = len < 6 ? len : 6;
	if (memcmp(b, "PROXY ", n) == 0)
		return len < 6 ? 0 : proxy_v1(b, len, sa, salen, hlen);
	n = len < 12 ? len : 12;
	if (memcmp(b, proxy_v2_sig, n) == 0)
		return len < 12 ? 0 : proxy_v2(b, len, sa, salen, hlen);
	return -1;
}
