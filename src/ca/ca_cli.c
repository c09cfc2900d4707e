/*
 * `qcra ca init` and `qcra ca serve`.
 */
#include "ca/ca_cli.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "docs/render.h"
#include "ca/ca_db.h"
#include "ca/ca_http.h"
#include "ca/ca_letter.h"
#include "ca/ca_service.h"
#include "util/log.h"
#include "util/notify.h"
#include "util/opts.h"

#define CRL_REFRESH_SECS 3600

static const char ca_usage[] =
	"usage: qcra ca init  [--dir DIR] [--if-missing] [--algorithm ec-p384|ec-p256|rsa-3072]\n"
	"                     [--holder-algorithm ALG] [--organization NAME]\n"
	"                     [--listen ADDR:PORT] [--public-listen ADDR:PORT]\n"
	"                     [--public-url URL]\n"
	"       qcra ca serve [--dir DIR] [--listen ADDR:PORT] [--public-listen ADDR:PORT]\n"
	"       qcra ca pin-letter [--dir DIR] --order ID --out FILE\n"
	"\n"
	"  DIR defaults to ./var/ca.  init creates the CA there (keys in a SoftHSM2\n"
	"  token under DIR/tokens); serve runs it: the RA API over TLS on --listen\n"
	"  (127.0.0.1:8443), CRL and OCSP over HTTP on --public-listen (127.0.0.1:8480).\n"
	"  pin-letter hands out the PIN letter of a card once: it is copied to FILE\n"
	"  (0600) and the CA's copy is deleted.\n";

/* Options of init and serve mapped onto ca.conf keys (init_only: not
 * for serve). */
static const struct {
	const char *name, *key;
	int init_only;
} conf_opts[] = {
	{"listen", "listen", 0},
	{"public-listen", "public_listen", 0},
	{"algorithm", "key_algorithm", 1},
	{"holder-algorithm", "holder_key_algorithm", 1},
	{"organization", "organization", 1},
	{"public-url", "public_url", 1},
};
#define NCONF_OPTS (sizeof(conf_opts) / sizeof(conf_opts[0]))

struct ca_opts {
	const char *dir;
	int if_missing;
	const char *keys[NCONF_OPTS], *vals[NCONF_OPTS];
	int n;
};

/* 0; -1 after --help; or the exit status for a usage error. */
static int parse_opts(int argc, char **argv, int init, struct ca_opts *o)
{
	const char *vals[NCONF_OPTS] = {NULL};
	struct opt opts[NCONF_OPTS + 3];
	size_t i;
	int rc, rest;

	memset(o, 0, sizeof(*o));
	o->dir = "./var/ca";
	for (i = 0; i < NCONF_OPTS; i++)
		opts[i] = (struct opt){conf_opts[i].name, 0, &vals[i], NULL};
	opts[i++] = (struct opt){"dir", 0, &o->dir, NULL};
	opts[i++] = (struct opt){"if-missing", 0, NULL, &o->if_missing};
	opts[i] = (struct opt){NULL, 0, NULL, NULL};
	if ((rc = opts_parse(argc, argv, opts, ca_usage, &rest)) != OPTS_GO_ON)
		return rc == 0 ? -1 : rc;
	for (i = 0; i < NCONF_OPTS && rest == argc; i++) {
		if (vals[i] == NULL)
			continue;
		if (conf_opts[i].init_only && !init)
			break;
		o->keys[o->n] = conf_opts[i].key;
		o->vals[o->n++] = vals[i];
	}
	if (i < NCONF_OPTS) {
		fputs(ca_usage, stderr);
		return 2;
	}
	return 0;
}

static int apply_opts(struct ca_conf *c, const struct ca_opts *o)
{
	char err[256];
	int i;

	for (i = 0; i < o->n; i++)
		if (ca_conf_set(c, o->keys[i], o->vals[i], err, sizeof(err)) != 0) {
			fprintf(stderr, "qcra ca: %s\n", err);
			return -1;
		}
	return 0;
}

static int ca_cmd_init(int argc, char **argv)
{
	struct ca_conf c;
	struct ca_opts o;
	char err[512], path[PATH_MAX + 32];
	struct stat st;
	int rc = parse_opts(argc, argv, 1, &o);

	if (rc != 0)
		return rc < 0 ? 0 : rc;
	ca_conf_defaults(&c, o.dir);
	if (apply_opts(&c, &o) != 0)
		return 2;
	ca_path(&c, "ca.conf", path, sizeof(path));
	if (o.if_missing && stat(path, &st) == 0)
		return 0;
	if (ca_init_run(&c, err, sizeof(err)) != 0) {
		fprintf(stderr, "qcra ca init: %s\n", err);
		return 1;
	}
	printf("CA initialised in %s (%s keys in the PKCS#11 token \"%s\")\n"
	       "  RA client certificate: %s/ra/ra.pem, key %s/ra/ra.key, CA %s/ra/ca.pem\n",
	       c.dir, p11_alg_name(c.ca_alg), c.token_label, c.dir, c.dir, c.dir);
	return 0;
}

