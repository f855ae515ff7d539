"""Stage 2: run model-written Python against tests. The sandbox, the CodeContests judge and the
paper's execution feedback (RLEF, Gehring et al. 2025; its feedback formats are in Appendix C).

Every reward and every line of feedback in RLEF comes from executing a program on tests. This file
does that, and only that:
- `run_tests(code, tests, ...)` runs a program on each test with limits and returns a `Report`
  with one verdict per test: PASSED, WRONG_ANSWER, EXCEPTION, TIMEOUT, OUT_OF_MEMORY, SYNTAX_ERROR;
- `outputs_match(expected, actual)` is CodeContests' output comparison (`OutputsMatch`);
- `format_feedback(report, tests)` writes the paper's feedback message for the failing tests.
These three need only the standard library, so the file can be copied into another project. They
need Linux (kernel >= 5.3: memfd, pidfd, SCM_RIGHTS, prctl) and Python >= 3.10.

Commands:
    python 02_sandbox.py [--data runs/data/mini] [--split all] [--report FILE.json]  # verify a data set
    python 02_sandbox.py --code PROGRAM.py --tests TESTS.json [--json]               # judge one program
    python 02_sandbox.py --bench        # 200 small tests: run_tests vs a fresh interpreter per test
Verifying runs every problem's reference solutions and incorrect solutions on all its tests (public,
private, generated); it reads <data>/<split>.jsonl (01_data.py writes them) and writes
<data>/verify.json: {"problems", "verified", "failed": [{"id", "verdict"}], "incorrect_rejected",
"incorrect_total", "incorrect_accepted": [ids]}. It exits non-zero if a problem fails to verify or
an incorrect solution of the embedded mini set passes every test.

How a program runs. `run_tests` starts one helper interpreter (a "zygote", ZYGOTE_SOURCE below) per
worker and hands it the code once. The zygote compiles it once (a compile error is SYNTAX_ERROR for
every test, found before any test runs, like `py_compile` in the DeepMind tester) and then forks one
child per test, several times cheaper than starting a fresh interpreter (`--bench` measures the
ratio). The child gets the test input on stdin (a memfd), pipes for stdout/stderr, a fresh empty
working directory, rlimits, a scrubbed environment and, when we are root, an unprivileged uid. In
stdio style it runs the compiled code as `__main__` and exits like `python solution.py` would; the
caller reads stdout/stderr while the program runs, with caps, and decides the verdict. In function
style the program is imported as a module (not as `__main__`, like HumanEval's harness) and then
only answers calls: the test runs in a second, trusted process (detail 4).

Threat model (each point has a test in tests/test_02_sandbox.py). Covered in both modes:
- limits: runaway CPU (RLIMIT_CPU), sleepers (wall clock), the memory of a process (RLIMIT_AS),
  memfd pages (a seccomp filter refuses memfd_create), fork bombs (RLIMIT_NPROC), output floods
  (capped reads), huge files (RLIMIT_FSIZE);
- leftovers: processes that outlive the test, also after setsid() or a double fork (the zygote is a
  child subreaper and kills every descendant after each test), working directories made hard to
  delete (1100 levels deep, chmod 000), SysV IPC objects;
- secrets in environment variables (scrubbed); any program or test text gets a verdict (run_tests
  does not raise);
- faked passes in function style: exiting with status 0 (sys.exit, exit() in a __main__ block,
  atexit, SystemExit from the candidate), a returned object with a rigged __eq__, patched builtins,
  the expected value read from a caller's frame (no test is ever in the program's process), a
  verdict forged through /proc (the zygote and the tester are not dumpable).
Covered in privileged mode (started as root, the default then) when the kernel allows namespaces
(CAP_SYS_ADMIN; without it run_tests prints one warning line):
- the program runs as a uid of its own: it cannot signal, stop or trace the caller, the zygote or
  the tester;
- the zygote is pid 1 of its own pid namespace: the kill of leftovers comes from a process that no
  program can signal or freeze, and if the zygote dies the kernel kills everything in it;
- no oracle: the programs' filesystem is a 64 MiB tmpfs holding the system directories and Python's
  own (prefix, sys.path) read-only at their usual paths and nothing else of the host (no data
  files, no home directories); /tmp, /var/tmp, /dev/shm, /run/lock and the working directory share
  those 64 MiB;
- an IPC namespace with small limits (16 MiB of SysV shared memory) that ends with run_tests, and
  an empty network namespace (no network).
NOT covered:
- memory summed over processes (each of up to 64 has its own RLIMIT_AS), kernel memory (pipes,
  sockets), native code through ctypes, kernel exploits, whatever lies in the directories on
  sys.path;
- in function style the helpers a test calls by name besides the candidate (HumanEval's poly) are
  the program's own, as in HumanEval, and arguments are copies (a test cannot see them mutated);
- in non-root mode the program runs as you: it can read your files (the data files with the
  answers too), use the network, kill or stop its zygote and tester (the test then fails, but the
  program's leftovers escape the cleanup), signal or trace your other processes (the caller too,
  unless ptrace is restricted), and fill /tmp and /dev/shm outside its working directory (its SysV
  IPC objects are removed after each test).
For hostile code use privileged mode, inside a container or VM.

Implementation details (choices the paper leaves open):
1. Limits: CPU soft limit ceil(time limit) s (hard +1 s, SIGXCPU -> TIMEOUT), and a test whose CPU
   time exceeds the time limit is TIMEOUT as well; wall limit 3 x time limit + 1 s (DeepMind uses
   30 x; 3 x is enough for sleepers and keeps a batch of hung programs cheap); RLIMIT_AS = memory
   limit + the zygote's own address space (the interpreter's overhead; DeepMind adds 32 MiB);
   RLIMIT_FSIZE 64 MiB, no core files, RLIMIT_NPROC 64 (in non-root mode: 64 more than the user
   already runs; root ignores it). Soft limits never exceed the hard limits.
2. Verdict order: SYNTAX_ERROR; TIMEOUT; OUT_OF_MEMORY (a MemoryError, or death by a signal near the
   memory limit); stdout over its cap (max(1 MiB, 2 x expected + 1 KiB)) is WRONG_ANSWER; a non-zero
   exit or a crash is EXCEPTION (its traceback is the message); then outputs_match. A correct output
   followed by a non-zero exit is EXCEPTION; sys.exit(0) after a correct output is PASSED.
3. The program sees Python 3.10's rules: no limit on int <-> str digits (3.11 added one).
4. Function style (HumanEval): the tester runs the test snippet with `candidate` (the entry point)
   and every other free name standing for the program's functions: a call travels to the program's
   process over a socket, and the value comes back as JSON of exact builtin types (None, bool, int,
   float, str, bytes, complex, list, tuple, dict, set, frozenset); anything else is WRONG_ANSWER. A
   test passes when the snippet finishes. Every `assert X == Y` fails with AssertionError("x != y"),
   the message a unittest assertEqual gives (paper C.4); an exception in a call is EXCEPTION with
   the program's traceback; a program that ends before the test does is EXCEPTION.
5. outputs_match follows DeepMind's OutputsMatch, except that integers are compared exactly at any
   size (theirs parse into a 32-bit int, then fall back to double) and identical tokens always
   match (theirs compare "inf" with "inf" as doubles and fail). Floats: |a - b| < 1e-5, strict as
   in their code. A float token is decimal notation with an optional exponent; "nan", "inf" and
   "0x10" are plain strings.
6. Feedback: bullets are joined by "\n", a blank line separates the header, the bullets and
   "Give it another try."; the message has no trailing newline. Inputs and outputs are inserted
   verbatim, tracebacks without their trailing newline; each field longer than its limit keeps
   its head and tail around "...(truncated N characters)...". The HumanEval form lists passing
   tests too and ends with the same code-fence footer as the CodeContests form.
7. Privileged mode: each zygote takes a uid of its own from 50000-50999 (uids of real accounts are
   skipped), held by an flock on /run/rlef-sandbox/<uid>, so concurrent programs never share one.
   It unshares mount, network, IPC and pid namespaces and forks: the child, pid 1 of the new pid
   namespace, is the zygote from then on and calls kill(-1, SIGKILL) after each test, which reaches
   every process in the namespace. The programs' filesystem is a tmpfs mounted over
   /run/rlef-sandbox, then chroot. Without namespaces the zygote kills its children by pid, as root,
   until none is left, and imports through /proc/self/fd/N: the new uid may not be allowed into the
   directory holding the interpreter (e.g. /root/.pyenv), but a process may follow its own fds.
8. stdin/stdout/stderr are the interpreter's own objects under LC_ALL=C.UTF-8, as for `python
   solution.py`: invalid UTF-8 on stdin reaches the program as surrogate escapes (bytes given to a
   test as a str with surrogate escapes). The caller decodes output with errors="replace".
   PYTHONHASHSEED=0, so the order of a set of strings is the same in every run. In function style
   a stdout flood is discarded, not closed: only the values returned count there.
"""

