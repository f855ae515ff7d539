"""Stage 4 — RLEF's PPO: a token-level policy with a turn-level value function (paper §2.2, A.1).

A code LLM answers a problem, its program runs against the public tests, the failures come back as
the next user turn; after at most three turns the final program is judged on all tests: +1 or −1.
This stage trains the LLM end to end on that episode reward with PPO. Each iteration:

  1. collect on-policy episodes on the train split with 03's `collect_episodes`;
  2. score their exact token ids with the policy π (the "old" log-probs), the frozen reference ρ
     (π's initial weights) and the value function V;
  3. the RLEF objective per turn t (the section "ALGO LOGIC" below):
       (1) KL_t = mean over the turn's response tokens of (log π − log ρ)        (geometric mean)
       (2) R_t = r_t − β·KL_t,  G_t = Σ_{i≥t} R_i    (r_t: ±1 on all tests at the end, −0.2 for invalid
                                                      code before; γ = 1, no GAE)
       (3) A_t = G_t − V(c_t) at the turn's last prompt token c_t, whitened, for every token of the turn
       (4) policy loss: PPO's clipped surrogate per token (ε = 0.2) times the paper's truncated
           importance weight stopgrad(min(π/π_sampler, 1))
       (5) value loss: ½·max((V − G)², (V_clipped − G)²), V clipped to V_old ± α (α = 0.2)
  4. one pass over the batch in `--minibatches` AdamW steps.

Commands:

    python 04_ppo.py --value head                         # the main job's stage 4 (README, "Two commands")
    python 04_ppo.py --fixed_problems 12 --samples 4 ...  # the learning check (README, "Does it learn?")
    python 04_ppo.py --preset paper --model meta-llama/Llama-3.1-8B-Instruct --data runs/data/code_contests
    torchrun --nproc_per_node 8 04_ppo.py [--fsdp] ...    # data parallel (+ FSDP2; README, "Scaling out")

Reads `<data>/{train,valid,test}.jsonl` (01). Writes under `--out`: `metrics.jsonl`, `checkpoint/` (π in
Hugging Face format, V, `trainer_state.pt`), `best/` (the best valid 1@3: the paper selects on valid),
`eval/iter-NNNNNN.jsonl`; at the end `<episodes_dir>/rlef_test.jsonl` (and `rlef_random_test.jsonl`).

Implementation details (choices the paper leaves open; the README has the measured reasons):
1. The learner recomputes π_old, so the ratio is exactly 1 on the whole first minibatch (else we stop).
   The sampler's log-probs enter only the importance weight (and `sampler_drift`).
2. Advantages are whitened over all turns of the iteration. Policy loss: mean over the minibatch's
   response tokens; value loss: mean over its turns.
3. AdamW per model, linear warm-up then constant, gradient norm clipped to 1.
4. Weights stay fp32 (ρ is π's initial weights bit for bit, a resumed π is exact); forward passes
   and generation use bf16 autocast where it is fast (03's use_bf16).
5. Dropout is off in every model (it would break the ratio check).
6. Problems are drawn uniformly without replacement, --samples episodes each. --fixed_problems N
   trains and evaluates on the first N train problems, all of them every iteration.
7. A checkpoint every --save_every iterations and at the end (a temp folder, renamed); --resume continues
   from it. Ctrl-C finishes the iteration, saves and exits (twice: abort now).
8. Under torchrun rank r collects problems r, r+N, ...; advantage statistics, token and turn counts
   and gradients are summed over the ranks: N ranks take the one-process step. --fsdp shards π, V, ρ.
9. --value head (the default): V is a zero-initialised linear map on π's detached last hidden state,
   with its own lr (HEAD_LR), no second LLM. --value separate is the paper's value LLM.
10. CPU defaults (--preset paper sets PAPER for every flag not given): 8 problems × 2 samples, lr 5e-6,
   temperature 0.7 (at 1.0 a 135M model solves almost nothing), zero-shot, code fence pre-filled.
11. A minibatch holds whole problems when it can; --micro_batch = --samples reads a problem's shared
   prompt once (worth it at 1 turn; the default 1 spares padding 3-turn samples of unequal length).
"""

import ast
import copy
import importlib
import json
import os
import random
import shutil
import signal
import time
from dataclasses import asdict, dataclass, field
from datetime import timedelta

import numpy as np
import torch
import torch.distributed as dist
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from transformers import AutoConfig, AutoModelForTokenClassification, DynamicCache, HfArgumentParser

rollout = importlib.import_module("03_rollout")
console = Console()


def flag(default, text, **kw):
    """A Config field: its default, its one-clause help, argparse extras (choices)."""
    return field(default=default, metadata={"help": text, **kw})


