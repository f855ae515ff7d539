"""Stage 1: the mini set's invariants, the CodeContests mapping on a parquet fixture built in the
exact Hugging Face schema, HumanEval loading, and bad-input behaviour."""

import importlib
import json
import os
import subprocess
import sys

import pytest

data = importlib.import_module("01_data")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MINI = os.path.join(ROOT, "mini", "stdio.jsonl")


def run_cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "01_data.py", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def read_jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


# ----------------------------------------------------------------------------------------------
# The embedded mini set


@pytest.fixture(scope="module")
def mini():
    return read_jsonl(MINI)


def test_mini_schema_and_size(mini):
    assert len(mini) >= 80
    for p in mini:
        assert data.check_problem(p) is None, (p.get("id"), data.check_problem(p))
        assert p["source"] == "mini" and p["style"] == "stdio"
    assert len({p["id"] for p in mini}) == len(mini)


def test_mini_splits_and_difficulty_mix(mini):
    by_split = {s: [p for p in mini if p["split"] == s] for s in ("train", "valid", "test")}
    assert len(by_split["train"]) >= 45 and len(by_split["valid"]) >= 12 and len(by_split["test"]) >= 12
    for split, rows in by_split.items():  # every split has trivial, easy and medium problems
        assert {p["difficulty"] for p in rows} == {"trivial", "easy", "medium"}, split


def test_mini_problem_contents(mini):
    for p in mini:
        assert 1 <= len(p["public_tests"]) <= 3, p["id"]
        assert len(p["private_tests"]) >= 8, p["id"]
        assert p["solutions"] and p["incorrect_solutions"], p["id"]
        for t in p["public_tests"]:  # CodeContests style: the examples are inside the statement
            assert t["input"].strip() in p["description"], p["id"]
        for code in p["solutions"] + p["incorrect_solutions"]:
            compile(code, p["id"], "exec")


FUNCTIONS = os.path.join(ROOT, "mini", "functions.jsonl")


def test_mini_functions_schema_splits_and_tests():
    rows = read_jsonl(FUNCTIONS)
    assert len(rows) >= 80 and len({p["id"] for p in rows}) == len(rows)
    for split, n in (("train", 40), ("valid", 16), ("test", 24)):
        part = [p for p in rows if p["split"] == split]
        assert len(part) == n and {p["difficulty"] for p in part} == {"trivial", "easy", "medium"}, split
    names = {}
    for p in rows:
        assert data.check_problem(p) is None, (p["id"], data.check_problem(p))
        assert p["source"] == "mini" and p["style"] == "function" and p["description"] == p["prompt"]
        assert p["prompt"].startswith(f"def {p['entry_point']}(") and p["solutions"] and p["incorrect_solutions"]
        assert 1 <= len(p["public_tests"]) <= 3 and len(p["private_tests"]) >= 5, p["id"]
        for t in p["public_tests"] + p["private_tests"]:
            assert t["input"].startswith("assert candidate(") and t["output"] == ""
        assert not {t["input"] for t in p["public_tests"]} & {t["input"] for t in p["private_tests"]}, p["id"]
        names.setdefault(p["entry_point"], set()).add(p["split"])
    assert all(len(splits) == 1 for splits in names.values())  # no task in two splits


