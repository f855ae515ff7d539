"""Shared pytest set-up: the numbered stage files live in the repo root and are imported with
importlib.import_module("02_sandbox") etc., so the root goes on sys.path. The tiny random test
model is built here once per session."""

import importlib
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes more than a few seconds (still run in CI)")


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    """A folder with a 2-layer random Llama and SmolLM2's tokenizer (its chat template and vocabulary),
    built once per session: loads like any model (`--model <folder>`, 03's load_model)."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    tokenizer = importlib.import_module("03_rollout").load_tokenizer()
    path = tmp_path_factory.mktemp("tiny-model")
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=4096,
                         pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id,
                         bos_token_id=tokenizer.bos_token_id, tie_word_embeddings=True)
    LlamaForCausalLM(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return str(path)
