"""Tests for 03_rollout.py: the episode loop driven by a scripted policy (canned responses), the
real generation path with a tiny random model, and (slow) the default model on two problems."""

import importlib
import json
from dataclasses import replace

import pytest
import torch

rollout = importlib.import_module("03_rollout")
sandbox = importlib.import_module("02_sandbox")

ADD = {"id": "t/add", "source": "test", "split": "valid", "style": "stdio", "difficulty": "trivial",
       "description": "[ADD] Read two integers a and b and print a + b.\n",
       "public_tests": [{"input": "1 2\n", "output": "3\n"}, {"input": "5 5\n", "output": "10\n"}],
       "private_tests": [{"input": "-4 9\n", "output": "5\n"}, {"input": "100 1\n", "output": "101\n"}],
       "generated_tests": [], "time_limit_s": 1.0, "memory_limit_bytes": 256 << 20,
       "solutions": ["a, b = map(int, input().split())\nprint(a + b)\n"],
       "incorrect_solutions": ["a, b = map(int, input().split())\nprint(a - b)\n"]}
MUL = {**ADD, "id": "t/mul", "description": "[MUL] Read two integers a and b and print a * b.\n",
       "public_tests": [{"input": "2 3\n", "output": "6\n"}],
       "private_tests": [{"input": "7 0\n", "output": "0\n"}],
       "solutions": ["a, b = map(int, input().split())\nprint(a * b)\n"],
       "incorrect_solutions": ["a, b = map(int, input().split())\nprint(a + b)\n"]}
SQUARE = {"id": "t/square", "source": "test", "split": "valid", "style": "function", "entry_point": "square",
          "prompt": 'def square(x):\n    """[SQUARE] Return x squared."""\n',
          "description": 'def square(x):\n    """[SQUARE] Return x squared."""\n',
          "public_tests": [{"input": "assert candidate(3) == 9", "output": ""}],
          "private_tests": [{"input": "assert candidate(-2) == 4", "output": ""}], "generated_tests": [],
          "time_limit_s": 1.0, "memory_limit_bytes": 256 << 20,
          "solutions": ['def square(x):\n    """[SQUARE] Return x squared."""\n    return x * x\n'], "incorrect_solutions": []}

RIGHT = "Here you go:\n```python\na, b = map(int, input().split())\nprint(a + b)\n```"
WRONG = "```python\na, b = map(int, input().split())\nprint(a * b)\n```"
HARDCODED = "```python\nimport sys\nprint({'1 2': 3, '5 5': 10}[sys.stdin.read().strip()])\n```"
PROSE = "I think you should add the numbers."
BROKEN = "```python\nprint(int(input().split()[0]) +\n```"
SLOW = "```python\nwhile True:\n    pass\n```"


@pytest.fixture(scope="module")
def tokenizer():
    return rollout.load_tokenizer()


def scripted(tokenizer, script, eos=True, header="<|im_start|>assistant"):
    """A policy from canned responses: script[marker][turn], found by the [MARKER] in the context;
    the turn is the number of assistant `header`s after the problem's own prompt."""
    calls, contexts = [], []

    def generate(batch, fences):
        out = []
        for ids in batch:
            contexts.append(list(ids))
            text = rollout.decode(tokenizer, ids)
            marker = max((text.index(m), m) for m in script if m in text)[1]  # demos come before the problem
            turn = text[text.index(marker):].count(header) - 1
            reply = script[marker][turn]
            ids = rollout.encode(tokenizer, reply) + ([tokenizer.eos_token_id] if eos else [])
            out.append((ids, [-0.5] * len(ids)))
        calls.append(len(batch))
        return out

    generate.calls, generate.contexts = calls, contexts
    return generate


def settings(**kw):
    return rollout.Settings(**{**dict(samples=1, turns=3, temperature=1.0, top_p=1.0, batch_size=8, seed=0), **kw})


def run(tokenizer, problems, script, eos=True, generate_fn=None, demos=None, max_context=None, **kw):
    generate = generate_fn or scripted(tokenizer, script, eos)
    return rollout.collect_episodes(None, tokenizer, problems, settings(**kw), generate_fn=generate, demos=demos,
                                    max_context=max_context)


