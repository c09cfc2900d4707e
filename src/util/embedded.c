#include "util/embedded.h"

#include <string.h>

const struct embedded_file *embedded_find(const char *name)
{
	size_t i;

	for (i = 0; i < embedded_count; i++)
		if (strcmp(embedded_files[i].name, name) == 0)
			return &embedded_files[i];
	return NULL;
}
