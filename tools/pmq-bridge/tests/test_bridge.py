"""The bridge suite: a real 3-node JetStream cluster on 127.0.0.1 and two
"hosts" (private IPC namespaces). Usage: test_bridge.py SCENARIO PMQ_BRIDGE QUEUE_DRIVER
Every scenario asserts counts: missing, corrupt, duplicates, order violations."""
import base64
import glob
import json
import os
import random
import signal
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nats_cluster import Host, NatsCluster, NatsServer, free_ports, hold_ports  # noqa: E402

SCENARIO, BRIDGE, DRIVER = sys.argv[1], os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3])
failures = []
skip_reasons = []  # a fault of the server that leaves the run proving nothing


def check(what, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + what + (f": {detail}" if detail else ""), flush=True)
    if not ok:
        failures.append(what)


class Bridges:
    """Starts export/import bridges in hosts, logs to files, restarts them."""

    def __init__(self, work, cluster_urls):
        self.work = work
        self.urls = cluster_urls
        self.logs = []

    def start(self, host, role, queue, subject, state, extra=(), durable="sink"):
        log_path = os.path.join(self.work, f"{role}-{len(self.logs)}.log")
        self.logs.append(log_path)
        argv = [BRIDGE, role, queue, "--server", self.urls, "--subject", subject, "--state-dir", state]
        if role == "import":
            argv += ["--durable", durable]
        argv += list(extra)
        with open(log_path, "wb") as log:
            return host.popen(argv, stdout=log, stderr=subprocess.STDOUT)

    def log_text(self):
        text = ""
        for path in self.logs:
            with open(path, errors="replace") as f:
                text += f.read()
        return text


