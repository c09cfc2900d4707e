/*
 * The PIN letter: see ca_letter.h.  The page itself is drawn by the
 * document renderer process (docs/render.h, docs/letter.c).
 */
#include "ca/ca_letter.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "docs/docs.h"
#include "docs/render.h"
#include "util/buf.h"
#include "util/fdio.h"

static void set_err(char *err, size_t errlen, const char *what, const char *path)
{
	snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
}

/* Writes len bytes to fd and syncs it.  0 or -1. */
static int write_all(int fd, const char *d, size_t len)
{
	return fd_write_all(fd, d, len) == 0 ? fsync(fd) : -1;
}

int ca_letter_write(const struct ca_conf *c, const struct ca_registration *r, const char *card,
		    const char *pin, const char *puk, char *err, size_t errlen)
{
	struct doc_pin_letter l;
	char dir[PATH_MAX + 32], path[PATH_MAX + 160], tmp[PATH_MAX + 170];
	struct buf pdf = BUF_INIT;
	int fd = -1, rc = -1;

	memset(&l, 0, sizeof(l));
	snprintf(l.issuer, sizeof(l.issuer), "%s", c->organization);
	snprintf(l.holder, sizeof(l.holder), "%s", r->subject.common_name);
	snprintf(l.company, sizeof(l.company), "%s", r->subject.organization);
	snprintf(l.order, sizeof(l.order), "%s", r->order_id);
	snprintf(l.card, sizeof(l.card), "%s", card);
	snprintf(l.pin, sizeof(l.pin), "%s", pin);
	snprintf(l.puk, sizeof(l.puk), "%s", puk);
	ca_path(c, "letters", dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/%s.pdf", dir, r->order_id);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		set_err(err, errlen, "cannot create", dir);
		return -1;
	}
	if (render_pin_letter(&l, &pdf) != 0) {
		snprintf(err, errlen, "cannot render the PIN letter (qcra-render)");
		goto out;
	}
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write_all(fd, pdf.data, pdf.len) != 0) {
		set_err(err, errlen, "cannot write", tmp);
		goto out;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		fd = -1;
		set_err(err, errlen, "cannot store", path);
		goto out;
	}
	fd = -1;
	fd_sync_dir(dir); /* best effort: the letter is stored */
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc != 0)
		unlink(tmp);
	OPENSSL_cleanse(&l, sizeof(l));
	if (pdf.data != NULL)
		OPENSSL_cleanse(pdf.data, pdf.cap);
	buf_free(&pdf);
	return rc;
}

int ca_letter_collect(const struct ca_conf *c, const char *order, const char *out, char *err,
		      size_t errlen)
{
	char dir[PATH_MAX + 32], path[PATH_MAX + 160], chunk[8192];
	int in, fd = -1, rc = -1;
	ssize_t n;

	ca_path(c, "letters", dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/%s.pdf", dir, order);
	if (order[0] == '\0' || order[0] == '.' || strchr(order, '/') != NULL) {
		snprintf(err, errlen, "invalid order id");
		return -1;
	}
	in = open(path, O_RDONLY | O_CLOEXEC);
	if (in < 0 && errno == ENOENT)
		return 1;
	if (in < 0) {
		set_err(err, errlen, "cannot open", path);
		return -1;
	}
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		set_err(err, errlen, "cannot create", out);
		goto out;
	}
	while ((n = read(in, chunk, sizeof(chunk))) > 0)
		if (write_all(fd, chunk, (size_t)n) != 0) {
			set_err(err, errlen, "cannot write", out);
			goto out;
		}
	if (n < 0 || close(fd) != 0) {
		fd = -1;
		set_err(err, errlen, "cannot copy to", out);
		goto out;
	}
	fd = -1;
	if (unlink(path) != 0) {
		set_err(err, errlen, "cannot delete", path);
		goto out;
	}
	fd_sync_dir(dir); /* best effort: the letter is handed out */
	rc = 0;
out:
	OPENSSL_cleanse(chunk, sizeof(chunk));
	if (fd >= 0)
		close(fd);
	close(in);
	return rc;
}