def rendering(tokenizer, episode, problem, demos=(), mode="fence", verbatim=False):
    """The chat-template text of the episode's conversation, up to the end of the last response.
    verbatim: responses as sampled, even where the template would trim them (markers, replaced after)."""
    messages = rollout.initial_messages(problem, demos)
    for i, turn in enumerate(episode["turns"][:-1]):
        content = f"\ue001{i}\ue001" if verbatim else turn["response"]
        messages += [{"role": "assistant", "content": content}, {"role": "user", "content": turn["feedback"]}]
    last = episode["turns"][-1]["response"]
    text = rollout.render(tokenizer, messages, problem, mode) + last[len(rollout.prefill(problem, mode)):]
    for i, turn in enumerate(episode["turns"][:-1] if verbatim else []):
        text = text.replace(f"\ue001{i}\ue001", turn["response"])
    return text


def all_ids(episode):
    return [i for t in episode["turns"] for i in t["prompt_ids"] + t["response_ids"]]


def check_round_trip(tokenizer, episode, problem, demos=(), mode="fence", verbatim=False):
    text = rollout.decode(tokenizer, all_ids(episode))
    expected = rendering(tokenizer, episode, problem, demos, mode, verbatim)
    if episode["turns"][-1]["response_ids"][-1] == tokenizer.eos_token_id:
        expected += tokenizer.eos_token
    assert text == expected


# ----------------------------------------------------------------------------------------------
# Code extraction


def test_extract_code_rules():
    assert rollout.extract_code("x\n```python\nprint(1)\n```\n```python\nprint(2)\n```") == ("print(1)\n", True)
    assert rollout.extract_code("```text\nhello\n```\n```py\nprint(3)\n```") == ("print(3)\n", True)  # python tag first
    assert rollout.extract_code("```\nprint(4)\n```") == ("print(4)\n", True)  # any tag as fallback
    assert rollout.extract_code("```python\nprint(5)\n") == ("print(5)\n", True)  # never closed: to the end
    assert rollout.extract_code("print(6)") == (None, False)  # no fence: no code
    assert rollout.extract_code("```python\n\n```") == ("\n", False)  # blank
    code, valid = rollout.extract_code(BROKEN)
    assert code.startswith("print(") and not valid
    assert rollout.extract_code("```python\nreturn 1\n```")[1] is False  # compile() catches what ast.parse lets by


def test_prompts_are_the_papers(tokenizer):
    assert rollout.user_prompt(ADD) == (
        "Provide a Python solution for the following competitive programming question: " + ADD["description"]
        + ".\n\nYour code should be enclosed in triple backticks like so: ```python YOUR CODE HERE ```. "
        "Use the backticks for your code only.")
    assert rollout.user_prompt(SQUARE) == ("Write a solution to the following problem and make sure that it passes "
                                            "the tests:\n" + SQUARE["description"])
    assert rollout.RETRY == sandbox.FEEDBACK_FOOTER


# ----------------------------------------------------------------------------------------------
# The loop with a scripted policy


def test_wrong_then_right_stops_early_with_real_feedback(tokenizer):
    (ep,) = run(tokenizer, [ADD], {"[ADD]": [WRONG, RIGHT, RIGHT]})
    assert len(ep["turns"]) == 2 and ep["stop_reason"] == "passed"
    t0, t1 = ep["turns"]
    assert t0["verdict"] == "WRONG_ANSWER" and t0["valid"] and not t0["passed_public"]
    code = rollout.extract_code(WRONG)[0]
    expected = sandbox.format_feedback(sandbox.run_tests(code, ADD["public_tests"]), ADD["public_tests"])
    assert t0["feedback"] == expected and "Expected output `3\n` but got `2\n`" in expected
    assert "10\n" in expected  # every failing public test is listed (5 5 -> 25 too)
    assert t1["verdict"] == "PASSED" and t1["feedback"] is None and t1["passed_all"] is True
    assert [t["reward"] for t in ep["turns"]] == [0.0, 1.0] and ep["reward"] == 1.0
    assert ep["passed_all"] and ep["passed_public"] and ep["final_code"] == rollout.extract_code(RIGHT)[0]
    assert t0["passed_all"] is False  # --judge-every-turn
    check_round_trip(tokenizer, ep, ADD)


