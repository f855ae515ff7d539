"""Stage 4 — RLEF's PPO: a token-level policy with a turn-level value function (paper §2.2, A.1).

A code LLM answers a problem, its program runs against the public tests, the failures come back as
the next user turn, and after at most three turns the final program is judged on all tests: +1 or
−1. This stage trains the LLM end to end on that episode reward with PPO. Each iteration:

  1. collect on-policy episodes on the train split with 03's `collect_episodes`;
  2. score every episode's exact token ids (token-in/token-out) with the policy π (the "old"
     log-probs), the frozen reference ρ (π's initial weights) and the value function V;
  3. the RLEF objective, per turn t (the section "ALGO LOGIC" below):
       (1) KL_t = mean over the turn's response tokens of (log π − log ρ)        (geometric mean)
       (2) R_t  = r_t − β·KL_t,  G_t = Σ_{i≥t} R_i   (r_t: ±1 on public + private tests at the end,
                                                      −0.2 for invalid code before; γ = 1, no GAE)
       (3) A_t  = G_t − V(c_t), whitened, shared by every token of the turn  (V read at the turn's
                                                      last prompt token c_t)
       (4) policy loss: PPO's clipped surrogate per token (ε = 0.2), times the paper's truncated
           importance weight stopgrad(min(π/π_sampler, 1))
       (5) value loss: ½·max((V − G)², (V_clipped − G)²), V clipped to ±α = 0.2 around V_old
  4. one pass over the batch in `--minibatches` AdamW steps.

Commands:

    python 04_ppo.py                                      # the main job's stage 4 (README, "Two commands")
    python 04_ppo.py --fixed_problems 12 --samples 4 ...  # the learning check (README, "Does it learn?")
    python 04_ppo.py --resume                             # continue from runs/ppo/checkpoint
    python 04_ppo.py --preset paper --model meta-llama/Llama-3.1-8B-Instruct --data runs/data/code_contests
    torchrun --nproc_per_node 8 04_ppo.py [--fsdp] ...    # data parallel (+ FSDP2; README, "Scaling out")

Reads `<data>/{train,valid,test}.jsonl` (01). Writes under `--out` (default runs/ppo):
`metrics.jsonl` (one line per iteration), `checkpoint/` (the last state: π in Hugging Face format
+ tokenizer, V, `trainer_state.pt` with optimizers and counters; written to a temp folder, then
renamed), `best/` (the policy with the best valid 1@3: the paper selects on valid),
`eval/iter-NNNNNN.jsonl` (valid episodes); at the end the best policy's test episodes in
`<episodes_dir>/rlef_test.jsonl` (and `rlef_random_test.jsonl` with random feedback).

Implementation details (choices the paper leaves open; the README has the measured reasons):
1. π_old log-probs are recomputed by the learner on the update's own micro-batches, so before the
   first step the ratio is exactly 1, checked on the whole first minibatch (else we stop). The
   sampler's log-probs enter only the truncated importance weight; `sampler_drift` is their mean
   |log π_sampler − log π_learner|.
2. Advantages are whitened over all turns of the iteration. Policy loss: mean over the minibatch's
   response tokens ("token-mean"); value loss: mean over its turns.
3. AdamW per model, linear warm-up then constant, gradient norm clipped to 1 (MAX_GRAD_NORM).
4. Weights stay fp32: π, ρ (π's initial weights, bit for bit) and a resumed π never pass through
   bf16. Forward passes and generation use bf16 autocast where it is fast (03's use_bf16).
5. Dropout is off in every model (it would break the ratio check).
6. Each iteration draws problems uniformly without replacement, --samples episodes each.
   --fixed_problems N trains on the first N train problems, all in every iteration, and evaluates
   on them: a learning curve on a fixed set.
7. The checkpoint is written every --save_every iterations and at the end; Ctrl-C finishes the
   iteration, saves and exits (twice: abort now).
8. Under torchrun rank r collects problems r, r+N, ...; advantage statistics, token and turn counts
   and gradients are reduced over the ranks, so N ranks take the one-process step on the whole batch
   (tests/test_04_distributed.py). Rank 0 evaluates and writes. --fsdp shards π, V, ρ (FSDP2).
9. --value head (the CPU default): V is a zero-initialised linear map from π's detached last hidden
   state at c_t, with its own lr (HEAD_LR); no second LLM (5 instead of 9 forward-equivalents per
   token). --value separate is the paper's value LLM.
10. CPU defaults (--preset paper sets PAPER for every flag not given): 8 problems × 2 samples per
   iteration, lr 5e-6, 2 warm-up steps, training temperature 0.7 (at the paper's 1.0 a 135M model
   solves almost nothing to reinforce), zero-shot prompts with the code fence pre-filled.
11. A minibatch holds whole problems when there are at least as many problems as minibatches. A
   micro-batch of one problem's samples (--micro_batch = --samples) reads their shared prompt once
   and continues every row from its keys and values: the same log-probs and gradients, less work.
"""

import argparse
import ast
import copy
import importlib
import json
import math
import os
import random
import shutil
import signal
import time
from dataclasses import asdict, dataclass, field, fields

import numpy as np
import torch
import torch.distributed as dist
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

rollout = importlib.import_module("03_rollout")
console = Console()


