"""End to end, CleanRL-style: the five scripts in order through their command lines, with tiny
settings and a tiny random model that uses the real chat tokenizer (conftest.py), passing files on disk."""

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(*args, timeout=900):
    r = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, f"{args[0]} failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    return r


def read_jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.mark.slow
def test_five_stages_in_order(tmp_path, tiny_model_dir):
    data, episodes = tmp_path / "data", tmp_path / "episodes"
    tiny = ["--model", tiny_model_dir, "--max_new_tokens", "8", "--batch_size", "8"]

    run("01_data.py", "--out", str(data))
    run("02_sandbox.py", "--data", str(data / "mini"), "--split", "valid", "--report", str(tmp_path / "verify.json"))
    assert json.load(open(tmp_path / "verify.json"))["verified"] == 16
    run("03_rollout.py", *tiny, "--data", str(data / "mini"), "--limit", "3", "--samples", "1",
        "--out", str(episodes / "base_test.jsonl"))
    run("04_ppo.py", *tiny, "--data", str(data / "mini"), "--out", str(tmp_path / "ppo"),
        "--episodes_dir", str(episodes), "--iterations", "1", "--rollouts", "2", "--samples", "1",
        "--final_samples", "1")
    r = run("05_eval.py", str(episodes / "base_test.jsonl"), str(episodes / "rlef_test.jsonl"),
            "--out", str(tmp_path / "report.json"))
    assert "base_test" in r.stdout and "rlef_test" in r.stdout

    # 05's report holds both files, compared on the 3 problems 03 ran, with numbers that match the episodes
    report = json.load(open(tmp_path / "report.json"))
    files = {name: read_jsonl(episodes / f"{name}.jsonl") for name in ("base_test", "rlef_test")}
    assert len(files["base_test"]) == 3 and len(files["rlef_test"]) >= 3
    assert [(f["label"], f["episodes"]) for f in report["files"]] == [(n, len(eps)) for n, eps in files.items()]
    shared = {e["problem_id"] for e in files["base_test"]}
    assert report["problems_compared"] == 3 and shared <= {e["problem_id"] for e in files["rlef_test"]}
    assert [c["label"] for c in report["columns"]] == ["base_test", "rlef_test"]
    for column, (name, eps) in zip(report["columns"], files.items()):
        eps = [e for e in eps if e["problem_id"] in shared]
        solved = sum(e["passed_all"] for e in eps) / len(eps)  # one rollout per problem
        assert (column["file"], column["problems"], column["rollouts"]) == (name, 3, 3)
        assert column["turn_limit"] == eps[0]["settings"]["turns"] == 3
        assert column["metrics"]["1@3"]["value"] == pytest.approx(solved)
        assert column["metrics"]["pass@1"]["value"] == pytest.approx(solved)
        assert column["metrics"]["1@3_single_turn"] is None  # needs 3 rollouts per problem
        assert column["solve_rate_by_turn"][-1] == pytest.approx(
            sum(any(t["passed_all"] for t in e["turns"]) for e in eps) / len(eps))
        assert column["finals_faking_a_pass"] == 0
