/*
 * qcra-render: draws documents for the portal and the CA (docs/render.h)
 * on its standard input and output, which are a socket to its parent.
 *
 * It first draws one of everything (render_warm_up), so that fonts,
 * templates and every library's lazy set-up are loaded, then confines
 * itself (docs/confine.h: no file, no socket, no program, limited memory)
 * and only then reads a request.
 *
 * `qcra-render --check PATH...` starts up the same way and then tries to
 * open each PATH, make sockets and run a program, saying what happened
 * (0 when all were refused): the confinement as the portal's children
 * get it, checked on this machine's kernel.
 */
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "docs/confine.h"
#include "docs/render.h"

int main(int argc, char **argv)
{
	int check = argc >= 2 && strcmp(argv[1], "--check") == 0;

	/* Gone with the parent, whatever way it goes; nothing of the
	 * parent's open files but the socket and the log. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	closefrom(3);
	signal(SIGPIPE, SIG_IGN);
	if (!check && (argc != 1 || isatty(0))) {
		fprintf(stderr, "qcra-render: started by the portal and the CA, not by hand "
				"(qcra-render --check PATH... checks its confinement)\n");
		return 2;
	}
	/* Memory freed after a document stays for the next one: a heap
	 * given back with brk and taken again, or a large buffer mapped
	 * and unmapped, on every document costs page faults and zeroing
	 * (a fifth of the child's time once the layouts are kept warm,
	 * docs/pdf_cache.h, and their blocks lie among the freed ones). */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_MMAP_THRESHOLD, 16 << 20);
	/* Dates in the documents are UTC; a fixed TZ also keeps glibc from
	 * looking at /etc/localtime again on every localtime(). */
	setenv("TZ", "UTC", 1);
	tzset();
	if (render_warm_up() != 0 || confine_start() != 0) {
		fprintf(stderr, "qcra-render: cannot start (see above)\n");
		return 2;
	}
	if (check)
		return confine_check(1, argv + 2, (size_t)argc - 2);
	return render_serve(0, 1, RENDER_IDLE_SECS);
}
