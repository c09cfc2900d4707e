/*
 * Where an installed qcra finds its files.  Meson compiles in the
 * directories of `meson install` (bindir, datadir/qcra, libexecdir/qcra,
 * sysconfdir/qcra); a program whose own file (/proc/self/exe) lies in
 * ROOT + bindir is installed under ROOT ("" for /, or the folder a
 * package was unpacked into, `meson install --destdir`), and its other
 * directories are taken under the same ROOT.  Any other place is its
 * build directory: data built in, qcra-render beside qcra.
 */
#ifndef QCRA_UTIL_INSTALL_H
#define QCRA_UTIL_INSTALL_H

#include <stddef.h>

enum install_dir {
	INSTALL_DATA,    /* datadir/qcra: templates/, messages/, static/, data/ */
	INSTALL_LIBEXEC, /* libexecdir/qcra: qcra-render */
	INSTALL_SYSCONF, /* sysconfdir/qcra: qcra.conf */
};

/* The directory as installed under / (the compiled-in path). */
const char *install_default(enum install_dir which);
/* ROOT + the directory into out: 0; -1 when the program is not
 * installed (or out is too small). */
int install_dir(enum install_dir which, char *out, size_t outlen);

#endif
