#!/usr/bin/python3
"""Inbound performance benchmark for replydesk, with a correctness check in the same run.

usage: ingest_bench.py BINARY [--backend sqlite|postgres|both]
                       [--route import|lmtp|ingest|ingest-alone|all]
                       [--count N] [--ingest-count N] [--seed S] [--repeat N] [--json OUT]

Targets (issue text), measured on SQLite and PostgreSQL, with peak RSS:
  import  of 10,000 messages                         >= 3,000 messages/s
  lmtp    one connection, one message after another  >=   500 messages/s
  ingest  one process per message                    >=   100 messages/s
          (with `serve` running, as deployed, so the launcher hands each message to serve, which
          accepts and processes it; "ingest-alone": no serve, the full binary processes each
          message inline)

Workload: ../shared/bench/gen_corpus.py COUNT SEED (resolved from the repository root, or
$REPLYDESK_SHARED), cached under bench/.work/corpus-COUNT-SEED/. Only the .eml files are
imported (hard-linked into eml/; manifest.jsonl would otherwise be sniffed as a message).

Databases: every measurement gets a fresh database.
  SQLite: a new folder under bench/.work/run-* (on the real disk, not tmpfs; the product's
          default durability: WAL + synchronous=FULL, blobs in the database).
  PostgreSQL: a new database in the cluster named by $REPLYDESK_BENCH_PG_URL (any database URL
          of it; CREATE DATABASE is run there), else a private cluster started on 127.0.0.1
          with the server defaults, i.e. fsync=on and synchronous_commit=on (production-like
          durability, unlike scripts/with-test-postgres.sh which sets fsync=off), stopped and
          deleted afterwards. Blobs go to the product default for PostgreSQL: the blobs table.

Correctness (every route, every repeat): the articles' message_id -> ticket_id map must have
every corpus message exactly once; every "new" message is the first article of a distinct
ticket; every "reply" is in its thread's ticket; tickets == new messages; inbound all processed.

Python 3 standard library only.
"""
import argparse
import json
import os
import re
import select
import shutil
import signal
import smtplib
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH_DIR)
WORK = os.path.join(BENCH_DIR, ".work")
CHANNEL = "rt@rt.example.com"

TARGETS = {"import": 3000.0, "lmtp": 500.0, "ingest": 100.0, "ingest-alone": 100.0}


def log(msg):
    print("[bench] " + msg, file=sys.stderr, flush=True)


# ------------------------------------------------------------------ corpus
def shared_dir():
    env = os.environ.get("REPLYDESK_SHARED")
    return os.path.abspath(env) if env else os.path.abspath(os.path.join(REPO, "..", "shared"))


def ensure_corpus(count, seed):
    """Returns (eml_dir, manifest list). Generates once per COUNT+SEED."""
    base = os.path.join(WORK, "corpus-%d-%d" % (count, seed))
    raw, eml, done = os.path.join(base, "raw"), os.path.join(base, "eml"), os.path.join(base, ".complete")
    if not os.path.exists(done):
        gen = os.path.join(shared_dir(), "bench", "gen_corpus.py")
        if not os.path.exists(gen):
            sys.exit("gen_corpus.py not found at %s (set REPLYDESK_SHARED)" % gen)
        shutil.rmtree(base, ignore_errors=True)
        os.makedirs(eml)
        log("generating corpus %d messages, seed %d -> %s" % (count, seed, base))
        subprocess.run([sys.executable, gen, str(count), str(seed), raw], check=True,
                       stdout=subprocess.DEVNULL, timeout=1800)
        for name in sorted(os.listdir(raw)):
            if name.endswith(".eml"):
                os.link(os.path.join(raw, name), os.path.join(eml, name))
        open(done, "w").close()
    manifest = []
    with open(os.path.join(raw, "manifest.jsonl"), encoding="utf-8") as f:
        for line in f:
            m = json.loads(line)
            manifest.append({k: m[k] for k in ("seq", "file", "kind", "thread", "message_id",
                                               "in_reply_to", "from", "bytes")})
    if len(manifest) != count:
        sys.exit("corpus %s has %d messages, expected %d" % (base, len(manifest), count))
    return eml, manifest