def test_invalid_then_valid_code(tokenizer):
    (ep,) = run(tokenizer, [ADD], {"[ADD]": [PROSE, BROKEN, RIGHT]}, eos=False)
    t0, t1, t2 = ep["turns"]
    assert (t0["code"], t0["valid"], t0["verdict"], t0["feedback"]) == (None, False, "NO_CODE", rollout.RETRY)
    assert t1["code"] is not None and not t1["valid"] and t1["verdict"] == "NO_CODE"
    assert "SyntaxError" in t1["feedback"] and t1["feedback"].endswith(sandbox.FEEDBACK_FOOTER)
    assert t2["passed_public"] and ep["passed_all"]
    assert [t["reward"] for t in ep["turns"]] == [-0.2, -0.2, 1.0] and ep["reward"] == pytest.approx(0.6)
    check_round_trip(tokenizer, ep, ADD)  # responses without EOS: the template closes them


def test_no_code_at_all(tokenizer):
    (ep,) = run(tokenizer, [ADD], {"[ADD]": [PROSE] * 3})
    assert [t["verdict"] for t in ep["turns"]] == ["NO_CODE"] * 3
    assert [t["reward"] for t in ep["turns"]] == [-0.2, -0.2, -1.0] and ep["reward"] == pytest.approx(-1.4)
    assert ep["final_code"] is None and not ep["passed_all"] and not ep["passed_public"]
    assert ep["stop_reason"] == "turn_limit" and ep["turns"][-1]["feedback"] is None


def test_timeout_feedback_and_turn_limit(tokenizer):
    (ep,) = run(tokenizer, [{**ADD, "time_limit_s": 0.5}], {"[ADD]": [SLOW] * 3}, turns=2)
    assert [t["verdict"] for t in ep["turns"]] == ["TIMEOUT"] * 2
    assert "Execution took too long." in ep["turns"][0]["feedback"]
    assert [t["reward"] for t in ep["turns"]] == [0.0, -1.0] and not ep["passed_all"]


def test_public_pass_but_private_fail_ends_with_minus_one(tokenizer):
    (ep,) = run(tokenizer, [ADD], {"[ADD]": [HARDCODED, RIGHT, RIGHT]})
    assert len(ep["turns"]) == 1 and ep["passed_public"] and not ep["passed_all"] and ep["reward"] == -1.0


def test_feedback_none_never_stops_early(tokenizer):
    (ep,) = run(tokenizer, [ADD], {"[ADD]": [RIGHT, WRONG, RIGHT]}, feedback="none")
    assert len(ep["turns"]) == 3 and ep["turns"][0]["passed_public"]
    assert [t["feedback"] for t in ep["turns"]] == [rollout.RETRY, rollout.RETRY, None]
    assert ep["passed_all"] and ep["reward"] == 1.0
    (ep,) = run(tokenizer, [ADD], {"[ADD]": [RIGHT, RIGHT, WRONG]}, feedback="none")
    assert not ep["passed_all"] and ep["reward"] == -1.0  # only the last response counts


def test_feedback_random_uses_another_problems_failure(tokenizer):
    eps = run(tokenizer, [ADD, MUL], {"[ADD]": [WRONG, RIGHT, RIGHT], "[MUL]": [RIGHT] * 3}, feedback="random")
    add, mul = eps
    wrong_mul = sandbox.run_tests(MUL["incorrect_solutions"][0], MUL["public_tests"])
    assert add["turns"][0]["feedback"] == sandbox.format_feedback(wrong_mul, MUL["public_tests"])
    assert add["stop_reason"] == "passed" and add["passed_all"]  # still stops on X's own public tests
    assert "`2 3\n`" not in mul["turns"][0]["feedback"] and "`1 2\n`" in mul["turns"][0]["feedback"]
    # Y's incorrect solution passes Y's public tests: the feedback comes from `raise NotImplementedError()`
    sneaky = {**MUL, "incorrect_solutions": ["a, b = map(int, input().split())\nprint(6 if a == 2 else 0)\n"]}
    (add,) = [e for e in run(tokenizer, [ADD, sneaky], {"[ADD]": [WRONG] * 3, "[MUL]": [WRONG] * 3}, feedback="random")
              if e["problem_id"] == "t/add"]
    assert "NotImplementedError" in add["turns"][0]["feedback"]


