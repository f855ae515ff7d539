"""Build the embedded function-style problem set: mini/functions.jsonl ("mini functions").

The mini functions are ~80 small HumanEval-style problems (a starter with a signature and a
docstring; the model completes the function), sized for a 135M code model so that RL training gets
signal. The specs live in specs_functions.py beside this file; this script turns them into the
problem schema that 01_data.py writes for HumanEval (style "function", entry_point, prompt).

Run:
    python mini/build_functions.py      # verify every spec and (re)write mini/functions.jsonl
    python 01_data.py                    # then: its mini source reads mini/functions.jsonl

What it does, per problem:
    1. evaluate the reference on every test's arguments in this process, twice, each time in a
       fresh namespace, and abort if the two results differ (the reference must be deterministic)
       or if a result is not made of int, bool, str, list, tuple and None (no floats), or does
       not survive repr -> eval;
    2. build the tests `assert candidate(<args>) == <repr of the result>` and the starter code:
       the signature, then the docstring with the public tests shown as doctest lines;
    3. run the reference in the repo's sandbox (02_sandbox.run_tests, as its `verify` does) and
       abort unless it passes every public and private test, then run every incorrect solution
       and abort unless it fails at least one private test;
    4. check the row with 01_data.check_problem, the schema check its loaders apply.

It writes mini/functions.jsonl atomically (temp file + os.replace), one problem per line, sorted by
split then id; the bytes are the same on every run. Nothing is written when any check fails.

Implementation details:
    1. The id is "mini-fn/<split>/<nnn>-<slug>", nnn numbering the problems of a split in spec
       order after a stable sort by difficulty (trivial, easy, medium); the slug is the entry point
       with '-' for '_'.
    2. Limits: 3 s per test (as 01_data.py gives HumanEval) and 256 MiB.
    3. Tests run with one sandbox worker per program, so the build stays light on a small machine.
"""

import importlib
import json
import os
import sys
import time

sys.dont_write_bytecode = True  # keep mini/ and the repo root free of __pycache__ from our imports

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path[:0] = [HERE, ROOT]

import specs_functions  # noqa: E402
from build import write_atomic  # noqa: E402  (the stdio set's builder: temp file + os.replace)

sandbox = importlib.import_module("02_sandbox")
data = importlib.import_module("01_data")

OUT_PATH = os.path.join(HERE, "functions.jsonl")
DIFFICULTIES = ("trivial", "easy", "medium")
SPLITS = ("train", "valid", "test")
TIME_LIMIT_S = 3.0
MEMORY_LIMIT_BYTES = 256 * 1024 * 1024
MIN_PRIVATE = 5
ALLOWED = (bool, int, str, type(None))


# ---------------------------------------------------------------- checks
def fail(spec, message):
    raise SystemExit(f"error: mini function {spec.get('split')}/{spec.get('slug')}: {message}")


def plain_value(value):
    """True if value is built only from int, bool, str, None, lists and tuples (no floats)."""
    if isinstance(value, (list, tuple)):
        return all(plain_value(v) for v in value)
    return type(value) in ALLOWED


def same(a, b):
    """Equal and of the same types all the way down (so 1 is not True and [1] is not (1,))."""
    if type(a) is not type(b):
        return False
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def collect_specs():
    specs = sorted(specs_functions.PROBLEMS, key=lambda s: DIFFICULTIES.index(s["difficulty"]))
    seen_slugs = set()
    for spec in specs:
        if spec["difficulty"] not in DIFFICULTIES or spec["split"] not in SPLITS:
            fail(spec, f"bad difficulty/split {spec['difficulty']!r}/{spec['split']!r}")
        if spec["slug"] in seen_slugs:  # also across splits: train/valid/test share no task
            fail(spec, "duplicate slug")
        seen_slugs.add(spec["slug"])
        for code in [spec["reference"]] + spec["incorrect"]:
            try:
                compile(code, "<solution>", "exec")
            except SyntaxError as err:
                fail(spec, f"a solution does not compile: {err}")
        if not spec["incorrect"]:
            fail(spec, "needs at least one incorrect solution")
        if '"""' in spec["doc"] or "\\" in spec["doc"]:
            fail(spec, 'the docstring text may not contain """ or a backslash')
    return specs


# ---------------------------------------------------------------- specs -> rows
def call_reference(spec, args):
    """The reference's result on `args`, computed in a fresh namespace."""
    namespace = {"__name__": "__main__"}
    exec(compile(spec["reference"], "<reference>", "exec"), namespace)
    if not callable(namespace.get(spec["entry_point"])):
        fail(spec, f"the reference does not define {spec['entry_point']}()")
    return eval(f"{spec['entry_point']}({args})", namespace)


def expected_repr(spec, args):
    try:
        first, second = call_reference(spec, args), call_reference(spec, args)
    except SystemExit:
        raise
    except Exception as err:
        fail(spec, f"reference raises {type(err).__name__} on ({args}): {err}")
    if not same(first, second):
        fail(spec, f"reference is not deterministic on ({args})")
    if not plain_value(first):
        fail(spec, f"result on ({args}) is not made of int/bool/str/list/tuple/None: {first!r}")
    text = repr(first)
    if not same(eval(text, {}), first):
        fail(spec, f"repr of the result on ({args}) does not evaluate back to it: {text}")
    return text


