"""Easy mini problems: a loop over a list or a string (18 train, 5 valid, 5 test).

Same spec shape as specs_trivial.py; mini/build.py computes all outputs from the reference.
"""

import textwrap


def P(slug, split, statement, input, output, public, private, reference, incorrect):
    clean = lambda code: textwrap.dedent(code).strip("\n") + "\n"  # noqa: E731
    return {"slug": slug, "difficulty": "easy", "split": split,
            "statement": textwrap.dedent(statement).strip(), "input": textwrap.dedent(input).strip(),
            "output": textwrap.dedent(output).strip(), "public": public, "private": private,
            "reference": clean(reference), "incorrect": [clean(c) for c in incorrect]}


def arr(xs):
    """The usual list input: n on the first line, the values on the second."""
    return f"{len(xs)}\n{' '.join(map(str, xs))}"


def rand_arrays(rng, k, nmax, lo, hi):
    return [arr([rng.randint(lo, hi) for _ in range(rng.randint(1, nmax))]) for _ in range(k)]


def words(rng, n, alphabet="abcdefghijklmnopqrstuvwxyz", lo=1, hi=8):
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(lo, hi))) for _ in range(n)]


READ = """
      n = int(input())
      a = list(map(int, input().split()))
"""  # indented like the code blocks below, so that textwrap.dedent treats READ + block as one

