"""Build the embedded stdin/stdout mini problem set: mini/stdio.jsonl.

The mini set is a small, hand-written collection of competitive-programming-style stdin/stdout
problems in CodeContests' shape (paper §2), so that the whole RLEF pipeline runs offline
on a laptop. The problem specs live beside this file (specs_trivial.py, specs_easy.py,
specs_medium.py); this script turns them into the problem schema that 01_data.py reads.

Run:
    python mini/build.py            # verify every spec and (re)write mini/stdio.jsonl

What it does, per problem:
    1. collect the public test inputs and the private test inputs (explicit edge cases plus a
       generator seeded with the problem's id, so the inputs are the same on every run);
    2. run the reference solution on every input in a fresh `python -I` subprocess to produce the
       expected outputs, twice, and abort if the two runs differ (the reference must be
       deterministic) or if it fails;
    3. run every incorrect solution on every test and abort unless it fails at least one
       private test (the private tests must be able to reject plausible wrong programs);
    4. build the CodeContests-style description: statement, "Input", "Output", and the public
       tests shown verbatim under "Example"/"Examples".

It writes mini/stdio.jsonl atomically (temp file + os.replace), one problem per line, sorted by
split then id; the bytes are the same on every run. Nothing is written when any check fails.

Implementation details:
    1. Output comparison follows CodeContests' judge and is deliberately lenient here
       (whitespace tokens, case-insensitive, integers exact, floats within 1e-5 absolute or
       relative), so an incorrect solution counted as "failing" also fails under any stricter judge.
    2. The id is "mini/<split>/<nnn>-<slug>", nnn numbering the problems of a split in spec order
       (trivial first, then easy, then medium).
    3. The private generator gets random.Random("<split>/<slug>"): string seeds are hashed with
       SHA-512 by the random module, so the inputs do not depend on PYTHONHASHSEED.
"""

import json
import os
import random
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

sys.dont_write_bytecode = True  # keep mini/ free of __pycache__ when importing the spec modules

import specs_easy  # noqa: E402
import specs_medium  # noqa: E402
import specs_trivial  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_PATH = os.path.join(HERE, "stdio.jsonl")
DIFFICULTIES = ("trivial", "easy", "medium")
SPLITS = ("train", "valid", "test")
RUN_TIMEOUT_S = 10.0
MIN_PRIVATE = 8
MAX_TEST_BYTES = 8192


