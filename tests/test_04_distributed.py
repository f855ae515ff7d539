"""Stage 4 under torchrun: one data-parallel PPO update on 2 CPU processes (gloo), each with half of
the episodes, equals the one-process update on the whole batch, and both ranks end with the same
weights. Also with --fsdp's sharding (FSDP2 on CPU). This file is also the worker script that
torchrun starts: `torchrun --nproc_per_node 2 tests/test_04_distributed.py OUT MINIBATCHES MODE`."""

import contextlib
import importlib
import os
import random
import subprocess
import sys

import pytest
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
ppo = importlib.import_module("04_ppo")

N_EPISODES, LR = 8, 0.1


def tiny_models():
    """π (untied embeddings, so FSDP can shard it), ρ = a copy, V = π's trunk + a random head."""
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=16, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                      num_key_value_heads=2, pad_token_id=0, bos_token_id=1, eos_token_id=2, tie_word_embeddings=False)
    policy = ppo.disable_dropout(LlamaForCausalLM(cfg))
    ref = ppo.disable_dropout(LlamaForCausalLM(cfg))
    ref.load_state_dict(policy.state_dict())
    ref.requires_grad_(False)
    return policy, ref, ppo.make_value_model(policy)


def episodes():
    """Synthetic episodes, 1 or 2 turns, response lengths 1..6 growing with the index, so the two
    halves hold different numbers of tokens and turns (a per-rank normaliser would be wrong)."""
    gen = random.Random(0)
    out = []
    for i in range(N_EPISODES):
        n_turns = 1 + i % 2
        turns = []
        for t in range(n_turns):
            length = 1 + (i + t) % 3 + i // 3
            resp = [gen.randrange(3, 16) for _ in range(length)]
            reward = (1.0 if gen.random() < 0.5 else -1.0) if t == n_turns - 1 else -0.2
            turns.append({"prompt_ids": [1] + [gen.randrange(3, 16) for _ in range(2)], "response_ids": resp,
                          "logprobs": [-gen.uniform(1.0, 4.0) for _ in resp], "reward": reward})
        out.append({"turns": turns, "reward": sum(t["reward"] for t in turns), "passed_all": False, "passed_public": False})
    return out


def update(policy, ref, value, eps, minibatches):
    """One ppo_update with SGD (AdamW's first step is lr·sign(g), which turns rounding noise in
    near-zero gradients into visible differences; SGD keeps the comparison exact up to rounding)."""
    cfg = ppo.Config(minibatches=minibatches, micro_batch=2, kl_coef=0.05, temperature=1.0)
    opt_pi, opt_v = torch.optim.SGD(policy.parameters(), lr=LR), torch.optim.SGD(value.parameters(), lr=LR)
    scheds = [torch.optim.lr_scheduler.LambdaLR(o, lambda s: 1.0) for o in (opt_pi, opt_v)]
    shuffle, random.shuffle = random.shuffle, lambda x: None  # minibatch i = episodes i, i+n_mb, ...: the
    try:                                                       # same sets for the whole batch and the halves
        return ppo.ppo_update(eps, policy, ref, value, opt_pi, opt_v, *scheds, cfg, 0, contextlib.nullcontext)
    finally:
        random.shuffle = shuffle


def worker(out, minibatches, mode):
    rank, world, _ = ppo.setup_distributed()
    policy, ref, value = tiny_models()
    eps = episodes()
    mine = eps[rank * len(eps) // world:(rank + 1) * len(eps) // world]
    if mode == "fsdp":
        policy, value, ref = ppo.shard(policy), ppo.shard(value), ppo.shard(ref)
    metrics = update(policy, ref, value, mine, minibatches)
    if mode == "fsdp":  # the gathered full weights (rank 0 only)
        state = {"policy": ppo.full_state_dict(policy), "value": ppo.full_state_dict(value)}
    else:
        state = {"policy": policy.state_dict(), "value": value.state_dict()}
    torch.save({"state": state, "metrics": metrics}, os.path.join(out, f"rank{rank}.pt"))
    torch.distributed.barrier()  # both ranks have written their results
    # leave without the interpreter's teardown: there gloo's threads sometimes abort the process
    # (SIGABRT, "terminate called without an active exception") after all the work is done
    os._exit(0)


def run_ranks(tmp_path, minibatches, mode):
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
           os.path.abspath(__file__), str(tmp_path), str(minibatches), mode]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": ""}
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=180, env=env)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return [torch.load(tmp_path / f"rank{k}.pt", weights_only=False) for k in range(2)]


def assert_same_step(before, single, other, what):
    """The parameter change of `other` equals that of `single`, up to 1e-4 of the largest change
    plus fp32 rounding of the weights themselves (~1e-9 here)."""
    scale = max((single[name] - p0).abs().max().item() for name, p0 in before.items())
    for name, p0 in before.items():
        d1, d2 = single[name] - p0, other[name] - p0
        assert (d1 - d2).abs().max().item() <= 1e-4 * scale + 1e-8, (what, name)
    assert any((single[n] - p0).abs().max() > 1e-4 for n, p0 in before.items()), "the update moved nothing"


@pytest.mark.slow
@pytest.mark.parametrize("minibatches,mode", [(1, "ddp"), (2, "ddp"), (2, "fsdp")])
def test_two_ranks_equal_one_process_on_the_whole_batch(tmp_path, minibatches, mode):
    policy, ref, value = tiny_models()
    before = {"policy": {k: v.clone() for k, v in policy.state_dict().items()},
              "value": {k: v.clone() for k, v in value.state_dict().items()}}
    m_single = update(policy, ref, value, episodes(), minibatches)
    single = {"policy": policy.state_dict(), "value": value.state_dict()}
    ranks = run_ranks(tmp_path, minibatches, mode)
    for model in ("policy", "value"):
        assert_same_step(before[model], single[model], ranks[0]["state"][model], f"{mode} rank 0 {model}")
        if mode == "ddp":  # every rank holds the whole model: identical to the last bit
            for name, p in ranks[0]["state"][model].items():
                assert torch.equal(p, ranks[1]["state"][model][name]), (model, name)
    # the metrics are reduced over the ranks: the same numbers as the one-process update
    m = ranks[0]["metrics"]
    assert m["first_approx_kl"] == 0.0 and m["first_clipfrac"] == 0.0
    for k in ("kl_ref", "explained_variance", "value_mean", "return_mean", "policy_loss", "value_loss", "sampler_drift"):
        assert m[k] == pytest.approx(m_single[k], rel=1e-4, abs=1e-6), k
    assert ranks[1]["metrics"] == m


def test_single_process_is_untouched_by_the_distributed_code():
    assert "RANK" in os.environ or ppo.setup_distributed() == (0, 1, None)
    assert not ppo.distributed()
    t = torch.tensor([3.0])
    assert ppo.all_reduce(t) is t and t.item() == 3.0 and ppo.gather({"a": 1}) == [{"a": 1}]


if __name__ == "__main__":
    worker(sys.argv[1], int(sys.argv[2]), sys.argv[3])
