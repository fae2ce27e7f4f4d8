"""A real SSH server on 127.0.0.1 (paramiko's server side) with its own host key, refusing every
login: enough for a client's host-key check to run for real before authentication."""

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import paramiko


class _RefuseAll(paramiko.ServerInterface):
    def get_allowed_auths(self, username: str) -> str:
        return "password"

    def check_auth_password(self, username: str, password: str) -> int:
        return paramiko.common.AUTH_FAILED


@dataclass(frozen=True)
class Sshd:
    port: int
    key: paramiko.PKey

    def known_hosts_line(self, key: paramiko.PKey | None = None) -> str:
        shown = key or self.key
        return f"[127.0.0.1]:{self.port} {shown.get_name()} {shown.get_base64()}\n"


@contextmanager
def sshd() -> Iterator[Sshd]:
    key = paramiko.ECDSAKey.generate()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.5)
    stop = threading.Event()
    transports: list[paramiko.Transport] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            transport = paramiko.Transport(conn)
            transport.add_server_key(key)
            transports.append(transport)
            try:
                transport.start_server(server=_RefuseAll())
            except (paramiko.SSHException, EOFError, OSError):
                transport.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield Sshd(listener.getsockname()[1], key)
    finally:
        stop.set()
        listener.close()
        for transport in transports:
            transport.close()
        thread.join(timeout=5)
