"""Tests for 02_sandbox.py: verdicts, containment of hostile programs, the judge, the feedback text.

Every hostile program here is bounded on its own (loops with deadlines, a fixed number of forks,
sleeps of at most 30 s), so a broken sandbox costs time, not the machine. After each one we check
that no process it started is still alive. Privileged mode (own uid, namespaces) runs when the tests
run as root; plain mode (what a laptop user gets) runs always.
"""

import ast
import dataclasses
import importlib
import json
import os
import subprocess
import sys
import textwrap
import threading
import time
import uuid

import pytest

sb = importlib.import_module("02_sandbox")

ROOT = os.geteuid() == 0
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STAGE = os.path.join(REPO, "02_sandbox.py")
MODES = [False, True] if ROOT else [False]  # drop_privileges values to try
root_only = pytest.mark.skipif(not ROOT, reason="privileged mode needs root")

# A program names the processes it starts (/proc/self/comm) with a token of the test's own; after
# run_tests the test looks for that name in /proc. It never signals a pid a program printed: in
# privileged mode those are pids of another pid namespace, and a program can print any pid.
MARK = textwrap.dedent("""\
    import ctypes, os, sys, time
    def mark():  # prctl(PR_SET_NAME): /proc/self/comm is not writable after a uid change
        ctypes.CDLL(None).prctl(15, TOKEN.encode(), 0, 0, 0)
    """)


def new_token():
    return "rlef" + uuid.uuid4().hex[:11]  # comm holds 15 characters


def marked(code, token):
    return MARK.replace("TOKEN", repr(token)) + code


def processes_named(token):
    found = []
    for name in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{name}/comm") as f:
                if f.read().strip() == token:
                    found.append(int(name))
        except OSError:
            pass
    return found


def assert_none_left(token, timeout=3.0):
    """No process named `token` is alive (they are bounded by their own sleeps, so none is killed here)."""
    deadline = time.monotonic() + timeout
    while processes_named(token):
        if time.monotonic() > deadline:
            pytest.fail(f"{len(processes_named(token))} process(es) of the program outlived its test")
        time.sleep(0.02)


def run1(code, stdin="", expected="", **kw):
    kw.setdefault("time_limit_s", 1.0)
    kw.setdefault("memory_limit_bytes", 256 << 20)
    report = sb.run_tests(code, [{"input": stdin, "output": expected}], **kw)
    assert len(report.results) == 1
    return report.results[0]


def run_elsewhere(script, python=sys.executable, preexec_fn=None):
    """Run `script` with 02_sandbox importable as sb, in a fresh interpreter."""
    prelude = f"import importlib, sys\nsys.path.insert(0, {REPO!r})\nsb = importlib.import_module('02_sandbox')\n"
    return subprocess.run([python, "-c", prelude + script], capture_output=True, text=True, timeout=120, preexec_fn=preexec_fn)


def our_children():
    with open(f"/proc/self/task/{os.getpid()}/children") as f:
        return set(f.read().split())


# ----------------------------------------------------------------------------------------------
# Plain verdicts.
def test_correct_program_passes_every_test():
    tests = [{"input": f"{i} {i + 1}\n", "output": f"{2 * i + 1}\n"} for i in range(6)]
    report = sb.run_tests("a, b = map(int, input().split())\nprint(a + b)", tests, workers=2)
    assert report.passed and [r.verdict for r in report.results] == ["PASSED"] * 6


def test_wrong_output_is_wrong_answer():
    result = run1("print(41)", expected="42")
    assert result.verdict == "WRONG_ANSWER" and result.stdout == "41\n"


def test_empty_test_list_does_not_pass():
    report = sb.run_tests("print(1)", [])
    assert not report.passed and report.results == []


def test_exception_keeps_traceback_like_python():
    result = run1("x = [1]\nprint(x[3])\n")
    assert result.verdict == "EXCEPTION"
    assert result.message.startswith("Traceback (most recent call last):")
    assert 'File "solution.py", line 2, in <module>' in result.message and "print(x[3])" in result.message
    assert result.message.endswith("IndexError: list index out of range")
    assert "<string>" not in result.message and "02_sandbox" not in result.message  # nor the harness's frames


def test_syntax_error_is_found_before_any_test_runs(tmp_path):
    marker = tmp_path / "ran"
    code = f"open({str(marker)!r}, 'w').write('x')\nprint('hello')\nprint((1, 2\n"
    report = sb.run_tests(code, [{"input": "", "output": "hello"}] * 3, drop_privileges=False)
    assert [r.verdict for r in report.results] == ["SYNTAX_ERROR"] * 3
    assert "SyntaxError" in report.syntax_error and "solution.py" in report.results[0].message
    assert not marker.exists() and all(r.stdout == "" for r in report.results)


def test_syntax_error_with_stop_on_first_failure_reports_one_result():
    report = sb.run_tests("def f(:\n", [{"input": "", "output": ""}] * 3, stop_on_first_failure=True)
    assert [r.verdict for r in report.results] == ["SYNTAX_ERROR"]


