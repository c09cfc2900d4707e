/* Configuration layering and validation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/config.h"
#include "core/pwhash.h"

static void test_defaults_listen_on_loopback_8080(void **state)
{
	struct config c;

	config_defaults(&c);
	assert_string_equal(c.listen_addr, "127.0.0.1");
	assert_int_equal(c.listen_port, 8080);
	assert_string_equal(c.var_dir, "./var");
	assert_int_equal(c.max_form_bytes, 65536);
	assert_int_equal(c.login_max_failures, 5);
	assert_int_equal(c.login_window_secs, 900);
	assert_string_equal(c.mail_transport, "maildir");
}

static void test_bad_values_name_the_key(void **state)
{
	struct config c;
	char err[256];

	config_defaults(&c);
	assert_int_equal(config_set(&c, "listen", "nonsense", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "listen"));
	assert_int_equal(config_set(&c, "listen", "127.0.0.1:99999", err, sizeof(err)), -1);
	assert_int_equal(config_set(&c, "workers", "0", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "workers"));
	assert_int_equal(config_set(&c, "workers", "2x", err, sizeof(err)), -1);
	assert_int_equal(config_set(&c, "mail_transport", "pigeon", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "mail_transport"));
	assert_int_equal(config_set(&c, "no_such_key", "1", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no_such_key"));
	assert_int_equal(config_set(&c, "smtp_starttls", "maybe", err, sizeof(err)), -1);
	/* Nothing above changed the defaults. */
	assert_int_equal(c.listen_port, 8080);
	assert_int_equal(c.workers, 2);
}

static void test_units_are_converted_to_seconds(void **state)
{
	struct config c;
	char err[256];

	config_defaults(&c);
	assert_int_equal(config_set(&c, "session_idle_minutes", "10", err, sizeof(err)), 0);
	assert_int_equal(c.session_idle_secs, 600);
	assert_int_equal(config_set(&c, "session_lifetime_hours", "2", err, sizeof(err)), 0);
	assert_int_equal(c.session_lifetime_secs, 7200);
	assert_int_equal(config_set(&c, "listen", "[::1]:0", err, sizeof(err)), 0);
}

static void test_file_then_env_layering(void **state)
{
	char path[] = "/tmp/qcra-conf-XXXXXX", err[256];
	struct config c;
	FILE *f;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("[server]\nlisten = 127.0.0.1:9000\nworkers = 4\n[mail]\nmail_transport = smtp\n", f);
	fclose(f);
	config_defaults(&c);
	setenv("QCRA_WORKERS", "3", 1);
	assert_int_equal(config_load_file(&c, path, err, sizeof(err)), 0);
	assert_int_equal(config_load_env(&c, err, sizeof(err)), 0);
	unsetenv("QCRA_WORKERS");
	assert_int_equal(c.listen_port, 9000);
	assert_int_equal(c.workers, 3);
	assert_string_equal(c.mail_transport, "smtp");
	config_finish(&c);
	assert_string_equal(c.base_url, "http://127.0.0.1:9000");
	unlink(path);
}

/* cert_login_listen: off by default and when empty; a bad value names
 * the key; its page is at base_url's host (IPv6 in brackets, base_url's
 * own port and path dropped) on its port. */
