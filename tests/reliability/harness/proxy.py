"""A TCP proxy the scenarios control, standing between a service and what it depends on
(its PostgreSQL server, iam-svc, lakeformation-svc) to cut the link the way networks fail:

- ``forward()``: pass bytes both ways (the normal state);
- ``refuse()``: close every open connection and refuse new ones (a server that is down);
- ``blackhole()``: keep connections open and accept new ones, but pass nothing (a cut
  network or a hung server: only the client's own timeouts end the wait).

It runs on its own thread; ``port`` is where to point the client."""

import socket
import threading

from .stack import free_port


class Proxy:
    def __init__(self, target_host, target_port, port=None):
        self.target = (target_host, target_port)
        self.port = port or free_port()
        self.mode = "forward"
        self.lock = threading.Lock()
        self.conns = set()
        self.listener = None
        self.closed = False
        self._listen()

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"

    def _listen(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(512)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            if self.mode == "blackhole":
                with self.lock:
                    self.conns.add(client)  # held open, never answered
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self.lock:
                # Refused meanwhile: a connection let through now would outlive the cut.
                if self.mode == "refuse":
                    client.close()
                    upstream.close()
                    continue
                self.conns.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                while self.mode == "blackhole":
                    threading.Event().wait(0.05)  # swallow the stall: nothing moves
                    if self.closed:
                        return
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
                with self.lock:
                    self.conns.discard(s)

    def _drop_all(self):
        with self.lock:
            conns, self.conns = list(self.conns), set()
        for s in conns:
            try:
                # An abortive close (RST), as when a server process dies. The shutdown
                # comes first: a pump thread blocked in recv holds the socket open past a
                # bare close, and the connection would go on passing bytes.
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def refuse(self):
        """Down: open connections reset, new ones refused."""
        self.mode = "refuse"
        if self.listener is not None:
            self.listener.close()
            self.listener = None
        self._drop_all()

    def blackhole(self):
        """Hung: everything stalls; new connections are accepted and never answered."""
        self.mode = "blackhole"
        if self.listener is None:
            self._listen()

    def forward(self):
        """Back to normal (connections held by a blackhole are reset)."""
        if self.mode == "blackhole":
            self._drop_all()
        self.mode = "forward"
        if self.listener is None:
            self._listen()

    def close(self):
        self.closed = True
        self.refuse()