def status(state_dir, role):
    """The bridge's status file, or {} before it has written one."""
    try:
        with open(os.path.join(state_dir, f"{role}.status.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def wait_for(predicate, timeout, step=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def receiver(host, queue, pattern, count, seed, idle_ms, grace_ms=2000, expected=None):
    """Counts messages with indexes below `count` until `expected` (default
    all of them) arrived, then for `grace_ms` more; gives up after `idle_ms`
    without a message."""
    return host.popen([DRIVER, "recv", queue, pattern, str(count), str(seed), str(idle_ms), str(grace_ms),
                       str(count if expected is None else expected)],
                      stdout=subprocess.PIPE, text=True)


def summary_of(proc, timeout):
    out, _ = proc.communicate(timeout=timeout)
    return json.loads(out)


def assert_clean(summary, label, max_duplicates=0, check_order=True, max_truncated=0):
    truncated = summary.get("truncated", 0)
    if max_truncated:
        # A kill in the export's receive window whose length recovery was
        # fooled (docs/bridge.md): the message arrives, intact but short.
        check(f"{label}: truncated <= receive-window hits ({max_truncated})", truncated <= max_truncated, str(truncated))
        check(f"{label}: 0 missing (apart from truncated)", summary["missing"] == truncated, json.dumps(summary))
    else:
        check(f"{label}: 0 missing", summary["missing"] == 0 and truncated == 0, json.dumps(summary))
    check(f"{label}: 0 corrupt", summary["corrupt"] == 0)
    check(f"{label}: duplicates <= {max_duplicates}", summary["duplicates"] <= max_duplicates, str(summary["duplicates"]))
    if check_order:
        check(f"{label}: per-priority order kept", summary["order_violations"] == 0, str(summary["order_violations"]))


def copies_disagree(cluster, stream):
    """How the nodes' copies of STREAM differ ("" if they agree), by how many
    messages, and each node's (messages, last sequence, last time); asked
    twice 5 s apart so that a copy still catching up is not taken for a
    divergence."""
    for attempt in range(2):
        copies = {}
        for i in range(cluster.count):
            try:
                for account in cluster.jsz(i, "streams=true&consumers=true").get("account_details", []):
                    for st in account.get("stream_detail", []):
                        if st.get("name") == stream:
                            state = st.get("state", {})
                            copies[f"n{i}"] = (state.get("messages"), state.get("last_seq"), state.get("last_ts"))
                            print(f"n{i} copy:", json.dumps(state),
                                  json.dumps([c.get("delivered") for c in st.get("consumer_detail", [])]), flush=True)
            except Exception as e:
                print(f"n{i} jsz: {e}", flush=True)
        if len(copies) < cluster.count or len(set(copies.values())) == 1:
            return "", 0, copies
        if attempt == 0:
            time.sleep(5)
    counts = [messages or 0 for messages, _, _ in copies.values()]
    return (", ".join(f"{node}: {messages} messages, last {last}" for node, (messages, last, _) in sorted(copies.items())),
            max(counts) - min(counts), copies)


def stop(proc, label):
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = proc.wait()
    check(f"{label} stops with exit code 0 on SIGTERM", rc == 0, f"exit code {rc}")


def crc16(data):
    """The CRC nkeys append (CRC-16/XMODEM)."""
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021 if crc & 0x8000 else crc << 1) & 0xFFFF
    return crc


def nkey_user_seed(raw):
    """An encoded NATS user seed ("SU..."): a valid key nobody registered."""
    data = bytes([(18 << 3) | ((20 << 3) >> 5), ((20 << 3) & 31) << 3]) + raw
    return base64.b32encode(data + struct.pack("<H", crc16(data))).decode().rstrip("=")


def creds_file_text(jwt, seed):
    """What `nsc generate creds` writes."""
    return (f"-----BEGIN NATS USER JWT-----\n{jwt}\n------END NATS USER JWT------\n\n"
            f"-----BEGIN USER NKEY SEED-----\n{seed}\n------END USER NKEY SEED------\n")


def two_hosts_and_queues(a, b, max_messages, message_size):
    for host in (a, b):
        host.run([DRIVER, "create", "/q", str(max_messages), str(message_size)], check=True)


def scenario_roundtrip(work):
    """Every length 0..message_size and priorities 0..32767 (both ends), byte for byte."""
    message_size = 8192
    with NatsCluster(work) as cluster, Host("a") as a, Host("b") as b:
        two_hosts_and_queues(a, b, 10, message_size)
        bridges = Bridges(work, cluster.urls)
        exp = bridges.start(a, "export", "/q", "rt.jobs", os.path.join(work, "sa"), ["--replicas", "3"])
        imp = bridges.start(b, "import", "/q", "rt.jobs", os.path.join(work, "sb"))
        recv = receiver(b, "/q", "roundtrip", message_size + 1, 0, 30000, 1000)
        a.run([DRIVER, "send", "/q", "roundtrip", "0", str(message_size + 1), "0"], check=True)
        summary = summary_of(recv, 200)
        assert_clean(summary, f"{message_size + 1} messages of every length and 8193 priorities")
        stop(exp, "export")
        stop(imp, "import")
        s = status(os.path.join(work, "sa"), "export")
        check("export status counts them forwarded", s["forwarded"] == message_size + 1, json.dumps(s))
        out = subprocess.run([BRIDGE, "status", "--state-dir", os.path.join(work, "sb"), "--json"], capture_output=True, text=True)
        doc = json.loads(out.stdout)
        check("pmq-bridge status --json reads the import side", out.returncode == 0 and doc[0]["forwarded"] == message_size + 1,
              out.stdout[:300])
        out = subprocess.run([BRIDGE, "status", "--state-dir", os.path.join(work, "sa")], capture_output=True, text=True)
        check("pmq-bridge status prints text", out.returncode == 0 and "forwarded:" in out.stdout and "running:" in out.stdout,
              out.stdout)


def run_bridge(host, argv, timeout=20):
    return host.run([BRIDGE] + argv, capture_output=True, text=True, timeout=timeout)


def scenario_bad_input(work):
    """Bad input ends with an explanation and the right exit code; nothing lost."""
    with NatsCluster(work, nodes=3) as cluster, Host("a") as a:
        a.run([DRIVER, "create", "/q", "10", "128"], check=True)
        a.run([DRIVER, "send", "/q", "stream", "0", "5", "1"], check=True)
        sd = os.path.join(work, "s")
        common = ["--server", cluster.urls, "--state-dir", sd]

        def usage(argv, words, label):
            r = run_bridge(a, argv)
            check(f"{label}: exit code 2", r.returncode == 2, f"{r.returncode}: {r.stderr.strip()[:300]}")
            check(f"{label}: explains", all(w in r.stderr for w in words), r.stderr.strip()[:300])

        usage(["export", "/q", "--subject", "a..b"] + common, ["--subject", "empty token"], "invalid subject")
        usage(["export", "/q", "--subject", "a.*"] + common, ["--subject", "wildcard"], "wildcard subject")
        usage(["export", "/q", "--subject", "a", "--server", "htp://127.0.0.1:4222", "--state-dir", sd],
              ["--server", "scheme"], "wrong server URL scheme")
        usage(["export", "/q", "--subject", "a", "--server", "nats://127.0.0.1:99999", "--state-dir", sd],
              ["--server", "port"], "wrong server URL port")
        usage(["import", "/q", "--subject", "a"] + common, ["--durable"], "import without --durable")
        usage(["export", "/q", "--subject", "a", "--message-size", "64"] + common, ["--create"], "--message-size without --create")
        usage(["export", "/q", "--subject", "a", "--user", "u"] + common, ["--password-file"], "--user without --password-file")
        usage(["export", "/q", "--subject", "a", "--bogus"] + common, ["--bogus"], "unknown option")
        usage(["export", "/q", "--subject", "a", "--max-age", "-5"] + common, ["--max-age", "'-5' is not a whole number"],
              "negative --max-age")
        usage(["export", "/q", "--subject", "a", "--max-age", "2h", "--duplicate-window", "3h"] + common,
              ["--duplicate-window (10800 s) cannot be longer than --max-age (7200 s)"], "duplicate window beyond the max age")
        usage(["export", "/q", "--subject", "a", "--stream-max-messages", "99999999999999999999"] + common,
              ["--stream-max-messages", "not a whole number from 1 to"], "--stream-max-messages beyond 64 bits")
        usage(["export", "/q", "--subject", "a", "--replicas", "6"] + common, ["--replicas", "from 1 to 5"], "--replicas 6")

        r = run_bridge(a, ["export", "/missing", "--subject", "a"] + common)
        check("missing queue: exit code 1", r.returncode == 1, f"{r.returncode}: {r.stderr.strip()}")
        check("missing queue: says so and names --create", "does not exist" in r.stderr and "--create" in r.stderr, r.stderr.strip())
        r = a.run([DRIVER, "count", "/missing"], capture_output=True, text=True)
        check("missing queue: not created", r.returncode != 0)

        count = a.run([DRIVER, "count", "/q"], capture_output=True, text=True).stdout.strip()
        check("usage errors took nothing from the queue", count == "5", count)

    # Bad credentials: one node that wants a password.
    with NatsServer(work, "auth", 'authorization { user: bridge, password: "right-secret" }') as server, Host("c") as c:
        port = server.port
        c.run([DRIVER, "create", "/q", "10", "128"], check=True)
        c.run([DRIVER, "send", "/q", "stream", "0", "5", "1"], check=True)
        wrong = os.path.join(work, "wrong-password")
        with open(wrong, "w") as f:
            f.write("wrong-secret-xyz\n")
        r = run_bridge(c, ["export", "/q", "--subject", "a", "--server", f"nats://127.0.0.1:{port}", "--user", "bridge",
                           "--password-file", wrong, "--state-dir", os.path.join(work, "sc")])
        check("bad credentials: exit code 1", r.returncode == 1, f"{r.returncode}: {r.stderr.strip()[:300]}")
        check("bad credentials: explains", "refused" in r.stderr and "--password-file" in r.stderr, r.stderr.strip()[:300])
        check("bad credentials: the password is not in the output", "wrong-secret-xyz" not in r.stderr + r.stdout)
        count = c.run([DRIVER, "count", "/q"], capture_output=True, text=True).stdout.strip()
        check("bad credentials: nothing taken from the queue", count == "5", count)
        right = os.path.join(work, "right-password")
        with open(right, "w") as f:
            f.write("right-secret\n")
        p = c.popen([BRIDGE, "export", "/q", "--subject", "a", "--server", f"nats://127.0.0.1:{port}", "--user", "bridge",
                     "--password-file", right, "--state-dir", os.path.join(work, "sc")], stderr=subprocess.PIPE, text=True)
        with open(f"/proc/{p.pid}/cmdline", "rb") as f:
            cmdline = f.read()
        check("the password is not in ps", b"right-secret" not in cmdline)
        ok = wait_for(lambda: c.run([DRIVER, "count", "/q"], capture_output=True, text=True).stdout.strip() == "0", 15)
        check("right credentials: the export takes the messages", ok)
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=15)
        check("right credentials: exit 0 on SIGTERM, no password in the log", p.returncode == 0 and "right-secret" not in err,
              err[-300:])

        # --creds: a file the client cannot use ends the bridge at once
        # (the client reads it only when connecting, and would retry);
        # a usable one the server does not accept is refused like a password.
        c.run([DRIVER, "send", "/q", "stream", "0", "5", "1"], check=True)
        seed = nkey_user_seed(os.urandom(32))
        jwt = "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJzZWNyZXQtbWFya2VyIjoxfQ.c2ln"
        for label, body, words in (
                ("no seed", f"-----BEGIN NATS USER JWT-----\n{jwt}\n------END NATS USER JWT------\n", ["no user seed"]),
                ("no JWT", f"-----BEGIN USER NKEY SEED-----\n{seed}\n------END USER NKEY SEED------\n", ["no user JWT"]),
                ("an invalid seed", creds_file_text(jwt, "SUAA" + seed[4:-4] + "AAAA"), ["not a valid NATS seed"]),
                ("a seed the server does not know", creds_file_text(jwt, seed), ["refused", "--creds"])):
            path = os.path.join(work, "bridge.creds")
            with open(path, "w") as f:
                f.write(body)
            r = run_bridge(c, ["export", "/q", "--subject", "a", "--server", f"nats://127.0.0.1:{port}", "--creds", path,
                               "--state-dir", os.path.join(work, "sc")])
            check(f"--creds with {label}: exit code 1", r.returncode == 1, f"{r.returncode}: {r.stderr.strip()[:300]}")
            check(f"--creds with {label}: explains", all(w in r.stderr for w in words), r.stderr.strip()[:300])
            check(f"--creds with {label}: the seed is not in the output", seed[4:-4] not in r.stderr + r.stdout)
        count = c.run([DRIVER, "count", "/q"], capture_output=True, text=True).stdout.strip()
        check("bad --creds: nothing taken from the queue", count == "5", count)

    # TLS: a server whose certificate a CA of ours signed.
    certs = os.path.join(work, "certs")
    os.makedirs(certs)

    def openssl(*args):
        subprocess.run(["openssl"] + list(args), cwd=certs, check=True, capture_output=True)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=pmq-test-ca")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other.key", "-out", "other.pem", "-days", "2", "-subj", "/CN=other-ca")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    with open(os.path.join(certs, "ext.cnf"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem",
            "-days", "2", "-extfile", "ext.cnf")
    tls_block = f'tls {{ cert_file: "{certs}/server.pem", key_file: "{certs}/server.key" }}'
    with NatsServer(work, "tls", tls_block) as server, Host("t") as t:
        port = server.port
        t.run([DRIVER, "create", "/q", "10", "128"], check=True)
        t.run([DRIVER, "send", "/q", "stream", "0", "5", "1"], check=True)
        tls = ["export", "/q", "--subject", "t", "--server", f"tls://127.0.0.1:{port}", "--state-dir", os.path.join(work, "st")]
        r = run_bridge(t, tls + ["--tls-ca", os.path.join(certs, "other.pem")])
        check("TLS with a CA that did not sign the server: exit 1", r.returncode == 1, f"{r.returncode}: {r.stderr.strip()[:300]}")
        check("TLS failure explained", "SSL" in r.stderr and "--tls-" in r.stderr, r.stderr.strip()[:300])
        count = t.run([DRIVER, "count", "/q"], capture_output=True, text=True).stdout.strip()
        check("TLS failure: nothing taken from the queue", count == "5", count)
        p = t.popen([BRIDGE] + tls + ["--tls-ca", os.path.join(certs, "ca.pem")], stderr=subprocess.PIPE, text=True)
        ok = wait_for(lambda: t.run([DRIVER, "count", "/q"], capture_output=True, text=True).stdout.strip() == "0", 15)
        check("TLS with the right CA: the export takes the messages", ok)
        stop(p, "TLS export")

    # Unreachable cluster at start: waited out, logged per attempt, nothing taken.
    (dead,) = free_ports(1)
    refusing = hold_ports([dead])  # bound, not listening: no other test's server takes it meanwhile
    with Host("d") as d:
        d.run([DRIVER, "create", "/q", "10", "128"], check=True)
        d.run([DRIVER, "send", "/q", "stream", "0", "5", "1"], check=True)
        # No --state-dir: $STATE_DIRECTORY (as systemd sets it) is used.
        p = d.popen([BRIDGE, "export", "/q", "--subject", "a", "--server", f"nats://127.0.0.1:{dead}"],
                    stderr=subprocess.PIPE, text=True, env=dict(os.environ, STATE_DIRECTORY=os.path.join(work, "sd")))
        time.sleep(2.5)
        check("unreachable cluster: still waiting", p.poll() is None)
        check("$STATE_DIRECTORY is the default state directory", status(os.path.join(work, "sd"), "export").get("state") == "connecting",
              json.dumps(status(os.path.join(work, "sd"), "export")))
        r = run_bridge(d, ["export", "/q", "--subject", "a", "--server", f"nats://127.0.0.1:{dead}", "--state-dir",
                           os.path.join(work, "sd")])
        check("a second bridge on the same state directory: exit 1, names the first",
              r.returncode == 1 and f"pid {p.pid}" in r.stderr, f"{r.returncode}: {r.stderr.strip()}")
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=15)
        attempts = err.count("cannot reach the cluster")
        check("unreachable cluster: a log line per attempt", attempts >= 2, err[-400:])
        check("unreachable cluster: SIGTERM -> exit 0", p.returncode == 0, str(p.returncode))
        count = d.run([DRIVER, "count", "/q"], capture_output=True, text=True).stdout.strip()
        check("unreachable cluster: nothing taken from the queue", count == "5", count)
    for sock in refusing:
        sock.close()


