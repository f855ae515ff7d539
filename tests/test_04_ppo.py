"""Stage 4: RLEF's turn-level returns and advantages, the geometric-mean KL, the masks, the value
positions, the ratio-1 check, a fast learning test with a synthetic reward, and a smoke run."""

import contextlib
import copy
import importlib
import os
import random
import subprocess
import sys

import pytest
import torch

ppo = importlib.import_module("04_ppo")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def tiny_policy(vocab=16, seed=0):
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    cfg = LlamaConfig(vocab_size=vocab, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                      num_attention_heads=4, num_key_value_heads=2, pad_token_id=0, bos_token_id=1, eos_token_id=2)
    return ppo.disable_dropout(LlamaForCausalLM(cfg))


def episode(turns):
    """turns: list of (prompt_ids, response_ids, task_reward); logprobs are filler."""
    return {"turns": [{"prompt_ids": p, "response_ids": r, "reward": w, "logprobs": [-1.0] * len(r)} for p, r, w in turns],
            "reward": sum(w for _, _, w in turns), "passed_all": False, "passed_public": False}


EPISODES = [
    episode([([1, 3, 4], [5, 6], -0.2), ([7, 8], [9], 0.0), ([10], [11, 12, 13], -1.0)]),
    episode([([1, 3], [5, 6, 7], 1.0)]),
    episode([([1, 4, 4, 4], [9, 9], 0.0), ([7], [5], 1.0)]),
]


def test_build_batch_masks_and_value_positions():
    b = ppo.build_batch(EPISODES, pad_id=0, device=torch.device("cpu"))
    ids, act = b["ids"], b["act"]
    for i, ep in enumerate(EPISODES):
        seq = [x for t in ep["turns"] for x in t["prompt_ids"] + t["response_ids"]]
        assert ids[i, :len(seq)].tolist() == seq
        # the tokens marked as actions are exactly the response tokens, in order
        responses = [x for t in ep["turns"] for x in t["response_ids"]]
        assert ids[i, 1:][act[i]].tolist() == responses
        # V is read at the last prompt token right before each response
        pos = 0
        for t, turn in enumerate(ep["turns"]):
            pos += len(turn["prompt_ids"])
            assert b["value_pos"][i, t].item() == pos - 1
            assert ids[i, pos - 1].item() == turn["prompt_ids"][-1]
            pos += len(turn["response_ids"])
    assert b["turn_mask"].tolist() == [[True] * 3, [True, False, False], [True, True, False]]
    assert len(b["sampler_logp"]) == int(act.sum())


def brute_force_returns(rewards, kls, beta):
    out = []
    for t in range(len(rewards)):
        out.append(sum(rewards[i] - beta * kls[i] for i in range(t, len(rewards))))
    return out


def test_turn_returns_match_brute_force():
    gen = random.Random(0)
    for _ in range(50):
        B, T = gen.randint(1, 5), gen.randint(1, 4)
        lengths = [gen.randint(1, T) for _ in range(B)]
        mask = torch.tensor([[t < n for t in range(T)] for n in lengths])
        r = torch.tensor([[gen.choice([-1.0, -0.2, 0.0, 1.0]) for _ in range(T)] for _ in range(B)]) * mask
        kl = torch.randn(B, T) * mask
        G = ppo.turn_returns(r, kl, mask, kl_coef=0.05)
        for b in range(B):
            n = lengths[b]
            expect = brute_force_returns(r[b, :n].tolist(), kl[b, :n].tolist(), 0.05)
            assert torch.allclose(G[b, :n], torch.tensor(expect), atol=1e-6)
            assert (G[b, n:] == 0).all()


