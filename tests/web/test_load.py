"""The short CI run of scripts/load_test.py: 4 clients, at most 150 requests and 60 s against
`matcher serve` (two workers, the real encoder), mixed matches and writes. Every request must
succeed and every acknowledged write must be stored and searchable afterwards. No timing is
asserted: the figures depend on the machine."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "load_test.py"


def test_concurrent_matches_and_writes_lose_nothing(tmp_path):
    report_file = tmp_path / "load.json"
    args = ["--clients", "4", "--requests", "150", "--duration", "60", "--seed", "8"]
    args += ["--home", str(tmp_path / "home"), "--json", str(report_file)]
    run = subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=420
    )
    assert report_file.exists(), run.stdout + run.stderr
    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert report["errors"] == 0, (report["run_id"], report["error_samples"])
    assert report["lost_writes"] == 0, report["lost_samples"]
    # A failure names its run: scripts/load_test.py --seed 8 --run-id ID repeats it.
    assert report["not_searchable"] == [], report["run_id"]
    assert report["writes_acknowledged"] > 0 and report["latency_ms"]["match"]["n"] > 0
    for kind, counts in report["counts"].items():
        assert counts["expected"] == counts["stored"] == counts["indexed"], kind
    assert run.returncode == 0, run.stdout
