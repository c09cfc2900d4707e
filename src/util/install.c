#include "util/install.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef QCRA_BINDIR /* set by meson.build */
#error "QCRA_BINDIR and the other install directories come from meson"
#endif

static const char *const dirs[] = {
	[INSTALL_DATA] = QCRA_DATADIR,
	[INSTALL_LIBEXEC] = QCRA_LIBEXECDIR,
	[INSTALL_SYSCONF] = QCRA_SYSCONFDIR,
};

const char *install_default(enum install_dir which)
{
	return dirs[which];
}

int install_dir(enum install_dir which, char *out, size_t outlen)
{
	char self[PATH_MAX], *slash;
	size_t n, b = strlen(QCRA_BINDIR);
	ssize_t len;

	if ((len = readlink("/proc/self/exe", self, sizeof(self) - 1)) <= 0)
		return -1;
	self[len] = '\0';
	if ((slash = strrchr(self, '/')) == NULL)
		return -1;
	*slash = '\0';
	n = strlen(self);
	if (n < b || strcmp(self + n - b, QCRA_BINDIR) != 0)
		return -1; /* the build directory */
	self[n - b] = '\0';
	return snprintf(out, outlen, "%s%s", self, dirs[which]) < (int)outlen ? 0 : -1;
}
