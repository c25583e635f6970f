"""The `matcher` command: build the demo index, search, import, evaluate, serve.

The group and what every command shares (settings, errors to the exit code) are in base.py;
the commands by job: data.py (build, import, keys), matching.py (search and the directions),
evaluation.py (eval, bench), serving.py (serve), funding.py (funding, procurement,
programmes).
"""

from matcher.cli import data, evaluation, funding, matching, serving
from matcher.cli import documents as documents_cli
from matcher.cli import exchange as exchange_cli
from matcher.cli import testfields as testfields_cli
from matcher.cli.base import OBSERVER, main

for _module in (data, matching, evaluation, serving, funding):
    for _command in _module.COMMANDS:
        main.add_command(_command)
main.add_command(exchange_cli.exchange)  # groups, events, who should meet
main.add_command(documents_cli.documents)  # the Toolbox: documents of projects
main.add_command(testfields_cli.testfields)  # test fields, their matches and applications

__all__ = ["OBSERVER", "main"]

if __name__ == "__main__":
    main()
