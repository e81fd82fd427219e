"""Where the bundled ontology files are, in a wheel and in a source checkout."""

from __future__ import annotations

from pathlib import Path

__all__ = ["bundled_data_files", "ontology_dir", "queries_dir"]

#: The curated files every graph loads, in load order.
BUNDLED_FILES = ("medkg.ttl", "leg-cramps.ttl")


def ontology_dir() -> Path:
    """Return the folder holding ``medkg.ttl``, ``shapes.ttl`` and ``leg-cramps.ttl``.

    A wheel carries the files inside the package (``medkg/ontology``); an editable install
    from a checkout reads the repository's top-level ``ontology/`` folder, which is the
    source of truth.
    """
    packaged = Path(__file__).resolve().parent / "ontology"
    if (packaged / "medkg.ttl").is_file():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "ontology"
    if (checkout / "medkg.ttl").is_file():
        return checkout
    raise FileNotFoundError(
        f"medkg's ontology files are missing: looked in {packaged} and {checkout}; "
        "reinstall the package"
    )


def queries_dir() -> Path:
    """Return the folder of bundled competency questions (``*.rq``)."""
    return ontology_dir() / "queries"


def bundled_data_files() -> list[Path]:
    """Return the bundled schema and knowledge files, in load order."""
    folder = ontology_dir()
    return [folder / name for name in BUNDLED_FILES]
