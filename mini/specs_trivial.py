"""Trivial mini problems: one read, one step, one print (20 train, 6 valid, 6 test).

Each spec: slug, difficulty, split, statement, input/output format text, public test inputs,
private test inputs (a list or a function of a seeded random.Random), a correct reference solution
and plausible incorrect solutions. mini/build.py computes all outputs from the reference.
"""

import textwrap


def P(slug, split, statement, input, output, public, private, reference, incorrect):
    clean = lambda code: textwrap.dedent(code).strip("\n") + "\n"  # noqa: E731
    return {"slug": slug, "difficulty": "trivial", "split": split,
            "statement": textwrap.dedent(statement).strip(), "input": textwrap.dedent(input).strip(),
            "output": textwrap.dedent(output).strip(), "public": public, "private": private,
            "reference": clean(reference), "incorrect": [clean(c) for c in incorrect]}


def words(rng, n, alphabet="abcdefghijklmnopqrstuvwxyz", lo=1, hi=8):
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(lo, hi))) for _ in range(n)]


def pairs(rng, lo, hi, k, fixed):
    return fixed + [f"{rng.randint(lo, hi)} {rng.randint(lo, hi)}" for _ in range(k)]


def triples(rng, lo, hi, k, fixed):
    return fixed + [" ".join(str(rng.randint(lo, hi)) for _ in range(3)) for _ in range(k)]


BIG = 10**18

