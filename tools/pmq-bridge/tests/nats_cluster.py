"""A throwaway 3-node NATS JetStream cluster on 127.0.0.1, and "hosts" that are
private IPC namespaces. Standard library only.

    with NatsCluster(tmpdir) as cluster:         # started, healthy
        cluster.urls                              # "nats://127.0.0.1:P1,..."
        cluster.kill(i) / cluster.start(i) / cluster.pause(i) / cluster.resume(i)
        cluster.stream_leader("STREAM")           # node index of the leader
        cluster.request(i, SUBJECT, {...})        # a JetStream API call, its JSON reply
    with NatsServer(tmpdir, "auth", "authorization {...}") as server:
        server.port                               # one node, extra configuration
    with Host("a") as host:                       # `unshare --ipc sleep`
        host.popen([...]) / host.run([...])       # nsenter into its IPC namespace

Everything started here is stopped on exit, on an exception and on SIGTERM.
"""
import json
import os
import random
import signal
import socket
import subprocess
import time
import urllib.request

NATS_SERVER = os.environ.get("NATS_SERVER", "nats-server")


def _ephemeral_range_start():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_ports(count):
    """COUNT distinct ports on 127.0.0.1 that nothing is bound to now, drawn
    at random below the kernel's ephemeral range. Not the kernel's own choice
    for port 0: that range is where it also picks the local port of every
    outgoing connection (the routes of a parallel test's cluster, say), so the
    port could be taken between this choice and the server's bind. Two tests
    can still draw the same port; starting a server then fails with
    "address already in use", and start() tries again on fresh ports."""
    low = _ephemeral_range_start()
    top = low if low > 11000 else 65536
    rng = random.SystemRandom()
    ports = []
    while len(ports) < count:
        port = rng.randrange(10000, top)
        if port in ports:
            continue
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            s.close()
        ports.append(port)
    return ports


def hold_ports(ports):
    """Sockets bound, not listening, with SO_REUSEADDR, on PORTS: other
    tests' free_ports() skip them and a connection to them is refused, while
    nats-server (whose listeners set SO_REUSEADDR too) can still bind them.
    Close them to let the ports go."""
    held = []
    for port in ports:
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            s.close()
            continue
        held.append(s)
    return held


class NodeExited(RuntimeError):
    def __init__(self, name, code, log_path):
        tail = []
        try:
            with open(log_path, errors="replace") as f:
                tail = f.read().splitlines()[-3:]
        except OSError:
            pass
        self.port_taken = any("address already in use" in line for line in tail)
        super().__init__(f"nats-server {name} exited with status {code} while starting; "
                         f"its log {log_path} ends: " + " | ".join(tail))


def _spawn(config, log_path):
    with open(log_path, "ab") as log:
        return subprocess.Popen([NATS_SERVER, "-c", config], stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)


