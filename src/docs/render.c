/*
 * Drawing in this process: doc_render (docs.h), and the loop of the
 * qcra-render child (render.h).
 */
#include <errno.h>
#include <poll.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "docs/docs.h"
#include "docs/render.h"
#include "util/fdio.h"

int doc_render(const struct order *o, const struct catalog *c, const char *name, struct buf *out)
{
	if (strcmp(name, "request.pdf") == 0)
		return doc_request_pdf(o, c, out);
	if (strcmp(name, "contract.pdf") == 0)
		return doc_contract_pdf(o, c, out);
	if (strcmp(name, "proforma.pdf") == 0)
		return doc_proforma_pdf(o, c, out);
	return -2;
}

/* ---- The child's side of render.h ---------------------------------------------- */

/* Draws one request.  Returns the status for the answer. */
static int draw(const struct render_head *h, void *req, struct buf *pdf)
{
	struct render_order_req *o = req;

	if (h->kind == RENDER_ORDER && h->len == sizeof(*o)) {
		o->name[sizeof(o->name) - 1] = '\0';
		return doc_render(&o->order, &o->catalog, o->name, pdf);
	}
	if (h->kind == RENDER_LETTER && h->len == sizeof(struct doc_pin_letter))
		return doc_pin_letter_pdf(req, pdf) == 0 ? 0 : -1;
	return -2;
}

int render_serve(int in, int out, int idle_secs)
{
	struct render_head h;
	struct pollfd pfd = {in, POLLIN, 0};
	struct buf pdf = BUF_INIT;
	void *req;
	int rc;

	for (;;) {
		if ((rc = poll(&pfd, 1, idle_secs * 1000)) == 0)
			return 0; /* idle: the parent starts another when needed */
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0 || fd_read_all(in, &h, sizeof(h)) != 0)
			return 0; /* EOF: the parent is done with us */
		if (h.magic != RENDER_MAGIC || h.len > sizeof(struct render_order_req) ||
		    (req = calloc(1, h.len ? h.len : 1)) == NULL)
			return 2;
		if (fd_read_all(in, req, h.len) != 0) {
			free(req);
			return 2;
		}
		buf_reset(&pdf);
		h.status = draw(&h, req, &pdf);
		sodium_memzero(req, h.len); /* a PIN letter's secrets */
		free(req);
		h.len = h.status == 0 && pdf.len <= RENDER_MAX_PDF ? (uint32_t)pdf.len : 0;
		if (h.status == 0 && h.len == 0)
			h.status = -1;
		rc = fd_write_all(out, &h, sizeof(h)) == 0 &&
		     fd_write_all(out, pdf.data, h.len) == 0;
		if (pdf.data != NULL)
			sodium_memzero(pdf.data, pdf.cap);
		if (!rc)
			return 0;
	}
}