def subset_dir(eml_dir, manifest, n):
    """A folder with the first n messages (hard links), cached beside the corpus."""
    if n >= len(manifest):
        return eml_dir
    d = os.path.join(os.path.dirname(eml_dir), "eml-first-%d" % n)
    if not os.path.exists(os.path.join(d, ".complete")):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        for m in manifest[:n]:
            os.link(os.path.join(eml_dir, m["file"]), os.path.join(d, m["file"]))
        open(os.path.join(d, ".complete"), "w").close()
    return d


# ------------------------------------------------------------------ backends
def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class SqliteBackend:
    name = "sqlite"

    def __init__(self):
        os.makedirs(WORK, exist_ok=True)
        self.dirs = []

    def fresh(self, label):
        d = tempfile.mkdtemp(prefix="run-sqlite-%s-" % label, dir=WORK)
        self.dirs.append(d)
        return os.path.join(d, "replydesk.db")

    def query(self, url, sql):
        con = sqlite3.connect("file:%s?mode=ro" % url, uri=True, timeout=30)
        try:
            return [tuple(r) for r in con.execute(sql).fetchall()]
        finally:
            con.close()

    def drop(self, url):
        d = os.path.dirname(url)
        shutil.rmtree(d, ignore_errors=True)
        if d in self.dirs:
            self.dirs.remove(d)

    def describe(self):
        return "SQLite file on %s (WAL, synchronous=FULL; blobs in the database)" % WORK

    def close(self):
        for d in list(self.dirs):
            shutil.rmtree(d, ignore_errors=True)


def as_pg(cmd):
    return (["runuser", "-u", "postgres", "--"] + cmd) if os.getuid() == 0 else cmd


