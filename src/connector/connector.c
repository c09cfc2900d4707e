/*
 * Choosing the CA connector named in the configuration.  Adding one is
 * a line in the table below and its own file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connector/caservice.h"
#include "connector/connector.h"

static const struct {
	const char *name;
	struct ca_connector *(*open)(struct store *st, char *err, size_t errlen);
} connectors[] = {
	{"testca", testca_open},
};

struct ca_connector *ca_connector_open(const struct config *cfg, struct store *st, char *err,
				       size_t errlen)
{
	size_t i;

	/* Never a default: a forgotten setting must not hand members test
	 * certificates. */
	if (cfg->ca_connector[0] == '\0') {
		snprintf(err, errlen,
			 "ca_connector is not set: set ca_connector = service (with ca_url, "
			 "ca_cert, ca_key, ca_cacert) to use the CA service, or ca_connector = "
			 "testca for tests and demos only");
		return NULL;
	}
	/* The CA service needs the configuration (URL, certificates). */
	if (strcmp(cfg->ca_connector, "service") == 0)
		return caservice_open(cfg, st, err, errlen);
	for (i = 0; i < sizeof(connectors) / sizeof(connectors[0]); i++)
		if (strcmp(cfg->ca_connector, connectors[i].name) == 0)
			return connectors[i].open(st, err, errlen);
	snprintf(err, errlen, "ca_connector: \"%s\" is not a known CA connector (service, testca)",
		 cfg->ca_connector);
	return NULL;
}

struct ca_connector *ca_connector_new(const struct ca_connector *ops, void *impl, char *err,
				      size_t errlen)
{
	struct ca_connector *c = impl ? malloc(sizeof(*c)) : NULL;

	if (c == NULL) {
		snprintf(err, errlen, "ca_connector: out of memory");
		return NULL;
	}
	*c = *ops;
	c->impl = impl;
	return c;
}

void ca_connector_close(struct ca_connector *c)
{
	if (c != NULL && c->close != NULL)
		c->close(c);
}
