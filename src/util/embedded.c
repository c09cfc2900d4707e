#include "util/embedded.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The files read by embedded_use_dir, by index; NULL: the built-in ones. */
static struct embedded_file *overlay;

const struct embedded_file *embedded_at(size_t i)
{
	return overlay != NULL ? &overlay[i] : &embedded_files[i];
}

const struct embedded_file *embedded_find(const char *name)
{
	size_t i;

	for (i = 0; i < embedded_count; i++)
		if (strcmp(embedded_files[i].name, name) == 0)
			return embedded_at(i);
	return NULL;
}

/* A file of data_dir: what the portal reads of templates/ (the
 * renderer's templates/docs/ stay its own), messages/, static/, data/. */
static int from_dir(const char *name)
{
	static const char *const prefixes[] = {"templates/", "messages/", "static/", "data/"};
	size_t i;

	if (strncmp(name, "templates/docs/", 15) == 0)
		return 0;
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
			return 1;
	return 0;
}

/* The whole of path, NUL-terminated; NULL with errno set. */
static unsigned char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *data = NULL, *grown;
	size_t cap = 0, got;

	*len = 0;
	if (f == NULL)
		return NULL;
	do {
		if (cap - *len < 4096) {
			if ((grown = realloc(data, cap += 65536)) == NULL)
				goto fail;
			data = grown;
		}
		got = fread(data + *len, 1, cap - *len - 1, f);
		*len += got;
	} while (got > 0);
	if (ferror(f))
		goto fail;
	fclose(f);
	data[*len] = '\0';
	return data;
fail:
	if (errno == 0)
		errno = EIO;
	fclose(f);
	free(data);
	return NULL;
}

int embedded_use_dir(const char *dir, char *err, size_t errlen)
{
	struct embedded_file *files = calloc(embedded_count, sizeof(*files));
	char path[1024];
	size_t i;

	if (files == NULL) {
		snprintf(err, errlen, "data_dir: out of memory");
		return -1;
	}
	for (i = 0; i < embedded_count; i++) {
		files[i] = embedded_files[i];
		if (!from_dir(files[i].name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
		errno = 0;
		if ((files[i].data = read_all(path, &files[i].len)) == NULL) {
			snprintf(err, errlen, "data_dir: cannot read %s: %s", path,
				 strerror(errno));
			while (i-- > 0)
				if (from_dir(files[i].name))
					free((void *)files[i].data);
			free(files);
			return -1;
		}
	}
	overlay = files; /* kept while the program runs */
	return 0;
}
