"""Tests for 02_sandbox.py: verdicts, containment of hostile programs, the judge, the feedback text.

Every hostile program here is bounded on its own (loops with deadlines, a fixed number of forks,
sleeps of at most 30 s), so a broken sandbox costs time, not the machine. After each one we check
that no process it started is still alive. Privileged mode (own uid, namespaces) runs when the tests
run as root; plain mode (what a laptop user gets) runs always.
"""

import importlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import uuid

import pytest

sb = importlib.import_module("02_sandbox")

ROOT = os.geteuid() == 0
MODES = [False, True] if ROOT else [False]  # drop_privileges values to try
root_only = pytest.mark.skipif(not ROOT, reason="privileged mode needs root")

# Programs print "pid:starttime" for the processes they start; a pid alone could be reused.
IDENT = textwrap.dedent("""\
    import os, sys, time
    def ident(pid):
        return f"{pid}:" + open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[19]
    """)


def run1(code, stdin="", expected="", **kw):
    kw.setdefault("time_limit_s", 1.0)
    report = sb.run_tests(code, [{"input": stdin, "output": expected}], **kw)
    assert len(report.results) == 1
    return report.results[0]


def assert_all_gone(text, timeout=3.0):
    """Every "pid:starttime" in `text` names a process that no longer exists."""
    idents = [tok for tok in text.split() if ":" in tok and tok.split(":")[0].isdigit()]
    assert idents, f"the program reported no processes: {text[:200]!r}"
    deadline = time.monotonic() + timeout
    for token in idents:
        pid, start = token.split(":")
        while True:
            try:
                with open(f"/proc/{pid}/stat") as f:
                    alive = f.read().rsplit(")", 1)[1].split()[19] == start
            except (FileNotFoundError, ProcessLookupError):
                alive = False
            if not alive:
                break
            if time.monotonic() > deadline:
                os.kill(int(pid), signal.SIGKILL)  # clean up after a broken sandbox, then fail
                pytest.fail(f"process {pid} outlived its test")
            time.sleep(0.02)


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
    assert "<string>" not in result.message  # the harness's own frames are not shown


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