def test_stop_on_first_failure_stops_in_test_order():
    tests = [{"input": str(i), "output": str(i)} for i in range(8)]
    tests[2]["output"] = "wrong"
    report = sb.run_tests("print(input())", tests, stop_on_first_failure=True, workers=2)
    assert [r.verdict for r in report.results] == ["PASSED", "PASSED", "WRONG_ANSWER"]


def test_nonzero_exit_after_correct_output_is_exception():
    result = run1("print(3)\nimport sys\nsys.exit(3)", expected="3")
    assert result.verdict == "EXCEPTION" and "status 3" in result.message


def test_sys_exit_zero_after_correct_output_passes():
    assert run1("print(3)\nimport sys\nsys.exit(0)", expected="3").verdict == "PASSED"


def test_reading_past_eof_is_exception():
    result = run1("a = input()\nb = input()\nprint(a)", stdin="1\n", expected="1")
    assert result.verdict == "EXCEPTION" and "EOFError" in result.message


def test_cpu_over_the_time_limit_is_timeout_even_when_it_finishes():
    code = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.6: pass\nprint(1)"
    assert run1(code, expected="1", time_limit_s=0.3).verdict == "TIMEOUT"


def test_big_integers_print_without_the_digit_limit():  # Python 3.10 semantics (detail 3)
    assert run1("print(10 ** 5000)", expected="1" + "0" * 5000).verdict == "PASSED"


# ----------------------------------------------------------------------------------------------
# Hostile programs: limits.
def test_infinite_loop_is_timeout():
    result = run1("while True:\n    pass", time_limit_s=0.5)
    assert result.verdict == "TIMEOUT" and result.seconds < 10


def test_sleeper_is_stopped_by_the_wall_clock_limit():
    result = run1("import time\ntime.sleep(100)", time_limit_s=0.5)
    assert result.verdict == "TIMEOUT" and "wall-clock" in result.message and result.seconds < 10


def test_memory_bomb_is_out_of_memory():
    code = "chunks = []\nfor _ in range(300):\n    chunks.append(bytearray(10 << 20))\nprint('survived')"
    result = run1(code, memory_limit_bytes=128 << 20, time_limit_s=5.0)  # page faults cost CPU time
    assert result.verdict == "OUT_OF_MEMORY" and "survived" not in result.stdout


def test_limits_are_set_inside_the_program():  # the guard is really active
    code = "import resource as r\nfor k in ('AS', 'CPU', 'FSIZE', 'CORE'):\n    print(*r.getrlimit(getattr(r, 'RLIMIT_' + k)))"
    lines = run1(code, time_limit_s=2.0, memory_limit_bytes=256 << 20).stdout.split("\n")
    as_soft, cpu, fsize, core = (tuple(map(int, line.split())) for line in lines[:4])
    assert 256 << 20 < as_soft[0] < (256 << 20) + (512 << 20)
    assert cpu == (2, 3) and fsize == (64 << 20, 64 << 20) and core == (0, 0)


def test_soft_limits_never_exceed_lowered_hard_limits():
    out = run_elsewhere(textwrap.dedent("""\
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
        resource.setrlimit(resource.RLIMIT_CPU, (2, 2))
        code = "import resource as r\\nprint(*r.getrlimit(r.RLIMIT_AS), *r.getrlimit(r.RLIMIT_CPU))"
        result = sb.run_tests(code, [{"input": "", "output": ""}], time_limit_s=10.0, memory_limit_bytes=4 << 30)
        print(result.results[0].verdict, result.results[0].stdout)
        """))
    verdict, as_soft, as_hard, cpu_soft, cpu_hard = out.stdout.split()
    assert verdict == "WRONG_ANSWER"  # it ran (expected output was empty) instead of failing to start
    assert int(as_soft) <= int(as_hard) <= 3 << 30 and int(cpu_soft) <= int(cpu_hard) <= 2


def test_output_flood_is_cut_and_wrong():
    code = "import time\nt = time.time()\nwhile time.time() - t < 5:\n    print('x' * 1000)"
    result = run1(code, expected="1", time_limit_s=2.0)
    assert result.verdict == "WRONG_ANSWER" and result.truncated and len(result.stdout) < (1 << 20) + 100


def test_huge_stdin_is_read_whole():
    data = "7" * (20 << 20)
    result = run1("import sys\nprint(len(sys.stdin.buffer.read()))", stdin=data, expected=str(len(data)), time_limit_s=5.0)
    assert result.verdict == "PASSED"


def test_stderr_chatter_before_reading_stdin_does_not_block():
    code = "import sys\nsys.stderr.write('e' * 200_000)\nprint(input())"
    result = run1(code, stdin="hi\n", expected="hi", time_limit_s=2.0)
    assert result.verdict == "PASSED" and result.truncated and len(result.stderr) < 70_000


def test_traceback_survives_stderr_chatter():
    result = run1("import sys\nsys.stderr.write('e' * 200_000)\nraise KeyError('late')")
    assert result.verdict == "EXCEPTION" and "KeyError: 'late'" in result.message


def test_death_by_a_signal_without_a_name_is_an_exception():  # (real-time signals have none)
    result = run1("import os\nos.kill(os.getpid(), 40)")
    assert result.verdict == "EXCEPTION" and result.message == "Process was killed by signal 40."


