#include "core/catalog_load.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
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

/* A language's value, or the Serbian one where the file has none for
 * it. */
static const char *brand_text(const char (*v)[128], enum lang l)
{
	return v[l][0] ? v[l] : v[LANG_SR];
}

int catalog_brand_messages(const struct catalog *c)
{
	static const char *const from[] = {
		"{brand.chamber}",
		"{brand.chamber_of}",
		"{brand.site}",
		"{brand.support_email}",
		"{brand.support_phone}",
		"{brand.support_hours}",
		"{brand.ca}",
	};
	const struct brand *b = &c->brand;
	const char *to[sizeof(from) / sizeof(from[0])];
	int l;

	for (l = 0; l < LANG__MAX; l++) {
		to[0] = brand_text(b->chamber, (enum lang)l);
		to[1] = brand_text(b->chamber_of, (enum lang)l);
		to[2] = brand_text(b->site, (enum lang)l);
		to[3] = b->support_email;
		to[4] = b->support_phone;
		to[5] = b->support_hours[l][0] ? b->support_hours[l] : b->support_hours[LANG_SR];
		to[6] = c->seller.ca_name;
		if (i18n_rewrite((enum lang)l, from, to, sizeof(from) / sizeof(from[0])) != 0)
			return -1;
	}
	return 0;
}

int catalog_messages_load(const struct config *cfg, char *err, size_t errlen)
{
	struct catalog *c = calloc(1, sizeof(*c));
	int rc = -1;

	if (c == NULL)
		snprintf(err, errlen, "out of memory");
	else if (i18n_load(err, errlen) == 0 && catalog_load(c, cfg, err, errlen) == 0) {
		if ((rc = catalog_brand_messages(c)) != 0)
			snprintf(err, errlen, "out of memory");
	}
	free(c);
	return rc;
}
