"""The speed goals (issue 16) judged on the figures of one `matcher bench` run.

Each goal is a ratio or a difference of two figures measured side by side in the same run
(absolute times on a shared machine vary with load; the ratios much less). A goal whose
figures the run did not measure (e.g. 1M items in `--quick`) is "not measured", never met.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

MET, NOT_MET, NOT_MEASURED, REPORTED = "met", "not met", "not measured", "reported"


@dataclass(frozen=True)
class Goal:
    """One goal: what is compared, the value, the bound and the verdict."""

    name: str
    value: float | None
    bound: float | None
    at_most: bool  # True: value ≤ bound; False: value ≥ bound
    unit: str
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.value is None:
            return NOT_MEASURED
        if self.bound is None:
            return REPORTED
        ok = self.value <= self.bound if self.at_most else self.value >= self.bound
        return MET if ok else NOT_MET

    def as_dict(self) -> dict:
        return {**asdict(self), "verdict": self.verdict}


def _scale_row(r: dict, items: int) -> dict | None:
    for s in r.get("scale", []):
        if s["items"] == items:
            return next(row for row in s["rows"] if row["type"].startswith("service"))
    return None


def _startup(r: dict, items: int) -> dict | None:
    return next((s for s in r.get("startup", []) if s["items"] == items), None)


def evaluate(r: dict) -> list[Goal]:
    """Every goal of the issue, judged on a bench result."""
    stages = r["query_path"]["stages"]
    http = r["http"]
    # The encoder timed beside each request (as a worker has it), else the in-process stage.
    encode = http.get("encode_side_by_side", stages["encode"])["p50"]
    goals = [
        Goal(
            "repeated challenge: HTTP p50 − in-process p50",
            http["latency_repeated_text"]["p50"] - stages["match_repeated"]["p50"],
            1.5,
            True,
            "ms",
        ),
        Goal(
            "new challenge: HTTP p50 ÷ encoder p50",
            http["latency_new_text"]["p50"] / encode,
            1.5,
            True,
            "×",
        ),
        Goal(
            "new challenge: HTTP p99 ÷ encoder p50",
            http["latency_new_text"]["p99"] / encode,
            3.0,
            True,
            "×",
        ),
    ]
    beside = http.get("encode_side_by_side")
    goals += [
        # The p99 goal above divides a tail by a median: with an encoder whose own time grows
        # with the text (e5: a long challenge costs several times a short one), the encoder's
        # tail alone can exceed it. What the HTTP path adds shows on the same texts' tails.
        Goal(
            "encoder alone: p99 ÷ p50 (same texts)",
            beside["p99"] / beside["p50"] if beside else None,
            None,
            True,
            "×",
        ),
        Goal(
            "new challenge: HTTP p99 ÷ encoder p99",
            http["latency_new_text"]["p99"] / beside["p99"] if beside else None,
            1.5,
            True,
            "×",
            "the p50 bound, applied to the tails",
        ),
    ]
    alone = http.get("encoder_alone")
    goals.append(
        Goal(
            f"new texts, {http['throughput_new_texts']['clients']} clients: "
            "throughput ÷ encoder alone",
            http["throughput_new_texts"]["per_second"] / alone["per_second"] if alone else None,
            0.8,
            False,
            "×",
            f"{alone['processes']} processes × {alone['threads']} threads" if alone else "",
        )
    )
    for items in (100_000, 1_000_000):
        s = _startup(r, items)
        goals.append(
            Goal(
                f"start-up to first answer, {items:,} items",
                s["startup_s"] if s else None,
                10.0 if items == 100_000 else None,
                True,
                "s",
            )
        )
        goals.append(
            Goal(
                f"PSS per worker, {items:,} items",
                max(w.get("pss_mib", 0) for w in s["memory"]["workers"]) if s else None,
                None,
                True,
                "MiB",
                f"RSS {max(w.get('rss_mib', 0) for w in s['memory']['workers']):.0f} MiB"
                if s
                else "",
            )
        )
    row = _scale_row(r, 1_000_000)
    goals += [
        Goal("1M items: recall@10", row["recall"] if row else None, 0.95, False, ""),
        Goal("1M items: search p99", row["ms_p99"] if row else None, 10.0, True, "ms"),
        Goal("1M items: memory ÷ raw vectors", row["memory_ratio"] if row else None, 1.2, True, ""),
        Goal(
            "indexing ÷ encoder batch throughput",
            r["indexing"]["ratio_to_encoder"] if "indexing" in r else None,
            0.9,
            False,
            "×",
        ),
    ]
    peer = r.get("peer", {}).get("demo", {}).get("ratios", {})
    note = "" if peer else "with --peer"
    goals += [
        Goal("txtai side by side: query p50 ÷ txtai's", peer.get("query_p50"), 0.3, True, "", note),
        Goal("txtai side by side: index time ÷ txtai's", peer.get("index"), 0.2, True, "", note),
        Goal(
            "txtai side by side: nDCG@10 − txtai's",
            peer.get("ndcg@10 difference"),
            0.0,
            False,
            "",
            note,
        ),
    ]
    return goals


def format_goals(goals: list[Goal]) -> list[str]:
    """The goals as table lines."""
    lines = [f"Goals (issue 16), judged on this run:{'':<19}value      bound    verdict"]
    for g in goals:
        value = "–" if g.value is None else f"{g.value:9.2f}{g.unit}"
        bound = "" if g.bound is None else ("≤ " if g.at_most else "≥ ") + f"{g.bound:g}{g.unit}"
        note = f"  ({g.note})" if g.note else ""
        lines.append(f"  {g.name:<52}{value:>11} {bound:>9}  {g.verdict}{note}")
    return lines
