"""Stage 4 — RLEF's PPO: a token-level policy with a turn-level value function.

This is the method of the paper (§2.2 and A.1). Each iteration:

  1. collect on-policy multi-turn episodes on the train split with 03's `collect_episodes`
     (no top-p/top-k; temperature 1.0 in the paper, 0.7 by default here: implementation detail 10);
  2. rebuild every episode's exact token sequence from the recorded ids (token-in/token-out),
     and score it with the policy π (the "old" log-probs), the frozen reference ρ and the value
     model V — one forward pass per model per micro-batch;
  3. per turn t:  KL_t = mean over the turn's response tokens of (log π − log ρ)   (geometric mean)
                  R_t  = r_t − β·KL_t          (r_t: +1/−1 at the end on public + private tests,
                                                −0.2 for invalid code before)
                  G_t  = Σ_{i≥t} R_i           (γ = 1, no GAE)
                  A_t  = G_t − V(c_t)          (V read at the last token of the turn's prompt)
     the advantage is normalised and shared by every token of the turn;
  4. one pass of PPO over the batch in minibatches: clipped surrogate per token (ε = 0.2) with the
     paper's truncated importance weight stopgrad(min(π/π_sampler, 1)), clipped value loss (0.2),
     AdamW (weight decay 0.1, linear warm-up), gradient clipping, gradient accumulation.

Commands:

    python 04_ppo.py                                      # defaults: 135M offline model, mini train split, CPU
    python 04_ppo.py --value head --max_minutes 30 --iterations 1000   # the CPU learning benchmark (README)
    python 04_ppo.py --resume                             # continue from runs/ppo/checkpoint
    python 04_ppo.py --fixed_problems 12 --samples 4 ...  # the learning check (README, "Does it learn?")
    python 04_ppo.py --iterations 2 --rollouts 4 ...      # a smoke run
    python 04_ppo.py --preset paper --model meta-llama/Llama-3.1-8B-Instruct --data runs/data/code_contests
    torchrun --nproc_per_node 2 04_ppo.py ...             # data parallel: gloo on CPU, NCCL on GPUs
    torchrun --nproc_per_node 8 04_ppo.py --fsdp ...      # + FSDP2 sharding (README, "Scaling out")

Reads: `<data>/{train,valid,test}.jsonl` (01). Writes under `--out` (default runs/ppo):
`metrics.jsonl` (one line per iteration), `checkpoint/` (the last state: policy in Hugging Face
format + tokenizer, `value/` model, `trainer_state.pt` with optimizers and counters; written to a
temp folder and renamed), `best/` (the policy with the best valid 1@3, as the paper selects on
valid), `eval/iter-NNNNNN.jsonl` (valid-split episodes); and at the end the best policy's test-split
episodes in `runs/episodes/rlef_test.jsonl` (plus `rlef_random_test.jsonl` with random feedback).

Implementation details (choices the paper leaves open):
1. π_old log-probs (for the ratio and for the KL) are recomputed by the learner on the same
   micro-batches, in the same order, as the update pass, so before the first optimizer step the
   ratio is exactly 1 — checked on every micro-batch of the first minibatch, every iteration
   (approx_kl and clipfrac must be ~0, else we stop). The sampler's log-probs only enter the
   truncated importance weight; the metric `sampler_drift`, their mean |log π_sampler − log π_learner|
   before the first step, shows how far generation and learner disagree (other kernels, engines).
2. Advantages are whitened over all turns of the iteration's batch (mean 0, std 1), then
   broadcast to the turn's tokens. Policy loss: mean over all response tokens of the minibatch
   ("token-mean"). Value loss: ½·max of clipped/unclipped squared error, mean over turns.
3. Separate AdamW optimizers for π and V (V's head starts random, so it gets its own lr);
   linear warm-up then constant; one pass over the batch (paper: 1024 rollouts, 4 updates of 256).
4. Weights stay fp32 (small lr updates vanish in bf16): π, ρ (π's initial weights, bit for bit) and
   a resumed π are loaded in fp32, never through bf16. Forward passes run under bf16 autocast
   where it is fast (CUDA, and CPUs with AMX); on CPUs without it fp32 is faster (03's use_bf16).
5. Dropout is disabled in all three models (it makes the ratio ≠ 1 at the first minibatch).
6. Problems are drawn uniformly without replacement for each iteration, `--samples` rollouts
   each; the paper says only "sample problems", without groups or a group baseline.
   --fixed_problems N instead trains on the first N train problems, all N every iteration
   (--rollouts = N x --samples), and evaluates (--eval_every) on those same problems: a learning
   curve on a fixed set, not a sample of different problems per iteration.
7. A checkpoint (the last one) is written every `--save-every` iterations and at the end; Ctrl-C
   finishes the running iteration, writes a checkpoint and exits (press twice to abort now).
8. Under torchrun, rank r collects the episodes of problems r, r+N, ... of the iteration's sample.
   Advantage statistics, each minibatch's token and turn counts and the gradients (summed over the
   ranks once per minibatch, the all-reduce DDP would do) are global, so an N-rank update equals
   the one-process update on the whole batch (tests/test_04_distributed.py). Rank 0 evaluates and
   writes every file. --fsdp shards π, V, ρ and AdamW states (FSDP2); rollouts then come from a
   plain copy of π, refreshed after each update.
9. --value head (an option; the default is the paper's separate value model): V is a linear map
   from π's last hidden state at the turn's last prompt token, on detached features, zero-
   initialised, with its own AdamW (--head_lr). It needs no second LLM: the update runs 5 instead of
   9 forward-equivalents per token (π_old, ρ, π forward+backward) and holds one model less. Its
   value loss never reaches π's weights, so the policy update is the same as with a separate V
   given the same advantages; V itself is weaker (a probe of π's features, not a fine-tuned LLM).
10. CPU defaults (the 135M model on 2 cores; `--preset paper` sets the paper's values, PAPER, of
   every flag not given on the command line):
   16 rollouts of 8 problems x 2 samples per iteration, 4 minibatches, lr 5e-6, 2 warm-up steps,
   training temperature 0.7 (at 1.0 the 135M model solved 0 of the 16 episodes of our first
   iteration, leaving PPO nothing to reinforce), zero-shot prompts with only the code fence
   pre-filled for function problems (03, implementation detail 2). --max_minutes stops starting
   iterations when the time budget would be exceeded. Measured (README, "Results"): 30 minutes at
   lr 2e-5 (5 iterations) made the policy worse — train solve rate 19% -> 0%, test 1@3 8.3% ->
   4.2%, responses without code 4 -> 22 of 48 — hence 5e-6. With the defaults (3 iterations) the
   test 1@3 went 6.2% -> 12.5% (seed 0), 6.2% -> 8.3% (seed 1), and 6.2% -> 4.2% (seed 0 with
   --micro_batch 2): a few solved episodes either way, run-to-run noise more than learning.
11. Minibatches are made of whole problems (every sample of a problem in the same minibatch) when
   there are at least as many problems as minibatches, else of single episodes. A micro-batch whose
   rows begin with the same tokens (a problem's samples: --micro_batch = --samples) reads that
   prompt once and continues every row from its keys and values: the same log-probs and gradients
   as reading each row whole (tests/test_04_ppo.py), with the prompt computed once instead of
   once per sample (README, "Does it learn?", for the time it saves).
12. --baseline group (an ablation, not the paper's method): the advantage subtracts the mean return
   of the other samples of the same problem instead of V(c_t) (leave-one-out, as in RLOO); the value
   function is still trained and its explained variance reported.
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
import sys
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
    model: str = field(default="smollm2-135m", metadata={"help": "policy init: alias smollm2-135m (offline), HF id or local folder"})
    data: str = field(default="runs/data/mini", metadata={"help": "folder with {train,valid,test}.jsonl from 01_data.py"})
    out: str = field(default="runs/ppo", metadata={"help": "output folder (metrics, checkpoints, eval episodes)"})
    episodes_dir: str = field(default="runs/episodes", metadata={"help": "where the final test-split episodes go"})
    preset: str = field(default="cpu", metadata={"help": "cpu: the defaults below | paper: the paper's 8B values (PAPER) for every flag not given", "choices": ["cpu", "paper"]})
    iterations: int = field(default=3, metadata={"help": "PPO iterations (collect + update); see also --max_minutes"})
    max_minutes: float = field(default=0, metadata={"help": "time budget: start no iteration that would end after this many minutes of training (judged by the last iteration's duration; 0: no limit)"})
    rollouts: int = field(default=16, metadata={"help": "episodes collected per iteration (paper: 1024)"})
    samples: int = field(default=2, metadata={"help": "episodes per problem within an iteration (rollouts/samples problems)"})
    fixed_problems: int = field(default=0, metadata={"help": "learning check: train on the first N train problems, all of them every iteration, and evaluate on them instead of valid (0: off)"})
    minibatches: int = field(default=4, metadata={"help": "optimizer steps per iteration (paper: 4 of 256)"})
    micro_batch: int = field(default=1, metadata={"help": "episodes per forward/backward (gradient accumulation); set it to --samples to read a problem's prompt once"})
    turns: int = field(default=3, metadata={"help": "turn limit (paper: 3)"})
    shots: int = field(default=0, metadata={"help": "worked demonstrations in the prompt (03 --shots); 0 = the paper's prompt"})
    prefill: str = field(default="fence", metadata={"help": "function problems: fence | starter (03 --prefill)", "choices": ["fence", "starter"]})
    max_new_tokens: int = field(default=128, metadata={"help": "max tokens per response"})
    temperature: float = field(default=0.7, metadata={"help": "training sampling temperature, no top-p/top-k (paper: 1.0; the 135M model solved 0 of 16 train episodes at 1.0)"})
    lr: float = field(default=5e-6, metadata={"help": "policy learning rate (paper 8B: 2e-7)"})
    value: str = field(default="separate", metadata={"help": "separate: a copy of the LLM with a scalar head (the paper) | head: a linear head on π's last hidden state, detached (no second LLM: 5 instead of 9 forward-equivalents per token)", "choices": ["separate", "head"]})
    baseline: str = field(default="value", metadata={"help": "what advantages subtract: value (V(c_t), the paper) | group (the mean return of the problem's other samples)", "choices": ["value", "group"]})
    value_lr: float = field(default=2e-5, metadata={"help": "learning rate of the separate value model (its head starts random)"})
    head_lr: float = field(default=1e-3, metadata={"help": "learning rate of --value head (a linear probe needs a far larger one)"})
    weight_decay: float = field(default=0.1, metadata={"help": "AdamW weight decay (paper: 0.1)"})
    warmup_steps: int = field(default=2, metadata={"help": "linear warm-up in optimizer steps (paper: 50)"})
    max_grad_norm: float = field(default=1.0, metadata={"help": "gradient clipping (global norm) per model"})
    kl_coef: float = field(default=0.05, metadata={"help": "β of the per-turn KL penalty (paper: 0.05)"})
    clip: float = field(default=0.2, metadata={"help": "PPO ratio clip ε (paper: 0.2)"})
    value_clip: float = field(default=0.2, metadata={"help": "value clip α (paper: 0.2)"})
    truncated_is: bool = field(default=True, metadata={"help": "multiply by stopgrad(min(π/π_sampler, 1)) (paper)"})
    eval_every: int = field(default=0, metadata={"help": "evaluate on the valid split every N iterations and keep the best policy (0: never, the last policy is final; the CPU default, evaluation costs as much as training here)"})
    eval_samples: int = field(default=2, metadata={"help": "valid-split rollouts per problem at each evaluation"})
    eval_temperature: float = field(default=0.2, metadata={"help": "evaluation temperature (paper: 0.2, top-p 0.95)"})
    final_samples: int = field(default=2, metadata={"help": "test-split rollouts per problem for the final evaluation (0: skip)"})
    final_random_feedback: bool = field(default=False, metadata={"help": "also evaluate the best policy with random feedback"})
    save_every: int = field(default=1, metadata={"help": "write the checkpoint every N iterations (and at the end)"})
    resume: bool = field(default=False, metadata={"help": "continue from <out>/checkpoint"})
    batch_size: int = field(default=32, metadata={"help": "generation batch size (03)"})
    bf16: str = field(default="auto", metadata={"help": "bf16 autocast for forward passes: auto | yes | no"})
    seed: int = field(default=0, metadata={"help": "seeds python, numpy, torch and the per-iteration sampling"})
    fsdp: bool = field(default=False, metadata={"help": "under torchrun: shard π, V, ρ and AdamW states (FSDP2; README)"})


# `--preset paper`: the paper's Llama 3.1 8B settings (A.1; 800 updates = 200 iterations) and its
# evaluation (Table 1: 1@3 at temperature 0.2, top-p 0.95, 200 rollouts per problem). Needs GPUs.
PAPER = dict(rollouts=1024, samples=1, minibatches=4, lr=2e-7, value_lr=2e-7, warmup_steps=50, iterations=3000,
             shots=0, max_new_tokens=2048, temperature=1.0, value="separate", prefill="starter", eval_every=200,
             eval_samples=20, save_every=200, eval_temperature=0.2, final_samples=200)


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
# Models: policy π (trained), reference ρ (frozen), value V (separate LLM + random scalar head)


def disable_dropout(model):
    for m in model.modules():
        if isinstance(m, torch.nn.Dropout):
            m.p = 0.0
    model.eval()  # we never call .train(): nothing in these models behaves differently in training
    return model


def load_policy_and_reference(cfg, ckpt, device):
    """-> (π, ρ, tokenizer), both models in fp32 (implementation detail 4): π from the checkpoint on
    --resume, else the initial model; ρ = the initial model, frozen. Never through bf16 (03's CUDA
    default): ρ would differ from π at iteration 1 (KL ≠ 0), and a resume would round away updates."""
    policy, tokenizer = rollout.load_model(ckpt if cfg.resume else cfg.model, device=device, dtype=torch.float32)
    ref = rollout.load_model(cfg.model, device=device, dtype=torch.float32)[0] if cfg.resume else copy.deepcopy(policy)
    return disable_dropout(policy), disable_dropout(ref).requires_grad_(False), tokenizer


def make_value_model(policy, kind="separate"):
    """kind "head" (--value head): a zero-initialised linear map from π's last hidden state to a
    scalar, read on detached features, so V starts at 0 and never moves π's weights.
    kind "separate": a copy of the initial LLM whose LM head is replaced by a randomly initialised linear map to
    a scalar (paper §2.2): AutoModelForTokenClassification with one label, trunk copied from π."""
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


# ----------------------------------------------------------------------------------------------
# Data parallelism under torchrun (README, "Scaling out"). Each rank collects its share of the
# episodes; the update reduces advantage statistics, token counts and gradients over all ranks, so
# N ranks take the same step as one process with the whole batch; rank 0 alone evaluates and
# writes files. Plain `python 04_ppo.py` is a world of one rank and none of this does anything.


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


def gather(obj):
    """[obj of rank 0, obj of rank 1, ...] (small picklable objects); [obj] in a single process."""
    if not distributed():
        return [obj]
    out = [None] * dist.get_world_size()
    dist.all_gather_object(out, obj)
    return out


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


def full_state_dict(model, optimizer=None):
    """--fsdp: the whole (unsharded) state dict of a model, or of its optimizer, on rank 0's CPU
    (empty on the other ranks; every rank must call it)."""
    from torch.distributed.checkpoint.state_dict import StateDictOptions, get_model_state_dict, get_optimizer_state_dict

    options = StateDictOptions(full_state_dict=True, cpu_offload=True)
    if optimizer is None:
        return get_model_state_dict(model, options=options)
    return get_optimizer_state_dict(model, optimizer, options=options)


def barrier():
    if distributed():
        dist.barrier()


def load_optimizer_state(model, optimizer, saved):
    """--resume: plain `load_state_dict`, or under FSDP the full state saved by full_state_dict."""
    if not is_sharded(model):
        return optimizer.load_state_dict(saved)
    from torch.distributed.checkpoint.state_dict import StateDictOptions, set_optimizer_state_dict

    set_optimizer_state_dict(model, optimizer, saved, options=StateDictOptions(full_state_dict=True))


@torch.no_grad()
def copy_to_sampler(policy, sampler):
    """--fsdp: copy the sharded policy's weights, one gathered tensor at a time, into the plain
    (unsharded) model that generates the rollouts (HF generate cannot run on a sharded model
    while the ranks stop at different steps)."""
    target = dict(sampler.named_parameters())
    for name, p in policy.named_parameters():
        target[name].copy_(p.full_tensor())


# ----------------------------------------------------------------------------------------------
# Episodes -> padded tensors (token-in/token-out: the exact ids that were sampled)


def build_batch(episodes, pad_id, device):
    """Concatenate prompt_ids + response_ids of every turn. Returns right-padded `ids`, `attn`,
    `turn_of` (turn index of each response token, -1 elsewhere), `value_pos` (position of the last
    prompt token before each turn's response), `turn_mask`, and per-turn task rewards `r`."""
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
    """How many leading tokens every row shares (the samples of one problem share their prompt),
    leaving each row at least one token of its own."""
    n = min(map(len, seqs)) - 1
    for i in range(n):
        if any(s[i] != seqs[0][i] for s in seqs):
            return i
    return max(0, n)


def last_hidden(model, batch):
    """The trunk's last hidden states [B, L, H]. Rows that share a prefix (implementation detail 11)
    read it once: its keys and values are expanded to every row and the rows continue from there,
    which gives the same states (and gradients) as reading every row whole, at a fraction of the cost."""
    from transformers import DynamicCache

    trunk, ids, attn, P = model.get_decoder(), batch["ids"], batch["attn"], batch.get("prefix", 0)
    if not P:
        return trunk(input_ids=ids, attention_mask=attn).last_hidden_state
    B, L = ids.shape
    head = trunk(input_ids=ids[:1, :P], use_cache=True)
    shared = [(layer.keys.expand(B, -1, -1, -1), layer.values.expand(B, -1, -1, -1)) for layer in head.past_key_values.layers]
    cache = DynamicCache(ddp_cache_data=shared, config=model.config)
    rest = trunk(input_ids=ids[:, P:], attention_mask=attn, past_key_values=cache, use_cache=True,
                 position_ids=torch.arange(P, L, device=ids.device).expand(B, -1)).last_hidden_state
    return torch.cat([head.last_hidden_state.expand(B, -1, -1), rest], dim=1)


def token_logprobs(model, batch, temperature, return_hidden=False):
    """log π(token) for every response token (flat vector); with return_hidden also the last hidden
    states (for --value head). The LM head runs only on the positions that predict a response
    token, which saves most of the vocabulary projection."""
    hidden = last_hidden(model, batch)
    h = hidden[:, :-1][batch["act"]]
    logits = model.get_output_embeddings()(h).float() / temperature
    targets = batch["ids"][:, 1:][batch["act"]]
    logp = torch.log_softmax(logits, dim=-1).gather(1, targets.unsqueeze(1)).squeeze(1)
    return (logp, hidden) if return_hidden else logp


def turn_values(value, batch, hidden=None):
    """V(c_t): the value at the last prompt token of each turn -> [B, T]. `value` is the separate
    value model (its own forward pass) or the --value head, applied to π's detached `hidden`."""
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
# RLEF's returns and advantages (turn level)


def turn_returns(task_r, kl, turn_mask, kl_coef):
    """R_t = r_t − β·KL_t;  G_t = Σ_{i≥t} R_i (γ = 1). All [B, T]; padded turns are 0."""
    R = (task_r - kl_coef * kl) * turn_mask
    return R.flip(1).cumsum(1).flip(1) * turn_mask


def explained_variance(pred, target):
    var = target.var(unbiased=False)
    return float("nan") if var == 0 else float(1 - (target - pred).var(unbiased=False) / var)


# ----------------------------------------------------------------------------------------------
# One PPO iteration on a batch of episodes


@torch.no_grad()
def score_batches(micro, policy, ref, value, cfg, autocast):
    """π_old, ρ log-probs, per-turn KL, returns, V_old for every micro-batch (stored in place)."""
    for mb in micro:
        with autocast():
            mb["old_logp"], hidden = token_logprobs(policy, mb, cfg.temperature, return_hidden=True)
            mb["ref_logp"] = token_logprobs(ref, mb, cfg.temperature)
            mb["old_v"] = turn_values(value, mb, hidden)
        mb["kl"] = per_turn_mean(mb["old_logp"] - mb["ref_logp"], mb) * mb["turn_mask"]
        mb["G"] = turn_returns(mb["r"], mb["kl"], mb["turn_mask"], cfg.kl_coef)
        mb["A_raw"] = (mb["G"] - mb["old_v"]) * mb["turn_mask"]


def group_baseline(plan, groups):
    """--baseline group: A_t = G_t − b with b the mean episode return G_1 of the other samples of the
    same problem (same first prompt; leave-one-out, so b does not depend on the episode itself; 0 for
    a problem sampled once). Replaces V(c_t) in the advantages; V is still trained and reported."""
    G1 = {j: float(mb["G"][row, 0]) for mbs in plan for mb in mbs if not mb.get("dummy")
          for row, j in enumerate(mb["episode_index"])}
    b = {}
    for members in groups:
        total = sum(G1[j] for j in members)
        for j in members:
            b[j] = (total - G1[j]) / (len(members) - 1) if len(members) > 1 else 0.0
    for mbs in plan:
        for mb in mbs:
            base = torch.tensor([b[j] for j in mb["episode_index"]], device=mb["G"].device).unsqueeze(1)
            mb["A_raw"] = (mb["G"] - base) * mb["turn_mask"]


def ppo_update(episodes, policy, ref, value, opt_pi, opt_v, sched_pi, sched_v, cfg, pad_id, autocast):
    """Score, compute advantages, and take `cfg.minibatches` optimizer steps. Returns metrics."""
    device = policy.device
    # under torchrun every rank takes the same number of steps: n_mb from the smallest share
    n_mb = int(all_reduce(torch.tensor(min(cfg.minibatches, len(episodes)), device=device), dist.ReduceOp.MIN))
    if n_mb == 0:
        raise RuntimeError("no episodes to train on (on at least one rank)")
    # minibatches of whole problems: the episodes that start with the same prompt (a problem's
    # samples) stay together, so a micro-batch reads that prompt once (implementation detail 11);
    # single episodes when there are fewer problems than minibatches
    groups = {}
    for i, ep in enumerate(episodes):
        groups.setdefault(tuple(ep["turns"][0]["prompt_ids"]), []).append(i)
    order = list(groups.values()) if len(groups) >= n_mb else [[i] for i in range(len(episodes))]
    random.shuffle(order)
    minibatches = [[i for group in order[k::n_mb] for i in group] for k in range(n_mb)]
    plan = [[{**build_batch([episodes[j] for j in idx[k:k + cfg.micro_batch]], pad_id, device),
              "episode_index": idx[k:k + cfg.micro_batch]}
             for k in range(0, len(idx), cfg.micro_batch)] for idx in minibatches]
    if is_sharded(policy):  # FSDP gathers weights in every forward: all ranks run as many micro-batches
        counts = all_reduce(torch.tensor([len(mbs) for mbs in plan], device=device), dist.ReduceOp.MAX)
        for mbs, n in zip(plan, counts.tolist()):
            mbs += [{**mbs[-1], "dummy": True} for _ in range(n - len(mbs))]  # repeats, loss weight 0
    micro = [mb for mbs in plan for mb in mbs]
    real = [mb for mb in micro if not mb.get("dummy")]
    score_batches(micro, policy, ref, value, cfg, autocast)
    if cfg.baseline == "group":
        group_baseline(plan, groups.values())
    # sampler/learner drift: the same tokens scored by the sampler (03) and by the learner, before any step
    drift, n_drift = all_reduce(torch.tensor([sum(float((mb["old_logp"] - mb["sampler_logp"]).abs().sum()) for mb in real),
                                              sum(len(mb["old_logp"]) for mb in real)], dtype=torch.float64, device=device)).tolist()
    # whiten advantages over every turn of the iteration's batch, on all ranks (implementation detail 2)
    all_a = torch.cat([mb["A_raw"][mb["turn_mask"]] for mb in real]).double()
    n, total = all_reduce(torch.stack([torch.tensor(all_a.numel(), dtype=torch.float64, device=device), all_a.sum()])).tolist()
    mean = total / n
    std = math.sqrt(all_reduce(((all_a - mean) ** 2).sum()).item() / n) if n > 1 else 1.0
    for mb in micro:
        mb["A"] = (mb["A_raw"] - mean) / (std + 1e-8) * mb["turn_mask"]

    stats = {k: [] for k in ("policy_loss", "value_loss", "approx_kl", "clipfrac", "vf_clipfrac")}
    first = None
    for mbs in plan:
        # Token and turn counts of the minibatch over ALL ranks. The whole-batch loss
        # Σ_tokens pg / n_tok + Σ_turns vl / n_turn is the sum of the ranks' local losses (their own
        # tokens over the global counts), so its gradient is the SUM of the ranks' gradients:
        # sum_gradients all-reduces with SUM, FSDP has divide factor 1 (DDP's mean would need loss × N).
        n_tok, n_turn = all_reduce(torch.tensor([sum(int(mb["act"].sum()) for mb in mbs if not mb.get("dummy")),
                                                 sum(int(mb["turn_mask"].sum()) for mb in mbs if not mb.get("dummy"))],
                                                dtype=torch.float64, device=device)).tolist()
        for mb in mbs:
            with autocast():
                logp, hidden = token_logprobs(policy, mb, cfg.temperature, return_hidden=True)
                v = turn_values(value, mb, hidden)
            log_ratio = logp - mb["old_logp"]
            ratio = log_ratio.exp()  # π_θ / π_old per token
            adv = mb["A"].view(-1)[mb["tok_turn"]]  # the turn's advantage, for each of its tokens
            weight = ratio
            if cfg.truncated_is:  # paper: × stopgrad(min(π/π_b, 1)) with π_b = the sampler
                weight = ratio * torch.clamp((logp - mb["sampler_logp"]).exp(), max=1.0).detach()
            pg_tok = torch.max(-adv * weight, -adv * weight.clamp(1 - cfg.clip, 1 + cfg.clip))
            pg = pg_tok.sum() / n_tok
            v_clipped = mb["old_v"] + (v - mb["old_v"]).clamp(-cfg.value_clip, cfg.value_clip)
            vl = 0.5 * torch.max((v - mb["G"]) ** 2, (v_clipped - mb["G"]) ** 2)
            vl = (vl * mb["turn_mask"]).sum() / n_turn
            ((pg + vl) * (0.0 if mb.get("dummy") else 1.0)).backward()  # separate models: the sum saves a call
            if mb.get("dummy"):
                continue
            with torch.no_grad():
                akl = ((ratio - 1) - log_ratio).mean().item()  # k3 estimator of KL(π_old || π_θ)
                cf = ((ratio - 1).abs() > cfg.clip).float().mean().item()
                vcf = (((v - mb["old_v"]).abs() > cfg.value_clip) & mb["turn_mask"]).float().sum().item()
                vcf /= max(1, int(mb["turn_mask"].sum()))
            stats["policy_loss"].append(pg_tok.mean().item())
            for k, x in (("value_loss", vl.item() * n_turn / max(1, int(mb["turn_mask"].sum()))),
                         ("approx_kl", akl), ("clipfrac", cf), ("vf_clipfrac", vcf)):
                stats[k].append(x)
        if first is None:  # implementation detail 1: before any step the ratio is 1 on every micro-batch (all ranks)
            first = tuple(all_reduce(torch.tensor([max(stats["approx_kl"], default=0.0), max(stats["clipfrac"], default=0.0)],
                                                  dtype=torch.float64, device=device), dist.ReduceOp.MAX).tolist())
            if first[0] > 1e-3 or first[1] > 0:
                raise RuntimeError(f"PPO sanity check failed: ratio != 1 on the first minibatch "
                                   f"(approx_kl={first[0]:.2e}, clipfrac={first[1]:.3f}); dropout on, a "
                                   "temperature mismatch, or non-deterministic kernels?")
        for model, opt, sched in ((policy, opt_pi, sched_pi), (value, opt_v, sched_v)):
            sum_gradients(model)  # over the ranks (no-op in a single process and under FSDP)
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.max_grad_norm)
            opt.step(), sched.step(), opt.zero_grad(set_to_none=True)

    G = torch.cat([mb["G"][mb["turn_mask"]] for mb in real])
    V = torch.cat([mb["old_v"][mb["turn_mask"]] for mb in real])
    kl = torch.cat([mb["kl"][mb["turn_mask"]] for mb in real])
    G0 = torch.cat([mb["G"][:, 0] for mb in real])
    G, V, kl, G0 = (torch.cat(gather(x.cpu())) for x in (G, V, kl, G0))  # metrics over all ranks
    stats = {k: [x for part in gather(v) for x in part] for k, v in stats.items()}
    out = {k: float(np.mean(v)) for k, v in stats.items()}
    out.update(first_approx_kl=first[0], first_clipfrac=first[1], sampler_drift=drift / max(1.0, n_drift),
               kl_ref=float(kl.mean()), explained_variance=explained_variance(V, G), value_mean=float(V.mean()),
               return_mean=float(G0.mean()))
    return out


