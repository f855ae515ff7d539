"""Build the feedback-necessary problem family: mini/feedback.jsonl.

RLEF's claim is that the trained model reads execution feedback (paper §1, §3.3, Fig. 3; the random-
feedback ablation, C.2). These problems can only be solved through the feedback: the statement names a
house convention without giving it, the failing public test shows it, and private tests on other
inputs reject a program that copies the example. Levels (tables in specs_feedback.py):

    copy     copy a literal shown in the feedback (a separator, a prefix, a template, brackets);
    pick     pick one of K options visible in the expected output (letter case, order, numbering,
             the default for empty input);
    two      two hidden details revealed one per turn: the first public test shows the house list
             style; the second (a one-word list, not styled) passes for a program that styles
             nothing and fails once the style is applied everywhere, so the feedback shows it only
             at turn 3 (solving needs turns 2 and 3 and keeping the first fix);
    control  the same tasks with the convention written in the statement (a quarter of the set):
             what the model solves without reading feedback.

A convention value belongs to one split, so no test value occurs in train. Within a split the
problems are numbered round-robin over the levels, so `03_rollout.py --limit N` takes all levels.

Run:
    python mini/build_feedback.py          # verify every problem and (re)write mini/feedback.jsonl
    python 01_data.py --source mini_feedback
    python 02_sandbox.py --data runs/data/mini_feedback      # the same verification, from the data

Checks, per problem (the build stops at the first failure and writes nothing): the reference passes
every public and private test and every incorrect program (the naive guess, the program that
hard-codes the public examples, for level two also the first fix alone) fails a private test, in the
sandbox (02's run_tests, as mini/build_functions.py does); the convention's value is not in the
statement; the naive program fails the first public test; level two: the naive program passes the
second public test, the first fix passes the first and fails the second.
"""

import importlib
import json
import os
import sys
import textwrap
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]

import specs_feedback  # noqa: E402
from build import write_atomic  # noqa: E402
from build_functions import build_row, expected_repr, fail, verify_row  # noqa: E402

sandbox = importlib.import_module("02_sandbox")
OUT_PATH = os.path.join(HERE, "feedback.jsonl")
SPLITS = ("train", "valid", "test")
LEVELS = ("copy", "pick", "two", "control")


def program(signature, body):
    return signature.rstrip(":").split(" -> ")[0] + ":\n" + textwrap.indent(body, "    ") + "\n"


def hard_coded(entry_point, spec, public):
    """The program that returns the public examples' expected values and nothing else."""
    lines = [f"def {entry_point}(*args):"]
    for args in public:
        lines += [f"    if args == ({args},):", f"        return {expected_repr(spec, args)}"]
    return "\n".join(lines + [f"    return {expected_repr(spec, public[-1])}"]) + "\n"


def make_spec(task, value, split, control):
    entry_point = task["signature"].split("(")[0][4:]
    level = "control" if control else task["level"]
    fill = lambda text: text.format(v=value)  # noqa: E731
    spec = {"slug": f"{level}-{entry_point.replace('_', '-')}", "entry_point": entry_point, "split": split,
            "difficulty": level, "signature": task["signature"],
            "doc": textwrap.fill(fill(task["control"]) if control else task["hidden"], 88),
            "public": task["public"], "private": task["private"],
            "reference": program(task["signature"], fill(task["code"]))}
    naive = program(task["signature"], task["naive"])
    spec["incorrect"] = [naive, hard_coded(entry_point, spec, task["public"])]
    if "first_fix" in task:
        spec["incorrect"].append(program(task["signature"], fill(task["first_fix"])))
    return spec


def public_passes(row, code):
    report = sandbox.run_tests(code, row["public_tests"], style="function", entry_point=row["entry_point"],
                               time_limit_s=row["time_limit_s"], memory_limit_bytes=row["memory_limit_bytes"],
                               workers=1)
    return [r.verdict == sandbox.PASSED for r in report.results] if report.syntax_error is None else [False]


def check_reveal(spec, row, task, value, control):
    """The feedback reveals the convention the way the level says (module docstring, Checks)."""
    naive, first_fix = public_passes(row, spec["incorrect"][0]), None
    if not control:
        shown = [repr(value)] + ([value] if isinstance(value, str) and len(value) > 1 else [])
        if any(s in row["prompt"] for s in shown):
            fail(spec, f"the statement gives the value {value!r}")
    if naive[0]:
        fail(spec, "the naive program passes the first public test: its feedback would reveal nothing")
    if task["level"] == "two":
        first_fix = public_passes(row, spec["incorrect"][2])
        if not naive[1] or first_fix != [True, False]:
            fail(spec, f"level two reveals out of order: naive {naive}, first fix {first_fix}")


def build(tasks=specs_feedback.TASKS):
    """All rows, verified, numbered; also {(level, split): count}."""
    by_split = {s: {lv: [] for lv in LEVELS} for s in SPLITS}
    for task in tasks:
        seen = {}
        for split in SPLITS:
            for i, value in enumerate(task["values"][split]):
                if seen.setdefault(repr(value), split) != split:
                    raise SystemExit(f"error: {task['signature']}: value {value!r} is in two splits")
                for control in ([False, True] if i == 0 else [False]):  # one control per task and split
                    spec = make_spec(task, value, split, control)
                    row = build_row(spec, show_examples=False)
                    row["id"] = f"{split}/{spec['slug']}"  # numbered below, once the split is complete
                    check_reveal(spec, row, task, value, control)
                    verify_row(spec, row)
                    row.update(level=spec["difficulty"], convention=repr(value))
                    by_split[split][row["level"]].append(row)
                    print(f"{split}/{spec['slug']} {value!r}", file=sys.stderr)
    rows = []
    for split in SPLITS:
        queues = [list(q) for q in by_split[split].values()]
        order = [q.pop(0) for _ in range(max(map(len, queues))) for q in queues if q]
        for n, row in enumerate(order, 1):
            row["id"] = f"mini-fb/{split}/{n:03d}-{row['level']}-{row['entry_point'].replace('_', '-')}"
        rows += order
    counts = {(lv, s): len(by_split[s][lv]) for s in SPLITS for lv in LEVELS}
    return rows, counts


if __name__ == "__main__":
    start = time.perf_counter()
    rows, counts = build()
    lines = [json.dumps(p, ensure_ascii=True) + "\n" for p in rows]
    write_atomic(OUT_PATH, lines)
    print(f"wrote {len(rows)} problems to {OUT_PATH} in {time.perf_counter() - start:.1f} s")
    print(f"{'level':<9}" + "".join(f"{s:>7}" for s in SPLITS) + f"{'total':>7}")
    for level in LEVELS:
        n = [counts[level, s] for s in SPLITS]
        print(f"{level:<9}" + "".join(f"{c:>7}" for c in n) + f"{sum(n):>7}")
