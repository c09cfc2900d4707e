#ifndef QCRA_UTIL_BIGMEM_H
#define QCRA_UTIL_BIGMEM_H

#include <stddef.h>

/*
 * A hint for a large block about to be filled front to back (a bank
 * statement's parsed lines, tens of MB): back it with the kernel's huge
 * pages where it allows them, one page fault per 2 MB instead of one
 * per 4 KiB.  Scenario 7's import took 19,200 page faults, 7,500 with
 * the hint on its two largest arrays (bench/README.md).  Only the whole
 * pages inside [p, p + n) are advised; nothing happens where huge pages
 * are off, and the block is freed as usual.
 */
void bigmem_hint(void *p, size_t n);

#endif
