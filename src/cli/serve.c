#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "http/http.h"
#include "mail/mail.h"
#include "util/log.h"
#include "web/app.h"

static const char serve_usage[] =
	"usage: qcra serve [--config FILE] [--listen ADDR:PORT] [--var DIR] [--workers N]\n"
	"Runs the portal.  Migrates the database first.  Stops gracefully on SIGTERM/SIGINT.\n";

int cli_serve(int argc, char **argv)
{
	struct http_server_conf hc;
	struct http_server *srv = NULL;
	struct mail_conf mc;
	struct config cfg;
	struct store *st = NULL;
	struct app app;
	char err[512], maildir[600];
	sigset_t set;
	int rc, next, sig, status = 1;

	if ((rc = cli_config(&cfg, argc, argv, 1, serve_usage, &next)) != 0)
		return rc;
	if (next != argc) {
		fputs(serve_usage, stderr);
		return 2;
	}
	/* Signals are taken by sigwait below; threads inherit the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	if ((st = cli_open_store(&cfg)) == NULL)
		return 1;
	if (app_init(&app, &cfg, st, err, sizeof(err)) != 0) {
		fprintf(stderr, "qcra: %s\n", err);
		goto out;
	}
	snprintf(maildir, sizeof(maildir), "%s/mail", cfg.var_dir);
	memset(&mc, 0, sizeof(mc));
	mc.transport = strcmp(cfg.mail_transport, "smtp") == 0 ? MAIL_SMTP : MAIL_MAILDIR;
	mc.maildir = maildir;
	mc.smtp.url = cfg.smtp_url;
	mc.smtp.starttls = cfg.smtp_starttls;
	mc.smtp.user = cfg.smtp_user;
	mc.smtp.password = cfg.smtp_password;
	mc.smtp.timeout_secs = 30;
	mc.from = cfg.mail_from;
	mc.hostname = "qcra.localhost";
	mc.poll_secs = cfg.mail_poll_secs;
	if (mc.transport == MAIL_SMTP && cfg.smtp_url[0] == '\0') {
		fprintf(stderr, "qcra: configuration error: smtp_url: required when "
				"mail_transport is smtp\n");
		goto out;
	}
	if (mc.transport == MAIL_MAILDIR && mkdir(maildir, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "qcra: var: cannot create %s: %s\n", maildir, strerror(errno));
		goto out;
	}
	if ((app.mail = mail_worker_start(st, &mc)) == NULL) {
		fprintf(stderr, "qcra: cannot start the mail worker\n");
		goto out;
	}
	memset(&hc, 0, sizeof(hc));
	hc.addr = cfg.listen_addr;
	hc.port = cfg.listen_port;
	hc.workers = cfg.workers;
	hc.max_body = cfg.max_form_bytes;
	hc.access_log = cfg.access_log;
	hc.app = &app;
	hc.handler = app_handle;
	if ((srv = http_server_start(&hc, err, sizeof(err))) == NULL) {
		fprintf(stderr, "qcra: %s\n", err);
		goto out;
	}
	log_info("qcra listening on http://%s:%u (var %s, %u workers)", cfg.listen_addr,
		 (unsigned)http_server_port(srv), cfg.var_dir, cfg.workers);
	sigwait(&set, &sig);
	log_info("qcra: signal %d, finishing in-flight requests", sig);
	status = 0;
out:
	http_server_stop(srv, 10);
	mail_worker_stop(app.mail);
	app_free(&app);
	store_close(st);
	if (status == 0)
		log_info("qcra: stopped");
	return status;
}
