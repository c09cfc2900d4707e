/*
 * libFuzzer target for qcra restore's reading of a backup
 * (backup_unpack_memory, cli/backup.h): each input unpacked into a
 * fresh folder under one temporary folder; whatever it holds, what was
 * made is only files (0600) and folders (0700) inside that folder, no
 * link, and an archive taken whole has its MANIFEST.  The folder is
 * emptied after each input and removed at exit.
 */
#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/backup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char root[64];
static size_t root_len;

static int check(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)ftw;
	if (strncmp(path, root, root_len) != 0 || (path[root_len] != '/' && path[root_len] != '\0'))
		abort(); /* outside the folder */
	if (flag == FTW_SL || flag == FTW_SLN || (!S_ISREG(sb->st_mode) && !S_ISDIR(sb->st_mode)))
		abort(); /* a link, a device, a fifo */
	if (path[root_len] != '\0' && (sb->st_mode & 07777) != (S_ISDIR(sb->st_mode) ? 0700 : 0600))
		abort();
	return 0;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void remove_root(void)
{
	rmdir(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char dir[96], manifest[128], err[512] = "";
	int rc;

	if (root[0] == '\0') {
		snprintf(root, sizeof(root), "%s", "/tmp/qcra-fuzz-backup-XXXXXX");
		if (mkdtemp(root) == NULL)
			abort();
		root_len = strlen(root);
		atexit(remove_root);
	}
	snprintf(dir, sizeof(dir), "%s/t", root);
	if (mkdir(dir, 0700) != 0)
		abort();
	rc = backup_unpack_memory(data, size, dir, err, sizeof(err));
	if (rc != 0 && rc != -1)
		abort();
	if (rc == -1 && err[0] == '\0')
		abort(); /* a failure says why */
	if (nftw(root, check, 16, FTW_PHYS) != 0)
		abort();
	snprintf(manifest, sizeof(manifest), "%s/MANIFEST", dir);
	if (rc == 0 && access(manifest, F_OK) != 0)
		abort();
	if (nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
		abort();
	return 0;
}
