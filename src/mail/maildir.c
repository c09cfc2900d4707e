/*
 * The maildir transport: each message an .eml file in one directory,
 * written so that a crash leaves either the old file or the new one.
 */
#include "mail/mail.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fdio.h"

/* Mail holds one-time tokens: only the portal's user may read it. */
#define MAILDIR_DIR_MODE 0700
#define MAILDIR_FILE_MODE 0600

/*
 * mkdir -p: creates every missing component of dir, syncing the parent
 * of each one it creates.  0 or -1 with errno set.
 */
static int mkdir_p(const char *dir)
{
	char path[PATH_MAX], *p, *slash;
	struct stat st;

	if (stat(dir, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return 0;
		errno = ENOTDIR;
		return -1;
	}
	if (strlen(dir) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(path, dir);
	for (p = path + 1;; p = slash + 1) {
		slash = strchr(p, '/');
		if (slash != NULL)
			*slash = '\0';
		if (*p != '\0' && mkdir(path, MAILDIR_DIR_MODE) == 0) {
			char *last = strrchr(path, '/');

			if (last == NULL) {
				if (fd_sync_dir(".") == -1)
					return -1;
			} else if (last == path) {
				if (fd_sync_dir("/") == -1)
					return -1;
			} else {
				*last = '\0';
				if (fd_sync_dir(path) == -1)
					return -1;
				*last = '/';
			}
		} else if (*p != '\0' && errno != EEXIST) {
			return -1;
		}
		if (slash == NULL)
			break;
		*slash = '/';
	}
	return 0;
}

/* A name must stay inside the directory: no '/', no leading dot (our
 * temporary files are dot files), nothing but printable ASCII. */
static int name_ok(const char *name)
{
	const char *p;

	if (name == NULL || name[0] == '\0' || name[0] == '.')
		return 0;
	for (p = name; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == '/')
			return 0;
	return 1;
}

static int write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* See mail.h. */
int mail_deliver_maildir(const char *dir, const char *name, const char *msg, size_t len, char *err,
			 size_t errlen)
{
	char tmp[PATH_MAX], dst[PATH_MAX];
	const char *what, *path;
	int fd = -1, n1, n2;

	if (dir == NULL || dir[0] == '\0' || !name_ok(name)) {
		snprintf(err, errlen, "maildir: invalid directory or name");
		return -1;
	}
	n1 = snprintf(tmp, sizeof(tmp), "%s/.tmp-%s", dir, name);
	n2 = snprintf(dst, sizeof(dst), "%s/%s.eml", dir, name);
	if (n1 < 0 || (size_t)n1 >= sizeof(tmp) || n2 < 0 || (size_t)n2 >= sizeof(dst)) {
		snprintf(err, errlen, "maildir: path too long");
		return -1;
	}
	what = "mkdir", path = dir;
	if (mkdir_p(dir) == -1)
		goto err;
	what = "open", path = tmp;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, MAILDIR_FILE_MODE);
	if (fd == -1)
		goto err;
	what = "write";
	if (write_all(fd, msg, len) == -1)
		goto err;
	what = "fsync";
	if (fsync(fd) == -1)
		goto err;
	what = "close";
	n1 = close(fd);
	fd = -1;
	if (n1 == -1)
		goto err;
	what = "rename";
	if (rename(tmp, dst) == -1)
		goto err;
	/* If only this fails the file is in place but may not survive a
	 * power loss; failing makes the outbox deliver it again, which
	 * overwrites, so that is the safe answer. */
	what = "fsync", path = dir;
	if (fd_sync_dir(dir) == -1)
		goto err;
	return 0;
err:
	snprintf(err, errlen, "maildir: %s %s: %s", what, path, strerror(errno));
	if (fd != -1)
		close(fd);
	if (path == tmp)
		unlink(tmp);
	return -1;
}
