/*
 * confine.h: rlimits, no_new_privs and a seccomp filter for qcra-render.
 *
 * The allow list was found with strace -f on qcra-render drawing every
 * document kind (request, contract, proforma for a natural person and a
 * legal entity, the PIN letter) after render_warm_up: from then on the
 * child and the threads pango starts call only what is listed below, and
 * open no file at all (fontconfig, the fonts and templates are loaded
 * by then; TZ is fixed so glibc does not stat /etc/localtime).  The
 * shape follows OpenSSH's seccomp sandbox (sandbox-seccomp-filter.c):
 * kill by default, a few calls a library may try refused with an errno
 * so that it fails rather than crashes.
 */
#include "docs/confine.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/fdio.h"
#include "util/log.h"

/* Sanitizer builds (-Db_sanitize=...): ASan and TSan reserve terabytes of
 * address space for their shadow memory, and LeakSanitizer checks at exit. */
#if defined(__SANITIZE_ADDRESS__)
#define CONFINE_SANITIZER 1
#define CONFINE_LSAN 1
#elif defined(__SANITIZE_THREAD__)
#define CONFINE_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CONFINE_SANITIZER 1
#define CONFINE_LSAN 1
#elif __has_feature(thread_sanitizer)
#define CONFINE_SANITIZER 1
#endif
#endif

#ifdef CONFINE_LSAN
#include <sanitizer/lsan_interface.h>
#endif

#ifdef CONFINE_SANITIZER
/* Sanitizer builds only: the runtime's start of a thread reads the
 * thread's CPU mask and alternate signal stack, and it calls prctl; a
 * call outside the list is refused with ENOSYS rather than fatal, so
 * that a sanitizer's report (which tries to start a symbolizer and read
 * /proc) is still written.  Opening files, sockets and execve stay
 * refused as in production. */
#define CONFINE_DEFAULT SCMP_ACT_ERRNO(ENOSYS)
#else
#define CONFINE_DEFAULT SCMP_ACT_KILL_PROCESS
#endif

/* Allowed whatever their arguments. */
static const int allowed[] = {
	/* The protocol on fds 0 and 1 (util/fdio.c), the log on 2. */
	SCMP_SYS(read),
	SCMP_SYS(write),
	SCMP_SYS(sendto), /* send(2) */
	SCMP_SYS(poll),   /* waiting for a request, up to the idle timeout */
	SCMP_SYS(ppoll),  /* the same where poll(2) is ppoll (arm64) */
	SCMP_SYS(close),
	/* Memory: malloc, large chunks mapped and resized (a PDF's buffer). */
	SCMP_SYS(brk),
	SCMP_SYS(munmap),
	SCMP_SYS(mremap),
	SCMP_SYS(madvise), /* a thread's stack given back at its exit */
	/* Threads: pango's font queries run in GThreads (see clone below). */
	SCMP_SYS(futex),
	SCMP_SYS(set_robust_list),
	SCMP_SYS(rseq),
	SCMP_SYS(getrandom), /* glib's hash seeds, in new threads */
	/* Signals: glibc blocks them around a thread's start; the CPU
	 * budget per document (render.c); abort() finding itself to
	 * signal (tgkill below); a library's handler returning. */
	SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(setitimer),
	SCMP_SYS(getpid),
	SCMP_SYS(gettid),
	SCMP_SYS(rt_sigreturn),
	/* The clock (log lines), where the vDSO falls back to the kernel. */
	SCMP_SYS(clock_gettime),
	SCMP_SYS(gettimeofday),
	SCMP_SYS(time),
	SCMP_SYS(exit), /* a thread */
	SCMP_SYS(exit_group),
#ifdef CONFINE_SANITIZER
	SCMP_SYS(sched_getaffinity),
	SCMP_SYS(sigaltstack),
	SCMP_SYS(sched_yield), /* TSan */
	SCMP_SYS(prctl),
#endif
};

/* Refused with EACCES: what a library asked for something new would try
 * (a font not loaded yet, a configuration file), or what an attacker in
 * the child wants; the caller sees an error instead of dying. */
static const int refused[] = {
	SCMP_SYS(open),       SCMP_SYS(openat),    SCMP_SYS(openat2),    SCMP_SYS(creat),
	SCMP_SYS(stat),       SCMP_SYS(lstat),     SCMP_SYS(newfstatat), SCMP_SYS(statx),
	SCMP_SYS(access),     SCMP_SYS(faccessat), SCMP_SYS(faccessat2), SCMP_SYS(readlink),
	SCMP_SYS(readlinkat), SCMP_SYS(socket),    SCMP_SYS(socketpair), SCMP_SYS(connect),
	SCMP_SYS(execve),     SCMP_SYS(execveat),
};

/* One argument comparison, every field set (libseccomp's SCMP_An
 * macros leave datum_b to the compiler, which clang warns of). */
static struct scmp_arg_cmp cmp(unsigned arg, enum scmp_compare op, scmp_datum_t a, scmp_datum_t b)
{
	struct scmp_arg_cmp c = {.arg = arg, .op = op, .datum_a = a, .datum_b = b};

