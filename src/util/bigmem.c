/*
 * Huge-page hints for large blocks (bigmem.h).
 */
#include "util/bigmem.h"

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

void bigmem_hint(void *p, size_t n)
{
	long size = sysconf(_SC_PAGESIZE);
	uintptr_t page, from, to;

	if (p == NULL || size <= 0)
		return;
	page = (uintptr_t)size;
	from = ((uintptr_t)p + page - 1) & ~(page - 1);
	to = ((uintptr_t)p + n) & ~(page - 1);
	if (to > from)
		(void)madvise((void *)from, to - from, MADV_HUGEPAGE);
}
