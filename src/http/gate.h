/*
 * The gate in front of libmicrohttpd (internal to http/): it owns the
 * listening socket, accepts, counts connections per client (an IPv4
 * address, an IPv6 /64) and in total, and on plain HTTP waits (with an absolute deadline) until a
 * connection's first request head has arrived whole, looking at it
 * without reading it (MSG_PEEK).  A head it accepts is handed to
 * libmicrohttpd with the bytes still unread; any other gets its answer
 * from the gate (refuse), so the library never answers a head alone.
 * On HTTPS it waits (with the same deadline) for the first TLS record
 * whole: a handshake started and left unfinished costs the library
 * nothing, and what is not a TLS handshake is closed.
 *
 * Behind load balancers (proxy_from): a connection from one of them
 * starts with a PROXY protocol header (haproxy's proxy-protocol.txt,
 * v1 text or v2 binary), which the gate reads (it is not HTTP) within
 * the head's deadline; from then on the connection is the client's it
 * names: counted, handed over and logged under that address.  Without
 * the header it is closed; a header from anyone else is HTTP that does
 * not parse (400).
 */
#ifndef QCRA_HTTP_GATE_H
#define QCRA_HTTP_GATE_H

#include <stddef.h>
#include <sys/socket.h>

struct gate;

enum { GATE_HTTP = 1, GATE_TLS = 2 };

struct gate_conf {
	int listen_fd;          /* bound and listening; the gate closes it */
	unsigned max_conns;     /* in total, the gate's and the library's */
	unsigned max_per_addr;  /* from one client address */
	unsigned head_secs;     /* deadline for a first request head */
	size_t max_head;        /* largest head accepted, CRLFCRLF included */
	size_t max_target;      /* largest request target */
	int inspect;            /* GATE_HTTP, GATE_TLS, or 0: hand over at once */
	const char *proxy_from; /* balancers' addresses, comma separated; NULL or "": none */
	/* Takes fd (non-blocking) with its head unread: 0, or -1 when it
	 * could not (fd is closed and the connection released by then). */
	int (*hand)(void *arg, struct gate *g, int fd, const struct sockaddr *sa, socklen_t len);
	/* Writes into out the whole answer (status line to body) for a head
	 * refused with status; head and len: what arrived of it. */
	void (*refuse)(void *arg, unsigned status, const char *head, size_t len,
		       const struct sockaddr *sa, void *out /* struct buf * */);
	void *arg;
};

/* Starts the gate's thread.  0 with *gp set before the thread starts,
 * since the threads it hands connections to read it from *gp (a write
 * after the start would race with them); -1 with err set and *gp NULL. */
int gate_start(const struct gate_conf *conf, struct gate **gp, char *err, size_t errlen);
/*
 * The key (16 bytes) under which connections from the client address sa
 * are counted: two addresses with the same key are one client for
 * max_per_addr.  An IPv4 address is one client, an IPv4-mapped IPv6
 * address the same one; an IPv6 address is counted with the rest of
 * its /64.
 */
void gate_addr_key(const struct sockaddr *sa, unsigned char key[16]);
/* A connection handed over has ended: its address counts one less. */
void gate_release(struct gate *g, const struct sockaddr *sa);
/* Stops accepting (closes the listening socket) and closes the
 * connections the gate still holds.  NULL is fine. */
void gate_stop(struct gate *g);
/* Frees a stopped gate, once nothing calls gate_release any more. */
void gate_free(struct gate *g);

/* The most the checks below read: a TLS plaintext record (header and
 * body), a PROXY v2 header with its TLVs as accepted (gate_check.c). */
#define GATE_TLS_RECORD_MAX (5 + 16384)
#define GATE_PROXY_V2_MAX (16 + 2048)

/*
 * Checks a request head (len bytes of what arrived; complete: the empty
 * line that ends it is there).  Returns 0 when the head is acceptable
 * so far, or the status to refuse it with: 400 (a malformed request
 * line or header line, NUL in the target, HTTP/1.1 without exactly one
 * Host), 411 (a Transfer-Encoding: bodies need Content-Length), 414,
 * 431, 505.  *end gets the head's length once complete, else 0.
 */
unsigned gate_head_check(const char *head, size_t len, size_t max_head, size_t max_target,
			 size_t *end);

/*
 * Reads a PROXY protocol header at the start of b (len bytes so far).
 * Returns 1 when it is whole: *hlen its length, and sa/salen the
 * client's address and port, or *salen 0 when it names none (v2
 * LOCAL, v1 UNKNOWN, another family: the balancer's own connection);
 * 0 when more is to come; -1 when b does not start with one.
 */
int gate_proxy_check(const unsigned char *b, size_t len, struct sockaddr_storage *sa,
		     socklen_t *salen, size_t *hlen);

/*
 * Checks the start of a TLS connection (len bytes of what arrived): 1
 * when its first record is whole (a handshake record of at most 2^14
 * bytes), 0 when more is to come, -1 when it is not the start of a TLS
 * handshake.
 */
int gate_tls_check(const unsigned char *rec, size_t len);

#endif
