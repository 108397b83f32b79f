#!/usr/bin/python3
"""A capturing SMTP server for tests (driven by tests/support/smtp_capture.h).

Listens on 127.0.0.1:PORT (0 = any free port) with aiosmtpd and saves every
message it accepts into DIR as two files: NAME.eml, the exact bytes after
dot-unstuffing (RFC 5321 section 4.5.2), then NAME.env, written by rename once
the data is on disk:
    from <envelope sender, empty for the null sender <>>
    rcpt <recipient>            (one line per accepted recipient)
    tls yes|no                  (STARTTLS was used)
    auth <user>                 (only when the client authenticated)
Prints "listening on PORT" to stdout once connections are accepted.

Failures on demand, chosen by the recipient's local part:
    rcpt-NNN@...   RCPT TO is answered with NNN (e.g. rcpt-451, rcpt-550)
    data-NNN@...   RCPT is accepted, the end of DATA is answered with NNN
Options: --tls-cert/--tls-key offer STARTTLS (--require-tls: nothing before it),
--user/--password offer AUTH PLAIN and LOGIN (after STARTTLS when TLS is on;
--require-auth: no MAIL before it).
"""
import argparse
import asyncio
import logging
import os
import re
import socket
import ssl
import sys
import time

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

FAILURE = re.compile(r"^(rcpt|data)-([45]\d\d)@", re.IGNORECASE)


def failure(address, stage):
    """The reply code asked for by `address` at `stage`, or None."""
    match = FAILURE.match(address)
    if match and match.group(1).lower() == stage:
        return int(match.group(2))
    return None


def reject(code, address):
    return f"{code} {code // 100}.0.0 capture: {address} refused as asked"


class CaptureHandler:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        code = failure(address, "rcpt")
        if code is not None:
            return reject(code, address)
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        for address in envelope.rcpt_tos:
            code = failure(address, "data")
            if code is not None:
                return reject(code, address)
        self.save(session, envelope)
        return "250 2.0.0 OK: captured"

    def save(self, session, envelope):
        self.count += 1
        name = f"{time.time_ns():020d}-{os.getpid()}-{self.count:06d}"
        path = os.path.join(self.directory, name)
        with open(path + ".eml", "wb") as out:
            out.write(envelope.original_content)
        sender = "" if envelope.mail_from == "<>" else envelope.mail_from
        lines = [f"from {sender}"] + [f"rcpt {r}" for r in envelope.rcpt_tos]
        lines.append("tls " + ("yes" if session.ssl is not None else "no"))
        if session.authenticated and session.auth_data is not None:
            lines.append("auth " + session.auth_data.login.decode("utf-8", "replace"))
        with open(path + ".env.tmp", "w", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n")
        os.rename(path + ".env.tmp", path + ".env")


class Authenticator:
    def __init__(self, user, password):
        self.user = user.encode()
        self.password = password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == self.user
              and auth_data.password == self.password)
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--require-tls", action="store_true")
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--require-auth", action="store_true")
    args = parser.parse_args()
    # aiosmtpd warns about its own deprecated login_data on every AUTH: keep test output clean.
    logging.getLogger("mail.log").setLevel(logging.ERROR)

    context = None
    if args.tls_cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.tls_cert, args.tls_key)
    authenticator = Authenticator(args.user, args.password) if args.user else None
    handler = CaptureHandler(args.dir)

    def factory():
        return SMTP(handler, hostname="capture.test", ident="replydesk test capture",
                    tls_context=context, require_starttls=args.require_tls,
                    authenticator=authenticator, auth_required=args.require_auth,
                    auth_require_tls=context is not None, timeout=60)

    # Our own socket: a restart binds the same port again (SO_REUSEADDR), and
    # port 0 reports the port the kernel chose.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    sock.listen(64)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.run_until_complete(loop.create_server(factory, sock=sock))
    print(f"listening on {sock.getsockname()[1]}", flush=True)
    loop.run_forever()


if __name__ == "__main__":
    sys.exit(main())