@dataclass
class Config:
    # what to train, on what, where
    model: str = field(default="smollm2-135m", metadata={"help": "initial policy: smollm2-135m (offline), a hub id or a folder"})
    data: str = field(default="runs/data/mini", metadata={"help": "folder with 01's {train,valid,test}.jsonl"})
    out: str = field(default="runs/ppo", metadata={"help": "folder for metrics, checkpoints and valid episodes"})
    episodes_dir: str = field(default="runs/episodes", metadata={"help": "folder for the final test episodes"})
    preset: str = field(default="cpu", metadata={"help": "cpu: these defaults; paper: PAPER's values for flags not given", "choices": ["cpu", "paper"]})
    resume: bool = field(default=False, metadata={"help": "continue from <out>/checkpoint"})
    seed: int = field(default=0, metadata={"help": "seed of python, numpy, torch and each iteration's problems"})
    # how long
    iterations: int = field(default=3, metadata={"help": "PPO iterations (collect + update)"})
    max_minutes: float = field(default=0, metadata={"help": "start no iteration that would end past this much training (0: no limit)"})
    # rollouts (03)
    rollouts: int = field(default=16, metadata={"help": "episodes per iteration (paper: 1024)"})
    samples: int = field(default=2, metadata={"help": "episodes per problem in an iteration"})
    fixed_problems: int = field(default=0, metadata={"help": "learning check: the first N train problems, every iteration (0: off)"})
    turns: int = field(default=3, metadata={"help": "turn limit (paper: 3)"})
    shots: int = field(default=0, metadata={"help": "worked examples in the prompt (paper: 0)"})
    prefill: str = field(default="fence", metadata={"help": "pre-filled start of a function problem's answer", "choices": ["fence", "starter"]})
    max_new_tokens: int = field(default=128, metadata={"help": "max tokens per response"})
    temperature: float = field(default=0.7, metadata={"help": "training sampling temperature (paper: 1.0)"})
    batch_size: int = field(default=32, metadata={"help": "rows per generation batch"})
    # the update
    minibatches: int = field(default=4, metadata={"help": "optimizer steps per iteration (paper: 4)"})
    micro_batch: int = field(default=2, metadata={"help": "episodes per forward/backward; = --samples reads a prompt once"})
    lr: float = field(default=5e-6, metadata={"help": "policy learning rate (paper, 8B: 2e-7)"})
    value_lr: float = field(default=2e-5, metadata={"help": "learning rate of --value separate"})
    warmup_steps: int = field(default=2, metadata={"help": "linear warm-up, in optimizer steps (paper: 50)"})
    weight_decay: float = field(default=0.1, metadata={"help": "AdamW weight decay (paper: 0.1)"})
    # the RLEF objective
    kl_coef: float = field(default=0.05, metadata={"help": "β of the per-turn KL penalty (paper: 0.05)"})
    clip: float = field(default=0.2, metadata={"help": "PPO ratio clip ε (paper: 0.2)"})
    value_clip: float = field(default=0.2, metadata={"help": "value clip α (paper: 0.2)"})
    value: str = field(default="head", metadata={"help": "V: a linear head on π's features, or a separate LLM (paper)", "choices": ["head", "separate"]})
    # evaluation
    eval_every: int = field(default=0, metadata={"help": "evaluate on valid every N iterations and keep the best (0: never)"})
    eval_samples: int = field(default=2, metadata={"help": "valid rollouts per problem at each evaluation"})
    final_samples: int = field(default=2, metadata={"help": "test rollouts per problem at the end (0: skip)"})
    final_random_feedback: bool = field(default=False, metadata={"help": "also evaluate at the end with random feedback"})
    # system
    save_every: int = field(default=1, metadata={"help": "write the checkpoint every N iterations"})
    bf16: str = field(default="auto", metadata={"help": "bf16 autocast: auto (where fast), yes, no", "choices": ["auto", "yes", "no"]})
    fsdp: bool = field(default=False, metadata={"help": "under torchrun: shard π, V, ρ and AdamW states (FSDP2)"})


HEAD_LR = 1e-3  # --value head: a zero-initialised linear probe needs a far larger lr than the LLM
MAX_GRAD_NORM = 1.0  # per model (not given in the paper)
EVAL_TEMPERATURE, EVAL_TOP_P = 0.2, 0.95  # the paper's 1@3 (Table 1)

# `--preset paper`: the paper's Llama 3.1 8B settings (A.1; 800 updates = 200 iterations) and its
# evaluation (Table 1: 200 rollouts per problem). Needs GPUs.
PAPER = dict(rollouts=1024, samples=1, minibatches=4, lr=2e-7, value_lr=2e-7, warmup_steps=50, iterations=3000,
             shots=0, max_new_tokens=2048, temperature=1.0, value="separate", prefill="starter", eval_every=200,
             eval_samples=20, save_every=200, final_samples=200, micro_batch=1)


def parse_config(argv=None):
    """The command line -> Config; --preset paper sets PAPER's values of the flags not given on it."""
    from transformers import HfArgumentParser

    parser = HfArgumentParser(Config)
    (cfg,) = parser.parse_args_into_dataclasses(argv)
    unset = object()  # argparse leaves a flag's namespace entry alone unless the flag is given
    given = parser.parse_args(argv, namespace=argparse.Namespace(**{f.name: unset for f in fields(Config)}))
    for name, value in PAPER.items() if cfg.preset == "paper" else ():
        if getattr(given, name) is unset:
            setattr(cfg, name, value)
    return cfg


# ----------------------------------------------------------------------------------------------
# Models: the policy π (trained), the reference ρ (frozen), the value function V


def disable_dropout(model):
    for m in model.modules():
        if isinstance(m, torch.nn.Dropout):
            m.p = 0.0
    model.eval()  # we never call .train(): nothing in these models behaves differently in training
    return model


def load_policy_and_reference(cfg, ckpt, device):
    """-> (π, ρ, tokenizer) in fp32 (implementation detail 4): π from the checkpoint on --resume,
    else the initial model; ρ = the initial model, frozen."""
    policy, tokenizer = rollout.load_model(ckpt if cfg.resume else cfg.model, device=device, dtype=torch.float32)
    ref = rollout.load_model(cfg.model, device=device, dtype=torch.float32)[0] if cfg.resume else copy.deepcopy(policy)
    return disable_dropout(policy), disable_dropout(ref).requires_grad_(False), tokenizer


def make_value_model(policy, kind="separate"):
    """"head": a zero-initialised linear map from π's last hidden state to a scalar (V starts at 0).
    "separate": a copy of the initial LLM whose LM head is a randomly initialised linear map to a
    scalar (paper §2.2): AutoModelForTokenClassification with one label, trunk copied from π."""
    from transformers import AutoConfig, AutoModelForTokenClassification

    if kind == "head":
        head = torch.nn.Linear(policy.config.hidden_size, 1).to(policy.device)
        torch.nn.init.zeros_(head.weight), torch.nn.init.zeros_(head.bias)
        return head
    vcfg = AutoConfig.for_model(**policy.config.to_dict())
    vcfg.num_labels = 1
    value = AutoModelForTokenClassification.from_config(vcfg, dtype=torch.float32)
    getattr(value, value.base_model_prefix).load_state_dict(getattr(policy, policy.base_model_prefix).state_dict())
    return disable_dropout(value.to(policy.device))


def load_value_model(cfg, policy, ckpt):
    """V for this run: new, or (--resume) the checkpoint's, which must be of the same kind."""
    saved = os.path.join(ckpt, "value_head.pt" if cfg.value == "head" else "value")
    if cfg.resume and not os.path.exists(saved):
        raise SystemExit(f"error: --value {cfg.value} but the checkpoint has no {saved}: resume with the run's --value")
    if cfg.resume and cfg.value == "separate":
        from transformers import AutoModelForTokenClassification

        return disable_dropout(AutoModelForTokenClassification.from_pretrained(saved).to(policy.device)).float()
    value = make_value_model(policy, cfg.value)
    if cfg.resume:
        value.load_state_dict(torch.load(saved))
    return value.float()


# ----------------------------------------------------------------------------------------------
# Episodes -> padded tensors (token-in/token-out: the exact ids that were sampled)


