#!/usr/bin/python3
"""First import of a large mailbox over IMAP: replydesk vs the Dovecot it reads from.

usage: imap_import_bench.py BINARY [--backend sqlite|postgres|both] [--count N] [--seed S]
                            [--repeat N] [--batch N] [--perf] [--json OUT]

Workload: ../shared/bench/gen_corpus.py COUNT SEED (as ingest_bench.py, cached under
bench/.work/). The messages are written into the Maildir of a throwaway Dovecot (IMAP on
127.0.0.1, plaintext, as `mailbox add --tls none` allows for loopback), in corpus order, so
UIDs follow the corpus. Dovecot builds its index on a first, untimed pass.

Measured, each run on a fresh database and the same Dovecot mailbox:
  raw      a minimal client (Python imaplib): LOGIN, SELECT, UID FETCH of every message with
           BODY.PEEK[] in windows of 64 (what our client does), LOGOUT. The floor: Dovecot's
           serving plus the cheapest possible reading. Dovecot's CPU for it is read from the
           master process's reaped-children times (the imap process exits at logout).
  accept   `replydesk mailbox fetch --no-process`: fetch + accept (+ dispose: \\Seen).
  full     `replydesk mailbox fetch`: the product's command, processing in a second thread.
           (--after keep, so every run on a fresh database finds the same 10,000 new messages.)
For each: wall time, messages/s, replydesk CPU (user+sys) and peak RSS (GNU time), Dovecot
CPU. With --perf, `perf record -g` runs over one `full` import and the top of the report is
printed. Correctness of every full run: ingest_bench.check (every message once, threading).

Python 3 standard library only.
"""
import argparse
import imaplib
import json
import os
import platform
import pwd
import shutil
import subprocess
import sys
import tempfile
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCH_DIR)
import ingest_bench as ib  # noqa: E402  (corpus, backends, measured runs, correctness)

USER, PASSWORD = "bench", "bench-secret"
CHANNEL = ib.CHANNEL
WINDOW = 64


def log(msg):
    ib.log(msg)