class PostgresBackend:
    name = "postgres"

    def __init__(self):
        self.dir = None
        self.pgbin = None
        self.dbs = []
        self.n = 0
        url = os.environ.get("REPLYDESK_BENCH_PG_URL")
        if url:
            self.admin_url = url
            self.origin = "external cluster from REPLYDESK_BENCH_PG_URL (its settings apply)"
        else:
            self._start()
            self.origin = ("private cluster, PostgreSQL defaults: fsync=on, synchronous_commit=on, "
                           "data in %s" % self.dir)

    def _start(self):
        bins = sorted((os.path.join("/usr/lib/postgresql", v, "bin")
                       for v in os.listdir("/usr/lib/postgresql")),
                      key=lambda p: [int(x) for x in re.findall(r"\d+", p)])
        if not bins:
            sys.exit("no PostgreSQL server in /usr/lib/postgresql")
        self.pgbin = bins[-1]
        # On the real disk (not tmpfs) so that fsync costs what it costs in production.
        os.makedirs(WORK, exist_ok=True)
        self.dir = tempfile.mkdtemp(prefix="pg-", dir=WORK)
        os.chmod(self.dir, 0o755)
        if os.getuid() == 0:
            shutil.chown(self.dir, "postgres")
        port = free_port()
        data = os.path.join(self.dir, "data")
        r = subprocess.run(as_pg([os.path.join(self.pgbin, "initdb"), "-D", data, "-A", "trust",
                                  "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8"]),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
        if r.returncode != 0:
            raise RuntimeError("initdb failed:\n" + r.stdout.decode(errors="replace"))
        opts = "-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=100 -c fsync=on" % (
            port, self.dir)
        r = subprocess.run(as_pg([os.path.join(self.pgbin, "pg_ctl"), "-D", data, "-l",
                                  os.path.join(self.dir, "server.log"), "-w", "-t", "60", "-o", opts,
                                  "start"]),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
        if r.returncode != 0:
            log_path = os.path.join(self.dir, "server.log")
            txt = open(log_path).read() if os.path.exists(log_path) else ""
            self.close()
            raise RuntimeError("pg_ctl start failed:\n" + r.stdout.decode(errors="replace") + txt)
        self.admin_url = "postgresql://postgres@127.0.0.1:%d/postgres" % port
        log("PostgreSQL started on 127.0.0.1:%d (fsync=on)" % port)

    def _url_with_db(self, db):
        u = urllib.parse.urlsplit(self.admin_url)
        return urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + db, u.query, u.fragment))

    def psql(self, url, sql, timeout=120):
        r = subprocess.run(["psql", "-X", "-q", "-At", "-F", "|", "-v", "ON_ERROR_STOP=1", url, "-c", sql],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
        if r.returncode != 0:
            raise RuntimeError("psql failed: %s: %s" % (sql, r.stderr.decode(errors="replace")))
        return r.stdout.decode()

    def fresh(self, label):
        self.n += 1
        db = "rdbench_%d_%d_%s" % (os.getpid(), self.n, label)
        self.psql(self.admin_url, "CREATE DATABASE %s" % db)
        self.dbs.append(db)
        return self._url_with_db(db)

    def query(self, url, sql):
        out = self.psql(url, sql)
        return [tuple(line.split("|")) for line in out.splitlines() if line != ""]

    def drop(self, url):
        db = url.rsplit("/", 1)[1]
        try:
            self.psql(self.admin_url, "DROP DATABASE IF EXISTS %s WITH (FORCE)" % db)
        except Exception as e:  # noqa: BLE001 - best effort cleanup
            log("drop %s: %s" % (db, e))
        if db in self.dbs:
            self.dbs.remove(db)

    def describe(self):
        try:
            s = self.query(self.admin_url, "SELECT current_setting('server_version'), "
                           "current_setting('fsync'), current_setting('synchronous_commit')")[0]
            return "PostgreSQL %s, fsync=%s, synchronous_commit=%s; %s" % (s[0], s[1], s[2], self.origin)
        except Exception:  # noqa: BLE001
            return self.origin

    def close(self):
        for db in list(self.dbs):
            self.drop("/" + db)
        if self.dir:
            data = os.path.join(self.dir, "data")
            subprocess.run(as_pg([os.path.join(self.pgbin, "pg_ctl"), "-D", data, "stop", "-m", "fast",
                                  "-t", "60"]),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None


# ------------------------------------------------------------------ processes
LAST_CPU = 0.0  # user+system seconds of the last child run_measured waited for
TIME_BIN = "/usr/bin/time"  # GNU time: the child's own peak RSS (%M), see run_measured


def run_measured(argv, stdin=None, timeout=3600):
    """Runs a child, returns (rc, wall seconds, peak RSS KiB of that child, stdout, stderr).

    Peak RSS: wait4's ru_maxrss would fold this Python process's address space (shared by vfork
    before exec) into the figure, so the child is started under GNU time (forked from a ~2 MiB
    process; about 1 ms of extra start-up per child) which reports the child's own maximum.
    Without /usr/bin/time the wait4 figure is used (a floor of this harness's RSS)."""
    out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    rss_file = None
    if os.access(TIME_BIN, os.X_OK):
        fd, rss_file = tempfile.mkstemp(prefix="rss-", dir=WORK)
        os.close(fd)
        argv = [TIME_BIN, "-f", "%M", "-o", rss_file] + list(argv)
    global LAST_CPU
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdin=stdin if stdin is not None else subprocess.DEVNULL,
                         stdout=out, stderr=err)
    try:
        deadline = time.monotonic() + timeout
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid == p.pid:
                break
            if time.monotonic() > deadline:
                p.kill()
                pid, status, ru = os.wait4(p.pid, 0)
                break
            time.sleep(0.0005 if timeout < 60 else 0.01)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        LAST_CPU = ru.ru_utime + ru.ru_stime
        rss = ru.ru_maxrss
        if rss_file:
            with open(rss_file) as f:
                lines = [ln for ln in f.read().split("\n") if ln.strip().isdigit()]
            if lines:
                rss = int(lines[-1])
        out.seek(0)
        err.seek(0)
        return (p.returncode, wall, rss, out.read().decode(errors="replace"),
                err.read().decode(errors="replace"))
    finally:
        if p.returncode is None:  # interrupted: never leave the child behind
            p.kill()
            try:
                os.waitpid(p.pid, 0)
            except ChildProcessError:
                pass
            p.returncode = -9
        out.close()
        err.close()
        if rss_file:
            os.unlink(rss_file)


def rd(binary, url, *args, timeout=300):
    r = subprocess.run([binary, "--db", url] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout)
    if r.returncode != 0:
        raise RuntimeError("replydesk %s failed (%d): %s" % (" ".join(args), r.returncode,
                                                             r.stderr.decode(errors="replace")))
    return r.stdout.decode()


def inbound_states(backend, url):
    rows = backend.query(url, "SELECT state, count(*) FROM inbound GROUP BY state")
    return {r[0]: int(r[1]) for r in rows}


def vm_hwm_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def proc_cpu_seconds(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


# ------------------------------------------------------------------ routes
def route_import(binary, backend, url, manifest, eml_dir):
    n = len(manifest)
    rc, wall, rss, out, err = run_measured([binary, "--db", url, "import", eml_dir], timeout=3600)
    if rc != 0:
        raise RuntimeError("import exited %d: %s %s" % (rc, out, err[-2000:]))
    return {"messages": n, "seconds": wall, "rate": n / wall, "peak_rss_kib": rss,
            "cpu_seconds": LAST_CPU, "detail": out.strip()}


def lmtp_bytes(path):
    with open(path, "rb") as f:
        data = f.read()
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")  # what an MTA sends


def start_serve(binary, url, workers=0):
    """Starts `replydesk serve` on a free LMTP port; returns (process, port, stderr file)."""
    errlog = tempfile.TemporaryFile()
    p = subprocess.Popen([binary, "--db", url, "serve", "--lmtp", "127.0.0.1:0", "--workers",
                          str(workers)], stdout=subprocess.PIPE, stderr=errlog)
    port, buf, deadline = None, b"", time.monotonic() + 60
    while port is None and time.monotonic() < deadline:
        r, _, _ = select.select([p.stdout], [], [], 0.5)
        if r:
            chunk = os.read(p.stdout.fileno(), 4096)
            if not chunk:
                break
            buf += chunk
            mt = re.search(rb"LMTP on 127\.0\.0\.1:(\d+)", buf)
            if mt:
                port = int(mt.group(1))
        if p.poll() is not None:
            break
    if port is None:
        errlog.seek(0)
        stop_serve(p, errlog)
        raise RuntimeError("serve did not report its port: %r %s" % (buf, errlog.read()[-2000:]))
    return p, port, errlog


def stop_serve(p, errlog):
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=30)
    p.stdout.close()
    errlog.close()


def wait_processed(backend, url, n):
    """Waits (bounded) until nothing is queued and n inbound rows exist; returns the states."""
    limit = time.monotonic() + max(120.0, n / 20.0)
    states = {}
    while time.monotonic() < limit:
        states = inbound_states(backend, url)
        if states.get("queued", 0) == 0 and sum(states.values()) >= n:
            break
        time.sleep(0.05)
    return states


def route_lmtp(binary, backend, url, manifest, eml_dir, workers=0):
    n = len(manifest)
    # Read each message just before sending it (page cache is warm): holding the corpus in this
    # process would raise its RSS, which children spawned later inherit in ru_maxrss (see below).
    p, port, errlog = start_serve(binary, url, workers)
    try:
        refused = []
        t0 = time.perf_counter()
        conn = smtplib.LMTP("127.0.0.1", port, timeout=120)
        try:
            for i, m in enumerate(manifest):
                sender, data = m["from"], lmtp_bytes(os.path.join(eml_dir, m["file"]))
                try:
                    bad = conn.sendmail(sender, [CHANNEL], data)
                    if bad:
                        refused.append((i, bad))
                except smtplib.SMTPException as e:
                    refused.append((i, repr(e)))
                    conn.rset()
            t_sent = time.perf_counter()
            conn.quit()
        finally:
            conn.close()
        states = wait_processed(backend, url, n - len(refused))
        t_done = time.perf_counter()
        hwm = vm_hwm_kib(p.pid)
        cpu = proc_cpu_seconds(p.pid)
        accept = t_sent - t0
        res = {"messages": n, "seconds": accept, "rate": n / accept, "peak_rss_kib": hwm,
               "processed_seconds": t_done - t0, "processed_rate": n / (t_done - t0), "cpu_seconds": cpu,
               "refused": len(refused), "detail": "refused %d; states after wait %s" % (len(refused), states)}
        if refused:
            res["refused_sample"] = [str(x) for x in refused[:5]]
        return res
    finally:
        stop_serve(p, errlog)


# Every RSS_SAMPLE-th ingest runs under GNU time for its peak RSS; the others are spawned the way an
# MTA's pipe transport does (posix_spawn from a small process, blocking wait), so that the harness'
# own costs (GNU time's exec, temp files, polling) are not counted as replydesk's start-up.
RSS_SAMPLE = 50


def spawn_ingest(argv, path):
    with open(path, "rb") as f:
        pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=[
            (os.POSIX_SPAWN_DUP2, f.fileno(), 0),
            (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)])
    _, status, ru = os.wait4(pid, 0)
    return os.waitstatus_to_exitcode(status), ru.ru_utime + ru.ru_stime


