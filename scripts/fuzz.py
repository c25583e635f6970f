"""A long fuzz run outside CI: schemathesis over every endpoint of the OpenAPI document with
many cases per operation (CI runs 25); every response must be < 500 and match the document.

    .venv/bin/python scripts/fuzz.py --examples 300      # about 11,000 cases, a few minutes
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=300, help="cases per operation")
    args = parser.parse_args()
    report = Path(tempfile.mkdtemp(prefix="fuzz-")) / "tally.json"
    env = dict(os.environ, FUZZ_EXAMPLES=str(args.examples), FUZZ_REPORT=str(report))
    env.setdefault("HF_HUB_OFFLINE", "1")
    started = time.monotonic()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-x",
            "tests/web/api/test_openapi_fuzz.py",
        ],
        cwd=ROOT,
        env=env,
    )
    tally = json.loads(report.read_text()) if report.exists() else {}
    print(
        json.dumps(
            {
                **tally,
                "seconds": round(time.monotonic() - started, 1),
                "pytest_exit": done.returncode,
            },
            indent=2,
        )
    )
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
