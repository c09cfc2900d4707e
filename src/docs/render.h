/*
 * Documents drawn in a child process: qcra-render (src/render_main.c).
 *
 * cairo, pango, fontconfig and the fonts are large (~10 MB resident once
 * a page is drawn) and parse complex input; the portal and the CA keep
 * them out of their own process.  A request is written to a child over a
 * socket pair and the PDF read back.  Up to RENDER_CHILDREN children run
 * at once (started on demand); one exits by itself after RENDER_IDLE_SECS
 * without work and the next request starts another.  A child that died
 * (or answers nothing within RENDER_ANSWER_SECS) is replaced and the
 * request sent again once (drawing is idempotent).
 *
 * A child draws one of everything before its first request and then
 * confines itself (docs/confine.h: seccomp, no file, no socket, 512 MiB
 * of address space); a document gets RENDER_CPU_SECS of CPU time.  A
 * child killed by any of it is a dead child: replaced, and the request
 * answered -1 (the portal's 503) when the fresh one dies too.
 *
 * The program is QCRA_RENDER_BIN when set, else qcra-render next to the
 * running executable.  The protocol (one request, one answer, in turn):
 *
 *   request  struct render_head (kind, len) + len bytes:
 *            RENDER_ORDER   struct catalog + struct order + char name[16]
 *                           + int32_t lang (enum lang)
 *            RENDER_LETTER  struct doc_pin_letter
 *   answer   struct render_head (status 0 or -1/-2, len) + len bytes of PDF
 *
 * Both sides are the same build: sizes are checked, not negotiated.
 */
#ifndef QCRA_DOCS_RENDER_H
#define QCRA_DOCS_RENDER_H

#include <stdint.h>

#include "docs/docs.h"

#define RENDER_CHILDREN 2
#define RENDER_IDLE_SECS 60
#define RENDER_ANSWER_SECS 30    /* a child that takes longer is killed */
#define RENDER_CPU_SECS 10       /* CPU per document; past it the child dies */
#define RENDER_MAGIC 0x31524351u /* "QCR1" */
#define RENDER_MAX_PDF (16u << 20)

enum render_kind { RENDER_ORDER = 1, RENDER_LETTER = 2 };

struct render_head {
	uint32_t magic;
	uint32_t kind;  /* request: enum render_kind */
	int32_t status; /* answer: 0, or doc_render's error */
	uint32_t len;   /* bytes that follow */
};

struct render_order_req {
	struct catalog catalog;
	struct order order;
	char name[16];
	int32_t lang; /* enum lang: the documents' script */
};

/* A doc_renderer (docs.h) that asks a child.  0, -1 (logged), -2 for
 * an unknown name. */
int render_order_pdf(const struct order *o, const struct catalog *c, const char *name, enum lang l,
		     struct buf *out);
/* The PIN letter, from a child.  0 or -1 (logged). */
int render_pin_letter(const struct doc_pin_letter *l, struct buf *out);
/* How many children run now (the portal's metrics). */
int render_children(void);
/* Ends the children (at shutdown; also fine when none runs). */
void render_stop(void);

/* The child's side: draws one of every document and throws them away,
 * so that everything drawing loads lazily is loaded before the child is
 * confined (confine.h).  0, or -1 (logged). */
int render_warm_up(void);
/* The child's side: serves requests on fds in/out until EOF or idle
 * timeout, each document within RENDER_CPU_SECS of CPU time (SIGPROF
 * ends the child past it).  Returns the exit status. */
int render_serve(int in, int out, int idle_secs);

#endif
