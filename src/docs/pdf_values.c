/*
 * Values as the documents write them (pdf.h): a date in Serbian local
 * time, a number of years with its Serbian form, an account number in
 * its groups, an order's date.  Plain formatting, apart from the
 * drawing in pdf.c.
 */
#include "docs/pdf.h"

#include <stdio.h>
#include <string.h>

#include "domain/catalog.h"
#include "util/log.h"

/* The last Sunday of month mon (0-11) of year at 01:00 UTC: the EU
 * summer-time switch (Directive 2000/84/EC). */
static time_t eu_switch(int year, int mon)
{
	struct tm tm = {0};
	time_t t;

	tm.tm_year = year - 1900;
	tm.tm_mon = mon;
	tm.tm_mday = 31;
	tm.tm_hour = 1;
	t = timegm(&tm);
	gmtime_r(&t, &tm);
	return t - (time_t)tm.tm_wday * 86400;
}

void pdf_date(time_t t, char *out, size_t outlen)
{
	struct tm tm;
	int year;

	gmtime_r(&t, &tm);
	year = tm.tm_year + 1900;
	t += (t >= eu_switch(year, 2) && t < eu_switch(year, 9)) ? 7200 : 3600;
	gmtime_r(&t, &tm);
	snprintf(out, outlen, "%02d.%02d.%04d.", tm.tm_mday, tm.tm_mon + 1, tm.tm_year + 1900);
}

/* After a number: 1, 21, 31... godina; 2-4, 22-24... godine; 5-20,
 * 25-30... godina (so 1 and 5 take the same form). */
void pdf_years(int n, char *out, size_t outlen)
{
	int d = n % 10, dd = n % 100;

	snprintf(out, outlen, "%d %s", n,
		 d >= 2 && d <= 4 && (dd < 12 || dd > 14) ? "godine" : "godina");
}

void pdf_account(const char *a, char *out, size_t outlen)
{
	if (strlen(a) == 18 && strspn(a, "0123456789") == 18)
		snprintf(out, outlen, "%.3s-%.13s-%.2s", a, a + 3, a + 16);
	else
		snprintf(out, outlen, "%s", a);
}

time_t pdf_order_time(const struct order *o)
{
	return o->confirmed_at != 0 ? o->confirmed_at : o->created_at;
}

int pdf_order_catalog(const struct order *o, const struct catalog *c, const char *doc,
		      const struct office **f, const struct tariff_item **t)
{
	const struct office *off = catalog_office(c, o->office);
	const struct tariff_item *tar = catalog_tariff(c, o->validity);

	if (off == NULL || tar == NULL) {
		log_warnx("order %lld: %s: unknown office %s or tariff %s", o->id, doc, o->office,
			  o->validity);
		return -1;
	}
	if (f != NULL)
		*f = off;
	if (t != NULL)
		*t = tar;
	return 0;
}

int pdf_order_render(const struct order *o, const struct catalog *c, const char *doc,
		     const char *title, const char *author, const char *footer, pdf_body_fn body,
		     void *arg, struct buf *out)
{
	struct pdf_meta m = {title, author, c->seller.name, footer, pdf_order_time(o)};

	if (pdf_render(&m, body, arg, out) != 0) {
		log_warnx("order %lld: %s.pdf failed", o->id, doc);
		return -1;
	}
	return 0;
}