def ingest_parallel(binary, url, manifest, eml_dir, parallel):
    """Up to `parallel` ingest processes at a time, as an MTA's pipe transport runs them (Postfix:
    default_destination_concurrency_limit = 20). RSS is not sampled here (see run_measured)."""
    failures, cpu, running = [], 0.0, {}
    old = signal.alarm(max(600, len(manifest)))
    try:
        pending = list(manifest)
        while pending or running:
            while pending and len(running) < parallel:
                m = pending.pop(0)
                argv = [binary, "--db", url, "ingest", "--sender", m["from"], "--recipient", CHANNEL]
                with open(os.path.join(eml_dir, m["file"]), "rb") as f:
                    pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=[
                        (os.POSIX_SPAWN_DUP2, f.fileno(), 0),
                        (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)])
                running[pid] = m
            pid, status, ru = os.wait4(-1, 0)
            m = running.pop(pid)
            cpu += ru.ru_utime + ru.ru_stime
            if os.waitstatus_to_exitcode(status) != 0:
                failures.append((m["file"], os.waitstatus_to_exitcode(status), ""))
    finally:
        signal.alarm(old)
    return 0, failures, cpu


def ingest_all(binary, url, manifest, eml_dir, parallel=1):
    if parallel > 1:
        return ingest_parallel(binary, url, manifest, eml_dir, parallel)
    peak, failures, cpu = 0, [], 0.0
    old = signal.alarm(max(600, len(manifest)))  # a hung ingest ends the run, not the machine
    try:
        for i, m in enumerate(manifest):
            argv = [binary, "--db", url, "ingest", "--sender", m["from"], "--recipient", CHANNEL]
            path = os.path.join(eml_dir, m["file"])
            if i % RSS_SAMPLE == 0:
                with open(path, "rb") as f:
                    rc, _, rss, out, err = run_measured(argv, stdin=f, timeout=120)
                peak = max(peak, rss)
                cpu += LAST_CPU
            else:
                rc, c = spawn_ingest(argv, path)
                cpu += c
                err = ""
            if rc != 0:
                failures.append((m["file"], rc, err.strip()[-300:]))
    finally:
        signal.alarm(old)
    return peak, failures, cpu