# ---------------------------------------------------------------- running and judging programs
def run_program(code, stdin):
    """Run `code` with `stdin` in an isolated interpreter; return (returncode, stdout, stderr)."""
    try:
        proc = subprocess.run(
            [sys.executable, "-I", "-c", code], input=stdin, capture_output=True, text=True,
            timeout=RUN_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        return None, "", "TIMEOUT"
    return proc.returncode, proc.stdout, proc.stderr


def tokens_match(expected, actual):
    exp, act = expected.split(), actual.split()
    if len(exp) != len(act):
        return False
    for e, a in zip(exp, act):
        if e.lower() == a.lower():
            continue
        try:  # two integers must be equal exactly, at any size
            if int(e) == int(a):
                continue
            return False
        except ValueError:
            pass
        try:
            fe, fa = float(e), float(a)
        except ValueError:
            return False
        if not (abs(fe - fa) <= 1e-5 or abs(fe - fa) <= 1e-5 * max(abs(fe), abs(fa))):
            return False
    return True


# ---------------------------------------------------------------- specs -> problems
def fail(spec, message):
    raise SystemExit(f"error: mini problem {spec.get('split')}/{spec.get('slug')}: {message}")


def collect_specs():
    specs = specs_trivial.PROBLEMS + specs_easy.PROBLEMS + specs_medium.PROBLEMS
    seen = set()
    for spec in specs:
        key = (spec["split"], spec["slug"])
        if key in seen:
            fail(spec, "duplicate slug in this split")
        seen.add(key)
        if spec["difficulty"] not in DIFFICULTIES or spec["split"] not in SPLITS:
            fail(spec, f"bad difficulty/split {spec['difficulty']!r}/{spec['split']!r}")
        for code in [spec["reference"]] + spec["incorrect"]:
            try:
                compile(code, "<solution>", "exec")
            except SyntaxError as err:
                fail(spec, f"a solution does not compile: {err}")
        if not spec["incorrect"]:
            fail(spec, "needs at least one incorrect solution")
    return specs


def private_inputs(spec):
    private = spec["private"]
    if callable(private):
        private = private(random.Random(f"{spec['split']}/{spec['slug']}"))
    return list(private)


def normalise(inp):
    return inp if inp.endswith("\n") else inp + "\n"


def unwrap(text):
    """Join the hard-wrapped lines of every paragraph: one paragraph per line, as in CodeContests."""
    return "\n\n".join(" ".join(para.split("\n")) for para in text.strip().split("\n\n"))


def describe(spec, public_tests):
    header = "Example" if len(public_tests) == 1 else "Examples"
    examples = "\n\n".join(
        f"Input\n\n{t['input'].rstrip()}\n\n\nOutput\n\n{t['output'].rstrip()}" for t in public_tests
    )
    return (f"{unwrap(spec['statement'])}\n\nInput\n\n{unwrap(spec['input'])}\n\n"
            f"Output\n\n{unwrap(spec['output'])}\n\n{header}\n\n{examples}\n")


def check_problem(spec, pool):
    """Produce outputs with the reference, check determinism and the incorrect solutions."""
    public = [normalise(x) for x in spec["public"]]
    private = [normalise(x) for x in private_inputs(spec)]
    if not 1 <= len(public) <= 3:
        fail(spec, f"needs 1-3 public tests, has {len(public)}")
    if len(private) < MIN_PRIVATE:
        fail(spec, f"needs at least {MIN_PRIVATE} private tests, has {len(private)}")
    if len(set(private)) != len(private):
        fail(spec, "duplicate private test inputs")
    inputs = public + private
    for x in inputs:
        if len(x.encode()) > MAX_TEST_BYTES:
            fail(spec, f"a test input has {len(x.encode())} bytes (max {MAX_TEST_BYTES})")

    ref = spec["reference"]
    runs = list(pool.map(lambda x: run_program(ref, x), inputs + inputs))
    first, second = runs[:len(inputs)], runs[len(inputs):]
    outputs = []
    for i, ((rc, out, err), (_, out2, _)) in enumerate(zip(first, second)):
        if rc != 0 or not out.strip():
            fail(spec, f"reference fails on test {i} (rc={rc}): {err.strip()[-300:]}")
        if out != out2:
            fail(spec, f"reference is not deterministic on test {i}")
        if len(out.encode()) > MAX_TEST_BYTES:
            fail(spec, f"reference output for test {i} has {len(out.encode())} bytes")
        outputs.append(out)
    public_tests = [{"input": x, "output": y} for x, y in zip(public, outputs[:len(public)])]
    private_tests = [{"input": x, "output": y} for x, y in zip(private, outputs[len(public):])]

    wrong_pass_public = 0
    for k, bad in enumerate(spec["incorrect"]):
        results = list(pool.map(lambda x: run_program(bad, x), inputs))
        if not any(rc == 0 and out.strip() for rc, out, _ in results):
            fail(spec, f"incorrect solution {k} never runs to completion with output")
        ok = [rc == 0 and tokens_match(exp, out) for (rc, out, _), exp in zip(results, outputs)]
        if all(ok[len(public):]):
            fail(spec, f"incorrect solution {k} passes every private test")
        wrong_pass_public += all(ok[:len(public)])

    problem = {
        "id": None,  # filled in once the split's numbering is known
        "source": "mini",
        "split": spec["split"],
        "difficulty": spec["difficulty"],
        "description": describe(spec, public_tests),
        "style": "stdio",
        "public_tests": public_tests,
        "private_tests": private_tests,
        "generated_tests": [],
        "time_limit_s": float(spec.get("time_limit_s", 2.0)),
        "memory_limit_bytes": int(spec.get("memory_limit_bytes", 256 * 1024 * 1024)),
        "solutions": [ref],
        "incorrect_solutions": list(spec["incorrect"]),
    }
    return problem, wrong_pass_public


def write_atomic(path, lines):
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".problems.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.writelines(lines)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# ---------------------------------------------------------------- main
if __name__ == "__main__":
    specs = collect_specs()
    problems, n_wrong, n_wrong_public = [], 0, 0
    counters = {s: 0 for s in SPLITS}
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        for i, spec in enumerate(specs):
            print(f"[{i + 1}/{len(specs)}] {spec['split']}/{spec['slug']}", file=sys.stderr)
            problem, passed_public = check_problem(spec, pool)
            counters[spec["split"]] += 1
            problem["id"] = f"mini/{spec['split']}/{counters[spec['split']]:03d}-{spec['slug']}"
            problems.append(problem)
            n_wrong += len(spec["incorrect"])
            n_wrong_public += passed_public
    problems.sort(key=lambda p: (p["split"], p["id"]))
    lines = [json.dumps(p, ensure_ascii=True) + "\n" for p in problems]
    write_atomic(OUT_PATH, lines)

    print(f"wrote {len(problems)} problems to {OUT_PATH} ({sum(len(x) for x in lines)} bytes)")
    print(f"{'split':<8}" + "".join(f"{d:>9}" for d in DIFFICULTIES) + f"{'total':>9}")
    for split in SPLITS:
        row = [sum(p["split"] == split and p["difficulty"] == d for p in problems) for d in DIFFICULTIES]
        print(f"{split:<8}" + "".join(f"{c:>9}" for c in row) + f"{sum(row):>9}")
    n_private = [len(p["private_tests"]) for p in problems]
    print(f"private tests per problem: min {min(n_private)}, max {max(n_private)}; "
          f"incorrect solutions: {n_wrong}, of which {n_wrong_public} pass all public tests")