import glob
import json
import os
import re
import select
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field

PASSED, WRONG_ANSWER, EXCEPTION = "PASSED", "WRONG_ANSWER", "EXCEPTION"
TIMEOUT, OUT_OF_MEMORY, SYNTAX_ERROR = "TIMEOUT", "OUT_OF_MEMORY", "SYNTAX_ERROR"
# what every program (and zygote) sees as its environment: nothing of ours leaks in
SANDBOX_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
               "PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1"}
STDERR_CAP = 64 << 10  # bytes of stderr kept: the first and the last 32 KiB

# ----------------------------------------------------------------------------------------------
# The zygote: a helper interpreter, one per worker, started with `python -s -c ZYGOTE_SOURCE FD`.
# `-s` rather than `-I` so that PYTHONHASHSEED=0 from SANDBOX_ENV applies (same set order in every
# run); the environment itself is ours, so no PYTHON* variable of the user's gets in.
# It speaks JSON over a SOCK_SEQPACKET socket (fd FD): setup {style, entry_point, time_limit_s,
# memory_limit_bytes, drop_privileges} + the code as a memfd -> {"ok", "missing"} | {"syntax_error"}
# | {"error"}; then per test {"op": "run"} + [input memfd, stdout pipe, stderr pipe] ->
# {returncode, cpu_s, maxrss_kb, wall_s, timed_out, outcome}. EOF on the socket: it kills what runs
# and exits.
ZYGOTE_SOURCE = r'''
import atexit, builtins, ctypes, fcntl, gc, json, linecache, os, pwd, resource, select
import signal, socket, stat, struct, sys, tempfile, time, traceback, types
if sys.path and sys.path[0] == "":
    del sys.path[0]                                   # never import from the working directory
for _name in "bisect collections copy functools heapq itertools math operator random re string threading".split():
    __import__(_name)                                 # imported once here, shared by every test
import threading

UID_POOL = range(50000, 51000)                        # one uid per zygote, never shared
WRITABLE = ("/tmp", "/var/tmp", "/run/lock", "/dev/shm")  # the world-writable directories
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_SECCOMP, PR_SET_CHILD_SUBREAPER, PR_SET_NO_NEW_PRIVS = 1, 4, 22, 36, 38
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 1, 2, 4, 8, 32
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18
LIBC = ctypes.CDLL(None, use_errno=True)

def libc(name, *args):                                # True on success, False if unavailable
    return hasattr(LIBC, name) and getattr(LIBC, name)(*args) == 0

def send(obj):
    SOCK.send(json.dumps(obj).encode())

def receive():                                        # -> (message, fds); exits on EOF
    data, fds, _, _ = socket.recv_fds(SOCK, 1 << 16, 4)
    if not data:
        os._exit(0)
    return json.loads(data), fds

def read_fd(fd):
    os.lseek(fd, 0, 0)
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks).decode("utf-8", "surrogateescape")

def cut(text, limit):                                 # head and tail: replies stay small
    return text if len(text) <= limit else f"{text[:limit // 2]}\n...\n{text[-(limit // 2):]}"

def claim_uid():   # a uid from the pool, held by an flock on /run/rlef-sandbox/<uid> while we live
    global LOCK_DIR
    LOCK_DIR = os.path.join("/run" if os.path.isdir("/run") else tempfile.gettempdir(), "rlef-sandbox")
    os.makedirs(LOCK_DIR, 0o700, exist_ok=True)
    st = os.lstat(LOCK_DIR)
    if st.st_uid != 0 or not stat.S_ISDIR(st.st_mode) or st.st_mode & 0o022:
        raise RuntimeError(f"{LOCK_DIR} must be a directory owned by root, not writable by others")
    for uid in UID_POOL:
        if uid in ACCOUNTS:                           # a real account: never use (or kill) it
            continue
        fd = os.open(os.path.join(LOCK_DIR, str(uid)), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return uid
        except BlockingIOError:
            os.close(fd)
    raise RuntimeError("all sandbox uids are in use")

def isolate():   # -> what is missing. New mount, network, IPC and pid namespaces need CAP_SYS_ADMIN.
    global PID_NAMESPACE
    if not libc("unshare", 0x00020000 | 0x40000000 | 0x08000000 | 0x20000000):  # NEWNS|NEWNET|NEWIPC|NEWPID
        return ["mount, network, IPC and pid namespaces"]
    pid = os.fork()                                   # our child is pid 1 of the new pid namespace:
    if pid:                                           # the zygote from now on. When pid 1 dies the
        SOCK.close()                                  # kernel kills every process in it, and no
        os.waitpid(pid, 0)                            # process in it can signal or stop pid 1.
        os._exit(0)
    PID_NAMESPACE = True
    libc("prctl", PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # the caller killed our parent: go too
    try:
        for name, value in (("shmall", 4096), ("shmmni", 32), ("msgmni", 16), ("sem", "32 1024 32 16")):
            with open(f"/proc/sys/kernel/{name}", "w") as f:  # this IPC namespace's limits: SysV
                f.write(str(value))                   # memory is outside RLIMIT_AS (16 MiB here)
        make_root()
        return []
    except OSError as exc:
        return [f"IPC limits and a filesystem view of their own ({exc})"]

def mount(source, target, fstype=None, flags=0, data=None):
    if not libc("mount", source and source.encode(), target.encode(), fstype and fstype.encode(), flags,
                data and data.encode()):
        raise OSError(ctypes.get_errno(), f"mount {source} on {target} failed")

def make_root():
    """The programs' filesystem: a small tmpfs holding the system directories and Python's own
    (sys.prefix, sys.path) bound read-only at their usual paths and nothing else of the host: no data
    files, no home directories. Its world-writable directories share its size (files are memory
    outside RLIMIT_AS), and its /proc shows only the processes of this pid namespace."""
    mount(None, "/", None, MS_REC | MS_PRIVATE)       # nothing we mount reaches the host
    root, umask = LOCK_DIR, os.umask(0o022)           # (we hold our lock's fd: hiding it is fine)
    mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,nr_inodes=4096,mode=755")
    shown = []
    for path in ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/usr", "/etc"] + sorted(
            {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, *sys.path}):
        if any((path + "/").startswith(p + "/") for p in shown):
            continue                                  # already visible
        if os.path.islink(path) and path.count("/") == 1:
            os.symlink(os.readlink(path), root + path)  # /lib -> usr/lib
        elif os.path.isdir(path):
            os.makedirs(root + path, exist_ok=True)
            mount(path, root + path, None, MS_BIND | MS_REC)
            mount(None, root + path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID)
        else:
            continue
        shown.append(path)
    for path in WRITABLE:
        os.makedirs(root + path, exist_ok=True)
        os.chmod(root + path, 0o1777)
    for name in ("null", "zero", "full", "random", "urandom"):
        open(f"{root}/dev/{name}", "w").close()
        mount(f"/dev/{name}", f"{root}/dev/{name}", None, MS_BIND)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                         ("stderr", "/proc/self/fd/2")):
        os.symlink(target, f"{root}/dev/{name}")
    os.mkdir(root + "/proc")
    mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    os.umask(umask)
    os.chroot(root)
    os.chdir("/")

def import_through_fds():
    # Without a filesystem view of our own, the new uid may not be able to reach the interpreter's
    # files (/root/.pyenv...). Open each import directory now and import through /proc/self/fd/N:
    # a process may always follow its own fd links, and the directories themselves are readable.
    for i, path in enumerate(sys.path):
        try:
            PATH_FDS.append(os.open(path, os.O_PATH | os.O_DIRECTORY))
            sys.path[i] = f"/proc/self/fd/{PATH_FDS[-1]}"
        except OSError:
            pass
    sys.path_importer_cache.clear()

def setup():
    global CODE, UID, ACCOUNTS
    source = read_fd(FDS[0])
    try:
        CODE = compile(source, "solution.py", "exec", dont_inherit=True)
    except Exception as exc:                          # SyntaxError, NUL bytes, nesting too deep
        return {"syntax_error": cut("".join(traceback.format_exception_only(type(exc), exc)), 4000)}
    linecache.cache["solution.py"] = (len(source), None, source.splitlines(True), "solution.py")
    missing = []
    if SETUP["drop_privileges"]:
        ACCOUNTS = {entry.pw_uid for entry in pwd.getpwall()}
        UID = claim_uid()
        missing = isolate()
        if missing:
            import_through_fds()
    libc("prctl", PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) # orphans of the program come to us
    return {"ok": True, "uid": UID, "missing": missing}

def set_limit(which, soft, hard=None):                # never above the existing hard limit
    old_hard = resource.getrlimit(which)[1]
    cap = lambda v: v if old_hard == resource.RLIM_INFINITY else min(v, old_hard)
    resource.setrlimit(which, (cap(soft), cap(soft if hard is None else hard)))

def count_tasks(uid):                                 # processes + threads of uid: what NPROC counts
    def tasks(entry):
        try:
            return len(os.listdir(f"/proc/{entry.name}/task")) if entry.stat().st_uid == uid else 0
        except OSError:
            return 0
    return sum(tasks(entry) for entry in os.scandir("/proc") if entry.name.isdigit())

def memfd_filter():
    """A seccomp filter that refuses memfd_create: memfd pages are memory that no rlimit counts.
    Other system call ABIs (i386, x32 numbers) are refused too, so they cannot go around it."""
    arch, number = {"x86_64": (0xC000003E, 319), "aarch64": (0xC00000B7, 279)}.get(os.uname().machine, (0, 0))
    if not arch:
        return None
    code = [(0x20, 0, 0, 4), (0x15, 1, 0, arch), (0x06, 0, 0, 0x80000000),  # arch != ours: kill
            (0x20, 0, 0, 0), (0x45, 0, 1, 0x40000000), (0x06, 0, 0, 0x80000000),  # x32: kill
            (0x15, 0, 1, number), (0x06, 0, 0, 0x00050001), (0x06, 0, 0, 0x7FFF0000)]  # EPERM; allow
    program = ctypes.create_string_buffer(b"".join(struct.pack("HBBI", *op) for op in code))
    class Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]
    return program, Program(len(code), ctypes.addressof(program))

def keep_only(fds):                                   # close every fd >= 3 but these
    low = 3
    for fd in sorted(fds) + [resource.getrlimit(resource.RLIMIT_NOFILE)[0]]:
        os.closerange(low, fd)
        low = fd + 1

def child(fds, workdir, calls):                       # runs in the forked test process
    os.setsid()
    if calls:                                         # function style: stdin is empty
        fds = [os.open(os.devnull, os.O_RDONLY)] + fds[1:]
    for target, fd in zip((0, 1, 2), fds):
        os.dup2(fd, target)
    keep_only(PATH_FDS + ([calls.fileno()] if calls else []))
    os.chdir(workdir)
    set_limit(resource.RLIMIT_AS, SETUP["memory_limit_bytes"] + VM_OVERHEAD)
    set_limit(resource.RLIMIT_CPU, CPU_LIMIT, CPU_LIMIT + 1)
    set_limit(resource.RLIMIT_FSIZE, 64 << 20)
    set_limit(resource.RLIMIT_CORE, 0)
    set_limit(resource.RLIMIT_NPROC, NPROC)
    if UID is not None:
        os.setgroups([])
        os.setresgid(UID, UID, UID)
        os.setresuid(UID, UID, UID)
    libc("prctl", PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)    # setuid binaries gain nothing
    if MEMFD_FILTER:
        libc("prctl", PR_SET_SECCOMP, 2, ctypes.byref(MEMFD_FILTER[1]), 0, 0)
    libc("prctl", PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    # os.environ is already SANDBOX_ENV (the caller starts us with it), random was reseeded by
    # its own at-fork hook, and sys.stdin/stdout/stderr are the interpreter's own objects on fds
    # 0-2 (still unused), now reading the memfd and writing the pipes: just as `python solution.py`.
    sys.argv = ["solution.py"]
    if hasattr(sys, "set_int_max_str_digits"):
        sys.set_int_max_str_digits(0)
    # Function style runs the program as a module, not as __main__ (HumanEval's harness does the
    # same), then serves the tester's calls; its exit status says nothing about the test.
    main = types.ModuleType("solution" if calls else "__main__")
    main.__file__, main.__builtins__ = "solution.py", builtins
    sys.modules[main.__name__] = main
    status = 0
    try:
        exec(CODE, main.__dict__)
        if calls:
            serve(main.__dict__, calls)
    except SystemExit as exc:                         # what python does with sys.exit(x)
        if exc.code is None:
            status = 0
        elif isinstance(exc.code, int):
            status = exc.code & 0xFF
        else:
            print(exc.code, file=sys.stderr)
            status = 1
    except BaseException as exc:
        try:
            if sys.excepthook is sys.__excepthook__:  # the C hook can't see our linecache entry
                print(format_exception(exc), end="", file=sys.stderr)
            else:
                tb = without_our_frames(exc.__traceback__)
                sys.excepthook(type(exc), exc.with_traceback(tb), tb)
        except BaseException:
            os.write(2, b"\n" + type(exc).__name__.encode() + b"\n")
        status = 1
    try:                                              # interpreter shutdown: threads, atexit, flush
        threading._shutdown()
        atexit._run_exitfuncs()
    except BaseException:
        pass
    for stream in (sys.stdout, sys.__stdout__, sys.stderr, sys.__stderr__):  # the program may swap them
        try:
            stream.flush()
        except BaseException:
            status = status or 120                    # python's status when stdout can't be flushed
    os._exit(status)

def without_our_frames(tb):                           # reads like python solution.py
    while tb is not None and tb.tb_frame.f_code.co_filename == "<string>":
        tb = tb.tb_next
    return tb

def format_exception(exc):
    return "".join(traceback.format_exception(type(exc), exc, without_our_frames(exc.__traceback__)))

# Function style. The program's process only calls functions and sends back what they return, as
# data of builtin types; the test snippet runs in a separate, trusted process (the tester) that
# compares those values. Nothing the program does to itself (exit, atexit, patched builtins,
# objects with a rigged __eq__, reading its callers' frames) can make a comparison come out true.
def encode(value):                                    # builtin types only, else TypeError
    kind = type(value)
    if value is None or kind in (bool, int, float, str):
        return value
    if kind is list:
        return [encode(v) for v in value]
    if kind in (tuple, set, frozenset):
        return {kind.__name__: [encode(v) for v in value]}
    if kind is dict:
        return {"dict": [[encode(k), encode(v)] for k, v in value.items()]}
    if kind in (bytes, complex):
        return {kind.__name__: value.hex() if kind is bytes else [value.real, value.imag]}
    raise TypeError(f"a {kind.__name__} object")

def decode(data):                                     # JSON -> the same builtin values
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        return data
    (kind, items), = data.items()
    if kind == "dict":
        return {decode(k): decode(v) for k, v in items}
    if kind == "bytes":
        return bytes.fromhex(items)
    if kind == "complex":
        return complex(float(items[0]), float(items[1]))
    return {"tuple": tuple, "set": set, "frozenset": frozenset}[kind](decode(v) for v in items)

def serve(namespace, calls):                          # the program's side: call, send the value back
    stream = calls.makefile("rwb")
    while line := stream.readline():
        name, args, kwargs = decode(json.loads(line))
        name = SETUP["entry_point"] if name == "candidate" else name
        try:
            if not callable(namespace.get(name)):
                raise NameError(f"the program does not define the function {name!r}")
            value = namespace[name](*args, **kwargs)
            try:
                reply = {"value": encode(value)}
            except (TypeError, RecursionError) as exc:
                reply = {"unjudgeable": str(exc)}
        except BaseException as exc:                  # SystemExit too: the call did not return
            reply = {"error": cut(format_exception(exc), 16000), "memory": isinstance(exc, MemoryError)}
        stream.write(json.dumps(reply).encode() + b"\n")
        stream.flush()

class ProgramError(Exception): pass                   # the call raised in the program
class ProgramGone(BaseException): pass                # the program's process ended
class Unjudgeable(Exception): pass                    # it returned something that is not plain data

def tester(snippet_fd, calls, verdict_fd):            # the trusted side, in its own process
    snippet = read_fd(snippet_fd)
    os.dup2(os.open(os.devnull, os.O_RDWR), 0)
    os.dup2(0, 1), os.dup2(0, 2)
    keep_only([calls.fileno(), verdict_fd])
    set_limit(resource.RLIMIT_AS, SETUP["memory_limit_bytes"] + VM_OVERHEAD)
    set_limit(resource.RLIMIT_CPU, CPU_LIMIT, CPU_LIMIT + 1)
    if hasattr(sys, "set_int_max_str_digits"):
        sys.set_int_max_str_digits(0)
    stream = calls.makefile("rwb")

    def remote(name):                                 # a function of the program, called there
        def call(*args, **kwargs):
            request = json.dumps(encode([name, args, kwargs])).encode() + b"\n"
            try:
                stream.write(request)
                stream.flush()
                line = stream.readline(SETUP["memory_limit_bytes"])
            except OSError:
                line = b""
            if not line.endswith(b"\n"):
                raise ProgramGone()
            reply = json.loads(line)
            if "error" in reply:
                raise ProgramError(str(reply["error"]), bool(reply.get("memory")))
            if "value" not in reply:
                raise Unjudgeable(f"{name} returned {reply.get('unjudgeable')}, not a value of builtin types")
            return decode(reply["value"])
        return call

    def equal(actual, expected):                      # `assert x == y` says what differed
        if not actual == expected:
            raise AssertionError(f"{actual!r} != {expected!r}")

    class ShowValues(ast.NodeTransformer):
        def visit_Assert(self, node):
            test = node.test
            if node.msg is None and isinstance(test, ast.Compare) and [type(op) for op in test.ops] == [ast.Eq]:
                call = ast.Call(ast.Name("__equal__", ast.Load()), [test.left, test.comparators[0]], [])
                return ast.copy_location(ast.Expr(call), node)
            return node

    linecache.cache["test.py"] = (len(snippet), None, snippet.splitlines(True), "test.py")
    try:
        tree = ast.parse(snippet, "test.py")
        # every free name is the program's (candidate is its entry point, HumanEval's tests also
        # call helpers of the prompt such as poly); the snippet's own assignments replace them
        names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)} - set(dir(builtins))
        namespace = {name: remote(name) for name in names}
        namespace.update(__name__="test", __builtins__=builtins, __equal__=equal)
        exec(compile(ast.fix_missing_locations(ShowValues().visit(tree)), "test.py", "exec"), namespace)
        outcome = {"verdict": "PASSED"}
    except ProgramGone:
        outcome = {"verdict": "GONE"}
    except ProgramError as exc:
        outcome = {"verdict": "OUT_OF_MEMORY" if exc.args[1] else "EXCEPTION", "message": exc.args[0]}
    except (AssertionError, Unjudgeable) as exc:
        outcome = {"verdict": "WRONG_ANSWER", "message": str(exc) or type(exc).__name__}
    except BaseException as exc:                      # the test itself failed (TypeError on None...)
        outcome = {"verdict": "EXCEPTION", "message": format_exception(exc)}
    outcome["message"] = cut(outcome.get("message", ""), 16000)
    os.write(verdict_fd, json.dumps(outcome).encode())
    os._exit(0)

def fork(run):                                        # -> pid of a child process that runs run()
    pid = os.fork()
    if pid == 0:
        try:
            run()
        except BaseException:
            traceback.print_exc()                     # a bug in the harness, not in the program
        os._exit(71)
    return pid

def children():
    try:
        with open(f"/proc/self/task/{os.getpid()}/children") as f:
            return [int(pid) for pid in f.read().split()]
    except OSError:                                   # kernel without that file: walk /proc
        kids = []
        for name in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{name}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == os.getpid():
                        kids.append(int(name))
            except (OSError, IndexError, ValueError):
                pass
        return kids

def kill_descendants(pgid):
    """Kill and reap every process the test left behind. As subreaper (or pid 1) we are the parent
    of each orphan, so "no children left" means "no descendants left". The kill comes from us: root
    or pid 1 of the namespace, which the program's uid can neither signal nor stop."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except OSError:
        pass
    for _ in range(10000):
        try:
            if os.waitpid(-1, os.WNOHANG)[0]:
                continue                              # reaped one; look again
        except ChildProcessError:
            return
        try:
            if PID_NAMESPACE:
                os.kill(-1, signal.SIGKILL)           # pid 1: every process of the namespace
            else:
                for kid in children():
                    os.kill(kid, signal.SIGKILL)
        except OSError:
            pass
        time.sleep(0.001)

def wait_for(pid):          # -> (status, rusage, timed_out); needs Linux >= 5.3 for pidfd_open
    deadline, pidfd = START + WALL_LIMIT, os.pidfd_open(pid)
    try:
        while True:
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done:
                return status, usage, False
            left = deadline - time.monotonic()
            # readable SOCK = the caller hung up (it sends nothing while a test runs): stop too
            if left <= 0 or SOCK in select.select([SOCK, pidfd], [], [], max(left, 0))[0]:
                os.kill(pid, signal.SIGKILL)
                return os.wait4(pid, 0)[1:] + (True,)
    finally:
        os.close(pidfd)

def remove_tree(path):
    """rm -rf that no program can defeat: iterative (no recursion limit), relative to the current
    directory (no PATH_MAX), undoing a chmod 000 on the way, never into a mount point."""
    try:
        os.chdir(os.path.dirname(path))
    except OSError:
        return
    device, todo = os.stat(".").st_dev, [[os.path.basename(path)]]  # todo[-1]: names here
    while todo:
        if not todo[-1]:                              # this directory is empty: leave, remove it
            todo.pop()
            os.chdir("..")
            if todo:
                try:
                    os.rmdir(todo[-1].pop())
                except OSError:
                    pass
            continue
        name = todo[-1][-1]
        try:
            st = os.lstat(name)
            if stat.S_ISDIR(st.st_mode) and st.st_dev == device:
                os.chmod(name, 0o700)
                entries = os.listdir(name)
                os.chdir(name)
                todo.append(entries)
                continue
            if not stat.S_ISDIR(st.st_mode):
                os.unlink(name)
        except OSError:
            pass
        todo[-1].pop()
    os.chdir("/")

def ipc_objects():          # SysV IPC objects of the program's uid (or of ours, in non-root mode)
    found, uid = set(), os.getuid() if UID is None else UID
    for kind in ("shm", "msg", "sem"):
        try:
            with open(f"/proc/sysvipc/{kind}") as f:
                header, *rows = f.read().splitlines()
        except OSError:
            continue
        column = header.split().index("cuid")
        found |= {(kind, int(row.split()[1])) for row in rows if row.split()[column:column + 1] == [str(uid)]}
    return found

def remove_ipc(objects):    # IPC_RMID: segments, queues and semaphores outlive their processes
    for kind, ident in objects:
        getattr(LIBC, kind + "ctl")(ident, *((0,) if kind == "sem" else ()), 0, None)

def clean_up(workdir, ipc_before):
    if not PID_NAMESPACE:                             # (an IPC namespace of our own dies with us)
        remove_ipc(ipc_objects() - ipc_before)
    remove_tree(workdir)
    if UID is not None:                               # what the program's uid left in /tmp & co.
        for path in WRITABLE:
            for entry in os.scandir(path) if os.path.isdir(path) else ():
                if entry.stat(follow_symlinks=False).st_uid == UID:
                    remove_tree(entry.path)

def run_one(fds):
    global START
    workdir = tempfile.mkdtemp(prefix=f"rlef-{os.getpid()}-")  # the caller can find it if we die
    if UID is not None:
        os.chown(workdir, UID, UID)
    ipc_before = ipc_objects() if UID is None else set()  # in non-root mode, ours are the user's
    START, calls, outcome = time.monotonic(), None, None
    if SETUP["style"] == "function":                  # the memfd holds the test snippet, not stdin
        calls, theirs = socket.socketpair()
    # The program is forked first, from a zygote that never read a test: no test or expected value
    # is in its memory. The tester reads the snippet itself.
    pid = fork(lambda: child(fds, workdir, calls and theirs))
    if calls is not None:
        theirs.close()
        verdict_r, verdict_w = os.pipe()
        tester_pid = fork(lambda: tester(fds[0], calls, verdict_w))
        os.close(verdict_w)
        calls.close()
    for fd in fds:
        os.close(fd)
    if calls is None:
        status, usage, timed_out = wait_for(pid)
        returncode = os.waitstatus_to_exitcode(status)
    else:
        timed_out = wait_for(tester_pid)[2]
        try:                                          # (a tester that died wrote nothing)
            outcome = json.loads(os.read(verdict_r, 1 << 20))
        except ValueError:
            pass
        os.close(verdict_r)
        if outcome and outcome["verdict"] == "GONE":  # the program is ending: its status says why
            status, usage, timed_out = wait_for(pid)
            returncode = os.waitstatus_to_exitcode(status)
        else:                                         # still serving calls: the test is over
            os.kill(pid, signal.SIGKILL)
            status, usage = os.wait4(pid, 0)[1:]
            returncode = None
    wall = time.monotonic() - START
    kill_descendants(pid)
    try:                                              # answer first, tidy up while the caller judges
        send({"returncode": returncode, "cpu_s": usage.ru_utime + usage.ru_stime, "outcome": outcome,
              "maxrss_kb": usage.ru_maxrss, "wall_s": wall, "timed_out": timed_out})
    except OSError:
        pass                                          # the caller is gone; receive() will exit
    clean_up(workdir, ipc_before)

if sys.argv[1] == "--remove":                         # the caller's clean-up after a zygote died
    remove_tree(sys.argv[2])
    os._exit(0)
SOCK = socket.socket(fileno=int(sys.argv[1]))
# Not dumpable (nor are the processes we fork): a program running as the same user cannot open our
# /proc/<pid>/fd/N (a pipe reopened there could forge the tester's verdict) or read our memory.
libc("prctl", PR_SET_DUMPABLE, 0, 0, 0, 0)
PID_NAMESPACE, UID, PATH_FDS, MEMFD_FILTER = False, None, [], memfd_filter()
SETUP, FDS = receive()
if SETUP["style"] == "function":
    import ast, typing                                # (HumanEval code starts with `from typing import`)
try:
    reply = setup()
except Exception as exc:
    reply = {"error": f"sandbox setup failed: {exc!r}"}
send(reply)
if "ok" not in reply:
    os._exit(0)
with open("/proc/self/statm") as f:                   # our address space = interpreter overhead
    VM_OVERHEAD = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
CPU_LIMIT = max(1, int(-(-SETUP["time_limit_s"] // 1)))
WALL_LIMIT = 3 * SETUP["time_limit_s"] + 1
NPROC = 64 + (0 if UID is not None or os.geteuid() == 0 else count_tasks(os.getuid()))
gc.freeze()                                           # children's GC won't touch (copy) our objects
while True:
    run_one(receive()[1])
'''