def test_closed_stdout_is_an_exception():
    result = run1("import os\nos.close(1)\nprint('hello')", expected="hello")
    assert result.verdict == "EXCEPTION"


def test_invalid_utf8_on_stdin_reaches_the_program_like_in_python():
    # bytes ff fe (a str test input carries them as surrogate escapes); under C.UTF-8 python's
    # stdin decodes them with surrogateescape: two characters, no crash
    code = "import sys\nline = input()\nprint(len(line), line.encode('utf-8', 'surrogateescape').hex())"
    assert run1(code, stdin="\udcff\udcfe\n", expected="2 fffe").verdict == "PASSED"


def test_invalid_utf8_on_stdout_is_replaced_and_judged():
    result = run1("import sys\nsys.stdout.buffer.write(b'\\xff ok\\n')", expected="ok")
    assert result.verdict == "WRONG_ANSWER" and result.stdout == "\ufffd ok\n"


# ----------------------------------------------------------------------------------------------
# Hostile programs: processes that try to outlive their test.
# A forked process tells its parent through a pipe once it has its name, so the test's scan cannot
# run before the name is there.
SPAWN = textwrap.dedent("""\
    def spawn(then):  # fork a named process that runs then(); return once it is named
        r, w = os.pipe()
        if os.fork() == 0:
            mark()
            os.write(w, b"x")
            then()
            os._exit(0)
        os.read(r, 1)
    """)


@pytest.mark.parametrize("drop", MODES)
def test_child_left_running_is_killed(drop):
    token = new_token()
    result = run1(marked(SPAWN + "spawn(lambda: time.sleep(30))\nprint('started')", token), drop_privileges=drop)
    assert result.verdict == "WRONG_ANSWER" and result.stdout == "started\n"
    assert_none_left(token)


@pytest.mark.parametrize("drop", MODES)
def test_setsid_child_is_killed(drop):
    token = new_token()
    result = run1(marked(SPAWN + "spawn(lambda: (os.setsid(), time.sleep(30)))\nprint('started')", token), drop_privileges=drop)
    assert result.stdout == "started\n"
    assert_none_left(token)


@pytest.mark.parametrize("drop", MODES)
def test_double_forked_daemon_is_killed(drop):
    token = new_token()
    code = SPAWN + "spawn(lambda: spawn(lambda: (os.setsid(), time.sleep(30))))\nprint('started')"
    assert run1(marked(code, token), drop_privileges=drop).stdout == "started\n"
    assert_none_left(token)


@pytest.mark.parametrize("drop", MODES)
def test_fork_bomb_is_bounded_and_cleaned_up(drop):
    token = new_token()
    code = textwrap.dedent("""\
        mark()
        forked, failed = 0, 0
        for _ in range(150):
            try:
                pid = os.fork()
            except OSError:
                failed += 1
                continue
            if pid == 0:
                time.sleep(30)
                os._exit(0)
            forked += 1
        print(forked, failed)
        """)
    result = run1(marked(code, token), drop_privileges=drop, time_limit_s=2.0)
    forked, failed = map(int, result.stdout.split())
    if drop:  # RLIMIT_NPROC = 64 for the sandbox uid (root itself is exempt from it)
        assert forked < 64 and failed > 0
    assert_none_left(token)


def test_killed_zygote_is_replaced_for_the_remaining_tests():  # plain mode: the program may do that
    code = "import os, signal\nprint(os.getcwd(), flush=True)\nif input() == 'kill':\n    os.kill(os.getppid(), signal.SIGKILL)\nprint('ok')"
    tests = [{"input": "kill", "output": "ok"}, {"input": "stay", "output": "ok"}]
    report = sb.run_tests(code, tests, workers=1, drop_privileges=False)
    assert report.results[0].verdict == "EXCEPTION" and "sandbox process died" in report.results[0].message
    assert not os.path.exists(report.results[0].stdout.split()[0])  # its directory was removed anyway
    assert report.results[1].verdict == "WRONG_ANSWER"  # it ran: cwd + ok


def test_hanging_up_on_a_zygote_stops_its_running_test():  # what run_tests does on ^C
    token = new_token()
    zygote = sb._Zygote(marked("mark()\nprint('started', flush=True)\ntime.sleep(30)", token), "stdio", None, 2.0, 256 << 20, ROOT)
    threading.Timer(0.5, zygote.hang_up).start()
    result, (stdout, _), _ = zygote.run("", 1 << 20)
    zygote.close()
    assert result is None  # (the wall limit would have given a result: timed_out)
    assert stdout == "started\n"
    assert_none_left(token)


def test_no_helper_processes_remain_after_run_tests():
    before = our_children()
    sb.run_tests("print(1)", [{"input": "", "output": "1"}] * 4, workers=2)
    assert our_children() <= before


# ----------------------------------------------------------------------------------------------
# Hostile programs: the environment, files, and other processes.
@pytest.mark.parametrize("drop", MODES)
def test_environment_secrets_are_not_visible(drop, monkeypatch):
    monkeypatch.setenv("RLEF_TEST_SECRET", "hunter2-secret")
    code = "import os\nprint(sorted(os.environ.items()))"
    result = run1(code, drop_privileges=drop)
    assert "hunter2" not in result.stdout and "PATH" in result.stdout