PROBLEMS = [
    # ------------------------------------------------------------------ train
    P("sum-of-list", "train",
      """
      A shop recorded n transactions; a positive number is money received and a negative number
      is money paid out. Find the total balance change.
      """,
      "The first line contains an integer n (1 ≤ n ≤ 100). The second line contains n integers a_1, ..., a_n (-1000 ≤ a_i ≤ 1000).",
      "Print the sum of all a_i.",
      ["3\n1 2 3\n"],
      lambda r: [arr([5]), arr([-1000]), arr([0, 0, 0]), arr([1000] * 100), arr([-3, 3, -3, 3])]
      + rand_arrays(r, 4, 100, -1000, 1000),
      READ + """
      print(sum(a))
      """,
      [READ + """
      s = 0
      for i in range(1, n):
          s += a[i]
      print(s)
      """]),

    P("min-and-max", "train",
      """
      A weather station logged n temperatures during the day. Print the coldest and the warmest
      temperature.
      """,
      "The first line contains an integer n (1 ≤ n ≤ 100). The second line contains n integers t_1, ..., t_n (-100 ≤ t_i ≤ 100).",
      "Print two integers: the minimum and the maximum.",
      ["5\n3 1 4 1 5\n"],
      lambda r: [arr([7]), arr([-5]), arr([-3, -1, -7]), arr([0, 0]), arr([-100, 100]), arr([2, 2, 2])]
      + rand_arrays(r, 3, 100, -100, 100),
      READ + """
      print(min(a), max(a))
      """,
      [READ + """
      lo, hi = a[0], 0
      for x in a:
          lo = min(lo, x)
          hi = max(hi, x)
      print(lo, hi)
      """]),

    P("count-even", "train",
      """
      Count how many of the given numbers are even. Remember that zero and negative numbers can
      be even too.
      """,
      "The first line contains an integer n (1 ≤ n ≤ 100). The second line contains n integers a_1, ..., a_n (-1000 ≤ a_i ≤ 1000).",
      "Print the number of even a_i.",
      ["5\n1 2 3 4 6\n"],
      lambda r: [arr([0]), arr([1]), arr([0, 0, 0]), arr([-2, -3, -4]), arr([-1, -1]), arr([1000, -1000, 0])]
      + rand_arrays(r, 3, 100, -10, 10),
      READ + """
      print(sum(1 for x in a if x % 2 == 0))
      """,
      [READ + """
      print(sum(1 for x in a if x % 2 == 0 and x != 0))
      """]),

    P("sort-numbers", "train",
      """
      A teacher wants the test scores in order. Sort the given numbers in non-decreasing order.
      """,
      "The first line contains an integer n (1 ≤ n ≤ 100). The second line contains n integers a_1, ..., a_n (-1000 ≤ a_i ≤ 1000).",
      "Print the numbers sorted in non-decreasing order, separated by spaces.",
      ["5\n3 1 2 5 4\n"],
      lambda r: [arr([1]), arr([10, 9]), arr([100, 20, 3]), arr([-5, 3, -10, 0]), arr([2, 2, 1, 1])]
      + rand_arrays(r, 4, 100, -1000, 1000),
      READ + """
      print(*sorted(a))
      """,
      ["""
      n = int(input())
      a = input().split()
      print(*sorted(a))
      """]),

    P("fizz-buzz", "train",
      """
      Print the numbers from 1 to n, one per line, but print Fizz instead of numbers divisible by
      3, Buzz instead of numbers divisible by 5, and FizzBuzz instead of numbers divisible by both.
      """,
      "The only line contains an integer n (1 ≤ n ≤ 100).",
      "Print n lines as described.",
      ["5\n"],
      ["1", "2", "3", "15", "16", "30", "31", "45", "100", "10"],
      """
      n = int(input())
      for i in range(1, n + 1):
          if i % 15 == 0:
              print("FizzBuzz")
          elif i % 3 == 0:
              print("Fizz")
          elif i % 5 == 0:
              print("Buzz")
          else:
              print(i)
      """,
      ["""
      n = int(input())
      for i in range(1, n + 1):
          if i % 3 == 0:
              print("Fizz")
          elif i % 5 == 0:
              print("Buzz")
          elif i % 15 == 0:
              print("FizzBuzz")
          else:
              print(i)
      """]),

    P("digit-sum", "train",
      """
      The digit sum of a number is the sum of its decimal digits; for 123 it is 1 + 2 + 3 = 6.
      Compute the digit sum of a (possibly very long) number.
      """,
      "The only line contains an integer n (0 ≤ n < 10^100) without leading zeros.",
      "Print the digit sum of n.",
      ["123\n"],
      lambda r: ["0", "7", "10", "99", "1000000", "9" * 99] + [str(r.randrange(10**99)) for _ in range(3)],
      """
      s = input().strip()
      print(sum(int(ch) for ch in s))
      """,
      ["""
      n = int(input())
      s = 0
      while n > 9:
          s += n % 10
          n //= 10
      print(s)
      """]),

    P("second-largest", "train",
      """
      In a contest the best score wins gold, and every contestant with the second best distinct
      score wins silver. Find the silver score: the largest value that is strictly smaller than
      the maximum. If all scores are equal, print -1.
      """,
      "The first line contains an integer n (2 ≤ n ≤ 100). The second line contains n integers s_1, ..., s_n (1 ≤ s_i ≤ 1000).",
      "Print the silver score, or -1 if there is none.",
      ["4\n3 9 5 1\n"],
      lambda r: [arr([1, 2]), arr([2, 1]), arr([5, 5]), arr([7, 7, 3]), arr([9, 9, 9, 9]), arr([1, 1000, 1000, 999])]
      + [arr([r.randint(1, 20) for _ in range(r.randint(2, 40))]) for _ in range(3)],
      READ + """
      best = max(a)
      rest = [x for x in a if x < best]
      print(max(rest) if rest else -1)
      """,
      [READ + """
      print(sorted(a)[-2])
      """]),

    P("word-count", "train",
      """
      A text editor shows the number of words in a line. Words are separated by one or more
      spaces. Count the words.
      """,
      "The only line has 1 to 200 characters: lowercase letters and spaces. It contains at least one letter and does not start or end with a space.",
      "Print the number of words.",
      ["the cat sat\n"],
      lambda r: ["a", "hello", "a  b", "one   two three", "x y z w"]
      + [(" " * r.randint(1, 3)).join(words(r, r.randint(2, 10))) for _ in range(4)],
      """
      print(len(input().split()))
      """,
      ["""
      s = input()
      print(s.count(" ") + 1)
      """]),

    P("running-total", "train",
      """
      A piggy bank receives a_1 coins on the first day, a_2 on the second and so on (a negative
      amount means coins were taken out). Print how many coins are inside after each day.
      """,
      "The first line contains an integer n (1 ≤ n ≤ 100). The second line contains n integers a_1, ..., a_n (-1000 ≤ a_i ≤ 1000).",
      "Print n integers: the total after day 1, after day 2, ..., after day n.",
      ["4\n1 2 3 4\n"],
      lambda r: [arr([5]), arr([0]), arr([-1, -1, -1]), arr([3, -3, 3, -3])] + rand_arrays(r, 4, 100, -1000, 1000),
      READ + """
      total = 0
      out = []
      for x in a:
          total += x
          out.append(total)
      print(*out)
      """,
      [READ + """
      total = 0
      out = []
      for x in a:
          out.append(total)
          total += x
      print(*out)
      """]),

    P("floor-average", "train",
      """
      Find the average of n integers, rounded down (towards minus infinity) to an integer.
      """,
      "The first line contains an integer n (1 ≤ n ≤ 100). The second line contains n integers a_1, ..., a_n (-10^6 ≤ a_i ≤ 10^6).",
      "Print the floor of (a_1 + ... + a_n) / n.",
      ["3\n1 2 4\n"],
      lambda r: [arr([-1, 0]), arr([-7]), arr([-1, -1, 0]), arr([0, 0]), arr([-5, 2, 1, 1]), arr([10**6] * 3)]
      + rand_arrays(r, 3, 50, -10**6, 10**6),
      READ + """
      print(sum(a) // n)
      """,
      [READ + """
      print(int(sum(a) / n))
      """]),

    P("reverse-words", "train",
      """
      Yoda speaks in reverse order. Given a sentence, print its words in reverse order (the
      letters inside every word stay as they are).
      """,
      "The only line contains 1 to 20 words separated by single spaces. Every word has 1 to 10 lowercase English letters.",
      "Print the words in reverse order, separated by single spaces.",
      ["apple banana cherry\n"],
      lambda r: ["a", "hello world", "one two three", "b a", "x y z w"] + [" ".join(words(r, r.randint(2, 12))) for _ in range(4)],
      """
      print(*input().split()[::-1])
      """,
      ["""
      print(*sorted(input().split(), reverse=True))
      """, """
      print(input()[::-1])
      """]),

    P("caesar-cipher", "train",
      """
      Encrypt a word with the Caesar cipher: every letter is shifted k places forward in the
      alphabet, wrapping around from z to a. For example, with k = 3, "xyz" becomes "abc".
      """,
      "The first line contains an integer k (0 ≤ k ≤ 1000). The second line contains a word of 1 to 100 lowercase English letters.",
      "Print the encrypted word.",
      ["3\nhello\n"],
      lambda r: ["0\nabc", "1\nz", "26\nabc", "25\nb", "1000\nxyz", "3\nxyz", "52\nzebra"]
      + [f"{r.randint(0, 1000)}\n{w}" for w in words(r, 3, lo=5, hi=30)],
      """
      k = int(input())
      s = input().strip()
      print("".join(chr((ord(ch) - 97 + k) % 26 + 97) for ch in s))
      """,
      ["""
      k = int(input())
      s = input().strip()
      print("".join(chr((ord(ch) - 97 - k) % 26 + 97) for ch in s))
      """, """
      k = int(input())
      s = input().strip()
      print("".join(chr((ord(ch) - 97 + k) % 25 + 97) for ch in s))
      """]),

    P("range-sums", "train",
      """
      Given an array and several questions, answer each question "what is the sum of the elements
      from position l to position r?" Positions are numbered from 1 and both ends are included.
      """,
      """
      The first line contains an integer n (1 ≤ n ≤ 100). The second line contains n integers
      a_1, ..., a_n (-1000 ≤ a_i ≤ 1000). The third line contains an integer q (1 ≤ q ≤ 10).
      Each of the next q lines contains two integers l and r (1 ≤ l ≤ r ≤ n).
      """,
      "Print q lines: the answers to the questions, in order.",
      ["5\n1 2 3 4 5\n2\n1 3\n2 5\n"],
      lambda r: ["1\n7\n1\n1 1", "3\n-1 -2 -3\n3\n1 1\n3 3\n1 3", "4\n5 5 5 5\n2\n2 3\n4 4"]
      + [(lambda n: f"{arr([r.randint(-1000, 1000) for _ in range(n)])}\n10\n"
          + "\n".join(" ".join(map(str, sorted((r.randint(1, n), r.randint(1, n))))) for _ in range(10)))(r.randint(1, 100))
         for _ in range(6)],
      READ + """
      q = int(input())
      for _ in range(q):
          l, r = map(int, input().split())
          print(sum(a[l - 1:r]))
      """,
      [READ + """
      q = int(input())
      for _ in range(q):
          l, r = map(int, input().split())
          print(sum(a[l:r]))
      """]),

    P("distinct-values", "train",
      """
      A collector has n stamps and writes down the year of every stamp. How many different years
      are there in the collection?
      """,
      "The first line contains an integer n (1 ≤ n ≤ 100). The second line contains n integers y_1, ..., y_n (1 ≤ y_i ≤ 2000).",
      "Print the number of distinct values.",
      ["5\n1990 1990 2000 2000 2001\n"],
      lambda r: [arr([5]), arr([1, 2, 1]), arr([7, 7, 7]), arr([3, 1, 2, 1, 3]), arr(list(range(1, 101)))]
      + rand_arrays(r, 4, 100, 1, 30),
      READ + """
      print(len(set(a)))
      """,
      [READ + """
      count = 1
      for i in range(1, n):
          if a[i] != a[i - 1]:
              count += 1
      print(count)
      """]),

    P("remove-vowels", "train",
      """
      To save ink, a printer skips all vowels. Given a word, print it without the letters a, e, i,
      o and u, in either case. Other letters keep their case.
      """,
      "The only line contains a word of 1 to 100 English letters, at least one of which is not a vowel.",
      "Print the word without its vowels.",
      ["programming\n"],
      lambda r: ["b", "Apple", "AEIOUx", "Queue", "HELLO", "sky", "aBcDeF"]
      + ["".join(r.choice("aAbBeEuUxz") for _ in range(r.randint(5, 40))) + "q" for _ in range(3)],
      """
      s = input().strip()
      print("".join(ch for ch in s if ch.lower() not in "aeiou"))
      """,
      ["""
      s = input().strip()
      print("".join(ch for ch in s if ch not in "aeiou"))
      """]),

    P("longest-streak", "train",
      """
      A calendar marks the days someone went jogging with 1 and the other days with 0. Find the
      longest streak of consecutive jogging days.
      """,
      "The only line contains a string of 1 to 200 characters, each 0 or 1.",
      "Print the length of the longest block of consecutive 1s (0 if there is none).",
      ["1101110\n"],
      lambda r: ["0", "1", "000", "111", "1011", "110111", "01111"] + ["".join(r.choice("011") for _ in range(r.randint(5, 200))) + "1111" for _ in range(3)],
      """
      best = cur = 0
      for ch in input().strip():
          cur = cur + 1 if ch == "1" else 0
          best = max(best, cur)
      print(best)
      """,
      ["""
      best = cur = 0
      for ch in input().strip():
          if ch == "1":
              cur += 1
          else:
              best = max(best, cur)
              cur = 0
      print(best)
      """]),

    P("star-triangle", "train",
      """
      Draw a triangle of stars: the first row has one star, the second row two stars, and so on
      up to row n with n stars.
      """,
      "The only line contains an integer n (1 ≤ n ≤ 30).",
      "Print n lines; line i contains i characters *.",
      ["3\n"],
      ["1", "2", "4", "5", "10", "17", "29", "30"],
      """
      n = int(input())
      for i in range(1, n + 1):
          print("*" * i)
      """,
      ["""
      n = int(input())
      for i in range(n):
          print("*" * i)
      """]),

    P("pairs-with-sum", "train",
      """
      Count the pairs of positions i < j such that a_i + a_j = k.
      """,
      "The first line contains two integers n and k (1 ≤ n ≤ 100, -2000 ≤ k ≤ 2000). The second line contains n integers a_1, ..., a_n (-1000 ≤ a_i ≤ 1000).",
      "Print the number of pairs.",
      ["4 5\n1 2 3 4\n"],
      lambda r: ["1 2\n1", "2 2\n1 1", "3 4\n2 2 2", "4 0\n-1 1 0 0", "3 10\n1 2 3", "5 -2\n-1 -1 -1 0 -2"]
      + [(lambda n: f"{n} {r.randint(-4, 4)}\n{' '.join(str(r.randint(-3, 3)) for _ in range(n))}")(r.randint(1, 100))
         for _ in range(3)],
      """
      n, k = map(int, input().split())
      a = list(map(int, input().split()))
      print(sum(1 for i in range(n) for j in range(i + 1, n) if a[i] + a[j] == k))
      """,
      ["""
      n, k = map(int, input().split())
      a = list(map(int, input().split()))
      print(sum(1 for i in range(n) for j in range(i, n) if a[i] + a[j] == k))
      """]),

    # ------------------------------------------------------------------ valid
    P("alternating-sum", "valid",
      """
      Compute the alternating sum a_1 - a_2 + a_3 - a_4 + ... of the given numbers: elements at
      odd positions are added and elements at even positions are subtracted.
      """,
      "The first line contains an integer n (1 ≤ n ≤ 100). The second line contains n integers a_1, ..., a_n (-1000 ≤ a_i ≤ 1000).",
      "Print the alternating sum.",
      ["3\n5 3 1\n"],
      lambda r: [arr([4]), arr([-4]), arr([1, 1]), arr([0, 0, 0]), arr([1, 2, 3, 4])] + rand_arrays(r, 4, 100, -1000, 1000),
      READ + """
      print(sum(a[0::2]) - sum(a[1::2]))
      """,
      [READ + """
      s = 0
      for i in range(n):
          s += a[i] if i % 2 else -a[i]
      print(s)
      """]),

    P("sort-descending", "valid",
      """
      Print the heights of n towers from the tallest to the shortest.
      """,
      "The first line contains an integer n (1 ≤ n ≤ 100). The second line contains n integers h_1, ..., h_n (1 ≤ h_i ≤ 10000).",
      "Print the heights in non-increasing order, separated by spaces.",
      ["4\n3 8 1 5\n"],
      lambda r: [arr([1]), arr([9, 10]), arr([100, 20, 3]), arr([5, 5, 50, 500]), arr([10000, 1])]
      + rand_arrays(r, 4, 100, 1, 10000),
      READ + """
      print(*sorted(a, reverse=True))
      """,
      ["""
      n = int(input())
      print(*sorted(input().split(), reverse=True))
      """]),

    P("longest-word", "valid",
      """
      Find the longest word of a sentence. If several words have the greatest length, print the
      one that appears first.
      """,
      "The only line contains 1 to 20 words separated by single spaces. Every word has 1 to 15 lowercase English letters.",
      "Print the longest word.",
      ["i love programming\n"],
      lambda r: ["a", "ab cd", "cat dog", "x yy zz", "hello world again", "to be or not to be"]
      + [" ".join(words(r, r.randint(2, 15), hi=6)) for _ in range(4)],
      """
      best = ""
      for w in input().split():
          if len(w) > len(best):
              best = w
      print(best)
      """,
      ["""
      best = ""
      for w in input().split():
          if len(w) >= len(best):
              best = w
      print(best)
      """]),

    P("position-of-minimum", "valid",
      """
      Find the position of the cheapest offer in a list of n prices. Positions are numbered from
      1. If the minimum occurs several times, print the first position where it occurs.
      """,
      "The first line contains an integer n (1 ≤ n ≤ 100). The second line contains n integers p_1, ..., p_n (1 ≤ p_i ≤ 1000).",
      "Print one integer: the position.",
      ["5\n4 2 8 3 9\n"],
      lambda r: [arr([7]), arr([1, 1]), arr([3, 1, 1]), arr([5, 4, 3, 2, 1]), arr([2, 2, 2, 2])]
      + rand_arrays(r, 4, 100, 1, 10),
      READ + """
      print(a.index(min(a)) + 1)
      """,
      [READ + """
      pos = 0
      for i in range(n):
          if a[i] <= a[pos]:
              pos = i
      print(pos + 1)
      """, READ + """
      print(a.index(min(a)))
      """]),

    P("count-divisors", "valid",
      """
      A baker wants to arrange n cakes in a rectangle with the same number of cakes in every row.
      Count the divisors of n, that is the numbers d from 1 to n that divide n.
      """,
      "The only line contains an integer n (1 ≤ n ≤ 10^6).",
      "Print the number of divisors of n.",
      ["12\n"],
      ["1", "2", "16", "36", "97", "1000000", "999983", "720720", "25", "100"],
      """
      n = int(input())
      count = 0
      d = 1
      while d * d <= n:
          if n % d == 0:
              count += 1 if d * d == n else 2
          d += 1
      print(count)
      """,
      ["""
      n = int(input())
      count = 0
      d = 1
      while d * d <= n:
          if n % d == 0:
              count += 2
          d += 1
      print(count)
      """, """
      n = int(input())
      print(sum(1 for d in range(1, n) if n % d == 0))
      """]),

    # ------------------------------------------------------------------ test
    P("spread", "test",
      """
      The spread of a list of measurements is the largest value minus the smallest value.
      Compute the spread.
      """,
      "The first line contains an integer n (1 ≤ n ≤ 100). The second line contains n integers a_1, ..., a_n (-1000 ≤ a_i ≤ 1000).",
      "Print the spread.",
      ["4\n3 8 1 5\n"],
      lambda r: [arr([5]), arr([-5]), arr([-3, -9, -4]), arr([0, 0]), arr([-1000, 1000]), arr([-2, -2])]
      + rand_arrays(r, 3, 100, -1000, 1000),
      READ + """
      print(max(a) - min(a))
      """,
      [READ + """
      lo, hi = a[0], 0
      for x in a:
          lo = min(lo, x)
          hi = max(hi, x)
      print(hi - lo)
      """]),

    P("multiples-of-3-or-5", "test",
      """
      Find the sum of all integers from 1 to n that are divisible by 3 or by 5 (or both).
      """,
      "The only line contains an integer n (1 ≤ n ≤ 10^6).",
      "Print the sum.",
      ["10\n"],
      ["1", "3", "5", "14", "15", "16", "30", "100", "1000000", "999999"],
      """
      n = int(input())
      print(sum(i for i in range(1, n + 1) if i % 3 == 0 or i % 5 == 0))
      """,
      ["""
      n = int(input())
      print(sum(range(3, n + 1, 3)) + sum(range(5, n + 1, 5)))
      """, """
      n = int(input())
      print(sum(i for i in range(1, n) if i % 3 == 0 or i % 5 == 0))
      """]),

    P("most-frequent-letter", "test",
      """
      Find the letter that occurs most often in a word. If several letters occur equally often,
      print the one that comes first in the alphabet.
      """,
      "The only line contains a word of 1 to 100 lowercase English letters.",
      "Print one letter.",
      ["banana\n"],
      lambda r: ["z", "bbaa", "zyx", "abcabc", "mississippi", "ccbbbaa", "hello"]
      + ["".join(r.choice("dcba") for _ in range(r.randint(8, 40))) for _ in range(3)],
      """
      s = input().strip()
      best = min(set(s), key=lambda ch: (-s.count(ch), ch))
      print(best)
      """,
      ["""
      s = input().strip()
      print(max(s, key=s.count))
      """]),

    P("running-maximum", "test",
      """
      A high-jump competition records every jump. After each jump, print the best result so far
      (results may be negative on a strange scoring scale).
      """,
      "The first line contains an integer n (1 ≤ n ≤ 100). The second line contains n integers a_1, ..., a_n (-1000 ≤ a_i ≤ 1000).",
      "Print n integers: the maximum of a_1..a_i for every i.",
      ["5\n1 3 2 5 4\n"],
      lambda r: [arr([-1]), arr([0]), arr([-5, -3, -4]), arr([5, 4, 3]), arr([-2, -2, -1])] + rand_arrays(r, 4, 100, -1000, 1000),
      READ + """
      best = a[0]
      out = []
      for x in a:
          best = max(best, x)
          out.append(best)
      print(*out)
      """,
      [READ + """
      best = 0
      out = []
      for x in a:
          best = max(best, x)
          out.append(best)
      print(*out)
      """]),

    P("to-binary", "test",
      """
      Computers store numbers in binary. Write the non-negative integer n in base 2 without
      leading zeros.
      """,
      "The only line contains an integer n (0 ≤ n ≤ 10^18).",
      "Print the binary notation of n.",
      ["5\n"],
      lambda r: ["0", "1", "2", "1024", "1023", "1000000000000000000", "6"] + [str(r.randint(0, 10**18)) for _ in range(3)],
      """
      n = int(input())
      print(bin(n)[2:])
      """,
      ["""
      n = int(input())
      s = ""
      while n > 0:
          s = str(n % 2) + s
          n //= 2
      print(s)
      """]),
]