def test_function_style_prefill_and_round_trip(tokenizer):
    # --prefill starter (the paper's C.4): the answer starts with the fence and the starter code
    body = "    return x * x\n```"
    (ep,) = run(tokenizer, [SQUARE], {"[SQUARE]": [body] * 3}, prefill="starter")
    turn = ep["turns"][0]
    assert turn["response"] == "```python\n" + SQUARE["prompt"] + body
    assert rollout.decode(tokenizer, turn["prompt_ids"]).endswith("<|im_start|>assistant\n```python\n" + SQUARE["prompt"])
    assert ep["passed_all"] and ep["final_code"] == SQUARE["prompt"] + "    return x * x\n"
    (ep,) = run(tokenizer, [SQUARE], {"[SQUARE]": ["    return x + x\n```", body, body]}, prefill="starter")
    assert "Failure: `assert candidate(3) == 9`" in ep["turns"][0]["feedback"] and ep["passed_all"]
    check_round_trip(tokenizer, ep, SQUARE, mode="starter")
    # --prefill fence (default): only the opening fence; the model writes the whole function
    whole = SQUARE["prompt"] + body
    (ep,) = run(tokenizer, [SQUARE], {"[SQUARE]": ["def square(x):\n    return x + x\n```", whole]})
    assert rollout.decode(tokenizer, ep["turns"][0]["prompt_ids"]).endswith("<|im_start|>assistant\n```python\n")
    assert ep["turns"][1]["response"] == "```python\n" + whole and ep["passed_all"] and len(ep["turns"]) == 2
    assert ep["settings"]["prefill"] == "fence"
    check_round_trip(tokenizer, ep, SQUARE)


def test_shots_put_train_solutions_first(tokenizer):
    demo = {**MUL, "id": "t/train-mul", "description": "[DEMO] multiply.\n"}
    (ep,) = run(tokenizer, [ADD], {"[ADD]": [WRONG, RIGHT]}, shots=1, demos=[ADD, demo])
    prompt = rollout.decode(tokenizer, ep["turns"][0]["prompt_ids"])
    assert prompt.index("[DEMO]") < prompt.index(MUL["solutions"][0].rstrip()) < prompt.index("[ADD]")
    assert prompt.count("[ADD]") == 1  # the problem itself is never its own example
    check_round_trip(tokenizer, ep, ADD, demos=[demo])


def test_batches_and_order(tokenizer):
    problems = [ADD, MUL]
    generate = scripted(tokenizer, {"[ADD]": [WRONG, RIGHT, RIGHT], "[MUL]": [RIGHT, RIGHT, RIGHT]})
    eps = rollout.collect_episodes(None, tokenizer, problems, settings(samples=3, batch_size=4), generate_fn=generate)
    assert [(e["problem_id"], e["sample"]) for e in eps] == [(p["id"], s) for p in problems for s in range(3)]
    assert max(generate.calls) <= 4 and sum(generate.calls) == 3 * 2 + 3 * 3  # ADD takes 2 turns, MUL (wrong code) 3
    for ep in eps:
        for turn in ep["turns"]:
            assert len(turn["logprobs"]) == len(turn["response_ids"])


def test_context_overflow_ends_the_episode(tokenizer):
    first = len(rollout.encode(tokenizer, rollout.render(tokenizer, rollout.initial_messages(ADD), ADD)))
    (ep,) = run(tokenizer, [ADD], {"[ADD]": [WRONG, RIGHT]}, max_new_tokens=40, max_context=first + 60)
    assert ep["stop_reason"] == "context" and len(ep["turns"]) == 1
    assert ep["turns"][0]["feedback"] is None and ep["reward"] == -1.0 and ep["passed_all"] is False
    eps = run(tokenizer, [ADD], {"[ADD]": [WRONG]}, max_new_tokens=40, max_context=first + 10)
    assert eps == [] and rollout.LAST_STATS["skipped_long_prompt"] == 1


def test_problem_without_public_tests_is_skipped(tokenizer):
    assert run(tokenizer, [{**ADD, "public_tests": []}], {"[ADD]": [RIGHT]}) == []
    assert rollout.LAST_STATS["skipped_no_public"] == 1


