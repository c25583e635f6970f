"""Slow clients against a running server while /health is probed: the command line of
tools/slow_clients.py (same as `python -m tools.slow_clients`).

    python scripts/slow_clients.py --target http://127.0.0.1:8000 --sockets 16 --seconds 12
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tools.slow_clients import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