@dataclass
class Config:
    # what to train, on what, where, how long
    model: str = flag("smollm2-135m", "initial policy: smollm2-135m (offline), a hub id or a folder")
    data: str = flag("runs/data/mini", "folder with 01's {train,valid,test}.jsonl")
    out: str = flag("runs/ppo", "folder for metrics, checkpoints and valid episodes")
    episodes_dir: str = flag("runs/episodes", "folder for the final test episodes")
    preset: str = flag("cpu", "cpu: these defaults; paper: PAPER for flags not given", choices=["cpu", "paper"])
    resume: bool = flag(False, "continue from <out>/checkpoint")
    seed: int = flag(0, "seed of python, numpy, torch and each iteration's problems")
    iterations: int = flag(3, "PPO iterations (collect + update)")
    max_minutes: float = flag(0, "start no iteration that would end past this much training (0: no limit)")
    # rollouts (03)
    rollouts: int = flag(16, "episodes per iteration (paper: 1024)")
    samples: int = flag(2, "episodes per problem in an iteration")
    fixed_problems: int = flag(0, "learning check: the first N train problems, every iteration (0: off)")
    turns: int = flag(3, "turn limit (paper: 3)")
    shots: int = flag(0, "worked examples in the prompt (paper: 0)")
    prefill: str = flag("fence", "pre-filled start of a function problem's answer", choices=["fence", "starter"])
    max_new_tokens: int = flag(128, "max tokens per response")
    temperature: float = flag(0.7, "training sampling temperature (paper: 1.0)")
    batch_size: int = flag(32, "rows per generation batch")
    # the update
    minibatches: int = flag(4, "optimizer steps per iteration (paper: 4)")
    micro_batch: int = flag(1, "episodes per forward/backward; = --samples reads a prompt once")
    lr: float = flag(5e-6, "policy learning rate (paper, 8B: 2e-7)")
    value_lr: float = flag(2e-5, "learning rate of --value separate")
    warmup_steps: int = flag(2, "linear warm-up, in optimizer steps (paper: 50)")
    weight_decay: float = flag(0.1, "AdamW weight decay (paper: 0.1)")
    # the RLEF objective
    kl_coef: float = flag(0.05, "β of the per-turn KL penalty (paper: 0.05)")
    clip: float = flag(0.2, "PPO ratio clip ε (paper: 0.2)")
    value_clip: float = flag(0.2, "value clip α (paper: 0.2)")
    value: str = flag("head", "V: a head on π's features, or (paper) a separate LLM", choices=["head", "separate"])
    # evaluation
    eval_every: int = flag(0, "evaluate on valid every N iterations and keep the best (0: never)")
    eval_samples: int = flag(2, "valid rollouts per problem at each evaluation")
    final_samples: int = flag(2, "test rollouts per problem at the end (0: skip)")
    final_random_feedback: bool = flag(False, "also evaluate at the end with random feedback")
    # system
    save_every: int = flag(1, "write the checkpoint every N iterations")
    bf16: str = flag("auto", "bf16 autocast: auto (where fast), yes, no", choices=["auto", "yes", "no"])
    fsdp: bool = flag(False, "under torchrun: shard π, V, ρ and AdamW states (FSDP2)")


HEAD_LR = 1e-3  # --value head: a zero-initialised linear probe needs a far larger lr than the LLM
MAX_GRAD_NORM = 1.0  # per model (not given in the paper)
EVAL_TEMPERATURE, EVAL_TOP_P = 0.2, 0.95  # the paper's 1@3 (Table 1)

# --preset paper: the paper's Llama 3.1 8B settings (A.1; 800 updates = 200 iterations), 1@3 on 200 rollouts
PAPER = dict(rollouts=1024, samples=1, minibatches=4, lr=2e-7, value_lr=2e-7, warmup_steps=50, iterations=3000,
             shots=0, max_new_tokens=2048, temperature=1.0, value="separate", prefill="starter", eval_every=200,
             eval_samples=20, save_every=200, final_samples=200, micro_batch=1)


def parse_config(argv=None):
    """The command line -> Config; --preset paper sets PAPER's values of the flags not given on it."""
    parser = HfArgumentParser(Config)
    if parser.parse_args(argv).preset == "paper":
        parser.set_defaults(**PAPER)  # new defaults: the flags given still win
    return parser.parse_args_into_dataclasses(argv)[0]


# ----------------------------------------------------------------------------------------------
# Models (the policy π, trained; the reference ρ, frozen; the value function V) and episodes -> padded
# tensors (token-in/token-out: the exact ids that were sampled)


def disable_dropout(model):
    return model.eval()  # dropout off; we never call .train() (nothing else in these models differs in training)


def load_policy_and_reference(cfg, ckpt, device):
    """-> (π, ρ, tokenizer) in fp32; π is the checkpoint's on --resume, ρ the initial model, frozen."""
    policy, tokenizer = rollout.load_model(ckpt if cfg.resume else cfg.model, device=device, dtype=torch.float32)
    ref = rollout.load_model(cfg.model, device=device, dtype=torch.float32)[0] if cfg.resume else copy.deepcopy(policy)
    return disable_dropout(policy), disable_dropout(ref).requires_grad_(False), tokenizer


def make_value_model(policy, kind="separate", saved=None):
    """"head": a zero-initialised linear map from π's last hidden state to a scalar (V starts at 0);
    "separate": the paper's value LLM, π's trunk with a new random scalar head. saved: --resume's weights."""
    if kind == "head":
        value = torch.nn.Linear(policy.config.hidden_size, 1).to(policy.device)
        torch.nn.init.zeros_(value.weight), torch.nn.init.zeros_(value.bias)
    else:
        vcfg = AutoConfig.for_model(**policy.config.to_dict())
        vcfg.num_labels = 1
        value = AutoModelForTokenClassification.from_config(vcfg, dtype=torch.float32)
        getattr(value, value.base_model_prefix).load_state_dict(getattr(policy, policy.base_model_prefix).state_dict())
        value = disable_dropout(value.to(policy.device))
    if saved:
        value.load_state_dict(torch.load(saved))
    return value