	return c;
}

static int add(scmp_filter_ctx ctx, uint32_t action, int sys, unsigned n, const char *why,
	       struct scmp_arg_cmp a)
{
	int rc = n ? seccomp_rule_add(ctx, action, sys, n, a)
		   : seccomp_rule_add(ctx, action, sys, 0);

	if (rc != 0)
		log_warnx("confine: seccomp rule %s: %s", why, strerror(-rc));
	return rc;
}

/* The filter: allowed[], refused[], and the calls allowed only with some
 * arguments. */
static int filter_load(void)
{
	scmp_filter_ctx ctx = seccomp_init(CONFINE_DEFAULT);
	struct scmp_arg_cmp none = cmp(0, SCMP_CMP_EQ, 0, 0);
	size_t i;
	int rc = -1;

	if (ctx == NULL) {
		log_warnx("confine: seccomp_init failed");
		return -1;
	}
	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (add(ctx, SCMP_ACT_ALLOW, allowed[i], 0, "allow", none) != 0)
			goto out;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (add(ctx, SCMP_ACT_ERRNO(EACCES), refused[i], 0, "refuse", none) != 0)
			goto out;
	/* Memory, never executable: no code is loaded after the warm-up. */
	if (add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1, "mmap",
		cmp(2, SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)) != 0 ||
	    add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1, "mprotect",
		cmp(2, SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)) != 0)
		goto out;
	/* Threads, not processes: clone only with CLONE_THREAD.  clone3 takes
	 * its flags in memory, which a filter cannot read: ENOSYS makes
	 * glibc fall back to clone. */
	if (add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1, "clone",
		cmp(0, SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD)) != 0)
		goto out;
#ifndef CONFINE_SANITIZER /* there ENOSYS is the default */
	if (add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0, "clone3", none) != 0 ||
	    /* A thread naming itself (glib). */
	    add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1, "prctl",
		cmp(0, SCMP_CMP_EQ, PR_SET_NAME, 0)) != 0)
		goto out;
#endif
	/* abort() signalling itself; no other process. */
	if (add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1, "tgkill",
		cmp(0, SCMP_CMP_EQ, (scmp_datum_t)getpid(), 0)) != 0)
		goto out;
	if ((rc = seccomp_load(ctx)) != 0)
		log_warnx("confine: seccomp_load: %s", strerror(-rc));
out:
	seccomp_release(ctx);
	return rc == 0 ? 0 : -1;
}

int confine_start(void)
{
	struct rlimit none = {0, 0};

	/* Nothing of a PIN letter in a core file; no ptrace by its user. */
	if (setrlimit(RLIMIT_CORE, &none) != 0 || prctl(PR_SET_DUMPABLE, 0) != 0) {
		log_warn("confine: core dumps");
		return -1;
	}
#ifndef CONFINE_SANITIZER
	{
		/* Not under a sanitizer, whose shadow memory reserves
		 * terabytes of address space up front. */
		struct rlimit as = {CONFINE_MAX_AS, CONFINE_MAX_AS};

		if (setrlimit(RLIMIT_AS, &as) != 0) {
			log_warn("confine: RLIMIT_AS");
			return -1;
		}
	}
#endif
#ifdef CONFINE_LSAN
	/* LeakSanitizer's check at exit needs ptrace, /proc and a process
	 * of its own, which the filter refuses: it runs now instead (the
	 * warm-up's leaks), and not at exit. */
	__lsan_do_leak_check();
#endif
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		log_warn("confine: PR_SET_NO_NEW_PRIVS");
		return -1;
	}
	return filter_load();
}

/* Writes "what: strerror(err)" to fd; 1 when err is EACCES. */
static int report(int fd, const char *what, int ok, int err)
{
	char line[600];
	int n = snprintf(line, sizeof(line), "%s: %s\n", what, ok ? "allowed" : strerror(err));

	if (n > 0)
		fd_write_all(fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	return !ok && err == EACCES;
}

int confine_check(int fd, char *const paths[], size_t n)
{
	static const struct {
		const char *name;
		int domain;
	} socks[] = {{"socket AF_INET", AF_INET}, {"socket AF_UNIX", AF_UNIX}};
	char *const argv[] = {"sh", "-c", "true", NULL};
	char what[540];
	int denied = 1, r;
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(what, sizeof(what), "open %s", paths[i]);
		r = open(paths[i], O_RDONLY | O_CLOEXEC);
		denied &= report(fd, what, r >= 0, errno);
		if (r >= 0)
			close(r);
	}
	for (i = 0; i < sizeof(socks) / sizeof(socks[0]); i++) {
		r = socket(socks[i].domain, SOCK_STREAM | SOCK_CLOEXEC, 0);
		denied &= report(fd, socks[i].name, r >= 0, errno);
		if (r >= 0)
			close(r);
	}
	execv("/bin/sh", argv); /* returns only when refused */
	denied &= report(fd, "execve /bin/sh", 0, errno);
	if (denied)
		fd_write_all(fd, "confined\n", 9);
	return denied ? 0 : 1;
}
