/*
 * The configured catalogue (offices, tariff, seller, documents): the
 * file named by catalog_file, or the built-in data/catalog.ini.
 */
#ifndef QCRA_CATALOG_LOAD_H
#define QCRA_CATALOG_LOAD_H

#include <stddef.h>

#include "core/config.h"
#include "domain/catalog.h"

/* Fills c.  Returns 0, or -1 with "catalog_file ...: what is wrong" in err. */
int catalog_load(struct catalog *c, const struct config *cfg, char *err, size_t errlen);

/* Puts c's brand into the message catalogue: each "{brand.NAME}" of a
 * text (chamber, chamber_of, site, support_email, support_phone,
 * support_hours, ca) becomes the catalogue file's value in the text's
 * language.  0, or -1 out of memory. */
int catalog_brand_messages(const struct catalog *c);
/* The message catalogue (i18n_load) with the configured catalogue's
 * brand in it, for commands that write texts without the portal.
 * 0, or -1 with err. */
int catalog_messages_load(const struct config *cfg, char *err, size_t errlen);

#endif
