"""Golden files: exact expected output kept beside the tests.

Run ``MOU_UPDATE_GOLDEN=1 pytest`` to rewrite them after an intended change, then read the
diff before committing it: the JSON and CSV files are contracts.
"""

from __future__ import annotations

import os
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "golden"


def assert_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("MOU_UPDATE_GOLDEN") == "1":
        path.write_text(actual, "utf-8", newline="")
    expected = path.read_text("utf-8") if path.exists() else None
    assert expected is not None, f"missing golden file {path}: run with MOU_UPDATE_GOLDEN=1"
    assert actual == expected, f"output differs from {path}"