# ----------------------------------------------------------------------------------------------
# The caller's side: results, zygote handles, run_tests.
@dataclass
class TestResult:
    __test__ = False        # not a pytest test class
    verdict: str            # PASSED | WRONG_ANSWER | EXCEPTION | TIMEOUT | OUT_OF_MEMORY | SYNTAX_ERROR
    stdout: str = ""
    stderr: str = ""
    seconds: float = 0.0    # wall-clock time of the test
    truncated: bool = False  # stdout or stderr was cut at its cap
    message: str = ""       # traceback / interpreter error / assertion text / what went wrong


@dataclass
class Report:
    passed: bool             # every test PASSED, and there was at least one
    results: list = field(default_factory=list)  # one TestResult per test run, in test order
    syntax_error: str | None = None


def _bytes(text: str) -> bytes:
    """UTF-8, surrogate escapes back to the bytes they stand for; other lone surrogates as such."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


def _memfd(data: bytes) -> int:
    """An in-memory file holding `data` (stdin for a test; the code for a zygote)."""
    fd = os.memfd_create("rlef", os.MFD_CLOEXEC)
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


class _Capture:
    """Bytes read from a pipe, capped: the first `head` bytes and, optionally, the last `tail`."""

    def __init__(self, head: int, tail: int = 0):
        self.head, self.tail, self.head_cap, self.tail_cap, self.dropped = bytearray(), bytearray(), head, tail, 0

    def add(self, chunk: bytes) -> bool:  # True once something had to be dropped
        room = self.head_cap - len(self.head)
        self.head += chunk[:room]
        rest = chunk[max(room, 0):]
        if rest:
            self.tail += rest
            self.dropped += max(0, len(self.tail) - self.tail_cap)
            del self.tail[:max(0, len(self.tail) - self.tail_cap)]
        return self.dropped > 0

    def text(self) -> str:
        marker = f"\n...(truncated {self.dropped} bytes)...\n" if self.dropped else ""
        return (bytes(self.head).decode(errors="replace") + marker + bytes(self.tail).decode(errors="replace"))


_warned = []  # the warning about missing namespaces is printed once per process


class _Zygote:
    """One helper interpreter: compiles the program once, then forks it once per test."""

    def __init__(self, code, style, entry_point, time_limit_s, memory_limit_bytes, drop_privileges):
        self.sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.proc = subprocess.Popen([sys.executable, "-s", "-c", ZYGOTE_SOURCE, str(theirs.fileno())],
                                     pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, env=SANDBOX_ENV, cwd="/",
                                     start_new_session=True)  # ^C reaches us, not it
        theirs.close()
        self.time_limit_s, self.wall_limit = time_limit_s, 3 * time_limit_s + 1
        setup = {"style": style, "entry_point": entry_point, "time_limit_s": time_limit_s,
                 "memory_limit_bytes": memory_limit_bytes, "drop_privileges": drop_privileges}
        code_fd = _memfd(_bytes(code))
        try:
            socket.send_fds(self.sock, [json.dumps(setup).encode()], [code_fd])
        finally:
            os.close(code_fd)
        reply = self.sock.recv(1 << 20) if select.select([self.sock], [], [], 60)[0] else b""
        if not reply:
            self.close()
            raise RuntimeError("the sandbox helper did not start (see its error output above)")
        reply = json.loads(reply)
        if "error" in reply:
            self.close()
            raise RuntimeError(reply["error"])
        self.syntax_error = reply.get("syntax_error")
        if reply.get("missing") and not _warned:
            _warned.append(True)
            print(f"02_sandbox: warning: no {', '.join(reply['missing'])} for the programs (these need "
                  "CAP_SYS_ADMIN): they can read your world-readable files and reach the network", file=sys.stderr)

    def run(self, payload: str, stdout_cap: int, close_on_flood: bool = True):
        """Run one test. -> (zygote's result dict or None if the zygote died, stdout, stderr).
        Past stdout_cap, stdout is closed (close_on_flood: the program gets EPIPE) or discarded."""
        stdin_fd = _memfd(_bytes(payload))
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        try:
            socket.send_fds(self.sock, [b'{"op": "run"}'], [stdin_fd, out_w, err_w])
        except OSError:
            pass  # the zygote is gone: the socket reads as EOF below
        finally:
            for fd in (stdin_fd, out_w, err_w):
                os.close(fd)
        captures = {out_r: _Capture(stdout_cap), err_r: _Capture(STDERR_CAP // 2, STDERR_CAP // 2)}
        out, err = captures[out_r], captures[err_r]
        sel = selectors.DefaultSelector()
        for fd in (out_r, err_r, self.sock):
            sel.register(fd, selectors.EVENT_READ)
        result, answered = None, False
        deadline = time.monotonic() + self.wall_limit + 30  # only if the zygote itself hangs
        while len(sel.get_map()) > 0:
            timeout = deadline - time.monotonic()
            if timeout <= 0:
                break
            for key, _ in sel.select(timeout):
                if key.fileobj is self.sock:
                    try:
                        data = self.sock.recv(1 << 20)
                    except OSError:
                        data = b""
                    result, answered = (json.loads(data) if data else None), True
                    sel.unregister(self.sock)
                    deadline = min(deadline, time.monotonic() + 2)  # pipes close right after
                    continue
                chunk = os.read(key.fd, 1 << 16)
                flooded = chunk and captures[key.fd].add(chunk) and key.fd == out_r and close_on_flood
                if not chunk or flooded:  # EOF, or a stdout flood: stop reading (it gets EPIPE)
                    sel.unregister(key.fd)
                    os.close(key.fd)
                    del captures[key.fd]
        sel.close()
        for fd in captures:
            os.close(fd)
        if not answered:  # the zygote hangs: give it up
            self.proc.kill()
        return result, out, err

    def hang_up(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)  # it kills what runs and exits
        except OSError:
            pass

    def close(self):
        self.hang_up()
        self.sock.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.returncode != 0:  # it died mid-test: remove its working directory for it
            for path in glob.glob(f"/tmp/rlef-{self.proc.pid}-*"):  # (its environment has no TMPDIR)
                subprocess.run([sys.executable, "-s", "-c", ZYGOTE_SOURCE, "--remove", path], env=SANDBOX_ENV,
                               stdin=subprocess.DEVNULL, timeout=60)


def _judge(result, out, err, test, style, time_limit_s, memory_limit_bytes) -> TestResult:
    """Turn the zygote's account of one test into a verdict (implementation detail 2)."""
    stdout, stderr = out.text(), err.text()
    done = dict(stdout=stdout, stderr=stderr, truncated=bool(out.dropped or err.dropped),
                seconds=result["wall_s"] if result else 0.0)
    if result is None:
        return TestResult(EXCEPTION, message="The sandbox process died during this test "
                          "(the program may have killed it); the test could not be judged.", **done)
    rc, cpu, outcome = result["returncode"], result["cpu_s"], result.get("outcome") or {}
    last_line = (stderr.strip().splitlines() or [""])[-1]
    if result["timed_out"] or cpu > time_limit_s or rc == -signal.SIGXCPU:
        why = "wall-clock" if result["timed_out"] else "CPU"
        return TestResult(TIMEOUT, message=f"Execution took too long ({why} limit, "
                          f"{cpu:.2f} s CPU, {result['wall_s']:.2f} s wall).", **done)
    if outcome.get("verdict") in (PASSED, WRONG_ANSWER, EXCEPTION, OUT_OF_MEMORY):  # the tester's
        return TestResult(outcome["verdict"], message=outcome.get("message", "").rstrip("\n"), **done)
    if rc is None:  # function style: the program still ran, but the tester failed
        return TestResult(EXCEPTION, message="The test could not be completed.", **done)
    if rc != 0 and (last_line.startswith("MemoryError") or
                    (rc < 0 and result["maxrss_kb"] * 1024 >= 0.8 * memory_limit_bytes)):
        return TestResult(OUT_OF_MEMORY, message="Out of memory.", **done)
    if style == "stdio" and out.dropped:
        return TestResult(WRONG_ANSWER, message=f"Output exceeded {out.head_cap} bytes.", **done)
    if rc != 0:
        start = stderr.find("Traceback (most recent call last):")
        message = stderr[start:] if start >= 0 else stderr.strip()
        if not message:
            message = (f"Process was killed by signal {signal.Signals(-rc).name}." if rc < 0
                       else f"Process exited with status {rc}.")
        return TestResult(EXCEPTION, message=message.rstrip("\n"), **done)
    if style == "function":  # it exited (status 0) before the test was over: only returned values count
        return TestResult(EXCEPTION, message="The program exited before the test finished.", **done)
    if outputs_match(test["output"], stdout):
        return TestResult(PASSED, **done)
    return TestResult(WRONG_ANSWER, **done)


def run_tests(code, tests, *, style="stdio", entry_point=None, time_limit_s=10.0,
              memory_limit_bytes=1 << 30, stop_on_first_failure=False, workers=None,
              drop_privileges=None) -> Report:
    """Run `code` on each test ({"input", "output"}) and judge it.

    style "stdio": input on stdin, stdout compared with outputs_match. style "function": each input
    is a Python snippet run after the program with `candidate` = the program's `entry_point`.
    workers: zygotes running tests in parallel (default: one per CPU, at most one per test).
    drop_privileges: run the program as a uid of its own in private namespaces (default: when
    root). With stop_on_first_failure the results stop at the first test that did not pass."""
    if style not in ("stdio", "function") or (style == "function" and not entry_point):
        raise ValueError("style must be 'stdio', or 'function' with an entry_point")
    tests = list(tests)
    if not tests:
        return Report(passed=False)
    if drop_privileges is None:
        drop_privileges = os.geteuid() == 0
    results, zygotes, threads = [None] * len(tests), [], []
    state = {"next": 0, "syntax_error": None, "error": None}
    lock, stop = threading.Lock(), threading.Event()

    def new_zygote():
        zygote = _Zygote(code, style, entry_point, time_limit_s, memory_limit_bytes, drop_privileges)
        with lock:
            zygotes.append(zygote)
        return zygote

    def worker():
        try:
            zygote = new_zygote()
            if zygote.syntax_error is not None:
                state["syntax_error"] = zygote.syntax_error
                return stop.set()
            while not stop.is_set():
                with lock:
                    i, state["next"] = state["next"], state["next"] + 1
                if i >= len(tests):
                    return
                cap = max(1 << 20, 2 * len(_bytes(tests[i].get("output", ""))) + 1024)
                result, out, err = zygote.run(tests[i]["input"], cap, close_on_flood=style == "stdio")
                results[i] = _judge(result, out, err, tests[i], style, time_limit_s, memory_limit_bytes)
                if stop_on_first_failure and results[i].verdict != PASSED:
                    stop.set()
                if result is None and not stop.is_set():  # the zygote died: start another one
                    zygote.close()
                    zygote = new_zygote()
        except BaseException as exc:
            state["error"] = exc
            stop.set()

    try:
        for _ in range(max(1, min(workers or os.cpu_count() or 1, len(tests)))):
            threads.append(threading.Thread(target=worker, daemon=True))
            threads[-1].start()
        for thread in threads:
            thread.join()
    finally:  # also on KeyboardInterrupt: hang up (the zygotes kill their tests), then reap them
        stop.set()
        for zygote in list(zygotes):
            zygote.hang_up()
        for thread in threads:
            thread.join()
        for zygote in zygotes:
            zygote.close()
    if state["error"] is not None:
        raise state["error"]
    if state["syntax_error"] is not None:
        count = 1 if stop_on_first_failure else len(tests)
        results = [TestResult(SYNTAX_ERROR, message=state["syntax_error"].rstrip("\n")) for _ in range(count)]
        return Report(passed=False, results=results, syntax_error=state["syntax_error"])
    done = []
    for result in results:  # in order; with stop_on_first_failure, up to the first failure
        if result is None:
            break
        done.append(result)
        if stop_on_first_failure and result.verdict != PASSED:
            break
    passed = len(done) == len(tests) and all(r.verdict == PASSED for r in done)
    return Report(passed=passed, results=done)


# ----------------------------------------------------------------------------------------------
# The judge's comparison and the paper's feedback text.
_WHITESPACE = re.compile(r"[ \t\n\r\v\f]+")
_INT = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


def _int_digits(token: str) -> str:  # "+007" -> "7", "-0" -> "0": equal ints, equal strings
    sign, digits = ("-", token[1:]) if token[0] == "-" else ("", token.lstrip("+"))
    digits = digits.lstrip("0") or "0"
    return "0" if digits == "0" else sign + digits


def outputs_match(expected: str, actual: str) -> bool:
    """CodeContests' OutputsMatch: whitespace tokens, lowercased; same number of tokens; tokenwise:
    equal strings, or two ints equal at any size, or (either a float) |a - b| < 1e-5."""
    want = [t for t in _WHITESPACE.split(expected.lower()) if t]
    got = [t for t in _WHITESPACE.split(actual.lower()) if t]
    if want == got:
        return True
    if len(want) != len(got):
        return False
    for a, b in zip(want, got):
        if a == b:
            continue
        if _INT.fullmatch(a) and _INT.fullmatch(b):
            if _int_digits(a) != _int_digits(b):
                return False
        elif _FLOAT.fullmatch(a) and _FLOAT.fullmatch(b):
            if not abs(float(a) - float(b)) < 1e-5:  # inf - inf is nan: not a match
                return False
        else:
            return False
    return True


FEEDBACK_FOOTER = ("Give it another try.\nYour code should be enclosed in triple backticks like so: "
                   "```python YOUR CODE HERE ```. Use the backticks for your code only.")


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]}...(truncated {len(text) - 2 * half} characters)...{text[len(text) - half:]}"