def test_mini_default_source_is_the_function_set(tmp_path):
    r = run_cli("--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    rows = [p for split in ("train", "valid", "test") for p in read_jsonl(tmp_path / "mini" / f"{split}.jsonl")]
    by_id = lambda ps: sorted(ps, key=lambda p: p["id"])  # noqa: E731
    assert by_id(rows) == by_id(read_jsonl(FUNCTIONS))


def test_mini_cli_writes_splits(tmp_path):
    r = run_cli("--source", "mini_stdio", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    total = 0
    for split in ("train", "valid", "test"):
        rows = read_jsonl(tmp_path / "mini_stdio" / f"{split}.jsonl")
        assert rows and all(p["split"] == split for p in rows)
        total += len(rows)
    assert total == len(read_jsonl(MINI))


def test_mini_malformed_rows_are_skipped_and_counted(tmp_path, mini):
    src = tmp_path / "problems.jsonl"
    good = mini[0]
    bad = dict(mini[1], public_tests="not a list")
    src.write_text(json.dumps(good) + "\n{not json\n" + json.dumps(bad) + "\n" + json.dumps(good) + "\n")
    cfg = data.Config(source="mini", path=str(src), out=str(tmp_path / "out"))
    problems, dropped = data.main(cfg)
    assert sum(len(v) for v in problems.values()) == 1
    assert sum(dropped.values()) == 3  # malformed JSON, wrong type, duplicate id
    assert any("duplicate id" in k for k in dropped)


# ----------------------------------------------------------------------------------------------
# The feedback-necessary family (mini/feedback.jsonl, built by mini/build_feedback.py)

FEEDBACK = os.path.join(ROOT, "mini", "feedback.jsonl")


def test_mini_feedback_family_shape():
    rows = read_jsonl(FEEDBACK)
    assert len(rows) >= 150 and len({p["id"] for p in rows}) == len(rows)
    levels = {"copy", "pick", "two", "control"}
    for split in ("train", "valid", "test"):
        part = [p for p in rows if p["split"] == split]
        assert {p["level"] for p in part} == levels, split
        assert {p["level"] for p in part[:8]} == levels, split  # round-robin: --limit 8 takes every level
    assert 0.2 <= sum(p["level"] == "control" for p in rows) / len(rows) <= 0.3
    for p in rows:
        assert data.check_problem(p) is None, (p["id"], data.check_problem(p))
        assert p["style"] == "function" and p["description"] == p["prompt"] and p["solutions"]
        assert len(p["incorrect_solutions"]) >= 2  # the naive guess and the hard-coded example at least
        for t in p["public_tests"] + p["private_tests"]:
            assert t["input"].startswith("assert candidate(") and t["output"] == ""
        expected = [t["input"].split(" == ", 1)[1] for t in p["public_tests"]]
        if p["level"] != "control":  # only the feedback may show the value
            assert p["convention"] not in p["prompt"] and not any(e in p["prompt"] for e in expected), p["id"]
        assert len(p["public_tests"]) == 1 + (p["entry_point"] in ("format_list", "format_numbers")), p["id"]
    # a convention of a task is in one split only: no test value was seen in train
    split_of = {}
    for p in rows:
        assert split_of.setdefault((p["entry_point"], p["convention"]), p["split"]) == p["split"], p["id"]


def test_mini_feedback_cli(tmp_path):
    r = run_cli("--source", "mini_feedback", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    rows = [p for s in ("train", "valid", "test") for p in read_jsonl(tmp_path / "mini_feedback" / f"{s}.jsonl")]
    assert sorted(p["id"] for p in rows) == sorted(p["id"] for p in read_jsonl(FEEDBACK))


@pytest.fixture(scope="module")
def build_feedback():
    sys.path.insert(0, os.path.join(ROOT, "mini"))
    try:
        yield importlib.import_module("build_feedback")
    finally:
        sys.path.remove(os.path.join(ROOT, "mini"))


def one_value_per_split(task, **change):
    return dict(task, values={s: v[:1] for s, v in task["values"].items()}, **change)


def test_mini_feedback_two_details_reveal_one_per_turn(build_feedback):
    # Built in the sandbox: the naive program fails only the first public test, the first fix only
    # the second, and the rows match the shipped file (the builder is what made it).
    task = one_value_per_split(build_feedback.specs_feedback.TWO[0])
    rows, counts = build_feedback.build([task])
    assert counts["two", "test"] == 1 and counts["control", "test"] == 1 and len(rows) == 6
    shipped = {(p["entry_point"], p["level"], p["convention"]): p for p in read_jsonl(FEEDBACK)}
    for row in rows:
        assert {k: v for k, v in row.items() if k != "id"} == {
            k: v for k, v in shipped[row["entry_point"], row["level"], row["convention"]].items() if k != "id"}
        naive, _, first_fix = row["incorrect_solutions"]
        if row["level"] == "two":
            assert build_feedback.public_passes(row, naive) == [False, True]
            assert build_feedback.public_passes(row, first_fix) == [True, False]


def test_mini_feedback_builder_rejects_bad_tables(build_feedback):
    two = build_feedback.specs_feedback.TWO[0]
    both_at_once = one_value_per_split(two, first_fix=two["code"])  # the "first fix" also fixes the second
    with pytest.raises(SystemExit, match="reveals out of order"):
        build_feedback.build([both_at_once])
    join = build_feedback.specs_feedback.COPY[0]
    with pytest.raises(SystemExit, match="gives the value"):
        build_feedback.build([one_value_per_split(join, hidden="Join the words with ' | ' please.")])
    with pytest.raises(SystemExit, match="in two splits"):
        build_feedback.build([dict(join, values={"train": ["::"], "valid": ["::"], "test": [";"]})])


# ----------------------------------------------------------------------------------------------
# CodeContests: a local copy in the exact HF schema


def hf_features():
    from datasets import ClassLabel, Features, Sequence, Value

    tests = Sequence({"input": Value("string"), "output": Value("string")})
    language = ClassLabel(names=["UNKNOWN_LANGUAGE", "PYTHON", "CPP", "PYTHON3", "JAVA"])
    solutions = Sequence({"language": language, "solution": Value("string")})
    return Features({
        "name": Value("string"), "description": Value("string"),
        "public_tests": tests, "private_tests": tests, "generated_tests": tests,
        "source": ClassLabel(names=data.HF_SOURCES), "difficulty": ClassLabel(names=data.HF_DIFFICULTIES),
        "solutions": solutions, "incorrect_solutions": solutions,
        "cf_contest_id": Value("int64"), "cf_index": Value("string"), "cf_points": Value("float32"),
        "cf_rating": Value("int32"), "cf_tags": Sequence(Value("string")),
        "is_description_translated": Value("bool"), "untranslated_description": Value("string"),
        "time_limit": {"seconds": Value("int64"), "nanos": Value("int64")},
        "memory_limit_bytes": Value("int64"), "input_file": Value("string"), "output_file": Value("string"),
    })


def cc_row(name, public=1, private=2, time_limit=None, memory=0, input_file="", source=5, difficulty=18):
    t = lambda n, tag: {"input": [f"{tag}{i}\n" for i in range(n)], "output": [f"{i}\n" for i in range(n)]}  # noqa: E731
    return {
        "name": name, "description": f"Statement of {name}.",
        "public_tests": t(public, "p"), "private_tests": t(private, "q"), "generated_tests": t(3, "g"),
        "source": source, "difficulty": difficulty,
        "solutions": {"language": [1, 3, 2, 3], "solution": ["py2", "py3 a", "cpp", "py3 b"]},
        "incorrect_solutions": {"language": [3, 4], "solution": ["py3 wrong", "java"]},
        "cf_contest_id": 1, "cf_index": "A", "cf_points": 500.0, "cf_rating": 800, "cf_tags": ["math"],
        "is_description_translated": False, "untranslated_description": "",
        "time_limit": time_limit, "memory_limit_bytes": memory, "input_file": input_file, "output_file": "",
    }


README = """---
configs:
- config_name: default
  data_files:
  - split: train
    path: data/train-*
  - split: valid
    path: data/valid-*
  - split: test
    path: data/test-*
---
# local copy of deepmind/code_contests (test fixture)
"""


def write_cc_copy(root, splits):
    """A local copy of the hub repository's layout: README.md with configs + data/<split>-*.parquet."""
    from datasets import Dataset

    (root / "data").mkdir(parents=True)
    (root / "README.md").write_text(README)
    for split, rows in splits.items():
        ds = Dataset.from_list(rows, features=hf_features())
        ds.to_parquet(str(root / "data" / f"{split}-00000-of-00001.parquet"))
    return root


@pytest.fixture
def cc_copy(tmp_path):
    return write_cc_copy(tmp_path / "code_contests", {
        "train": [
            cc_row("ok", time_limit={"seconds": 2, "nanos": 500_000_000}, memory=256 << 20),
            cc_row("no-public", public=0),
            cc_row("no-private", private=0),
            cc_row("file-io", input_file="input.txt"),
            cc_row("no-limits", time_limit=None, memory=0),
        ],
        "valid": [cc_row("v", time_limit={"seconds": 0, "nanos": 0})],
        "test": [cc_row("t")],
    })


def test_code_contests_mapping(cc_copy, tmp_path):
    r = run_cli("--source", "code_contests", "--path", str(cc_copy), "--out", str(tmp_path / "out"))
    assert r.returncode == 0, r.stdout + r.stderr
    train = read_jsonl(tmp_path / "out" / "code_contests" / "train.jsonl")
    assert [p["name"] for p in train] == ["ok", "no-limits"]  # filtered: no public, no private, file I/O
    ok, nolim = train
    assert data.check_problem(ok) is None
    assert ok["time_limit_s"] == 2.5 and ok["memory_limit_bytes"] == 256 << 20
    assert nolim["time_limit_s"] == 10.0 and nolim["memory_limit_bytes"] == 1 << 30
    assert ok["solutions"] == ["py3 a", "py3 b"] and ok["incorrect_solutions"] == ["py3 wrong"]
    assert ok["public_tests"] == [{"input": "p0\n", "output": "0\n"}]
    assert len(ok["private_tests"]) == 2 and len(ok["generated_tests"]) == 3
    assert ok["site"] == "ATCODER" and ok["difficulty"] == "L"  # HF's contiguous ClassLabels
    valid = read_jsonl(tmp_path / "out" / "code_contests" / "valid.jsonl")
    assert valid[0]["split"] == "valid" and valid[0]["time_limit_s"] == 10.0  # 0 s means unset
    assert "dropped 1: train: reads/writes named files" in r.stdout


def test_code_contests_two_local_copies_each_load_their_own_rows(tmp_path):
    # Two copies with the same layout and folder name in different places, read through one
    # datasets cache (isolated here): the second must not be served the first one's cached rows.
    env = dict(os.environ, HF_DATASETS_CACHE=str(tmp_path / "hf_cache"))
    names = {"a": ["alpha"], "b": ["beta", "gamma"]}
    for copy, train in names.items():
        root = write_cc_copy(tmp_path / copy / "code_contests",
                             {"train": [cc_row(n) for n in train], "valid": [cc_row(f"{copy}-v")],
                              "test": [cc_row(f"{copy}-t")]})
        out = tmp_path / copy / "out"
        r = subprocess.run([sys.executable, "01_data.py", "--source", "code_contests", "--path", str(root),
                            "--out", str(out)],
                           cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
        assert r.returncode == 0, r.stdout + r.stderr
        assert [p["name"] for p in read_jsonl(out / "code_contests" / "train.jsonl")] == train, copy
        assert [p["name"] for p in read_jsonl(out / "code_contests" / "valid.jsonl")] == [f"{copy}-v"]


def test_code_contests_hub_id_keeps_the_hub_loader(monkeypatch, tmp_path):
    # Only local folders change loader: a hub id still goes to load_dataset(hub id), cache and all.
    import datasets

    calls = []
    empty = {"train": datasets.Dataset.from_dict({"name": []})}
    monkeypatch.setattr(datasets, "load_dataset", lambda *a, **k: calls.append((a, k)) or empty)
    data.load_code_contests(data.Config(source="code_contests", splits="train"), data.Counter())
    assert calls == [(("deepmind/code_contests",), {})]


def test_code_contests_missing_split(cc_copy, tmp_path):
    for f in (cc_copy / "data").glob("valid-*"):
        f.unlink()
    readme = (cc_copy / "README.md").read_text().replace("  - split: valid\n    path: data/valid-*\n", "")
    (cc_copy / "README.md").write_text(readme)
    out = tmp_path / "out"
    r = run_cli("--source", "code_contests", "--path", str(cc_copy), "--out", str(out))
    assert r.returncode == 1
    assert "no split 'valid'" in r.stdout + r.stderr
    assert not out.exists()  # nothing half-written


def test_code_contests_missing_path(tmp_path):
    r = run_cli("--source", "code_contests", "--path", str(tmp_path / "nope"), "--out", str(tmp_path))
    assert r.returncode == 1 and "does not exist" in r.stdout + r.stderr


# ----------------------------------------------------------------------------------------------
# HumanEval


def test_humaneval(tmp_path):
    problems, dropped = data.main(data.Config(source="humaneval", out=str(tmp_path)))
    rows = problems["test"]
    assert len(rows) == 164 and not dropped
    for p in rows:
        assert data.check_problem(p) is None
        assert p["style"] == "function" and p["entry_point"] in p["solutions"][0]
        assert 1 <= len(p["public_tests"]) <= 3 and p["private_tests"]
    he0 = rows[0]
    assert he0["public_tests"][0]["input"].startswith("assert candidate(")
    # public + private together are exactly the asserts of the original check()
    assert len(he0["public_tests"]) + len(he0["private_tests"]) == 7  # HumanEval/0's check has 7 asserts
    assert (tmp_path / "humaneval" / "test.jsonl").exists()


def test_existing_output_survives_bad_run(tmp_path):
    out = tmp_path / "mini"
    out.mkdir()
    (out / "train.jsonl").write_text("keep me\n")
    r = run_cli("--path", str(tmp_path / "missing.jsonl"), "--out", str(tmp_path))
    assert r.returncode == 1 and "not found" in r.stdout + r.stderr
    assert (out / "train.jsonl").read_text() == "keep me\n"


def test_cli_needs_no_transformers(tmp_path):
    # 01 is copyable without transformers: its flags parse with plain argparse
    script = ("import runpy, sys; sys.modules['transformers'] = None; "
              f"sys.argv = ['01_data.py', '--source', 'mini', '--out', {str(tmp_path / 'out')!r}]; "
              f"runpy.run_path({os.path.join(ROOT, '01_data.py')!r}, run_name='__main__')")
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    rows = (tmp_path / "out" / "mini" / "test.jsonl").read_text().splitlines()
    assert len(rows) == 24 and json.loads(rows[0])["style"] == "function"


def test_flags():
    cfg = data.parse_args(["--source", "code_contests", "--path", "/x", "--splits", "train", "--out", "o"])
    assert cfg == data.Config(source="code_contests", path="/x", splits="train", out="o")
    assert data.parse_args([]) == data.Config()
