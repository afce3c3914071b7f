"""The agent: a small process that keeps unlocked laptop identities for a session, so a
coordinator types the passphrase once, not at every command.

It is started by the first command that unlocks an identity at a prompt
(:func:`hold`), listens on a unix socket in a folder only its user can open
(``$XDG_RUNTIME_DIR/hs``, else ``hs-agent-<uid>`` in the temporary folder; the folder is
0700 and the socket 0600, and on Linux every caller's user is checked with
``SO_PEERCRED``), and exits when it has not been asked for ``HS_AGENT_TIMEOUT`` seconds
(default 900: 15 minutes), or when told to (``hs keys lock``). It keeps the keys in
memory only. ``HS_AGENT=off`` neither starts nor asks one (scripts that use
``HS_PASSPHRASE_FILE`` never start one either).

The protocol is one JSON line each way: ``{"op": "get", "public": B64}`` gives the
private key of that identity to a process of the same user (who could read the agent's
memory anyway), ``add`` gives it one, ``stop`` ends it.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from hs.base import portable

OFF = "HS_AGENT"  # 'off': no agent
TIMEOUT = "HS_AGENT_TIMEOUT"  # seconds without a request before the agent exits
DEFAULT_TIMEOUT = 900.0
SOCKET_NAME = "agent.sock"


def folder() -> Path:
    """The agent's private folder for this user."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isdir(runtime) and os.stat(runtime).st_uid == portable.user_id():
        return Path(runtime) / "hs"
    return Path(tempfile.gettempdir()) / f"hs-agent-{portable.user_id()}"


def socket_path() -> Path:
    return folder() / SOCKET_NAME


def _safe_folder(path: Path) -> bool:
    """The folder is ours and no one else may enter it."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return (st.st_uid == portable.user_id() and (st.st_mode & 0o077) == 0
            and os.path.isdir(path) and not os.path.islink(path))


def _ask(request: dict[str, Any], wait: float = 2.0) -> dict[str, Any] | None:
    """One request to the running agent; None if there is none or it fails."""
    path = socket_path()
    if os.environ.get(OFF) == "off" or not _safe_folder(path.parent):
        return None
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(wait)
            sock.connect(str(path))
            sock.sendall(json.dumps(request).encode() + b"\n")
            answer = json.loads(_read_line(sock))
    except (OSError, ValueError):
        return None
    return answer if isinstance(answer, dict) else None


def _read_line(sock: socket.socket) -> bytes:
    data = b""
    while not data.endswith(b"\n") and len(data) < 65536:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def fetch(public: bytes) -> bytes | None:
    """The private key the agent holds for ``public``, if it holds it."""
    answer = _ask({"op": "get", "public": base64.b64encode(public).decode()})
    if not answer or not isinstance(answer.get("private"), str):
        return None
    try:
        return base64.b64decode(answer["private"])
    except ValueError:
        return None


def hold(public: bytes, private: bytes) -> bool:
    """Give the agent an unlocked identity, starting the agent if none runs. False when
    that was not possible (the command still has it; the next one asks again)."""
    if os.environ.get(OFF) == "off":
        return False
    request = {"op": "add", "public": base64.b64encode(public).decode(),
               "private": base64.b64encode(private).decode()}
    if _ask(request) is not None:
        return True
    if not start():
        return False
    return _ask(request) is not None


def start() -> bool:
    """Start an agent in the background; True once it answers."""
    try:
        timeout = float(os.environ.get(TIMEOUT, DEFAULT_TIMEOUT))
    except ValueError:
        timeout = DEFAULT_TIMEOUT
    try:
        subprocess.Popen([sys.executable, "-m", "hs.store.agent", str(timeout)],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True,
                         close_fds=True)
    except OSError:
        return False
    for _ in range(100):
        if _ask({"op": "ping"}, wait=0.2) is not None:
            return True
        time.sleep(0.02)
    return False


def stop() -> bool:
    """End the running agent (it forgets every identity). False if none ran."""
    return _ask({"op": "stop"}) is not None


# --- the agent process -------------------------------------------------------------------


def _peer_ok(conn: socket.socket) -> bool:
    if not hasattr(socket, "SO_PEERCRED"):
        return True  # the folder's mode keeps others out
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return bool(uid == portable.user_id())


def _answer(held: dict[str, str], request: Any) -> tuple[dict[str, Any], bool]:
    """The answer to one request, and whether to go on serving."""
    if not isinstance(request, dict):
        return {"error": "bad request"}, True
    op = request.get("op")
    if op == "get":
        found = held.get(str(request.get("public")))
        return ({"private": found} if found else {"error": "unknown"}), True
    if op == "add" and isinstance(request.get("private"), str):
        held[str(request.get("public"))] = request["private"]
        return {"ok": True}, True
    if op == "stop":
        return {"ok": True}, False
    return {"ok": op == "ping"}, True


def _listen(path: Path) -> socket.socket | None:
    base = path.parent
    base.mkdir(mode=0o700, exist_ok=True)
    if not _safe_folder(base):
        return None
    if path.exists():
        if _ask({"op": "ping"}, wait=0.5) is not None:
            return None  # another agent answers
        path.unlink()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = portable.set_umask(0o177)
    try:
        server.bind(str(path))
    finally:
        if old is not None:
            portable.set_umask(old)
    server.listen(8)
    return server


def serve(timeout: float) -> None:
    """Answer requests until none came for ``timeout`` seconds, or a ``stop``."""
    path = socket_path()
    server = _listen(path)
    if server is None:
        return
    held: dict[str, str] = {}
    going = True
    try:
        while going:
            server.settimeout(timeout)
            try:
                conn, _ = server.accept()
            except TimeoutError:
                break
            with conn:
                conn.settimeout(5)
                if not _peer_ok(conn):
                    continue
                try:
                    reply, going = _answer(held, json.loads(_read_line(conn) or b"null"))
                    if not going:  # gone before the answer: a stop that returned is done
                        _close(server, path)
                    conn.sendall(json.dumps(reply).encode() + b"\n")
                except (OSError, ValueError):
                    continue
    finally:
        held.clear()
        _close(server, path)


def _close(server: socket.socket, path: Path) -> None:
    """Stop listening and remove the socket (again is harmless)."""
    server.close()
    with contextlib.suppress(OSError):
        path.unlink()


if __name__ == "__main__":
    serve(float(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_TIMEOUT)
