/*
 * The CA's configuration: DIR/ca.conf, an ini file written by
 * `qcra ca init` and read by `qcra ca serve`.  Sections are for the
 * reader only; keys are unique across them.
 */
#include "ca/ca.h"

#include <ini.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum ca_ctype { K_STR, K_INT, K_ALG, K_LISTEN, K_URL };

struct ca_key {
	const char *section, *name;
	enum ca_ctype type;
	size_t off, size;
	long min, max;
	const char *def; /* the value before ca.conf is read (ca_conf_defaults); NULL: none */
};

#define F(f) offsetof(struct ca_conf, f), sizeof(((struct ca_conf *)0)->f)

/* K_LISTEN writes the port right after the address field. */
_Static_assert(offsetof(struct ca_conf, listen_port) ==
		       offsetof(struct ca_conf, listen_addr) +
			       sizeof(((struct ca_conf *)0)->listen_addr),
	       "listen_port follows listen_addr");
_Static_assert(offsetof(struct ca_conf, public_port) ==
		       offsetof(struct ca_conf, public_addr) +
			       sizeof(((struct ca_conf *)0)->public_addr),
	       "public_port follows public_addr");

static const struct ca_key keys[] = {
	{"ca", "organization", K_STR, F(organization), 0, 0, "qcra Test CA"},
	{"ca", "key_algorithm", K_ALG, F(ca_alg), 0, 0, "ec-p384"},
	{"ca", "holder_key_algorithm", K_ALG, F(holder_alg), 0, 0, "ec-p384"},
	{"token", "module", K_STR, F(module), 0, 0, "/usr/lib/softhsm/libsofthsm2.so"},
	{"token", "label", K_STR, F(token_label), 0, 0, "qcra-ca"},
	{"token", "pin_file", K_STR, F(pin_file), 0, 0, "ca-token.pin"},
	{"server", "listen", K_LISTEN, F(listen_addr), 0, 0, "127.0.0.1:8443"},
	{"server", "public_listen", K_LISTEN, F(public_addr), 0, 0, "127.0.0.1:8480"},
	{"server", "public_url", K_URL, F(public_url), 0, 0, "http://127.0.0.1:8480"},
	{"server", "tls_names", K_STR, F(tls_names), 0, 0, "localhost,127.0.0.1"},
	{"profile", "pds_url_en", K_URL, F(pds_url_en), 0, 0,
	 "https://ca.example.rs/pds/pds-en.pdf"},
	{"profile", "pds_url_sr", K_URL, F(pds_url_sr), 0, 0,
	 "https://ca.example.rs/pds/pds-sr.pdf"},
	{"profile", "cps_url", K_URL, F(cps_url), 0, 0, "https://ca.example.rs/cps"},
	{"profile", "policy_oid", K_STR, F(policy_oid), 0, 0, NULL},
	{"profile", "crl_days", K_INT, F(crl_days), 1, 365, "7"},
	{"profile", "max_validity_years", K_INT, F(max_validity_years), 1, 10, "5"},
};

void ca_conf_defaults(struct ca_conf *c, const char *dir)
{
	char err[128];
	size_t i;

	memset(c, 0, sizeof(*c));
	snprintf(c->dir, sizeof(c->dir), "%s", dir);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].def != NULL)
			(void)ca_conf_set(c, keys[i].name, keys[i].def, err, sizeof(err));
}

void ca_path(const struct ca_conf *c, const char *name, char *out, size_t outlen)
{
	if (name[0] == '/')
		snprintf(out, outlen, "%s", name);
	else
		snprintf(out, outlen, "%s/%s", c->dir, name);
}

/* "host:port" or "[v6]:port".  0 or -1. */
static int parse_listen(const char *v, char *addr, size_t addrlen, unsigned short *port)
{
	const char *colon = strrchr(v, ':');
	size_t alen;
	char *end;
	long p;

	if (colon == NULL || colon == v)
		return -1;
	p = strtol(colon + 1, &end, 10);
	if (*end != '\0' || colon[1] == '\0' || p < 0 || p > 65535)
		return -1;
	alen = (size_t)(colon - v);
	if (v[0] == '[' && alen >= 2 && v[alen - 1] == ']') {
		v++;
		alen -= 2;
	}
	if (alen == 0 || alen >= addrlen)
		return -1;
	memcpy(addr, v, alen);
	addr[alen] = '\0';
	*port = (unsigned short)p;
	return 0;
}

