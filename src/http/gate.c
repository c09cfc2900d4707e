/*
 * The gate: accepting, connection limits, and the first request head
 * checked before libmicrohttpd reads it (gate.h).  One thread with
 * epoll; a head is looked at with MSG_PEEK (edge-triggered: woken when
 * more of it arrives), so the library later reads it from the socket
 * as if the gate had never been there.
 */
#include "http/gate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/log.h"

/* Each header line, cookie and query parameter takes a record in
 * libmicrohttpd's pool: their numbers are bounded with the head's size
 * (server.c sizes the pool for the worst case). */
#define GATE_MAX_HEADERS 64
#define GATE_MAX_COOKIES 32
#define GATE_MAX_PARAMS 32
#define LINGER_MS 2000             /* reading what a refused client still sends */
#define TLS_RECORD_MAX (5 + 16384) /* a plaintext record: header and body */
#define PROXY_V1_MAX 107           /* a v1 line, CRLF included */
#define PROXY_V2_MAX (16 + 2048)   /* a v2 header with its TLVs, as accepted */
#define MAX_PROXIES 16

enum held_state { H_FREE, H_PROXY, H_HEAD, H_LINGER };

/* A connection the gate holds: waiting for its head, or draining after
 * the gate has answered it. */
struct held {
	int fd;
	enum held_state state;
	long long deadline_ms;
	struct sockaddr_storage sa;
	socklen_t salen;
};

/* Connections per client address: open addressing, linear probing. */
struct addr_count {
	unsigned char key[16];
	unsigned char used;
	unsigned count;
};

