"""Export and import are inverses: a whole programme travels between databases without loss."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import string
import tomllib
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Cli, examples
from tracker.migrate import open_database
from tracker.services.exporter import export_programme
from tracker.services.importer import import_programme
from tracker.text import INVISIBLE
from tracker.tomlwriter import dumps


def test_the_example_round_trips_through_toml(example_cli: Cli, tmp_path: Path) -> None:
    first = example_cli("export")
    assert first.exit_code == 0, first
    exported = tmp_path / "exported.toml"
    exported.write_text(first.stdout, "utf-8")
    other = Cli(f"sqlite:///{tmp_path / 'other.db'}")
    loaded = other("import", str(exported))
    assert loaded.exit_code == 0, loaded
    assert loaded.stdout.splitlines()[0].endswith("122 added, 0 changed, 0 unchanged.")
    assert other("export").stdout == first.stdout
    # Loading the export back into the database it came from changes nothing.
    again = example_cli("import", str(exported))
    assert again.stdout.splitlines()[0].endswith("0 added, 0 changed, 122 unchanged.")


def test_the_example_round_trips_through_json(example_cli: Cli, tmp_path: Path) -> None:
    first = example_cli("export", "--format", "json")
    document = json.loads(first.stdout)
    assert document["mou"]["signed"] == "2026-02-19"
    assert document["milestones"][18]["rebaselines"] == [
        {
            "due": "2026-12-18",
            "reason": document["milestones"][18]["rebaselines"][0]["reason"],
            "changed": "2026-09-17",
        }
    ]
    exported = tmp_path / "exported.json"
    exported.write_text(first.stdout, "utf-8")
    other = Cli(f"sqlite:///{tmp_path / 'other.db'}")
    assert other("import", str(exported)).exit_code == 0
    assert other("export", "-f", "json").stdout == first.stdout
    assert other("export").stdout == example_cli("export").stdout


def test_export_to_a_file(example_cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "programme.toml"
    result = example_cli("export", "--out", str(target))
    assert result.exit_code == 0, result
    assert result.stdout == (
        f"Exported MoU OXF-LIV-2026 to {target}: 7 institutions, 15 people, 4 parties, "
        "11 themes, 12 commitments, 10 workstreams, 22 milestones, 4 sites, 4 visits, "
        "3 board meetings, 11 actions, 8 risks, 3 issues, 3 assumptions, 4 KPIs.\n"
    )
    assert tomllib.loads(target.read_text("utf-8"))["mou"]["ref"] == "OXF-LIV-2026"
    refused = example_cli("export", "--out", str(target))
    assert (refused.exit_code, refused.stderr) == (
        1,
        f"error: --out: {target} already exists; use --force to replace it\n",
    )
    assert example_cli("export", "--out", str(target), "--force").exit_code == 0
    missing = example_cli("export", "--out", str(tmp_path / "no" / "such.toml"))
    assert missing.stderr == f"error: --out: the folder {tmp_path / 'no'} does not exist\n"


def test_json_with_a_bad_date_is_reported_in_json_terms(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps({"mou": {"ref": "X", "title": "T", "signed": "2026-02-30"}}), "utf-8"
    )
    result = cli("import", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1] == (
        '  mou X signed: expected a date such as 2026-06-30 (a string "2026-06-30" in JSON)'
    )


# Generated programmes: unicode names, empty optionals, nested themes, re-baseline history.

TEXT = (
    st.text(
        # What mou accepts: no control characters, line breaks or the invisible characters
        # it refuses (U+2060 WORD JOINER was generated once and refused: test_text.py and
        # test_hostile.py test the refusals themselves).
        alphabet=st.characters(
            blacklist_categories=("Cc", "Cs", "Zl", "Zp"),
            blacklist_characters="\u0085" + "".join(sorted(INVISIBLE)),
        ),
        min_size=1,
        max_size=40,
    )
    # As mou stores text: NFC (compatibility characters such as U+F900 change under it),
    # stripped. That text typed in other forms is normalised is tested in test_hostile.py.
    .map(lambda text: unicodedata.normalize("NFC", text).strip())
    .filter(bool)
)
REF = st.text(alphabet=string.ascii_uppercase + string.digits, min_size=1, max_size=6)
DATES = st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2029, 12, 31))
AFTER_EVERY_DATE = dt.date(2030, 1, 1)


def _optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


@st.composite
def programmes(draw: st.DrawFn) -> dict[str, Any]:
    institutions = draw(st.lists(REF, min_size=1, max_size=3, unique=True))
    themes = draw(st.lists(REF, min_size=1, max_size=4, unique=True))
    people = draw(st.lists(REF, min_size=0, max_size=3, unique=True))
    document: dict[str, Any] = {
        "mou": _clean(
            {
                "ref": "M",
                "title": draw(TEXT),
                "signed": draw(_optional(DATES)),
                "venue": draw(_optional(TEXT)),
                "binding": draw(st.booleans()),
            }
        ),
        "institutions": [
            _clean(
                {
                    "ref": ref,
                    "name": draw(TEXT),
                    "kind": "university",
                    "region": draw(_optional(TEXT)),
                }
            )
            for ref in institutions
        ],
        "people": [
            _clean(
                {
                    "ref": ref,
                    "name": draw(TEXT),
                    "role": draw(_optional(TEXT)),
                    "institution": draw(st.sampled_from(institutions)),
                }
            )
            for ref in people
        ],
        "themes": [
            # Each theme may nest under an earlier one: trees, never loops.
            _clean(
                {
                    "ref": ref,
                    "name": draw(TEXT),
                    "parent": draw(_optional(st.sampled_from(themes[:index]))) if index else None,
                }
            )
            for index, ref in enumerate(themes)
        ],
        "workstreams": [
            _clean(
                {
                    "ref": "WS1",
                    "name": draw(TEXT),
                    "theme": draw(st.sampled_from(themes)),
                    "lead": institutions[0],
                    # A lead is never also a partner (a rule of the data).
                    "partners": draw(st.lists(st.sampled_from(institutions[1:]), unique=True))
                    if len(institutions) > 1
                    else [],
                }
            )
        ],
    }
    milestones = []
    for index in range(draw(st.integers(min_value=0, max_value=4))):
        due = draw(DATES)
        done = draw(st.booleans())
        history = draw(st.lists(st.tuples(DATES, TEXT, DATES), max_size=2))
        milestones.append(
            _clean(
                {
                    "ref": f"MS-{index}",
                    "workstream": "WS1",
                    "title": draw(TEXT),
                    "due": due,
                    "forecast": draw(_optional(DATES)),
                    "completed": draw(DATES) if done else None,
                    "status": "done" if done else draw(st.sampled_from(["planned", "in_progress"])),
                    "owner": draw(_optional(st.sampled_from(people))) if people else None,
                    "rebaselines": [{"due": d, "reason": r, "changed": c} for d, r, c in history],
                }
            )
        )
    if milestones:
        document["milestones"] = milestones
    return document


def _clean(record: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if value is not None and value != []}


@settings(
    max_examples=examples(12, 40),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(programme=programmes())
def test_generated_programmes_round_trip(
    programme: dict[str, Any], tmp_path: Path, sqlite_template: Path
) -> None:
    text = dumps(programme)
    exports = []
    for name in ("first", "second"):
        path = tmp_path / f"{name}.db"
        path.unlink(missing_ok=True)
        shutil.copyfile(sqlite_template, path)
        database = open_database(str(path))
        source = text if name == "first" else exports[-1]
        with database.writing() as session:
            # Read on a day after every date drawn: a completion may not be in the future.
            import_programme(source, session=session, source=name, today=AFTER_EVERY_DATE)
        with database.reading() as session:
            exports.append(dumps(export_programme(session=session)))
        database.dispose()
    assert exports[0] == exports[1]
    assert tomllib.loads(exports[0])["themes"] == sorted(
        programme["themes"], key=lambda theme: theme["ref"]
    )


@pytest.mark.parametrize(
    "value",
    ['quote " and backslash \\', "tab\tnewline\nreturn\r", "Zoë \u2013 ✓ 日本", "\u007f", ""],
)
def test_toml_strings_round_trip(value: str) -> None:
    assert tomllib.loads(dumps({"t": {"v": value}}))["t"]["v"] == value
