"""Property tests: every parser fed random bytes or garbled rows either imports cleanly or
raises ImportFormatError — never another exception — and an error writes nothing."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from timetracker.app import App
from timetracker.core.errors import ImportFormatError
from timetracker.core.paths import AppPaths
from transfer_support import DATA, row_counts

SAMPLES = {
    "toggl": DATA / "toggl_detailed.csv",
    "watson": DATA / "watson_frames.json",
    "timewarrior": DATA / "timewarrior" / "data" / "2024-03.data",
    "timew_json": DATA / "timew_export.json",
    "json": DATA / "native_sample.json",
}
FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@pytest.fixture(scope="module")
def fuzz_app() -> Iterator[App]:
    with tempfile.TemporaryDirectory() as folder:
        application = App(paths=AppPaths.under(Path(folder) / "home"),
                          environ={"TZ": "UTC"}, clock=lambda: 1_764_000_000)
        application.config.values["timezone"] = "UTC"
        yield application
        application.close()


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


def _import_or_clean_error(app: App, path: Path, fmt: str) -> None:
    before = row_counts(app)
    try:
        app.importer.run(path, fmt, "UTC")
    except ImportFormatError as error:
        assert error.file.startswith(str(path))
        assert str(error).startswith(error.file)
        assert row_counts(app) == before, "a failed import wrote something"


@pytest.mark.parametrize("fmt", list(SAMPLES))
@FUZZ
@given(data=st.binary(max_size=600))
def test_random_bytes(fuzz_app: App, scratch: Path, fmt: str, data: bytes) -> None:
    path = scratch / f"random-{fmt}.data"
    path.write_bytes(data)
    _import_or_clean_error(fuzz_app, path, fmt)


@pytest.mark.parametrize("fmt", list(SAMPLES))
@FUZZ
@given(data=st.data())
def test_garbled_sample_files(fuzz_app: App, scratch: Path, fmt: str,
                              data: st.DataObject) -> None:
    text = SAMPLES[fmt].read_text(encoding="utf-8")
    edits = data.draw(st.lists(st.tuples(
        st.integers(0, max(0, len(text) - 1)), st.integers(0, 6),
        st.text(alphabet=st.sampled_from(list('",:[]{}#-\\ \n0123456789aZTé\x00')),
                max_size=4)), min_size=1, max_size=4))
    for position, cut, insert in edits:
        text = text[:position] + insert + text[position + cut:]
    path = scratch / f"garbled-{fmt}.data"
    path.write_text(text, encoding="utf-8")
    _import_or_clean_error(fuzz_app, path, fmt)


def test_a_garbled_row_after_good_rows_writes_nothing(fuzz_app: App, scratch: Path) -> None:
    """The deterministic core of the property: good rows first, one bad row last."""
    lines = SAMPLES["toggl"].read_text(encoding="utf-8-sig").splitlines()
    lines[-1] = lines[-1].replace("2024-03-31", "2024-02-31", 1)
    path = scratch / "garbled.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = row_counts(fuzz_app)
    with pytest.raises(ImportFormatError) as caught:
        fuzz_app.importer.run(path, "toggl", "Europe/Berlin")
    assert (caught.value.line, caught.value.field) == (len(lines), "Start date")
    assert row_counts(fuzz_app) == before