def starter(spec, examples):
    lines = [spec["signature"], '    """' + spec["doc"].splitlines()[0]]
    lines += ["    " + line if line else "" for line in spec["doc"].splitlines()[1:]]
    for args, result in examples:
        lines += [f"    >>> {spec['entry_point']}({args})", f"    {result}"]
    prompt = "\n".join(lines) + '\n    """\n'
    try:
        compile(prompt + "    pass\n", "<prompt>", "exec")
    except SyntaxError as err:
        fail(spec, f"the starter code does not compile: {err}")
    return prompt


def build_row(spec, show_examples=True):
    """The problem row; show_examples=False leaves the public tests out of the starter code (the
    feedback family: there only the failing test's feedback may show the expected value)."""
    public, private = list(spec["public"]), list(spec["private"])
    if not 1 <= len(public) <= 3:
        fail(spec, f"needs 1-3 public tests, has {len(public)}")
    if len(private) < MIN_PRIVATE:
        fail(spec, f"needs at least {MIN_PRIVATE} private tests, has {len(private)}")
    if len(set(public)) != len(public) or len(set(private)) != len(private):
        fail(spec, "duplicate test arguments")
    if set(public) & set(private):
        fail(spec, f"private tests repeat public ones: {sorted(set(public) & set(private))}")
    results = {args: expected_repr(spec, args) for args in public + private}
    test = lambda args: {"input": f"assert candidate({args}) == {results[args]}", "output": ""}  # noqa: E731
    prompt = starter(spec, [(args, results[args]) for args in public] if show_examples else [])
    return {
        "id": None,  # filled in once the split's numbering is known
        "source": "mini",
        "split": spec["split"],
        "difficulty": spec["difficulty"],
        "description": prompt,
        "style": "function",
        "prompt": prompt,
        "entry_point": spec["entry_point"],
        "public_tests": [test(a) for a in public],
        "private_tests": [test(a) for a in private],
        "generated_tests": [],
        "time_limit_s": TIME_LIMIT_S,
        "memory_limit_bytes": MEMORY_LIMIT_BYTES,
        "solutions": [spec["reference"]],
        "incorrect_solutions": list(spec["incorrect"]),
    }


def run(row, code):
    """Per-test verdicts of `code` on public + private tests, in the sandbox."""
    tests = row["public_tests"] + row["private_tests"]
    report = sandbox.run_tests(code, tests, style="function", entry_point=row["entry_point"],
                               time_limit_s=row["time_limit_s"],
                               memory_limit_bytes=row["memory_limit_bytes"], workers=1)
    if report.syntax_error is not None:
        return [sandbox.SYNTAX_ERROR] * len(tests), report
    return [r.verdict for r in report.results], report


def verify_row(spec, row):
    """Reference passes every test; every incorrect solution fails a private test.
    Returns how many incorrect solutions pass all public tests (the ones only hidden tests catch)."""
    n_public = len(row["public_tests"])
    verdicts, report = run(row, row["solutions"][0])
    for i, verdict in enumerate(verdicts):
        if verdict != sandbox.PASSED:
            fail(spec, f"reference fails test {i} in the sandbox ({verdict}): "
                       f"{report.results[i].message.strip()[-300:]}")
    passed_public = 0
    for k, bad in enumerate(row["incorrect_solutions"]):
        verdicts, _ = run(row, bad)
        ok = [v == sandbox.PASSED for v in verdicts]
        if all(ok[n_public:]):
            fail(spec, f"incorrect solution {k} passes every private test")
        passed_public += all(ok[:n_public])
    reason = data.check_problem(row)
    if reason:
        fail(spec, f"01_data.check_problem rejects the row: {reason}")
    return passed_public


# ---------------------------------------------------------------- main
if __name__ == "__main__":
    start = time.perf_counter()
    specs = collect_specs()
    rows, n_wrong, n_wrong_public = [], 0, 0
    counters = {s: 0 for s in SPLITS}
    for i, spec in enumerate(specs):
        print(f"[{i + 1}/{len(specs)}] {spec['split']}/{spec['slug']}", file=sys.stderr)
        row = build_row(spec)
        counters[spec["split"]] += 1
        row["id"] = f"mini-fn/{spec['split']}/{counters[spec['split']]:03d}-{spec['slug']}"
        n_wrong_public += verify_row(spec, row)
        n_wrong += len(spec["incorrect"])
        rows.append(row)
    rows.sort(key=lambda p: (p["split"], p["id"]))
    lines = [json.dumps(p, ensure_ascii=True) + "\n" for p in rows]
    write_atomic(OUT_PATH, lines)

    print(f"wrote {len(rows)} problems to {OUT_PATH} ({sum(len(x) for x in lines)} bytes) "
          f"in {time.perf_counter() - start:.1f} s")
    print(f"{'split':<8}" + "".join(f"{d:>9}" for d in DIFFICULTIES) + f"{'total':>9}")
    for split in SPLITS:
        row = [sum(p["split"] == split and p["difficulty"] == d for p in rows) for d in DIFFICULTIES]
        print(f"{split:<8}" + "".join(f"{c:>9}" for c in row) + f"{sum(row):>9}")
    n_private = [len(p["private_tests"]) for p in rows]
    print(f"private tests per problem: min {min(n_private)}, max {max(n_private)}; "
          f"incorrect solutions: {n_wrong}, of which {n_wrong_public} pass all public tests")