def build_batch(episodes, pad_id, device):
    """Concatenate prompt_ids + response_ids of every turn. Returns right-padded `ids`, `attn`,
    `turn_of` (turn index of each response token, -1 elsewhere), `value_pos` (position of the last
    prompt token before each turn's response), `turn_mask`, the per-turn task rewards `r`, and
    `prefix`, the number of leading tokens every row shares."""
    seqs, turn_of, vpos = [], [], []
    for ep in episodes:
        ids, tid, pos = [], [], []
        for t, turn in enumerate(ep["turns"]):
            ids += turn["prompt_ids"]
            tid += [-1] * len(turn["prompt_ids"])
            pos.append(len(ids) - 1)
            ids += turn["response_ids"]
            tid += [t] * len(turn["response_ids"])
        seqs.append(ids), turn_of.append(tid), vpos.append(pos)
    B, L, T = len(seqs), max(map(len, seqs)), max(len(ep["turns"]) for ep in episodes)
    batch = {
        "ids": torch.full((B, L), pad_id, dtype=torch.long),
        "attn": torch.zeros(B, L, dtype=torch.long),
        "turn_of": torch.full((B, L), -1, dtype=torch.long),
        "value_pos": torch.zeros(B, T, dtype=torch.long),
        "turn_mask": torch.zeros(B, T, dtype=torch.bool),
        "r": torch.zeros(B, T),
    }
    for b, ep in enumerate(episodes):
        n = len(seqs[b])
        batch["ids"][b, :n] = torch.tensor(seqs[b])
        batch["attn"][b, :n] = 1
        batch["turn_of"][b, :n] = torch.tensor(turn_of[b])
        for t, turn in enumerate(ep["turns"]):
            batch["value_pos"][b, t], batch["turn_mask"][b, t], batch["r"][b, t] = vpos[b][t], True, turn["reward"]
    # flat per-token views, in row-major order of the response positions
    act = batch["turn_of"][:, 1:] >= 0  # token i is an action: predicted from position i-1
    rows = torch.arange(B).unsqueeze(1).expand(B, L - 1)[act]
    batch.update(act=act, tok_turn=rows * T + batch["turn_of"][:, 1:][act], T=T)
    batch["sampler_logp"] = torch.tensor([lp for ep in episodes for turn in ep["turns"] for lp in turn["logprobs"]])
    batch["prefix"] = common_prefix(seqs) if B > 1 else 0
    return {k: (v.to(device) if torch.is_tensor(v) else v) for k, v in batch.items()}


def common_prefix(seqs):
    """How many leading tokens every row shares (a problem's samples share their prompt), leaving
    each row at least one token of its own."""
    n = min(map(len, seqs)) - 1
    for i in range(n):
        if any(s[i] != seqs[0][i] for s in seqs):
            return i
    return max(0, n)


def last_hidden(model, batch):
    """The trunk's last hidden states [B, L, H]. Rows that share a prefix (implementation detail 11)
    read it once: its keys and values are expanded to every row, and the rows continue from there."""
    from transformers import DynamicCache

    trunk, ids, attn, P = model.get_decoder(), batch["ids"], batch["attn"], batch.get("prefix", 0)
    if not P:
        return trunk(input_ids=ids, attention_mask=attn).last_hidden_state
    B, L = ids.shape
    head = trunk(input_ids=ids[:1, :P], use_cache=True)
    shared = [(layer.keys.expand(B, -1, -1, -1), layer.values.expand(B, -1, -1, -1)) for layer in head.past_key_values.layers]
    rest = trunk(input_ids=ids[:, P:], attention_mask=attn, use_cache=True,
                 past_key_values=DynamicCache(ddp_cache_data=shared, config=model.config),
                 position_ids=torch.arange(P, L, device=ids.device).expand(B, -1)).last_hidden_state
    return torch.cat([head.last_hidden_state.expand(B, -1, -1), rest], dim=1)


def token_logprobs(model, batch, temperature, return_hidden=False):
    """log π(token) for every response token (flat vector); with return_hidden also the last hidden
    states (for --value head). The LM head runs only where a response token is predicted."""
    hidden = last_hidden(model, batch)
    logits = model.get_output_embeddings()(hidden[:, :-1][batch["act"]]).float() / temperature
    targets = batch["ids"][:, 1:][batch["act"]]
    logp = torch.log_softmax(logits, dim=-1).gather(1, targets.unsqueeze(1)).squeeze(1)
    return (logp, hidden) if return_hidden else logp


def turn_values(value, batch, hidden=None):
    """V(c_t) at the last prompt token of each turn -> [B, T]: the separate value model (its own
    forward pass) or the --value head on π's detached `hidden`."""
    if isinstance(value, torch.nn.Linear):
        pos = batch["value_pos"].unsqueeze(-1).expand(-1, -1, hidden.shape[-1])
        return value(hidden.detach().gather(1, pos).float()).squeeze(-1) * batch["turn_mask"]
    out = value(input_ids=batch["ids"], attention_mask=batch["attn"]).logits.squeeze(-1).float()
    return out.gather(1, batch["value_pos"]) * batch["turn_mask"]


def per_turn_mean(x, batch):
    """Mean of a flat per-token quantity over each (episode, turn) -> [B, T]."""
    B, T = batch["ids"].shape[0], batch["T"]
    total = torch.zeros(B * T, device=x.device).index_add_(0, batch["tok_turn"], x.float())
    count = torch.zeros(B * T, device=x.device).index_add_(0, batch["tok_turn"], torch.ones_like(x, dtype=torch.float))
    return (total / count.clamp(min=1)).view(B, T)


# ----------------------------------------------------------------------------------------------
# ALGO LOGIC: the RLEF objective (paper §2.2), steps (1)-(5) of the module docstring


def turn_kl(logp, ref_logp, batch):
    """(1) KL_t = mean over the turn's response tokens of log π − log ρ -> [B, T]."""
    return per_turn_mean(logp - ref_logp, batch) * batch["turn_mask"]


def turn_returns(task_r, kl, turn_mask, kl_coef):
    """(2) R_t = r_t − β·KL_t;  G_t = Σ_{i≥t} R_i (γ = 1). All [B, T]; padded turns are 0."""
    R = (task_r - kl_coef * kl) * turn_mask
    return R.flip(1).cumsum(1).flip(1) * turn_mask


def whiten(micro, device):
    """(3) A = (A_raw − mean) / std over every turn of the iteration, on all ranks."""
    all_a = torch.cat([mb["A_raw"][mb["turn_mask"]] for mb in micro if not mb.get("dummy")]).double()
    n, total = all_reduce(torch.stack([torch.tensor(all_a.numel(), dtype=torch.float64, device=device), all_a.sum()])).tolist()
    mean = total / n
    std = math.sqrt(all_reduce(((all_a - mean) ** 2).sum()).item() / n) if n > 1 else 1.0
    for mb in micro:
        mb["A"] = (mb["A_raw"] - mean) / (std + 1e-8) * mb["turn_mask"]


