/*
 * HTTP test harness, text: HTML forms, URL encoding and the mail the
 * server writes to VAR/mail; see harness.h.
 */
#include "harness.h"
#include "harness_private.h"

#include <ctype.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void utf8_put(struct buf *b, unsigned long cp)
{
	if (cp < 0x80) {
		buf_putc(b, (char)cp);
	} else if (cp < 0x800) {
		buf_putc(b, (char)(0xC0 | (cp >> 6)));
		buf_putc(b, (char)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		buf_putc(b, (char)(0xE0 | (cp >> 12)));
		buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
		buf_putc(b, (char)(0x80 | (cp & 0x3F)));
	} else {
		buf_putc(b, (char)(0xF0 | (cp >> 18)));
		buf_putc(b, (char)(0x80 | ((cp >> 12) & 0x3F)));
		buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
		buf_putc(b, (char)(0x80 | (cp & 0x3F)));
	}
}

/* HTML character references in s[0..n) decoded; unknown ones kept. */
static char *html_decode(const char *s, size_t n)
{
	static const struct {
		const char *name;
		char c;
	} named[] = {{"amp;", '&'}, {"quot;", '"'}, {"apos;", '\''}, {"lt;", '<'}, {"gt;", '>'}};
	struct buf b = BUF_INIT;
	size_t i = 0, k;

	buf_cstr(&b);
	while (i < n) {
		if (s[i] != '&') {
			buf_putc(&b, s[i++]);
			continue;
		}
		for (k = 0; k < sizeof(named) / sizeof(named[0]); k++) {
			size_t l = strlen(named[k].name);

			if (n - i - 1 >= l && strncmp(s + i + 1, named[k].name, l) == 0) {
				buf_putc(&b, named[k].c);
				i += 1 + l;
				break;
			}
		}
		if (k < sizeof(named) / sizeof(named[0]))
			continue;
		if (i + 2 < n && s[i + 1] == '#') {
			int hex = (s[i + 2] == 'x' || s[i + 2] == 'X');
			size_t j = i + 2 + (size_t)hex;
			unsigned long cp = 0;
			size_t digits = 0;

			while (j < n && digits < 8 &&
			       (hex ? isxdigit((unsigned char)s[j])
				    : isdigit((unsigned char)s[j]))) {
				cp = cp * (hex ? 16 : 10) +
				     (unsigned long)(isdigit((unsigned char)s[j])
							     ? s[j] - '0'
							     : (tolower((unsigned char)s[j]) - 'a' +
								10));
				j++;
				digits++;
			}
			if (digits > 0 && j < n && s[j] == ';' && cp > 0 && cp <= 0x10FFFF) {
				utf8_put(&b, cp);
				i = j + 1;
				continue;
			}
		}
		buf_putc(&b, s[i++]);
	}
	return buf_detach(&b);
}

/* Parses one attribute at *pp inside a tag.  Returns 0 and the spans,
 * or -1 at the end of the tag. */
static int html_attr(const char **pp, const char **name, size_t *nlen, const char **val,
		     size_t *vlen)
{
	const char *p = *pp;

	while (*p && (isspace((unsigned char)*p) || *p == '/'))
		p++;
	if (*p == '\0' || *p == '>')
		return -1;
	*name = p;
	while (*p && !isspace((unsigned char)*p) && *p != '=' && *p != '>' && *p != '/')
		p++;
	*nlen = (size_t)(p - *name);
	*val = NULL;
	*vlen = 0;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '=') {
		p++;
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '"' || *p == '\'') {
			char q = *p++;

			*val = p;
			while (*p && *p != q)
				p++;
			*vlen = (size_t)(p - *val);
			if (*p)
				p++;
		} else {
			*val = p;
			while (*p && !isspace((unsigned char)*p) && *p != '>')
				p++;
			*vlen = (size_t)(p - *val);
		}
	}
	if (*nlen == 0) /* stray character: step over it */
		p++;
	*pp = p;
	return 0;
}

char *form_field_value(const char *html, const char *name)
{
	const char *p = html;

	while ((p = strcasestr(p, "<input")) != NULL) {
		const char *an, *av, *value = NULL;
		size_t anl, avl, valuelen = 0;
		int match = 0, has_value = 0;

		p += 6;
		if (*p && !isspace((unsigned char)*p) && *p != '/' && *p != '>')
			continue; /* e.g. <inputx> */
		while (html_attr(&p, &an, &anl, &av, &avl) == 0) {
			if (anl == 4 && strncasecmp(an, "name", 4) == 0 && av) {
				char *n = html_decode(av, avl);

				match = strcmp(n, name) == 0;
				free(n);
			} else if (anl == 5 && strncasecmp(an, "value", 5) == 0) {
				has_value = 1;
				value = av;
				valuelen = avl;
			}
		}
		if (match)
			return has_value && value ? html_decode(value, valuelen)
						  : harness_strdup("");
	}
	return NULL;
}

char *urlenc(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf b = BUF_INIT;

	buf_cstr(&b);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (isalnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~') {
			buf_putc(&b, (char)ch);
		} else {
			buf_putc(&b, '%');
			buf_putc(&b, hex[ch >> 4]);
			buf_putc(&b, hex[ch & 15]);
		}
	}
	return buf_detach(&b);
}