@pytest.mark.parametrize("drop", MODES)
def test_working_directory_starts_empty_and_is_removed(drop):
    code = "import os\nopen('out.txt', 'w').write('x' * 1000)\nprint(os.getcwd(), len(os.listdir('.')))"
    result = run1(code, drop_privileges=drop)
    cwd, count = result.stdout.split()
    assert count == "1"  # only the file the program wrote
    if not drop:  # in privileged mode the directory lives in a private mount namespace anyway
        assert not os.path.exists(cwd)


@root_only
def test_program_runs_as_an_unprivileged_user():
    uid, gid = map(int, run1("import os\nprint(os.getuid(), os.getgid())").stdout.split())
    assert uid != 0 and gid != 0


@root_only
def test_cannot_write_outside_its_directory():
    here = os.path.dirname(os.path.abspath(__file__))
    targets = [f"/tmp/rlef_escape_{uuid.uuid4().hex}", os.path.join(here, f"rlef_escape_{uuid.uuid4().hex}")]
    code = f"for path in {targets!r}:\n    try:\n        open(path, 'w').write('x')\n    except OSError as e:\n        print(type(e).__name__)"
    run1(code)
    for path in targets:
        assert not os.path.exists(path)


@root_only
def test_cannot_signal_the_caller_or_the_zygote():
    code = textwrap.dedent(f"""\
        import os
        for pid in ({os.getpid()}, os.getppid(), 1):
            try:
                os.kill(pid, 0)  # the permission check of kill(), without a signal
                print("allowed")
            except (PermissionError, ProcessLookupError):  # (in its pid namespace ours do not exist)
                print("denied")
        """)
    assert run1(code).stdout.split() == ["denied"] * 3


@root_only
def test_cannot_read_the_callers_environment():
    code = f"try:\n    print(len(open('/proc/{os.getpid()}/environ', 'rb').read()))\nexcept OSError as e:\n    print(type(e).__name__)"
    assert run1(code).stdout.strip() in ("PermissionError", "FileNotFoundError")  # (own pid namespace)


@root_only
def test_no_network_interfaces_but_loopback():
    if {name for _, name in __import__("socket").if_nameindex()} <= {"lo"}:
        pytest.skip("this machine has no network interface to hide")
    code = "import socket\nprint(*sorted(name for _, name in socket.if_nameindex()))"
    assert run1(code).stdout.split() == ["lo"]


# ----------------------------------------------------------------------------------------------
# Function style (HumanEval).
FUNC = "def add(a, b):\n    return a + b\n"


def run_function(code, tests, entry_point="add", **kw):
    return sb.run_tests(code, tests, style="function", entry_point=entry_point, time_limit_s=2.0,
                        memory_limit_bytes=256 << 20, **kw)


def run_func(code, snippet, entry_point="add"):
    return run_function(code, [{"input": snippet, "output": ""}], entry_point).results[0]


def test_function_style_passing_assert():
    assert run_func(FUNC, "assert candidate(2, 3) == 5").verdict == "PASSED"


def test_function_style_failed_assert_says_what_differed():
    result = run_func(FUNC, "assert candidate(2, 3) == 6")
    assert result.verdict == "WRONG_ANSWER" and result.message == "5 != 6"


def test_function_style_multiline_snippet_and_bare_assertion():
    result = run_func(FUNC, "for i in range(3):\n    assert candidate(i, i) == 2 * i + (i == 2)")
    assert result.verdict == "WRONG_ANSWER" and result.message == "4 != 5"  # in a loop too
    result = run_func(FUNC, "assert candidate(1, 1) in (3, 4)")
    assert result.verdict == "WRONG_ANSWER" and result.message == "AssertionError"


def test_function_style_exception_is_exception():
    result = run_func(FUNC, "assert candidate(2, None) == 2")
    assert result.verdict == "EXCEPTION" and "TypeError" in result.message and 'File "solution.py"' in result.message


def test_function_style_missing_entry_point():
    result = run_func(FUNC, "assert candidate(1, 1) == 2", entry_point="multiply")
    assert result.verdict == "EXCEPTION" and "'multiply'" in result.message


# ----------------------------------------------------------------------------------------------
# The judge: outputs_match.
@pytest.mark.parametrize("expected, actual, match", [
    ("1 2 3\n", "1 2 3\n", True),
    ("1 2 3\n", "1 2\n", False),                        # a prefix of the expected output is wrong
    ("1 2\n3\n", "  1\t2   3  \n\n", True),             # whitespace is only a separator
    ("YES\n", "yes", True),                             # case-insensitive
    ("0.3333333\n", "0.3333334", True),                 # a 1e-7 difference is accepted
    ("0.5\n", "0.5001", False),
    ("3\n", "3.000001", True),                          # int against float: compared as floats
    (str(2 ** 63), str(2 ** 63 + 1), False),            # big ints compared exactly
    ("1" + "0" * 5000, "+0001" + "0" * 5000, True),     # huge ints, sign and leading zeros
    ("1" + "0" * 5000, "1" + "0" * 4999 + "1", False),
    ("-0", "0", True),
    ("1e5", "100000", True),
    ("nan", "nan", True), ("inf", "INF", True), ("nan", "0", False),
    ("0x10", "16", False),
    ("abc", "abd", False),
    ("", "\n \n", True),
])
def test_outputs_match(expected, actual, match):
    assert sb.outputs_match(expected, actual) is match