INGEST_PARALLEL = 1  # --ingest-parallel


def route_ingest(binary, backend, url, manifest, eml_dir, with_serve=True):
    """One process per message. A `serve` runs meanwhile (the deployment the pipe transport is for:
    its workers process and its sender sends the acknowledgements), so the launcher hands each
    message to it (src/app/handoff.h); `rate` counts accepted messages, `processed_rate` the time
    until serve has processed them all. For the ingest-alone route every ingest runs the full
    binary and processes inline."""
    n = len(manifest)
    serve = start_serve(binary, url) if with_serve else None
    try:
        t0 = time.perf_counter()
        peak, failures, cpu = ingest_all(binary, url, manifest, eml_dir, INGEST_PARALLEL)
        wall = time.perf_counter() - t0
        res = {"messages": n, "seconds": wall, "rate": n / wall, "peak_rss_kib": peak, "cpu_seconds": cpu,
               "detail": "non-zero exits %d; %s" % (len(failures), "serve running" if serve else "no serve")}
        if serve:
            states = wait_processed(backend, url, n - len(failures))
            done = time.perf_counter() - t0
            res.update({"processed_seconds": done, "processed_rate": n / done})
            res["detail"] += "; states after wait %s; serve peak RSS %.1f MiB" % (
                states, vm_hwm_kib(serve[0].pid) / 1024)
        if failures:
            res["failures_sample"] = [str(x) for x in failures[:5]]
        return res
    finally:
        if serve:
            stop_serve(serve[0], serve[2])


