"""End to end, CleanRL-style: the five scripts in order through their command lines, with tiny
settings and a tiny random model that uses the real chat tokenizer, passing files on disk."""

import importlib
import json
import os
import subprocess
import sys

import pytest
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(*args, timeout=900):
    r = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, f"{args[0]} failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    return r


@pytest.mark.slow
def test_five_stages_in_order(tmp_path):
    from transformers import LlamaConfig, LlamaForCausalLM

    tokenizer = importlib.import_module("03_rollout").load_tokenizer()
    model_dir = tmp_path / "tiny-model"
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                      num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=4096,
                      pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id)
    LlamaForCausalLM(cfg).save_pretrained(model_dir)
    tokenizer.save_pretrained(model_dir)
    data, episodes = tmp_path / "data", tmp_path / "episodes"
    tiny = ["--model", str(model_dir), "--max_new_tokens", "8", "--batch_size", "8"]

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
    report = json.load(open(tmp_path / "report.json"))
    assert "base_test" in r.stdout and "rlef_test" in r.stdout
    assert report  # both files reported, compared on the 3 problems they share