# ----------------------------------------------------------------------------------------------
# Checkpoints (atomic: write a temp folder, then rename over the old one)


def save_checkpoint(path, policy, value, tokenizer, opt_pi, opt_v, sched_pi, sched_v, state, full=None):
    """full: under --fsdp, the gathered {"policy", "value", "opt_pi", "opt_v"} state dicts."""
    full = full or {}
    tmp = path + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    policy.save_pretrained(tmp, state_dict=full.get("policy"))
    tokenizer.save_pretrained(tmp)
    if isinstance(value, torch.nn.Linear):  # --value head
        torch.save(value.state_dict(), os.path.join(tmp, "value_head.pt"))
    else:
        value.save_pretrained(os.path.join(tmp, "value"), state_dict=full.get("value"))
    torch.save({"opt_pi": full.get("opt_pi") or opt_pi.state_dict(), "opt_v": full.get("opt_v") or opt_v.state_dict(),
                "sched_pi": sched_pi.state_dict(),
                "sched_v": sched_v.state_dict(), "rng": {"python": random.getstate(), "numpy": np.random.get_state(),
                                                         "torch": torch.get_rng_state()}, **state},
               os.path.join(tmp, "trainer_state.pt"))
    old = path + ".old"
    shutil.rmtree(old, ignore_errors=True)
    if os.path.exists(path):
        os.replace(path, old)
    os.replace(tmp, path)
    shutil.rmtree(old, ignore_errors=True)