def _healthy(http_port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/healthz?js-enabled-only=true", timeout=1) as r:
            return r.status == 200
    except Exception:
        return False


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
        # A name of its own: should another test's node ever answer on one of
        # our route ports, the two clusters refuse each other's routes.
        self.name = f"pmqtest-{os.getpid()}-{random.SystemRandom().randrange(1 << 30)}"
        self.procs = [None] * nodes
        self.paused = set()
        self.held = {}  # node -> sockets keeping a killed node's ports for it
        self.started = False  # once it has been, clients know its ports
        self._choose_ports()
        _LIVE.append(self)

    def _choose_ports(self):
        ports = free_ports(3 * self.count)
        self.client_ports = ports[0:self.count]
        self.cluster_ports = ports[self.count:2 * self.count]
        self.http_ports = ports[2 * self.count:3 * self.count]
        for i in range(self.count):
            self._write_config(i)

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
cluster {{ name: {self.name}, listen: 127.0.0.1:{self.cluster_ports[i]}, routes: [{routes}] }}
""")

    def restart_all(self, max_payload=None):
        """Stops every node, rewrites the configurations, starts them again."""
        self.close()
        _LIVE.append(self)
        self.max_payload = max_payload
        for i in range(self.count):
            self._write_config(i)
        return self.start()

    def start(self, i=None, attempts=5):
        """Starts every node (I None) or node I, and waits until it is healthy.
        A node that finds a port taken (a parallel test drew it too) is started
        again: the whole cluster on fresh ports the first time, when no client
        knows them yet; later on its own ports, once the other test's server
        may have let go of them."""
        nodes = list(range(self.count)) if i is None else [i]
        for attempt in range(1, attempts + 1):
            for n in nodes:
                for sock in self.held.pop(n, []):
                    sock.close()
                self.procs[n] = _spawn(os.path.join(self.workdir, f"n{n}.conf"),
                                       os.path.join(self.workdir, f"n{n}.log"))
            try:
                self.wait_healthy(nodes)
                self.started = True
                return self
            except NodeExited as e:
                for n in nodes:
                    self._stop(n)
                if not e.port_taken or attempt == attempts:
                    raise
                print(f"{e}; starting again", flush=True)
                if self.started:
                    time.sleep(1)
                else:
                    self._choose_ports()
            except BaseException:
                for n in nodes:
                    self._stop(n)
                raise

    def healthy(self, i):
        return _healthy(self.http_ports[i])

    def wait_healthy(self, nodes=None, timeout=60):
        nodes = range(self.count) if nodes is None else nodes
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for i in nodes:
                p = self.procs[i]
                if p is not None and p.poll() is not None:
                    raise NodeExited(f"n{i}", p.returncode, os.path.join(self.workdir, f"n{i}.log"))
            waiting = [i for i in nodes if not self.healthy(i)]
            if not waiting:
                return
            time.sleep(0.1)
        raise RuntimeError(f"nats-server nodes {waiting} of {list(nodes)} not healthy after {timeout} s; "
                           f"logs in {self.workdir}")

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
            # Its clients know these ports: no parallel test may draw them
            # before start(i).
            self.held[i] = hold_ports([self.client_ports[i], self.cluster_ports[i], self.http_ports[i]])

    def pause(self, i):
        os.kill(self.procs[i].pid, signal.SIGSTOP)
        self.paused.add(i)

    def resume(self, i):
        os.kill(self.procs[i].pid, signal.SIGCONT)
        self.paused.discard(i)

    def _stop(self, i):
        p = self.procs[i]
        if p is None:
            return
        if i in self.paused:
            self.resume(i)
        p.terminate()
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        self.procs[i] = None

    def close(self):
        for i in range(self.count):
            if self.procs[i] is not None:
                if i in self.paused:
                    self.resume(i)
                self.procs[i].terminate()
        for i in range(self.count):
            self._stop(i)
        for sockets in self.held.values():
            for sock in sockets:
                sock.close()
        self.held = {}
        if self in _LIVE:
            _LIVE.remove(self)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.close()  # __exit__ is not called when __enter__ fails
            raise

    def __exit__(self, *_):
        self.close()


class NatsServer:
    """One JetStream node outside any cluster, with EXTRA configuration (an
    authorization or tls block). Its ports are the ones the server's own
    bind(port 0) got, read from its ports file: no other process can take
    them between a choice and a bind.

        with NatsServer(workdir, "auth", 'authorization { ... }') as server:
            server.port
    """

    def __init__(self, workdir, name, extra):
        self.workdir, self.name, self.extra = workdir, name, extra
        self.proc = None
        self.port = None

    def __enter__(self):
        _LIVE.append(self)
        ports_dir = os.path.join(self.workdir, f"{self.name}.ports")
        os.makedirs(ports_dir, exist_ok=True)
        config = os.path.join(self.workdir, f"{self.name}.conf")
        log = os.path.join(self.workdir, f"{self.name}.log")
        with open(config, "w") as f:
            f.write(f'listen: 127.0.0.1:-1\nhttp: 127.0.0.1:-1\nports_file_dir: "{ports_dir}"\n'
                    f'jetstream {{ store_dir: "{self.workdir}/{self.name}" }}\n{self.extra}\n')
        self.proc = _spawn(config, log)
        try:
            self._wait_started(os.path.join(ports_dir, f"{os.path.basename(NATS_SERVER)}_{self.proc.pid}.ports"), log)
        except BaseException:
            self.close()
            raise
        return self

    def _wait_started(self, ports_file, log):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise NodeExited(self.name, self.proc.returncode, log)
            try:
                with open(ports_file) as f:
                    ports = json.load(f)
                http = int(ports["monitoring"][0].rsplit(":", 1)[1])
                if _healthy(http):
                    self.port = int(ports["nats"][0].rsplit(":", 1)[1])
                    return
            except (OSError, ValueError, KeyError, IndexError):
                pass  # not written yet
            time.sleep(0.1)
        raise RuntimeError(f"nats-server {self.name} not healthy after 30 s; log {log}")

    def close(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
        if self.proc is not None:
            self.proc.wait()
        if self in _LIVE:
            _LIVE.remove(self)

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
