/*
 * qcra backup FILE [--encrypt-to CERT] and qcra restore FILE --var DIR
 * (issue 18, point 5).
 *
 * A backup is one archive (tar, gzip; libarchive) of what an
 * installation cannot be rebuilt without:
 *   MANIFEST       "qcra-backup 1", when, and the audit log's head;
 *   qcra.db        the database as of one commit (SQLite's online
 *                  backup, util/sq.h), taken while the portal runs;
 *   qcra.pgdump    instead, a database on PostgreSQL: pg_dump's custom
 *                  format, one snapshot (backup_pg.c);
 *   secret.key     the installation secret (sealed fields, audit keys);
 *   audit.anchor   the audit log's anchors, when there are;
 *   ca/...         the CA service's directory, when there is one (its
 *                  ca.db copied the same way, the token's files as they are).
 * With --encrypt-to, the archive is sealed for the holder of a
 * certificate's key (CMS AuthEnvelopedData, AES-256-GCM; OpenSSL), and
 * restore takes --key.  Written to FILE.tmp, synced, then renamed.
 *
 * restore unpacks into an empty (or new) directory only: names are
 * checked (relative, no "..", no links, only files and folders), files
 * made 0600 and folders 0700.  A backup of a PostgreSQL database is
 * restored into --database (else the database key, QCRA_DATABASE): an
 * empty one, or with --clean one whose tables are replaced.
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app/audit.h"
#include "cli/backup.h"
#include "cli/cli.h"
#include "store/store.h"
#include "util/sq.h"

static const char backup_usage[] =
	"usage: qcra backup FILE [--encrypt-to CERT.pem] [--ca-dir DIR] [--config FILE] [--var "
	"DIR]\n"
	"Writes one archive of the database (a consistent copy, taken while the portal\n"
	"runs; on PostgreSQL, pg_dump's custom format), VAR/secret.key, the audit anchors and the "
	"CA service's directory (DIR,\n"
	"default VAR/ca, when it exists).  With --encrypt-to, only the holder of that\n"
	"certificate's private key can open it (qcra restore --key).\n";

static const char restore_usage[] =
	"usage: qcra restore FILE --var DIR [--key KEY.pem] [--database URL [--clean]]\n"
	"Unpacks a backup into DIR, which must be empty or not yet exist; --key opens\n"
	"an encrypted backup.  A backup of a PostgreSQL database is restored into the\n"
	"database URL (default: $QCRA_DATABASE), which must have no table; --clean\n"
	"replaces its tables instead (stop the portal first).  Then check it:\n"
	"qcra audit verify --var DIR (with the database key set to URL).\n";

#define MANIFEST_MAGIC "qcra-backup 1\n"

/* ---- Writing ------------------------------------------------------------------------- */