def policy_loss(logp, mb, clip, n_tok):
    """(4) Σ over the micro-batch's response tokens of −min(w·A, clip(w)·A), / the minibatch's token
    count n_tok (token-mean); w = π/π_old · stopgrad(min(π/π_sampler, 1)). -> (loss, per-token terms, ratio)."""
    ratio = (logp - mb["old_logp"]).exp()
    weight = ratio * torch.clamp((logp - mb["sampler_logp"]).exp(), max=1.0).detach()
    adv = mb["A"].view(-1)[mb["tok_turn"]]  # the turn's advantage, for each of its tokens
    pg_tok = torch.max(-adv * weight, -adv * weight.clamp(1 - clip, 1 + clip))
    return pg_tok.sum() / n_tok, pg_tok, ratio


def value_loss(v, mb, clip, n_turn):
    """(5) Σ over turns of ½·max((V − G)², (V_clipped − G)²), V clipped to V_old ± α, / the
    minibatch's turn count n_turn."""
    v_clipped = mb["old_v"] + (v - mb["old_v"]).clamp(-clip, clip)
    vl = 0.5 * torch.max((v - mb["G"]) ** 2, (v_clipped - mb["G"]) ** 2)
    return (vl * mb["turn_mask"]).sum() / n_turn


# ----------------------------------------------------------------------------------------------
# One PPO iteration on a batch of episodes


def make_plan(episodes, cfg, pad_id, device):
    """-> minibatches of micro-batches (lists of batch dicts). Implementation detail 11:
    a problem's samples (episodes with the same first prompt) stay in one minibatch."""
    # under torchrun every rank takes the same number of steps: n_mb from the smallest share
    n_mb = int(all_reduce(torch.tensor(min(cfg.minibatches, len(episodes)), device=device), dist.ReduceOp.MIN))
    if n_mb == 0:
        raise RuntimeError("no episodes to train on (on at least one rank)")
    groups = {}
    for i, ep in enumerate(episodes):
        groups.setdefault(tuple(ep["turns"][0]["prompt_ids"]), []).append(i)
    order = list(groups.values()) if len(groups) >= n_mb else [[i] for i in range(len(episodes))]
    random.shuffle(order)
    minibatches = [[i for group in order[k::n_mb] for i in group] for k in range(n_mb)]
    return [[build_batch([episodes[j] for j in idx[k:k + cfg.micro_batch]], pad_id, device)
             for k in range(0, len(idx), cfg.micro_batch)] for idx in minibatches]


@torch.no_grad()
def score(plan, policy, ref, value, cfg, autocast):
    """Steps (1)-(3) before any update: π_old and ρ log-probs, KL_t, G_t, V_old, raw advantages."""
    for mbs in plan:
        for mb in mbs:
            with autocast():
                mb["old_logp"], hidden = token_logprobs(policy, mb, cfg.temperature, return_hidden=True)
                mb["ref_logp"] = token_logprobs(ref, mb, cfg.temperature)
                mb["old_v"] = turn_values(value, mb, hidden)
            mb["kl"] = turn_kl(mb["old_logp"], mb["ref_logp"], mb)
            mb["G"] = turn_returns(mb["r"], mb["kl"], mb["turn_mask"], cfg.kl_coef)
            mb["A_raw"] = (mb["G"] - mb["old_v"]) * mb["turn_mask"]  # (3) before whitening


def ppo_update(episodes, policy, ref, value, opt_pi, opt_v, sched_pi, sched_v, cfg, pad_id, autocast):
    """Score the episodes, compute advantages, take one optimizer step per minibatch. -> metrics."""
    device = policy.device
    plan = make_plan(episodes, cfg, pad_id, device)
    if is_sharded(policy):
        pad_plan_for_fsdp(plan, device)
    score(plan, policy, ref, value, cfg, autocast)
    real = [mb for mbs in plan for mb in mbs if not mb.get("dummy")]
    whiten([mb for mbs in plan for mb in mbs], device)
    # sampler/learner drift: the same tokens scored by the sampler (03) and by the learner, before any step
    drift, n_drift = all_reduce(torch.tensor([sum(float((mb["old_logp"] - mb["sampler_logp"]).abs().sum()) for mb in real),
                                              sum(len(mb["old_logp"]) for mb in real)], dtype=torch.float64, device=device)).tolist()
    stats = {k: [] for k in ("policy_loss", "value_loss", "approx_kl", "clipfrac", "vf_clipfrac")}
    first = None
    for mbs in plan:
        # the minibatch's token and turn counts over ALL ranks: the whole-batch loss is then the sum
        # of the ranks' losses, and its gradient the SUM of their gradients (implementation detail 8)
        n_tok, n_turn = all_reduce(torch.tensor([sum(int(mb["act"].sum()) for mb in mbs if not mb.get("dummy")),
                                                 sum(int(mb["turn_mask"].sum()) for mb in mbs if not mb.get("dummy"))],
                                                dtype=torch.float64, device=device)).tolist()
        for mb in mbs:
            with autocast():
                logp, hidden = token_logprobs(policy, mb, cfg.temperature, return_hidden=True)
                v = turn_values(value, mb, hidden)
            pg, pg_tok, ratio = policy_loss(logp, mb, cfg.clip, n_tok)
            vl = value_loss(v, mb, cfg.value_clip, n_turn)
            ((pg + vl) * (0.0 if mb.get("dummy") else 1.0)).backward()  # one call for both models
            if not mb.get("dummy"):
                record_step(stats, mb, logp, ratio, pg_tok, v, vl * n_turn, cfg)
        if first is None:  # implementation detail 1: before any step the ratio is 1 on every micro-batch
            first = check_first_minibatch(stats, device)
        for model, opt, sched in ((policy, opt_pi, sched_pi), (value, opt_v, sched_v)):
            sum_gradients(model)  # over the ranks (no-op in a single process and under FSDP)
            torch.nn.utils.clip_grad_norm_(model.parameters(), MAX_GRAD_NORM)
            opt.step(), sched.step(), opt.zero_grad(set_to_none=True)
    return update_metrics(stats, real, first, drift / max(1.0, n_drift))


@torch.no_grad()
def record_step(stats, mb, logp, ratio, pg_tok, v, vl_sum, cfg):
    """Per micro-batch diagnostics: approx_kl (k3 estimator of KL(π_old || π)), clip fractions, losses."""
    n_turn = max(1, int(mb["turn_mask"].sum()))
    stats["policy_loss"].append(pg_tok.mean().item())
    stats["value_loss"].append(vl_sum.item() / n_turn)
    stats["approx_kl"].append(((ratio - 1) - (logp - mb["old_logp"])).mean().item())
    stats["clipfrac"].append(((ratio - 1).abs() > cfg.clip).float().mean().item())
    stats["vf_clipfrac"].append((((v - mb["old_v"]).abs() > cfg.value_clip) & mb["turn_mask"]).float().sum().item() / n_turn)