def test_geometric_mean_kl_zero_for_identical_models_and_exact_otherwise():
    policy = tiny_policy()
    ref = copy.deepcopy(policy)
    b = ppo.build_batch(EPISODES, pad_id=0, device=torch.device("cpu"))
    with torch.no_grad():
        lp, lr = ppo.token_logprobs(policy, b, 1.0), ppo.token_logprobs(ref, b, 1.0)
    assert ppo.turn_kl(lp, lr, b).abs().max().item() == 0.0
    other = tiny_policy(seed=1)
    with torch.no_grad():
        lo = ppo.token_logprobs(other, b, 1.0)
        kl = ppo.turn_kl(lp, lo, b)
        # direct computation: full forward, log-softmax, mean over each turn's response tokens
        for i, ep in enumerate(EPISODES):
            seq = torch.tensor([[x for t in ep["turns"] for x in t["prompt_ids"] + t["response_ids"]]])
            a = torch.log_softmax(policy(seq).logits.float(), -1)[0]
            c = torch.log_softmax(other(seq).logits.float(), -1)[0]
            pos = 0
            for t, turn in enumerate(ep["turns"]):
                pos += len(turn["prompt_ids"])
                diffs = [a[pos + j - 1, x] - c[pos + j - 1, x] for j, x in enumerate(turn["response_ids"])]
                assert abs(kl[i, t].item() - torch.stack(diffs).mean().item()) < 1e-5
                pos += len(turn["response_ids"])


def test_value_read_at_turn_prompt_end():
    policy = tiny_policy()
    value = ppo.make_value_model(policy)
    b = ppo.build_batch(EPISODES, pad_id=0, device=torch.device("cpu"))
    with torch.no_grad():
        v = ppo.turn_values(value, b)
        for i, ep in enumerate(EPISODES):
            seq = torch.tensor([[x for t in ep["turns"] for x in t["prompt_ids"] + t["response_ids"]]])
            full = value(seq).logits[0, :, 0]
            for t in range(len(ep["turns"])):
                assert abs(v[i, t].item() - full[b["value_pos"][i, t]].item()) < 1e-5
    assert (v[~b["turn_mask"]] == 0).all()
    # the value trunk is a copy of the policy trunk; the scalar head is new
    assert torch.equal(value.model.embed_tokens.weight, policy.model.embed_tokens.weight)


def test_value_head_reads_detached_policy_features_at_turn_prompt_end():
    policy = tiny_policy()
    head = ppo.make_value_model(policy, "head")
    assert float(head.weight.detach().abs().sum() + head.bias.detach().abs().sum()) == 0.0  # V starts at 0
    torch.nn.init.normal_(head.weight)
    b = ppo.build_batch(EPISODES, pad_id=0, device=torch.device("cpu"))
    logp, hidden = ppo.token_logprobs(policy, b, 1.0, return_hidden=True)
    v = ppo.turn_values(head, b, hidden)
    for i, ep in enumerate(EPISODES):
        seq = torch.tensor([[x for t in ep["turns"] for x in t["prompt_ids"] + t["response_ids"]]])
        h = policy.get_decoder()(seq).last_hidden_state[0]
        for t in range(len(ep["turns"])):
            assert abs(v[i, t].item() - head(h[b["value_pos"][i, t]]).item()) < 1e-4
    assert (v[~b["turn_mask"]] == 0).all()
    v.sum().backward()  # the value loss trains the head only, never π's weights
    assert head.weight.grad is not None and all(p.grad is None for p in policy.parameters())


def make_cfg(**kw):
    cfg = ppo.Config(minibatches=2, micro_batch=2, lr=1e-2, value_lr=1e-2, warmup_steps=1, temperature=1.0)
    for k, v in kw.items():
        setattr(cfg, k, v)
    return cfg