def test_reward_counts_public_and_private_tests_passed_all_also_generated(tokenizer):
    # paper §2.2: the training reward judges public + private tests; the evaluation (passed_all) adds generated ones
    odd = {**ADD, "generated_tests": [{"input": "2 2\n", "output": "5\n"}]}  # RIGHT fails only this one
    (ep,) = run(tokenizer, [odd], {"[ADD]": [RIGHT]})
    assert ep["stop_reason"] == "passed" and ep["passed_public"] and ep["reward"] == 1.0
    assert ep["passed_all"] is False and ep["turns"][0]["passed_all"] is False
    assert ep["settings"]["tests"] == {"reward": "public+private", "passed_all": "public+private+generated"}
    (ep,) = run(tokenizer, [odd], {"[ADD]": [HARDCODED]})  # a private test fails: -1 either way
    assert ep["reward"] == -1.0 and ep["passed_all"] is False


# Llama 3.1 Instruct's chat template (tokenizer_config.json of meta-llama/Llama-3.1-8B-Instruct): it
# renders `message['content'] | trim`, so re-rendering a conversation changes sampled text
LLAMA31_TEMPLATE = """{{- bos_token }}
{%- if custom_tools is defined %}
    {%- set tools = custom_tools %}
{%- endif %}
{%- if not tools_in_user_message is defined %}
    {%- set tools_in_user_message = true %}
{%- endif %}
{%- if not date_string is defined %}
    {%- set date_string = "26 Jul 2024" %}
{%- endif %}
{%- if not tools is defined %}
    {%- set tools = none %}
{%- endif %}

{#- This block extracts the system message, so we can slot it into the right place. #}
{%- if messages[0]['role'] == 'system' %}
    {%- set system_message = messages[0]['content']|trim %}
    {%- set messages = messages[1:] %}
{%- else %}
    {%- set system_message = "" %}
{%- endif %}

{#- System message + builtin tools #}
{{- "<|start_header_id|>system<|end_header_id|>\n\n" }}
{%- if builtin_tools is defined or tools is not none %}
    {{- "Environment: ipython\n" }}
{%- endif %}
{%- if builtin_tools is defined %}
    {{- "Tools: " + builtin_tools | reject('equalto', 'code_interpreter') | join(", ") + "\n\n"}}
{%- endif %}
{{- "Cutting Knowledge Date: December 2023\n" }}
{{- "Today Date: " + date_string + "\n\n" }}
{%- if tools is not none and not tools_in_user_message %}
    {{- "You have access to the following functions. To call a function, please respond with JSON for a function call." }}
    {{- 'Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}.' }}
    {{- "Do not use variables.\n\n" }}
    {%- for t in tools %}
        {{- t | tojson(indent=4) }}
        {{- "\n\n" }}
    {%- endfor %}
{%- endif %}
{{- system_message }}
{{- "<|eot_id|>" }}

{#- Custom tools are passed in a user message with some extra guidance #}
{%- if tools_in_user_message and not tools is none %}
    {#- Extract the first user message so we can plug it in here #}
    {%- if messages | length != 0 %}
        {%- set first_user_message = messages[0]['content']|trim %}
        {%- set messages = messages[1:] %}
    {%- else %}
        {{- raise_exception("Cannot put tools in the first user message when there's no first user message!") }}
{%- endif %}
    {{- '<|start_header_id|>user<|end_header_id|>\n\n' -}}
    {{- "Given the following functions, please respond with a JSON for a function call " }}
    {{- "with its proper arguments that best answers the given prompt.\n\n" }}
    {{- 'Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}.' }}
    {{- "Do not use variables.\n\n" }}
    {%- for t in tools %}
        {{- t | tojson(indent=4) }}
        {{- "\n\n" }}
    {%- endfor %}
    {{- first_user_message + "<|eot_id|>"}}
{%- endif %}

{%- for message in messages %}
    {%- if not (message.role == 'ipython' or message.role == 'tool' or 'tool_calls' in message) %}
        {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' }}
    {%- elif 'tool_calls' in message %}
        {%- if not message.tool_calls|length == 1 %}
            {{- raise_exception("This model only supports single tool-calls at once!") }}
        {%- endif %}
        {%- set tool_call = message.tool_calls[0].function %}
        {%- if builtin_tools is defined and tool_call.name in builtin_tools %}
            {{- '<|start_header_id|>assistant<|end_header_id|>\n\n' -}}
            {{- "<|python_tag|>" + tool_call.name + ".call(" }}
            {%- for arg_name, arg_val in tool_call.arguments | items %}
                {{- arg_name + '="' + arg_val + '"' }}
                {%- if not loop.last %}
                    {{- ", " }}
                {%- endif %}
                {%- endfor %}
            {{- ")" }}
        {%- else  %}
            {{- '<|start_header_id|>assistant<|end_header_id|>\n\n' -}}
            {{- '{"name": "' + tool_call.name + '", ' }}
            {{- '"parameters": ' }}
            {{- tool_call.arguments | tojson }}
            {{- "}" }}
        {%- endif %}
        {%- if builtin_tools is defined %}
            {#- This means we're in ipython mode #}
            {{- "<|eom_id|>" }}
        {%- else %}
            {{- "<|eot_id|>" }}
        {%- endif %}
    {%- elif message.role == "tool" or message.role == "ipython" %}
        {{- "<|start_header_id|>ipython<|end_header_id|>\n\n" }}
        {%- if message.content is mapping or message.content is iterable %}
            {{- message.content | tojson }}
        {%- else %}
            {{- message.content }}
        {%- endif %}
        {{- "<|eot_id|>" }}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|start_header_id|>assistant<|end_header_id|>\n\n' }}
{%- endif %}
"""
LLAMA_HEADER = "<|start_header_id|>assistant<|end_header_id|>"