def check_first_minibatch(stats, device):
    """The ratio is 1 on the first minibatch (all ranks), else a dropout, temperature or kernel bug."""
    first = tuple(all_reduce(torch.tensor([max(stats["approx_kl"], default=0.0), max(stats["clipfrac"], default=0.0)],
                                          dtype=torch.float64, device=device), dist.ReduceOp.MAX).tolist())
    if first[0] > 1e-3 or first[1] > 0:
        raise RuntimeError(f"PPO sanity check failed: ratio != 1 on the first minibatch (approx_kl={first[0]:.2e}, "
                           f"clipfrac={first[1]:.3f}); dropout on, a temperature mismatch, or non-deterministic kernels?")
    return first


def explained_variance(pred, target):
    var = target.var(unbiased=False)
    return float("nan") if var == 0 else float(1 - (target - pred).var(unbiased=False) / var)


def update_metrics(stats, real, first, drift):
    """The update's metrics, over all ranks."""
    G, V, kl, G0 = (torch.cat(gather(torch.cat(parts).cpu())) for parts in (
        [mb["G"][mb["turn_mask"]] for mb in real], [mb["old_v"][mb["turn_mask"]] for mb in real],
        [mb["kl"][mb["turn_mask"]] for mb in real], [mb["G"][:, 0] for mb in real]))
    out = {k: float(np.mean([x for part in gather(v) for x in part])) for k, v in stats.items()}
    out.update(first_approx_kl=first[0], first_clipfrac=first[1], sampler_drift=drift, kl_ref=float(kl.mean()),
               explained_variance=explained_variance(V, G), value_mean=float(V.mean()), return_mean=float(G0.mean()))
    return out


# ----------------------------------------------------------------------------------------------
# Reward-hacking watch: a policy that learns finds any reward a program can fake, so every
# iteration counts the final programs that could fake a pass (05 counts the same in its files)

EXITS = {"exit", "quit", "_exit"}  # exit(), quit(), sys.exit(), os._exit()


def fakes_a_pass(code):
    """True if the program exits (exit, quit, sys.exit, os._exit, raise SystemExit) or defines __eq__
    (an object equal to every expected value). A copy of 05's rule: a stage imports only earlier ones."""
    try:
        tree = ast.parse(code or "")
    except (SyntaxError, ValueError):
        return False
    for n in ast.walk(tree):
        func = getattr(n, "func", None)
        if isinstance(n, ast.Call) and (getattr(func, "id", None) or getattr(func, "attr", None)) in EXITS:
            return True
        exc = getattr(n, "exc", None)
        if isinstance(n, ast.Raise) and getattr(getattr(exc, "func", exc), "id", None) == "SystemExit":
            return True
        if isinstance(n, ast.FunctionDef) and n.name == "__eq__":
            return True
    return False


# ----------------------------------------------------------------------------------------------
# Rollouts and evaluation with 03 (1@3: the share of episodes whose final code passes all tests)


def with_progress(description, total, collect):
    """collect(on_episode) under a progress bar of finished episodes (a silent terminal looks hung)."""
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=console) as progress:
        task = progress.add_task(description, total=total)
        return collect(lambda episode: progress.update(task, advance=1))


def collect(sampler, tokenizer, problems, cfg, train, seed, it):
    """The iteration's on-policy episodes: training temperature, no top-p (paper)."""
    settings = rollout.Settings(samples=cfg.samples, turns=cfg.turns, feedback="real", shots=cfg.shots,
                                prefill=cfg.prefill, temperature=cfg.temperature, top_p=1.0,
                                max_new_tokens=cfg.max_new_tokens, seed=seed, batch_size=cfg.batch_size,
                                bf16=cfg.bf16, judge_every_turn=False)
    return with_progress(f"iteration {it}: collecting", len(problems) * cfg.samples, lambda on_episode: rollout.collect_episodes(
        sampler, tokenizer, problems, settings, on_episode=on_episode, demos=train, all_problems=train))


def evaluate(policy, tokenizer, problems, cfg, path, *, samples, model_name, feedback="real", seed=0, train_problems=None):
    """Episodes at the paper's evaluation temperature, written to `path`; -> 1@turns."""
    settings = rollout.Settings(samples=samples, turns=cfg.turns, feedback=feedback, shots=cfg.shots, prefill=cfg.prefill,
                                temperature=EVAL_TEMPERATURE, top_p=EVAL_TOP_P, max_new_tokens=cfg.max_new_tokens,
                                seed=seed, batch_size=cfg.batch_size, bf16=cfg.bf16, judge_every_turn=True)
    episodes = with_progress(f"evaluating -> {path}", len(problems) * samples, lambda on_episode: rollout.collect_episodes(
        policy, tokenizer, problems, settings, on_episode=on_episode, demos=train_problems, all_problems=problems,
        model_name=model_name))
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path + ".tmp", "w") as f:
        f.writelines(json.dumps(ep) + "\n" for ep in episodes)
    os.replace(path + ".tmp", path)
    return float(np.mean([ep["passed_all"] for ep in episodes]))


def episode_metrics(episodes, stats, t_collect, t_update, lr):
    """The iteration's rollout metrics (all ranks' episodes)."""
    n_tok = sum(len(t["response_ids"]) for ep in episodes for t in ep["turns"])
    s_generate = stats.get("s_generate", t_collect)
    return dict(episodes=len(episodes), reward=float(np.mean([ep["reward"] for ep in episodes])),
                solve_rate=float(np.mean([ep["passed_all"] for ep in episodes])),
                public_pass=float(np.mean([ep["passed_public"] for ep in episodes])),
                turns=float(np.mean([len(ep["turns"]) for ep in episodes])), response_tokens=n_tok,
                stop_reasons=rollout.stop_reasons(episodes), tokens_per_s=n_tok / max(1e-9, s_generate),
                s_generate=s_generate, s_sandbox=stats.get("s_sandbox", 0.0), s_collect=t_collect, s_update=t_update,
                lr=lr, finals_faking_a_pass=sum(fakes_a_pass(ep["final_code"]) for ep in episodes))


def load_split(data, split):
    path = os.path.join(data, f"{split}.jsonl")
    if not os.path.exists(path):
        raise SystemExit(f"error: {path} not found (run `python 01_data.py` first)")
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def print_row(it, m):
    """The iteration's metrics as two metric/value column pairs (fits 80 columns)."""
    keys = ["reward", "solve_rate", "public_pass", "turns", "kl_ref", "explained_variance", "policy_loss",
            "value_loss", "approx_kl", "clipfrac", "sampler_drift", "tokens_per_s", "s_generate", "s_sandbox",
            "s_update", "finals_faking_a_pass"]
    table = Table(title=f"04_ppo iteration {it}")
    for name in ("metric", "value", "metric", "value"):
        table.add_column(name, justify="left" if name == "metric" else "right")
    cells = [(k.replace("_", " "), f"{m[k]:.3f}" if isinstance(m.get(k), float) else str(m.get(k))) for k in keys]
    half = (len(cells) + 1) // 2
    for left, right in zip(cells[:half], cells[half:] + [("", "")]):
        table.add_row(*left, *right)
    console.print(table)


