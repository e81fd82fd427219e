"""Atomic writes: a file (or folder) is replaced whole, or not at all.

Every file medkg writes (exports, the explorer page) goes through :func:`atomic_writer` or
:func:`atomic_folder`:

* the data goes to a temporary sibling of the target, is flushed and fsync'd, then renamed
  onto the target, so a failed write leaves the previous file as it was;
* a symbolic link is followed: the temporary sits next to the link's *target*, which is
  replaced, and the link stays a link;
* the target's permission bits are kept (a new file gets the umask's default);
* a FIFO, a device or a socket is refused (renaming onto it would replace it with a
  regular file), except the process's own stdout (``-o /dev/stdout``), which is written
  directly;
* on SIGTERM the temporary is removed before the process exits; temporaries are named
  ``.NAME.medkg-PID.tmp``, so after a SIGKILL the next write to the same target removes
  those whose process is gone (:func:`remove_stale_temporaries`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import signal
import stat
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import IO

from medkg.errors import ExportError

__all__ = [
    "atomic_folder",
    "atomic_write",
    "atomic_writer",
    "describe_os_error",
    "remove_stale_temporaries",
    "temporary_name",
]

_TEMP = re.compile(r"^\.(?P<name>.+)\.medkg-(?P<pid>\d+)(?:-\d+)?\.tmp$")


def temporary_name(target: Path, serial: int = 0) -> Path:
    """Return the temporary sibling a write to *target* uses (``.NAME.medkg-PID.tmp``)."""
    suffix = f"-{serial}" if serial else ""
    return target.with_name(f".{target.name}.medkg-{os.getpid()}{suffix}.tmp")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def remove_stale_temporaries(target: Path) -> list[Path]:
    """Remove temporaries of earlier writes to *target* whose process no longer runs.

    :returns: the paths removed.
    """
    removed: list[Path] = []
    try:
        siblings = list(target.parent.iterdir())
    except OSError:
        return removed
    for sibling in siblings:
        match = _TEMP.match(sibling.name)
        if match is None or match.group("name") != target.name:
            continue
        if _alive(int(match.group("pid"))):
            continue
        if sibling.is_dir() and not sibling.is_symlink():
            shutil.rmtree(sibling, ignore_errors=True)
        else:
            sibling.unlink(missing_ok=True)
        removed.append(sibling)
    return removed


class _Terminated(SystemExit):
    """Raised in the main thread by SIGTERM during a write, so the cleanup runs."""


@contextlib.contextmanager
def _cleanup_on_sigterm() -> Iterator[None]:
    """Turn SIGTERM into an exception for the duration of the block (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_term(signum: int, frame: FrameType | None) -> None:
        raise _Terminated(128 + signum)

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _resolve_target(path: Path) -> Path:
    """Follow symbolic links; refuse a target that is not a regular file (or missing)."""
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        info = target.stat()
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise ExportError(describe_os_error(path, exc)) from None
    if stat.S_ISDIR(info.st_mode):
        raise ExportError(f"cannot write {path}: it is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        kind = "a FIFO" if stat.S_ISFIFO(info.st_mode) else "a device or socket"
        raise ExportError(
            f"cannot write {path}: it is {kind}, not a regular file; "
            "write to stdout instead (leave out --output)"
        )
    return target


def _is_stdout(path: Path) -> bool:
    """Whether *path* names the process's own stdout (``/dev/stdout``, ``/proc/self/fd/1``)."""
    try:
        here, out = os.stat(path), os.fstat(sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        return False
    return (here.st_dev, here.st_ino) == (out.st_dev, out.st_ino) and not stat.S_ISREG(here.st_mode)


def atomic_write(path: str | os.PathLike[str], data: bytes) -> Path:
    """Replace the file at *path* with *data*, all or nothing.

    :param path: the target file; its folder must exist.
    :param data: the complete new content.
    :returns: the file written (a symbolic link's target).
    :raises ExportError: the file cannot be written; the previous file is untouched.
    """
    with atomic_writer(Path(path)) as stream:
        stream.write(data)
    return _resolve_target(Path(path))


@contextlib.contextmanager
def atomic_writer(path: Path) -> Iterator[IO[bytes]]:
    """Give a binary stream whose content replaces *path* only when the block succeeds.

    On any exception (SIGTERM included) the temporary is removed, the exception propagates
    and the previous *path* is left as it was. See the module docstring for links, FIFOs,
    devices and permissions.

    :param path: the target file.
    :returns: a context manager yielding the writable binary stream.
    :raises ExportError: the folder is missing or not writable, the target is a folder, a
        FIFO or a device, or the disk is full; the message names *path*.
    """
    path = Path(path)
    if _is_stdout(path):
        stream = sys.stdout.buffer
        try:
            yield stream
            stream.flush()
        except OSError as exc:
            raise ExportError(describe_os_error(path, exc)) from None
        return
    target = _resolve_target(path)
    remove_stale_temporaries(target)
    mode = _file_mode(target)
    temp_path = temporary_name(target)
    with _cleanup_on_sigterm():
        try:
            descriptor = os.open(temp_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as exc:
            raise ExportError(describe_os_error(path, exc)) from None
        try:
            with os.fdopen(descriptor, "wb") as temp:
                yield temp
                temp.flush()
                os.fsync(temp.fileno())
            os.chmod(temp_path, mode)
            os.replace(temp_path, target)
        except BaseException as exc:
            temp_path.unlink(missing_ok=True)
            if isinstance(exc, OSError) and not isinstance(exc, ExportError):
                raise ExportError(describe_os_error(path, exc)) from None
            raise
    _fsync_folder(target.parent)


@contextlib.contextmanager
def atomic_folder(path: Path) -> Iterator[Path]:
    """Give an empty staging folder whose files land in *path* only when the block succeeds.

    The staging folder is a hidden sibling of *path*. A new *path* is created by renaming
    the whole staging folder; in an existing *path* each staged file replaces its namesake
    (each file atomically), and other files there are left alone.

    :param path: the target folder; its parent must exist.
    :returns: a context manager yielding the staging folder.
    :raises ExportError: *path* is a file, or its parent is missing or not writable.
    """
    path = Path(os.path.realpath(path)) if Path(path).is_symlink() else Path(path)
    if path.exists() and not path.is_dir():
        raise ExportError(f"cannot write {path}: it is a file, not a folder")
    remove_stale_temporaries(path)
    staging = temporary_name(path)
    with _cleanup_on_sigterm():
        try:
            staging.mkdir(mode=0o700)
        except OSError as exc:
            raise ExportError(describe_os_error(path, exc)) from None
        try:
            yield staging
            _fsync_files(staging)
            _move_into_place(staging, path)
        except BaseException as exc:
            shutil.rmtree(staging, ignore_errors=True)
            if isinstance(exc, OSError) and not isinstance(exc, ExportError):
                raise ExportError(describe_os_error(path, exc)) from None
            raise
    _fsync_folder(path.parent)


def _move_into_place(staging: Path, target: Path) -> None:
    """Rename the staged folder to *target*, or its files into an existing *target*."""
    if target.is_dir():
        for staged in sorted(staging.iterdir()):
            os.replace(staged, target / staged.name)
        staging.rmdir()
        _fsync_folder(target)
    else:
        os.chmod(staging, 0o777 & ~_umask())
        os.replace(staging, target)


def _file_mode(path: Path) -> int:
    """Return the permission bits the written file should have: the old file's, or the default."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    # The only portable way to read the umask is to set it and put it back.
    current = os.umask(0o022)
    os.umask(current)
    return current


def _fsync_files(folder: Path) -> None:
    """Flush every file in *folder* to disk, so a crash after the rename finds whole files."""
    for staged in folder.iterdir():
        with staged.open("rb") as handle:
            os.fsync(handle.fileno())


def _fsync_folder(folder: Path) -> None:
    """Flush a folder's entries to disk, so the rename itself survives a crash."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # some platforms (Windows) cannot open a folder; the rename is done anyway
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # some file systems refuse fsync on a folder; the data itself is already synced
    finally:
        os.close(descriptor)


def describe_os_error(path: Path | str, exc: OSError) -> str:
    """Say in one line why *path* cannot be written."""
    path = Path(path)
    if isinstance(exc, FileNotFoundError) and not path.parent.is_dir():
        return f"cannot write {path}: the folder {path.parent} does not exist"
    if isinstance(exc, PermissionError):
        return f"cannot write {path}: permission denied (is the folder read-only?)"
    if isinstance(exc, IsADirectoryError):
        return f"cannot write {path}: it is a folder, not a file"
    if exc.errno == errno.ENOSPC:
        return f"cannot write {path}: no space left on the device"
    reason = exc.strerror or exc.__class__.__name__
    return f"cannot write {path}: {reason}"
