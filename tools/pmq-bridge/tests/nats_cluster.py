"""A throwaway 3-node NATS JetStream cluster on 127.0.0.1, and "hosts" that are
private IPC namespaces. Standard library only.

    with NatsCluster(tmpdir) as cluster:         # started, healthy
        cluster.urls                              # "nats://127.0.0.1:P1,..."
        cluster.kill(i) / cluster.start(i) / cluster.pause(i) / cluster.resume(i)
        cluster.stream_leader("STREAM")           # node index of the leader
        cluster.request(i, SUBJECT, {...})        # a JetStream API call, its JSON reply
    with Host("a") as host:                       # `unshare --ipc sleep`
        host.popen([...]) / host.run([...])       # nsenter into its IPC namespace

Everything started here is stopped on exit, on an exception and on SIGTERM.
"""
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request

NATS_SERVER = os.environ.get("NATS_SERVER", "nats-server")


def free_ports(count):
    socks, ports = [], []
    for _ in range(count):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


_LIVE = []  # everything to stop if the test dies


def _stop_everything(*_):
    for thing in list(_LIVE):
        try:
            thing.close()
        except Exception:
            pass
    raise SystemExit(1)


signal.signal(signal.SIGTERM, _stop_everything)


class NatsCluster:
    def __init__(self, workdir, nodes=3, max_payload=None):
        self.workdir = workdir
        self.count = nodes
        self.max_payload = max_payload
        ports = free_ports(3 * nodes)
        self.client_ports = ports[0:nodes]
        self.cluster_ports = ports[nodes:2 * nodes]
        self.http_ports = ports[2 * nodes:3 * nodes]
        self.procs = [None] * nodes
        self.paused = set()
        for i in range(nodes):
            self._write_config(i)
        _LIVE.append(self)

    @property
    def urls(self):
        return ",".join(f"nats://127.0.0.1:{p}" for p in self.client_ports)

    def url(self, i):
        return f"nats://127.0.0.1:{self.client_ports[i]}"

    def _write_config(self, i):
        routes = ", ".join(f"nats-route://127.0.0.1:{p}" for j, p in enumerate(self.cluster_ports) if j != i)
        store = os.path.join(self.workdir, f"n{i}")
        os.makedirs(store, exist_ok=True)
        extra = f"max_payload: {self.max_payload}\n" if self.max_payload else ""
        with open(os.path.join(self.workdir, f"n{i}.conf"), "w") as f:
            f.write(f"""server_name: n{i}
listen: 127.0.0.1:{self.client_ports[i]}
http: 127.0.0.1:{self.http_ports[i]}
{extra}jetstream {{ store_dir: "{store}", max_file: 1G, max_mem: 64M }}
cluster {{ name: pmqtest, listen: 127.0.0.1:{self.cluster_ports[i]}, routes: [{routes}] }}
""")

    def restart_all(self, max_payload=None):
        """Stops every node, rewrites the configurations, starts them again."""
        self.close()
        _LIVE.append(self)
        self.max_payload = max_payload
        for i in range(self.count):
            self._write_config(i)
        return self.start()

    def start(self, i=None):
        nodes = range(self.count) if i is None else [i]
        for n in nodes:
            log = open(os.path.join(self.workdir, f"n{n}.log"), "ab")
            self.procs[n] = subprocess.Popen([NATS_SERVER, "-c", os.path.join(self.workdir, f"n{n}.conf")],
                                             stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            log.close()
        if i is None:
            self.wait_healthy()
        return self

    def healthy(self, i):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.http_ports[i]}/healthz?js-enabled-only=true", timeout=1) as r:
                return r.status == 200
        except Exception:
            return False

    def wait_healthy(self, nodes=None, timeout=60):
        nodes = range(self.count) if nodes is None else nodes
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(self.healthy(i) for i in nodes):
                return
            time.sleep(0.1)
        raise RuntimeError(f"nats-server nodes {list(nodes)} not healthy after {timeout} s; logs in {self.workdir}")

    def jsz(self, i, query=""):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.http_ports[i]}/jsz?{query}", timeout=2) as r:
            return json.load(r)

    def stream_leader(self, stream, timeout=20):
        """Index of the node leading STREAM (asks every live node)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for i in range(self.count):
                if self.procs[i] is None or i in self.paused:
                    continue
                try:
                    doc = self.jsz(i, "streams=true")
                except Exception:
                    continue
                for account in doc.get("account_details", []):
                    for s in account.get("stream_detail", []):
                        if s.get("name") == stream and s.get("cluster", {}).get("leader"):
                            return int(s["cluster"]["leader"][1:])
            time.sleep(0.2)
        raise RuntimeError(f"no leader for stream {stream}")

    def request(self, i, subject, body=None, timeout=5):
        """One request over the NATS protocol to node i (a JetStream API call,
        say): publishes BODY as JSON (None: empty) with a reply subject and
        returns the decoded reply. Enough protocol for the tests, not a client."""
        with socket.create_connection(("127.0.0.1", self.client_ports[i]), timeout=timeout) as sock:
            stream = sock.makefile("rb")
            if not stream.readline().startswith(b"INFO "):
                raise RuntimeError("not a NATS server")
            payload = b"" if body is None else json.dumps(body).encode()
            sock.sendall(b'CONNECT {"verbose":false,"pedantic":false}\r\nSUB _INBOX.pmqtest 1\r\n' +
                         f"PUB {subject} _INBOX.pmqtest {len(payload)}\r\n".encode() + payload + b"\r\nPING\r\n")
            while True:
                line = stream.readline()
                if not line:
                    raise RuntimeError(f"the server closed the connection before answering {subject}")
                if line.startswith(b"PING"):
                    sock.sendall(b"PONG\r\n")
                elif line.startswith(b"-ERR"):
                    raise RuntimeError(line.decode().strip())
                elif line.startswith(b"MSG "):
                    size = int(line.split()[-1])
                    reply = stream.read(size + 2)[:size]
                    return json.loads(reply)

    def kill(self, i):
        p = self.procs[i]
        if p is not None:
            if i in self.paused:
                self.resume(i)
            p.kill()
            p.wait()
            self.procs[i] = None

    def pause(self, i):
        os.kill(self.procs[i].pid, signal.SIGSTOP)
        self.paused.add(i)

    def resume(self, i):
        os.kill(self.procs[i].pid, signal.SIGCONT)
        self.paused.discard(i)

    def close(self):
        for i in range(self.count):
            if self.procs[i] is not None:
                if i in self.paused:
                    self.resume(i)
                self.procs[i].terminate()
        for i in range(self.count):
            if self.procs[i] is not None:
                try:
                    self.procs[i].wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self.procs[i].kill()
                    self.procs[i].wait()
                self.procs[i] = None
        if self in _LIVE:
            _LIVE.remove(self)

    def __enter__(self):
        return self.start()

    def __exit__(self, *_):
        self.close()


class Host:
    """A "host": a private IPC namespace (its own POSIX queues), held open by a
    sleeping process; commands run in it through nsenter. Needs root, or
    CAP_SYS_ADMIN, as `unshare --ipc` does."""

    def __init__(self, name):
        self.name = name
        self.holder = subprocess.Popen(["unshare", "--ipc", "sleep", "infinity"], start_new_session=True)
        self.children = []
        _LIVE.append(self)
        # Wait until the holder is inside its own namespace.
        mine = os.readlink("/proc/self/ns/ipc")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                if os.readlink(f"/proc/{self.holder.pid}/ns/ipc") != mine:
                    return
            except OSError:
                pass
            time.sleep(0.01)
        raise RuntimeError("unshare --ipc did not give a private IPC namespace")

    def command(self, argv):
        return ["nsenter", "--ipc", "--target", str(self.holder.pid), "--"] + list(argv)

    def popen(self, argv, **kwargs):
        # nsenter execs argv in place: the pid is the program's own.
        p = subprocess.Popen(self.command(argv), start_new_session=True, **kwargs)
        self.children.append(p)
        return p

    def run(self, argv, **kwargs):
        return subprocess.run(self.command(argv), **kwargs)

    def close(self):
        for p in self.children:
            if p.poll() is None:
                p.kill()
                p.wait()
        self.holder.kill()
        self.holder.wait()
        if self in _LIVE:
            _LIVE.remove(self)

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.close()
