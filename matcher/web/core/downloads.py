"""A CSV file to download, for every view of the API and the pages that offers one."""

from __future__ import annotations

import re

from flask import Response

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
MAX_NAME = 80  # characters of an id in a file name


def csv_download(body: str, prefix: str, item_id: str, *, private: bool = False) -> Response:
    """`body` as an attached file `<prefix>-<item id>.csv` (the id made safe for a file name);
    `private` (it holds contact addresses for the caller alone) keeps caches from storing it."""
    name = f"{prefix}-{_UNSAFE.sub('_', item_id)[:MAX_NAME]}.csv"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if private:
        headers["Cache-Control"] = "no-store"
    return Response(body.encode("utf-8"), mimetype="text/csv", headers=headers)
