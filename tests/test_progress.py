"""A progress bar on stderr while a large programme is imported or exported, drawn only for a
person at a terminal: a script, a pipe or a log file gets none, and small work gets none.

Each run is a real process whose stderr is a pseudo-terminal (or a pipe), since that is what
decides whether a bar is drawn."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE
from tests.helpers import MINIMAL, milestone_toml

# Enough milestones for about a megabyte of programme file: over a second of work.
LARGE = 11_000
MOU = "from tracker.cli.main import main; main()"


def run(args: list[str], home: Path, *, terminal: bool) -> tuple[int, str, str]:
    """``mou ARGS`` with stderr on a pseudo-terminal (or a pipe): exit code, stdout, stderr."""
    env = {k: v for k, v in os.environ.items() if k not in ("MOU_DB", "MOU_DATABASE_URL")}
    env.update(
        {"XDG_DATA_HOME": str(home / "xdg"), "NO_COLOR": "1", "TERM": "xterm", "COLUMNS": "100"}
    )
    argv = [sys.executable, "-c", MOU, *args]
    if not terminal:
        done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
        return done.returncode, done.stdout, done.stderr
    controller, follower = pty.openpty()
    drawn = bytearray()

    def drain() -> None:
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the follower side closed: the process has ended
                return
            if not chunk:
                return
            drawn.extend(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    try:
        done = subprocess.run(
            argv, env=env, stdout=subprocess.PIPE, stderr=follower, text=True, timeout=300
        )
    finally:
        os.close(follower)
        reader.join(timeout=10)
        os.close(controller)
    return done.returncode, done.stdout, drawn.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def large_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("progress") / "large.toml"
    milestones = (
        milestone_toml(f"M{i:05d}", due="2026-06-30", workstream=f"W{1 + i % 2}")
        for i in range(LARGE)
    )
    path.write_text("\n".join([MINIMAL, *milestones]), "utf-8")
    assert path.stat().st_size > 1_000_000
    return path


def test_a_large_import_and_export_draw_a_bar_at_a_terminal(
    large_file: Path, tmp_path: Path
) -> None:
    db = str(tmp_path / "large.db")
    code, out, drawn = run(["import", str(large_file), "--db", db], tmp_path, terminal=True)
    assert code == 0, drawn
    assert out.startswith(f"Loaded {large_file} into MoU T: ")
    assert "Loading milestones" in drawn
    # Records done of records in all: the milestones and the handful of other records.
    counts = [int(n) for n in re.findall(r"Loading milestones[ ━]+(\d+)/\1\b", drawn)]
    assert counts and LARGE < counts[-1] < LARGE + 20, drawn

    target = tmp_path / "again.toml"
    code, out, drawn = run(["export", "--out", str(target), "--db", db], tmp_path, terminal=True)
    assert code == 0, drawn
    assert out.startswith(f"Exported MoU T to {target}: ")
    # Reading the records is quick; turning them into the file is what the bar shows.
    counts = [int(n) for n in re.findall(r"Writing the file[ ━]+(\d+)/\1\b", drawn)]
    assert counts and LARGE < counts[-1] < LARGE + 20, drawn


def test_no_bar_for_a_pipe_or_for_small_work(large_file: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "large.db")
    code, _, errors = run(["import", str(large_file), "--db", db], tmp_path, terminal=False)
    assert (code, errors) == (0, "")
    code, out, errors = run(
        ["export", "--out", str(tmp_path / "x.toml"), "--db", db], tmp_path, terminal=False
    )
    assert (code, errors) == (0, "")
    assert out.startswith("Exported MoU T to ")

    small = str(tmp_path / "small.db")
    code, out, drawn = run(["import", str(EXAMPLE), "--db", small], tmp_path, terminal=True)
    assert (code, drawn) == (0, "")
    assert out.startswith(f"Loaded {EXAMPLE} into MoU OXF-LIV-2026: ")
    target = tmp_path / "small.toml"
    code, out, drawn = run(["export", "--out", str(target), "--db", small], tmp_path, terminal=True)
    assert (code, drawn) == (0, "")
    assert out.startswith(f"Exported MoU OXF-LIV-2026 to {target}: ")
