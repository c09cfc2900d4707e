/*
 * The CA service connector's shipments: the CA lists them per office,
 * so the portal asks at the offices of the orders it sent; the
 * certificates of a shipment's waiting orders are recorded first, so
 * that they can arrive at once.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connector/caservice_int.h"
#include "store/store_ca.h"
#include "util/log.h"

#define CS_MAX_OFFICES 64

/* The offices to look at: office, or those of every order sent. */
struct offices {
	char v[CS_MAX_OFFICES][16];
	size_t n;
};

static int add_office(void *arg, const char *office)
{
	struct offices *x = arg;

	if (x->n == CS_MAX_OFFICES)
		return 1;
	snprintf(x->v[x->n++], sizeof(x->v[0]), "%s", office);
	return 0;
}

static int offices_of(struct cs *s, const char *office, struct offices *x)
{
	x->n = 0;
	if (office != NULL && *office)
		return add_office(x, office);
	return store_ca_offices(s->st, cs_connector_name, add_office, x) == STORE_OK ? 0 : -1;
}

static void shipment_read(json_t *sh, struct ca_shipment *out)
{
	json_t *items = json_object_get(sh, "items");

	memset(out, 0, sizeof(*out));
	snprintf(out->reference, sizeof(out->reference), "%lld",
		 (long long)json_integer_value(json_object_get(sh, "id")));
	copy_str(out->office, sizeof(out->office), sh, "office");
	out->created_at = iso_time(json_string_value(json_object_get(sh, "created")));
	out->received_at = iso_time(json_string_value(json_object_get(sh, "received_at")));
	if (out->received_at == 0 && json_string_value(json_object_get(sh, "state")) != NULL &&
	    strcmp(json_string_value(json_object_get(sh, "state")), "received") == 0)
		out->received_at = 1;
	out->count = (long long)json_array_size(items);
}

/* The order number of a shipment item, 0 when it is not one of ours. */
static long long item_order(json_t *it)
{
	const char *id = json_string_value(json_object_get(it, "order_id"));
	char *end;
	long long v;

	if (id == NULL || !isdigit((unsigned char)*id))
		return 0;
	errno = 0;
	v = strtoll(id, &end, 10);
	return errno == 0 && *end == '\0' ? v : 0;
}

/* Records the certificates of shipment sh whose orders still wait, so
 * that they can arrive at once. */
static void sync_items(struct ca_connector *c, json_t *sh)
{
	struct order o;
	size_t i;
	json_t *it;
	long long id;
	char err[512];

	json_array_foreach(json_object_get(sh, "items"), i, it)
	{
		if ((id = item_order(it)) == 0 ||
		    store_order_get(cs_of(c)->st, id, &o) != STORE_OK || o.state != WF_SENT_TO_CA)
			continue;
		if (caservice_sync_order(c, id, err, sizeof(err)) < 0)
			log_warnx("CA: order %lld: %s", id, err);
	}
}

/* The shipments to office (state: "in_transit" or NULL for all),
 * parsed; NULL with err. */
static json_t *office_shipments(struct cs *s, const char *office, const char *state, char *err,
				size_t errlen)
{
	struct buf b = BUF_INIT;
	char path[160];
	json_t *o = NULL, *list;
	long status;

	snprintf(path, sizeof(path), "/v1/offices/%s/shipments%s%s", office, state ? "?state=" : "",
		 state ? state : "");
	status = cs_request(s, "GET", path, NULL, &b, err, errlen);
	if (status != 200) {
		if (status != 0)
			cs_error(status, &b, NULL, err, errlen);
	} else if ((o = json_loads(b.data, 0, NULL)) == NULL ||
		   !json_is_array(list = json_object_get(o, "shipments"))) {
		snprintf(err, errlen, "CA: malformed list of shipments");
		json_decref(o);
		o = NULL;
	}
	buf_free(&b);
	return o;
}

