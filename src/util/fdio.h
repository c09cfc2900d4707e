#ifndef QCRA_UTIL_FDIO_H
#define QCRA_UTIL_FDIO_H

#include <stddef.h>

/* Reads exactly len bytes from fd (retrying on EINTR).  0, or -1 on
 * error or end of file first. */
int fd_read_all(int fd, void *p, size_t len);

/* Writes all len bytes to fd (retrying on EINTR); on a socket without
 * raising SIGPIPE when the peer has gone.  0 or -1. */
int fd_write_all(int fd, const void *p, size_t len);

/* fsync of a directory, so that an entry created, renamed or removed
 * in it survives a power loss.  0 or -1 with errno set. */
int fd_sync_dir(const char *dir);

#endif