def print_curve(path, key):
    """The learning curve from metrics.jsonl: the sampled solve rate of every iteration, `key` (the
    low-temperature 1@turns) where evaluated, and start -> end in points."""
    rows = [json.loads(line) for line in open(path) if line.strip()]
    table = Table("iteration", "sampled solve rate", "", key, "s", title=f"learning curve ({path})")
    pct = lambda x: "" if x is None else f"{100 * x:.1f}%"  # noqa: E731
    for m in rows[::max(1, len(rows) // 40)]:  # at most ~40 rows
        table.add_row(str(m["iteration"]), pct(m["solve_rate"]), "█" * round(20 * m["solve_rate"]), pct(m.get(key)),
                      f"{m['s_collect'] + m['s_update']:.0f}")
    console.print(table)
    curves = [("sampled solve rate", [(m["iteration"], m["solve_rate"]) for m in rows])]
    base = [(0, m[key + "_base"]) for m in rows[:1] if key + "_base" in m]
    curves.append((key, base + [(m["iteration"], m[key]) for m in rows if key in m]))
    console.print("; ".join(f"{name} {pct(c[0][1])} (iteration {c[0][0]}) -> {pct(c[-1][1])} (iteration {c[-1][0]}): "
                            f"{100 * (c[-1][1] - c[0][1]):+.1f} points" for name, c in curves if len(c) > 1))


# ----------------------------------------------------------------------------------------------
# Checkpoints (atomic: write a temp folder, then rename over the old one)


def save_folder(path, write):
    """write(tmp) fills a fresh temp folder, which then replaces `path` (never half a checkpoint)."""
    tmp, old = path + ".tmp", path + ".old"
    for folder in (tmp, old):
        shutil.rmtree(folder, ignore_errors=True)
    write(tmp)
    if os.path.exists(path):
        os.replace(path, old)
    os.replace(tmp, path)
    shutil.rmtree(old, ignore_errors=True)


def save_checkpoint(path, policy, value, tokenizer, opts, state, full=None):
    """opts: (opt_pi, opt_v, sched_pi, sched_v). full: under --fsdp, the gathered state dicts."""
    full, (opt_pi, opt_v, sched_pi, sched_v) = full or {}, opts
    rng = {"python": random.getstate(), "numpy": np.random.get_state(), "torch": torch.get_rng_state()}

    def write(tmp):
        policy.save_pretrained(tmp, state_dict=full.get("policy"))
        tokenizer.save_pretrained(tmp)
        if isinstance(value, torch.nn.Linear):  # --value head
            torch.save(value.state_dict(), os.path.join(tmp, "value_head.pt"))
        else:
            value.save_pretrained(os.path.join(tmp, "value"), state_dict=full.get("value"))
        torch.save({"opt_pi": full.get("opt_pi") or opt_pi.state_dict(), "opt_v": full.get("opt_v") or opt_v.state_dict(),
                    "sched_pi": sched_pi.state_dict(), "sched_v": sched_v.state_dict(), "rng": rng, **state},
                   os.path.join(tmp, "trainer_state.pt"))

    save_folder(path, write)


def checkpoint(cfg, ckpt, policy, value, tokenizer, opts, state):
    """Every rank calls it: under --fsdp all ranks gather the full state, rank 0 writes."""
    full = {}
    if cfg.fsdp:
        full = {"policy": full_state_dict(policy), "opt_pi": full_state_dict(policy, opts[0])}
        if cfg.value == "separate":
            full.update(value=full_state_dict(value), opt_v=full_state_dict(value, opts[1]))
    if not distributed() or dist.get_rank() == 0:
        save_checkpoint(ckpt, policy, value, tokenizer, opts, state, full)
    barrier()


def resume(ckpt, policy, value, opts, state, metrics_path):
    saved = torch.load(os.path.join(ckpt, "trainer_state.pt"), weights_only=False)
    opt_pi, opt_v, sched_pi, sched_v = opts
    load_optimizer_state(policy, opt_pi, saved["opt_pi"]), load_optimizer_state(value, opt_v, saved["opt_v"])
    sched_pi.load_state_dict(saved["sched_pi"]), sched_v.load_state_dict(saved["sched_v"])
    random.setstate(saved["rng"]["python"]), np.random.set_state(saved["rng"]["numpy"])
    torch.set_rng_state(saved["rng"]["torch"])
    state.update({k: saved[k] for k in ("iteration", "best_valid", "best_iteration")})
    if (not distributed() or dist.get_rank() == 0) and os.path.exists(metrics_path):  # drop redone iterations
        with open(metrics_path) as f:
            keep = [line for line in f if line.strip() and json.loads(line)["iteration"] <= state["iteration"]]
        with open(metrics_path + ".tmp", "w") as f:
            f.writelines(keep)
        os.replace(metrics_path + ".tmp", metrics_path)
    console.print(f"resumed from {ckpt} at iteration {state['iteration']}")


# ----------------------------------------------------------------------------------------------
# Main flow


def make_optimizers(cfg, policy, value):
    """-> (opt_pi, opt_v, sched_pi, sched_v): AdamW per model, linear warm-up then constant."""
    warm = lambda step: min(1.0, (step + 1) / max(1, cfg.warmup_steps))  # noqa: E731
    opt_pi = torch.optim.AdamW(policy.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    opt_v = torch.optim.AdamW(value.parameters(), lr=HEAD_LR if cfg.value == "head" else cfg.value_lr,
                              weight_decay=cfg.weight_decay)
    return opt_pi, opt_v, torch.optim.lr_scheduler.LambdaLR(opt_pi, warm), torch.optim.lr_scheduler.LambdaLR(opt_v, warm)


def catch_ctrl_c():
    """Implementation detail 7: the first Ctrl-C asks to stop after this iteration, the second aborts."""
    stop = {"requested": False}

    def on_sigint(signum, frame):
        if stop["requested"]:
            raise KeyboardInterrupt
        stop["requested"] = True
        console.print("[yellow]Ctrl-C: finishing this iteration, then saving (press again to abort now)[/]")

    signal.signal(signal.SIGINT, on_sigint)
    return stop


def evaluate_and_keep_best(sampler, tokenizer, problems, train, cfg, state, it, key):
    """Rank 0: 1@turns on `problems` (valid, or the fixed train problems); the best policy so far
    goes to <out>/best. -> (score, seconds); the other ranks wait."""
    t, score = time.time(), None
    if not distributed() or dist.get_rank() == 0:
        score = evaluate(sampler, tokenizer, problems, cfg, os.path.join(cfg.out, "eval", f"iter-{it:06d}.jsonl"),
                         samples=cfg.eval_samples, model_name=f"{cfg.model} after RLEF iteration {it}",
                         seed=cfg.seed, train_problems=train)
        console.print(f"{key} at iteration {it}: {score:.3f} (best so far {state['best_valid']:.3f})")
        if it > 0 and score > state["best_valid"]:
            state["best_valid"], state["best_iteration"] = score, it
            save_folder(os.path.join(cfg.out, "best"), lambda tmp: (sampler.save_pretrained(tmp), tokenizer.save_pretrained(tmp)))
    barrier()
    return score, time.time() - t


def final_evaluation(cfg, policy, tokenizer, test, train, state):
    """Rank 0: the best policy by valid (else the last one) on the test split, real (and random) feedback."""
    best, it = os.path.join(cfg.out, "best"), state["iteration"]
    if os.path.exists(best):
        policy, it = disable_dropout(rollout.load_model(best)[0]), state["best_iteration"]
    os.makedirs(cfg.episodes_dir, exist_ok=True)
    for name, fb in (("rlef_test", "real"), ("rlef_random_test", "random"))[: 1 + cfg.final_random_feedback]:
        path = os.path.join(cfg.episodes_dir, f"{name}.jsonl")
        score = evaluate(policy, tokenizer, test, cfg, path, samples=cfg.final_samples, feedback=fb, seed=cfg.seed,
                         model_name=f"{cfg.model} after RLEF iteration {it}", train_problems=train)
        console.print(f"test 1@{cfg.turns} of the policy of iteration {it}, feedback {fb}: {score:.3f} -> {path}")


def main(cfg):
    rank, world, device = setup_distributed()  # (0, 1, None) without torchrun
    is_main = rank == 0
    console.quiet = not is_main  # rank 0 prints and writes files; the others only compute
    if cfg.fsdp and not distributed():
        raise SystemExit("error: --fsdp needs torchrun (README, Scaling out)")
    random.seed(cfg.seed), np.random.seed(cfg.seed), torch.manual_seed(cfg.seed)
    train, valid, test = (load_split(cfg.data, s) for s in ("train", "valid", "test"))
    if cfg.fixed_problems:  # the learning check (implementation detail 6): all N problems every iteration
        train = valid = train[:cfg.fixed_problems]
        cfg.rollouts = len(train) * cfg.samples
    n_problems = max(1, cfg.rollouts // cfg.samples)
    if n_problems < world:
        raise SystemExit(f"error: --rollouts / --samples gives fewer problems than the {world} ranks")
    key = f"{'train' if cfg.fixed_problems else 'valid'}_1at{cfg.turns}"
    os.makedirs(cfg.out, exist_ok=True)
    ckpt, metrics_path = os.path.join(cfg.out, "checkpoint"), os.path.join(cfg.out, "metrics.jsonl")
    if cfg.resume and not os.path.exists(os.path.join(ckpt, "trainer_state.pt")):
        raise SystemExit(f"error: --resume but no checkpoint at {ckpt}")
    if not cfg.resume and os.path.exists(metrics_path):
        raise SystemExit(f"error: {cfg.out} already holds a run; pass --resume to continue it or choose another --out")

    # π, ρ, V, the model that generates (π itself, or a plain copy under --fsdp), optimizers
    policy, ref, tokenizer = load_policy_and_reference(cfg, ckpt, "cpu" if cfg.fsdp else device)
    value = load_value_model(cfg, policy, ckpt)
    policy, ref, value, sampler = distribute(cfg, policy, ref, value, device)  # nothing to do in one process
    autocast_on = rollout.use_bf16(cfg.bf16, policy.device)  # the same rule as generation
    autocast = lambda: torch.autocast(policy.device.type, dtype=torch.bfloat16, enabled=autocast_on)  # noqa: E731
    opts = make_optimizers(cfg, policy, value)
    state = {"iteration": 0, "best_valid": -1.0, "best_iteration": None, "config": asdict(cfg)}
    if cfg.resume:
        resume(ckpt, policy, value, opts, state, metrics_path)
    console.print(f"policy {cfg.model} on {policy.device}, bf16 autocast {autocast_on}; "
                  f"{len(train)} train / {len(valid)} valid / {len(test)} test problems")
    stop = catch_ctrl_c()
    t_start, s_eval, base = time.time(), 0.0, None  # evaluation time does not count against --max_minutes

    while state["iteration"] < cfg.iterations and not stop["requested"]:
        it = state["iteration"] + 1
        if it == 1 and cfg.eval_every:  # the curve's starting point
            base, s = evaluate_and_keep_best(sampler, tokenizer, valid, train, cfg, state, 0, key)
            s_eval += s
        # 1. collect this rank's share of the iteration's problems (the same ones again after a resume)
        problems = random.Random(cfg.seed * 100_003 + it).sample(train, min(n_problems, len(train)))[rank::world]
        t0 = time.time()
        episodes = collect(sampler, tokenizer, problems, cfg, train, (cfg.seed * 100_003 + it) * world + rank, it)
        t1 = time.time()
        # 2.-4. score the episodes, the RLEF objective, one optimizer step per minibatch
        console.print(f"iteration {it}: PPO update on {len(episodes)} episodes ({cfg.minibatches} minibatches)")
        m = ppo_update(episodes, policy, ref, value, *opts, cfg, tokenizer.pad_token_id, autocast)
        if cfg.fsdp:
            copy_to_sampler(policy, sampler)
        t2 = time.time()
        state["iteration"] = it
        m.update(iteration=it, **episode_metrics(gather_episodes(episodes), rollout.LAST_STATS, t1 - t0, t2 - t1,
                                                 opts[2].get_last_lr()[0]))
        # --max_minutes: stop if another iteration like this one would end past the budget (rank 0's clock)
        late = is_main and cfg.max_minutes > 0 and time.time() - t_start - s_eval + (t2 - t0) > 60 * cfg.max_minutes
        out_of_time = any_rank(late, policy.device)
        if cfg.eval_every and (it % cfg.eval_every == 0 or it == cfg.iterations or out_of_time):
            m[key], s = evaluate_and_keep_best(sampler, tokenizer, valid, train, cfg, state, it, key)
            s_eval += s
        if base is not None:
            m[key + "_base"], base = base, None
        if is_main:
            with open(metrics_path, "a") as f:
                f.write(json.dumps(m) + "\n")
        print_row(it, m)
        stop["requested"] = any_rank(stop["requested"], policy.device)  # Ctrl-C on any rank stops all
        if it % cfg.save_every == 0 or it == cfg.iterations or stop["requested"] or out_of_time:
            checkpoint(cfg, ckpt, policy, value, tokenizer, opts, state)
        if out_of_time:
            console.print(f"--max_minutes {cfg.max_minutes}: stopping after iteration {it}")
            break
    if is_main:
        print_curve(metrics_path, key)
    if stop["requested"]:
        console.print(f"stopped at iteration {state['iteration']}; continue with --resume")
    elif cfg.final_samples and is_main:
        final_evaluation(cfg, sampler, tokenizer, test, train, state)
    return state


# ----------------------------------------------------------------------------------------------
# APPENDIX: data parallelism under torchrun (README, "Scaling out"; implementation detail 8). Each
# rank collects its share of the episodes; the update reduces advantage statistics, token counts
# and gradients over all ranks, so N ranks take the step one process takes on the whole batch;
# rank 0 alone evaluates and writes files. In a plain `python 04_ppo.py` all of this does nothing.


def setup_distributed():
    """-> (rank, world_size, device). Under torchrun (RANK is set): join the process group, NCCL
    with GPU cuda:LOCAL_RANK, or gloo on CPU. Otherwise (0, 1, None): a single process."""
    if "RANK" not in os.environ:
        return 0, 1, None
    from datetime import timedelta

    cuda = torch.cuda.is_available()
    device = torch.device(f"cuda:{os.environ['LOCAL_RANK']}" if cuda else "cpu")
    if cuda:
        torch.cuda.set_device(device)
    # a long timeout: the other ranks wait at a barrier while rank 0 evaluates
    dist.init_process_group("nccl" if cuda else "gloo", timeout=timedelta(hours=6))
    return dist.get_rank(), dist.get_world_size(), device


def distributed():
    return dist.is_available() and dist.is_initialized()


def all_reduce(t, op=dist.ReduceOp.SUM):
    """In-place all-reduce of a tensor over the ranks; returns it (a no-op in a single process)."""
    if distributed():
        dist.all_reduce(t, op=op)
    return t


def any_rank(flag, device):
    return bool(all_reduce(torch.tensor(int(flag), device=device), dist.ReduceOp.MAX))


def gather(obj):
    """[obj of rank 0, obj of rank 1, ...] (small picklable objects); [obj] in a single process."""
    if not distributed():
        return [obj]
    out = [None] * dist.get_world_size()
    dist.all_gather_object(out, obj)
    return out


def gather_episodes(episodes):
    """Every rank's episodes, for the metrics (sent without prompt ids and log-probs)."""
    if not distributed():
        return episodes
    light = [{**ep, "turns": [{"response_ids": t["response_ids"]} for t in ep["turns"]]} for ep in episodes]
    return [ep for part in gather(light) for ep in part]


def barrier():
    if distributed():
        dist.barrier()


def sum_gradients(model):
    """Sum each gradient over the ranks: DistributedDataParallel's all-reduce, done by hand once
    per minibatch, so ranks may run different numbers of micro-batches. FSDP reduces its own."""
    if distributed() and not is_sharded(model):
        params = [p for p in model.parameters() if p.requires_grad]
        for p in params:
            if p.grad is None:  # this rank's micro-batches did not reach it
                p.grad = torch.zeros_like(p)
        for work in [dist.all_reduce(p.grad, async_op=True) for p in params]:
            work.wait()


def distribute(cfg, policy, ref, value, device):
    """-> (π, ρ, V, sampler). Data parallel: every rank starts from rank 0's weights, as DDP does.
    --fsdp: π, ρ and a separate V are sharded; a plain copy of π (bf16 on GPUs) generates."""
    sampler = policy
    if distributed() and not cfg.fsdp:
        for p in [*policy.parameters(), *value.parameters()]:
            dist.broadcast(p.data, 0)
    if cfg.fsdp:
        sampler = copy.deepcopy(policy).to(device, torch.bfloat16 if device.type == "cuda" else torch.float32)
        policy, ref = shard(policy), shard(ref)
        value = value if cfg.value == "head" else shard(value)  # the head is tiny: every rank keeps all of it
    return policy, ref, value, sampler


def is_sharded(model):
    from torch.distributed.fsdp import FSDPModule

    return any(isinstance(m, FSDPModule) for m in model.modules())


def shard(model):
    """--fsdp: FSDP2 units = each decoder layer, the decoder, and every other child with parameters
    (the LM head, or V's scalar head). Parameters, gradients and AdamW states are split over the
    ranks and gathered layer by layer in each forward. The decoder and the head (not the root) are
    units because token_logprobs calls them directly. Gradients are summed, not averaged (see
    ppo_update). Tied input/output embeddings would be shared by two units: not supported."""
    from torch.distributed.fsdp import fully_shard

    decoder = getattr(model, model.base_model_prefix)
    head = model.get_output_embeddings()
    if head is not None and head.weight is decoder.get_input_embeddings().weight:
        raise SystemExit("error: --fsdp needs a model with untied input/output embeddings (Llama 3.1 8B has them); "
                         "this one ties them: run without --fsdp (plain data parallelism)")
    children = [m for name, m in model.named_children() if name != model.base_model_prefix and any(True for _ in m.parameters())]
    for unit in [*decoder.layers, decoder, *children]:
        fully_shard(unit)
        unit.set_gradient_divide_factor(1.0)  # a plain sum (gloo has no pre-scaled sum: force SUM)
        unit.set_force_sum_reduction_for_comms(True)
    return model


def pad_plan_for_fsdp(plan, device):
    """FSDP gathers weights in every forward, so all ranks run as many micro-batches per minibatch:
    the missing ones repeat the last one with loss weight 0."""
    counts = all_reduce(torch.tensor([len(mbs) for mbs in plan], device=device), dist.ReduceOp.MAX)
    for mbs, n in zip(plan, counts.tolist()):
        mbs += [{**mbs[-1], "dummy": True} for _ in range(n - len(mbs))]


def full_state_dict(model, optimizer=None):
    """--fsdp: the whole (unsharded) state dict of a model, or of its optimizer, on rank 0's CPU
    (empty on the other ranks; every rank must call it)."""
    from torch.distributed.checkpoint.state_dict import StateDictOptions, get_model_state_dict, get_optimizer_state_dict

    options = StateDictOptions(full_state_dict=True, cpu_offload=True)
    if optimizer is None:
        return get_model_state_dict(model, options=options)
    return get_optimizer_state_dict(model, optimizer, options=options)


def load_optimizer_state(model, optimizer, saved):
    """--resume: plain `load_state_dict`, or under FSDP the full state saved by full_state_dict."""
    if not is_sharded(model):
        return optimizer.load_state_dict(saved)
    from torch.distributed.checkpoint.state_dict import StateDictOptions, set_optimizer_state_dict

    set_optimizer_state_dict(model, optimizer, saved, options=StateDictOptions(full_state_dict=True))


@torch.no_grad()
def copy_to_sampler(policy, sampler):
    """--fsdp: copy the sharded policy's weights, one gathered tensor at a time, into the plain
    model that generates the rollouts."""
    target = dict(sampler.named_parameters())
    for name, p in policy.named_parameters():
        target[name].copy_(p.full_tensor())


if __name__ == "__main__":
    main(parse_config())
    if distributed():
        dist.destroy_process_group()