@pytest.fixture(scope="module")
def llama_tokenizer():
    """The test tokenizer with Llama 3.1's chat template and special tokens (EOS = <|eot_id|>)."""
    tok = rollout.load_tokenizer()
    tok.add_special_tokens({"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>",
                            "additional_special_tokens": ["<|start_header_id|>", "<|end_header_id|>"]})
    tok.chat_template = LLAMA31_TEMPLATE
    return tok


@pytest.mark.parametrize("eos", [False, True])
def test_trimming_template_keeps_every_turn_and_the_sampled_ids(llama_tokenizer, eos):
    # responses that stop at the token closing the code block ("```\n\n" is one token for Llama 3.1)
    # and responses with a leading space: the template would trim both
    tok = llama_tokenizer
    script = {"[ADD]": [WRONG + "\n\n", " " + WRONG + "\n\n", " " + RIGHT + "\n\n"]}
    generate = scripted(tok, script, eos, header=LLAMA_HEADER)
    (ep,) = run(tok, [ADD], script, generate_fn=generate)
    assert len(ep["turns"]) == 3 and ep["stop_reason"] == "passed" and ep["reward"] == 1.0
    assert [t["response"] for t in ep["turns"]] == script["[ADD]"]  # decoded in context, untrimmed
    # token-in/token-out: each context is the previous one + the sampled ids + the new turn's prompt ids
    contexts = generate.contexts
    assert contexts[0] == ep["turns"][0]["prompt_ids"]
    for t in (1, 2):
        assert contexts[t] == contexts[t - 1] + ep["turns"][t - 1]["response_ids"] + ep["turns"][t]["prompt_ids"]
        prompt = rollout.decode(tok, ep["turns"][t]["prompt_ids"])
        assert prompt.startswith("" if eos else "<|eot_id|>") and prompt.endswith(LLAMA_HEADER + "\n\n")
        assert "<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nYour code failed" in (
            rollout.decode(tok, contexts[t][-len(ep["turns"][t]["prompt_ids"]) - 1:]))
    # and the whole sequence is the template's rendering with the responses as sampled
    check_round_trip(tok, ep, ADD, verbatim=True)


def test_template_that_drops_the_response_ends_the_episode_loudly(tokenizer, capsys):
    lossy = rollout.load_tokenizer()
    lossy.chat_template = ("{% for m in messages %}{% if m.role == 'user' %}<|im_start|>user\n{{ m.content }}<|im_end|>\n"
                           "{% endif %}{% endfor %}<|im_start|>assistant\n")
    (ep,) = run(lossy, [ADD], {"[ADD]": [WRONG, RIGHT]})
    assert ep["stop_reason"] == "template" and len(ep["turns"]) == 1 and ep["reward"] == -1.0
    assert rollout.stop_reasons([ep]) == {"template": 1}
    assert "WARNING: 1 episode(s) ended because the chat template" in capsys.readouterr().out