def format_feedback(report, tests, *, style="stdio", max_field_chars=1000, max_trace_chars=2000) -> str:
    """The paper's feedback message for `report`, run on `tests` (the public tests).
    stdio (§4.2): one bullet per failing test. function (§4.4, HumanEval+): one bullet per test,
    Success or Failure. Returns "" when no test failed. See implementation detail 6."""
    if not any(r.verdict != PASSED for r in report.results):
        return ""
    bullets = []
    for test, r in zip(tests, report.results):
        trace = _cut(r.message.rstrip("\n"), max_trace_chars)
        if style == "function":
            head = f"- Failure: `{_cut(test['input'].rstrip(), max_field_chars)}`:\n"
            bullets.append({PASSED: f"- Success: `{_cut(test['input'].rstrip(), max_field_chars)}`",
                            WRONG_ANSWER: f"{head}`{_cut(r.message, max_field_chars)}`",
                            TIMEOUT: f"{head}Execution took too long.",
                            OUT_OF_MEMORY: f"{head}Out of memory."}.get(r.verdict, head + trace))
        elif r.verdict != PASSED:
            head = f"- input `{_cut(test['input'], max_field_chars)}` failed"
            wrong = (f"{head}:\nExpected output `{_cut(test['output'], max_field_chars)}` "
                     f"but got `{_cut(r.stdout, max_field_chars)}`")
            bullets.append({WRONG_ANSWER: wrong, TIMEOUT: f"{head}: Execution took too long.",
                            OUT_OF_MEMORY: f"{head}: Out of memory."}.get(r.verdict, f"{head}:\n{trace}"))
    header = "Your code failed some test cases:" if style == "function" else "Your code failed the following tests:"
    return header + "\n\n" + "\n".join(bullets) + "\n\n" + FEEDBACK_FOOTER