struct gate {
	struct gate_conf conf;
	int ep, stop_fd[2];
	pthread_t thread;
	struct held *held;
	int *free_slots;
	unsigned nfree;
	pthread_mutex_t lock; /* addrs, total */
	struct addr_count *addrs;
	size_t addr_cap; /* a power of two */
	unsigned total;
	char *peek; /* peek_len bytes */
	size_t peek_len;
	unsigned char proxies[MAX_PROXIES][16]; /* proxy_from, as addr16 writes them */
	unsigned nproxies;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

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
	if (body == 0 || body > TLS_RECORD_MAX - 5)
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
	if (16 + alen > PROXY_V2_MAX)
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

/* The address of sa in 16 bytes, IPv4 as IPv4-mapped IPv6. */
static void addr16(const struct sockaddr *sa, unsigned char out[16])
{
	memset(out, 0, 16);
	if (sa->sa_family == AF_INET) {
		out[10] = out[11] = 0xff;
		memcpy(out + 12, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6)
		memcpy(out, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
}

static int is_proxy(const struct gate *g, const struct sockaddr *sa)
{
	unsigned char a[16];
	unsigned i;

	addr16(sa, a);
	for (i = 0; i < g->nproxies; i++)
		if (memcmp(g->proxies[i], a, 16) == 0)
			return 1;
	return 0;
}

/* The IP address s into ss: 0, or -1 when it is not one. */
static int ip_parse(const char *s, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &((struct sockaddr_in *)ss)->sin_addr) == 1)
		ss->ss_family = AF_INET;
	else if (inet_pton(AF_INET6, s, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1)
		ss->ss_family = AF_INET6;
	else
		return -1;
	return 0;
}

/* proxy_from into g->proxies: 0, or -1 with err naming what is wrong. */
static int proxies_parse(struct gate *g, const char *list, char *err, size_t errlen)
{
	const char *p = list;
	char one[INET6_ADDRSTRLEN];
	struct sockaddr_storage ss;
	size_t n;

	while (p != NULL && *(p += strspn(p, ", ")) != '\0') {
		n = strcspn(p, ", ");
		snprintf(one, sizeof(one), "%.*s", (int)n, p);
		if (n >= sizeof(one) || ip_parse(one, &ss) != 0) {
			snprintf(err, errlen, "proxy_protocol_from: \"%.*s\" is not an IP address",
				 (int)(n < 64 ? n : 64), p);
			return -1;
		}
		if (g->nproxies == MAX_PROXIES) {
			snprintf(err, errlen, "proxy_protocol_from: more than %d addresses",
				 MAX_PROXIES);
			return -1;
		}
		addr16((struct sockaddr *)&ss, g->proxies[g->nproxies++]);
		p += n;
	}
	return 0;
}

/* ---- Counting ------------------------------------------------------------ */

/*
 * IPv4: the address, written as its IPv4-mapped IPv6 form, so a
 * dual-stack socket's IPv4 client (::ffff:a.b.c.d) is the same client.
 * IPv6: the /64 prefix, the rest zero: one subscriber is given a whole
 * /64 (RFC 6177, RFC 7934) and may take any address in it, so counting
 * per address would not limit it.  The two never meet: a /64 key has
 * bytes 10 and 11 zero, an IPv4 key 0xff.
 */
void gate_addr_key(const struct sockaddr *sa, unsigned char key[16])
{
	const unsigned char *a6;

	memset(key, 0, 16);
	if (sa->sa_family == AF_INET) {
		key[10] = key[11] = 0xff;
		memcpy(key + 12, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		a6 = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr;
		if (IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)(const void *)a6))
			memcpy(key, a6, 16);
		else
			memcpy(key, a6, 8);
	}
}

static size_t addr_slot(const struct gate *g, const unsigned char key[16])
{
	uint32_t h = 2166136261u; /* FNV-1a */
	size_t i;

	for (i = 0; i < 16; i++)
		h = (h ^ key[i]) * 16777619u;
	for (i = h & (g->addr_cap - 1); g->addrs[i].used && memcmp(g->addrs[i].key, key, 16) != 0;
	     i = (i + 1) & (g->addr_cap - 1))
		;
	return i;
}

/* One more connection from sa, if the limits allow: 0, else -1. */
static int count_add(struct gate *g, const struct sockaddr *sa)
{
	unsigned char key[16];
	size_t i;
	int rc = -1;

	gate_addr_key(sa, key);
	pthread_mutex_lock(&g->lock);
	i = addr_slot(g, key);
	if (g->total < g->conf.max_conns &&
	    (!g->addrs[i].used || g->addrs[i].count < g->conf.max_per_addr)) {
		memcpy(g->addrs[i].key, key, 16);
		g->addrs[i].used = 1;
		g->addrs[i].count++;
		g->total++;
		rc = 0;
	}
	pthread_mutex_unlock(&g->lock);
	return rc;
}

void gate_release(struct gate *g, const struct sockaddr *sa)
{
	unsigned char key[16];
	size_t i, j, k, mask;

	if (g == NULL || sa == NULL)
		return;
	gate_addr_key(sa, key);
	pthread_mutex_lock(&g->lock);
	i = addr_slot(g, key);
	if (g->addrs[i].used && --g->addrs[i].count == 0) {
		/* Backward-shift deletion keeps every probe chain whole. */
		mask = g->addr_cap - 1;
		g->addrs[i].used = 0;
		for (j = (i + 1) & mask; g->addrs[j].used; j = (j + 1) & mask) {
			uint32_t h = 2166136261u;

			for (k = 0; k < 16; k++)
				h = (h ^ g->addrs[j].key[k]) * 16777619u;
			k = h & mask;
			/* j moves to i when i lies cyclically in [k, j). */
			if ((j > i && (k <= i || k > j)) || (j < i && k <= i && k > j)) {
				g->addrs[i] = g->addrs[j];
				g->addrs[j].used = 0;
				i = j;
			}
		}
	}
	if (g->total > 0)
		g->total--;
	pthread_mutex_unlock(&g->lock);
}

/* ---- Connections --------------------------------------------------------- */

static void held_close(struct gate *g, int slot)
{
	struct held *h = &g->held[slot];

	epoll_ctl(g->ep, EPOLL_CTL_DEL, h->fd, NULL);
	close(h->fd);
	gate_release(g, (struct sockaddr *)&h->sa);
	h->state = H_FREE;
	g->free_slots[g->nfree++] = slot;
}

/* Answers a refused head, then reads what the client still sends for a
 * while, so closing does not reset the connection under the answer. */
static void held_refuse(struct gate *g, int slot, unsigned status, size_t len)
{
	struct held *h = &g->held[slot];
	struct buf out = BUF_INIT;

	g->conf.refuse(g->conf.arg, status, g->peek, len, (struct sockaddr *)&h->sa, &out);
	if (send(h->fd, out.data, out.len, MSG_NOSIGNAL) != (ssize_t)out.len)
		log_warnx("gate: answer %u cut short", status);
	buf_free(&out);
	shutdown(h->fd, SHUT_WR);
	h->state = H_LINGER;
	h->deadline_ms = now_ms() + LINGER_MS;
}

static void held_hand(struct gate *g, int slot)
{
	struct held *h = &g->held[slot];

	epoll_ctl(g->ep, EPOLL_CTL_DEL, h->fd, NULL);
	h->state = H_FREE;
	g->free_slots[g->nfree++] = slot;
	/* From here the library's close notification releases the count. */
	g->conf.hand(g->conf.arg, g, h->fd, (struct sockaddr *)&h->sa, h->salen);
}

static void held_readable(struct gate *g, int slot, uint32_t events);

/* The balancer's header: read (it is not for the library), and the
 * connection becomes the client's it names. */
static void held_proxy(struct gate *g, int slot, uint32_t events)
{
	struct held *h = &g->held[slot];
	struct sockaddr_storage sa;
	socklen_t salen = 0;
	size_t hlen = 0;
	ssize_t n = recv(h->fd, g->peek, g->peek_len, MSG_PEEK);
	int whole;

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		held_close(g, slot);
		return;
	}
	if (n < 0)
		return;
	whole = gate_proxy_check((const unsigned char *)g->peek, (size_t)n, &sa, &salen, &hlen);
	if (whole == 0 && !(events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
		return;
	if (whole <= 0 || recv(h->fd, g->peek, hlen, 0) != (ssize_t)hlen) {
		held_close(g, slot); /* no answer: the balancer speaks no HTTP to us first */
		return;
	}
	if (salen > 0) {
		if (count_add(g, (struct sockaddr *)&sa) != 0) {
			held_close(g, slot); /* that client is over its limit */
			return;
		}
		gate_release(g, (struct sockaddr *)&h->sa);
		memcpy(&h->sa, &sa, sizeof(sa));
		h->salen = salen;
	}
	if (!g->conf.inspect) {
		held_hand(g, slot);
		return;
	}
	h->state = H_HEAD;
	held_readable(g, slot, events); /* what came with the header (edge-triggered) */
}

static void held_readable(struct gate *g, int slot, uint32_t events)
{
	struct held *h = &g->held[slot];
	char drain[4096];
	ssize_t n;
	size_t end;
	unsigned st;

	if (h->state == H_LINGER) {
		while ((n = recv(h->fd, drain, sizeof(drain), 0)) > 0)
			;
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			held_close(g, slot);
		return;
	}
	if (h->state == H_PROXY) {
		held_proxy(g, slot, events);
		return;
	}
	n = recv(h->fd, g->peek, g->peek_len, MSG_PEEK);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		held_close(g, slot);
		return;
	}
	if (n < 0)
		return;
	if (g->conf.inspect == GATE_TLS) {
		int whole = gate_tls_check((const unsigned char *)g->peek, (size_t)n);

		if (whole > 0)
			held_hand(g, slot);
		else if (whole < 0 || (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
			held_close(g, slot); /* no answer: it is not a TLS client */
		return;
	}
	st = gate_head_check(g->peek, (size_t)n, g->conf.max_head, g->conf.max_target, &end);
	if (st != 0)
		held_refuse(g, slot, st, (size_t)n);
	else if (end > 0)
		held_hand(g, slot);
	else if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		held_close(g, slot); /* the head will never end */
}

static void on_accept(struct gate *g)
{
	struct sockaddr_storage sa;
	socklen_t salen;
	struct epoll_event ev;
	int fd, slot, i, proxied;

	for (i = 0; i < 256; i++) {
		salen = sizeof(sa);
		fd = accept4(g->conf.listen_fd, (struct sockaddr *)&sa, &salen,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				log_warn("gate: accept");
			return;
		}
		if (count_add(g, (struct sockaddr *)&sa) != 0) {
			close(fd); /* over the limit for this address or in total */
			continue;
		}
		proxied = g->nproxies > 0 && is_proxy(g, (struct sockaddr *)&sa);
		if (!g->conf.inspect && !proxied) {
			g->conf.hand(g->conf.arg, g, fd, (struct sockaddr *)&sa, salen);
			continue;
		}
		if (g->nfree == 0) { /* cannot happen: slots = max_conns */
			close(fd);
			gate_release(g, (struct sockaddr *)&sa);
			continue;
		}
		slot = g->free_slots[--g->nfree];
		g->held[slot].fd = fd;
		g->held[slot].state = proxied ? H_PROXY : H_HEAD;
		g->held[slot].deadline_ms = now_ms() + 1000LL * g->conf.head_secs;
		memcpy(&g->held[slot].sa, &sa, sizeof(sa));
		g->held[slot].salen = salen;
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
		ev.data.u32 = (uint32_t)slot + 2;
		if (epoll_ctl(g->ep, EPOLL_CTL_ADD, fd, &ev) != 0)
			held_close(g, slot);
	}
}

/* Heads past their deadline get 408; lingering ones are closed. */
static void expire(struct gate *g)
{
	long long now = now_ms();
	unsigned i;

	for (i = 0; i < g->conf.max_conns; i++) {
		struct held *h = &g->held[i];
		ssize_t n;

		if (h->state == H_FREE || h->deadline_ms > now)
			continue;
		if (h->state == H_LINGER || h->state == H_PROXY) {
			held_close(g, (int)i); /* a balancer's header that never came */
			continue;
		}
		if (g->conf.inspect == GATE_TLS) {
			held_close(g, (int)i); /* a handshake that never came */
			continue;
		}
		n = recv(h->fd, g->peek, g->conf.max_head + 1, MSG_PEEK);
		held_refuse(g, (int)i, 408, n > 0 ? (size_t)n : 0);
	}
}

static void *gate_main(void *arg)
{
	struct gate *g = arg;
	struct epoll_event evs[64];
	long long next_expire = 0;
	int n, i;

	for (;;) {
		n = epoll_wait(g->ep, evs, 64, 100);
		for (i = 0; i < n; i++) {
			uint32_t id = evs[i].data.u32;

			if (id == 0)
				return NULL; /* gate_stop */
			if (id == 1)
				on_accept(g);
			else if (g->held[id - 2].state != H_FREE)
				held_readable(g, (int)id - 2, evs[i].events);
		}
		if (now_ms() >= next_expire) {
			expire(g);
			next_expire = now_ms() + 100;
		}
	}
}

int gate_start(const struct gate_conf *conf, struct gate **gp, char *err, size_t errlen)
{
	struct gate *g = calloc(1, sizeof(*g));
	struct epoll_event ev;
	unsigned i;

	*gp = NULL;
	if (g == NULL)
		goto oom;
	g->conf = *conf;
	g->ep = -1;
	g->stop_fd[0] = g->stop_fd[1] = -1;
	for (g->addr_cap = 64; g->addr_cap < 2 * (size_t)conf->max_conns; g->addr_cap *= 2)
		;
	g->held = calloc(conf->max_conns, sizeof(*g->held));
	g->free_slots = calloc(conf->max_conns, sizeof(*g->free_slots));
	g->addrs = calloc(g->addr_cap, sizeof(*g->addrs));
	g->peek_len = conf->inspect == GATE_TLS ? TLS_RECORD_MAX : conf->max_head + 1;
	if (g->peek_len < PROXY_V2_MAX)
		g->peek_len = PROXY_V2_MAX;
	g->peek = malloc(g->peek_len);
	if (g->held == NULL || g->free_slots == NULL || g->addrs == NULL || g->peek == NULL)
		goto oom;
	if (proxies_parse(g, conf->proxy_from, err, errlen) != 0)
		goto fail;
	for (i = 0; i < conf->max_conns; i++)
		g->free_slots[g->nfree++] = (int)(conf->max_conns - 1 - i);
	pthread_mutex_init(&g->lock, NULL);
	if ((g->ep = epoll_create1(EPOLL_CLOEXEC)) == -1 || pipe2(g->stop_fd, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "listen: epoll: %s", strerror(errno));
		goto fail;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u32 = 1;
	epoll_ctl(g->ep, EPOLL_CTL_ADD, conf->listen_fd, &ev);
	ev.data.u32 = 0;
	epoll_ctl(g->ep, EPOLL_CTL_ADD, g->stop_fd[0], &ev);
	*gp = g;
	if (pthread_create(&g->thread, NULL, gate_main, g) != 0) {
		*gp = NULL;
		snprintf(err, errlen, "listen: cannot start the accepting thread");
		goto fail;
	}
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
fail:
	if (g != NULL) {
		if (g->ep != -1)
			close(g->ep);
		if (g->stop_fd[0] != -1) {
			close(g->stop_fd[0]);
			close(g->stop_fd[1]);
		}
		free(g->held);
		free(g->free_slots);
		free(g->addrs);
		free(g->peek);
		free(g);
	}
	return -1;
}

void gate_stop(struct gate *g)
{
	unsigned i;

	if (g == NULL || g->stop_fd[1] == -1)
		return;
	if (write(g->stop_fd[1], "x", 1) != 1)
		log_warn("gate: stop");
	pthread_join(g->thread, NULL);
	close(g->conf.listen_fd);
	for (i = 0; i < g->conf.max_conns; i++)
		if (g->held[i].state != H_FREE)
			held_close(g, (int)i);
	close(g->ep);
	close(g->stop_fd[0]);
	close(g->stop_fd[1]);
	g->stop_fd[1] = -1;
}

void gate_free(struct gate *g)
{
	if (g == NULL)
		return;
	gate_stop(g);
	pthread_mutex_destroy(&g->lock);
	free(g->held);
	free(g->free_slots);
	free(g->addrs);
	free(g->peek);
	free(g);
}
