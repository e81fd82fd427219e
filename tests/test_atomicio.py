"""Atomic writes: links followed, FIFOs and devices refused, permissions kept, no leftovers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from medkg.atomicio import atomic_write, atomic_writer, remove_stale_temporaries, temporary_name
from medkg.errors import ExportError


def test_a_symlink_is_followed_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real.ttl"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.ttl"
    link.symlink_to(real)
    assert atomic_write(link, b"new") == real
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == "new"


def test_the_targets_permissions_are_kept(tmp_path: Path) -> None:
    target = tmp_path / "out.ttl"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    atomic_write(target, b"new")
    assert target.stat().st_mode & 0o777 == 0o640


def test_a_fifo_is_refused_and_left_alone(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(ExportError, match="it is a FIFO"):
        atomic_write(fifo, b"data")
    assert fifo.is_fifo()


def test_a_device_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "null.ttl"
    link.symlink_to("/dev/null")
    with pytest.raises(ExportError, match="a device"):
        atomic_write(link, b"data")
    assert link.is_symlink()


def test_stdout_given_as_a_path_is_written_directly(tmp_path: Path) -> None:
    code = textwrap.dedent(
        """
        from medkg.atomicio import atomic_write
        atomic_write("/dev/stdout", b"to stdout")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, check=True, timeout=60
    )
    assert result.stdout == b"to stdout"


def test_a_failed_write_leaves_the_previous_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.ttl"
    target.write_text("previous", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_writer(target) as stream:
        stream.write(b"half")
        raise RuntimeError("writer broke")
    assert target.read_text(encoding="utf-8") == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.ttl"]


WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from medkg.atomicio import atomic_writer
    with atomic_writer(Path(sys.argv[1])) as stream:
        stream.write(b"x" * 2_000_000)
        stream.flush()
        print("writing", flush=True)
        time.sleep(600)
    """
)


def _writer_in_the_middle(target: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(target)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "writing"  # the temporary is there now
    return process


def test_sigterm_removes_the_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.ttl"
    target.write_text("previous", encoding="utf-8")
    process = _writer_in_the_middle(target)
    assert len(list(tmp_path.iterdir())) == 2
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) != 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.ttl"]
    assert target.read_text(encoding="utf-8") == "previous"


def test_after_sigkill_the_next_write_removes_the_stale_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.ttl"
    process = _writer_in_the_middle(target)
    process.kill()
    process.wait(timeout=60)
    stale = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert len(stale) == 1 and stale[0].name.startswith(".out.ttl.medkg-")
    atomic_write(target, b"new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.ttl"]


def test_a_live_writers_temporary_is_kept(tmp_path: Path) -> None:
    target = tmp_path / "out.ttl"
    mine = temporary_name(target)
    mine.write_bytes(b"in progress")
    assert remove_stale_temporaries(target) == []
    assert mine.exists()
