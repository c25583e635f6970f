"""Fit the calibrated confidence of each kind of result and write it into the ranking config.

    .venv/bin/python tools/fit_confidence.py                       # both encoders, write
    .venv/bin/python tools/fit_confidence.py --encoders use+e5 --dry-run

For each encoder a service of its own is built from the demo corpus (as `matcher eval
--encoders` does, under `$MATCHER_HOME/encoders/`); `matcher.evaluation.confidence.fit` fits a
logistic model per kind on the tune half of both judges' grades and chooses the line of „hoch“
there; the held-out half is measured once, calibrated and by the old rules, and the figures go
into each model's `metrics`. The shared settings take the default encoder's models, the fast
profile's section (`encoders."use-multilingual-v3"`) its own.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from matcher.config import load_settings  # noqa: E402
from matcher.evaluation import agreement, confidence  # noqa: E402
from matcher.evaluation import encoders as compared  # noqa: E402
from matcher.evaluation import judgments as judged  # noqa: E402
from matcher.ranking.config import (  # noqa: E402
    Calibration,
    RankingConfig,
    load_ranking_config,
    save_ranking_config,
)
from matcher.service import MatcherService  # noqa: E402

DEFAULT_ENCODERS = ("use+e5", "use-multilingual-v3")
DIGITS = 4


def _figures(prefix: str, numbers: dict[str, float]) -> dict[str, float]:
    return {f"{prefix}_{k}": round(v, DIGITS) for k, v in numbers.items() if k != "results"}


def fit_encoder(
    spec: str, stored: RankingConfig, root: Path | None = None
) -> dict[str, Calibration]:
    """The fitted models of one encoder, each with its tune and held-out figures."""
    settings = load_settings(progress=False)
    home = compared.home_of(root or settings.home / compared.ROOT_NAME, spec)
    config = stored.for_encoder(spec)
    own = settings.model_copy(update={"encoder": spec, "home": home, "db_url": ""})
    service = MatcherService(own, ranking=config)
    try:
        service.build(settings.demo_dir)
        judgments = judged.load(settings.demo_dir)
        second = agreement.read_second(settings.demo_dir)
        fitted = confidence.fit(service, judgments, second, config, note=spec)
        held: dict[str, dict[str, dict[str, float]]] = {}
        for kind in fitted.calibration:
            qids = compared.chosen(judgments.of_kind(kind), "held-out")
            for name, cfg in (("calibrated", fitted), ("rules", confidence.without(fitted))):
                found = confidence.examples(service, judgments, second, cfg, qids)
                figures = confidence.report(found)
                figures["ndcg@10"] = confidence.ndcg(found, judgments)
                held.setdefault(kind, {})[name] = figures
            print(spec, kind, json.dumps(held[kind]), flush=True)
    finally:
        service.close()
    out = {}
    for kind, model in fitted.calibration.items():
        metrics = {
            **model.metrics,
            **_figures("held_out", held[kind]["calibrated"]),
            **_figures("rules_held_out", held[kind]["rules"]),
        }
        out[kind] = model.model_copy(update={"metrics": metrics})
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoders", default=",".join(DEFAULT_ENCODERS))
    parser.add_argument("--config", type=Path, default=None, help="default: the shipped one")
    parser.add_argument("--root", type=Path, default=None, help="encoders' homes")
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--save", type=Path, help="write the fitted models here (JSON) only")
    parser.add_argument(
        "--load", type=Path, nargs="*", default=[], help="write models saved before, no fit"
    )
    args = parser.parse_args(argv)
    path = args.config or load_settings().ranking_path
    stored = load_ranking_config(path)
    default = stored.encoder or DEFAULT_ENCODERS[0]
    fitted: dict[str, dict[str, Calibration]] = {}
    for saved in args.load:
        for spec, models in json.loads(saved.read_text(encoding="utf-8")).items():
            fitted[spec] = {k: Calibration.model_validate(m) for k, m in models.items()}
    if not args.load:
        for spec in [s.strip() for s in args.encoders.split(",") if s.strip()]:
            fitted[spec] = fit_encoder(spec, stored, args.root)
    for spec, models in fitted.items():
        dumped = {k: m.model_dump() for k, m in models.items()}
        print(spec, json.dumps(dumped, indent=1))
        if args.save:
            continue
        if spec == default or spec not in stored.encoders:
            stored = stored.model_copy(update={"calibration": models})
        else:
            section = {
                **stored.encoders[spec],
                "calibration": {k: m.model_dump() for k, m in models.items()},
            }
            stored = stored.model_copy(update={"encoders": {**stored.encoders, spec: section}})
    if args.save:
        dumped_all = {
            spec: {k: m.model_dump() for k, m in ms.items()} for spec, ms in fitted.items()
        }
        args.save.write_text(json.dumps(dumped_all, indent=1), encoding="utf-8")
    elif not args.dry_run:
        save_ranking_config(stored, path)
        print(f"written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