def build_batch(episodes, pad_id, device):
    """Every turn's prompt_ids + response_ids, right-padded: `ids`, `attn`, `act` (the response tokens);
    per turn [B, T] `value_pos` (c_t), `turn_mask`, task rewards `r`; per response token (flat) its turn
    `tok_turn` and `sampler_logp`; `prefix`, the number of leading tokens every row shares."""
    seqs = [[x for turn in ep["turns"] for x in turn["prompt_ids"] + turn["response_ids"]] for ep in episodes]
    B, L, T = len(seqs), max(map(len, seqs)), max(len(ep["turns"]) for ep in episodes)
    ids, attn = torch.full((B, L), pad_id, dtype=torch.long), torch.zeros(B, L, dtype=torch.long)
    turn_of, value_pos = torch.full((B, L), -1, dtype=torch.long), torch.zeros(B, T, dtype=torch.long)
    turn_mask, r = torch.zeros(B, T, dtype=torch.bool), torch.zeros(B, T)
    for b, ep in enumerate(episodes):
        ids[b, :len(seqs[b])], attn[b, :len(seqs[b])] = torch.tensor(seqs[b]), 1
        end = 0
        for t, turn in enumerate(ep["turns"]):
            end += len(turn["prompt_ids"])
            value_pos[b, t], turn_mask[b, t], r[b, t] = end - 1, True, turn["reward"]
            turn_of[b, end:end + len(turn["response_ids"])] = t
            end += len(turn["response_ids"])
    act = turn_of[:, 1:] >= 0  # token i is an action: predicted from position i-1
    rows = torch.arange(B).unsqueeze(1).expand(B, L - 1)[act]
    batch = dict(ids=ids, attn=attn, value_pos=value_pos, turn_mask=turn_mask, r=r, act=act,
                 tok_turn=rows * T + turn_of[:, 1:][act], T=T, prefix=common_prefix(seqs) if B > 1 else 0,
                 sampler_logp=torch.tensor([lp for ep in episodes for turn in ep["turns"] for lp in turn["logprobs"]]))
    return {k: (v.to(device) if torch.is_tensor(v) else v) for k, v in batch.items()}


def common_prefix(seqs):
    """How many leading tokens all rows share (a problem's samples: the prompt); each keeps one of its own."""
    n = min(map(len, seqs)) - 1
    return next((i for i in range(n) if any(s[i] != seqs[0][i] for s in seqs)), max(0, n))


def last_hidden(model, batch):
    """The trunk's last hidden states [B, L, H]. Rows that share a prefix (implementation detail 11)
    read it once: its keys and values are expanded to every row, and the rows continue from there."""
    trunk, ids, attn, P = model.get_decoder(), batch["ids"], batch["attn"], batch.get("prefix", 0)
    if not P:
        return trunk(input_ids=ids, attention_mask=attn).last_hidden_state
    B, L = ids.shape
    head = trunk(input_ids=ids[:1, :P], use_cache=True)
    shared = [(kv.keys.expand(B, -1, -1, -1), kv.values.expand(B, -1, -1, -1)) for kv in head.past_key_values.layers]
    rest = trunk(input_ids=ids[:, P:], attention_mask=attn, use_cache=True,
                 past_key_values=DynamicCache(ddp_cache_data=shared, config=model.config),
                 position_ids=torch.arange(P, L, device=ids.device).expand(B, -1)).last_hidden_state
    return torch.cat([head.last_hidden_state.expand(B, -1, -1), rest], dim=1)


def token_logprobs(model, batch, temperature, return_hidden=False):
    """log π of every response token (flat); with return_hidden also the trunk's last hidden states."""
    hidden = last_hidden(model, batch)
    logits = model.get_output_embeddings()(hidden[:, :-1][batch["act"]]).float() / temperature  # responses only
    logp = torch.log_softmax(logits, dim=-1).gather(1, batch["ids"][:, 1:][batch["act"]].unsqueeze(1)).squeeze(1)
    return (logp, hidden) if return_hidden else logp


def turn_values(value, batch, hidden=None):
    """V(c_t) -> [B, T]: the separate value model's own forward pass, or the head on π's detached `hidden`."""
    if isinstance(value, torch.nn.Linear):
        pos = batch["value_pos"].unsqueeze(-1).expand(-1, -1, hidden.shape[-1])
        return value(hidden.detach().gather(1, pos).float()).squeeze(-1) * batch["turn_mask"]
    out = value(input_ids=batch["ids"], attention_mask=batch["attn"]).logits.squeeze(-1).float()
    return out.gather(1, batch["value_pos"]) * batch["turn_mask"]


# ----------------------------------------------------------------------------------------------
# ALGO LOGIC: the RLEF objective (paper §2.2), steps (1)-(5) of the module docstring


def turn_kl(logp, ref_logp, batch):
    """(1) KL_t = mean over the turn's response tokens of log π − log ρ -> [B, T]."""
    B, T, tok_turn = batch["ids"].shape[0], batch["T"], batch["tok_turn"]
    total = torch.zeros(B * T, device=logp.device).index_add_(0, tok_turn, (logp - ref_logp).float())
    count = torch.zeros(B * T, device=logp.device).index_add_(0, tok_turn, torch.ones_like(total[tok_turn]))
    return (total / count.clamp(min=1)).view(B, T) * batch["turn_mask"]


def turn_returns(task_r, kl, turn_mask, kl_coef):
    """(2) R_t = r_t − β·KL_t;  G_t = Σ_{i≥t} R_i (γ = 1). All [B, T]; padded turns are 0."""
    R = (task_r - kl_coef * kl) * turn_mask
    return R.flip(1).cumsum(1).flip(1) * turn_mask


