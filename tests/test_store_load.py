"""medkg load: all or nothing, the previous store readable throughout, foreign folders refused."""

from __future__ import annotations

import errno
import gc
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medkg.cli import app
from medkg.errors import DataFileError, StoreBusyError, StoreError
from medkg.graph import fill_store
from medkg.stores import open_store
from medkg.stores.oxigraph import OxigraphStore, load_store

DATA = Path(__file__).parent / "data"


def _count(path: Path) -> int:
    store = open_store(f"oxigraph:{path}")
    try:
        return len(store)
    finally:
        del store
        gc.collect()


@pytest.fixture()
def filled(tmp_path: Path) -> tuple[Path, int]:
    path = tmp_path / "kg"
    count = load_store(path, lambda store: fill_store(store))
    gc.collect()
    return path, count


def test_a_failed_load_leaves_the_previous_store(filled: tuple[Path, int]) -> None:
    path, count = filled

    def half_then_fail(store: OxigraphStore) -> None:
        fill_store(store, [DATA / "valid-addition.ttl"])
        raise DataFileError(DATA / "malformed.ttl", "syntax error", 4)

    with pytest.raises(DataFileError):
        load_store(path, half_then_fail)
    assert _count(path) == count


def test_a_full_disk_during_load_is_one_line_and_keeps_the_store(
    filled: tuple[Path, int],
) -> None:
    path, count = filled

    def disk_full(store: OxigraphStore) -> None:
        fill_store(store)
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(
        StoreError, match="no space left on the device.*previous store is unchanged"
    ):
        load_store(path, disk_full)
    assert _count(path) == count


def test_a_reader_during_a_load_sees_the_previous_store(filled: tuple[Path, int]) -> None:
    path, count = filled
    seen: list[int] = []

    def fill_and_look(store: OxigraphStore) -> None:
        fill_store(store, [DATA / "valid-addition.ttl"])
        seen.append(_count(path))  # the new data is written but not yet switched to

    new_count = load_store(path, fill_and_look)
    assert seen == [count]
    assert new_count > count
    assert _count(path) == new_count


def test_a_reader_during_the_first_load_is_told_at_once(tmp_path: Path) -> None:
    path = tmp_path / "kg"
    errors: list[str] = []

    def fill_and_look(store: OxigraphStore) -> None:
        with pytest.raises(StoreBusyError) as info:
            open_store(f"oxigraph:{path}")
        errors.append(str(info.value))
        fill_store(store)

    load_store(path, fill_and_look)
    assert errors and "being loaded" in errors[0]


def test_a_second_load_at_the_same_time_is_refused(filled: tuple[Path, int]) -> None:
    path, _ = filled

    def load_again(store: OxigraphStore) -> None:
        with pytest.raises(StoreBusyError, match="being loaded"):
            load_store(path, fill_store)

    load_store(path, load_again)


def test_load_refuses_a_folder_of_other_files(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "thesis.docx").write_bytes(b"precious")
    result = CliRunner().invoke(app, ["load", "--store", f"oxigraph:{folder}"])
    assert result.exit_code == 2
    assert "not a medkg store" in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["thesis.docx"]


def test_loading_twice_keeps_at_most_two_generations(filled: tuple[Path, int]) -> None:
    path, count = filled
    for _ in range(3):
        assert load_store(path, fill_store) == count
        gc.collect()
    assert len([p for p in path.iterdir() if p.name.startswith("generation-")]) <= 2
