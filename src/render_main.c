/*
 * qcra-render: draws documents for the portal and the CA (docs/render.h)
 * on its standard input and output, which are a socket to its parent.
 */
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "docs/render.h"

int main(void)
{
	/* Gone with the parent, whatever way it goes; nothing of the
	 * parent's open files but the socket and the log. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	closefrom(3);
	signal(SIGPIPE, SIG_IGN);
	if (isatty(0)) {
		fprintf(stderr, "qcra-render: started by the portal and the CA, not by hand\n");
		return 2;
	}
	return render_serve(0, 1, RENDER_IDLE_SECS);
}