# ----------------------------------------------------------------------------------------------
# The feedback text, byte for byte.
FOOTER = ("\n\nGive it another try.\nYour code should be enclosed in triple backticks like so: "
          "```python YOUR CODE HERE ```. Use the backticks for your code only.")


def report_of(*results):
    return sb.Report(passed=False, results=[sb.TestResult(v, stdout=out, message=msg) for v, out, msg in results])


def test_feedback_stdio_every_form():
    tests = [{"input": f"in{i}\n", "output": f"out{i}\n"} for i in range(5)]
    report = report_of(("PASSED", "out0\n", ""), ("WRONG_ANSWER", "bad\n", ""),
                       ("EXCEPTION", "", "Traceback (most recent call last):\nValueError: x\n"),
                       ("TIMEOUT", "", "..."), ("OUT_OF_MEMORY", "", "Out of memory."))
    assert sb.format_feedback(report, tests) == (
        "Your code failed the following tests:\n\n"
        "- input `in1\n` failed:\nExpected output `out1\n` but got `bad\n`\n"
        "- input `in2\n` failed:\nTraceback (most recent call last):\nValueError: x\n"
        "- input `in3\n` failed: Execution took too long.\n"
        "- input `in4\n` failed: Out of memory." + FOOTER)


def test_feedback_syntax_error_uses_the_exception_form():
    report = sb.run_tests("print(1", [{"input": "5\n", "output": "5\n"}])
    message = sb.format_feedback(report, [{"input": "5\n", "output": "5\n"}])
    assert message.startswith("Your code failed the following tests:\n\n- input `5\n` failed:\n  File \"solution.py\", line 1\n")
    assert "SyntaxError" in message and message.endswith(FOOTER)


def test_feedback_function_style_lists_successes_too():
    tests = [{"input": "assert candidate(1) == 1\n", "output": ""}, {"input": "assert candidate(2) == 3", "output": ""},
             {"input": "candidate(None)", "output": ""}, {"input": "candidate(-1)", "output": ""}]
    report = report_of(("PASSED", "", ""), ("WRONG_ANSWER", "", "2 != 3"),
                       ("EXCEPTION", "", "Traceback (most recent call last):\nTypeError: t"), ("TIMEOUT", "", ""))
    assert sb.format_feedback(report, tests, style="function") == (
        "Your code failed some test cases:\n\n"
        "- Success: `assert candidate(1) == 1`\n"
        "- Failure: `assert candidate(2) == 3`:\n`2 != 3`\n"
        "- Failure: `candidate(None)`:\nTraceback (most recent call last):\nTypeError: t\n"
        "- Failure: `candidate(-1)`:\nExecution took too long." + FOOTER)


def test_feedback_cuts_long_fields_head_and_tail():
    big = "a" * 600 + "b" * 5000 + "c" * 600
    report = report_of(("WRONG_ANSWER", big, ""))
    message = sb.format_feedback(report, [{"input": big, "output": "1"}], max_field_chars=1000)
    assert message.count("...(truncated 5200 characters)...") == 2
    assert "a" * 500 + "...(truncated" in message and "characters)..." + "c" * 500 in message
    assert len(message) < 3000


def test_feedback_is_empty_when_nothing_failed():
    assert sb.format_feedback(report_of(("PASSED", "1", "")), [{"input": "", "output": "1"}]) == ""


# ----------------------------------------------------------------------------------------------
# The stage's command line.
def test_judge_one_program_from_the_command_line(tmp_path):
    (tmp_path / "p.py").write_text("print(int(input()) * 2)\n")
    (tmp_path / "t.json").write_text(json.dumps([{"input": "2\n", "output": "4\n"}, {"input": "3\n", "output": "7\n"}]))
    out = subprocess.run([sys.executable, STAGE, "--code", str(tmp_path / "p.py"),
                          "--tests", str(tmp_path / "t.json"), "--json"], capture_output=True, text=True, timeout=120)
    report = json.loads(out.stdout)
    assert out.returncode == 1 and [r["verdict"] for r in report["results"]] == ["PASSED", "WRONG_ANSWER"]


def test_verify_stage_writes_report_and_catches_accepted_incorrect_solution(tmp_path):
    problem = {"id": "double", "source": "mini", "split": "test", "description": "", "style": "stdio",
               "public_tests": [{"input": "2\n", "output": "4\n"}], "private_tests": [{"input": "0\n", "output": "0\n"}],
               "generated_tests": [], "time_limit_s": 2.0, "memory_limit_bytes": 256 << 20,
               "solutions": ["print(int(input()) * 2)"],
               "incorrect_solutions": ["print(int(input()) + 2)", "print(int(input()) ** 2 if input else 0)"]}
    (tmp_path / "test.jsonl").write_text(json.dumps(problem) + "\n")
    out = subprocess.run([sys.executable, STAGE, "--data", str(tmp_path)],
                         capture_output=True, text=True, timeout=120)
    report = json.loads((tmp_path / "verify.json").read_text())
    # x ** 2 equals 2 * x on both tests: the weak tests let it through, and the stage says so
    assert report == {"problems": 1, "verified": 1, "failed": [], "incorrect_rejected": 1,
                      "incorrect_total": 2, "incorrect_accepted": ["double"]}
    assert out.returncode == 1