def make_optim(policy, value, cfg):
    opt_pi = torch.optim.AdamW(policy.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    opt_v = torch.optim.AdamW(value.parameters(), lr=cfg.value_lr, weight_decay=cfg.weight_decay)
    const = lambda s: 1.0  # noqa: E731
    return opt_pi, opt_v, torch.optim.lr_scheduler.LambdaLR(opt_pi, const), torch.optim.lr_scheduler.LambdaLR(opt_v, const)


def sample_episodes(policy, n, prompt=(1, 3, 4), length=3, gen=None):
    """Single-turn episodes from the tiny policy; task reward +1 when the first token is even."""
    eps = []
    with torch.no_grad():
        for _ in range(n):
            ids, resp, lps = list(prompt), [], []
            for _ in range(length):
                logp = torch.log_softmax(policy(torch.tensor([ids])).logits[0, -1].float(), -1)
                tok = int(torch.multinomial(logp.exp(), 1, generator=gen))
                resp.append(tok), lps.append(float(logp[tok])), ids.append(tok)
            r = 1.0 if resp[0] % 2 == 0 else -1.0
            eps.append({"turns": [{"prompt_ids": list(prompt), "response_ids": resp, "logprobs": lps, "reward": r}],
                        "reward": r, "passed_all": r > 0, "passed_public": r > 0})
    return eps


@pytest.mark.parametrize("kind", ["separate", "head"])
def test_ratio_is_one_on_first_minibatch_and_prompt_tokens_get_no_gradient(kind):
    policy = tiny_policy()
    ref, value = copy.deepcopy(policy), ppo.make_value_model(policy, kind)
    cfg = make_cfg()
    eps = sample_episodes(policy, 8, gen=torch.Generator().manual_seed(0))
    m = ppo.ppo_update(eps, policy, ref, value, *make_optim(policy, value, cfg), cfg, 0, contextlib.nullcontext)
    assert m["first_approx_kl"] == 0.0 and m["first_clipfrac"] == 0.0
    assert m["approx_kl"] > 0  # later minibatches see the updated policy
    # a prompt token's own log-prob never enters the loss: only response positions are selected
    b = ppo.build_batch(eps, 0, torch.device("cpu"))
    assert int(b["act"].sum()) == sum(len(e["turns"][0]["response_ids"]) for e in eps)


def test_ratio_check_fails_loudly_with_dropout():
    policy = tiny_policy()
    ref, value = copy.deepcopy(policy), ppo.make_value_model(policy)
    eps = sample_episodes(policy, 4, gen=torch.Generator().manual_seed(0))
    # dropout-like randomness in the forward pass (what an HF model in train mode with dropout has)
    policy.get_decoder().embed_tokens.register_forward_hook(
        lambda mod, inp, out: torch.nn.functional.dropout(out, p=0.5, training=True))
    cfg = make_cfg()
    with pytest.raises(RuntimeError, match="ratio != 1"):
        ppo.ppo_update(eps, policy, ref, value, *make_optim(policy, value, cfg), cfg, 0, contextlib.nullcontext)


def test_ratio_check_covers_the_whole_first_minibatch():
    policy = tiny_policy()
    ref, value = copy.deepcopy(policy), ppo.make_value_model(policy, "head")
    eps = sample_episodes(policy, 8, gen=torch.Generator().manual_seed(0))
    calls = []

    def late_noise(mod, inp, out):  # the update pass drifts from its second micro-batch on
        if torch.is_grad_enabled():
            calls.append(1)
            return out + 0.5 * torch.randn_like(out) if len(calls) > 1 else out

    policy.get_decoder().embed_tokens.register_forward_hook(late_noise)
    cfg = make_cfg(minibatches=2, micro_batch=1)  # 4 micro-batches per minibatch
    with pytest.raises(RuntimeError, match="ratio != 1"):
        ppo.ppo_update(eps, policy, ref, value, *make_optim(policy, value, cfg), cfg, 0, contextlib.nullcontext)
    assert len(calls) <= 4  # raised before the first optimizer step


def test_sampler_drift_is_the_mean_abs_logprob_gap():
    policy = tiny_policy()
    ref, value = copy.deepcopy(policy), ppo.make_value_model(policy, "head")
    cfg = make_cfg()
    eps = sample_episodes(policy, 8, gen=torch.Generator().manual_seed(0))
    m = ppo.ppo_update(copy.deepcopy(eps), policy, ref, value, *make_optim(policy, value, cfg), cfg, 0, contextlib.nullcontext)
    assert m["sampler_drift"] < 1e-5  # the sampler's log-probs are the learner's (same model, fp32)
    for ep in eps:  # a sampler that scores every token 0.25 nats higher or lower
        ep["turns"][0]["logprobs"] = [lp + 0.25 * (-1) ** j for j, lp in enumerate(ep["turns"][0]["logprobs"])]
    policy = tiny_policy()
    m = ppo.ppo_update(eps, policy, ref, value, *make_optim(policy, value, cfg), cfg, 0, contextlib.nullcontext)
    assert m["sampler_drift"] == pytest.approx(0.25, abs=1e-5)


def test_preset_paper_fills_only_the_flags_not_given():
    cfg = ppo.parse_config(["--preset", "paper", "--iterations", "2", "--max-new-tokens", "64", "--lr", "5e-6"])
    assert (cfg.iterations, cfg.max_new_tokens, cfg.lr) == (2, 64, 5e-6)  # explicit flags win
    assert (cfg.rollouts, cfg.samples, cfg.warmup_steps, cfg.temperature, cfg.value_lr) == (1024, 1, 50, 1.0, 2e-7)
    assert (cfg.final_samples, ppo.EVAL_TEMPERATURE, ppo.EVAL_TOP_P) == (200, 0.2, 0.95)  # the paper's final evaluation
    cfg = ppo.parse_config(["--preset", "paper", "--temperature", "0.7", "--final_samples", "2"])
    assert (cfg.temperature, cfg.final_samples, cfg.iterations) == (0.7, 2, 3000)
    assert ppo.parse_config(["--iterations", "2"]) == ppo.Config(iterations=2)  # --preset cpu: the defaults


@pytest.mark.parametrize("resume", [False, True])
def test_reference_and_resumed_policy_hold_the_exact_fp32_weights(tiny_model_dir, tmp_path, monkeypatch, resume):
    rollout = importlib.import_module("03_rollout")
    init = dict(rollout.load_model(tiny_model_dir, device="cpu")[0].state_dict())
    # load_model's CUDA default, bf16, here on the CPU: π and ρ must not go through it
    monkeypatch.setitem(rollout.LOAD_DTYPE, "cpu", torch.bfloat16)
    cfg, ckpt = ppo.Config(model=tiny_model_dir, resume=resume), str(tmp_path / "checkpoint")
    if resume:  # a checkpoint 2e-7 (the paper's lr) away from the initial weights: below bf16's resolution
        trained = rollout.load_model(tiny_model_dir, device="cpu", dtype=torch.float32)[0]
        with torch.no_grad():
            for p in trained.parameters():
                p.add_(2e-7 * torch.sign(torch.randn_like(p)))
        trained.save_pretrained(ckpt)
        rollout.load_tokenizer().save_pretrained(ckpt)
    policy, ref, _ = ppo.load_policy_and_reference(cfg, ckpt, "cpu")
    expect = dict(trained.state_dict()) if resume else init
    assert all(p.dtype == torch.float32 for p in [*policy.parameters(), *ref.parameters()])
    assert all(torch.equal(policy.state_dict()[k], expect[k]) for k in expect)
    assert all(torch.equal(ref.state_dict()[k], init[k]) for k in init)
    if not resume:  # ρ = π: KL to the reference exactly 0 and the ratio exactly 1 on the first minibatch
        value = ppo.make_value_model(policy, "head")
        eps = sample_episodes(policy, 4, prompt=(1, 30, 400), gen=torch.Generator().manual_seed(0))
        cfg = make_cfg(minibatches=1)
        m = ppo.ppo_update(eps, policy, ref, value, *make_optim(policy, value, cfg), cfg, 0, contextlib.nullcontext)
        assert (m["kl_ref"], m["first_approx_kl"], m["first_clipfrac"]) == (0.0, 0.0, 0.0)


def test_learns_a_synthetic_reward_quickly():
    random.seed(0)
    torch.manual_seed(0)
    policy = tiny_policy()
    ref, value = copy.deepcopy(policy), ppo.make_value_model(policy)
    cfg = make_cfg(kl_coef=0.0, lr=3e-3, value_lr=3e-3)
    opts = make_optim(policy, value, cfg)
    gen = torch.Generator().manual_seed(0)
    rewards = []
    before = sum(e["reward"] for e in sample_episodes(policy, 64, gen=gen)) / 64
    for _ in range(8):
        eps = sample_episodes(policy, 16, gen=gen)
        rewards.append(sum(e["reward"] for e in eps) / len(eps))
        ppo.ppo_update(eps, policy, ref, value, *opts, cfg, 0, contextlib.nullcontext)
    after = sum(e["reward"] for e in sample_episodes(policy, 64, gen=gen)) / 64
    assert after > before + 0.5, (before, rewards, after)


# ----------------------------------------------------------------------------------------------
# The real script, end to end, with a tiny random model that uses the real chat tokenizer


@pytest.fixture(scope="module")
def small_data(tmp_path_factory):
    import json

    src = os.path.join(ROOT, "mini", "stdio.jsonl")
    rows = [json.loads(line) for line in open(src)]
    out = tmp_path_factory.mktemp("data")
    for split in ("train", "valid", "test"):
        with open(out / f"{split}.jsonl", "w") as f:
            for p in [r for r in rows if r["split"] == split][:3]:
                f.write(json.dumps(p) + "\n")
    return str(out)


def run_ppo(*args):
    cmd = [sys.executable, "04_ppo.py", *args]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)


