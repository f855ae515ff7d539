"""Feedback-necessary problems: the tables mini/build_feedback.py turns into mini/feedback.jsonl.

Each task below is a small function whose statement names a house convention without giving it
("join the words with the house separator"). Only the failing public test shows the value: the
function-style feedback prints the test (`assert candidate([...]) == 'red::green::blue'`) and the
actual and expected values. Private tests use other inputs, so copying the example fails.

A task is a dict:
    level      copy (copy a literal) | pick (one of K options, visible in the expected output) |
               two (two hidden details, the second revealed only once the first is fixed)
    signature  the def line; the entry point is its name
    hidden     the docstring of the convention problems (names the convention, never its value)
    control    the docstring of the fully specified control problem, formatted with the value
    code       the reference body, formatted with the value (see `fields`)
    naive      what a reader of the statement writes without the value: a plausible guess. It must
               fail the public test (else the feedback reveals nothing); for level two it must pass
               the second public test (so turn 1's feedback shows the first detail only)
    first_fix  level two: the naive program with the first detail fixed; it must fail the second
               public test (turn 2's feedback shows the second detail)
    public     test arguments (Python source inside the call), private: other arguments
    values     {split: [value, ...]}: the conventions; a value is in one split only, so a model
               trained on train has never seen a test value
"""

COPY = [
    dict(level="copy", signature="def join_words(words: list) -> str:",
         hidden="Join the words with the house separator and return the result.",
         control="Join the words with the separator {v!r} and return the result.",
         code="return {v!r}.join(words)", naive="return ' '.join(words)",
         public=["['red', 'green', 'blue']"],
         private=["[]", "['solo']", "['a', 'b']", "['x', 'y', 'z', 'w']", "['one', 'two']"],
         values={"train": [" | ", "::", " ~ ", "--", " / ", ";", " > ", "..", "+"],
                 "valid": ["__", " & ", " <> ", "|"],
                 "test": [" = ", "^", " @ ", "**", " => "]}),
    dict(level="copy", signature="def add_prefix(name: str) -> str:",
         hidden="Return name with the house prefix in front of it.",
         control="Return name with the prefix {v!r} in front of it.",
         code="return {v!r} + name", naive="return name",
         public=["'report'"],
         private=["''", "'a'", "'data_2024'", "'x y'", "'README'"],
         values={"train": ["usr_", "tmp-", "ID:", "my", "pre.", "v_", "x", "old_", "a-"],
                 "valid": ["k8s-", "new-", "dev_", "#"],
                 "test": ["zz_", "item#", "acme.", "b-", "ok:"]}),
    dict(level="copy", signature="def greet(name: str) -> str:",
         hidden="Return the house greeting for name.",
         control="Return the greeting {v!r}.format(name).",
         code="return {v!r}.format(name)", naive="return 'Hello, ' + name + '!'",
         public=["'Ada'"],
         private=["'Bob'", "''", "'Grace Hopper'", "'x'", "'Linus'"],
         values={"train": ["Hi {}.", "Welcome back, {}", "Good day {}!", "Hey {} :)", "Dear {},",
                           "Howdy {}!", "{}, hello", "Hello there, {}", "Cheers {}"],
                 "valid": ["Greetings, {}.", "Yo {}", "Ahoy, {}!", "Hi, {}!"],
                 "test": ["Salut {} !", "Hiya {}~", "Morning, {}...", "{} says hi", "Bonjour {}"]}),
    dict(level="copy", signature="def wrap(text: str) -> str:",
         hidden="Return text inside the house brackets.",
         control="Return text with {v[0]!r} before it and {v[1]!r} after it.",
         code="return {v[0]!r} + text + {v[1]!r}", naive="return '[' + text + ']'",
         public=["'note'"],
         private=["''", "'a'", "'two words'", "'x]y'", "'123'"],
         values={"train": [("<", ">"), ("(", ")"), ("{", "}"), ("<<", ">>"), ("|", "|"), ("/*", "*/"),
                           ("`", "`"), ("_", "_"), ("#", "#")],
                 "valid": [("[[", "]]"), ('"', '"'), ("-", "-"), ("~", "~")],
                 "test": [("*", "*"), ("(:", ":)"), ("{{", "}}"), ("^", "^"), ("!", "!")]}),
]

# Options are method names or expressions; each option is a value of one split only.
CASES = {"train": ["upper", "title"], "valid": ["capitalize"], "test": ["swapcase", "lower"]}
NUM_ORDERS = {"train": ["sorted(nums)", "nums[::-1]"], "valid": ["sorted(nums, key=abs)"],
              "test": ["sorted(nums, reverse=True)"]}
WORD_ORDERS = {"train": ["sorted(words)", "words[::-1]"], "valid": ["sorted(words, key=len)"],
               "test": ["sorted(words, reverse=True)"]}
DEFAULTS = {"train": [None, "-"], "valid": ["?"], "test": ["n/a", "<none>"]}

