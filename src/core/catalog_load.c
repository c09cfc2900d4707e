#include "core/catalog_load.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/embedded.h"

int catalog_load(struct catalog *c, const struct config *cfg, char *err, size_t errlen)
{
	const struct embedded_file *f = embedded_find("data/catalog.ini");
	char *text = NULL, why[256];
	size_t n = 0, cap = 0, got;
	FILE *fp;
	int rc;

	if (cfg->catalog_file[0]) {
		if ((fp = fopen(cfg->catalog_file, "r")) == NULL) {
			snprintf(err, errlen, "catalog_file: cannot open %s: %s", cfg->catalog_file,
				 strerror(errno));
			return -1;
		}
		do {
			if (cap - n < 4096 && (text = realloc(text, cap += 65536)) == NULL)
				abort();
			got = fread(text + n, 1, cap - n - 1, fp);
			n += got;
		} while (got > 0);
		fclose(fp);
		text[n] = '\0';
	} else if (f == NULL) {
		snprintf(err, errlen, "catalog: data/catalog.ini is not built in");
		return -1;
	}
	rc = catalog_parse(c, text ? text : (const char *)f->data, why, sizeof(why));
	free(text);
	if (rc != 0) {
		snprintf(err, errlen, "catalog_file %s: %s",
			 cfg->catalog_file[0] ? cfg->catalog_file : "(built in)", why);
		return -1;
	}
	return 0;
}