def scenario_full_queue(work):
    """The destination stays full: the import side waits, the stream fills, the
    export side stops taking; nothing is dropped; all arrives after draining."""
    total = 400
    with NatsCluster(work) as cluster, Host("a") as a, Host("b") as b:
        two_hosts_and_queues(a, b, 10, 256)
        bridges = Bridges(work, cluster.urls)
        sa, sb = os.path.join(work, "sa"), os.path.join(work, "sb")
        # One replica: nats-server 2.9.10 can desynchronise the replicas of a
        # work-queue stream with discard-new limits (its own test
        # TestJetStreamClusterWorkQueueStreamDiscardNewDesync, later versions);
        # an R3 run here once lost 1 of 400 after the server acknowledged it.
        exp = bridges.start(a, "export", "/q", "full.jobs", sa,
                            ["--replicas", os.environ.get("BRIDGE_FULL_REPLICAS", "1"), "--retention", "workqueue",
                             "--stream-max-messages", "50"])
        imp = bridges.start(b, "import", "/q", "full.jobs", sb)
        sender = a.popen([DRIVER, "send", "/q", "stream", "0", str(total), "7"])
        blocked = wait_for(lambda: a.run([DRIVER, "count", "/q"], capture_output=True, text=True).stdout.strip() == "10"
                           and status(sa, "export").get("state") == "stream_unavailable", 60)
        check("export stops taking: source queue full, export holding", blocked,
              json.dumps(status(sa, "export")))
        time.sleep(2)
        check("the producer is blocked", sender.poll() is None)
        check("the import side waits on the full queue", wait_for(lambda: status(sb, "import").get("state") == "queue_full", 30),
              json.dumps(status(sb, "import")))
        dest = b.run([DRIVER, "count", "/q"], capture_output=True, text=True).stdout.strip()
        check("the destination holds exactly its 10", dest == "10", dest)
        # Stopped while waiting for room: that message was not sent, so the
        # next run has nothing to send again "in case" (no uncertain resend).
        stop(imp, "import waiting for room")
        imp = bridges.start(b, "import", "/q", "full.jobs", sb)
        recv = receiver(b, "/q", "stream", total, 7, 30000)
        summary = summary_of(recv, 200)
        assert_clean(summary, f"{total} messages through a full destination")
        if summary["missing"]:
            print("export:", json.dumps(status(sa, "export")))
            print("import:", json.dumps(status(sb, "import")))
            for i in range(3):
                try:
                    print(f"n{i} jsz:", json.dumps(cluster.jsz(i, "streams=true&consumers=true")["account_details"]))
                except Exception as e:
                    print(f"n{i} jsz: {e}")
        check("the producer finished", sender.wait(timeout=30) == 0)
        stop(exp, "export")
        stop(imp, "import")
        s = status(sb, "import")
        check("a stop while waiting for room left nothing uncertain", s.get("uncertain_resends") == 0, json.dumps(s))
        check("export log says it stopped taking", "not taking more" in bridges.log_text())
        check("import log says the queue was full", "is full; waiting" in bridges.log_text())