def whiten(micro, device):
    """(3) A_t = G_t − V_old(c_t), whitened: (A − mean) / std over every turn of the iteration, on all ranks."""
    for mb in micro:
        mb["A_raw"] = (mb["G"] - mb["old_v"]) * mb["turn_mask"]
    a = torch.cat([mb["A_raw"][mb["turn_mask"]] for mb in micro if not mb.get("dummy")]).double()
    n, total = all_reduce(torch.tensor([a.numel(), float(a.sum())], dtype=torch.float64, device=device)).tolist()
    mean = total / n
    std = (all_reduce(((a - mean) ** 2).sum()).item() / n) ** 0.5 if n > 1 else 1.0
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
    """(5) Σ over turns of ½·max((V − G)², (V_clipped − G)²), V clipped to V_old ± α, / the minibatch's turns."""
    v_clipped = mb["old_v"] + (v - mb["old_v"]).clamp(-clip, clip)
    vl = 0.5 * torch.max((v - mb["G"]) ** 2, (v_clipped - mb["G"]) ** 2)
    return (vl * mb["turn_mask"]).sum() / n_turn


# ----------------------------------------------------------------------------------------------
# One PPO iteration on a batch of episodes


def make_plan(episodes, cfg, pad_id, device):
    """-> minibatches of micro-batches (batch dicts); a problem's samples share a minibatch (detail 11)."""
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
    """Before any update: π_old and ρ log-probs, V_old, then (1) KL_t and (2) G_t."""
    for mb in (mb for mbs in plan for mb in mbs):
        with autocast():
            mb["old_logp"], hidden = token_logprobs(policy, mb, cfg.temperature, return_hidden=True)
            mb["ref_logp"] = token_logprobs(ref, mb, cfg.temperature)
            mb["old_v"] = turn_values(value, mb, hidden)
        mb["kl"] = turn_kl(mb["old_logp"], mb["ref_logp"], mb)
        mb["G"] = turn_returns(mb["r"], mb["kl"], mb["turn_mask"], cfg.kl_coef)


def ppo_update(episodes, policy, ref, value, opt_pi, opt_v, sched_pi, sched_v, cfg, pad_id, autocast):
    """Score the episodes, compute advantages, take one optimizer step per minibatch. -> metrics."""
    device = policy.device
    plan = make_plan(episodes, cfg, pad_id, device)
    if is_sharded(policy):  # torchrun --fsdp
        pad_plan_for_fsdp(plan, device)
    score(plan, policy, ref, value, cfg, autocast)
    whiten([mb for mbs in plan for mb in mbs], device)
    stats, first = {}, None
    for mbs in plan:
        # token and turn counts over ALL ranks: the whole batch's loss is the sum of the ranks' (detail 8)
        counts = [(int(mb["act"].sum()), int(mb["turn_mask"].sum())) for mb in mbs if not mb.get("dummy")]
        n_tok, n_turn = all_reduce(torch.tensor(counts, dtype=torch.float64, device=device).sum(0)).tolist()
        for mb in mbs:
            with autocast():
                logp, hidden = token_logprobs(policy, mb, cfg.temperature, return_hidden=True)
                v = turn_values(value, mb, hidden)
            pg, pg_tok, ratio = policy_loss(logp, mb, cfg.clip, n_tok)
            vl = value_loss(v, mb, cfg.value_clip, n_turn)
            ((pg + vl) * (0.0 if mb.get("dummy") else 1.0)).backward()  # one call for both models
            if mb.get("dummy"):
                continue
            with torch.no_grad():  # diagnostics; approx_kl: the k3 estimator of KL(π_old || π)
                n = max(1, int(mb["turn_mask"].sum()))
                new = {"policy_loss": pg_tok.mean(), "value_loss": vl * n_turn / n,
                       "approx_kl": ((ratio - 1) - (logp - mb["old_logp"])).mean(),
                       "clipfrac": ((ratio - 1).abs() > cfg.clip).float().mean(),
                       "vf_clipfrac": (((v - mb["old_v"]).abs() > cfg.value_clip) & mb["turn_mask"]).sum() / n}
            for k, x in new.items():
                stats.setdefault(k, []).append(float(x))
        if first is None:  # implementation detail 1: before the first step the ratio is 1 on every micro-batch
            worst = torch.tensor([max(stats["approx_kl"]), max(stats["clipfrac"])], dtype=torch.float64, device=device)
            first = all_reduce(worst, dist.ReduceOp.MAX).tolist()  # over all ranks
            if first[0] > 1e-3 or first[1] > 0:
                raise RuntimeError(f"ratio != 1 on the first minibatch (approx_kl, clipfrac: {first}): dropout, "
                                   "a temperature mismatch or nondeterministic kernels?")
        for model, opt, sched in ((policy, opt_pi, sched_pi), (value, opt_v, sched_v)):
            sum_gradients(model)  # over the ranks (no-op in a single process and under FSDP)
            torch.nn.utils.clip_grad_norm_(model.parameters(), MAX_GRAD_NORM)
            opt.step(), sched.step(), opt.zero_grad(set_to_none=True)
    return update_metrics(stats, [mb for mbs in plan for mb in mbs if not mb.get("dummy")], first)