class Dovecot:
    """A private Dovecot with one user, IMAP on a free loopback port."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="dovecot-", dir=ib.WORK)
        os.chmod(self.dir, 0o755)
        self.port = ib.free_port()
        root = os.getuid() == 0
        pw = pwd.getpwnam("nobody") if root else pwd.getpwuid(os.getuid())
        self.uid, self.gid = pw.pw_uid, pw.pw_gid
        for sub in ("run", "state", "mail", "home/" + USER):
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        for sub in ("mail", "home/" + USER):
            os.chown(os.path.join(self.dir, sub), self.uid, self.gid)
        with open(os.path.join(self.dir, "passwd"), "w") as f:
            f.write("%s:{PLAIN}%s:%d:%d::%s/home/%s::\n" % (USER, PASSWORD, self.uid, self.gid,
                                                           self.dir, USER))
        users = ("default_internal_user = dovecot\ndefault_login_user = dovenull\n" if root else
                 "default_internal_user = %s\ndefault_login_user = %s\n" % (pw.pw_name, pw.pw_name))
        self.conf = os.path.join(self.dir, "dovecot.conf")
        with open(self.conf, "w") as f:
            f.write("base_dir = %(d)s/run\nstate_dir = %(d)s/state\nlog_path = %(d)s/dovecot.log\n"
                    "protocols = imap\nlisten = 127.0.0.1\n%(users)s"
                    "first_valid_uid = 1\nfirst_valid_gid = 1\nssl = no\n"
                    "disable_plaintext_auth = no\nauth_mechanisms = plain login\n"
                    "mail_location = maildir:%(d)s/mail/%%u\n"
                    "namespace inbox {\n  inbox = yes\n  separator = /\n}\n"
                    "passdb {\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%%u "
                    "%(d)s/passwd\n}\n"
                    "userdb {\n  driver = passwd-file\n  args = username_format=%%u %(d)s/passwd\n}\n"
                    "service imap-login {\n  inet_listener imap {\n    address = 127.0.0.1\n"
                    "    port = %(port)d\n  }\n  inet_listener imaps {\n    port = 0\n  }\n}\n"
                    % {"d": self.dir, "users": users, "port": self.port})
        self.proc = subprocess.Popen(["/usr/sbin/dovecot", "-F", "-c", self.conf],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                imaplib.IMAP4("127.0.0.1", self.port).logout()
                return
            except OSError:
                time.sleep(0.05)
        self.close()
        raise RuntimeError("dovecot did not start")

    def doveadm(self, *args):
        r = subprocess.run(["/usr/bin/doveadm", "-c", self.conf] + list(args),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
        if r.returncode != 0:
            raise RuntimeError("doveadm %s: %s" % (args, r.stderr.decode(errors="replace")))
        return r.stdout.decode()

    def deliver(self, eml_dir, manifest):
        """Maildir files in corpus order (Dovecot numbers new mail in file name order)."""
        self.doveadm("mailbox", "status", "-u", USER, "messages", "INBOX")  # creates the Maildir
        new = os.path.join(self.doveadm("mailbox", "path", "-u", USER, "INBOX").strip(), "new")
        t = int(time.time())
        for m in manifest:
            data = open(os.path.join(eml_dir, m["file"]), "rb").read()
            path = os.path.join(new, "%d.M%06dP1.bench" % (t, m["seq"]))
            with open(path, "wb") as f:
                f.write(data)
            os.chown(path, self.uid, self.gid)

    def children_cpu(self):
        """User+system seconds of the master's exited, reaped children (imap processes)."""
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        tick = os.sysconf("SC_CLK_TCK")
        return (int(fields[13]) + int(fields[14])) / tick  # cutime, cstime

    def close(self):
        if self.proc and self.proc.poll() is None:
            subprocess.run(["/usr/bin/doveadm", "-c", self.conf, "stop"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def raw_fetch(port, count):
    """LOGIN, SELECT, UID FETCH BODY.PEEK[] in windows, LOGOUT. Returns (messages, bytes)."""
    c = imaplib.IMAP4("127.0.0.1", port)
    c.login(USER, PASSWORD)
    typ, data = c.select("INBOX", readonly=True)
    total = int(data[0])
    n = size = 0
    for lo in range(1, total + 1, WINDOW):
        typ, data = c.uid("FETCH", "%d:%d" % (lo, lo + WINDOW - 1), "(BODY.PEEK[])")
        for item in data:
            if isinstance(item, tuple):
                n += 1
                size += len(item[1])
    c.logout()
    if n != count:
        raise RuntimeError("raw fetch got %d messages, expected %d" % (n, count))
    return n, size


def timed_raw(dovecot, count):
    cpu0 = dovecot.children_cpu()
    t0 = time.perf_counter()
    n, size = raw_fetch(dovecot.port, count)
    wall = time.perf_counter() - t0
    time.sleep(0.3)  # let the master reap the imap process
    return {"wall": wall, "rate": n / wall, "dovecot_cpu": dovecot.children_cpu() - cpu0,
            "bytes": size}


BATCH = []  # extra `mailbox fetch` options (--batch N)


def timed_fetch(binary, url, key, dovecot, count, no_process, perf_out=None):
    argv = [binary, "--db", url, "--secret-key-file", key, "mailbox", "fetch", "bench"] + BATCH
    if no_process:
        argv.append("--no-process")
    if perf_out:
        argv = ["perf", "record", "-g", "-o", perf_out, "--"] + argv
    cpu0 = dovecot.children_cpu()
    rc, wall, rss, out, err = ib.run_measured(argv)
    if rc != 0:
        raise RuntimeError("mailbox fetch failed (%d): %s" % (rc, err))
    time.sleep(0.3)
    if "imported %d" % count not in out:
        raise RuntimeError("unexpected summary: %s" % out)
    return {"wall": wall, "rate": count / wall, "rss_mib": rss / 1024.0, "cpu": ib.LAST_CPU,
            "dovecot_cpu": dovecot.children_cpu() - cpu0, "summary": out.strip()}


def setup_db(binary, backend, label, dovecot, key):
    url = backend.fresh(label)
    ib.rd(binary, url, "channel", "add", CHANNEL)
    env = dict(os.environ, RD_BENCH_PW=PASSWORD)
    r = subprocess.run([binary, "--db", url, "--secret-key-file", key, "mailbox", "add", "bench",
                        "--channel", CHANNEL, "--host", "127.0.0.1", "--port", str(dovecot.port),
                        "--tls", "none", "--user", USER, "--password-env", "RD_BENCH_PW",
                        "--after", "keep"],
                       env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    if r.returncode != 0:
        raise RuntimeError("mailbox add: %s" % r.stderr.decode(errors="replace"))
    return url


def perf_report(perf_out):
    r = subprocess.run(["perf", "report", "-i", perf_out, "--no-children", "--sort", "dso",
                        "-g", "none", "--stdio"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=600)
    lines = [ln for ln in r.stdout.decode(errors="replace").splitlines()
             if ln.strip() and not ln.startswith("#")]
    return lines[:15]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("binary")
    ap.add_argument("--backend", default="sqlite", choices=["sqlite", "postgres", "both"])
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--perf", action="store_true")
    ap.add_argument("--batch", type=int, help="messages per accept transaction (product default)")
    ap.add_argument("--json")
    a = ap.parse_args()
    if a.batch:
        BATCH[:] = ["--batch", str(a.batch)]
    binary = os.path.abspath(a.binary)
    os.makedirs(ib.WORK, exist_ok=True)
    eml_dir, manifest = ib.ensure_corpus(a.count, a.seed)
    dovecot = Dovecot()
    results = {"machine": "%s, %d CPUs, load %.1f" % (platform.platform(), os.cpu_count(),
                                                      os.getloadavg()[0]),
               "count": a.count, "runs": []}
    backends = []
    failed = False
    try:
        log("delivering %d messages into Dovecot" % a.count)
        dovecot.deliver(eml_dir, manifest)
        log("warm-up: Dovecot indexes the folder")
        raw_fetch(dovecot.port, a.count)
        key = os.path.join(dovecot.dir, "secret.key")
        names = ["sqlite", "postgres"] if a.backend == "both" else [a.backend]
        for name in names:
            backend = ib.SqliteBackend() if name == "sqlite" else ib.PostgresBackend()
            backends.append(backend)
            for i in range(a.repeat):
                run = {"backend": name, "raw": timed_raw(dovecot, a.count)}
                url = setup_db(binary, backend, "accept", dovecot, key)
                run["accept"] = timed_fetch(binary, url, key, dovecot, a.count, True)
                backend.drop(url)
                url = setup_db(binary, backend, "full", dovecot, key)
                run["full"] = timed_fetch(binary, url, key, dovecot, a.count, False)
                ok, summary, problems = ib.check(backend, url, manifest)
                run["check"] = {"ok": ok, "summary": summary, "problems": problems}
                failed |= not ok
                backend.drop(url)
                results["runs"].append(run)
                log("%s run %d: raw %.0f/s (dovecot %.1f s CPU); accept %.0f/s (%.1f s CPU, "
                    "dovecot %.1f s); full %.0f/s (%.1f s CPU, dovecot %.1f s, %.0f MiB); %s"
                    % (name, i + 1, run["raw"]["rate"], run["raw"]["dovecot_cpu"],
                       run["accept"]["rate"], run["accept"]["cpu"], run["accept"]["dovecot_cpu"],
                       run["full"]["rate"], run["full"]["cpu"], run["full"]["dovecot_cpu"],
                       run["full"]["rss_mib"], "PASS" if ok else "FAIL " + "; ".join(problems)))
            if a.perf:
                # One more full import under perf, not timed: where the CPU goes.
                url = setup_db(binary, backend, "perf", dovecot, key)
                perf_out = os.path.join(ib.WORK, "imap-%s.perf" % name)
                run = timed_fetch(binary, url, key, dovecot, a.count, False, perf_out)
                results.setdefault("perf", {})[name] = {"wall_under_perf": run["wall"],
                                                        "by_dso": perf_report(perf_out)}
                backend.drop(url)
            results.setdefault("backends", {})[name] = backend.describe()
    finally:
        for b in backends:
            b.close()
        dovecot.close()
    print(json.dumps(results, indent=2))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=2)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