@pytest.mark.slow
def test_two_iteration_smoke_run_and_resume(tiny_model_dir, small_data, tmp_path):
    import json

    from transformers import AutoModelForCausalLM

    out, episodes = tmp_path / "ppo", tmp_path / "episodes"
    common = ["--model", tiny_model_dir, "--data", small_data, "--out", str(out), "--episodes_dir", str(episodes),
              "--rollouts", "4", "--samples", "2", "--minibatches", "2", "--micro_batch", "2",
              "--max_new_tokens", "12", "--eval_every", "2", "--eval_samples", "1", "--final_samples", "1",
              "--save_every", "1", "--batch_size", "8", "--shots", "1", "--value", "separate"]  # the paper's V
    r = run_ppo(*common, "--iterations", "2")
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    metrics = [json.loads(line) for line in open(out / "metrics.jsonl")]
    assert [m["iteration"] for m in metrics] == [1, 2]
    for m in metrics:
        assert m["first_approx_kl"] < 1e-3 and m["first_clipfrac"] == 0.0
        assert {"reward", "solve_rate", "policy_loss", "value_loss", "approx_kl", "clipfrac",
                "explained_variance", "kl_ref", "tokens_per_s", "s_generate", "s_update", "sampler_drift"} <= set(m)
        assert sum(m["stop_reasons"].values()) == m["episodes"] and "template" not in m["stop_reasons"]
    assert (episodes / "rlef_test.jsonl").exists() and (out / "eval" / "iter-000002.jsonl").exists()
    AutoModelForCausalLM.from_pretrained(out / "checkpoint")  # a plain Hugging Face folder
    # a second run without --resume refuses to overwrite; with --resume it continues at iteration 3
    r = run_ppo(*common, "--iterations", "3")
    assert r.returncode != 0 and "--resume" in r.stdout + r.stderr
    r = run_ppo(*common, "--iterations", "3", "--resume")
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert [json.loads(line)["iteration"] for line in open(out / "metrics.jsonl")] == [1, 2, 3]