def update_metrics(stats, real, first):
    """The update's metrics over all ranks; sampler_drift: |log π_sampler − log π| before any step."""
    def cat(part):  # part(micro-batch) -> a 1-d tensor; concatenated over all micro-batches of all ranks
        return torch.cat(gather(torch.cat([part(mb) for mb in real]).cpu())).double()

    G, V, kl = (cat(lambda mb: mb[k][mb["turn_mask"]]) for k in ("G", "old_v", "kl"))
    G0, drift = cat(lambda mb: mb["G"][:, 0]), cat(lambda mb: (mb["old_logp"] - mb["sampler_logp"]).abs())
    var = G.var(unbiased=False)
    out = {k: float(np.mean([x for part in gather(v) for x in part])) for k, v in stats.items()}
    out.update(first_approx_kl=first[0], first_clipfrac=first[1], sampler_drift=float(drift.mean()),
               kl_ref=float(kl.mean()), value_mean=float(V.mean()), return_mean=float(G0.mean()),
               explained_variance=float("nan") if var == 0 else float(1 - (G - V).var(unbiased=False) / var))
    return out


# ----------------------------------------------------------------------------------------------
# Rollouts with 03 and evaluation (1@3: the share of episodes whose final code passes all tests). A policy
# that learns finds any reward a program can fake: every iteration counts the final programs that could (as 05 does).


def fakes_a_pass(code):
    """True if the program exits (exit, quit, sys.exit, os._exit, raise SystemExit) or defines __eq__
    (an object equal to every expected value). A copy of 05's rule: a stage imports only earlier ones."""
    try:
        nodes = list(ast.walk(ast.parse(code or "")))
    except (SyntaxError, ValueError):
        return False
    exits = {"exit", "quit", "_exit"}
    return any(isinstance(n, ast.Call) and (getattr(n.func, "id", None) or getattr(n.func, "attr", None)) in exits
               or isinstance(n, ast.Raise) and getattr(getattr(n.exc, "func", n.exc), "id", None) == "SystemExit"
               or isinstance(n, ast.FunctionDef) and n.name == "__eq__" for n in nodes)


def run_episodes(model, tokenizer, problems, cfg, description, train, model_name=None, **settings):
    """03's collect_episodes under a progress bar (a silent terminal looks hung); cfg's prompt settings."""
    s = rollout.Settings(turns=cfg.turns, shots=cfg.shots, prefill=cfg.prefill, max_new_tokens=cfg.max_new_tokens,
                         batch_size=cfg.batch_size, bf16=cfg.bf16, **settings)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console) as progress:
        task = progress.add_task(description, total=len(problems) * s.samples)
        return rollout.collect_episodes(model, tokenizer, problems, s, demos=train, model_name=model_name,
                                        on_episode=lambda episode: progress.update(task, advance=1))