PROBLEMS = [
    # ------------------------------------------------------------------ train
    P("sum-of-two", "train",
      """
      Alice has a coins and Bob has b coins. A negative number means that the person owes coins.
      How many coins do Alice and Bob have together?
      """,
      "The only line contains two integers a and b (-10^9 ≤ a, b ≤ 10^9).",
      "Print one integer: the total number of coins.",
      ["3 5\n"],
      lambda r: pairs(r, -10**9, 10**9, 5, ["0 0", "-7 7", "-1000000000 -1000000000",
                                             "1000000000 1000000000", "12 -30", "-4 -9"]),
      """
      a, b = map(int, input().split())
      print(a + b)
      """,
      ["""
      a, b = input().split()
      print(a + b)
      """, """
      a, b = map(int, input().split())
      print(abs(a) + abs(b))
      """]),

    P("parrot", "train",
      """
      A parrot repeats every sentence it hears, word for word. Write a program that behaves like
      the parrot: read one line and print it back unchanged.
      """,
      """
      A single line of at most 100 characters: lowercase letters, digits and single spaces.
      It does not start or end with a space.
      """,
      "Print the same line.",
      ["hello\n"],
      lambda r: ["a", "x y z", "123 456", "the quick brown fox", "polly wants a cracker",
                 "0"] + [" ".join(words(r, r.randint(2, 8), "abcxyz0123456789")) for _ in range(4)],
      """
      print(input())
      """,
      ["""
      print(input().split()[0])
      """]),

    P("greeting", "train",
      """
      A robot at the door greets every guest. Given the guest's name, print the greeting
      "Hello, NAME!" where NAME is the name.
      """,
      "The only line contains a name: 1 to 20 English letters.",
      "Print the greeting exactly as described.",
      ["Bob\n"],
      lambda r: ["A", "Alice", "Zed", "Maximiliansebastian", "ab"]
      + [w.capitalize() for w in words(r, 5, lo=2, hi=12)],
      """
      name = input().strip()
      print("Hello, " + name + "!")
      """,
      ["""
      name = input().strip()
      print("Hello " + name + "!")
      """]),

    P("max-of-three", "train",
      """
      Three friends measured how many push-ups they can do in a row, and the numbers were written
      down as a, b and c (a broken counter may show negative numbers). Print the best result.
      """,
      "The only line contains three integers a, b and c (-1000 ≤ a, b, c ≤ 1000).",
      "Print the largest of the three numbers.",
      ["1 5 3\n"],
      lambda r: triples(r, -1000, 1000, 4, ["3 1 5", "5 5 5", "-1 -2 -3", "0 -1 0",
                                            "1000 -1000 999", "2 9 9", "7 3 7"]),
      """
      a, b, c = map(int, input().split())
      print(max(a, b, c))
      """,
      ["""
      a, b, c = map(int, input().split())
      print(a if a > b else b if b > c else c)
      """]),

    P("reverse-string", "train",
      """
      In the mirror world every word is written backwards. Given a word, print how it looks
      in the mirror world.
      """,
      "The only line contains a string s of 1 to 100 lowercase English letters.",
      "Print s reversed.",
      ["hello\n"],
      lambda r: ["a", "ab", "aba", "zzzz", "abcdefghijklmnopqrstuvwxyz"] + words(r, 5, lo=3, hi=30),
      """
      s = input().strip()
      print(s[::-1])
      """,
      ["""
      s = input().strip()
      print(s[-1:0:-1])
      """]),

    P("count-vowels", "train",
      """
      A word is easier to sing when it has many vowels. Count the vowels in the given word.
      The vowels are a, e, i, o and u.
      """,
      "The only line contains a word of 1 to 100 lowercase English letters.",
      "Print the number of vowels in the word.",
      ["programming\n"],
      lambda r: ["u", "b", "aeiou", "rhythm", "queue", "uuuuuu", "computer"] + words(r, 4, lo=5, hi=40),
      """
      s = input().strip()
      print(sum(1 for ch in s if ch in "aeiou"))
      """,
      ["""
      s = input().strip()
      print(sum(1 for ch in s if ch in "aeio"))
      """]),

    P("initials", "train",
      """
      Write the initials of a person: the first letter of the first name and the first letter of
      the last name, each in upper case and each followed by a dot.
      """,
      "The only line contains the first name and the last name separated by a space. Each is 1 to 20 lowercase English letters.",
      "Print the initials, for example J.S. for \"john smith\".",
      ["john smith\n"],
      lambda r: ["a b", "ada lovelace", "x yz", "alan turing", "grace hopper"]
      + [" ".join(words(r, 2, lo=1, hi=10)) for _ in range(4)],
      """
      first, last = input().split()
      print(first[0].upper() + "." + last[0].upper() + ".")
      """,
      ["""
      first, last = input().split()
      print(first[0].upper() + last[0].upper())
      """, """
      first, last = input().split()
      print(first[0].upper() + "." + last[0].upper())
      """]),

    P("even-or-odd", "train",
      """
      Decide whether the integer n is even or odd. Careful: n can be very large or negative.
      """,
      "The only line contains an integer n (-10^18 ≤ n ≤ 10^18).",
      "Print EVEN if n is even and ODD otherwise.",
      ["4\n", "7\n"],
      lambda r: ["0", "-1", "-2", "1000000000000000000", "999999999999999999", "-999999999999999999",
                 "123456789012345679"]
      + [str(r.randrange(10**17, 10**18) | 1) for _ in range(2)]
      # odd n whose half n // 2 is a float-exact multiple of 1024: n / 2 rounds onto it
      + [str(2048 * r.randint(10**13, 4 * 10**14) + 1) for _ in range(2)],
      """
      n = int(input())
      print("EVEN" if n % 2 == 0 else "ODD")
      """,
      ["""
      n = int(input())
      print("EVEN" if n / 2 == n // 2 else "ODD")
      """]),

    P("absolute-value", "train",
      """
      A thermometer shows a temperature n. The distance of the temperature from zero is the
      absolute value of n. Print it.
      """,
      "The only line contains an integer n (-10^18 ≤ n ≤ 10^18).",
      "Print the absolute value of n.",
      ["-5\n"],
      lambda r: ["0", "5", "-1", "-1000000000000000000", "1000000000000000000",
                 "-999999999999999999", "123456789123456789"]
      + [str(r.randint(-BIG, BIG)) for _ in range(3)],
      """
      n = int(input())
      print(abs(n))
      """,
      ["""
      n = float(input())
      print(int(abs(n)))
      """]),

    P("rectangle", "train",
      """
      A garden is a rectangle with sides a and b meters. Compute its area and the length of the
      fence around it (the perimeter).
      """,
      "The only line contains two integers a and b (1 ≤ a, b ≤ 10^4).",
      "Print two integers: the area and the perimeter.",
      ["2 2\n"],
      lambda r: pairs(r, 1, 10**4, 5, ["1 1", "1 10000", "10000 10000", "3 7", "5 2"]),
      """
      a, b = map(int, input().split())
      print(a * b, 2 * (a + b))
      """,
      ["""
      a, b = map(int, input().split())
      print(a * b, 2 * a + b)
      """]),

    P("minutes-to-hours", "train",
      """
      A film lasts m minutes. Write its length as whole hours and the remaining minutes.
      """,
      "The only line contains an integer m (0 ≤ m ≤ 10^6).",
      "Print two integers: the number of full hours and the number of remaining minutes (0 to 59).",
      ["135\n"],
      lambda r: ["0", "59", "60", "90", "150", "1000000", "119", "61"]
      + [str(r.randint(0, 10**6)) for _ in range(3)],
      """
      m = int(input())
      print(m // 60, m % 60)
      """,
      ["""
      m = int(input())
      print(round(m / 60), m % 60)
      """]),

    P("last-digit", "train",
      """
      Print the last digit of the integer n (for a negative n, the last digit of its decimal
      notation without the minus sign).
      """,
      "The only line contains an integer n (-10^18 ≤ n ≤ 10^18).",
      "Print one digit.",
      ["1234\n"],
      lambda r: ["0", "7", "-7", "-13", "1000000000000000000", "-999999999999999999", "-10"]
      + [str(r.randint(-BIG, BIG)) for _ in range(3)],
      """
      n = int(input())
      print(abs(n) % 10)
      """,
      ["""
      n = int(input())
      print(n % 10)
      """]),

    P("line-length", "train",
      """
      A message is sent character by character, spaces included. How many characters does it take
      to send the given line?
      """,
      "The only line contains 1 to 100 characters: lowercase letters and single spaces. It does not start or end with a space.",
      "Print the number of characters in the line, counting spaces.",
      ["hi there\n"],
      lambda r: ["a", "a b", "abc", "one two three four", "x y z w v u"]
      + [" ".join(words(r, r.randint(1, 9))) for _ in range(4)],
      """
      s = input().rstrip("\\n")
      print(len(s))
      """,
      ["""
      s = input()
      print(len(s.replace(" ", "")))
      """]),

    P("compare", "train",
      """
      Compare two integers a and b and print the sign that stands between them.
      """,
      "The only line contains two integers a and b (-10^9 ≤ a, b ≤ 10^9).",
      "Print < if a is less than b, > if a is greater than b, and = if they are equal.",
      ["1 2\n", "5 3\n"],
      lambda r: pairs(r, -10**9, 10**9, 3, ["0 0", "-5 -5", "7 7", "-1 1", "1 -1", "-3 -8"]),
      """
      a, b = map(int, input().split())
      print("<" if a < b else ">" if a > b else "=")
      """,
      ["""
      a, b = map(int, input().split())
      print("<" if a < b else ">")
      """]),

    P("product-of-two", "train",
      """
      A warehouse has a shelves and every shelf holds b boxes (negative values describe boxes that
      are missing). Print a times b.
      """,
      "The only line contains two integers a and b (-10^9 ≤ a, b ≤ 10^9).",
      "Print the product a · b.",
      ["6 7\n"],
      lambda r: pairs(r, -10**9, 10**9, 4, ["0 5", "-3 4", "999999999 999999999",
                                             "-1000000000 1000000000", "123456789 987654321", "-1 -1"]),
      """
      a, b = map(int, input().split())
      print(a * b)
      """,
      ["""
      a, b = map(float, input().split())
      print(int(a * b))
      """]),

    P("sum-one-to-n", "train",
      """
      A staircase has steps numbered 1, 2, ..., n, and on step i lie i coins. How many coins are
      there in total?
      """,
      "The only line contains an integer n (1 ≤ n ≤ 10^9).",
      "Print the total number of coins.",
      ["3\n"],
      lambda r: ["1", "2", "10", "1000000000", "999999999", "100"] + [str(r.randint(1, 10**9)) for _ in range(3)],
      """
      n = int(input())
      print(n * (n + 1) // 2)
      """,
      ["""
      n = int(input())
      print(n * (n - 1) // 2)
      """, """
      n = int(input())
      print(int(n * (n + 1) / 2))
      """]),

    P("count-letter", "train",
      """
      Count how many times the letter c occurs in the string s. Upper and lower case count as the
      same letter.
      """,
      "The first line contains the string s (1 to 100 English letters). The second line contains one lowercase letter c.",
      "Print the number of occurrences of c in s, ignoring case.",
      ["banana\na\n"],
      lambda r: ["Banana\nb", "AAAA\na", "x\ny", "x\nx", "HelloWorld\nl", "Mississippi\nm"]
      + [f"{''.join(r.choice('aAbB') for _ in range(r.randint(1, 30)))}\n{r.choice('ab')}" for _ in range(3)],
      """
      s = input().strip()
      c = input().strip()
      print(s.lower().count(c))
      """,
      ["""
      s = input().strip()
      c = input().strip()
      print(s.count(c))
      """]),

    P("palindrome", "train",
      """
      A palindrome reads the same from left to right and from right to left, like "level".
      Decide whether the given word is a palindrome.
      """,
      "The only line contains a word of 1 to 100 lowercase English letters.",
      "Print YES if the word is a palindrome and NO otherwise.",
      ["abba\n", "abc\n"],
      lambda r: ["a", "aa", "ab", "aba", "racecar", "abca", "abcba", "xyzzyx"]
      + [w + w[::-1][1:] for w in words(r, 2, lo=2, hi=10)],
      """
      s = input().strip()
      print("YES" if s == s[::-1] else "NO")
      """,
      ["""
      s = input().strip()
      h = len(s) // 2
      print("YES" if s[:h] == s[h:][::-1] else "NO")
      """]),

    P("buses", "train",
      """
      A school trip has a pupils and one bus carries at most b pupils. How many buses are needed
      to take everybody?
      """,
      "The only line contains two integers a and b (1 ≤ a, b ≤ 10^9).",
      "Print the smallest number of buses.",
      ["7 2\n"],
      lambda r: pairs(r, 1, 10**9, 3, ["1 1", "6 3", "10 10", "1 1000000000", "1000000000 1", "999999999 1000000000"]),
      """
      a, b = map(int, input().split())
      print((a + b - 1) // b)
      """,
      ["""
      a, b = map(int, input().split())
      print(a // b + 1)
      """]),

    P("leap-year", "train",
      """
      In the Gregorian calendar a year is a leap year if it is divisible by 4, except years
      divisible by 100, which are leap years only when they are also divisible by 400.
      Decide whether the year y is a leap year.
      """,
      "The only line contains an integer y (1 ≤ y ≤ 10^4).",
      "Print YES if y is a leap year and NO otherwise.",
      ["2024\n", "2023\n"],
      ["1900", "2000", "2100", "1600", "4", "1", "400", "10000", "1996", "2400"],
      """
      y = int(input())
      print("YES" if y % 400 == 0 or (y % 4 == 0 and y % 100 != 0) else "NO")
      """,
      ["""
      y = int(input())
      print("YES" if y % 4 == 0 else "NO")
      """, """
      y = int(input())
      print("YES" if y % 4 == 0 and y % 100 != 0 else "NO")
      """]),

    # ------------------------------------------------------------------ valid
    P("difference-of-two", "valid",
      """
      The temperature was a degrees in the morning and b degrees in the evening. By how many
      degrees did it fall during the day? (A negative answer means it got warmer.)
      """,
      "The only line contains two integers a and b (-10^9 ≤ a, b ≤ 10^9).",
      "Print a - b.",
      ["10 4\n"],
      lambda r: pairs(r, -10**9, 10**9, 4, ["0 0", "4 10", "-5 5", "-1000000000 1000000000", "7 -3"]),
      """
      a, b = map(int, input().split())
      print(a - b)
      """,
      ["""
      a, b = map(int, input().split())
      print(abs(a - b))
      """]),

    P("min-of-three", "valid",
      """
      Three shops sell the same book for a, b and c coins (a shop that pays you to take the book
      has a negative price). Print the lowest price.
      """,
      "The only line contains three integers a, b and c (-1000 ≤ a, b, c ≤ 1000).",
      "Print the smallest of the three numbers.",
      ["4 2 7\n"],
      lambda r: triples(r, -1000, 1000, 4, ["2 5 1", "3 3 3", "-1 -2 -3", "0 1 0", "-1000 1000 0", "5 1 1"]),
      """
      a, b, c = map(int, input().split())
      print(min(a, b, c))
      """,
      ["""
      a, b, c = map(int, input().split())
      print(a if a < b else b if b < c else c)
      """]),

    P("echo-k-times", "valid",
      """
      An echo in the mountains repeats a shouted word k times. Print the word k times on one line,
      separated by single spaces.
      """,
      "The only line contains a word s (1 to 10 lowercase English letters) and an integer k (1 ≤ k ≤ 20).",
      "Print s exactly k times, separated by spaces.",
      ["hey 3\n"],
      lambda r: ["a 1", "hello 1", "ab 2", "zzz 20", "x 7"] + [f"{w} {r.randint(1, 20)}" for w in words(r, 4, hi=10)],
      """
      s, k = input().split()
      print(" ".join([s] * int(k)))
      """,
      ["""
      s, k = input().split()
      for i in range(1, int(k)):
          print(s, end=" ")
      print()
      """]),

    P("count-digits", "valid",
      """
      How many digits does the integer n have? The minus sign of a negative number is not a digit.
      """,
      "The only line contains an integer n (-10^18 ≤ n ≤ 10^18).",
      "Print the number of digits of n.",
      ["12345\n"],
      lambda r: ["0", "-1", "-10", "1000000000000000000", "-1000000000000000000", "9", "-99999"]
      + [str(r.randint(-BIG, BIG)) for _ in range(3)],
      """
      n = int(input())
      print(len(str(abs(n))))
      """,
      ["""
      n = int(input())
      print(len(str(n)))
      """]),

    P("count-capitals", "valid",
      """
      A password checker wants to know how many upper-case letters a password has. Count them.
      """,
      "The only line contains the password: 1 to 100 characters, each an English letter or a digit.",
      "Print the number of upper-case letters.",
      ["CodeContests\n"],
      lambda r: ["a", "A", "abc123", "ABC123", "1234567890", "aB3dE5", "Z9z9Z9"]
      + ["".join(r.choice("aZ09xY") for _ in range(r.randint(1, 60))) for _ in range(3)],
      """
      s = input().strip()
      print(sum(1 for ch in s if ch.isupper()))
      """,
      ["""
      s = input().strip()
      print(sum(1 for ch in s if ch == ch.upper()))
      """]),

    P("divide-with-remainder", "valid",
      """
      Share a sweets equally among b children. Each child gets the same whole number of sweets,
      as many as possible, and the rest stays in the bag. Print how many sweets each child gets
      and how many stay in the bag.
      """,
      "The only line contains two integers a and b (0 ≤ a ≤ 10^18, 1 ≤ b ≤ 10^9).",
      "Print two integers: the share of each child and the remainder.",
      ["17 5\n"],
      lambda r: ["0 1", "5 7", "10 10", "1000000000000000000 1", "999999999999999999 1000000000",
                 "123456789123456789 3", "1 1"] + [f"{r.randint(0, BIG)} {r.randint(1, 10**9)}" for _ in range(3)],
      """
      a, b = map(int, input().split())
      print(a // b, a % b)
      """,
      ["""
      a, b = map(int, input().split())
      print(int(a / b), a % b)
      """]),

    # ------------------------------------------------------------------ test
    P("average-of-three", "test",
      """
      Three judges gave scores a, b and c (penalties make negative scores possible). The final
      score is their average rounded down to an integer (towards minus infinity). Print it.
      """,
      "The only line contains three integers a, b and c (-10^6 ≤ a, b, c ≤ 10^6).",
      "Print the floor of (a + b + c) / 3.",
      ["1 2 4\n"],
      lambda r: triples(r, -10**6, 10**6, 4, ["0 0 0", "-1 0 0", "-1 -1 -2", "3 3 3", "-5 1 1",
                                               "1000000 1000000 1000000"]),
      """
      a, b, c = map(int, input().split())
      print((a + b + c) // 3)
      """,
      ["""
      a, b, c = map(int, input().split())
      print(int((a + b + c) / 3))
      """]),

    P("larger-of-two", "test",
      """
      Two runners collected a and b points. Print the larger number of points.
      """,
      "The only line contains two integers a and b (-10^9 ≤ a, b ≤ 10^9).",
      "Print the larger of a and b.",
      ["3 7\n"],
      lambda r: pairs(r, -10**9, 10**9, 3, ["9 10", "10 9", "-5 -3", "0 0", "-1 1", "100 99", "2 11"]),
      """
      a, b = map(int, input().split())
      print(max(a, b))
      """,
      ["""
      print(max(input().split()))
      """]),

    P("double-letters", "test",
      """
      A stuttering typewriter prints every character twice. Given a word, print what the
      typewriter produces: "abc" becomes "aabbcc".
      """,
      "The only line contains a word of 1 to 50 lowercase English letters.",
      "Print the word with every character doubled.",
      ["abc\n"],
      lambda r: ["a", "zz", "hello", "abcdefghijklmnopqrstuvwxyz", "xyx"] + words(r, 4, lo=2, hi=50),
      """
      s = input().strip()
      print("".join(ch * 2 for ch in s))
      """,
      ["""
      s = input().strip()
      print(s * 2)
      """]),

    P("divisible", "test",
      """
      Can a cookies be split between b friends so that everybody gets the same whole number of
      cookies and none is left over? In other words, is a divisible by b?
      """,
      "The only line contains two integers a and b (1 ≤ a, b ≤ 10^9).",
      "Print YES if a is divisible by b and NO otherwise.",
      ["10 5\n", "7 3\n"],
      lambda r: pairs(r, 1, 10**9, 2, ["1 1", "5 10", "3 6", "12 4", "1000000000 1", "1 1000000000",
                                        "999999999 333333333", "2 3"]),
      """
      a, b = map(int, input().split())
      print("YES" if a % b == 0 else "NO")
      """,
      ["""
      a, b = map(int, input().split())
      print("YES" if b % a == 0 or a % b == 0 else "NO")
      """]),

    P("digital-clock", "test",
      """
      t seconds have passed since midnight. Show the time on a digital clock in the format
      HH:MM:SS, where every field has exactly two digits.
      """,
      "The only line contains an integer t (0 ≤ t ≤ 86399).",
      "Print the time as HH:MM:SS.",
      ["45296\n"],
      lambda r: ["0", "59", "60", "3599", "3600", "86399", "3725", "36000"] + [str(r.randint(0, 86399)) for _ in range(2)],
      """
      t = int(input())
      print(f"{t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}")
      """,
      ["""
      t = int(input())
      print(str(t // 3600) + ":" + str(t // 60 % 60) + ":" + str(t % 60))
      """]),

    P("sign", "test",
      """
      Describe the sign of an integer n: is it positive, negative or zero?
      """,
      "The only line contains an integer n (-10^9 ≤ n ≤ 10^9).",
      "Print positive, negative or zero.",
      ["5\n", "-3\n"],
      lambda r: ["0", "1", "-1", "1000000000", "-1000000000"] + [str(r.randint(-10**9, 10**9)) for _ in range(4)],
      """
      n = int(input())
      print("positive" if n > 0 else "negative" if n < 0 else "zero")
      """,
      ["""
      n = int(input())
      print("positive" if n >= 0 else "negative")
      """]),
]