# ----------------------------------------------------------------------------------------------
# The stage: verify a data set, judge one program, or measure the speed-up.
@dataclass
class Config:
    data: str = field(default="runs/data/mini", metadata={"help": "folder of <split>.jsonl problem files (01_data.py writes them)"})
    split: str = field(default="all", metadata={"help": "split to verify: all, train, valid or test"})
    report: str = field(default="", metadata={"help": "verification report to write (default: <data>/verify.json)"})
    code: str = field(default="", metadata={"help": "judge this program (a .py file) instead of verifying a data set"})
    tests: str = field(default="", metadata={"help": "with --code: JSON file, a list of {input, output} tests or one problem object"})
    json: bool = field(default=False, metadata={"help": "with --code: print the report as JSON"})
    bench: bool = field(default=False, metadata={"help": "time run_tests against a fresh interpreter per test (200 small tests)"})
    workers: int = field(default=0, metadata={"help": "parallel test workers per program (0: one per CPU)"})
    drop_privileges: str = field(default="auto", metadata={"help": "run programs as an unprivileged uid: auto (when root), yes, no", "choices": ["auto", "yes", "no"]})


def all_tests(problem):
    return problem["public_tests"] + problem["private_tests"] + problem["generated_tests"]


def judge_options(problem, cfg):
    return dict(style=problem.get("style", "stdio"), entry_point=problem.get("entry_point"),
                time_limit_s=problem.get("time_limit_s") or 10.0, memory_limit_bytes=problem.get("memory_limit_bytes") or 1 << 30,
                workers=cfg.workers or None, drop_privileges={"auto": None, "yes": True, "no": False}[cfg.drop_privileges])


