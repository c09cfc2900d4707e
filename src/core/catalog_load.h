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

#endif