def test_soft_limits_never_exceed_lowered_hard_limits(tmp_path):
    script = textwrap.dedent(f"""\
        import importlib, resource, sys
        sys.path.insert(0, {os.path.dirname(os.path.dirname(os.path.abspath(__file__)))!r})
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
        resource.setrlimit(resource.RLIMIT_CPU, (2, 2))
        sb = importlib.import_module("02_sandbox")
        code = "import resource as r\\nprint(*r.getrlimit(r.RLIMIT_AS), *r.getrlimit(r.RLIMIT_CPU))"
        result = sb.run_tests(code, [{{"input": "", "output": ""}}], time_limit_s=10.0,
                              memory_limit_bytes=4 << 30).results[0]
        print(result.verdict, result.stdout)
        """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
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
@pytest.mark.parametrize("drop", MODES)
def test_child_left_running_is_killed(drop):
    code = IDENT + "pid = os.fork()\nif pid == 0:\n    time.sleep(30)\n    os._exit(0)\nprint(ident(pid))"
    result = run1(code, drop_privileges=drop)
    assert result.verdict == "WRONG_ANSWER"
    assert_all_gone(result.stdout)


@pytest.mark.parametrize("drop", MODES)
def test_setsid_child_is_killed(drop):
    code = IDENT + "pid = os.fork()\nif pid == 0:\n    os.setsid()\n    time.sleep(30)\n    os._exit(0)\nprint(ident(pid))"
    assert_all_gone(run1(code, drop_privileges=drop).stdout)


@pytest.mark.parametrize("drop", MODES)
def test_double_forked_daemon_is_killed(drop):
    code = IDENT + textwrap.dedent("""\
        r, w = os.pipe()
        if os.fork() == 0:
            if os.fork() == 0:
                os.setsid()
                os.write(w, ident(os.getpid()).encode())
                time.sleep(30)
            os._exit(0)
        print(os.read(r, 100).decode())
        """)
    assert_all_gone(run1(code, drop_privileges=drop).stdout)


@pytest.mark.parametrize("drop", MODES)
def test_fork_bomb_is_bounded_and_cleaned_up(drop):
    code = IDENT + textwrap.dedent("""\
        kids, failed = [], 0
        for _ in range(150):
            try:
                pid = os.fork()
            except OSError:
                failed += 1
                continue
            if pid == 0:
                time.sleep(30)
                os._exit(0)
            kids.append(ident(pid))
        print(len(kids), failed, *kids)
        """)
    result = run1(code, drop_privileges=drop, time_limit_s=3.0)
    forked, failed = map(int, result.stdout.split()[:2])
    if drop:  # RLIMIT_NPROC = 64 for the sandbox uid (root itself is exempt from it)
        assert forked < 64 and failed > 0
    assert_all_gone(result.stdout)


def test_killed_zygote_is_replaced_for_the_remaining_tests():  # plain mode: the program may do that
    code = "import os, signal\nprint(os.getcwd(), flush=True)\nif input() == 'kill':\n    os.kill(os.getppid(), signal.SIGKILL)\nprint('ok')"
    tests = [{"input": "kill", "output": "ok"}, {"input": "stay", "output": "ok"}]
    report = sb.run_tests(code, tests, workers=1, drop_privileges=False)
    assert report.results[0].verdict == "EXCEPTION" and "sandbox process died" in report.results[0].message
    assert not os.path.exists(report.results[0].stdout.split()[0])  # its directory was removed anyway
    assert report.results[1].verdict == "WRONG_ANSWER"  # it ran: cwd + ok


def test_hanging_up_on_a_zygote_stops_its_running_test():  # what run_tests does on ^C
    code = IDENT + "print(ident(os.getpid()), flush=True)\ntime.sleep(30)"
    zygote = sb._Zygote(code, "stdio", None, 10.0, 1 << 30, ROOT)
    start = time.monotonic()
    threading.Timer(0.5, zygote.hang_up).start()
    result, out, _ = zygote.run("", 1 << 20)
    zygote.close()
    assert result is None and time.monotonic() - start < 10  # not the 31 s wall limit
    assert_all_gone(out.text())


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
            except PermissionError:
                print("denied")
        """)
    assert run1(code).stdout.split() == ["denied"] * 3


@root_only
def test_cannot_read_the_callers_environment():
    code = f"try:\n    print(len(open('/proc/{os.getpid()}/environ', 'rb').read()))\nexcept OSError as e:\n    print(type(e).__name__)"
    assert run1(code).stdout.strip() == "PermissionError"


@root_only
def test_no_network_interfaces_but_loopback():
    if {name for _, name in __import__("socket").if_nameindex()} <= {"lo"}:
        pytest.skip("this machine has no network interface to hide")
    code = "import socket\nprint(*sorted(name for _, name in socket.if_nameindex()))"
    assert run1(code).stdout.split() == ["lo"]


# ----------------------------------------------------------------------------------------------
# Function style (HumanEval).
FUNC = "def add(a, b):\n    return a + b\n"


def run_func(code, snippet, entry_point="add"):
    return sb.run_tests(code, [{"input": snippet, "output": ""}], style="function", entry_point=entry_point).results[0]


def test_function_style_passing_assert():
    assert run_func(FUNC, "assert candidate(2, 3) == 5").verdict == "PASSED"


def test_function_style_failed_assert_says_what_differed():
    result = run_func(FUNC, "assert candidate(2, 3) == 6")
    assert result.verdict == "WRONG_ANSWER" and result.message == "5 != 6"


def test_function_style_multiline_snippet_and_bare_assertion():
    result = run_func(FUNC, "for i in range(3):\n    assert candidate(i, i) == 2 * i + (i == 2)")
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
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run([sys.executable, os.path.join(root, "02_sandbox.py"), "--code", str(tmp_path / "p.py"),
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
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run([sys.executable, os.path.join(root, "02_sandbox.py"), "--data", str(tmp_path)],
                         capture_output=True, text=True, timeout=120)
    report = json.loads((tmp_path / "verify.json").read_text())
    # x ** 2 equals 2 * x on both tests: the weak tests let it through, and the stage says so
    assert report == {"problems": 1, "verified": 1, "failed": [], "incorrect_rejected": 1,
                      "incorrect_total": 2, "incorrect_accepted": ["double"]}
    assert out.returncode == 1