static int ca_cmd_serve(int argc, char **argv)
{
	struct ca_listener *ra = NULL, *pub = NULL;
	struct ca_conf c;
	struct ca_opts o;
	struct ca *ca = NULL;
	struct timespec tick = {60, 0};
	sigset_t set;
	char err[512];
	int rc = parse_opts(argc, argv, 0, &o), sig;
	long wd;

	if (rc != 0)
		return rc < 0 ? 0 : rc;
	ca_conf_defaults(&c, o.dir);
	if (ca_conf_load(&c, err, sizeof(err)) != 0) {
		fprintf(stderr, "qcra ca serve: %s\n", err);
		return 1;
	}
	if (apply_opts(&c, &o) != 0)
		return 2;
	/* Threads started below inherit the mask: only this one takes
	 * the signals, in sigtimedwait. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	err[0] = '\0';
	ca = ca_open(&c, err, sizeof(err));
	if (ca != NULL && ca_crl_refresh(ca) != 0)
		snprintf(err, sizeof(err), "cannot sign the CRL with the token's issuing key");
	else if (ca != NULL)
		ra = ca_http_start(ca, &c, 1, err, sizeof(err));
	if (ra != NULL)
		pub = ca_http_start(ca, &c, 0, err, sizeof(err));
	if (pub == NULL) {
		fprintf(stderr, "qcra ca serve: %s\n", err);
		rc = 1;
		goto out;
	}
	log_info("CA: RA API on https://%s:%u, CRL and OCSP on http://%s:%u", c.listen_addr,
		 c.listen_port, c.public_addr, c.public_port);
	notify_ready();                                    /* systemd (Type=notify): listening */
	if ((wd = notify_watchdog_ms()) > 0 && wd < 60000) /* WATCHDOG=1 at half its interval */
		tick = (struct timespec){wd / 1000, (wd % 1000) * 1000000L};
	for (;;) {
		sig = sigtimedwait(&set, NULL, &tick);
		if (wd > 0)
			notify_watchdog();
		if (sig == SIGINT || sig == SIGTERM)
			break;
		if (sig == SIGHUP || ca_crl_stale(ca, CRL_REFRESH_SECS))
			ca_crl_refresh(ca);
	}
	notify_stopping();
	log_info("CA: stopping");
out:
	ca_http_stop(ra);
	ca_http_stop(pub);
	ca_close(ca);
	render_stop();
	return rc;
}

/* `qcra ca pin-letter`: the sealed letter goes out once. */
static int ca_cmd_pin_letter(int argc, char **argv)
{
	const char *dir = "./var/ca", *order = NULL, *out = NULL;
	const struct opt opts[] = {
		{"dir", 0, &dir, NULL},
		{"order", 0, &order, NULL},
		{"out", 0, &out, NULL},
		{NULL, 0, NULL, NULL},
	};
	char err[512], path[PATH_MAX + 32];
	struct ca_conf c;
	struct ca_db *db;
	struct ca_db_reg r;
	int rc, rest, found = -1;

	if ((rc = opts_parse(argc, argv, opts, ca_usage, &rest)) != OPTS_GO_ON)
		return rc;
	if (order == NULL || out == NULL || rest != argc) {
		fputs(ca_usage, stderr);
		return 2;
	}
	ca_conf_defaults(&c, dir);
	if (ca_conf_load(&c, err, sizeof(err)) != 0) {
		fprintf(stderr, "qcra ca pin-letter: %s\n", err);
		return 1;
	}
	ca_path(&c, "ca.db", path, sizeof(path));
	db = ca_db_open(path, err, sizeof(err));
	if (db == NULL) {
		fprintf(stderr, "qcra ca pin-letter: %s\n", err);
		return 1;
	}
	rc = ca_letter_collect(&c, order, out, err, sizeof(err));
	if (rc == 0) {
		ca_db_event(db, "pin_letter_collected", order, NULL);
		printf("PIN letter of order %s written to %s; the CA's copy is deleted\n", order,
		       out);
	} else if (rc == 1) {
		found = ca_db_reg_get(db, order, &r);
		if (found == 1)
			ca_db_reg_free(&r);
		fprintf(stderr, "qcra ca pin-letter: %s\n",
			found == 1 ? "the PIN letter of this order was already collected"
				   : "no PIN letter: no card was issued for this order");
	} else
		fprintf(stderr, "qcra ca pin-letter: %s\n", err);
	ca_db_close(db);
	return rc == 0 ? 0 : 1;
}

int cli_ca(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "pin-letter") == 0)
		return ca_cmd_pin_letter(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "init") == 0)
		return ca_cmd_init(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "serve") == 0)
		return ca_cmd_serve(argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(ca_usage, stdout);
		return 0;
	}
	fputs(ca_usage, stderr);
	return 2;
}