static void test_cert_login_listen_and_its_url(void **state)
{
	struct config c;
	char err[256];

	(void)state;
	config_defaults(&c);
	config_finish(&c);
	assert_string_equal(c.cert_login_addr, "");
	assert_string_equal(c.cert_login_url, "");
	assert_int_equal(config_set(&c, "cert_login_listen", "8443", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cert_login_listen"));
	assert_int_equal(config_set(&c, "cert_login_listen", "0.0.0.0:8443", err, sizeof(err)), 0);
	assert_string_equal(c.cert_login_addr, "0.0.0.0");
	assert_int_equal(c.cert_login_port, 8443);
	assert_int_equal(
		config_set(&c, "base_url", "https://ra.example.rs:443/portal/", err, sizeof(err)),
		0);
	config_finish(&c);
	assert_string_equal(c.cert_login_url, "https://ra.example.rs:8443/login/certificate");
	assert_int_equal(config_set(&c, "base_url", "https://[2001:db8::1]", err, sizeof(err)), 0);
	config_finish(&c);
	assert_string_equal(c.cert_login_url, "https://[2001:db8::1]:8443/login/certificate");
	assert_int_equal(config_set(&c, "cert_login_listen", "", err, sizeof(err)), 0);
	config_finish(&c);
	assert_string_equal(c.cert_login_addr, "");
	assert_string_equal(c.cert_login_url, "");
}

/* base_url unset: the listen address, over https when the portal serves
 * TLS itself (tls_cert), else http. */
static void test_base_url_default_follows_tls(void **state)
{
	struct config c;
	char err[256];

	(void)state;
	config_defaults(&c);
	config_finish(&c);
	assert_string_equal(c.base_url, "http://127.0.0.1:8080");
	config_defaults(&c);
	assert_int_equal(config_set(&c, "tls_cert", "/etc/qcra/cert.pem", err, sizeof(err)), 0);
	assert_int_equal(config_set(&c, "tls_key", "/etc/qcra/key.pem", err, sizeof(err)), 0);
	config_finish(&c);
	assert_string_equal(c.base_url, "https://127.0.0.1:8080");
}

/* base_url unset on an IPv6 address: in brackets, as a URL needs it;
 * on every address (0.0.0.0, ::): a host a browser can open, not the
 * wildcard, which no mailed link can reach (qcra serve warns). */
static void test_base_url_default_is_a_usable_url(void **state)
{
	struct config c;
	char err[256];

	(void)state;
	config_defaults(&c);
	assert_int_equal(config_set(&c, "listen", "[::1]:8080", err, sizeof(err)), 0);
	config_finish(&c);
	assert_string_equal(c.base_url, "http://[::1]:8080");
	config_defaults(&c);
	assert_int_equal(config_set(&c, "listen", "::1:8080", err, sizeof(err)), 0);
	config_finish(&c);
	assert_string_equal(c.base_url, "http://[::1]:8080");
	config_defaults(&c);
	assert_int_equal(config_set(&c, "listen", "0.0.0.0:8080", err, sizeof(err)), 0);
	config_finish(&c);
	assert_string_equal(c.base_url, "http://localhost:8080");
	config_defaults(&c);
	assert_int_equal(config_set(&c, "listen", "[::]:8443", err, sizeof(err)), 0);
	assert_int_equal(config_set(&c, "tls_cert", "/etc/qcra/cert.pem", err, sizeof(err)), 0);
	config_finish(&c);
	assert_string_equal(c.base_url, "https://localhost:8443");
}

static void test_file_error_names_file_and_key(void **state)
{
	char path[] = "/tmp/qcra-conf-XXXXXX", err[256];
	struct config c;
	FILE *f;
	int fd = mkstemp(path);

	f = fdopen(fd, "w");
	fputs("workers = many\n", f);
	fclose(f);
	config_defaults(&c);
	assert_int_equal(config_load_file(&c, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "workers"));
	unlink(path);
	assert_int_equal(config_load_file(&c, "/nonexistent/qcra.conf", err, sizeof(err)), -1);
}

static void test_example_config_is_valid(void **state)
{
	char path[1024], err[256];
	struct config c;

	snprintf(path, sizeof(path), "%s/qcra.conf.example", getenv("QCRA_SRCDIR"));
	config_defaults(&c);
	assert_int_equal(config_load_file(&c, path, err, sizeof(err)), 0);
}

/* Cheaper password hashes only where the TEST CA marks an installation
 * for tests and demos (ASVS 11.4.2: at least 19 MiB elsewhere). */
static void test_password_hash_memory_below_the_minimum_needs_the_test_ca(void **state)
{
	char err[256];
	struct config c;

	config_defaults(&c);
	assert_int_equal(c.pwhash_memory_kib, 19456);
	assert_int_equal(config_check(&c, err, sizeof(err)), 0);
	assert_int_equal(config_set(&c, "password_hash_memory_kib", "8", err, sizeof(err)), 0);
	assert_int_equal(config_check(&c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "password_hash_memory_kib"));
	assert_int_equal(config_set(&c, "ca_connector", "service", err, sizeof(err)), 0);
	assert_int_equal(config_check(&c, err, sizeof(err)), -1);
	assert_int_equal(config_set(&c, "ca_connector", "testca", err, sizeof(err)), 0);
	assert_int_equal(config_check(&c, err, sizeof(err)), 0);
}

/* The hashes made have the memory set, and the old ones are rehashed. */
static void test_password_hash_memory_is_the_configured_one(void **state)
{
	char full[PWHASH_STRBYTES], cheap[PWHASH_STRBYTES];

	assert_int_equal(pwhash_make(full, "Tri ma\xc4\x8dke spavaju"), 0);
	assert_non_null(strstr(full, "$argon2id$v=19$m=19456,t=2,p=1$"));
	pwhash_set_memory(8 * 1024);
	assert_int_equal(pwhash_make(cheap, "Tri ma\xc4\x8dke spavaju"), 0);
	assert_non_null(strstr(cheap, "$argon2id$v=19$m=8,t=2,p=1$"));
	assert_true(pwhash_verify(full, "Tri ma\xc4\x8dke spavaju"));
	assert_true(pwhash_needs_rehash(full));
	assert_false(pwhash_needs_rehash(cheap));
	pwhash_set_memory(PWHASH_MEMLIMIT);
	assert_true(pwhash_needs_rehash(cheap));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_listen_on_loopback_8080),
		cmocka_unit_test(test_cert_login_listen_and_its_url),
		cmocka_unit_test(test_base_url_default_follows_tls),
		cmocka_unit_test(test_base_url_default_is_a_usable_url),
		cmocka_unit_test(test_bad_values_name_the_key),
		cmocka_unit_test(test_units_are_converted_to_seconds),
		cmocka_unit_test(test_file_then_env_layering),
		cmocka_unit_test(test_file_error_names_file_and_key),
		cmocka_unit_test(test_example_config_is_valid),
		cmocka_unit_test(test_password_hash_memory_below_the_minimum_needs_the_test_ca),
		cmocka_unit_test(test_password_hash_memory_is_the_configured_one),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