def set_max_msg_size(cluster, stream, limit):
    """Changes the stream's max_msg_size (-1: none), as an operator would."""
    config = cluster.request(0, f"$JS.API.STREAM.INFO.{stream}")["config"]
    config["max_msg_size"] = limit
    reply = cluster.request(0, f"$JS.API.STREAM.UPDATE.{stream}", config)
    check(f"the stream's max_msg_size set to {limit}", "error" not in reply, json.dumps(reply)[:300])


def scenario_oversize(work):
    """A message larger than the server's max_payload, and one larger than
    the stream's max_msg_size (JetStream's own refusal), are each refused
    with an explanation naming the limit, held in the spool (status shows
    them), and not lost: they go once the limits are raised. The others
    pass them."""
    with NatsCluster(work, max_payload=2048) as cluster, Host("a") as a, Host("b") as b:
        a.run([DRIVER, "create", "/q", "10", "4096"], check=True)
        bridges = Bridges(work, cluster.urls)
        sa, sb = os.path.join(work, "sa"), os.path.join(work, "sb")
        exp = bridges.start(a, "export", "/q", "big.jobs", sa, ["--replicas", "3"])
        # --create on the import side: the destination queue is made by the bridge.
        imp = bridges.start(b, "import", "/q", "big.jobs", sb, ["--create", "--max-messages", "10", "--message-size", "4096"])
        check("import --create made the queue",
              wait_for(lambda: b.run([DRIVER, "count", "/q"], capture_output=True).returncode == 0, 20))
        # The receiver gives up 5 s after the last message: start it once both
        # sides are through a cluster that may still be electing leaders.
        check("both bridges forwarding", wait_for(lambda: status(sa, "export").get("state") == "forwarding"
                                                  and status(sb, "import").get("state") == "forwarding", 60))
        set_max_msg_size(cluster, "big_jobs", 1500)
        recv = receiver(b, "/q", "roundtrip", 3001, 0, 5000, 1000, expected=200)
        # roundtrip message i has length i: 0..99, then 3000 (over max_payload)
        # and 1800 (over max_msg_size), then 100..199.
        for first, count in ((0, 100), (3000, 1), (1800, 1), (100, 100)):
            a.run([DRIVER, "send", "/q", "roundtrip", str(first), str(count), "0"], check=True)
        summary = summary_of(recv, 60)
        check("the 200 messages that fit all arrive, intact, once",
              summary["distinct"] == 200 and summary["corrupt"] == 0 and summary["duplicates"] == 0, json.dumps(summary))
        s = status(sa, "export")
        check("status shows the refused messages held in the spool", s.get("refused") == 2 and s.get("spool_held") == 2,
              json.dumps(s))
        log = bridges.log_text()
        check("the client's refusal names the limit and the setting", "max_payload of 2048" in log and "raise max_payload" in log,
              log[-500:])
        check("JetStream's refusal names the limit and the setting",
              "JetStream refused a message of 1800 bytes" in log and "raise the stream's max_msg_size" in log, log[-500:])
        stop(exp, "export")
        s = status(sa, "export")
        check("after a stop they are still in the spool", s.get("spool_held") == 2, json.dumps(s))
        # As an earlier build with 256 slots would have left them (they are
        # in slots 100 and 101): a spool that holds messages keeps its slots.
        SpoolFile(os.path.join(sa, "export.spool")).shrink_to(256)
        set_max_msg_size(cluster, "big_jobs", -1)
        cluster.restart_all(max_payload=8192)
        exp = bridges.start(a, "export", "/q", "big.jobs", sa, ["--replicas", "3"])
        recv = receiver(b, "/q", "roundtrip", 3001, 0, 30000, 500, expected=2)
        summary = summary_of(recv, 60)
        check("with the limits raised both arrive, intact", summary["distinct"] == 2 and summary["corrupt"] == 0,
              json.dumps(summary))
        check("the spool that held them kept its 256 slots", spool_slots(sa) == 256 and
              status(sa, "export").get("spool_slots") == 256, f"{spool_slots(sa)} {json.dumps(status(sa, 'export'))}")
        stop(exp, "export")
        stop(imp, "import")