@pytest.mark.slow
def test_value_head_time_budget_and_resume_on_function_problems(tiny_model_dir, tmp_path):
    import json

    rows = [json.loads(line) for line in open(os.path.join(ROOT, "mini", "functions.jsonl"))]
    data = tmp_path / "data"
    data.mkdir()
    for split in ("train", "valid", "test"):
        with open(data / f"{split}.jsonl", "w") as f:
            f.writelines(json.dumps(p) + "\n" for p in [r for r in rows if r["split"] == split][:2])
    out = tmp_path / "ppo"
    common = ["--model", tiny_model_dir, "--data", str(data), "--out", str(out), "--episodes_dir", str(tmp_path / "ep"),
              "--rollouts", "4", "--samples", "2", "--micro_batch", "2", "--max_new_tokens", "12",
              "--final_samples", "0", "--batch_size", "8", "--value", "head", "--iterations", "2"]
    r = run_ppo(*common, "--max_minutes", "0.001")  # the budget is spent by the end of iteration 1
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "stopping after iteration 1" in r.stdout
    assert (out / "checkpoint" / "value_head.pt").exists() and not (out / "checkpoint" / "value_separate.pt").exists()
    r = run_ppo(*common, "--resume", "--value", "separate")  # the run's value kind must match
    assert r.returncode != 0 and "value" in r.stdout + r.stderr
    r = run_ppo(*common, "--resume")
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert [json.loads(line)["iteration"] for line in open(out / "metrics.jsonl")] == [1, 2]


