"""Shared fixtures: the committed small input folder, a store built from it, and the CLI.

`good_data` is tests/bad_input/good/, a complete valid input folder (临江市 990100 with 市本级,
江城区 and 高新区). `good_store` is a store ingested once per session from it; tests never touch
it but take a private copy with `store_copy`. `data_copy` makes a private copy of the folder to
add or remove files in. `run_cli` runs `emreport` in-process and returns its exit code and output.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from emreport import cli
from emreport.data.ingest import ingest

BAD_INPUT = Path(__file__).resolve().parent / "bad_input"
GOOD_DATA = BAD_INPUT / "good"
CASES = BAD_INPUT / "cases"


@dataclass(frozen=True)
class CliRun:
    """What one `emreport` command did: exit code and the lines it printed."""

    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()


@dataclass(frozen=True)
class FileState:
    """A file's bytes (as a hash) and modification time, to show it was left alone."""

    sha256: str
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> FileState:
        return cls(hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)


@pytest.fixture(scope="session")
def good_data() -> Path:
    """The committed valid input folder (read-only: copy it with `data_copy` to change it)."""
    return GOOD_DATA


@pytest.fixture(scope="session")
def good_store(tmp_path_factory: pytest.TempPathFactory, good_data: Path) -> Path:
    """A store ingested from `good_data` once per session; take a copy with `store_copy`."""
    store = tmp_path_factory.mktemp("good_store") / "emreport.duckdb"
    ingest(good_data, store)
    return store


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed sample (临江市, 2020–2025) ingested once per session; read-only."""
    from emreport import config

    store = tmp_path_factory.mktemp("sample_store") / "sample.duckdb"
    ingest(config.SAMPLE, store)
    return store


@pytest.fixture
def data_copy(tmp_path: Path, good_data: Path) -> Callable[..., Path]:
    """Make a private copy of the good folder: data_copy(add=[files], remove=[names]).

    Files keep their modification times, so an ingest into a copy of `good_store` finds the
    good files unchanged and reads only what was added.
    """

    def make(add: Sequence[Path] = (), remove: Sequence[str] = (), name: str = "data") -> Path:
        folder = tmp_path / name
        shutil.copytree(good_data, folder)
        for file in remove:
            (folder / file).unlink()
        for file in add:
            shutil.copy2(file, folder / Path(file).name)
        return folder

    return make


@pytest.fixture
def store_copy(tmp_path: Path, good_store: Path) -> Path:
    """A private copy of `good_store` (with its companion folder: cache, manifest); returns the
    store file."""
    folder = tmp_path / "store"
    shutil.copytree(good_store.parent, folder)
    return folder / good_store.name


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliRun]:
    """Run `emreport <args>` in-process: run_cli("ingest", "--data", d, "--store", s)."""

    def run(*args: object) -> CliRun:
        capsys.readouterr()
        code = cli.main([str(a) for a in args])
        captured = capsys.readouterr()
        return CliRun(code, captured.out, captured.err)

    return run
