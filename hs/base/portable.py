"""Every call hs makes that only some platforms have, each with its fallback.

hs runs on Linux, macOS and Windows. What POSIX systems have and Windows lacks is asked
for here and nowhere else, so that the rest of hs reads the same on every platform:

* :class:`FileLock`: an exclusive lock on a file between processes: ``fcntl.flock``
  where it exists, else the ``filelock`` library (``msvcrt`` on Windows);
* :func:`can_fork`, :func:`block_sigint`, :func:`restore_signals`, :func:`fork`,
  :func:`kill_hard`: the forked halves of :mod:`hs.base.workers`; without fork the work
  is done in this process; :func:`pool_context`: a process pool's start method,
  ``fork`` (the workers start with everything imported) else ``spawn``;
* :func:`pid_alive`: whether a process still runs: ``kill(pid, 0)`` on POSIX,
  ``OpenProcess`` on Windows (where ``os.kill(pid, 0)`` would end the process), else
  "maybe" (True: what a dead process left is then kept, never another's removed);
* :func:`set_mode`, :func:`restrict`, :func:`file_mode`: permission bits (on Windows only
  the read-only flag exists: these do nothing there);
* :func:`sync_folder`: fsync a folder after a rename (POSIX; Windows has no such call);
* :data:`PROC`: the folder that lists the processes (Linux ``/proc``), else None.

Each capability is a module attribute (``FLOCK``, ``FORK``, ``SIGMASK``, ``KILL0``,
``MODES``, ``FOLDER_SYNC``, ``PROC``), read at each call, so the tests switch one off on
Linux and run the fallback (tests/base/test_portable.py).
"""

from __future__ import annotations

import os
import signal
import stat
import sys
from pathlib import Path
from typing import Any

POSIX = os.name == "posix"
try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

FLOCK = fcntl is not None
FORK = hasattr(os, "fork")
SIGMASK = hasattr(signal, "pthread_sigmask")
KILL0 = POSIX
MODES = POSIX
FOLDER_SYNC = POSIX
PROC: str | None = "/proc" if os.path.isdir("/proc/self") else None
WINDOWS = sys.platform == "win32"


# --- locks --------------------------------------------------------------------------------


class FileLock:
    """An exclusive lock between processes on the file ``path`` (created if missing).
    :meth:`try_acquire` does not wait; :meth:`release` (or :meth:`close`) lets it go. The
    file stays. An OSError if the file cannot be opened."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._lib: Any = None
        if FLOCK:
            self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        else:
            # lazy: the library only where flock is missing (Windows) or switched off
            import filelock

            path.touch(exist_ok=True)  # an unwritable place fails here, as open would
            self._lib = filelock.FileLock(str(path), timeout=0)

    def try_acquire(self) -> bool:
        if self._fd is not None:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            return True
        # lazy: see __init__
        import filelock

        try:
            self._lib.acquire(timeout=0)
        except filelock.Timeout:
            return False
        return True

    def close(self) -> None:
        """Release the lock (closing the file releases flock's)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        elif self._lib is not None:
            self._lib.release(force=True)
            self._lib = None

    release = close


# --- processes ----------------------------------------------------------------------------


def can_fork() -> bool:
    return FORK


def pool_context() -> Any:
    """The multiprocessing context of a process pool: fork where the platform can (the
    workers start with everything imported), else spawn (each worker imports hs anew: the
    work function must be a module's top-level function)."""
    # lazy: only a pool needs multiprocessing
    import multiprocessing as mp

    return mp.get_context("fork" if FORK else "spawn")


def block_sigint() -> Any:
    """Block Ctrl-C in this thread; what :func:`restore_signals` takes back (None where
    signal masks do not exist: there is nothing to restore)."""
    if not SIGMASK:
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


def restore_signals(old: Any) -> None:
    if old is not None and SIGMASK:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def fork() -> int:
    """``os.fork``; OSError where there is none (callers check :func:`can_fork`)."""
    if not FORK:
        raise OSError("no fork on this platform")
    return os.fork()


def kill_hard(pid: int) -> None:
    """End a process at once, no clean-up (SIGKILL; this process itself: ``_exit``)."""
    if pid == os.getpid() and (not POSIX or not hasattr(signal, "SIGKILL")):
        os._exit(137)
    if POSIX:
        os.kill(pid, signal.SIGKILL)
    else:
        os.kill(pid, signal.SIGTERM)  # Windows: TerminateProcess


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` runs; True when this cannot be known."""
    if pid == os.getpid():
        return True
    if KILL0:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except OSError:
            return True  # someone else's
        return True
    if WINDOWS:
        return _windows_alive(pid)
    return True


def _windows_alive(pid: int) -> bool:  # pragma: no cover - Windows only
    # lazy: Windows only
    import ctypes

    kernel32: Any = ctypes.windll.kernel32  # type: ignore[attr-defined,unused-ignore]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return bool(kernel32.GetLastError() == 5)  # access denied: it exists
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return bool(code.value == 259)  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


# --- files --------------------------------------------------------------------------------


def user_id() -> int | None:
    """This process's user ID (POSIX); None where there is none (Windows)."""
    getuid = getattr(os, "getuid", None)
    return int(getuid()) if getuid is not None else None


def file_mode() -> int:
    """The permission bits a new file gets here (0o666 less the umask)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def set_umask(mask: int) -> int | None:
    """Set the process's umask (POSIX): the one it replaces; None where there is none."""
    if not MODES:
        return None
    return os.umask(mask)


def set_mode(path: str | Path, mode: int) -> None:
    """Set a file's permission bits (POSIX); nothing where they do not exist."""
    if MODES:
        os.chmod(path, mode)


def restrict(path: str | Path) -> None:
    """Only the owner may read and write ``path`` (a folder: also enter it): 0o600 or
    0o700 on POSIX. On Windows nothing: a file inherits the access list of its folder
    (the user's profile)."""
    if not MODES:
        return
    mode = 0o700 if os.path.isdir(path) else 0o600
    os.chmod(path, mode)


def mode_of(path: str | Path) -> int | None:
    """A file's permission bits, None where they mean nothing (to keep them on a copy)."""
    if not MODES:
        return None
    return stat.S_IMODE(os.stat(path).st_mode)


def sync_folder(folder: Path) -> None:
    """fsync a folder, so that a rename in it survives a power cut (POSIX)."""
    if not FOLDER_SYNC:
        return
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


__all__ = ["FileLock", "block_sigint", "can_fork", "file_mode", "fork", "kill_hard",
           "mode_of", "pid_alive", "pool_context", "restore_signals", "restrict",
           "set_mode", "set_umask", "sync_folder", "user_id"]