BLOCK_NON_STDLIB = textwrap.dedent("""\
    import runpy, sys
    class Block:  # a meta path finder that refuses every module outside the standard library
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] not in sys.stdlib_module_names:
                raise ImportError(f"blocked: {name}")
    sys.meta_path.insert(0, Block())
    sys.modules["transformers"] = None
    sys.argv = [sys.argv[1], *sys.argv[2:]]
    runpy.run_path(sys.argv[0], run_name="__main__")
    """)


def test_help_works_with_the_standard_library_alone():
    out = subprocess.run([sys.executable, "-c", BLOCK_NON_STDLIB, STAGE, "--help"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    for f in dataclasses.fields(sb.Config):  # one flag per field, with the field's help
        assert f"--{f.name}" in out.stdout and f.metadata["help"].split()[0] in out.stdout


def test_the_stage_imports_nothing_outside_the_standard_library():
    with open(sb.__file__) as f:
        tree = ast.parse(f.read())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= set(sb._PRELOAD) | {"typing"}  # the zygote's __import__ calls
    assert imported and {name.split(".")[0] for name in imported} <= sys.stdlib_module_names


def test_bool_flags_and_choices_parse_like_words():
    assert sb.parse_args(["--json"]).json is True and sb.parse_args([]).json is False
    assert sb.parse_args(["--json", "no"]).json is False and sb.parse_args(["--bench", "yes"]).bench is True
    for bad in (["--json", "maybe"], ["--split", "everything"], ["--code", "p.py"]):
        with pytest.raises(SystemExit):
            sb.parse_args(bad)


def test_the_zygote_never_imports_from_the_repository_or_the_working_directory():
    paths = json.loads(run1("import json, sys\nprint(json.dumps(sys.path))", drop_privileges=False).stdout)
    assert paths and "" not in paths and not any(os.path.realpath(p) == os.path.realpath(REPO) for p in paths)


# ----------------------------------------------------------------------------------------------
# The judge cannot be gamed (what a policy optimised against it would find), nor crashed.
ADD_TESTS = [{"input": "assert candidate(2, 3) == 5", "output": ""}, {"input": "assert candidate(10, -4) == 6", "output": ""}]
FRAME_READER = textwrap.dedent("""\
    import ast, sys
    def add(a, b):  # find the test in a caller's frame and return its expected value
        frame = sys._getframe(1)
        while frame is not None:
            for value in list(frame.f_locals.values()) + list(frame.f_globals.values()):
                if isinstance(value, str) and "candidate(" in value:
                    for node in ast.walk(ast.parse(value)):
                        if isinstance(node, ast.Compare) and ast.literal_eval(node.left.args[0]) == a:
                            return ast.literal_eval(node.comparators[0])
            frame = frame.f_back
        return a - b
    """)
HACKS = {
    "sys.exit(0) at module level": "import sys\ndef add(a, b):\n    return a - b\nsys.exit(0)",
    "exit() in the __main__ block": "def add(a, b):\n    return a - b\nif __name__ == '__main__':\n    exit()",
    "sys.exit(main())": "import sys\ndef add(a, b):\n    return a - b\ndef main():\n    pass\nsys.exit(main())",
    "SystemExit in the candidate": "def add(a, b):\n    raise SystemExit",
    "atexit os._exit(0)": "import atexit, os\natexit.register(os._exit, 0)\ndef add(a, b):\n    return a - b",
    "__eq__ always True": "class Any:\n    def __eq__(self, other):\n        return True\ndef add(a, b):\n    return Any()",
    "int subclass, __eq__ True": "class I(int):\n    def __eq__(self, other):\n        return True\ndef add(a, b):\n    return I(0)",
    "patched eval/exec": "import builtins\nbuiltins.eval = lambda *a, **k: 0\nbuiltins.exec = lambda *a, **k: None\ndef add(a, b):\n    return a - b",
    "expected value from the caller's frame": FRAME_READER,
    "verdict forged through /proc": textwrap.dedent("""\
        import os
        def add(a, b):  # write a PASSED verdict into every pipe the zygote holds
            for fd in os.listdir(f"/proc/{os.getppid()}/fd"):
                try:
                    with open(f"/proc/{os.getppid()}/fd/{fd}", "w") as f:
                        f.write('{"verdict": "PASSED"}')
                except OSError:
                    pass
            return a - b
        """),
}


@pytest.mark.parametrize("drop", MODES)
@pytest.mark.parametrize("hack", list(HACKS))
def test_function_style_judges_the_returned_value_not_the_exit(hack, drop):
    report = run_function(HACKS[hack], ADD_TESTS, drop_privileges=drop)
    assert not report.passed and all(r.verdict != "PASSED" for r in report.results)


def test_function_style_does_not_run_the_main_block():  # HumanEval's harness: not run as __main__
    demo = FUNC + 'if __name__ == "__main__":\n    print(add(*map(int, input().split())))\n'
    assert run_function(demo, ADD_TESTS).passed


def test_function_style_feedback_shows_expected_and_actual_values():
    tests = [{"input": "assert candidate('a b') == 'a-b'", "output": ""}]
    report = run_function("def join(s):\n    return s.replace(' ', '_')", tests, entry_point="join")
    feedback = sb.format_feedback(report, tests, style="function")
    assert report.results[0].verdict == "WRONG_ANSWER" and "'a-b'" in feedback and "'a_b'" in feedback


CHECK_BODY = textwrap.dedent("""\
    import math, random
    rng = random.Random(7)
    def reference(xs):
        return sum(xs) / len(xs)
    for _ in range(20):
        xs = [rng.uniform(-5, 5) for _ in range(rng.randint(1, 9))]
        assert abs(candidate(xs) - reference(xs)) < 1e-6
    assert math.isclose(candidate(scale([1.0, 3.0], 2)), 4.0)
    """)
MEAN = "def scale(xs, k):\n    return [x * k for x in xs]\ndef mean(xs):\n    return sum(xs) / len(xs)\n"


@pytest.mark.parametrize("code, passed", [(MEAN, True), (MEAN.replace("/ len(xs)", "/ max(1, len(xs) - 1)"), False),
                                          (MEAN.replace("return sum(xs) / len(xs)", "return None"), False)])
def test_function_style_check_body_with_loops_helpers_and_tolerances(code, passed):
    # HumanEval's multi-statement check() bodies: the test's own helpers, randomness, tolerances,
    # and a helper of the program's (scale) that the test calls by name
    report = run_function(code, [{"input": CHECK_BODY, "output": ""}], entry_point="mean")
    assert report.passed is passed, report.results[0].message


@pytest.mark.parametrize("style", ["stdio", "function"])
def test_run_tests_never_raises_on_odd_text(style):
    kw = dict(style=style, entry_point="f" if style == "function" else None, time_limit_s=2.0, memory_limit_bytes=256 << 20)
    long_line = "x = [" + "1, " * 35_000 + "+]\n"  # a syntax error on a 100 KiB line
    report = sb.run_tests(long_line, [{"input": "", "output": ""}], **kw)
    assert [r.verdict for r in report.results] == ["SYNTAX_ERROR"] and len(report.results[0].message) < 20_000
    for code, test in [("print('\ud800')\ndef f():\n    return '\ud800'", {"input": "", "output": ""}),
                       ("print(input())\ndef f():\n    return 1", {"input": "\ud800\udcff\n", "output": "\ud800"}),
                       ("def f():\n    return 1", {"input": "assert candidate() == '\ud800'", "output": "\udfff"})]:
        report = sb.run_tests(code, [test], **kw)
        assert len(report.results) == 1 and report.results[0].verdict in sb.__dict__.values()


NESTED = textwrap.dedent("""\
    import os
    if input() == "make":
        top = os.getcwd()
        for _ in range(1100):
            os.mkdir("d")
            os.chdir("d")
        os.chdir(top)
        os.mkdir("locked")
        open("locked/f", "w").write("x")
        os.chmod("locked", 0)
        print(top)
    else:
        print(len(os.listdir(".")))
    """)


@pytest.mark.parametrize("drop", MODES)
def test_cleanup_survives_deep_and_unreadable_directories(drop):
    tests = [{"input": "make", "output": ""}, {"input": "look", "output": "0"}]
    report = sb.run_tests(NESTED, tests, workers=1, time_limit_s=2.0, memory_limit_bytes=256 << 20, drop_privileges=drop)
    assert [r.verdict for r in report.results] == ["WRONG_ANSWER", "PASSED"], report.results[1].message
    if not drop:  # (in privileged mode the directory is in a private mount namespace)
        assert not os.path.exists(report.results[0].stdout.strip())


MEMFDS = "import os\nheld = 0\nfor _ in range(12):\n    try:\n        fd = os.memfd_create('x')\n        os.write(fd, b'x' * (32 << 20))\n        held += 32\n    except OSError:\n        break\nprint(held)"


@pytest.mark.parametrize("drop", MODES)
def test_memfd_pages_do_not_escape_the_memory_limit(drop):
    result = run1(MEMFDS, time_limit_s=2.0, memory_limit_bytes=128 << 20, drop_privileges=drop)
    assert int(result.stdout) <= 128, result.stdout


@root_only
def test_tmpfs_pages_are_bounded():
    code = textwrap.dedent("""\
        import os
        written = 0
        for i, folder in enumerate(["/dev/shm", "/tmp", "/var/tmp", "."] * 3):
            try:
                with open(os.path.join(folder, f"big{i}"), "wb") as f:
                    for _ in range(4):
                        f.write(b"x" * (8 << 20))
                        written += 8
            except OSError:
                pass
        print(written)
        """)
    result = run1(code, time_limit_s=2.0, memory_limit_bytes=128 << 20)
    assert int(result.stdout) <= 64, result.stdout


SHM = textwrap.dedent("""\
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    libc.shmat.restype = ctypes.c_void_p
    touched = 0
    for key in KEYS:
        ident = libc.shmget(key, 16 << 20, 0o1000 | 0o666)  # IPC_CREAT
        if ident < 0:
            break
        address = libc.shmat(ident, None, 0)
        if address in (None, ctypes.c_void_p(-1).value):
            break
        ctypes.memset(address, 1, 16 << 20)
        libc.shmdt(ctypes.c_void_p(address))
        touched += 16
    print(touched)
    """)


def shm_keys_on_host():
    with open("/proc/sysvipc/shm") as f:
        return {int(line.split()[0]): int(line.split()[1]) for line in f.read().splitlines()[1:] if line.strip()}


@pytest.mark.parametrize("drop", MODES)
def test_sysv_shared_memory_is_bounded_and_removed(drop):
    keys = [0x7E000000 + (uuid.uuid4().int & 0xFFFFF) * 8 + i for i in range(6)]
    try:
        result = run1(SHM.replace("KEYS", repr(keys)), time_limit_s=2.0, memory_limit_bytes=128 << 20, drop_privileges=drop)
        assert int(result.stdout) > 0  # it could make some: what matters is that they are gone
        if drop:  # the privileged mode's own IPC namespace has small limits (16 MiB)
            assert int(result.stdout) <= 16
        assert not set(keys) & set(shm_keys_on_host())
    finally:  # a broken sandbox left them on the host: free that memory
        libc = __import__("ctypes").CDLL(None)
        for key, ident in shm_keys_on_host().items():
            if key in keys:
                libc.shmctl(ident, 0, None)


@root_only
@pytest.mark.slow
@pytest.mark.parametrize("attempt", range(3))  # a race: a killer that can be frozen loses some
def test_the_killer_cannot_be_frozen(attempt):
    # Processes of the program's uid SIGSTOP every process they may signal, over and over (and wake
    # each other): whatever kills the test's leftovers must be out of their reach.
    token = new_token()
    code = SPAWN + textwrap.dedent("""\
        import signal
        def stopper():
            end = time.time() + 10
            while time.time() < end:
                try:
                    os.kill(-1, signal.SIGSTOP)
                    os.kill(-1, signal.SIGCONT) if os.getpid() % 3 == 0 else None
                except OSError:
                    pass
        for _ in range(3):
            spawn(lambda: (os.setsid(), stopper()))
        print("started")
        """)
    run1(marked(code, token), time_limit_s=1.0, memory_limit_bytes=128 << 20)
    assert_none_left(token)


@root_only
def test_program_cannot_read_the_callers_files():  # e.g. the problem files: no oracle
    paths = [os.path.abspath(__file__), os.path.join(REPO, "README.md"), sb.__file__]
    code = f"for path in {paths!r}:\n    try:\n        print(len(open(path).read()))\n    except OSError as e:\n        print(type(e).__name__)"
    assert run1(code).stdout.split() == ["FileNotFoundError"] * 3


@root_only
@pytest.mark.parametrize("code", ["import ctypes.util\nprint('ok')", "import json.tool\nprint('ok')",
                                  "print(b'\\x80'.decode('cp1252') == '\\u20ac' and 'b\\u00fccher.de'.encode('idna') == b'xn--bcher-kva.de' and 'ok')"])
def test_correct_programs_can_import_the_standard_library(code):
    assert run1(code, expected="ok").verdict == "PASSED"


@root_only
@pytest.mark.slow
def test_a_venv_under_tmp_works_in_privileged_mode(tmp_path):
    import venv
    venv.create(tmp_path / "venv", symlinks=True)  # no pip: fast
    site = next((tmp_path / "venv" / "lib").glob("python3*/site-packages"))
    (site / "rlef_probe.py").write_text("X = 'probe'\n")
    out = run_elsewhere("r = sb.run_tests('import rlef_probe\\nprint(rlef_probe.X)', [{'input': '', 'output': 'probe'}], "
                        "time_limit_s=2.0, memory_limit_bytes=256 << 20)\n"
                        "print(r.results[0].verdict, r.results[0].message)", python=str(tmp_path / "venv" / "bin" / "python"))
    assert out.stdout.split()[:1] == ["PASSED"], out.stdout + out.stderr


@root_only
def test_missing_namespaces_are_said_out_loud():
    def drop_cap_sys_admin():  # PR_CAPBSET_DROP CAP_SYS_ADMIN: root's next exec has no such capability
        __import__("ctypes").CDLL(None).prctl(24, 21, 0, 0, 0)

    out = run_elsewhere("print(sb.run_tests('print(1)', [{'input': '', 'output': '1'}] * 3, time_limit_s=2.0, "
                        "memory_limit_bytes=256 << 20).passed)", preexec_fn=drop_cap_sys_admin)
    warnings = [line for line in out.stderr.splitlines() if "warning" in line]
    assert out.stdout.strip() == "True" and len(warnings) == 1 and "namespace" in warnings[0], out.stderr