def kill_loop(bridges, hosts, work, recv, kills_wanted, rng):
    """SIGKILL export or import at random moments; restart at once."""
    procs = {"export": bridges.start(hosts["export"], "export", "/q", "kill.jobs", os.path.join(work, "sa"),
                                     ["--replicas", "3"]),
             "import": bridges.start(hosts["import"], "import", "/q", "kill.jobs", os.path.join(work, "sb"))}
    kills = {"export": 0, "import": 0}
    while recv.poll() is None and sum(kills.values()) < kills_wanted:
        time.sleep(rng.uniform(0.05, 0.6))
        role = rng.choice(["export", "import"])
        procs[role].kill()
        procs[role].wait()
        kills[role] += 1
        procs[role] = bridges.start(hosts[role], role, "/q", "kill.jobs", os.path.join(work, "sa" if role == "export" else "sb"),
                                    ["--replicas", "3"] if role == "export" else [])
    return procs, kills


def scenario_bridge_kills(work):
    """SIGKILL of either bridge, many times, during a transfer of tens of thousands."""
    total, kills_wanted = int(os.environ.get("BRIDGE_KILL_MESSAGES", 60000)), int(os.environ.get("BRIDGE_KILLS", 40))
    rng = random.Random(int(os.environ.get("BRIDGE_SEED", time.time())))
    with NatsCluster(work) as cluster, Host("a") as a, Host("b") as b:
        two_hosts_and_queues(a, b, 10, 512)
        bridges = Bridges(work, cluster.urls)
        recv = receiver(b, "/q", "stream", total, 3, 60000, 3000)
        sender = a.popen([DRIVER, "send", "/q", "stream", "0", str(total), "3"])
        procs, kills = kill_loop(bridges, {"export": a, "import": b}, work, recv, kills_wanted, rng)
        summary = summary_of(recv, 300)
        check("the producer finished", sender.wait(timeout=30) == 0)
        for role, p in procs.items():
            # The last restart may be moments old: stop it once it runs.
            state = os.path.join(work, "sa" if role == "export" else "sb")
            wait_for(lambda: status(state, role).get("pid") == p.pid, 30)
            stop(p, role)
        log = bridges.log_text()
        uncertain = log.count("may have been sent before the last kill")
        recovered = log.count("recovered the length of")
        print(f"kills: export {kills['export']}, import {kills['import']}; import kills inside the send window: {uncertain}; "
              f"export kills inside the receive window: {recovered}", flush=True)
        check("it ran with kills of both bridges", kills["export"] >= 5 and kills["import"] >= 5, json.dumps(kills))
        check("no durable stall and no gap in its copy reported (the kills are the bridges', not the server's)",
              "redelivered none" not in log and "another copy of the stream" not in log)
        assert_clean(summary, f"{total} messages, {sum(kills.values())} SIGKILLs", max_duplicates=uncertain,
                     max_truncated=recovered)