# ----------------------------------------------------------------------------------------------
# The script: output file, resume, bad input


def script_config(tmp_path, **kw):
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    with open(data / "valid.jsonl", "w") as f:
        for p in (ADD, MUL, {**ADD, "id": "t/add2"}):
            f.write(json.dumps(p) + "\n")
    cfg = rollout.Config(data=str(data), split="valid", out=str(tmp_path / "episodes.jsonl"), samples=2, shots=0,
                         temperature=1.0, top_p=1.0)
    for key, value in kw.items():
        setattr(cfg, key, value)
    return cfg


def test_script_writes_and_resumes(tokenizer, tmp_path):
    script = {"[ADD]": [WRONG, RIGHT, RIGHT], "[MUL]": [PROSE, PROSE, RIGHT]}
    cfg = script_config(tmp_path)
    rollout.main(cfg, tokenizer=tokenizer, generate_fn=scripted(tokenizer, script))
    with open(cfg.out) as f:
        full = f.read().splitlines()
    assert len(full) == 6
    # an interrupted run: two whole lines and a torn one; the rerun completes the file
    with open(cfg.out, "w") as f:
        f.write(full[0] + "\n" + full[1] + "\n" + full[2][:50])
    generate = scripted(tokenizer, script)
    rollout.main(cfg, tokenizer=tokenizer, generate_fn=generate)
    with open(cfg.out) as f:
        resumed = f.read().splitlines()
    key = lambda line: (json.loads(line)["problem_id"], json.loads(line)["sample"])  # noqa: E731
    assert sorted(resumed, key=key) == sorted(full, key=key) and resumed[:2] == full[:2]
    assert sum(generate.calls) < sum(len(json.loads(x)["turns"]) for x in full)  # finished ones were skipped
    # the same command once more: nothing to do; other settings: refused
    rollout.main(cfg, tokenizer=tokenizer, generate_fn=scripted(tokenizer, {}))
    with pytest.raises(SystemExit, match="other settings"):
        rollout.main(script_config(tmp_path, turns=2), tokenizer=tokenizer, generate_fn=scripted(tokenizer, script))


def test_flags():
    from transformers import HfArgumentParser

    parser = HfArgumentParser(rollout.Config)
    (cfg,) = parser.parse_args_into_dataclasses(["--limit", "4", "--feedback", "random", "--reuse_cache", "no"])
    assert cfg == rollout.Config(limit=4, feedback="random", reuse_cache=False) and cfg.judge_every_turn
    flags = {a.dest for a in parser._actions} - {"help"}
    assert flags == {"model", "data", "split", "limit", "out", "bench", "samples", "turns", "feedback", "shots", "prefill",
                     "temperature", "top_p", "max_new_tokens", "seed", "batch_size", "bf16", "reuse_cache"}


def test_bad_input_gives_one_clear_line(tmp_path):
    with pytest.raises(SystemExit, match="nowhere/valid.jsonl not found"):
        rollout.main(rollout.Config(data=str(tmp_path / "nowhere"), split="valid"))
    with pytest.raises(SystemExit, match="unknown model"):
        rollout.load_model("not a model")


# ----------------------------------------------------------------------------------------------
# The real generation path, with a tiny random Llama and the real tokenizer


@pytest.fixture(scope="module")
def tiny_model(tiny_model_dir):  # conftest.py builds it
    from transformers import LlamaForCausalLM

    return LlamaForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32).eval()


def test_tiny_model_token_in_token_out(tokenizer, tiny_model):
    problems = [ADD, MUL, SQUARE]
    options = settings(max_new_tokens=12, batch_size=2, bf16="no")
    eps = rollout.collect_episodes(tiny_model, tokenizer, problems, options)
    assert len(eps) == 3 and all(len(e["turns"]) == 3 for e in eps)  # random tokens never pass
    by_id = {p["id"]: p for p in problems}
    for ep in eps:
        check_round_trip(tokenizer, ep, by_id[ep["problem_id"]])
        for turn in ep["turns"]:
            assert 1 <= len(turn["response_ids"]) <= 12 and len(turn["logprobs"]) == len(turn["response_ids"])
    # the recorded log-probs are the model's: recompute them with one full forward pass per episode
    for ep in eps:
        ids = torch.tensor([all_ids(ep)])
        with torch.no_grad():
            logp = torch.log_softmax(tiny_model(ids).logits[0].float(), dim=-1)
        pos = 0
        for turn in ep["turns"]:
            pos += len(turn["prompt_ids"])
            for j, token in enumerate(turn["response_ids"]):
                assert logp[pos + j - 1, token].item() == pytest.approx(turn["logprobs"][j], abs=1e-3)
            pos += len(turn["response_ids"])
    # same seed, same episodes
    again = rollout.collect_episodes(tiny_model, tokenizer, problems, options)
    assert [all_ids(e) for e in again] == [all_ids(e) for e in eps]


