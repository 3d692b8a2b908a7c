"""The built wheel, installed for real, must work away from the checkout.

Everything else in the suite runs against the editable install, where ``tracker/migrate.py``
quietly falls back to the repository's top-level ``migrations/``. A user who runs
``pip install mou`` has no checkout: their ``mou`` can create and upgrade its database only if
the wheel carries the Alembic scripts inside the package (``tracker/_migrations``, put there by
hatch's ``force-include``). A packaging slip there (a renamed directory, a missing ``versions/``
script, a stray test database shipped along) would pass every other test and break every
installation. So this test builds the wheel, checks its file list, installs it into a fresh
virtualenv and drives the installed ``mou`` from a directory where ``migrations/`` cannot be found.

It needs ``build`` and ``hatchling`` in the test environment (both in the ``dev`` extra) and takes
a few seconds: pip resolves the dependencies from its cache or the configured index.
"""

from __future__ import annotations

import csv
import fnmatch
import importlib.util
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tracker import __version__
from tracker.migrate import head_revision

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "oxford-liverpool.toml"
BIN = "Scripts" if os.name == "nt" else "bin"
EXE = ".exe" if os.name == "nt" else ""


def run(
    command: list[str], *, cwd: Path, env: dict[str, str], timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """Run a command that must succeed; on failure, show everything it printed."""
    try:
        return subprocess.run(
            command,
            cwd=cwd,
            env=env,
            check=True,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=timeout,
        )
    except subprocess.CalledProcessError as error:
        pytest.fail(
            f"{' '.join(command)} exited {error.returncode}\n"
            f"--- stdout ---\n{error.stdout}\n--- stderr ---\n{error.stderr}"
        )


def build_environment() -> dict[str, str]:
    """The caller's environment, for build and pip: they keep pip's configuration and cache
    (under the real HOME) but lose anything that would point them at this checkout or at a
    user's database."""
    leaks = {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP"}
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in leaks and not name.startswith("MOU_")
    }
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def user_environment(venv: Path, home: Path) -> dict[str, str]:
    """A bare user shell: only the new venv on PATH, a throw-away HOME, no MOU_* settings, and a
    wide, colourless terminal so Rich prints each message on one line."""
    env = {
        "PATH": os.pathsep.join([str(venv / BIN), os.defpath]),
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "LC_ALL": "C.UTF-8",
        "COLUMNS": "200",
        "NO_COLOR": "1",
        "TERM": "dumb",
    }
    if os.name == "nt":  # pragma: no cover - Windows needs these to start Python at all
        env.update(
            {name: os.environ[name] for name in ("SYSTEMROOT", "TEMP") if name in os.environ}
        )
    return env


def test_wheel_installs_and_runs_without_the_checkout(tmp_path: Path) -> None:
    missing = [name for name in ("build", "hatchling") if importlib.util.find_spec(name) is None]
    if missing:
        pytest.fail(
            f"cannot build the wheel: {', '.join(missing)} not installed in {sys.executable}; "
            "install the dev extra: pip install -e '.[dev]'"
        )

    # 1. Build the wheel straight from the checkout with the test environment's hatchling.
    dist = tmp_path / "dist"
    run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist)],
        cwd=ROOT,
        env=build_environment(),
    )
    wheels = sorted(dist.glob("*.whl"))
    assert [wheel.name for wheel in wheels] == [f"mou-{__version__}-py3-none-any.whl"]
    wheel = wheels[0]

    # 2. Its file list: every migration script inside the package, nothing from the dev tree.
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert "tracker/_migrations/env.py" in names, names
    shipped = {
        Path(name).name
        for name in names
        if fnmatch.fnmatch(name, "tracker/_migrations/versions/*.py")
    }
    in_repo = {path.name for path in (ROOT / "migrations" / "versions").glob("*.py")}
    assert shipped, names
    assert shipped == in_repo, names
    assert not [name for name in names if "tests" in Path(name).parts], names
    assert not [name for name in names if name.endswith((".db", ".sqlite", ".sqlite3"))], names
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")], names

    # 3. A fresh venv (no system site-packages) with the wheel installed, not the checkout.
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path, env=build_environment())
    python = venv / BIN / f"python{EXE}"
    run(
        [str(python), "-m", "pip", "install", "--quiet", str(wheel)],
        cwd=tmp_path,
        env=build_environment(),
    )

    # 4. The installed mou, run from tmp_path where the repo's migrations/ cannot be found.
    home = tmp_path / "home"
    home.mkdir()
    env = user_environment(venv, home)
    mou = str(venv / BIN / f"mou{EXE}")
    head = head_revision()

    located = run(
        [
            str(python),
            "-c",
            "import tracker, tracker.migrate; "
            "print(tracker.__file__); print(tracker.migrate.migrations_dir())",
        ],
        cwd=tmp_path,
        env=env,
    ).stdout.splitlines()
    package = Path(located[0]).parent
    assert venv.resolve() in package.resolve().parents, located
    assert Path(located[1]) == package / "_migrations", located

    assert run([mou, "--version"], cwd=tmp_path, env=env).stdout == f"mou {__version__}\n"

    database = tmp_path / "new.db"
    url = f"sqlite:///{database.resolve()}"
    upgraded = run([mou, "db", "upgrade", "--db", "new.db"], cwd=tmp_path, env=env)
    assert upgraded.stdout == f"Upgraded {url} from an empty database to {head}.\n", upgraded
    assert database.is_file()

    status = run([mou, "db", "status", "--db", "new.db"], cwd=tmp_path, env=env)
    assert status.stdout.splitlines() == [
        f"database: {url}",
        f"revision: {head}",
        f"head:     {head}",
        "state:    up to date",
    ], status

    imported = run([mou, "import", str(EXAMPLE), "--db", "new.db"], cwd=tmp_path, env=env)
    message = " ".join(imported.stdout.split())  # immune to Rich wrapping a long path
    assert (
        f"Loaded {EXAMPLE} into MoU OXF-LIV-2026: 122 added, 0 changed, 0 unchanged." in message
    ), imported

    report = run(
        [
            mou,
            "status",
            "--db",
            "new.db",
            "--as-of",
            "2026-11-28",
            "--by",
            "workstream",
            "--format",
            "csv",
        ],
        cwd=tmp_path,
        env=env,
    )
    lines = report.stdout.splitlines()
    assert lines[0].startswith("scope_type,scope,name,total"), report
    rows = list(csv.DictReader(lines))
    assert [row["scope_type"] for row in rows] == ["workstream"] * 10, report
    assert rows[0]["scope"] == "WS00", report

    # Nothing went to the user's default database under HOME.
    assert not [path for path in home.rglob("*") if path.is_file()]
