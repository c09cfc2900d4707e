/*
 * libFuzzer target for the signed PDF's signature reader (domain/pades.h).
 * The input's first byte says how much of the rest is the "issued"
 * document; the rest is the upload.  Properties, for any input:
 * 1. pades_read() never reads outside either buffer (ASan).
 * 2. On PADES_OK the range is [0, b) + [c, len) with the issued bytes
 *    inside [0, b), '<' at b and '>' at c - 1, and the CMS lies within
 *    the hex between them; otherwise no CMS is handed out.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/pades.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pades_sig sig;
	unsigned char *file;
	size_t olen;

	if (size < 1 || size > 1 << 16)
		return 0;
	olen = data[0] < size - 1 ? data[0] : size - 1;
	/* Copies of their own size, so ASan sees any read past either. */
	file = malloc(size - 1 ? size - 1 : 1);
	if (file == NULL)
		return 0;
	memcpy(file, data + 1, size - 1);
	if (pades_read(file, size - 1, data + 1, olen, 1 << 16, &sig) == PADES_OK) {
		if (sig.range[0] != 0 || sig.range[1] <= olen || file[sig.range[1]] != '<' ||
		    sig.range[2] + sig.range[3] != size - 1 || file[sig.range[2] - 1] != '>' ||
		    sig.der == NULL || sig.der_len == 0 ||
		    2 * sig.der_len > sig.range[2] - sig.range[1] - 2)
			abort();
	} else if (sig.der != NULL)
		abort();
	pades_sig_free(&sig);
	free(file);
	return 0;
}
