/*
 * The PIN letter: see ca_letter.h.  The page is laid out with the
 * order documents' kit (docs/pdf.h).  Everything on it but the PIN and
 * PUK follows from the registration, and the PDF's date is fixed, so
 * two letters for the same registration differ only in the secrets.
 */
#include "ca/ca_letter.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <openssl/crypto.h>

#include "docs/pdf.h"
#include "util/buf.h"

struct letter {
	const struct ca_conf *c;
	const struct ca_registration *r;
	const char *card, *pin, *puk;
};

static int letter_body(struct pdf *p, void *arg)
{
	const struct letter *l = arg;
	char *m;
	double y;
	struct pdf_row rows[4];
	size_t n = 0;

	pdf_para(p, 0, PDF_TITLE, PDF_ALIGN_LEFT, "PIN koverta");
	pdf_para(p, 0, PDF_SUBTITLE, PDF_ALIGN_LEFT,
		 "Lični podaci za pristup kvalifikovanom elektronskom sertifikatu");
	pdf_space(p, 4);
	rows[n++] = (struct pdf_row){"Izdavalac sertifikata", l->c->organization};
	rows[n++] = (struct pdf_row){"Imalac sertifikata", l->r->subject.common_name};
	if (l->r->subject.organization[0] != '\0')
		rows[n++] = (struct pdf_row){"Pravno lice", l->r->subject.organization};
	rows[n++] = (struct pdf_row){"Broj zahteva", l->r->order_id};
	pdf_rows(p, 45, rows, n, 1);
	rows[0] = (struct pdf_row){"Oznaka kartice (tokena)", l->card};
	pdf_rows(p, 45, rows, 1, 1);
	pdf_space(p, 6);

	y = pdf_y(p);
	pdf_rect(p, PDF_LEFT, y, PDF_WIDTH, 34, 0.6, 0.93);
	pdf_text_at(p, PDF_LEFT + 4, y + 3, PDF_WIDTH - 8, PDF_HEADING, PDF_ALIGN_LEFT,
		    "POVERLJIVO — PIN i PUK kartice");
	pdf_text_at(p, PDF_LEFT + 4, y + 12, 30, PDF_BODY, PDF_ALIGN_LEFT, "PIN:");
	pdf_text_at(p, PDF_LEFT + 34, y + 10, 80, PDF_TITLE, PDF_ALIGN_LEFT, l->pin);
	pdf_text_at(p, PDF_LEFT + 4, y + 22, 30, PDF_BODY, PDF_ALIGN_LEFT, "PUK:");
	pdf_text_at(p, PDF_LEFT + 34, y + 20, 80, PDF_TITLE, PDF_ALIGN_LEFT, l->puk);
	pdf_set_y(p, y + 34);
	pdf_space(p, 6);

	pdf_heading(p, "Uputstvo", 30);
	pdf_bullet(p, 0, PDF_BODY,
		   "Čuvajte ovo pismo odvojeno od kartice; nikome ne saopštavajte PIN ni PUK.", 0);
	pdf_bullet(p, 0, PDF_BODY, "Promenite PIN pri prvoj upotrebi kartice.", 0);
	pdf_bullet(p, 0, PDF_BODY,
		   "Tri uzastopna pogrešna unosa PIN-a blokiraju karticu; PUK je "
		   "deblokira i omogućava postavljanje novog PIN-a.",
		   0);
	m = g_markup_printf_escaped(
		"Gubitak ili krađu kartice ili ovog pisma odmah prijavite komori "
		"(izdavalac sertifikata: %s) radi opoziva sertifikata.",
		l->c->organization);
	pdf_bullet(p, 0, PDF_BODY, m, 1);
	g_free(m);
	pdf_space(p, 4);
	pdf_para(p, 0, PDF_SMALL, PDF_ALIGN_JUSTIFY,
		 "PIN i PUK su slučajno generisani pri izradi kartice i odštampani samo na ovom "
		 "pismu. Sertifikaciono telo ne čuva njihovu kopiju i ne može ih ponovo "
		 "izdati.");
	return 0;
}

static void set_err(char *err, size_t errlen, const char *what, const char *path)
{
	snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
}

/* Writes len bytes to fd and syncs it.  0 or -1. */
static int write_all(int fd, const char *d, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, d, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		d += w;
		len -= (size_t)w;
	}
	return fsync(fd);
}

int ca_letter_write(const struct ca_conf *c, const struct ca_registration *r, const char *card,
		    const char *pin, const char *puk, char *err, size_t errlen)
{
	struct letter l = {c, r, card, pin, puk};
	struct pdf_meta m = {"PIN koverta", c->organization, c->organization, NULL, 0};
	char dir[PATH_MAX + 32], path[PATH_MAX + 160], tmp[PATH_MAX + 170], footer[128];
	struct buf pdf = BUF_INIT;
	int fd = -1, rc = -1;

	snprintf(footer, sizeof(footer), "PIN koverta · zahtev %s", r->order_id);
	m.footer = footer;
	ca_path(c, "letters", dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/%s.pdf", dir, r->order_id);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		set_err(err, errlen, "cannot create", dir);
		return -1;
	}
	if (pdf_render(&m, letter_body, &l, &pdf) != 0) {
		snprintf(err, errlen, "cannot render the PIN letter");
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
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0)
		fsync(fd);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc != 0)
		unlink(tmp);
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
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0)
		fsync(fd);
	rc = 0;
out:
	OPENSSL_cleanse(chunk, sizeof(chunk));
	if (fd >= 0)
		close(fd);
	close(in);
	return rc;
}