def scenario_node_faults(work):
    """SIGKILL of the stream leader, then SIGSTOP of two of three nodes: 0 lost."""
    total = int(os.environ.get("BRIDGE_FAULT_MESSAGES", 10000))
    with NatsCluster(work) as cluster, Host("a") as a, Host("b") as b:
        two_hosts_and_queues(a, b, 10, 512)
        bridges = Bridges(work, cluster.urls)
        sa, sb = os.path.join(work, "sa"), os.path.join(work, "sb")
        exp = bridges.start(a, "export", "/q", "fault.jobs", sa, ["--replicas", "3"])
        imp = bridges.start(b, "import", "/q", "fault.jobs", sb)
        recv = receiver(b, "/q", "stream", total, 5, 90000, 3000)
        # The producer sends in thirds, each started just before a fault, so
        # every fault lands while the export side is still publishing (a
        # fast bridge could otherwise be done before the first one).
        third = total // 3
        chunks = [(0, third), (third, third), (2 * third, total - 2 * third)]

        def send_chunk(first, count):
            return a.popen([DRIVER, "send", "/q", "stream", str(first), str(count), "5"])

        sender = send_chunk(*chunks[0])
        wait_for(lambda: status(sa, "export").get("forwarded", 0) > total // 8, 60)
        check("the first third was sent", sender.wait(timeout=120) == 0)
        sender = send_chunk(*chunks[1])
        leader = cluster.stream_leader("fault_jobs")
        cluster.kill(leader)
        at = status(sa, "export").get("forwarded", 0)
        print(f"killed the stream leader n{leader} with {at} of {total} stored", flush=True)
        check("the leader died mid-transfer", at < total, str(at))
        time.sleep(3)
        cluster.start(leader)
        cluster.wait_healthy([leader])
        wait_for(lambda: status(sa, "export").get("forwarded", 0) > total // 2, 60)
        check("the second third was sent", sender.wait(timeout=120) == 0)
        sender = send_chunk(*chunks[2])
        paused = [0, 1]
        for i in paused:
            cluster.pause(i)
        at = status(sa, "export").get("forwarded", 0)
        print(f"stopped n0 and n1 (SIGSTOP) for 8 s with {at} of {total} stored", flush=True)
        check("quorum was lost mid-transfer", at < total, str(at))
        time.sleep(8)
        for i in paused:
            cluster.resume(i)
        summary = summary_of(recv, 200)
        check("the producer finished", sender.wait(timeout=30) == 0)
        stop(exp, "export")
        stop(imp, "import")
        print("status export:", json.dumps(status(sa, "export")), flush=True)
        print("status import:", json.dumps(status(sb, "import")), flush=True)
        gaps = status(sb, "import").get("stream_gaps")
        if summary["missing"]:
            # Where it went missing: the stream as its leader sees it, the
            # durable, and each node's own copy.
            infos = {}
            for what in ("STREAM.INFO.fault_jobs", "CONSUMER.INFO.fault_jobs.sink"):
                try:
                    infos[what] = cluster.request(2, "$JS.API." + what)
                    print(what + ":", json.dumps(infos[what]), flush=True)
                except Exception as e:
                    print(what + ":", e, flush=True)
            disagreement, gap, copies = copies_disagree(cluster, "fault_jobs")
            durable_node = infos.get("CONSUMER.INFO.fault_jobs.sink", {}).get("cluster", {}).get("leader")
            stream_node = infos.get("STREAM.INFO.fault_jobs", {}).get("cluster", {}).get("leader")
            if disagreement and durable_node in copies and stream_node in copies:
                # The import bridge watches for exactly this: the durable's
                # node holding fewer messages than the stream's leader (it
                # cannot see a leader that is itself short).
                short = copies[durable_node][0] < copies[stream_node][0]
                check(f"the import bridge reported the short copy of the durable's node {durable_node}" if short else
                      f"the durable's node {durable_node} has a whole copy: nothing for the import bridge to report",
                      (gaps >= 1 and "has another copy of the stream" in bridges.log_text()) if short else gaps == 0,
                      f"stream_gaps {gaps}")
            if disagreement and gap > 0:
                # nats-server 2.9.10 let a replica miss a message and number
                # the later ones one lower (docs/bridge.md, "Replicas that
                # disagree"): a durable led from it never delivers that one.
                # Up to that many missing are the server's loss, not the
                # bridge's: the run then proves nothing and is skipped, not
                # passed; more missing still fail it.
                print(f"SERVER FAULT: the nodes' copies of the stream disagree ({disagreement}); "
                      f"{min(gap, summary['missing'])} missing not counted against the bridge", flush=True)
                skip_reasons.append("nats-server's replicas of the stream diverged (docs/bridge.md)")
                summary = dict(summary, missing=max(0, summary["missing"] - gap))
        assert_clean(summary, f"{total} messages through a leader kill and a lost quorum", max_duplicates=summary["duplicates"],
                     check_order=False)
        if not summary["missing"] and not skip_reasons:
            check("the import bridge reported no gap in the durable's copy of the stream", gaps == 0, f"stream_gaps {gaps}")
        print(f"duplicates {summary['duplicates']}, order violations {summary['order_violations']} (reported, see docs/bridge.md)")


MASK64 = (1 << 64) - 1


def splitmix(x):
    """queue_driver.cpp's mix(), for the content of a "roundtrip" message."""
    x = (x + 0x9E3779B97F4A7C15) & MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK64
    return x ^ (x >> 31)


def roundtrip_message(i, seed=0):
    """What `queue_driver send QUEUE roundtrip` sends as message i (seed 0): i bytes."""
    return bytes((splitmix((seed * 31 + i * 1000003 + k // 8) & MASK64) >> (8 * (k % 8))) & 0xFF for k in range(i))


def spool_slots(state_dir):
    """The slot count in the export's spool header; None while a starting
    bridge is making the file again."""
    try:
        return SpoolFile(os.path.join(state_dir, "export.spool")).slot_count
    except (OSError, struct.error, AssertionError):
        return None


class SpoolFile:
    """spool.hpp's layout: a 4096-byte header, then slots of a 32-byte head
    (seq, priority, state, length, dirty) and the payload, 64-byte aligned."""
    ARMED = 1
    SENTINEL = 0xFFFFFFFF

    def __init__(self, path):
        self.path = path
        with open(path, "rb") as f:
            head = f.read(32)
        magic, self.version, self.slot_count, self.payload_size = struct.unpack_from("<8sIIQ", head)
        assert magic == b"PMQSPOOL", magic
        self.stride = (32 + self.payload_size + 63) & ~63

    def slot_at(self, index):
        return 4096 + self.stride * index

    def slots(self):
        with open(self.path, "rb") as f:
            for index in range(self.slot_count):
                f.seek(self.slot_at(index))
                seq, priority, state, length, dirty = struct.unpack("<QIIQQ", f.read(32))
                yield index, {"seq": seq, "priority": priority, "state": state, "length": length, "dirty": dirty}

    def payload(self, index, at, count):
        with open(self.path, "rb") as f:
            f.seek(self.slot_at(index) + 32 + at)
            return f.read(count)

    def shrink_to(self, slot_count):
        """What an earlier build, with fewer slots, left: the same header
        with another slot count, the file cut after the last slot."""
        with open(self.path, "r+b") as f:
            f.seek(12)
            f.write(struct.pack("<I", slot_count))
            f.truncate(self.slot_at(slot_count))

    def write_as_kernel(self, index, priority, data):
        """What mq_receive leaves when the kill lands before the length is
        stored: the priority, then the payload; the state stays ARMED."""
        with open(self.path, "r+b") as f:
            f.seek(self.slot_at(index) + 8)
            f.write(struct.pack("<I", priority))
            f.seek(self.slot_at(index) + 32)
            f.write(data)


def scenario_receive_window(work):
    """The export's receive window (docs/bridge.md), hit on purpose: the export
    is killed while it waits with an armed slot whose last message was long;
    the kernel's part of a receive of a short message is written into that
    slot by hand; the restarted bridge must recover the exact length (so
    arming must have restored the slot's pattern over the old message) and
    deliver the message once, byte for byte."""
    message_size = 8192
    with NatsCluster(work) as cluster, Host("a") as a, Host("b") as b:
        two_hosts_and_queues(a, b, 10, message_size)
        bridges = Bridges(work, cluster.urls)
        sa, sb = os.path.join(work, "sa"), os.path.join(work, "sb")
        exp = bridges.start(a, "export", "/q", "rw.jobs", sa)
        imp = bridges.start(b, "import", "/q", "rw.jobs", sb)
        check("both bridges are forwarding", wait_for(lambda: status(sa, "export").get("state") == "forwarding" and
                                                      status(sb, "import").get("state") == "forwarding", 60))
        slots = SpoolFile(os.path.join(sa, "export.spool")).slot_count
        check("a spool of 1024 slots for messages of up to 8 KiB, shown by status",
              slots == 1024 and status(sa, "export").get("spool_slots") == 1024, f"{slots} {json.dumps(status(sa, 'export'))}")
        # 1025 messages of 7168..8192 bytes: every slot holds a long one once.
        first, count = message_size - slots, slots + 1
        recv = receiver(b, "/q", "roundtrip", message_size + 1, 0, 8000, 500, expected=count)
        a.run([DRIVER, "send", "/q", "roundtrip", str(first), str(count), "0"], check=True)
        summary = summary_of(recv, 120)
        check("the long messages arrive", summary["distinct"] == count and summary["corrupt"] == 0, json.dumps(summary))
        check("the export has them stored", wait_for(lambda: status(sa, "export").get("forwarded") == count, 30),
              json.dumps(status(sa, "export")))
        spool = SpoolFile(os.path.join(sa, "export.spool"))
        armed = [i for i, slot in spool.slots() if slot["state"] == SpoolFile.ARMED and slot["priority"] == SpoolFile.SENTINEL]
        check("the idle export waits with one armed slot", len(armed) == 1, str(armed))
        exp.kill()
        exp.wait()
        index = armed[0]
        # A short message whose last byte differs from the pattern under it
        # (an equal last byte is the documented 1-in-256 case, not tested here).
        i = next(n for n in range(100, 200) if roundtrip_message(n)[-1:] != spool.payload(index, n - 1, 1))
        priority = (i * 7919) % 32768
        spool.write_as_kernel(index, priority, roundtrip_message(i))
        exp = bridges.start(a, "export", "/q", "rw.jobs", sa)
        recv = receiver(b, "/q", "roundtrip", message_size + 1, 0, 8000, 500, expected=1)
        summary = summary_of(recv, 60)
        check(f"the message caught in the window arrives once, {i} bytes, priority {priority}, intact",
              summary["distinct"] == 1 and summary["received"] == 1 and summary["corrupt"] == 0, json.dumps(summary))
        check("the export counts one recovered length",
              wait_for(lambda: status(sa, "export").get("lengths_recovered") == 1, 10), json.dumps(status(sa, "export")))
        check("and logs it", "recovered the length of 1 message(s)" in bridges.log_text())
        stop(exp, "export")
        # An empty spool an earlier build made with 256 slots is made again with 1024.
        SpoolFile(os.path.join(sa, "export.spool")).shrink_to(256)
        exp = bridges.start(a, "export", "/q", "rw.jobs", sa)
        check("an empty spool of 256 slots is made again with 1024",
              wait_for(lambda: spool_slots(sa) == 1024, 30), str(spool_slots(sa)))
        stop(exp, "export")
        # Larger messages get fewer slots (the spool stays within about
        # 64 MiB): 682 of 96 KiB. Host A's own limit is raised for it; one
        # message of room keeps RLIMIT_MSGQUEUE free for parallel tests.
        big = 96 * 1024
        a.run(["sh", "-c", f"echo {big} > /proc/sys/fs/mqueue/msgsize_max"], check=True)
        a.run([DRIVER, "create", "/big", "1", str(big)], check=True)
        sbig = os.path.join(work, "sbig")
        exp = bridges.start(a, "export", "/big", "rw.big", sbig)
        check("a spool of 682 slots for messages of up to 96 KiB, shown by status",
              wait_for(lambda: status(sbig, "export").get("spool_slots") == 682, 30) and spool_slots(sbig) == 682,
              f"{spool_slots(sbig)} {json.dumps(status(sbig, 'export'))}")
        stop(exp, "export")
        stop(imp, "import")


def scenario_durables(work):
    """The durable consumer the import side uses: a new one has explicit
    acks and MaxAckPending 1024 (batches of 256); one made by hand with
    explicit acks and a lower MaxAckPending is used as it is, in batches of
    half of it, and one
    with ack policy all (one ack per batch) too; one that cannot keep the
    order, gives headers only or limits redeliveries (which can drop a
    message) is refused with exit 1, taking nothing."""
    total = 300
    with NatsCluster(work) as cluster, Host("a") as a, Host("b") as b, Host("c") as c:
        for host in (a, b, c):
            host.run([DRIVER, "create", "/q", "10", "256"], check=True)
        bridges = Bridges(work, cluster.urls)
        sa = os.path.join(work, "sa")
        exp = bridges.start(a, "export", "/q", "dur.jobs", sa, ["--max-age", "2d", "--duplicate-window", "10m"])
        check("the export is forwarding", wait_for(lambda: status(sa, "export").get("state") == "forwarding", 60))
        config = cluster.request(0, "$JS.API.STREAM.INFO.dur_jobs").get("config", {})
        check("the stream it made keeps messages 2 days and remembers ids 10 minutes",
              (config.get("max_age"), config.get("duplicate_window")) == (2 * 86400 * 10**9, 600 * 10**9), json.dumps(config))

        def make_durable(name, **config):
            config = dict({"durable_name": name, "deliver_policy": "all", "ack_policy": "explicit",
                           "filter_subject": "dur.jobs", "ack_wait": 5 * 10**9}, **config)
            reply = cluster.request(0, f"$JS.API.CONSUMER.DURABLE.CREATE.dur_jobs.{name}",
                                    {"stream_name": "dur_jobs", "config": config})
            check(f"made the durable {name} by hand", "error" not in reply, json.dumps(reply))

        make_durable("old", max_ack_pending=4)
        make_durable("roomy", max_ack_pending=1024)
        make_durable("batched", ack_policy="all", max_ack_pending=256)
        make_durable("unacked", ack_policy="none")
        make_durable("wide", max_ack_pending=5000)
        make_durable("bare", headers_only=True)
        make_durable("limited", max_deliver=3)
        a.run([DRIVER, "send", "/q", "stream", "0", str(total), "11"], check=True)
        check("the stream has them", wait_for(lambda: status(sa, "export").get("forwarded") == total, 30),
              json.dumps(status(sa, "export")))

        for name, why in (("unacked", "ack policy none"), ("wide", "MaxAckPending 5000"), ("bare", "headers only"),
                          ("limited", "at most 3 deliveries")):
            r = run_bridge(c, ["import", "/q", "--server", cluster.urls, "--subject", "dur.jobs", "--durable", name,
                               "--state-dir", os.path.join(work, f"s-{name}")])
            check(f"a durable with {why}: exit 1", r.returncode == 1, f"{r.returncode}: {r.stderr.strip()[-300:]}")
            check(f"a durable with {why}: explains", "made for something else" in r.stderr and "--durable" in r.stderr,
                  r.stderr.strip()[-300:])
            info = cluster.request(0, f"$JS.API.CONSUMER.INFO.dur_jobs.{name}")
            check(f"a durable with {why}: kept, nothing delivered through it",
                  info.get("delivered", {}).get("stream_seq") == 0, json.dumps(info)[:300])
        check("refused durables sent nothing into the queue",
              c.run([DRIVER, "count", "/q"], capture_output=True, text=True).stdout.strip() == "0")

        for host, name in ((b, "old"), (c, "fresh"), (b, "batched"), (c, "roomy")):
            state = os.path.join(work, f"s-{name}")
            recv = receiver(host, "/q", "stream", total, 11, 20000, 1000)
            imp = bridges.start(host, "import", "/q", "dur.jobs", state, durable=name)
            assert_clean(summary_of(recv, 120), f"{total} messages through the durable {name}")
            stop(imp, f"import through {name}")
            info = cluster.request(0, f"$JS.API.CONSUMER.INFO.dur_jobs.{name}")
            config = info.get("config", {})
            want = {"old": ("explicit", 4), "fresh": ("explicit", 1024), "batched": ("all", 256),
                    "roomy": ("explicit", 1024)}[name]
            check(f"the durable {name}: ack policy {want[0]}, MaxAckPending {want[1]}",
                  (config.get("ack_policy"), config.get("max_ack_pending")) == want, json.dumps(config))
            check(f"the durable {name}: everything acknowledged",
                  info.get("num_ack_pending") == 0 and info.get("ack_floor", {}).get("stream_seq") == total, json.dumps(info)[:400])
        check("the bridge said it fetches 2 at a time through the durable with MaxAckPending 4",
              "fetching 2 at a time" in bridges.log_text())
        check("the bridge said it fetches 128 at a time through the durable with MaxAckPending 256",
              "durable consumer batched lets 256 message(s) be unacknowledged: fetching 128 at a time; "
              "a new --durable gets batches of 256" in bridges.log_text(), bridges.log_text()[-600:])
        check("through a durable with MaxAckPending 1024 it fetches at most 256 at a time",
              "durable consumer roomy lets 1024 message(s) be unacknowledged: fetching 256 at a time\n"
              in bridges.log_text(), bridges.log_text()[-600:])
        check("the bridge advised recreating the durable with ack policy all",
              "durable consumer batched acknowledges a batch with one ack" in bridges.log_text() and "delete it" in bridges.log_text())
        stop(exp, "export")


def scenario_stalled_cluster(work):
    """Every node stopped (SIGSTOP) mid-transfer for longer than the export
    waits for an answer (5 s): it takes its unanswered publishes back from
    the client, stops taking from the queue, and once the cluster answers
    sends them again, oldest first; JetStream drops the copies it had
    already stored. 0 lost, 0 duplicates, order kept."""
    total = 40000
    with NatsCluster(work) as cluster, Host("a") as a, Host("b") as b:
        two_hosts_and_queues(a, b, 10, 64)
        bridges = Bridges(work, cluster.urls)
        sa, sb = os.path.join(work, "sa"), os.path.join(work, "sb")
        exp = bridges.start(a, "export", "/q", "stall.jobs", sa)
        imp = bridges.start(b, "import", "/q", "stall.jobs", sb)
        recv = receiver(b, "/q", "stream", total, 9, 60000, 3000)
        # The first messages go through a working cluster; the rest are
        # sent once every node is stopped (the export takes and publishes
        # them into a connection nobody reads).
        first = 2000
        a.run([DRIVER, "send", "/q", "stream", "0", str(first), "9"], check=True)
        check("the first messages are stored", wait_for(lambda: status(sa, "export").get("forwarded") == first, 60),
              json.dumps(status(sa, "export")))
        for i in range(cluster.count):
            cluster.pause(i)
        sender = a.popen([DRIVER, "send", "/q", "stream", str(first), str(total - first), "9"])
        time.sleep(7)
        s = status(sa, "export")
        check("the export gave up waiting after 5 s and holds what it took",
              s.get("state") == "stream_unavailable" and "no answer from JetStream within 5 s" in s.get("last_error", ""),
              json.dumps(s))
        waiting = a.run([DRIVER, "count", "/q"], capture_output=True, text=True).stdout.strip()
        check("meanwhile it takes nothing: the source queue is full", waiting == "10", waiting)
        for i in range(cluster.count):
            cluster.resume(i)
        summary = summary_of(recv, 200)
        check("the producer finished", sender.wait(timeout=30) == 0)
        stop(exp, "export")
        stop(imp, "import")
        s = status(sa, "export")
        check("the export counted retries", s.get("retries", 0) >= 1, json.dumps(s))
        assert_clean(summary, f"{total} messages through a stalled cluster")


SCENARIOS = {
    "roundtrip": scenario_roundtrip,
    "bad-input": scenario_bad_input,
    "full-queue": scenario_full_queue,
    "bridge-kills": scenario_bridge_kills,
    "node-faults": scenario_node_faults,
    "oversize": scenario_oversize,
    "receive-window": scenario_receive_window,
    "durables": scenario_durables,
    "stalled-cluster": scenario_stalled_cluster,
}


def main():
    if os.geteuid() != 0:
        print("SKIP: the bridge tests make IPC namespaces (unshare --ipc, nsenter): run as root")
        sys.exit(77)
    with tempfile.TemporaryDirectory(prefix=f"pmq-bridge-{SCENARIO}-") as work:
        started = time.monotonic()
        try:
            SCENARIOS[SCENARIO](work)
        except Exception as e:  # a crash is a failure, with the logs shown
            check(f"scenario ran to the end ({type(e).__name__}: {e})", False)
        if failures:
            for path in sorted(glob.glob(os.path.join(work, "*.log"))):
                with open(path, errors="replace") as f:
                    print(f"--- {os.path.basename(path)} (last lines)\n" + "".join(f.readlines()[-15:]))
        print(f"{SCENARIO}: {len(failures)} failure(s) in {time.monotonic() - started:.1f} s")
    if skip_reasons and not failures:
        print("SKIP: " + "; ".join(skip_reasons))
        sys.exit(77)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