PICK = [
    dict(level="pick", signature="def label(text: str) -> str:",
         hidden="Return text in the house letter case.",
         control="Return text.{v}().",
         code="return text.{v}()", naive="return text",
         public=["'hello World'"],
         private=["''", "'ABC def'", "'mIxEd CaSe'", "'x'", "'a1 b2'"], values=CASES),
    dict(level="pick", signature="def headline(words: list) -> str:",
         hidden="Join the words with single spaces and return the result in the house letter case.",
         control="Join the words with single spaces and return ' '.join(words).{v}().",
         code="return ' '.join(words).{v}()", naive="return ' '.join(words)",
         public=["['the', 'Big', 'day']"],
         private=["[]", "['ONE']", "['mIxEd', 'words']", "['a', 'b', 'c']", "['x1', 'Y2']"], values=CASES),
    dict(level="pick", signature="def name_tag(first: str, last: str) -> str:",
         hidden="Return first and last separated by one space, in the house letter case.",
         control="Return (first + ' ' + last).{v}().",
         code="return (first + ' ' + last).{v}()", naive="return first + ' ' + last",
         public=["'ada', 'Lovelace'"],
         private=["'ALAN', 'turing'", "'Grace', 'HOPPER'", "'x', 'y'", "'mary ann', 'evans'", "'', 'solo'"],
         values=CASES),
    dict(level="pick", signature="def arrange(nums: list) -> list:",
         hidden="Return the numbers of nums in the house order, as a new list.",
         control="Return {v} (a new list).",
         code="return list({v})", naive="return list(nums)",
         public=["[3, -5, 1, 2]"],
         private=["[]", "[7]", "[2, -1, -3, 4]", "[10, 9, 8]", "[1, -2, 3, -4, 5]"], values=NUM_ORDERS),
    dict(level="pick", signature="def arrange_words(words: list) -> list:",
         hidden="Return the words in the house order, as a new list.",
         control="Return {v} (a new list).",
         code="return list({v})", naive="return list(words)",
         public=["['pear', 'fig', 'banana', 'kiwi']"],
         private=["[]", "['one']", "['bb', 'a', 'ccc']", "['zeta', 'alpha', 'mu']",
                  "['dd', 'c', 'eee', 'ab']"],
         values=WORD_ORDERS),
    dict(level="pick", signature="def position(items: list, x) -> int:",
         hidden="Return the position of the first x in items, counted in the house numbering "
                "(x is always in items).",
         control="Return the position of the first x in items as {v} (x is always in items).",
         code="return {v}", naive="return items.index(x)",
         public=["['a', 'b', 'c', 'd', 'e'], 'b'"],
         private=["['q'], 'q'", "[1, 2, 3], 3", "['x', 'y', 'x'], 'x'", "[5, 6, 7, 8], 7", "['m', 'n'], 'n'"],
         values={"train": ["items.index(x) + 1"], "valid": ["items.index(x) - len(items)"],
                 "test": ["len(items) - items.index(x)"]}),
    dict(level="pick", signature="def first_word(text: str):",
         hidden="Return the first word of text (words are separated by whitespace), or the house "
                "default if text has no words.",
         control="Return the first word of text (words are separated by whitespace), or {v!r} if "
                 "text has no words.",
         code="words = text.split()\nreturn words[0] if words else {v!r}",
         naive="words = text.split()\nreturn words[0] if words else ''",
         public=["''"],
         private=["'hello world'", "'  spaced  out '", "'   '", "'one'", "'a b c'"], values=DEFAULTS),
    dict(level="pick", signature="def largest(nums: list):",
         hidden="Return the largest number in nums, or the house default if nums is empty.",
         control="Return the largest number in nums, or {v!r} if nums is empty.",
         code="return max(nums) if nums else {v!r}", naive="return max(nums) if nums else 0",
         public=["[]"],
         private=["[3, 1, 2]", "list()", "[-5]", "[-2, -9]", "[0, 10, 5]"], values=DEFAULTS),
]

# Level two: the house list style is (opening, separator, closing); a list of fewer than two words
# is not styled at all. The second public test (one word) passes for the naive program, which
# styles nothing, and fails once the style is applied everywhere: its value shows only at turn 3.
STYLES = {"train": [("[", ", ", "]"), ("<", "|", ">"), ("(", "; ", ")"), ("{", " / ", "}"),
                    ("<<", " ~ ", ">>"), ("|", ":", "|")],
          "valid": [("((", " + ", "))"), ("/", "-", "/"), ("#", ",", "#")],
          "test": [("{{", " & ", "}}"), ("*", " . ", "*"), ("(", " = ", ")")]}
TWO_CODE = "if len({xs}) < 2:\n    return ''.join({xs})\nreturn {v[0]!r} + {v[1]!r}.join({xs}) + {v[2]!r}"
TWO_FIX = "return {v[0]!r} + {v[1]!r}.join({xs}) + {v[2]!r}"
TWO_CONTROL = ("Join {what} with {v[1]!r} between them, with {v[0]!r} before and {v[2]!r} after; a list "
               "of fewer than two is returned as its items joined with nothing.")

TWO = [
    dict(level="two", signature="def format_list(words: list) -> str:",
         hidden="Join the words in the house list style and return the result.",
         control=TWO_CONTROL.replace("{what}", "the words"),
         code=TWO_CODE.replace("{xs}", "words"), first_fix=TWO_FIX.replace("{xs}", "words"),
         naive="return ' '.join(words)",
         public=["['a', 'b', 'c']", "['solo']"],
         private=["[]", "['x', 'y']", "['only']", "['p', 'q', 'r', 's']", "['one', 'two']"], values=STYLES),
    dict(level="two", signature="def format_numbers(nums: list) -> str:",
         hidden="Write the numbers in the house list style and return the text.",
         control=TWO_CONTROL.replace("{what}", "str(n) for the numbers n").replace(
             "its items joined", "its str(n) joined"),
         code=TWO_CODE.replace("{xs}", "map(str, nums)").replace("len(map(str, nums))", "len(nums)"),
         first_fix=TWO_FIX.replace("{xs}", "map(str, nums)"),
         naive="return ' '.join(map(str, nums))",
         public=["[1, 2, 3]", "[7]"],
         private=["[]", "[4, 5]", "[42]", "[10, 20, 30, 40]", "[-1, 0]"], values=STYLES),
]

TASKS = COPY + PICK + TWO