int ca_conf_set(struct ca_conf *c, const char *key, const char *val, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const struct ca_key *k = &keys[i];
		char *field = (char *)c + k->off;
		char *end;
		long n;

		if (strcmp(k->name, key) != 0)
			continue;
		switch (k->type) {
		case K_URL:
			if (strncmp(val, "http://", 7) != 0 && strncmp(val, "https://", 8) != 0)
				goto bad;
			/* FALLTHROUGH */
		case K_STR:
			if (strlen(val) >= k->size || strpbrk(val, "\r\n") != NULL)
				goto bad;
			memcpy(field, val, strlen(val) + 1);
			return 0;
		case K_INT:
			n = strtol(val, &end, 10);
			if (*val == '\0' || *end != '\0' || n < k->min || n > k->max)
				goto bad;
			*(int *)(void *)field = (int)n;
			return 0;
		case K_ALG:
			if (p11_alg_parse(val, (enum p11_alg *)(void *)field) != 0)
				goto bad;
			return 0;
		case K_LISTEN:
			/* the port field follows the address field */
			if (parse_listen(val, field, k->size,
					 (unsigned short *)(void *)(field + k->size)) != 0)
				goto bad;
			return 0;
		}
	}
	snprintf(err, errlen, "ca.conf: unknown key \"%s\"", key);
	return -1;
bad:
	snprintf(err, errlen, "ca.conf: bad value for \"%s\"", key);
	return -1;
}

struct load_ctx {
	struct ca_conf *c;
	char *err;
	size_t errlen;
	int failed;
};

static int on_pair(void *user, const char *section, const char *name, const char *value)
{
	struct load_ctx *x = user;

	if (x->failed)
		return 0;
	if (ca_conf_set(x->c, name, value, x->err, x->errlen) != 0) {
		x->failed = 1;
		return 0;
	}
	return 1;
}

int ca_conf_load(struct ca_conf *c, char *err, size_t errlen)
{
	struct load_ctx x = {c, err, errlen, 0};
	char path[PATH_MAX + 16];
	FILE *f;
	int rc;

	ca_path(c, "ca.conf", path, sizeof(path));
	f = fopen(path, "r");
	if (f == NULL) {
		snprintf(err, errlen, "%s: cannot open (run `qcra ca init` first)", path);
		return -1;
	}
	rc = ini_parse_file(f, on_pair, &x);
	fclose(f);
	if (x.failed)
		return -1;
	if (rc != 0) {
		snprintf(err, errlen, "%s: syntax error on line %d", path, rc);
		return -1;
	}
	return 0;
}

int ca_conf_save(const struct ca_conf *c, char *err, size_t errlen)
{
	char path[PATH_MAX + 16];
	const char *section = "";
	size_t i;
	FILE *f;

	ca_path(c, "ca.conf", path, sizeof(path));
	f = fopen(path, "w");
	if (f == NULL) {
		snprintf(err, errlen, "%s: cannot create", path);
		return -1;
	}
	fprintf(f, "# qcra certification authority, written by `qcra ca init`.\n");
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const struct ca_key *k = &keys[i];
		const char *field = (const char *)c + k->off;

		if (strcmp(section, k->section) != 0) {
			section = k->section;
			fprintf(f, "\n[%s]\n", section);
		}
		switch (k->type) {
		case K_STR:
		case K_URL:
			fprintf(f, "%s = %s\n", k->name, field);
			break;
		case K_INT:
			fprintf(f, "%s = %d\n", k->name, *(const int *)(const void *)field);
			break;
		case K_ALG:
			fprintf(f, "%s = %s\n", k->name,
				p11_alg_name(*(const enum p11_alg *)(const void *)field));
			break;
		case K_LISTEN:
			fprintf(f, strchr(field, ':') ? "%s = [%s]:%u\n" : "%s = %s:%u\n", k->name,
				field, *(const unsigned short *)(const void *)(field + k->size));
			break;
		}
	}
	if (fclose(f) != 0) {
		snprintf(err, errlen, "%s: write failed", path);
		return -1;
	}
	return 0;
}