def route_ingest_alone(binary, backend, url, manifest, eml_dir):
    return route_ingest(binary, backend, url, manifest, eml_dir, with_serve=False)


ROUTES = {"import": route_import, "lmtp": route_lmtp, "ingest": route_ingest,
          "ingest-alone": route_ingest_alone}


# ------------------------------------------------------------------ correctness
def check(backend, url, manifest):
    """Returns (ok, summary, problems)."""
    # "First article" in the product's own order (Tx::ListArticles): time,
    # then the order written (id).
    rows = backend.query(url, "SELECT id, ticket_id, message_id, created_at FROM articles")
    tickets = int(backend.query(url, "SELECT count(*) FROM tickets")[0][0])
    states = inbound_states(backend, url)
    by_mid = {}
    first_of_ticket = {}
    for aid, tid, mid, created in rows:
        aid, tid = int(aid), int(tid)
        order = (int(created), aid)
        by_mid.setdefault(mid.lower(), []).append((aid, tid))
        if tid not in first_of_ticket or order < first_of_ticket[tid][0]:
            first_of_ticket[tid] = (order, mid.lower())
    expected = {m["message_id"].lower() for m in manifest}
    missing = [m["message_id"] for m in manifest if m["message_id"].lower() not in by_mid]
    dup = [mid for mid, lst in by_mid.items() if len(lst) > 1]
    extra = [mid for mid in by_mid if mid not in expected]
    thread_ticket, new_tickets = {}, {}
    problems = []
    n_new = n_reply = 0
    new_not_first = shared_ticket = wrong_thread = 0
    for m in manifest:
        mid = m["message_id"].lower()
        if m["kind"] == "new":
            n_new += 1
            if mid not in by_mid:
                continue
            tid = by_mid[mid][0][1]
            thread_ticket[m["thread"]] = tid
            if tid in new_tickets:
                shared_ticket += 1
                if len(problems) < 10:
                    problems.append("new %s shares ticket %d with %s" % (mid, tid, new_tickets[tid]))
            else:
                new_tickets[tid] = mid
            if first_of_ticket.get(tid, (0, ""))[1] != mid:
                new_not_first += 1
                if len(problems) < 10:
                    problems.append("new %s is not the first article of ticket %d" % (mid, tid))
    for m in manifest:
        if m["kind"] != "reply":
            continue
        n_reply += 1
        mid = m["message_id"].lower()
        if mid not in by_mid:
            continue
        want = thread_ticket.get(m["thread"])
        got = by_mid[mid][0][1]
        if want is None or got != want:
            wrong_thread += 1
            if len(problems) < 10:
                problems.append("reply %s in ticket %d, thread %d is ticket %s" % (mid, got, m["thread"], want))
    not_processed = sum(v for k, v in states.items() if k != "processed")
    ok = (not missing and not dup and not extra and new_not_first == 0 and shared_ticket == 0
          and wrong_thread == 0 and tickets == n_new and not_processed == 0
          and states.get("processed", 0) == len(manifest))
    summary = {"messages": len(manifest), "new": n_new, "replies": n_reply, "articles": len(rows),
               "tickets": tickets, "missing": len(missing), "duplicated": len(dup), "unexpected": len(extra),
               "new_shared_ticket": shared_ticket, "new_not_first": new_not_first,
               "reply_wrong_ticket": wrong_thread,
               "inbound_states": states}
    for mid in missing[:5]:
        problems.append("missing " + mid)
    for mid in dup[:5]:
        problems.append("duplicated " + mid)
    return ok, summary, problems