char *form_encode(const char *const *pairs)
{
	struct buf b = BUF_INIT;

	buf_cstr(&b);
	for (; pairs[0] && pairs[1]; pairs += 2) {
		char *k = urlenc(pairs[0]), *v = urlenc(pairs[1]);

		buf_printf(&b, "%s%s=%s", b.len ? "&" : "", k, v);
		free(k);
		free(v);
	}
	return buf_detach(&b);
}

char *form_encodef(const char *key, ...)
{
	const char **pairs;
	size_t n = 0, i = 0;
	va_list ap;
	char *out;

	va_start(ap, key);
	for (const char *s = key; s; s = va_arg(ap, const char *))
		n++;
	va_end(ap);
	pairs = harness_calloc(n + 2, sizeof(*pairs));
	va_start(ap, key);
	for (const char *s = key; s; s = va_arg(ap, const char *))
		pairs[i++] = s;
	va_end(ap);
	pairs[i] = NULL;
	out = form_encode(pairs);
	free(pairs);
	return out;
}

/* Mail. */

static int eml_name_cmp(const void *a, const void *b)
{
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

char **mail_files(const struct server *s, size_t *np)
{
	char dir[PATH_MAX + 8];
	struct dirent *de;
	char **files = NULL;
	size_t n = 0, cap = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/mail", s->var);
	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			size_t len = strlen(de->d_name);
			char **grown;

			/* Dot files are deliveries still being written. */
			if (de->d_name[0] == '.' || len <= 4 ||
			    strcmp(de->d_name + len - 4, ".eml") != 0)
				continue;
			if (n + 1 >= cap) {
				cap = cap ? cap * 2 : 16;
				if ((grown = realloc(files, cap * sizeof(*files))) == NULL)
					abort();
				files = grown;
			}
			files[n++] = harness_strdup(de->d_name);
		}
		closedir(d);
	}
	if (files == NULL)
		files = harness_calloc(1, sizeof(*files));
	qsort(files, n, sizeof(*files), eml_name_cmp);
	for (size_t i = 0; i < n; i++) {
		char *full;

		if (asprintf(&full, "%s/%s", dir, files[i]) < 0)
			abort();
		free(files[i]);
		files[i] = full;
	}
	files[n] = NULL;
	if (np)
		*np = n;
	return files;
}

void mail_files_free(char **files)
{
	if (files == NULL)
		return;
	for (char **f = files; *f; f++)
		free(*f);
	free(files);
}

static int eml_is_to(const char *eml, const char *addr)
{
	char *to = harness_header_lookup(eml, "To");
	int yes = to && strcasestr(to, addr) != NULL;

	free(to);
	return yes;
}

size_t mail_count_to(const struct server *s, const char *addr)
{
	char **files = mail_files(s, NULL);
	size_t count = 0;

	for (char **f = files; *f; f++) {
		char *eml = file_read(*f, NULL);

		if (eml && eml_is_to(eml, addr))
			count++;
		free(eml);
	}
	mail_files_free(files);
	return count;
}

char *mail_latest_to(const struct server *s, const char *addr)
{
	size_t n;
	char **files = mail_files(s, &n);
	char *found = NULL;

	while (n-- > 0 && found == NULL) {
		char *eml = file_read(files[n], NULL);

		if (eml && eml_is_to(eml, addr))
			found = eml;
		else
			free(eml);
	}
	mail_files_free(files);
	return found;
}

char *mail_wait_to(const struct server *s, const char *addr, size_t already, int timeout_ms)
{
	long long deadline = harness_now_ms() + timeout_ms;

	for (;;) {
		if (mail_count_to(s, addr) > already)
			return mail_latest_to(s, addr);
		if (harness_now_ms() >= deadline) {
			fprintf(stderr, "harness: no new mail to %s within %d ms\n", addr,
				timeout_ms);
			return NULL;
		}
		harness_sleep_ms(50);
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* RFC 2045 6.7 quoted-printable: "=XX" escapes and "=" soft breaks. */
static char *qp_decode(const char *s)
{
	struct buf b = BUF_INIT;

	buf_cstr(&b);
	while (*s) {
		if (*s == '=' && s[1] == '\r' && s[2] == '\n') {
			s += 3;
		} else if (*s == '=' && s[1] == '\n') {
			s += 2;
		} else if (*s == '=' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
			buf_putc(&b, (char)(hexval(s[1]) * 16 + hexval(s[2])));
			s += 3;
		} else {
			buf_putc(&b, *s++);
		}
	}
	return buf_detach(&b);
}

char *mail_extract_link(const char *eml, const char *prefix)
{
	const char *body = strstr(eml, "\r\n\r\n");
	const char *p, *end;
	char *cte, *decoded = NULL, *link = NULL;
	size_t len;

	if (body)
		body += 4;
	else if ((body = strstr(eml, "\n\n")) != NULL)
		body += 2;
	else
		return NULL;
	cte = harness_header_lookup(eml, "Content-Transfer-Encoding");
	if (cte && strcasecmp(cte, "quoted-printable") == 0)
		body = decoded = qp_decode(body);
	free(cte);

	if ((p = strstr(body, prefix)) != NULL) {
		end = p;
		while (*end && !isspace((unsigned char)*end) && *end != '"' && *end != '\'' &&
		       *end != '<' && *end != '>')
			end++;
		len = (size_t)(end - p);
		/* Sentence punctuation right after a link is not part of it. */
		while (len > strlen(prefix) && strchr(".,;:!?)]", p[len - 1]))
			len--;
		link = harness_strndup(p, len);
	}
	free(decoded);
	return link;
}
