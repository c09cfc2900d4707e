#include "app/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int jobs_audit_anchor(struct store *st, const unsigned char secret[AUDIT_SECRET_LEN],
		      const char *path, time_t now, struct audit_head *last, char *line,
		      size_t size, char *err, size_t errlen)
{
	struct audit_head h;
	char text[AUDIT_ANCHOR_MAX];
	int n, fd;

	if (store_audit_head(st, &h) != STORE_OK) {
		snprintf(err, errlen, "audit anchor: cannot read the head of the audit log");
		return -1;
	}
	if (last != NULL && last->id == h.id && last->count == h.count &&
	    strcmp(last->hash, h.hash) == 0)
		return 0;
	if ((n = audit_anchor_format(&h, now, secret, text, sizeof(text))) < 0) {
		snprintf(err, errlen, "audit anchor: line too long");
		return -1;
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, (size_t)n) != n || fsync(fd) != 0) {
		snprintf(err, errlen, "audit anchor: cannot append to %s: %s", path,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	if (last != NULL)
		*last = h;
	if (line != NULL)
		snprintf(line, size, "%s", text);
	return 1;
}

/* The anchor lines of f into *out (n of them, sorted by head id), or
 * the first line that is not one in c.  0, or -1 (out of memory). */
static int anchors_read(FILE *f, const unsigned char *secret, struct audit_anchor **out, size_t *n,
			struct jobs_audit_check *c)
{
	struct audit_anchor *a = NULL, *more;
	size_t cap = 0, len = 0;
	char *line = NULL;
	ssize_t got;
	long no = 0;
	enum audit_anchor_rc rc;

	*n = 0;
	while ((got = getline(&line, &len, f)) >= 0) {
		no++;
		if (got == 0 || line[0] == '\n' || line[0] == '#') /* blank, or an auditor's note */
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			if ((more = realloc(a, cap * sizeof(*a))) == NULL)
				goto fail;
			a = more;
		}
		rc = audit_anchor_parse(line, (size_t)got, secret, &a[*n]);
		if (rc != AUDIT_ANCHOR_OK) {
			c->bad_line = no;
			c->forged = rc == AUDIT_ANCHOR_FORGED;
			break;
		}
		a[*n].line = no;
		if (*n == 0 || a[*n].head.id >= c->latest.head.id)
			c->latest = a[*n];
		(*n)++;
	}
	free(line);
	audit_anchor_sort(a, *n);
	*out = a;
	return 0;
fail:
	free(line);
	free(a);
	return -1;
}

static int walk(void *arg, const struct audit_entry *e)
{
	return audit_verify_entry(arg, e);
}

int jobs_audit_verify(struct store *st, const unsigned char secret[AUDIT_SECRET_LEN],
		      const char *anchor_path, int required, struct jobs_audit_check *out,
		      char *err, size_t errlen)
{
	struct audit_anchor *a = NULL;
	struct audit_filter all;
	size_t n = 0;
	FILE *f;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if ((f = fopen(anchor_path, "re")) == NULL) {
		if (errno != ENOENT || required) {
			snprintf(err, errlen, "cannot read the anchor file %s: %s", anchor_path,
				 strerror(errno));
			return -1;
		}
		out->no_anchor_file = 1;
	} else {
		rc = anchors_read(f, secret, &a, &n, out);
		fclose(f);
		if (rc != 0) {
			snprintf(err, errlen, "%s: out of memory", anchor_path);
			return -1;
		}
		if (out->bad_line > 0) {
			free(a);
			return 0;
		}
	}
	out->anchors = n;
	memset(&all, 0, sizeof(all));
	audit_verify_begin(&out->v, secret, a, n);
	if (store_audit_each(st, &all, walk, &out->v) != STORE_OK) {
		snprintf(err, errlen, "cannot read the audit log");
		rc = -1;
	} else {
		audit_verify_end(&out->v);
		rc = 0;
	}
	out->v.anchors = NULL;
	free(a);
	return rc;
}