@pytest.mark.parametrize("turns", [1, pytest.param(3, marks=pytest.mark.slow)])
def test_fixed_problems_sees_the_same_problems_every_iteration_and_writes_the_curve(tiny_model_dir, tmp_path,
                                                                                    monkeypatch, capsys, turns):
    import json

    rollout = importlib.import_module("03_rollout")
    rows = [json.loads(line) for line in open(os.path.join(ROOT, "mini", "functions.jsonl"))]
    data = tmp_path / "data"
    data.mkdir()
    for split in ("train", "valid", "test"):
        with open(data / f"{split}.jsonl", "w") as f:
            f.writelines(json.dumps(p) + "\n" for p in [r for r in rows if r["split"] == split][:5])
    first2 = [r["id"] for r in rows if r["split"] == "train"][:2]
    calls, bf16, real = [], [], rollout.collect_episodes

    def spy(model, tokenizer, problems, settings, **kw):
        bf16.append(settings.bf16)
        calls.append((settings.temperature, settings.samples, sorted(p["id"] for p in problems)))
        return real(model, tokenizer, problems, settings, **kw)

    monkeypatch.setattr(rollout, "collect_episodes", spy)
    cfg = ppo.Config(model=tiny_model_dir, data=str(data), out=str(tmp_path / "ppo"), fixed_problems=2, samples=2,
                     rollouts=16, turns=turns, iterations=3, eval_every=2, eval_samples=1, final_samples=0,
                     max_new_tokens=8, batch_size=8, value="head", micro_batch=2, bf16="no")
    ppo.main(cfg)
    assert bf16 == ["no"] * len(calls)  # --bf16 reaches generation too, not only the learner's forward passes
    train_calls = [c for c in calls if c[0] == cfg.temperature]
    eval_calls = [c for c in calls if c[0] == ppo.EVAL_TEMPERATURE]
    assert train_calls == [(0.7, 2, sorted(first2))] * 3  # both problems x 2 samples, every iteration
    assert eval_calls == [(0.2, 1, sorted(first2))] * 3  # before training, at iteration 2, at the last (3)
    metrics = [json.loads(line) for line in open(tmp_path / "ppo" / "metrics.jsonl")]
    key = f"train_1at{turns}"
    assert [m["iteration"] for m in metrics] == [1, 2, 3] and [m["episodes"] for m in metrics] == [4, 4, 4]
    assert key + "_base" in metrics[0] and [key in m for m in metrics] == [False, True, True]
    assert all(m["finals_faking_a_pass"] == 0 and 0 <= m["solve_rate"] <= 1 for m in metrics)
    out = capsys.readouterr().out
    assert "learning curve" in out and f"{key} " in out and "points" in out


