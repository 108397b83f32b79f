#!/usr/bin/python3
"""Acknowledgement latency: from the LMTP 250 for a customer's message to the acknowledgement
accepted by an SMTP server, over N messages (issue target: p99 <= 2 s over 1,000 messages).

usage: ack_latency_bench.py BINARY [--count N] [--rate R] [--backend sqlite|postgres] [--json OUT]

  --rate R   messages per second offered on one LMTP connection (0 = as fast as possible:
             a burst, where latency is dominated by the backlog; default 20/s, a very busy
             support address)

Pipeline measured: `replydesk serve --smtp` (LMTP accept -> processing worker -> trigger ->
outbox -> sender thread -> SMTP) into an aiosmtpd server in this process on 127.0.0.1 that
notes the arrival time of each acknowledgement (matched by In-Reply-To). Fresh SQLite database
under bench/.work/ (product durability: WAL, synchronous=FULL); PostgreSQL: a fresh database in
the cluster of $REPLYDESK_BENCH_PG_URL. Correctness: every message gets exactly one
acknowledgement, carrying its ticket tag.

Python 3 standard library plus Debian's python3-aiosmtpd.
"""
import argparse
import json
import os
import re
import shutil
import smtplib
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from email.utils import formatdate

from aiosmtpd.controller import Controller

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
WORK = os.path.join(BENCH_DIR, ".work")
CHANNEL = "support@bench.example"


def log(msg):
    print("[ack-bench] " + msg, file=sys.stderr, flush=True)


class Capture:
    """Notes when each acknowledgement arrives, keyed by the Message-ID it answers."""

    def __init__(self):
        self.arrived = {}
        self.tags = {}
        self.lock = threading.Lock()
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        now = time.monotonic()
        text = envelope.content.decode("utf-8", "replace")
        head = text.split("\r\n\r\n", 1)[0]
        m = re.search(r"^In-Reply-To:\s*<([^>]+)>", head, re.M | re.I)
        tag = re.search(r"\[#T-(\d+)\]", head)
        with self.lock:
            self.count += 1
            if m:
                key = m.group(1)
                if key in self.arrived:
                    self.tags.setdefault("duplicates", []).append(key)
                self.arrived.setdefault(key, now)
                self.tags[key] = tag.group(1) if tag else None
        return "250 2.0.0 Ok: queued"


def message(i):
    return (
        "From: Customer %d <c%d@customer.example>\r\n"
        "To: %s\r\n"
        "Subject: Order %d has not arrived\r\n"
        "Message-ID: <q%d@customer.example>\r\n"
        "Date: %s\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Hello, my order %d was due yesterday and has not arrived. Could you check?\r\n"
        % (i, i, CHANNEL, i, i, formatdate(usegmt=True), i)
    ).encode()


def percentile(values, p):
    values = sorted(values)
    k = max(0, min(len(values) - 1, int(round(p / 100.0 * len(values) + 0.5)) - 1))
    return values[k]


def run(binary, count, rate, backend):
    os.makedirs(WORK, exist_ok=True)
    folder = tempfile.mkdtemp(prefix="ack-", dir=WORK)
    if backend == "postgres":
        base = os.environ.get("REPLYDESK_BENCH_PG_URL")
        if not base:
            sys.exit("set REPLYDESK_BENCH_PG_URL to a database URL of a PostgreSQL cluster")
        name = "ackbench_%d" % os.getpid()
        subprocess.run(["psql", base, "-qc", "CREATE DATABASE " + name], check=True)
        u = urllib.parse.urlparse(base)
        db = urllib.parse.urlunparse(u._replace(path="/" + name))
    else:
        db = os.path.join(folder, "replydesk.db")
    capture = Capture()
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    smtp_port = probe.getsockname()[1]
    probe.close()
    controller = Controller(capture, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    rd = [binary, "--db", db]
    subprocess.run(rd + ["channel", "add", CHANNEL, "--team", "Support", "--hours", "24/7",
                         "--first-response", "1h"], check=True, stdout=subprocess.DEVNULL)
    serve = subprocess.Popen(
        rd + ["--smtp", "smtp://127.0.0.1:%d" % smtp_port, "--auto-replies-per-hour", "1000000",
              "serve", "--lmtp", "127.0.0.1:0"],
        stdout=subprocess.PIPE, text=True)
    line = serve.stdout.readline()
    lmtp_port = int(re.search(r"127\.0\.0\.1:(\d+)", line).group(1))
    log("serve up: " + line.strip())
    accepted = {}
    client = smtplib.LMTP("127.0.0.1", lmtp_port, timeout=30)
    start = time.monotonic()
    for i in range(count):
        if rate > 0:
            due = start + i / rate
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        refused = client.sendmail("c%d@customer.example" % i, [CHANNEL], message(i))
        if refused:
            sys.exit("LMTP refused message %d: %r" % (i, refused))
        accepted["q%d@customer.example" % i] = time.monotonic()
    client.quit()
    offered = time.monotonic() - start
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with capture.lock:
            if sum(1 for k in accepted if k in capture.arrived) == count:
                break
        time.sleep(0.05)
    time.sleep(0.5)  # let any duplicate show up
    serve.terminate()
    serve.wait(timeout=30)
    controller.stop()
    latencies = [capture.arrived[k] - t for k, t in accepted.items() if k in capture.arrived]
    missing = count - len(latencies)
    duplicates = len(capture.tags.get("duplicates", []))
    untagged = sum(1 for k in accepted if k in capture.tags and capture.tags[k] is None)
    if backend == "postgres":
        subprocess.run(["psql", os.environ["REPLYDESK_BENCH_PG_URL"], "-qc",
                        "DROP DATABASE IF EXISTS " + name], check=False)
    shutil.rmtree(folder, ignore_errors=True)
    result = {
        "backend": backend, "count": count, "rate": rate, "offered_seconds": round(offered, 2),
        "acknowledged": len(latencies), "missing": missing, "duplicates": duplicates,
        "untagged": untagged,
    }
    if latencies:
        result.update({
            "p50_ms": round(percentile(latencies, 50) * 1000, 1),
            "p90_ms": round(percentile(latencies, 90) * 1000, 1),
            "p99_ms": round(percentile(latencies, 99) * 1000, 1),
            "max_ms": round(max(latencies) * 1000, 1),
            "mean_ms": round(statistics.mean(latencies) * 1000, 1),
        })
    return result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--rate", type=float, default=20.0)
    ap.add_argument("--backend", default="sqlite", choices=["sqlite", "postgres"])
    ap.add_argument("--json")
    a = ap.parse_args()
    r = run(os.path.abspath(a.binary), a.count, a.rate, a.backend)
    print(json.dumps(r, indent=2))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(r, f, indent=2)
    ok = r["missing"] == 0 and r["duplicates"] == 0 and r["untagged"] == 0
    print("correctness: %s; p99 %s ms (target <= 2000)" % ("PASS" if ok else "FAIL", r.get("p99_ms")))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