def save_policy(path, policy, tokenizer):
    tmp = path + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    policy.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    shutil.rmtree(path, ignore_errors=True)
    os.replace(tmp, path)


def truncate_metrics(path, iteration):
    """On resume, drop metric lines of iterations after the checkpoint (they will be redone)."""
    if not os.path.exists(path):
        return
    with open(path) as f:
        keep = [line for line in f if line.strip() and json.loads(line)["iteration"] <= iteration]
    with open(path + ".tmp", "w") as f:
        f.writelines(keep)
    os.replace(path + ".tmp", path)


# ----------------------------------------------------------------------------------------------
# Reward-hacking watch: a policy that learns finds any reward a program can fake, so every iteration
# counts the final programs that could fake a pass (05 counts the same on its episode files)

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
# Evaluation: 1@3 = share of rollouts whose final code passes all tests (one rollout per budget)


def with_progress(description, total, collect):
    """collect(on_episode) under a progress bar of finished episodes: collecting and evaluating
    take minutes on a CPU, and a silent terminal looks hung."""
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=console) as progress:
        task = progress.add_task(description, total=total)
        return collect(lambda episode: progress.update(task, advance=1))


def evaluate(policy, tokenizer, problems, cfg, path, *, samples, feedback="real", seed=0, train_problems=None):
    def run(on_episode):
        return rollout.collect_episodes(
            policy, tokenizer, problems, samples=samples, turns=cfg.turns, temperature=cfg.eval_temperature,
            top_p=0.95, feedback=feedback, shots=cfg.shots, max_new_tokens=cfg.max_new_tokens,
            batch_size=cfg.batch_size, seed=seed, judge_every_turn=True, demos=train_problems,
            all_problems=problems, prefill_mode=cfg.prefill, on_episode=on_episode, bf16=cfg.bf16)

    episodes = with_progress(f"evaluating -> {path}", len(problems) * samples, run)
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path + ".tmp", "w") as f:
        for ep in episodes:
            f.write(json.dumps({**ep, "model": f"04_ppo:{path}"}) + "\n")
    os.replace(path + ".tmp", path)
    return float(np.mean([ep["passed_all"] for ep in episodes]))


