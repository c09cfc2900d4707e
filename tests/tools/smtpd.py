#!/usr/bin/python3
"""A real SMTP server for qcra's tests, on Debian's python3-aiosmtpd.

    /usr/bin/python3 tests/tools/smtpd.py --port N --dir DIR [--host H]
        [--auth USER:PASSWORD] [--envelope]

Stores every message it accepts as DIR/NNNNNN.eml (a sequence number,
continuing after the highest file already there), written atomically:
DIR/.tmp-NNNNNN, fsync, rename, fsync DIR.  The bytes are the DATA as
received (dot-unstuffed, CRLF line ends); with --envelope two lines
"X-Envelope-From: <addr>" and "X-Envelope-To: <addr>[, ...]" come first.

Advertises 8BITMIME and SMTPUTF8.  With --auth, AUTH PLAIN/LOGIN is
offered over the plain connection and required before MAIL.

Prints "ready" on stdout once listening; exits 0 on SIGTERM or SIGINT.
"""

import argparse
import asyncio
import logging
import os
import re
import signal
import sys
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Store:
    """Writes each message atomically under a fresh sequence number."""

    def __init__(self, directory, envelope):
        self.dir = directory
        self.envelope = envelope
        os.makedirs(directory, exist_ok=True)
        seqs = [int(m.group(1)) for m in
                (re.fullmatch(r"(\d+)\.eml", n) for n in os.listdir(directory)) if m]
        self.seq = max(seqs, default=0)

    def write(self, data):
        self.seq += 1
        name = "%06d.eml" % self.seq
        tmp = os.path.join(self.dir, ".tmp-" + name)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.rename(tmp, os.path.join(self.dir, name))
        dfd = os.open(self.dir, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


class Handler:
    def __init__(self, store):
        self.store = store

    async def handle_DATA(self, server, session, envelope):
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        if self.store.envelope:
            head = "X-Envelope-From: <%s>\r\nX-Envelope-To: %s\r\n" % (
                envelope.mail_from,
                ", ".join("<%s>" % r for r in envelope.rcpt_tos))
            data = head.encode("utf-8") + data
        try:
            self.store.write(data)
        except OSError as e:
            return "451 Requested action aborted: %s" % e.strerror
        return "250 OK"


def authenticator_for(credential):
    user, _, password = credential.partition(":")
    want = LoginPassword(user.encode(), password.encode())

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data == want
        # handled=False: let the library answer 535 on failure
        return AuthResult(success=ok, handled=False)

    return authenticate


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--auth", metavar="USER:PASSWORD")
    ap.add_argument("--envelope", action="store_true")
    args = ap.parse_args()

    # Plain-text AUTH is what a loopback test server is for; silence the
    # library's warnings about it (and its other chatter on stderr).
    warnings.simplefilter("ignore")
    logging.getLogger("mail.log").setLevel(logging.ERROR)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    handler = Handler(Store(args.dir, args.envelope))
    kwargs = dict(hostname="qcra-test-smtpd", decode_data=False,
                  enable_SMTPUTF8=True, loop=loop)
    if args.auth:
        kwargs.update(authenticator=authenticator_for(args.auth),
                      auth_required=True, auth_require_tls=False)

    server = loop.run_until_complete(loop.create_server(
        lambda: SMTP(handler, **kwargs), host=args.host, port=args.port))
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, loop.stop)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    try:
        loop.run_forever()
    finally:
        server.close()
        # Newer Pythons wait here for open sessions; do not hang on one.
        try:
            loop.run_until_complete(asyncio.wait_for(server.wait_closed(), 2))
        except asyncio.TimeoutError:
            pass
        loop.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