/* Adds the file at path to a as name (0600, or 0700 for a folder). */
static int add_file(struct archive *a, const char *path, const char *name, char *err, size_t errlen)
{
	struct archive_entry *e;
	char chunk[65536];
	struct stat sb;
	ssize_t n;
	int fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0 || fstat(fd, &sb) != 0) {
		snprintf(err, errlen, "%.300s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if ((e = archive_entry_new()) == NULL) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0600);
	archive_entry_set_size(e, sb.st_size);
	archive_entry_set_mtime(e, sb.st_mtime, 0);
	if (archive_write_header(a, e) != ARCHIVE_OK)
		goto archive_error;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		if (archive_write_data(a, chunk, (size_t)n) != n)
			goto archive_error;
	if (n < 0) {
		snprintf(err, errlen, "%.300s: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
	goto out;
archive_error:
	snprintf(err, errlen, "archive: %s", archive_error_string(a));
out:
	archive_entry_free(e);
	close(fd);
	return rc;
}

static int add_text(struct archive *a, const char *name, const char *text, char *err, size_t errlen)
{
	struct archive_entry *e = archive_entry_new();
	size_t len = strlen(text);
	int rc = -1;

	if (e == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0600);
	archive_entry_set_size(e, (la_int64_t)len);
	archive_entry_set_mtime(e, time(NULL), 0);
	if (archive_write_header(a, e) == ARCHIVE_OK &&
	    archive_write_data(a, text, len) == (la_ssize_t)len)
		rc = 0;
	else
		snprintf(err, errlen, "archive: %s", archive_error_string(a));
	archive_entry_free(e);
	return rc;
}

/* A SQLite database at path added as name, copied first into tmp. */
static int add_db(struct archive *a, const char *path, const char *tmp, const char *name, char *err,
		  size_t errlen)
{
	int rc;

	unlink(tmp);
	if (sq_backup_file(path, tmp, err, errlen) != 0)
		return -1;
	rc = add_file(a, tmp, name, err, errlen);
	unlink(tmp);
	return rc;
}

/* The folder dir (as name/) with what is in it: *.db files through the
 * online backup, other regular files as they are; links and others
 * are left out. */
static int add_dir(struct archive *a, const char *dir, const char *name, const char *tmp, char *err,
		   size_t errlen)
{
	char path[PATH_MAX], sub[PATH_MAX];
	struct dirent *d;
	struct stat sb;
	size_t len;
	DIR *dp;
	int rc = 0;

	if ((dp = opendir(dir)) == NULL) {
		snprintf(err, errlen, "%.300s: %s", dir, strerror(errno));
		return -1;
	}
	while (rc == 0 && (d = readdir(dp)) != NULL) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		snprintf(sub, sizeof(sub), "%s/%s", name, d->d_name);
		if (lstat(path, &sb) != 0)
			continue; /* gone meanwhile */
		len = strlen(d->d_name);
		if (S_ISDIR(sb.st_mode))
			rc = add_dir(a, path, sub, tmp, err, errlen);
		else if (!S_ISREG(sb.st_mode))
			continue;
		else if (len > 3 && strcmp(d->d_name + len - 3, ".db") == 0)
			rc = add_db(a, path, tmp, sub, err, errlen);
		else if (len > 7 && (strcmp(d->d_name + len - 4, "-wal") == 0 ||
				     strcmp(d->d_name + len - 4, "-shm") == 0))
			continue; /* in the copy of its database */
		else
			rc = add_file(a, path, sub, err, errlen);
	}
	closedir(dp);
	return rc;
}

/* MANIFEST: the format, the time and the audit log's head. */
static void manifest(struct store *st, char *out, size_t size)
{
	struct audit_head h;
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;
	size_t n;

	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = (size_t)snprintf(out, size, MANIFEST_MAGIC "created %s\n", ts);
	if (n < size && store_audit_head(st, &h) == STORE_OK)
		snprintf(out + n, size - n, "audit_head %lld %s\n", h.id, h.hash);
}

/* Seals the file at in for cert_path's key into out (CMS, DER). */
static int seal(const char *in, const char *out, const char *cert_path, char *err, size_t errlen)
{
	STACK_OF(X509) *certs = sk_X509_new_null();
	BIO *bin = NULL, *bout = NULL, *bc = NULL;
	CMS_ContentInfo *cms = NULL;
	X509 *cert = NULL;
	int rc = -1;

	if (certs == NULL || (bc = BIO_new_file(cert_path, "r")) == NULL ||
	    (cert = PEM_read_bio_X509(bc, NULL, NULL, NULL)) == NULL) {
		snprintf(err, errlen, "%s: not a PEM certificate", cert_path);
		goto out;
	}
	if (sk_X509_push(certs, cert) <= 0)
		goto ssl_error;
	cert = NULL;
	if ((bin = BIO_new_file(in, "rb")) == NULL || (bout = BIO_new_file(out, "wb")) == NULL)
		goto ssl_error;
	if ((cms = CMS_encrypt(certs, bin, EVP_aes_256_gcm(), CMS_BINARY | CMS_STREAM)) == NULL ||
	    i2d_CMS_bio_stream(bout, cms, bin, CMS_BINARY | CMS_STREAM) != 1 ||
	    BIO_flush(bout) != 1)
		goto ssl_error;
	rc = 0;
	goto out;
ssl_error:
	snprintf(err, errlen, "encrypting for %s: %s", cert_path,
		 ERR_reason_error_string(ERR_get_error()));
out:
	CMS_ContentInfo_free(cms);
	BIO_free(bin);
	BIO_free(bout);
	BIO_free(bc);
	X509_free(cert);
	sk_X509_pop_free(certs, X509_free);
	return rc;
}

static int sync_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int cli_backup(int argc, char **argv)
{
	const char *config_path = NULL, *var = NULL, *cert = NULL, *ca_dir = NULL, *file;
	const struct opt opts[] = {
		CLI_CONFIG_OPTS(&config_path, &var),
		{"encrypt-to", 0, &cert, NULL},
		{"ca-dir", 0, &ca_dir, NULL},
		{NULL, 0, NULL, NULL},
	};
	char tmpdir[PATH_MAX], snap[PATH_MAX + 16], tar[PATH_MAX + 16], part[PATH_MAX + 8];
	char path[PATH_MAX + 32], cadir[PATH_MAX], err[512], man[512];
	struct archive *a = NULL;
	struct config cfg;
	struct store *st = NULL;
	struct stat sb;
	int rest, rc, status = 1;

	if ((rc = opts_parse(argc, argv, opts, backup_usage, &rest)) != OPTS_GO_ON)
		return rc;
	if (rest != argc - 1) {
		fputs(backup_usage, stderr);
		return 2;
	}
	file = argv[rest];
	if (cli_config_load(&cfg, config_path, var) != 0)
		return 1;
	if ((st = cli_open_store(&cfg)) == NULL)
		return 1;
	snprintf(tmpdir, sizeof(tmpdir), "%s/.backup-XXXXXX", cfg.var_dir);
	if (mkdtemp(tmpdir) == NULL) {
		fprintf(stderr, "qcra: backup: cannot make a working folder in %s: %s\n",
			cfg.var_dir, strerror(errno));
		store_close(st);
		return 1;
	}
	snprintf(snap, sizeof(snap), "%s/snapshot", tmpdir);
	snprintf(tar, sizeof(tar), "%s/archive", tmpdir);
	snprintf(part, sizeof(part), "%s.tmp", file);
	manifest(st, man, sizeof(man));
	if ((a = archive_write_new()) == NULL || archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
	    archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_open_filename(a, cert ? tar : part) != ARCHIVE_OK) {
		snprintf(err, sizeof(err), "%.300s: %s", cert ? tar : part,
			 a ? archive_error_string(a) : "out of memory");
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/qcra.db", cfg.var_dir);
	if (add_text(a, "MANIFEST", man, err, sizeof(err)) != 0)
		goto fail;
	if (cfg.database[0] != '\0') { /* PostgreSQL */
		int dumped = backup_pg_dump(cfg.database, snap, err, sizeof(err)) == 0 &&
			     add_file(a, snap, BACKUP_PG_DUMP, err, sizeof(err)) == 0;

		unlink(snap);
		if (!dumped)
			goto fail;
	} else if (add_db(a, path, snap, "qcra.db", err, sizeof(err)) != 0) {
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/secret.key", cfg.var_dir);
	if (add_file(a, path, "secret.key", err, sizeof(err)) != 0)
		goto fail;
	snprintf(path, sizeof(path), "%s/%s", cfg.var_dir, JOBS_ANCHOR_FILE);
	if (stat(path, &sb) == 0 && add_file(a, path, JOBS_ANCHOR_FILE, err, sizeof(err)) != 0)
		goto fail;
	snprintf(cadir, sizeof(cadir), "%s", ca_dir ? ca_dir : cfg.var_dir);
	if (ca_dir == NULL)
		strncat(cadir, "/ca", sizeof(cadir) - strlen(cadir) - 1);
	if (stat(cadir, &sb) == 0 && S_ISDIR(sb.st_mode) &&
	    add_dir(a, cadir, "ca", snap, err, sizeof(err)) != 0)
		goto fail;
	else if (ca_dir != NULL && (stat(cadir, &sb) != 0 || !S_ISDIR(sb.st_mode))) {
		snprintf(err, sizeof(err), "--ca-dir %s: no such folder", ca_dir);
		goto fail;
	}
	if (archive_write_close(a) != ARCHIVE_OK) {
		snprintf(err, sizeof(err), "archive: %s", archive_error_string(a));
		goto fail;
	}
	if (cert != NULL && seal(tar, part, cert, err, sizeof(err)) != 0)
		goto fail;
	if (chmod(part, 0600) != 0 || sync_file(part) != 0 || rename(part, file) != 0) {
		snprintf(err, sizeof(err), "%.300s: %s", file, strerror(errno));
		goto fail;
	}
	printf("backup written to %s%s\n", file, cert ? " (encrypted)" : "");
	status = 0;
	goto out;
fail:
	fprintf(stderr, "qcra: backup failed: %s; nothing was written to %s\n", err, file);
	unlink(part);
out:
	archive_write_free(a);
	unlink(snap);
	unlink(tar);
	rmdir(tmpdir);
	store_close(st);
	return status;
}

/* ---- Restoring ------------------------------------------------------------------------- */

/* A name inside the archive that may be written under the target:
 * relative, of plain characters, without "." or ".." parts. */
static int safe_name(const char *name)
{
	const char *p = name;
	size_t n;

	if (*name == '\0' || *name == '/' || strlen(name) > 200)
		return 0;
	for (; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-' || *p == '/'))
			return 0;
	for (p = name; *p; p += n + (p[n] == '/')) {
		n = strcspn(p, "/");
		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
	}
	return 1;
}

/* Makes the folders of path below dir (0700). */
static int make_parents(const char *dir, const char *name)
{
	char path[PATH_MAX];
	const char *p;

	for (p = strchr(name, '/'); p != NULL; p = strchr(p + 1, '/')) {
		snprintf(path, sizeof(path), "%s/%.*s", dir, (int)(p - name), name);
		if (mkdir(path, 0700) != 0 && errno != EEXIST)
			return -1;
	}
	return 0;
}

/* Opens a CMS-sealed backup with the key at key_path into out. */
static int unseal(const char *in, const char *out, const char *key_path, char *err, size_t errlen)
{
	BIO *bin = BIO_new_file(in, "rb"), *bout = NULL, *bk = NULL;
	CMS_ContentInfo *cms = NULL;
	EVP_PKEY *key = NULL;
	int rc = -1;

	if (bin == NULL || (cms = d2i_CMS_bio(bin, NULL)) == NULL) {
		snprintf(err, errlen, "%s: not a qcra backup (neither an archive nor sealed)", in);
		goto out;
	}
	if (key_path == NULL) {
		snprintf(err, errlen, "the backup is encrypted: give the private key with --key");
		goto out;
	}
	if ((bk = BIO_new_file(key_path, "r")) == NULL ||
	    (key = PEM_read_bio_PrivateKey(bk, NULL, NULL, NULL)) == NULL) {
		snprintf(err, errlen, "%s: not a PEM private key", key_path);
		goto out;
	}
	if ((bout = BIO_new_file(out, "wb")) == NULL ||
	    CMS_decrypt(cms, key, NULL, NULL, bout, CMS_BINARY) != 1 || BIO_flush(bout) != 1) {
		snprintf(err, errlen,
			 "the backup cannot be opened with %s (another key, or the file "
			 "was changed)",
			 key_path);
		goto out;
	}
	rc = 0;
out:
	CMS_ContentInfo_free(cms);
	EVP_PKEY_free(key);
	BIO_free(bin);
	BIO_free(bout);
	BIO_free(bk);
	return rc;
}

/* A reader of a tar.gz, opened on the file in (data NULL) or on len
 * bytes at data; NULL with err. */
static struct archive *reader(const char *in, const void *data, size_t len, char *err,
			      size_t errlen)
{
	struct archive *a = archive_read_new();

	if (a == NULL || archive_read_support_filter_gzip(a) != ARCHIVE_OK ||
	    archive_read_support_format_tar(a) != ARCHIVE_OK ||
	    (data == NULL ? archive_read_open_filename(a, in, 65536)
			  : archive_read_open_memory(a, data, len)) != ARCHIVE_OK) {
		snprintf(err, errlen, "%s: not a qcra backup", in);
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* Unpacks what a reads into dir (in names it in messages): every name
 * checked, MANIFEST first, only files and folders.  0, or -1 with err;
 * a freed either way. */
static int unpack_from(struct archive *a, const char *in, const char *dir, char *err, size_t errlen)
{
	struct archive_entry *e;
	char path[PATH_MAX + 256], buf[65536];
	la_ssize_t n;
	int rc = -1, first = 1, fd, r;

	if (a == NULL)
		return -1;
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		int type = archive_entry_filetype(e);

		if (name == NULL || !safe_name(name) || (type != AE_IFREG && type != AE_IFDIR) ||
		    (first && strcmp(name, "MANIFEST") != 0)) {
			snprintf(err, errlen, "%s: not a qcra backup (entry \"%s\")", in,
				 name ? name : "?");
			goto out;
		}
		first = 0;
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		if (make_parents(dir, name) != 0) {
			snprintf(err, errlen, "%.300s: %s", path, strerror(errno));
			goto out;
		}
		if (type == AE_IFDIR) {
			if (mkdir(path, 0700) != 0 && errno != EEXIST) {
				snprintf(err, errlen, "%.300s: %s", path, strerror(errno));
				goto out;
			}
			continue;
		}
		if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) <
		    0) {
			snprintf(err, errlen, "%.300s: %s", path, strerror(errno));
			goto out;
		}
		while ((n = archive_read_data(a, buf, sizeof(buf))) > 0)
			if (write(fd, buf, (size_t)n) != n)
				break;
		if (n != 0 || fsync(fd) != 0) {
			snprintf(err, errlen, "%.300s: %s", path,
				 n < 0 ? archive_error_string(a) : strerror(errno));
			close(fd);
			goto out;
		}
		close(fd);
	}
	if (r != ARCHIVE_EOF || first) {
		snprintf(err, errlen, "%s: the archive is damaged or empty", in);
		goto out;
	}
	rc = 0;
out:
	archive_read_free(a);
	return rc;
}

/* Unpacks the archive at in into dir.  0, or -1 with err. */
static int unpack(const char *in, const char *dir, char *err, size_t errlen)
{
	return unpack_from(reader(in, NULL, 0, err, errlen), in, dir, err, errlen);
}

int backup_unpack_memory(const void *data, size_t len, const char *dir, char *err, size_t errlen)
{
	return unpack_from(reader("the archive", data, len, err, errlen), "the archive", dir, err,
			   errlen);
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* 1 when dir is a folder with nothing in it, 0 when it has something,
 * -1 when it does not exist. */
static int dir_empty(const char *dir)
{
	struct dirent *d;
	DIR *dp = opendir(dir);
	int empty = 1;

	if (dp == NULL)
		return -1;
	while ((d = readdir(dp)) != NULL)
		if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0)
			empty = 0;
	closedir(dp);
	return empty;
}

int cli_restore(int argc, char **argv)
{
	const char *var = NULL, *key = NULL, *database = NULL, *file;
	int clean = 0;
	const struct opt opts[] = {
		{"var", 'v', &var, NULL},
		{"key", 0, &key, NULL},
		{"database", 0, &database, NULL},
		{"clean", 0, NULL, &clean},
		{NULL, 0, NULL, NULL},
	};
	char work[PATH_MAX], plain[PATH_MAX + 16], dump[PATH_MAX + 16], err[512];
	struct stat sb;
	unsigned char magic[2] = {0, 0};
	size_t len;
	int rest, rc;
	FILE *f;

	if ((rc = opts_parse(argc, argv, opts, restore_usage, &rest)) != OPTS_GO_ON)
		return rc;
	if (rest != argc - 1 || var == NULL || (len = strlen(var)) == 0 ||
	    len + 20 >= sizeof(work)) {
		fputs(restore_usage, stderr);
		return 2;
	}
	file = argv[rest];
	if (dir_empty(var) == 0) {
		fprintf(stderr,
			"qcra: restore: %s is not empty; restore into an empty or new folder "
			"(nothing was changed)\n",
			var);
		return 1;
	}
	if ((f = fopen(file, "rb")) == NULL || fread(magic, 1, 2, f) != 2) {
		fprintf(stderr, "qcra: restore: %s: %s\n", file,
			f ? "too short to be a backup" : strerror(errno));
		if (f)
			fclose(f);
		return 1;
	}
	fclose(f);
	/* Unpacked beside the target, then renamed onto it (an empty
	 * folder is replaced): the target is whole or untouched. */
	while (len > 1 && var[len - 1] == '/')
		len--;
	snprintf(work, sizeof(work), "%.*s.restore-XXXXXX", (int)len, var);
	if (mkdtemp(work) == NULL) {
		fprintf(stderr, "qcra: restore: cannot make %s: %s\n", work, strerror(errno));
		return 1;
	}
	snprintf(plain, sizeof(plain), "%s/.sealed", work);
	if (magic[0] == 0x1f && magic[1] == 0x8b)
		rc = unpack(file, work, err, sizeof(err));
	else if ((rc = unseal(file, plain, key, err, sizeof(err))) == 0)
		rc = unpack(plain, work, err, sizeof(err));
	unlink(plain);
	/* A PostgreSQL database's dump: into the database, not the folder. */
	snprintf(dump, sizeof(dump), "%s/" BACKUP_PG_DUMP, work);
	if (rc == 0 && lstat(dump, &sb) != 0 && database != NULL) {
		snprintf(err, sizeof(err),
			 "--database is for a backup of a PostgreSQL database; this one holds "
			 "an SQLite database (restored into the folder)");
		rc = -1;
	}
	if (database == NULL)
		database = getenv("QCRA_DATABASE");
	if (rc == 0 && lstat(dump, &sb) == 0) {
		if (database == NULL || database[0] == '\0') {
			snprintf(err, sizeof(err),
				 "the backup holds a PostgreSQL database: name the database to "
				 "restore it into with --database URL");
			rc = -1;
		} else {
			rc = backup_pg_restore(database, dump, clean, err, sizeof(err));
		}
		unlink(dump);
	}
	if (rc == 0 && rename(work, var) != 0) {
		snprintf(err, sizeof(err), "%.300s: %s", var, strerror(errno));
		rc = -1;
	}
	if (rc != 0) {
		nftw(work, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
		fprintf(stderr, "qcra: restore failed: %s; %s was not changed\n", err, var);
		return 1;
	}
	printf("restored into %s; check it with: qcra audit verify --var %s\n", var, var);
	return 0;
}