def test_episodes_same_with_or_without_cache_reuse(tokenizer, tiny_model):
    """Reading only the new tokens of a turn from the previous turn's cache, and batching rows of
    different lengths (left-padded caches, rows leaving the batch at different steps and turns, new
    episodes beside later turns), must not change what the model generates."""
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)  # weights large enough that greedy output depends on the context (tiny_model's is one token)
    sharp = LlamaForCausalLM(LlamaConfig(**{**tiny_model.config.to_dict(), "initializer_range": 0.2})).eval()
    sharp.generation_config.eos_token_id = list(range(0, len(tokenizer), 16))  # rows stop at different steps
    read = []
    sharp.register_forward_pre_hook(lambda _, args, kw: read.append(kw["input_ids"].numel()), with_kwargs=True)
    problems = [ADD, MUL, SQUARE, {**ADD, "id": "t/add2", "description": ADD["description"] * 3}]

    def ids(episodes):
        return [[(t["prompt_ids"], t["response_ids"]) for t in e["turns"]] for e in episodes]

    # max_context: the longer conversations end after 2 turns (stop_reason "context"), the others after 3
    options = settings(samples=2, temperature=0.0, max_new_tokens=12, bf16="no")
    plain = rollout.collect_episodes(sharp, tokenizer, problems, replace(options, batch_size=1, reuse_cache=False),
                                     max_context=215)
    plain_read, read[:] = sum(read), []
    lengths = [len(t["response_ids"]) for e in plain for t in e["turns"]]
    assert min(lengths) < 12 == max(lengths) and {len(e["turns"]) for e in plain} == {2, 3}
    for batch_size in (1, 3):
        reused = rollout.collect_episodes(sharp, tokenizer, problems, replace(options, batch_size=batch_size), max_context=215)
        assert ids(reused) == ids(plain) and sum(read) < plain_read
        read[:] = []
        logprobs = [[x for t in e["turns"] for x in t["logprobs"]] for e in (*reused, *plain)]
        for a, b in zip(logprobs[:len(plain)], logprobs[len(plain):]):
            assert a == pytest.approx(b, abs=1e-4)
    # sampling too: the same seed and batch size draw the same tokens with and without reuse
    options = replace(options, temperature=1.0, batch_size=3)
    sampled = [rollout.collect_episodes(tiny_model, tokenizer, problems, replace(options, reuse_cache=r), max_context=215)
               for r in (False, True)]
    assert ids(sampled[0]) == ids(sampled[1])


def test_stopping_looks_only_at_new_tokens(tokenizer):
    new = rollout.encode(tokenizer, "```python\nprint(1)\n``` and more")
    args = (2, {tokenizer.eos_token_id}, rollout.backtick_ids(tokenizer))
    stopped_at = next(n for n in range(1, len(new) + 1) if rollout.stops(tokenizer, new[:n], *args))
    assert rollout.decode(tokenizer, new[:stopped_at]) == "```python\nprint(1)\n```"
    assert rollout.stops(tokenizer, rollout.encode(tokenizer, "print(1)") + [tokenizer.eos_token_id], *args)


@pytest.mark.slow
def test_default_model_two_problems(tokenizer):
    model, tok = rollout.load_model()
    eps = rollout.collect_episodes(model, tok, [ADD, MUL], rollout.Settings(samples=1, turns=2, max_new_tokens=64, batch_size=2))
    assert len(eps) == 2
    for ep, problem in zip(eps, [ADD, MUL]):
        assert set(ep) >= {"problem_id", "sample", "model", "settings", "turns", "final_code", "passed_public",
                            "passed_all", "reward"}
        check_round_trip(tok, ep, problem)