# ------------------------------------------------------------------ main
def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("binary")
    ap.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    ap.add_argument("--route", choices=["import", "lmtp", "ingest", "ingest-alone", "all"], default="all")
    ap.add_argument("--count", type=int, default=10000, help="corpus size for import and lmtp")
    ap.add_argument("--ingest-count", type=int, default=2000,
                    help="messages for the ingest route (the corpus' first N)")
    ap.add_argument("--ingest-parallel", type=int, default=1,
                    help="ingest processes at a time (default 1: one after another)")
    ap.add_argument("--lmtp-count", type=int, default=0, help="messages for lmtp (default: --count)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--repeat", type=int, default=1, help="runs per measurement; the median is reported")
    ap.add_argument("--workers", type=int, default=0, help="serve --workers for the lmtp route (0: the product default)")
    ap.add_argument("--keep", action="store_true", help="keep the SQLite run folders")
    ap.add_argument("--json", metavar="OUT")
    a = ap.parse_args()

    global INGEST_PARALLEL
    INGEST_PARALLEL = max(1, a.ingest_parallel)
    binary = os.path.abspath(a.binary)
    if not os.access(binary, os.X_OK):
        sys.exit("not an executable: %s" % binary)
    eml_dir, manifest = ensure_corpus(a.count, a.seed)
    for m in manifest:  # warm the page cache: we measure replydesk, not the corpus disk
        with open(os.path.join(eml_dir, m["file"]), "rb") as f:
            f.read()
    backends = ["sqlite", "postgres"] if a.backend == "both" else [a.backend]
    routes = ["import", "lmtp", "ingest", "ingest-alone"] if a.route == "all" else [a.route]
    counts = {"import": a.count, "lmtp": a.lmtp_count or a.count, "ingest": min(a.ingest_count, a.count),
              "ingest-alone": min(a.ingest_count, a.count)}

    results, all_ok = [], True
    env = {"corpus": {"count": a.count, "seed": a.seed, "dir": eml_dir}, "binary": binary,
           "backends": {}}
    import resource
    for bname in backends:
        backend = None
        try:
            backend = SqliteBackend() if bname == "sqlite" else PostgresBackend()
            env["backends"][bname] = backend.describe()
            log(bname + ": " + env["backends"][bname])
            for route in routes:
                if route == "ingest-alone" and bname == "postgres":
                    continue  # the fallback without serve (~9/s, libpq's load): measured on SQLite
                sub = manifest[:counts[route]]
                d = subset_dir(eml_dir, manifest, len(sub))
                runs = []
                for rep in range(a.repeat):
                    url = backend.fresh(route)
                    try:
                        rd(binary, url, "channel", "add", CHANNEL)
                        log("%s %s: %d messages (run %d/%d)" % (bname, route, len(sub), rep + 1, a.repeat))
                        try:
                            r = ROUTES[route](binary, backend, url, sub, d)
                        except Exception as e:  # noqa: BLE001 - report and go on
                            r = {"messages": len(sub), "seconds": 0, "rate": 0, "peak_rss_kib": 0,
                                 "detail": "ERROR: %s" % e}
                        ok, summary, problems = check(backend, url, sub)
                        r.update({"correct": ok, "check": summary, "problems": problems})
                        log("  %.0f msg/s (%.1f s wall, %.1f s CPU of replydesk), peak RSS %.1f MiB, "
                            "correctness %s %s" % (
                            r["rate"], r["seconds"], r.get("cpu_seconds", 0), r["peak_rss_kib"] / 1024,
                            "PASS" if ok else "FAIL",
                            json.dumps(summary, sort_keys=True)))
                        for pr in problems:
                            log("    " + pr)
                        runs.append(r)
                    finally:
                        if not a.keep:
                            backend.drop(url)
                rates = [r["rate"] for r in runs]
                med = statistics.median(rates)
                agg = {"backend": bname, "route": route, "messages": len(sub), "repeat": a.repeat,
                       "rate": med, "rates": rates,
                       "peak_rss_kib": max(r["peak_rss_kib"] for r in runs),
                       "correct": all(r["correct"] for r in runs), "target": TARGETS[route],
                       "runs": runs}
                if any("processed_rate" in r for r in runs):
                    agg["processed_rate"] = statistics.median(r.get("processed_rate", 0) for r in runs)
                agg["target_met"] = med >= TARGETS[route]
                all_ok &= agg["correct"]
                results.append(agg)
        except Exception as e:  # noqa: BLE001
            log("%s: aborted: %s" % (bname, e))
            all_ok = False
            results.append({"backend": bname, "route": "*", "error": str(e), "correct": False})
        finally:
            if backend is not None:
                backend.close()

    # table
    print()
    print("replydesk inbound benchmark: corpus %d messages seed %d, %s" % (a.count, a.seed, binary))
    hdr = "%-9s %-12s %7s %10s %8s %10s %9s %s" % ("backend", "route", "msgs", "msg/s", "target", "met",
                                                   "RSS MiB", "correct")
    print(hdr)
    print("-" * len(hdr))
    for r in results:
        if "error" in r:
            print("%-9s %-12s ERROR %s" % (r["backend"], r["route"], r["error"]))
            continue
        c = r["runs"][-1]["check"]
        print("%-9s %-12s %7d %10.0f %8.0f %10s %9.1f %s" % (
            r["backend"], r["route"], r["messages"], r["rate"], r["target"],
            "yes" if r["target_met"] else "NO", r["peak_rss_kib"] / 1024,
            ("PASS" if r["correct"] else "FAIL") + " (tickets %d/%d new, replies %d, missing %d, dup %d, "
            "reply in wrong ticket %d, new sharing a ticket %d, new not first article %d)" % (
                c["tickets"], c["new"], c["replies"], c["missing"], c["duplicated"],
                c["reply_wrong_ticket"], c["new_shared_ticket"], c["new_not_first"])))
        if "processed_rate" in r:
            print("%-9s %-12s %7s %10.0f   (accepted and processed%s)" % (
                "", "", "", r["processed_rate"], ", workers=%d" % a.workers if r["route"] == "lmtp" else
                " by serve"))
    for b, d in env["backends"].items():
        print("%s: %s" % (b, d))
    env["harness_rss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    env["rss_method"] = ("import/ingest: GNU time %M; lmtp: VmHWM of serve" if os.access(TIME_BIN, os.X_OK)
                         else "import/ingest: wait4 ru_maxrss, floor = harness RSS; lmtp: VmHWM of serve")
    print("peak RSS: %s (harness itself %.1f MiB)" % (env["rss_method"], env["harness_rss_kib"] / 1024))
    print("correctness: %s" % ("PASS" if all_ok else "FAIL"))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"env": env, "results": results}, f, indent=1, default=str)
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
