"""The `matcher` command: build the demo index, search, import, evaluate, serve.

The group and what every command shares (settings, errors to the exit code) are in base.py;
the commands by job: data.py (build, import, keys), matching.py (search and the directions),
evaluation.py (eval, bench), serving.py (serve), funding.py (funding, procurement,
programmes).
"""

from matcher.cli import data, evaluation, funding, matching, serving
from matcher.cli.base import OBSERVER, main

for _module in (data, matching, evaluation, serving, funding):
    for _command in _module.COMMANDS:
        main.add_command(_command)

__all__ = ["OBSERVER", "main"]

if __name__ == "__main__":
    main()