# ----------------------------------------------------------------------------------------------
# Main flow


def load_split(data, split):
    path = os.path.join(data, f"{split}.jsonl")
    if not os.path.exists(path):
        raise SystemExit(f"error: {path} not found (run `python 01_data.py` first)")
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def print_row(it, m):
    """The iteration's metrics as a narrow table (two metric/value column pairs): fits 80 columns."""
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
    """The run's learning curve from metrics.jsonl: the sampled solve rate of every iteration (at
    most ~40 rows shown), `key` (the low-temperature 1@T) where evaluated, and start -> end."""
    rows = [json.loads(line) for line in open(path) if line.strip()]
    if not rows:
        return
    table = Table(title=f"learning curve ({path})")
    for name in ("iteration", "sampled solve rate", "", key, "s"):
        table.add_column(name, justify="left" if name == "" else "right")
    pct = lambda x: "" if x is None else f"{100 * x:.1f}%"  # noqa: E731
    evals = [(0, rows[0][key + "_base"])] if key + "_base" in rows[0] else []
    evals += [(m["iteration"], m[key]) for m in rows if key in m]
    shown = rows[:: max(1, len(rows) // 40)]
    for m in shown + rows[-1:] * (shown[-1] is not rows[-1]):
        table.add_row(str(m["iteration"]), pct(m["solve_rate"]), "█" * round(20 * m["solve_rate"]), pct(m.get(key)),
                      f"{m['s_collect'] + m['s_update']:.0f}")
    console.print(table)
    first, last = rows[0]["solve_rate"], rows[-1]["solve_rate"]
    line = (f"sampled solve rate {pct(first)} (iteration 1) -> {pct(last)} (iteration {rows[-1]['iteration']}): "
            f"{100 * (last - first):+.1f} points")
    if len(evals) > 1:
        (i0, e0), (i1, e1) = evals[0], evals[-1]
        line += f"; {key} {pct(e0)} (iteration {i0}) -> {pct(e1)} (iteration {i1}): {100 * (e1 - e0):+.1f} points"
    console.print(line)


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
    if cfg.rollouts // cfg.samples < world:
        raise SystemExit(f"error: --rollouts / --samples gives fewer problems than the {world} ranks")
    eval_key = f"{'train' if cfg.fixed_problems else 'valid'}_1at{cfg.turns}"
    os.makedirs(cfg.out, exist_ok=True)
    ckpt, metrics_path = os.path.join(cfg.out, "checkpoint"), os.path.join(cfg.out, "metrics.jsonl")
    if cfg.resume and not os.path.exists(os.path.join(ckpt, "trainer_state.pt")):
        raise SystemExit(f"error: --resume but no checkpoint at {ckpt}")
    if not cfg.resume and os.path.exists(metrics_path):
        raise SystemExit(f"error: {cfg.out} already holds a run; pass --resume to continue it or choose another --out")

    load_on = "cpu" if cfg.fsdp else device  # FSDP: each rank moves only its shards to its GPU
    policy, ref, tokenizer = load_policy_and_reference(cfg, ckpt, load_on)
    saved_value = os.path.join(ckpt, "value_head.pt" if cfg.value == "head" else "value")
    if cfg.resume and not os.path.exists(saved_value):
        raise SystemExit(f"error: --value {cfg.value} but the checkpoint has no {saved_value}: resume with the run's --value")
    if cfg.resume and cfg.value == "separate":
        from transformers import AutoModelForTokenClassification

        value = disable_dropout(AutoModelForTokenClassification.from_pretrained(saved_value).to(policy.device))
    else:
        value = make_value_model(policy, cfg.value)
        if cfg.resume:
            value.load_state_dict(torch.load(saved_value))
    value.float()  # fp32 master weights (implementation detail 4)
    sampler = policy  # the model that generates the rollouts
    if distributed() and not cfg.fsdp:  # as DDP does: every rank starts from rank 0's weights
        for p in [*policy.parameters(), *value.parameters()]:
            dist.broadcast(p.data, 0)
    if cfg.fsdp:  # shard π, V and ρ; a plain copy of π (bf16 on GPUs) generates the rollouts
        sampler = copy.deepcopy(policy).to(device, torch.bfloat16 if device.type == "cuda" else torch.float32)
        policy, ref = shard(policy), shard(ref)
        value = value if cfg.value == "head" else shard(value)  # the head is tiny: every rank keeps all of it
    autocast_on = rollout.use_bf16(cfg.bf16, policy.device)  # the same rule as generation
    autocast = lambda: torch.autocast(policy.device.type, dtype=torch.bfloat16, enabled=autocast_on)  # noqa: E731
    warm = lambda step: min(1.0, (step + 1) / max(1, cfg.warmup_steps))  # noqa: E731
    opt_pi = torch.optim.AdamW(policy.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    opt_v = torch.optim.AdamW(value.parameters(), lr=cfg.head_lr if cfg.value == "head" else cfg.value_lr,
                              weight_decay=cfg.weight_decay)
    sched_pi = torch.optim.lr_scheduler.LambdaLR(opt_pi, warm)
    sched_v = torch.optim.lr_scheduler.LambdaLR(opt_v, warm)
    state = {"iteration": 0, "best_valid": -1.0, "best_iteration": None, "config": asdict(cfg)}
    if cfg.resume:
        saved = torch.load(os.path.join(ckpt, "trainer_state.pt"), weights_only=False)
        load_optimizer_state(policy, opt_pi, saved["opt_pi"]), load_optimizer_state(value, opt_v, saved["opt_v"])
        sched_pi.load_state_dict(saved["sched_pi"]), sched_v.load_state_dict(saved["sched_v"])
        random.setstate(saved["rng"]["python"]), np.random.set_state(saved["rng"]["numpy"])
        torch.set_rng_state(saved["rng"]["torch"])
        state.update({k: saved[k] for k in ("iteration", "best_valid", "best_iteration")})
        if is_main:
            truncate_metrics(metrics_path, state["iteration"])
        console.print(f"resumed from {ckpt} at iteration {state['iteration']}")
    console.print(f"policy {cfg.model} on {policy.device}, bf16 autocast {autocast_on}; "
                  f"{len(train)} train / {len(valid)} valid / {len(test)} test problems")

    stop = {"requested": False}  # implementation detail 7: Ctrl-C ends after this iteration

    def on_sigint(signum, frame):
        if stop["requested"]:
            raise KeyboardInterrupt
        stop["requested"] = True
        console.print("[yellow]Ctrl-C: finishing this iteration, then saving (press again to abort now)[/]")

    signal.signal(signal.SIGINT, on_sigint)

    def checkpoint():  # with FSDP every rank first helps to gather the full state; rank 0 writes
        full = {}
        if cfg.fsdp:
            full = {"policy": full_state_dict(policy), "opt_pi": full_state_dict(policy, opt_pi)}
            if cfg.value == "separate":
                full.update(value=full_state_dict(value), opt_v=full_state_dict(value, opt_v))
        if is_main:
            save_checkpoint(ckpt, policy, value, tokenizer, opt_pi, opt_v, sched_pi, sched_v, state, full)
        barrier()

    def maybe_evaluate(it):
        if not is_main:  # rank 0 evaluates; the other ranks wait for it
            return barrier()
        t = time.time()
        score = evaluate(sampler, tokenizer, valid, cfg, os.path.join(cfg.out, "eval", f"iter-{it:06d}.jsonl"),
                         samples=cfg.eval_samples, seed=cfg.seed, train_problems=train)
        console.print(f"{eval_key} at iteration {it}: {score:.3f} (best so far {state['best_valid']:.3f})")
        if it > 0 and score > state["best_valid"]:
            state["best_valid"], state["best_iteration"] = score, it
            save_policy(os.path.join(cfg.out, "best"), sampler, tokenizer)
        spent["eval"] += time.time() - t  # evaluation is not training: --max_minutes leaves it out
        barrier()
        return score

    n_problems = max(1, cfg.rollouts // cfg.samples)
    t_start, last_s, out_of_budget, spent = time.time(), 0.0, False, {"eval": 0.0}

    def out_of_time():  # --max_minutes; rank 0's clock decides for every rank
        late = bool(cfg.max_minutes) and time.time() - t_start - spent["eval"] + last_s > 60 * cfg.max_minutes
        return bool(all_reduce(torch.tensor(int(late) if is_main else 0, device=policy.device), dist.ReduceOp.MAX))

    while state["iteration"] < cfg.iterations and not stop["requested"]:
        if out_of_budget:
            console.print(f"--max_minutes {cfg.max_minutes}: stopping after iteration {state['iteration']}")
            if state["iteration"] % cfg.save_every:
                checkpoint()
            break
        it = state["iteration"] + 1
        valid_score = maybe_evaluate(0) if it == 1 and cfg.eval_every else None
        rng = random.Random(cfg.seed * 100_003 + it)  # the same problems again after a resume
        batch = rng.sample(train, min(n_problems, len(train)))[rank::world]  # this rank's share
        t0 = time.time()

        def run(on_episode):
            return rollout.collect_episodes(
                sampler, tokenizer, batch, samples=cfg.samples, turns=cfg.turns, temperature=cfg.temperature,
                top_p=1.0, feedback="real", shots=cfg.shots, max_new_tokens=cfg.max_new_tokens,
                batch_size=cfg.batch_size, seed=(cfg.seed * 100_003 + it) * world + rank, judge_every_turn=False,
                demos=train, all_problems=train, prefill_mode=cfg.prefill, on_episode=on_episode, bf16=cfg.bf16)

        episodes = with_progress(f"iteration {it}: collecting", len(batch) * cfg.samples, run)
        t1 = time.time()
        console.print(f"iteration {it}: PPO update on {len(episodes)} episodes ({cfg.minibatches} minibatches)")
        m = ppo_update(episodes, policy, ref, value, opt_pi, opt_v, sched_pi, sched_v, cfg,
                       tokenizer.pad_token_id, autocast)
        if cfg.fsdp:
            copy_to_sampler(policy, sampler)
        t2 = time.time()
        last_s = t2 - t0
        out_of_budget = out_of_time()  # decided now, so that the last iteration is evaluated
        if distributed():  # metrics over all ranks' episodes (sent without prompt ids and log-probs)
            episodes = [ep for part in gather([{**ep, "turns": [{"response_ids": t["response_ids"]} for t in ep["turns"]]}
                                               for ep in episodes]) for ep in part]
        n_tok = sum(len(t["response_ids"]) for ep in episodes for t in ep["turns"])
        stats = getattr(rollout, "LAST_STATS", {})
        m.update(iteration=it, episodes=len(episodes), reward=float(np.mean([ep["reward"] for ep in episodes])),
                 solve_rate=float(np.mean([ep["passed_all"] for ep in episodes])),
                 public_pass=float(np.mean([ep["passed_public"] for ep in episodes])),
                 turns=float(np.mean([len(ep["turns"]) for ep in episodes])), response_tokens=n_tok,
                 stop_reasons=rollout.stop_reasons(episodes),
                 tokens_per_s=n_tok / max(1e-9, stats.get("s_generate", t1 - t0)),
                 s_generate=stats.get("s_generate", t1 - t0), s_sandbox=stats.get("s_sandbox", 0.0),
                 s_collect=t1 - t0, s_update=t2 - t1, lr=sched_pi.get_last_lr()[0],
                 finals_faking_a_pass=sum(fakes_a_pass(ep["final_code"]) for ep in episodes))
        state["iteration"] = it
        if cfg.eval_every and (it % cfg.eval_every == 0 or it == cfg.iterations or out_of_budget):
            m[eval_key] = maybe_evaluate(it)
        if valid_score is not None:
            m[eval_key + "_base"] = valid_score
        if is_main:
            with open(metrics_path, "a") as f:
                f.write(json.dumps(m) + "\n")
        print_row(it, m)
        # Ctrl-C on any rank: all ranks stop after this iteration
        stop["requested"] = bool(all_reduce(torch.tensor(int(stop["requested"]), device=policy.device), dist.ReduceOp.MAX))
        if it % cfg.save_every == 0 or it == cfg.iterations or stop["requested"]:
            checkpoint()
    if is_main:
        print_curve(metrics_path, eval_key)
    if stop["requested"]:
        console.print(f"stopped at iteration {state['iteration']}; continue with --resume")
        return state

    # final evaluation of the best policy (by valid) on the test split (rank 0)
    policy = sampler
    if cfg.final_samples and is_main:
        best = os.path.join(cfg.out, "best")
        if os.path.exists(best):
            policy = disable_dropout(rollout.load_model(best)[0])
        os.makedirs(cfg.episodes_dir, exist_ok=True)
        for name, fb in (("rlef_test", "real"), ("rlef_random_test", "random"))[: 1 + cfg.final_random_feedback]:
            path = os.path.join(cfg.episodes_dir, f"{name}.jsonl")
            score = evaluate(policy, tokenizer, test, cfg, path, samples=cfg.final_samples, feedback=fb,
                             seed=cfg.seed, train_problems=train)
            which = (f"the best policy (valid, iteration {state['best_iteration']})" if os.path.exists(best)
                     else f"the last policy (iteration {state['iteration']})")
            console.print(f"test 1@{cfg.turns} of {which}, feedback {fb}: {score:.3f} -> {path}")
    return state


if __name__ == "__main__":
    main(parse_config())
    if distributed():
        dist.destroy_process_group()
