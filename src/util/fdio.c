#include "util/fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

int fd_read_all(int fd, void *p, size_t len)
{
	char *d = p;

	while (len > 0) {
		ssize_t r = read(fd, d, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		d += r;
		len -= (size_t)r;
	}
	return 0;
}

int fd_write_all(int fd, const void *p, size_t len)
{
	const char *d = p;
	int sock = 1;

	while (len > 0) {
		ssize_t w = sock ? send(fd, d, len, MSG_NOSIGNAL) : write(fd, d, len);

		if (w < 0 && sock && errno == ENOTSOCK) {
			sock = 0;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		d += w;
		len -= (size_t)w;
	}
	return 0;
}

int fd_sync_dir(const char *dir)
{
	int fd, rc;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	rc = fsync(fd);
	if (close(fd) == -1)
		rc = -1;
	return rc;
}