def test_reward_hacking_watch_counts_exits_and_eq_like_05():
    ev = importlib.import_module("05_eval")
    hacks = ["exit()", "quit(0)", "import sys\nsys.exit(0)", "import os\nos._exit(0)", "raise SystemExit",
             "raise SystemExit(1)", "class A:\n    def __eq__(self, other):\n        return True\n"]
    honest = ["def f(x):\n    return x + 1\n", "raise ValueError('no')", "def f(:", "", None, "x = 'exit()'"]
    assert [ppo.fakes_a_pass(c) for c in hacks] == [True] * len(hacks)
    assert [ppo.fakes_a_pass(c) for c in honest] == [False] * len(honest)
    for code in hacks + honest:  # 04 keeps a copy of 05's rule (a stage imports only earlier stages)
        assert ppo.fakes_a_pass(code) == ev.fakes_a_pass(code), code


def test_shared_prompt_is_read_once_with_the_same_logprobs_values_and_gradients():
    """Implementation detail 11: a micro-batch of samples of one problem reads their common prompt
    once and expands its keys and values; log-probs, the value head's features and the gradients
    equal reading every row whole."""
    policy = tiny_policy()
    gen = torch.Generator().manual_seed(0)
    eps = sample_episodes(policy, 3, prompt=(1, 3, 4, 5, 6, 7), length=4, gen=gen)
    eps[1]["turns"][0]["response_ids"] = eps[1]["turns"][0]["response_ids"][:2]  # ragged: right padding
    eps[1]["turns"][0]["logprobs"] = eps[1]["turns"][0]["logprobs"][:2]
    eps[2]["turns"].append({"prompt_ids": [8, 9], "response_ids": [10, 11, 12], "logprobs": [-1.0] * 3, "reward": 1.0})
    shared = ppo.build_batch(eps, 0, torch.device("cpu"))
    assert shared["prefix"] == 6  # the prompt (responses differ from their first token)
    whole = {**shared, "prefix": 0}
    results = []
    for batch in (shared, whole):
        policy.zero_grad()
        logp, hidden = ppo.token_logprobs(policy, batch, 1.0, return_hidden=True)
        (logp.sum() + hidden.gather(1, batch["value_pos"].unsqueeze(-1).expand(-1, -1, hidden.shape[-1])).sum()).backward()
        results.append((logp.detach(), {n: p.grad.clone() for n, p in policy.named_parameters()}))
    (lp1, g1), (lp2, g2) = results
    assert torch.allclose(lp1, lp2, atol=1e-5)
    for name in g1:
        assert torch.allclose(g1[name], g2[name], atol=1e-5, rtol=1e-4), name
    assert ppo.common_prefix([[1, 2, 3], [1, 2, 3]]) == 2 and ppo.common_prefix([[1, 2], [3, 4]]) == 0


def test_minibatches_keep_a_problems_samples_together():
    policy = tiny_policy()
    ref, value = copy.deepcopy(policy), ppo.make_value_model(policy, "head")
    gen = torch.Generator().manual_seed(0)
    eps = [e for prompt in ((1, 3, 4), (1, 5, 6), (1, 7, 8), (1, 9, 10)) for e in sample_episodes(policy, 2, prompt, gen=gen)]
    seen, real = [], ppo.build_batch

    def spy(episodes, pad_id, device):
        seen.append({tuple(e["turns"][0]["prompt_ids"]) for e in episodes})
        return real(episodes, pad_id, device)

    cfg = make_cfg(minibatches=2, micro_batch=2)
    try:
        ppo.build_batch = spy
        ppo.ppo_update(eps, policy, ref, value, *make_optim(policy, value, cfg), cfg, 0, contextlib.nullcontext)
    finally:
        ppo.build_batch = real
    assert len(seen) == 4 and all(len(s) == 1 for s in seen)  # each micro-batch: one problem's 2 samples
