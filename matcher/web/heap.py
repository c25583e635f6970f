"""The garbage collector's settings of a long-lived server process, set once its long-lived
data is loaded (matcher/web/wsgi.py, `worker_app`; the bench's in-process query path does the
same, to time what a server worker does)."""

import gc

YOUNG_GENERATION_THRESHOLD = 10_000


def settle() -> None:
    """Keep what is loaded so far out of the collector's passes, and collect the young
    generation less often."""
    # Everything loaded so far (model, catalog, indexes) lives as long as the process: without
    # freezing, the collector's full passes walk it during requests (a tail of 80-100 ms on
    # one match in a few hundred, measured in process).
    gc.freeze()
    # A match allocates a few thousand small objects that die with the request; the default
    # young-generation threshold (700) ran a collection several times per match (0.47 ms per
    # match measured in process, 0.21 ms at this threshold).
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, *gc.get_threshold()[1:])