def collect(sampler, tokenizer, train, cfg, it, rank, world):
    """Step 1: this rank's share of the iteration's problems (the same after a resume), at --temperature, no top-p."""
    seed = cfg.seed * 100_003 + it
    problems = random.Random(seed).sample(train, min(max(1, cfg.rollouts // cfg.samples), len(train)))[rank::world]
    return run_episodes(sampler, tokenizer, problems, cfg, f"iteration {it}: collecting", train, samples=cfg.samples,
                        temperature=cfg.temperature, top_p=1.0, seed=seed * world + rank, judge_every_turn=False)


def evaluate(model, tokenizer, problems, cfg, path, train, it, samples, feedback="real"):
    """Episodes at the paper's evaluation temperature and top-p, written to `path` -> 1@turns."""
    episodes = run_episodes(model, tokenizer, problems, cfg, f"evaluating -> {path}", train, samples=samples,
                            feedback=feedback, temperature=EVAL_TEMPERATURE, top_p=EVAL_TOP_P, seed=cfg.seed,
                            model_name=f"{cfg.model} after RLEF iteration {it}")
    write_lines(path, [json.dumps(ep) + "\n" for ep in episodes])
    return float(np.mean([ep["passed_all"] for ep in episodes]))


def evaluate_and_keep_best(sampler, tokenizer, problems, train, cfg, state, it, key):
    """Rank 0: 1@turns on `problems`, the best policy so far to <out>/best -> (score, seconds); the others wait."""
    t, score = time.time(), None
    if is_main():
        path = os.path.join(cfg.out, "eval", f"iter-{it:06d}.jsonl")
        score = evaluate(sampler, tokenizer, problems, cfg, path, train, it, cfg.eval_samples)
        console.print(f"{key} at iteration {it}: {score:.3f} (best so far {state['best_valid']:.3f})")
        if it > 0 and score > state["best_valid"]:
            state["best_valid"], state["best_iteration"] = score, it
            save_folder(f"{cfg.out}/best", lambda tmp: (sampler.save_pretrained(tmp), tokenizer.save_pretrained(tmp)))
    barrier()
    return score, time.time() - t


def final_evaluation(cfg, policy, tokenizer, test, train, state):
    """The best policy by valid (else the last one) on the test split, real (and random) feedback."""
    it = state["best_iteration"] or state["iteration"]
    if state["best_iteration"]:
        policy = disable_dropout(rollout.load_model(f"{cfg.out}/best")[0])
    for name, fb in (("rlef_test", "real"), ("rlef_random_test", "random"))[: 1 + cfg.final_random_feedback]:
        path = os.path.join(cfg.episodes_dir, f"{name}.jsonl")
        score = evaluate(policy, tokenizer, test, cfg, path, train, it, cfg.final_samples, feedback=fb)
        console.print(f"test 1@{cfg.turns} of the policy of iteration {it}, feedback {fb}: {score:.3f} -> {path}")


# ----------------------------------------------------------------------------------------------
# Metrics, the learning curve, checkpoints (atomic: a temp folder, then renamed) and --resume


def episode_metrics(episodes, t_collect, t_update, lr):
    """The iteration's rollout metrics, over all ranks' episodes (gathered without prompts and log-probs)."""
    light = [{**ep, "turns": [{"response_ids": t["response_ids"]} for t in ep["turns"]]} for ep in episodes]
    episodes = [ep for part in gather(light) for ep in part]
    mean = lambda key: float(np.mean([ep[key] for ep in episodes]))  # noqa: E731
    n_tok = sum(len(t["response_ids"]) for ep in episodes for t in ep["turns"])
    s_generate = rollout.LAST_STATS.get("s_generate", t_collect)
    return dict(episodes=len(episodes), reward=mean("reward"), solve_rate=mean("passed_all"),
                public_pass=mean("passed_public"), turns=float(np.mean([len(ep["turns"]) for ep in episodes])),
                response_tokens=n_tok, stop_reasons=rollout.stop_reasons(episodes), s_generate=s_generate,
                tokens_per_s=n_tok / max(1e-9, s_generate), s_sandbox=rollout.LAST_STATS.get("s_sandbox", 0.0),
                s_collect=t_collect, s_update=t_update, lr=lr,
                finals_faking_a_pass=sum(fakes_a_pass(ep["final_code"]) for ep in episodes))


def log_metrics(m, path):
    """Rank 0 appends the iteration's metrics to metrics.jsonl; the numbers go to the terminal."""
    if is_main():
        with open(path, "a") as f:
            f.write(json.dumps(m) + "\n")
    console.print("  ".join(f"{k} {v:.4g}" for k, v in m.items() if isinstance(v, (int, float))))


def print_curve(path, key):
    """The learning curve in metrics.jsonl: sampled solve rate, `key` where evaluated, start -> end in points."""
    rows = [json.loads(line) for line in open(path) if line.strip()]
    table = Table("iteration", "sampled solve rate", "", key, "s", title=f"learning curve ({path})")
    pct = lambda x: "" if x is None else f"{100 * x:.1f}%"  # noqa: E731
    for m in rows[::max(1, len(rows) // 40)]:  # at most ~40 rows
        table.add_row(str(m["iteration"]), pct(m["solve_rate"]), "█" * round(20 * m["solve_rate"]), pct(m.get(key)),
                      f"{m['s_collect'] + m['s_update']:.0f}")
    console.print(table)
    base = [(0, m[key + "_base"]) for m in rows[:1] if key + "_base" in m]
    curves = [("sampled solve rate", [(m["iteration"], m["solve_rate"]) for m in rows]),
              (key, base + [(m["iteration"], m[key]) for m in rows if key in m])]
    console.print("; ".join(f"{name} {pct(c[0][1])} (iteration {c[0][0]}) -> {pct(c[-1][1])} (iteration {c[-1][0]}): "
                            f"{100 * (c[-1][1] - c[0][1]):+.1f} points" for name, c in curves if len(c) > 1))


def write_lines(path, lines):
    """The whole file or nothing: a temp file, then renamed."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path + ".tmp", "w") as f:
        f.writelines(lines)
    os.replace(path + ".tmp", path)


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


def checkpoint(cfg, policy, value, tokenizer, opts, state):
    """π (a Hugging Face folder), V, optimizers, schedulers, RNGs, counters; all ranks call it, rank 0 writes."""
    (opt_pi, opt_v, sched_pi, sched_v), pi_weights, v_weights = opts, full_state_dict(policy), full_state_dict(value)
    trainer = {"opt_pi": full_state_dict(policy, opt_pi), "opt_v": full_state_dict(value, opt_v),
               "sched_pi": sched_pi.state_dict(), "sched_v": sched_v.state_dict(), **state,
               "rng": {"python": random.getstate(), "numpy": np.random.get_state(), "torch": torch.get_rng_state()}}

    def write(tmp):
        policy.save_pretrained(tmp, state_dict=pi_weights)
        tokenizer.save_pretrained(tmp)
        torch.save(v_weights, os.path.join(tmp, f"value_{cfg.value}.pt"))
        torch.save(trainer, os.path.join(tmp, "trainer_state.pt"))

    if is_main():
        save_folder(os.path.join(cfg.out, "checkpoint"), write)
    barrier()


def resume(cfg, policy, value, opts, state):
    """--resume: optimizer, scheduler and RNG states and counters; the metrics of iterations to redo go."""
    saved = torch.load(os.path.join(cfg.out, "checkpoint", "trainer_state.pt"), weights_only=False)
    for model, opt, sched, name in ((policy, opts[0], opts[2], "pi"), (value, opts[1], opts[3], "v")):
        load_optimizer_state(model, opt, saved["opt_" + name])
        sched.load_state_dict(saved["sched_" + name])
    random.setstate(saved["rng"]["python"])
    np.random.set_state(saved["rng"]["numpy"])
    torch.set_rng_state(saved["rng"]["torch"])
    state.update({k: saved[k] for k in ("iteration", "best_valid", "best_iteration")})
    metrics_path = os.path.join(cfg.out, "metrics.jsonl")
    if is_main() and os.path.exists(metrics_path):
        with open(metrics_path) as f:
            keep = [line for line in f if line.strip() and json.loads(line)["iteration"] <= state["iteration"]]
        write_lines(metrics_path, keep)
    console.print(f"resumed from {cfg.out}/checkpoint at iteration {state['iteration']}")


# ----------------------------------------------------------------------------------------------
# Main flow


def load_splits(cfg):
    """-> train, valid, test problems and the 1@turns metric's name; --fixed_problems: implementation detail 6."""
    train, valid, test = (rollout.load_problems(cfg.data, split) for split in ("train", "valid", "test"))
    if cfg.fixed_problems:
        train = valid = train[:cfg.fixed_problems]
        cfg.rollouts = len(train) * cfg.samples
    return train, valid, test, f"{'train' if cfg.fixed_problems else 'valid'}_1at{cfg.turns}"


def setup(cfg, device):
    """-> π, ρ, V, the model that generates (π, or a plain copy of it under --fsdp), the tokenizer, the
    optimizers (AdamW per model, linear warm-up then constant) and the run's state (restored on --resume)."""
    ckpt = os.path.join(cfg.out, "checkpoint")
    value_file = os.path.join(ckpt, f"value_{cfg.value}.pt")  # written with trainer_state.pt
    if cfg.resume and not os.path.exists(value_file):
        raise SystemExit(f"error: --resume but no {value_file}: no checkpoint, or the run had another --value")
    if not cfg.resume and os.path.exists(os.path.join(cfg.out, "metrics.jsonl")):
        raise SystemExit(f"error: {cfg.out} already holds a run; pass --resume to continue it or choose another --out")
    os.makedirs(cfg.out, exist_ok=True)
    policy, ref, tokenizer = load_policy_and_reference(cfg, ckpt, "cpu" if cfg.fsdp else device)
    value = make_value_model(policy, cfg.value, saved=value_file if cfg.resume else None)
    policy, ref, value, sampler = distribute(cfg, policy, ref, value, device)  # torchrun; a no-op in one process
    warm = lambda step: min(1.0, (step + 1) / max(1, cfg.warmup_steps))  # noqa: E731
    opt_pi = torch.optim.AdamW(policy.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    opt_v = torch.optim.AdamW(value.parameters(), lr=HEAD_LR if cfg.value == "head" else cfg.value_lr,
                              weight_decay=cfg.weight_decay)
    opts = opt_pi, opt_v, *(torch.optim.lr_scheduler.LambdaLR(opt, warm) for opt in (opt_pi, opt_v))
    state = {"iteration": 0, "best_valid": -1.0, "best_iteration": None, "config": asdict(cfg)}
    if cfg.resume:
        resume(cfg, policy, value, opts, state)
    return policy, ref, value, sampler, tokenizer, opts, state


def catch_ctrl_c():
    """Implementation detail 7: the first Ctrl-C asks to stop after this iteration, the second aborts."""
    stop = {"requested": False}

    def on_sigint(signum, frame):
        stop["requested"] = True
        signal.signal(signal.SIGINT, signal.default_int_handler)  # the next Ctrl-C raises KeyboardInterrupt
        console.print("[yellow]Ctrl-C: finishing this iteration, then saving (press again to abort now)[/]")

    signal.signal(signal.SIGINT, on_sigint)
    return stop


def main(cfg):
    rank, world, device = setup_distributed()  # torchrun; (0, 1, None) in a single process
    console.quiet = rank != 0  # rank 0 prints and writes files; the others only compute
    random.seed(cfg.seed), np.random.seed(cfg.seed), torch.manual_seed(cfg.seed)
    train, valid, test, key = load_splits(cfg)
    policy, ref, value, sampler, tokenizer, opts, state = setup(cfg, device)
    autocast_on = rollout.use_bf16(cfg.bf16, policy.device)  # the same rule as generation
    autocast = lambda: torch.autocast(policy.device.type, dtype=torch.bfloat16, enabled=autocast_on)  # noqa: E731
    console.print(f"policy {cfg.model} on {policy.device}, bf16 autocast {autocast_on}, {len(train)} train problems")
    stop, base, out_of_time = catch_ctrl_c(), {}, False
    metrics_path, t_start = os.path.join(cfg.out, "metrics.jsonl"), time.time()  # t_start skips evaluations
    if cfg.eval_every and state["iteration"] == 0:  # the curve's starting point, logged with iteration 1
        base[key + "_base"], s = evaluate_and_keep_best(sampler, tokenizer, valid, train, cfg, state, 0, key)
        t_start += s

    while state["iteration"] < cfg.iterations and not stop["requested"] and not out_of_time:
        it, t0 = state["iteration"] + 1, time.time()
        episodes = collect(sampler, tokenizer, train, cfg, it, rank, world)  # step 1
        t1 = time.time()  # steps 2-4: score the episodes, the RLEF objective, one optimizer step per minibatch
        console.print(f"iteration {it}: PPO update on {len(episodes)} episodes ({cfg.minibatches} minibatches)")
        update = ppo_update(episodes, policy, ref, value, *opts, cfg, tokenizer.pad_token_id, autocast)
        if cfg.fsdp:  # torchrun --fsdp: the model that generates gets the new weights
            copy_to_sampler(policy, sampler)
        t2, state["iteration"] = time.time(), it
        m = {"iteration": it, **episode_metrics(episodes, t1 - t0, t2 - t1, opts[2].get_last_lr()[0]), **update}
        # --max_minutes of training: stop if one more iteration like this would end past it (rank 0's clock)
        late = rank == 0 and cfg.max_minutes > 0 and time.time() - t_start + t2 - t0 > 60 * cfg.max_minutes
        out_of_time = any_rank(late, policy.device)
        if cfg.eval_every and (it % cfg.eval_every == 0 or it == cfg.iterations or out_of_time):
            m[key], s = evaluate_and_keep_best(sampler, tokenizer, valid, train, cfg, state, it, key)
            t_start += s
        log_metrics({**m, **base} if it == 1 else m, metrics_path)
        stop["requested"] = any_rank(stop["requested"], policy.device)  # Ctrl-C on any rank stops all
        if it % cfg.save_every == 0 or it == cfg.iterations or stop["requested"] or out_of_time:
            checkpoint(cfg, policy, value, tokenizer, opts, state)

    if out_of_time:
        console.print(f"--max_minutes {cfg.max_minutes}: stopping after iteration {state['iteration']}")
    if rank == 0:
        print_curve(metrics_path, key)
    if stop["requested"]:
        console.print(f"stopped at iteration {state['iteration']}; continue with --resume")
    elif cfg.final_samples and rank == 0:
        final_evaluation(cfg, sampler, tokenizer, test, train, state)
    return state


# ----------------------------------------------------------------------------------------------
# APPENDIX: data parallelism under torchrun (README, "Scaling out"; implementation detail 8): each rank collects
# its share of the episodes, the update sums statistics, counts and gradients over the ranks, rank 0 alone
# evaluates and writes files. In a plain `python 04_ppo.py` all of this does nothing.


def setup_distributed():
    """-> (rank, world size, device): under torchrun (RANK is set) NCCL on cuda:LOCAL_RANK or gloo on CPU."""
    if "RANK" not in os.environ:
        return 0, 1, None
    cuda = torch.cuda.is_available()
    device = torch.device(f"cuda:{os.environ['LOCAL_RANK']}" if cuda else "cpu")
    if cuda:
        torch.cuda.set_device(device)
    dist.init_process_group("nccl" if cuda else "gloo", timeout=timedelta(hours=6))  # while rank 0 evaluates
    return dist.get_rank(), dist.get_world_size(), device


def distributed():
    return dist.is_available() and dist.is_initialized()


def is_main():
    return not distributed() or dist.get_rank() == 0


def barrier():
    if distributed():
        dist.barrier()


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


def sum_gradients(model):
    """Sum each gradient over the ranks: DistributedDataParallel's all-reduce, done by hand once per
    minibatch, so ranks may run different numbers of micro-batches. FSDP sums its own."""
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
    if not cfg.fsdp:
        for p in [*policy.parameters(), *value.parameters()] if distributed() else []:
            dist.broadcast(p.data, 0)
        return policy, ref, value, policy
    sampler = copy.deepcopy(policy).to(device, torch.bfloat16 if device.type == "cuda" else torch.float32)
    value = value if cfg.value == "head" else shard(value)  # the head is tiny: every rank keeps all of it
    return shard(policy), shard(ref), value, sampler


def is_sharded(model):
    from torch.distributed.fsdp import FSDPModule

    return any(isinstance(m, FSDPModule) for m in model.modules())


def shard(model):
    """--fsdp: FSDP2 units = each decoder layer, the decoder (token_logprobs calls it directly) and every
    other child with parameters (an LM or scalar head); gradients are summed, not averaged (see ppo_update)."""
    from torch.distributed.fsdp import fully_shard

    decoder = getattr(model, model.base_model_prefix)
    head = model.get_output_embeddings()
    if head is not None and head.weight is decoder.get_input_embeddings().weight:  # one weight in two units
        raise SystemExit("error: --fsdp needs a model with untied input/output embeddings (Llama 3.1 8B has them); "
                         "this one ties them: run without --fsdp (plain data parallelism)")
    children = [m for name, m in model.named_children() if name != model.base_model_prefix and list(m.parameters())]
    for unit in [*decoder.layers, decoder, *children]:
        fully_shard(unit)
        unit.set_gradient_divide_factor(1.0)  # a plain sum (gloo has no pre-scaled sum: force SUM)
        unit.set_force_sum_reduction_for_comms(True)
    return model


def pad_plan_for_fsdp(plan, device):
    """FSDP gathers weights in every forward: all ranks run as many micro-batches, padded with weight-0 copies."""
    counts = all_reduce(torch.tensor([len(mbs) for mbs in plan], device=device), dist.ReduceOp.MAX)
    for mbs, n in zip(plan, counts.tolist()):
        mbs += [{**mbs[-1], "dummy": True} for _ in range(n - len(mbs))]


def full_state_dict(model, optimizer=None):
    """The state dict of a model or its optimizer; under --fsdp gathered whole on rank 0's CPU (all ranks call it)."""
    if not is_sharded(model):
        return (optimizer or model).state_dict()
    from torch.distributed.checkpoint.state_dict import StateDictOptions, get_model_state_dict, get_optimizer_state_dict

    options = StateDictOptions(full_state_dict=True, cpu_offload=True)
    if optimizer is None:
        return get_model_state_dict(model, options=options)
    return get_optimizer_state_dict(model, optimizer, options=options)


def load_optimizer_state(model, optimizer, saved):
    """--resume: an optimizer state that full_state_dict wrote; under --fsdp each rank keeps its shard."""
    if not is_sharded(model):
        return optimizer.load_state_dict(saved)
    from torch.distributed.checkpoint.state_dict import StateDictOptions, set_optimizer_state_dict

    set_optimizer_state_dict(model, optimizer, saved, options=StateDictOptions(full_state_dict=True))


@torch.no_grad()
def copy_to_sampler(policy, sampler):
    """--fsdp: the sharded policy's weights, gathered one tensor at a time, into the model that generates."""
    for name, p in policy.named_parameters():
        sampler.get_parameter(name).copy_(p.full_tensor())


if __name__ == "__main__":
    main(parse_config())
    if distributed():
        dist.destroy_process_group()