int cs_shipments(struct ca_connector *c, const char *office,
		 int (*fn)(void *arg, const struct ca_shipment *s), void *arg, char *err,
		 size_t errlen)
{
	struct cs *s = cs_of(c);
	struct offices *offs = malloc(sizeof(*offs));
	struct ca_shipment sh;
	json_t *o, *list;
	size_t i, k;
	int rc = 0, stop = 0;

	if (offs == NULL || offices_of(s, office, offs) != 0) {
		free(offs);
		snprintf(err, errlen, "the offices cannot be read (database error)");
		return -1;
	}
	for (i = 0; i < offs->n && !stop; i++) {
		if ((o = office_shipments(s, offs->v[i], "in_transit", err, errlen)) == NULL) {
			rc = -1;
			break;
		}
		list = json_object_get(o, "shipments");
		for (k = json_array_size(list); k > 0 && !stop; k--) { /* oldest first */
			sync_items(c, json_array_get(list, k - 1));
			shipment_read(json_array_get(list, k - 1), &sh);
			stop = fn(arg, &sh) != 0;
		}
		json_decref(o);
	}
	free(offs);
	return rc;
}

/* Finds shipment ref at the offices of the portal's orders; the parsed
 * list holding it (to json_decref) with *found inside it, or NULL. */
static json_t *find_shipment(struct ca_connector *c, const char *ref, json_t **found, char *err,
			     size_t errlen)
{
	struct cs *s = cs_of(c);
	struct offices *offs = malloc(sizeof(*offs));
	json_t *o, *sh;
	char *end;
	long long id;
	size_t i, k;

	*found = NULL;
	errno = 0;
	id = strtoll(ref, &end, 10);
	if (offs == NULL || errno != 0 || *ref == '\0' || *end != '\0' || id <= 0 ||
	    offices_of(s, NULL, offs) != 0) {
		free(offs);
		snprintf(err, errlen, "CA: there is no shipment %s", ref);
		return NULL;
	}
	for (i = 0; i < offs->n; i++) {
		if ((o = office_shipments(s, offs->v[i], NULL, err, errlen)) == NULL)
			break;
		json_array_foreach(json_object_get(o, "shipments"), k, sh)
		{
			if (json_integer_value(json_object_get(sh, "id")) == id) {
				*found = sh;
				free(offs);
				return o;
			}
		}
		json_decref(o);
	}
	if (i == offs->n)
		snprintf(err, errlen, "CA: there is no shipment %s", ref);
	free(offs);
	return NULL;
}

int cs_shipment(struct ca_connector *c, const char *ref, struct ca_shipment *out,
		int (*fn)(void *arg, const struct ca_shipment_item *it), void *arg, char *err,
		size_t errlen)
{
	struct ca_shipment_item item;
	json_t *o, *sh, *it;
	size_t i;

	if ((o = find_shipment(c, ref, &sh, err, errlen)) == NULL)
		return -1;
	sync_items(c, sh);
	shipment_read(sh, out);
	json_array_foreach(json_object_get(sh, "items"), i, it)
	{
		memset(&item, 0, sizeof(item));
		if ((item.order_id = item_order(it)) == 0)
			continue;
		copy_str(item.reference, sizeof(item.reference), it, "order_id");
		copy_str(item.serial, sizeof(item.serial), it, "serial");
		if (fn != NULL && fn(arg, &item) != 0)
			break;
	}
	json_decref(o);
	return 0;
}

int cs_shipment_received(struct ca_connector *c, const char *ref, const char *by, time_t now,
			 char *err, size_t errlen)
{
	struct buf b = BUF_INIT;
	char path[96];
	long status;

	(void)by;
	(void)now;
	if (strspn(ref, "0123456789") != strlen(ref) || *ref == '\0' || strlen(ref) > 18) {
		snprintf(err, errlen, "CA: there is no shipment %s", ref);
		return -1;
	}
	snprintf(path, sizeof(path), "/v1/shipments/%s/receipt", ref);
	status = cs_request(cs_of(c), "POST", path, "{}", &b, err, errlen);
	if (status != 200 && status != 0)
		cs_error(status, &b, NULL, err, errlen);
	buf_free(&b);
	return status == 200 ? 0 : -1;
}