def load_problems(cfg):
    paths = [os.path.join(cfg.data, f"{s}.jsonl") for s in (["train", "valid", "test"] if cfg.split == "all" else [cfg.split])]
    if not any(map(os.path.exists, paths)):
        raise SystemExit(f"error: none of {', '.join(paths)} exists (run `python 01_data.py` first)")
    problems = []
    for path in filter(os.path.exists, paths):
        with open(path) as f:
            for number, line in enumerate(f, 1):
                try:
                    problems.append(json.loads(line))
                    p = problems[-1]
                    all_tests(p), p["id"], p["solutions"], p["incorrect_solutions"], p.get("style") != "function" or p["entry_point"]
                except (ValueError, KeyError, TypeError) as exc:
                    raise SystemExit(f"error: {path}:{number}: not a problem ({exc!r})")
    return problems


def verify(cfg):
    """Reference solutions must pass every test; incorrect solutions must fail at least one."""
    from rich.console import Console
    from rich.progress import track
    from rich.table import Table

    problems, failed, accepted, total = load_problems(cfg), [], [], 0
    for problem in track(problems, description="verifying"):
        options, verdict = judge_options(problem, cfg), "NO_SOLUTION"
        for solution in problem["solutions"]:
            report = run_tests(solution, all_tests(problem), stop_on_first_failure=True, **options)
            verdict = PASSED if report.passed else (report.results[-1].verdict if report.results else "NO_TESTS")
            if report.passed:
                break
        if verdict != PASSED:
            failed.append({"id": problem["id"], "verdict": verdict})
        for bad in problem["incorrect_solutions"]:
            total += 1
            if run_tests(bad, all_tests(problem), stop_on_first_failure=True, **options).passed:
                accepted.append(problem["id"])
    result = {"problems": len(problems), "verified": len(problems) - len(failed), "failed": failed,
              "incorrect_rejected": total - len(accepted), "incorrect_total": total, "incorrect_accepted": accepted}
    path = cfg.report or os.path.join(cfg.data, "verify.json")
    with open(path + ".tmp", "w") as f:
        json.dump(result, f, indent=1)
    os.replace(path + ".tmp", path)
    table = Table("what", "count", title=f"{cfg.data} ({cfg.split})")
    table.add_row("problems verified", f"{result['verified']} / {result['problems']}")
    table.add_row("incorrect solutions rejected", f"{total - len(accepted)} / {total}")
    for item in failed[:20]:
        table.add_row(f"[red]not verified: {item['id']}", item["verdict"])
    for problem_id in accepted[:20]:
        table.add_row(f"[yellow]incorrect solution accepted: {problem_id}", "")
    Console().print(table)
    print(f"wrote {path}")
    if failed or any(p.get("source") == "mini" and p["id"] in accepted for p in problems):
        raise SystemExit(1)


