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
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/log.h"

#define LINGER_MS 2000 /* reading what a refused client still sends */
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
	g->peek_len = conf->inspect == GATE_TLS ? GATE_TLS_RECORD_MAX : conf->max_head + 1;
	if (g->peek_len < GATE_PROXY_V2_MAX)
		g->peek_len = GATE_PROXY_V2_MAX;
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