def judge_one(cfg):
    try:
        with open(cfg.code) as f, open(cfg.tests) as g:
            code, spec = f.read(), json.load(g)
    except (OSError, ValueError) as exc:
        raise SystemExit(f"error: cannot read --code/--tests: {exc}")
    problem = {"public_tests": spec, "private_tests": [], "generated_tests": []} if isinstance(spec, list) else spec
    report = run_tests(code, all_tests(problem), **judge_options(problem, cfg))
    if cfg.json:
        print(json.dumps(asdict(report), indent=1))
    else:
        from rich.console import Console
        from rich.table import Table
        table = Table("test", "verdict", "seconds", "message", title=f"{cfg.code}: {'PASSED' if report.passed else 'FAILED'}")
        for i, r in enumerate(report.results):
            table.add_row(str(i), r.verdict, f"{r.seconds:.3f}", _cut(r.message, 200))
        Console().print(table)
    raise SystemExit(0 if report.passed else 1)


def bench(cfg):
    """run_tests vs a fresh `python -I -S` per test with the same rlimits and number of workers.
    The fresh interpreter sets its limits itself (no preexec_fn, so subprocess can use vfork and the
    size of this process doesn't slow the baseline down), then runs solution.py."""
    import tempfile
    from concurrent.futures import ThreadPoolExecutor

    code = "a, b = map(int, input().split())\nprint(a + b)\n"
    tests = [{"input": f"{i} {i * 7}\n", "output": f"{i * 8}\n"} for i in range(200)]
    workers, memory = cfg.workers or os.cpu_count() or 1, 256 << 20
    prelude = ("import resource as r, sys\n"  # + 32 MiB for the interpreter, as DeepMind's tester
               f"for k, v in (('AS', {memory + (32 << 20)}), ('CPU', 2), ('FSIZE', {64 << 20}), ('CORE', 0)):\n"
               "    k = getattr(r, 'RLIMIT_' + k); h = r.getrlimit(k)[1]\n"
               "    r.setrlimit(k, (v, v) if h == r.RLIM_INFINITY else (min(v, h), min(v, h)))\n"
               "exec(compile(open(sys.argv[1]).read(), 'solution.py', 'exec'), {'__name__': '__main__'})\n")
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "solution.py"), "w") as f:
            f.write(code)

        def fresh(test):
            with tempfile.TemporaryDirectory(dir=tmp) as cwd:
                run = subprocess.run([sys.executable, "-I", "-S", "-c", prelude, os.path.join(tmp, "solution.py")],
                                     input=test["input"], capture_output=True, text=True, cwd=cwd, env=SANDBOX_ENV,
                                     start_new_session=True, timeout=7)
            return run.returncode == 0 and outputs_match(test["output"], run.stdout)

        start = time.perf_counter()
        with ThreadPoolExecutor(workers) as pool:
            assert all(pool.map(fresh, tests))
        fresh_time = time.perf_counter() - start
    start = time.perf_counter()
    report = run_tests(code, tests, time_limit_s=2.0, memory_limit_bytes=memory, workers=workers,
                       drop_privileges=judge_options({}, cfg)["drop_privileges"])
    zygote_time = time.perf_counter() - start
    assert report.passed, report.results[:1]
    print(f"200 small tests, {workers} workers each, {sys.executable}")
    print(f"fresh `python -I -S` per test: {fresh_time:.2f} s ({1000 * fresh_time / 200:.1f} ms/test)")
    print(f"run_tests (zygote, fork per test): {zygote_time:.2f} s ({1000 * zygote_time / 200:.1f} ms/test)")
    print(f"ratio: run_tests is {fresh_time / zygote_time:.1f}x faster than a fresh interpreter per test")


if __name__ == "__main__":
    from transformers import HfArgumentParser

    (cfg,) = HfArgumentParser(Config).parse_args_into_dataclasses()
    if cfg.split not in ("all", "train", "valid", "test"):
        raise SystemExit(f"error: --split must be all, train, valid or test, not {cfg.split!r}")
    if bool(cfg.code) != bool(cfg.tests):
        raise SystemExit("error: --code and --tests go together")
    bench(cfg) if cfg.bench else judge_one(cfg) if cfg.code else verify(cfg)
