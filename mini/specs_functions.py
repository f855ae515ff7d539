"""Mini functions: 80 small HumanEval-style function problems (40 train, 16 valid, 24 test).

The stdin/stdout mini set (specs_trivial.py, specs_easy.py, specs_medium.py) is hard for a 135M
code model; these function problems are sized so that it solves part of them and RL gets signal:
    trivial  a step past one-liners like add(a, b): one small twist (sum of the even numbers,
             last digit of a negative number, floor division);
    easy     a loop or a condition with one edge case (ties, an empty list, a run at the end);
    medium   several steps or easy-to-miss edge cases, 5-15 lines of reference code.

Each spec: split, difficulty, the signature line, the docstring text (without examples), public
test arguments (shown as doctest lines in the starter code and used for feedback), private test
arguments (hidden edge cases), a correct reference solution and plausible incorrect solutions.
Arguments are Python source, as written inside the call: "[1, 2], 3" means candidate([1, 2], 3).
mini/build_functions.py computes every expected value with the reference and verifies the specs.
"""

import re
import textwrap


def F(split, difficulty, signature, doc, public, private, reference, incorrect):
    clean = lambda code: textwrap.dedent(code).strip("\n") + "\n"  # noqa: E731
    entry_point = re.match(r"def (\w+)\(", signature).group(1)
    return {"slug": entry_point.replace("_", "-"), "entry_point": entry_point, "split": split,
            "difficulty": difficulty, "signature": signature, "doc": textwrap.dedent(doc).strip(),
            "public": public, "private": private, "reference": clean(reference),
            "incorrect": [clean(c) for c in incorrect]}


def T(split, *rest):
    return F(split, "trivial", *rest)


def E(split, *rest):
    return F(split, "easy", *rest)


def M(split, *rest):
    return F(split, "medium", *rest)


# ====================================================================================== trivial
TRIVIAL = [
    # ------------------------------------------------------------------ train (14)
    T("train", "def sum_of_evens(nums: list) -> int:",
      """
      Return the sum of the even numbers in nums (negative even numbers count too).
      Return 0 if there are none.
      """,
      ["[1, 2, 3, 4]", "[5, 7]"],
      ["[]", "[-2, -3, 4]", "[0]", "[2, 2, 2]", "[-1, -5, -7]", "[10, 11, 12, 13, 14]", "[-8]"],
      """
      def sum_of_evens(nums):
          return sum(x for x in nums if x % 2 == 0)
      """,
      ["""
      def sum_of_evens(nums):
          return sum(x for x in nums if x > 0 and x % 2 == 0)
      """, """
      def sum_of_evens(nums):
          return sum(nums[1::2])
      """]),

    T("train", "def last_digit(n: int) -> int:",
      """
      Return the last decimal digit of n. For a negative n, return the last digit of its
      absolute value.
      """,
      ["1234", "-57"],
      ["0", "7", "-7", "10", "-100", "999999999999", "-31"],
      """
      def last_digit(n):
          return abs(n) % 10
      """,
      ["""
      def last_digit(n):
          return n % 10
      """]),

    T("train", "def capitalize_first(s: str) -> str:",
      """
      Return s with its first character in upper case and every other character unchanged.
      Return an empty string if s is empty.
      """,
      ["'hello World'"],
      ["''", "'a'", "'ABC'", "'already Capital'", "'1st place'", "'mIXED case'"],
      """
      def capitalize_first(s):
          return s[:1].upper() + s[1:]
      """,
      ["""
      def capitalize_first(s):
          return s.capitalize()
      """, """
      def capitalize_first(s):
          return s[0].upper() + s[1:]
      """]),

    T("train", "def count_words(s: str) -> int:",
      """
      Return the number of words in s. Words are separated by one or more spaces, and s may
      start or end with spaces.
      """,
      ["'the quick brown fox'", "'  two   words '"],
      ["''", "'   '", "'one'", "' a b c d e '", "'hello  world'", "'many    spaces   here'"],
      """
      def count_words(s):
          return len(s.split())
      """,
      ["""
      def count_words(s):
          return len(s.split(' '))
      """, """
      def count_words(s):
          return s.count(' ') + 1
      """]),

    T("train", "def celsius_to_fahrenheit(c: int) -> int:",
      """
      Convert a temperature of c degrees Celsius to degrees Fahrenheit (F = C * 9 / 5 + 32)
      and round the result down to an integer.
      """,
      ["100", "37"],
      ["0", "-40", "1", "-41", "-18", "36", "1000"],
      """
      def celsius_to_fahrenheit(c):
          return c * 9 // 5 + 32
      """,
      ["""
      def celsius_to_fahrenheit(c):
          return int(c * 9 / 5 + 32)
      """, """
      def celsius_to_fahrenheit(c):
          return c * 9 / 5 + 32
      """]),

    T("train", "def sum_digit_chars(s: str) -> int:",
      """
      Return the sum of the digit characters in s (other characters are ignored), or 0 if s
      has no digits.
      """,
      ["'a1b2c3'"],
      ["''", "'abc'", "'9'", "'99 bottles'", "'0000'", "'x7y-3z'", "'12345'"],
      """
      def sum_digit_chars(s):
          return sum(int(c) for c in s if c.isdigit())
      """,
      ["""
      def sum_digit_chars(s):
          return sum(1 for c in s if c.isdigit())
      """]),

    T("train", "def first_and_last(items: list) -> list:",
      """
      Return a list holding the first and the last element of items. A list with one element
      gives that element twice; an empty list gives [].
      """,
      ["[3, 8, 1, 5]", "[7]"],
      ["[]", "[1, 2]", "['a', 'b', 'c']", "[0, 0, 0]", "[-1, 5, -9]", "[[1], [2]]"],
      """
      def first_and_last(items):
          if not items:
              return []
          return [items[0], items[-1]]
      """,
      ["""
      def first_and_last(items):
          return [items[0], items[-1]]
      """]),

    T("train", "def value_range(nums: list) -> int:",
      """
      Return the difference between the largest and the smallest number in nums, or 0 if
      nums is empty.
      """,
      ["[3, 9, 1, 4]"],
      ["[]", "[5]", "[-3, -9]", "[0, 0, 0]", "[-10, 10]", "[2, 2, 3]"],
      """
      def value_range(nums):
          if not nums:
              return 0
          return max(nums) - min(nums)
      """,
      ["""
      def value_range(nums):
          return max(nums) - min(nums)
      """, """
      def value_range(nums):
          return nums[-1] - nums[0] if nums else 0
      """]),

    T("train", "def double_letters(s: str) -> str:",
      """
      Return a string in which every character of s appears twice in a row.
      """,
      ["'abc'"],
      ["''", "'a'", "'hello'", "'a b'", "'123'", "'zz'"],
      """
      def double_letters(s):
          return ''.join(c * 2 for c in s)
      """,
      ["""
      def double_letters(s):
          return s * 2
      """]),

    T("train", "def initials(name: str) -> str:",
      """
      Return the initials of name: the first letter of every word, in upper case, joined
      without spaces. Words are separated by one or more spaces.
      """,
      ["'John Ronald tolkien'"],
      ["'ada'", "'grace brewster murray hopper'", "'  alan   turing '", "''", "'A B C'", "'x'"],
      """
      def initials(name):
          return ''.join(word[0].upper() for word in name.split())
      """,
      ["""
      def initials(name):
          return ''.join(word[0] for word in name.split())
      """, """
      def initials(name):
          return ''.join(word[0].upper() for word in name.split(' '))
      """]),

    T("train", "def product_of_list(nums: list) -> int:",
      """
      Return the product of all numbers in nums. The product of an empty list is 1.
      """,
      ["[2, 3, 4]"],
      ["[]", "[0, 5]", "[-2, 3]", "[-1, -1, -1]", "[7]", "[10, 10, 10, 10]"],
      """
      def product_of_list(nums):
          result = 1
          for x in nums:
              result *= x
          return result
      """,
      ["""
      def product_of_list(nums):
          result = nums[0]
          for x in nums[1:]:
              result *= x
          return result
      """, """
      def product_of_list(nums):
          result = 0
          for x in nums:
              result *= x
          return result
      """]),

    T("train", "def count_digits(n: int) -> int:",
      """
      Return how many decimal digits the integer n has. The minus sign does not count, and 0
      has one digit.
      """,
      ["12345", "-907"],
      ["0", "-1", "9", "10", "-100000", "99999999999999999999"],
      """
      def count_digits(n):
          return len(str(abs(n)))
      """,
      ["""
      def count_digits(n):
          return len(str(n))
      """, """
      def count_digits(n):
          n = abs(n)
          count = 0
          while n > 0:
              n //= 10
              count += 1
          return count
      """]),

    T("train", "def join_words(words: list) -> str:",
      """
      Join the non-empty strings of words with a single '-' between them. Empty strings are
      skipped.
      """,
      ["['a', 'b', 'c']", "['x', '', 'y']"],
      ["[]", "['']", "['', '', 'z']", "['one']", "['a', '', '', 'b', '']", "['hello', 'world']"],
      """
      def join_words(words):
          return '-'.join(w for w in words if w)
      """,
      ["""
      def join_words(words):
          return '-'.join(words).replace('--', '-')
      """, """
      def join_words(words):
          return '-'.join(words)
      """]),

    T("train", "def squares_of_odds(nums: list) -> list:",
      """
      Return a list with the square of every odd number in nums, in their original order.
      Negative odd numbers are odd too.
      """,
      ["[1, 2, 3, 4, 5]"],
      ["[]", "[2, 4]", "[-3, 3]", "[7]", "[0, -1, -2]", "[9, 9, 1]"],
      """
      def squares_of_odds(nums):
          return [x * x for x in nums if x % 2 != 0]
      """,
      ["""
      def squares_of_odds(nums):
          return [x ** 2 for x in nums[::2]]
      """]),

    # ------------------------------------------------------------------ valid (6)
    T("valid", "def is_leap_year(year: int) -> bool:",
      """
      Return True if year is a leap year of the Gregorian calendar: a year divisible by 4,
      except the years divisible by 100 that are not divisible by 400.
      """,
      ["2024", "1900"],
      ["2000", "2023", "2100", "2400", "4", "1", "1996"],
      """
      def is_leap_year(year):
          return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
      """,
      ["""
      def is_leap_year(year):
          return year % 4 == 0 and year % 100 != 0
      """, """
      def is_leap_year(year):
          return year % 4 == 0
      """]),

    T("valid", "def count_capitals(s: str) -> int:",
      """
      Return how many characters of s are upper-case letters A-Z.
      """,
      ["'Hello World'"],
      ["''", "'abc'", "'ABC'", "'a1B2C3!'", "'NASA and ESA'", "' '"],
      """
      def count_capitals(s):
          return sum(1 for c in s if 'A' <= c <= 'Z')
      """,
      ["""
      def count_capitals(s):
          return sum(1 for c in s if c == c.upper())
      """]),

    T("valid", "def every_other(s: str) -> str:",
      """
      Return the characters of s at the even positions 0, 2, 4, ... as one string.
      """,
      ["'abcdef'"],
      ["''", "'a'", "'ab'", "'abc'", "'1234567'", "'x y z'"],
      """
      def every_other(s):
          return s[::2]
      """,
      ["""
      def every_other(s):
          return s[1::2]
      """]),

    T("valid", "def clamp(x: int, lo: int, hi: int) -> int:",
      """
      Return x limited to the range lo..hi: lo if x is below lo, hi if x is above hi, and x
      itself otherwise. You may assume lo <= hi.
      """,
      ["5, 1, 10", "-3, 0, 7"],
      ["15, 1, 10", "1, 1, 10", "10, 1, 10", "0, 0, 0", "-5, -10, -1", "-20, -10, -1", "7, 3, 3"],
      """
      def clamp(x, lo, hi):
          return max(lo, min(x, hi))
      """,
      ["""
      def clamp(x, lo, hi):
          return lo if x < lo else x
      """, """
      def clamp(x, lo, hi):
          return min(lo, max(x, hi))
      """]),

    T("valid", "def average_floor(nums: list) -> int:",
      """
      Return the average of nums rounded down to an integer (as the // operator rounds), or 0
      if nums is empty.
      """,
      ["[1, 2, 3, 4]"],
      ["[]", "[5]", "[-1, -2]", "[10, 20, 31]", "[0, 0, 1]", "[-7]"],
      """
      def average_floor(nums):
          if not nums:
              return 0
          return sum(nums) // len(nums)
      """,
      ["""
      def average_floor(nums):
          if not nums:
              return 0
          return int(sum(nums) / len(nums))
      """, """
      def average_floor(nums):
          return sum(nums) // len(nums)
      """]),

    T("valid", "def squash_spaces(s: str) -> str:",
      """
      Return s with every run of spaces replaced by a single space and the spaces at both
      ends removed.
      """,
      ["'  hello  world  '"],
      ["''", "'   '", "'a'", "'a   b'", "' one two '", "'x    y     z'"],
      """
      def squash_spaces(s):
          return ' '.join(s.split())
      """,
      ["""
      def squash_spaces(s):
          return s.replace('  ', ' ').strip()
      """]),

    # ------------------------------------------------------------------ test (8)
    T("test", "def middle_char(s: str) -> str:",
      """
      Return the middle character of s. If s has an even length, return the two middle
      characters. Return an empty string if s is empty.
      """,
      ["'abcde'", "'abcd'"],
      ["''", "'a'", "'ab'", "'abc'", "'racecar'", "'xyzw12'"],
      """
      def middle_char(s):
          m = len(s) // 2
          if len(s) % 2 == 1:
              return s[m]
          return s[m - 1:m + 1]
      """,
      ["""
      def middle_char(s):
          return s[len(s) // 2]
      """, """
      def middle_char(s):
          m = len(s) // 2
          return s[m] if len(s) % 2 else s[m:m + 2]
      """]),

    T("test", "def index_of_max(nums: list) -> int:",
      """
      Return the index of the largest number in nums. If the largest number occurs more than
      once, return the index of its first occurrence. Return -1 if nums is empty.
      """,
      ["[3, 9, 2, 9]"],
      ["[]", "[5]", "[-1, -2, -3]", "[1, 2, 3]", "[4, 4, 4]", "[0, -5, 7, 7, 1]"],
      """
      def index_of_max(nums):
          if not nums:
              return -1
          return nums.index(max(nums))
      """,
      ["""
      def index_of_max(nums):
          return nums.index(max(nums))
      """, """
      def index_of_max(nums):
          best = 0
          for i in range(len(nums)):
              if nums[i] >= nums[best]:
                  best = i
          return best
      """]),

    T("test", "def filter_long_words(words: list, n: int) -> list:",
      """
      Return the words of words that have more than n characters, in their original order.
      """,
      ["['a', 'abc', 'abcd', 'ab'], 2"],
      ["[], 3", "['hello'], 5", "['hello'], 4", "['x', 'yy', 'zzz'], 0",
       "['same', 'size', 'four'], 4", "['tiny', 'enormous', 'mid'], 3"],
      """
      def filter_long_words(words, n):
          return [w for w in words if len(w) > n]
      """,
      ["""
      def filter_long_words(words, n):
          return [w for w in words if len(w) >= n]
      """]),

    T("test", "def minutes_to_hours(minutes: int) -> tuple:",
      """
      Split a number of minutes (minutes >= 0) into whole hours and the remaining minutes, and
      return them as a tuple (hours, minutes).
      """,
      ["135"],
      ["0", "59", "60", "61", "1440", "7"],
      """
      def minutes_to_hours(minutes):
          return (minutes // 60, minutes % 60)
      """,
      ["""
      def minutes_to_hours(minutes):
          return (round(minutes / 60), minutes % 60)
      """, """
      def minutes_to_hours(minutes):
          return [minutes // 60, minutes % 60]
      """]),

    T("test", "def count_one_bits(n: int) -> int:",
      """
      Return the number of 1 bits in the binary representation of the integer n (n >= 0).
      """,
      ["6"],
      ["0", "1", "255", "256", "1023", "12345678"],
      """
      def count_one_bits(n):
          return bin(n).count('1')
      """,
      ["""
      def count_one_bits(n):
          return len(bin(n)) - 2
      """, """
      def count_one_bits(n):
          count = 0
          while n > 1:
              count += n % 2
              n //= 2
          return count
      """]),

    T("test", "def sum_squares_to(n: int) -> int:",
      """
      Return 1*1 + 2*2 + ... + n*n, the sum of the squares of the integers from 1 to n.
      Return 0 if n < 1.
      """,
      ["3"],
      ["0", "1", "-5", "10", "100", "2"],
      """
      def sum_squares_to(n):
          return sum(i * i for i in range(1, n + 1))
      """,
      ["""
      def sum_squares_to(n):
          return n * (n + 1) * (2 * n + 1) // 6
      """, """
      def sum_squares_to(n):
          return sum(i * i for i in range(n))
      """]),

    T("test", "def count_letter(s: str, letter: str) -> int:",
      """
      Return how many times letter occurs in s, ignoring the difference between upper and lower
      case. letter is a single letter.
      """,
      ["'Banana', 'a'", "'Banana', 'B'"],
      ["'', 'a'", "'AAAA', 'a'", "'aaaa', 'A'", "'xyz', 'q'", "'Mississippi', 's'", "'a.A.a', 'a'"],
      """
      def count_letter(s, letter):
          return s.lower().count(letter.lower())
      """,
      ["""
      def count_letter(s, letter):
          return s.count(letter)
      """, """
      def count_letter(s, letter):
          return s.lower().count(letter)
      """]),

    T("test", "def is_non_decreasing(nums: list) -> bool:",
      """
      Return True if every number in nums is greater than or equal to the number before it.
      Empty and one-element lists count as non-decreasing.
      """,
      ["[1, 2, 2, 5]", "[3, 1]"],
      ["[]", "[7]", "[1, 1, 1]", "[1, 3, 2]", "[-5, -3, 0]", "[5, 4, 3, 2, 1]", "[1, 2, 3, 4, 3]"],
      """
      def is_non_decreasing(nums):
          return all(a <= b for a, b in zip(nums, nums[1:]))
      """,
      ["""
      def is_non_decreasing(nums):
          return not nums or nums[0] <= nums[-1]
      """, """
      def is_non_decreasing(nums):
          return all(a < b for a, b in zip(nums, nums[1:]))
      """]),
]

# ====================================================================================== easy
EASY = [
    # ------------------------------------------------------------------ train (13)
    E("train", "def second_largest(values: list) -> int:",
      """
      Return the second largest distinct value in values, or -1 if there is none.
      """,
      ["[4, 1, 4, 3]"],
      ["[]", "[5]", "[2, 2, 2]", "[1, 2]", "[-1, -5, -3]", "[10, 9, 10, 9]", "[0, -1]",
       "[3, 3, 1, 1, 2]"],
      """
      def second_largest(values):
          distinct = sorted(set(values))
          if len(distinct) < 2:
              return -1
          return distinct[-2]
      """,
      ["""
      def second_largest(values):
          distinct = sorted(set(values))
          return distinct[-2]
      """, """
      def second_largest(values):
          if len(values) < 2:
              return -1
          return sorted(values)[-2]
      """]),

    E("train", "def longest_streak(items: list) -> int:",
      """
      Return the length of the longest run of equal items that stand next to each other in
      items. Return 0 for an empty list.
      """,
      ["[1, 1, 2, 2, 2, 1]"],
      ["[]", "[7]", "[1, 2, 3]", "[5, 5, 5, 5]", "['a', 'a', 'b', 'a', 'a']",
       "[1, 2, 2, 3, 3, 3, 3]", "[0, 0, 1, 1]"],
      """
      def longest_streak(items):
          best = current = 0
          for i, x in enumerate(items):
              current = current + 1 if i > 0 and x == items[i - 1] else 1
              best = max(best, current)
          return best
      """,
      ["""
      def longest_streak(items):
          best = current = 1
          for i in range(1, len(items)):
              if items[i] == items[i - 1]:
                  current += 1
              else:
                  best = max(best, current)
                  current = 1
          return best
      """, """
      def longest_streak(items):
          return max(items.count(x) for x in items)
      """]),

    E("train", "def is_clean_palindrome(s: str) -> bool:",
      """
      Return True if s reads the same forwards and backwards when spaces are removed and upper
      and lower case letters are treated as equal. All other characters count.
      """,
      ["'Never odd or even'", "'abca'"],
      ["''", "'a'", "'Aa'", "'ab'", "'  '", "'Was it a car or a cat I saw'", "'no lemon, no melon'", "'Step on no pets!'",
       "'a b a'", "'Abc cBA'"],
      """
      def is_clean_palindrome(s):
          t = s.replace(' ', '').lower()
          return t == t[::-1]
      """,
      ["""
      def is_clean_palindrome(s):
          t = ''.join(c for c in s.lower() if c.isalnum())
          return t == t[::-1]
      """, """
      def is_clean_palindrome(s):
          t = s.lower()
          return t == t[::-1]
      """]),

    E("train", "def fizzbuzz_word(n: int) -> str:",
      """
      Return 'FizzBuzz' if n is divisible by both 3 and 5, 'Fizz' if it is divisible only by 3,
      'Buzz' if it is divisible only by 5, and otherwise n written as a string.
      """,
      ["9", "10", "7"],
      ["15", "30", "1", "0", "-3", "-10", "98", "45"],
      """
      def fizzbuzz_word(n):
          if n % 15 == 0:
              return 'FizzBuzz'
          if n % 3 == 0:
              return 'Fizz'
          if n % 5 == 0:
              return 'Buzz'
          return str(n)
      """,
      ["""
      def fizzbuzz_word(n):
          if n % 3 == 0:
              return 'Fizz'
          if n % 5 == 0:
              return 'Buzz'
          if n % 15 == 0:
              return 'FizzBuzz'
          return str(n)
      """, """
      def fizzbuzz_word(n):
          if n % 15 == 0:
              return 'FizzBuzz'
          if n % 3 == 0:
              return 'Fizz'
          if n % 5 == 0:
              return 'Buzz'
          return n
      """]),

    E("train", "def digit_sum(n: int) -> int:",
      """
      Return the sum of the decimal digits of n. The minus sign of a negative n is ignored.
      """,
      ["123", "-45"],
      ["0", "9", "-9", "1000", "987654321", "-11111", "-90"],
      """
      def digit_sum(n):
          return sum(int(c) for c in str(abs(n)))
      """,
      ["""
      def digit_sum(n):
          total = 0
          while n > 0:
              total += n % 10
              n //= 10
          return total
      """, """
      def digit_sum(n):
          return sum(int(c) for c in str(n))
      """]),

    E("train", "def running_total(nums: list) -> list:",
      """
      Return the list of running totals of nums: element i of the result is the sum of
      nums[0] through nums[i].
      """,
      ["[1, 2, 3, 4]"],
      ["[]", "[5]", "[-1, 1, -1, 1]", "[0, 0, 0]", "[10, -20, 30]", "[100, 200]"],
      """
      def running_total(nums):
          result = []
          total = 0
          for x in nums:
              total += x
              result.append(total)
          return result
      """,
      ["""
      def running_total(nums):
          result = [nums[0]]
          for x in nums[1:]:
              result.append(result[-1] + x)
          return result
      """, """
      def running_total(nums):
          return [sum(nums[:i]) for i in range(len(nums))]
      """]),

    E("train", "def longest_word(sentence: str) -> str:",
      """
      Return the longest word of sentence; words are separated by one or more spaces. If several
      words are equally long, return the first of them. Return '' if there are no words.
      """,
      ["'I love programming'", "'cat dog'"],
      ["''", "'   '", "'a'", "'aa bb cc'", "'one three seven'", "'  spaced    out words  '",
       "'xy xyz xy'"],
      """
      def longest_word(sentence):
          best = ''
          for word in sentence.split():
              if len(word) > len(best):
                  best = word
          return best
      """,
      ["""
      def longest_word(sentence):
          return max(sentence.split(), key=len)
      """, """
      def longest_word(sentence):
          best = ''
          for word in sentence.split():
              if len(word) >= len(best):
                  best = word
          return best
      """]),

    E("train", "def remove_adjacent_duplicates(s: str) -> str:",
      """
      Return s with every run of identical characters that stand next to each other replaced by
      a single copy of that character.
      """,
      ["'aaabccddd'"],
      ["''", "'a'", "'abc'", "'aabbaa'", "'zzzz'", "'abba'", "'  x  '"],
      """
      def remove_adjacent_duplicates(s):
          out = ''
          for c in s:
              if not out or out[-1] != c:
                  out += c
          return out
      """,
      ["""
      def remove_adjacent_duplicates(s):
          return ''.join(dict.fromkeys(s))
      """, """
      def remove_adjacent_duplicates(s):
          out = ''
          for i in range(len(s) - 1):
              if s[i] != s[i + 1]:
                  out += s[i]
          return out
      """]),

    E("train", "def collatz_steps(n: int) -> int:",
      """
      Starting from n (n >= 1), repeatedly replace n by n // 2 if it is even or by 3 * n + 1 if
      it is odd. Return how many replacements it takes to reach 1 (0 if n is already 1).
      """,
      ["6"],
      ["1", "2", "3", "7", "27", "97", "1000"],
      """
      def collatz_steps(n):
          steps = 0
          while n != 1:
              n = n // 2 if n % 2 == 0 else 3 * n + 1
              steps += 1
          return steps
      """,
      ["""
      def collatz_steps(n):
          steps = 1
          while n != 1:
              n = n // 2 if n % 2 == 0 else 3 * n + 1
              steps += 1
          return steps
      """]),

    E("train", "def most_common_value(nums: list) -> int:",
      """
      Return the value that occurs most often in nums. If several values occur equally often,
      return the smallest of them. nums is not empty.
      """,
      ["[3, 1, 3, 2, 1]"],
      ["[5]", "[2, 2, 1]", "[4, 4, 9, 9, 9]", "[-1, -2, -1, -2]", "[7, 6, 5]", "[0, 0, 0, 1, 1, 1, 1]"],
      """
      def most_common_value(nums):
          return min(nums, key=lambda x: (-nums.count(x), x))
      """,
      ["""
      def most_common_value(nums):
          return max(nums, key=nums.count)
      """]),

    E("train", "def count_groups(bits: str) -> int:",
      """
      bits is a string of '0' and '1' characters. Return the number of groups of consecutive
      '1' characters in it.
      """,
      ["'0110111010'"],
      ["''", "'0'", "'1'", "'0000'", "'1111'", "'101010101'", "'1001'", "'0110'"],
      """
      def count_groups(bits):
          return len([group for group in bits.split('0') if group])
      """,
      ["""
      def count_groups(bits):
          return bits.count('01')
      """, """
      def count_groups(bits):
          return bits.count('1')
      """]),

    E("train", "def chunk_list(items: list, size: int) -> list:",
      """
      Split items into consecutive chunks of length size (size >= 1) and return the list of
      chunks. The last chunk is shorter when the items do not divide evenly.
      """,
      ["[1, 2, 3, 4, 5], 2"],
      ["[], 3", "[1], 1", "[1, 2, 3], 3", "[1, 2, 3], 5", "['a', 'b', 'c', 'd'], 1",
       "[1, 2, 3, 4, 5, 6, 7], 3"],
      """
      def chunk_list(items, size):
          return [items[i:i + size] for i in range(0, len(items), size)]
      """,
      ["""
      def chunk_list(items, size):
          return [items[i:i + size] for i in range(0, len(items) - size + 1, size)]
      """]),

    E("train", "def alternate_caps(s: str) -> str:",
      """
      Return s with the characters at even positions (0, 2, 4, ...) in upper case and the
      characters at odd positions in lower case. Positions count every character, spaces too.
      """,
      ["'hello world'"],
      ["''", "'a'", "'AB'", "'abcdef'", "'Python'", "'12ab'", "'ab cd'", "'HELLO'"],
      """
      def alternate_caps(s):
          return ''.join(c.upper() if i % 2 == 0 else c.lower() for i, c in enumerate(s))
      """,
      ["""
      def alternate_caps(s):
          words = []
          for word in s.split(' '):
              words.append(''.join(c.upper() if i % 2 == 0 else c.lower() for i, c in enumerate(word)))
          return ' '.join(words)
      """, """
      def alternate_caps(s):
          return ''.join(c.upper() if i % 2 else c.lower() for i, c in enumerate(s))
      """]),

    # ------------------------------------------------------------------ valid (5)
    E("valid", "def missing_number(nums: list) -> int:",
      """
      nums holds n different numbers taken from 0, 1, ..., n, so exactly one number of that
      range is missing. Return the missing number.
      """,
      ["[3, 0, 1]"],
      ["[]", "[0]", "[1]", "[0, 1, 2, 3, 5]", "[1, 2, 3]", "[5, 4, 3, 2, 1, 0]"],
      """
      def missing_number(nums):
          n = len(nums)
          return n * (n + 1) // 2 - sum(nums)
      """,
      ["""
      def missing_number(nums):
          for i in range(len(nums)):
              if i not in nums:
                  return i
      """]),

    E("valid", "def digital_root(n: int) -> int:",
      """
      Repeatedly replace n (n >= 0) by the sum of its decimal digits until a single digit is
      left, and return that digit.
      """,
      ["9875"],
      ["0", "5", "10", "99", "123456789", "1000000"],
      """
      def digital_root(n):
          while n >= 10:
              n = sum(int(c) for c in str(n))
          return n
      """,
      ["""
      def digital_root(n):
          return n % 9
      """, """
      def digital_root(n):
          return 1 + (n - 1) % 9
      """]),

    E("valid", "def is_anagram(a: str, b: str) -> bool:",
      """
      Return True if a and b contain the same letters the same number of times, ignoring spaces
      and the difference between upper and lower case.
      """,
      ["'Listen', 'Silent'", "'abc', 'abd'"],
      ["'', ''", "'a', 'A'", "'Dormitory', 'dirty room'", "'aab', 'abb'", "'abc', 'ab'",
       "'School master', 'The classroom'", "'x', ' x '"],
      """
      def is_anagram(a, b):
          return sorted(a.replace(' ', '').lower()) == sorted(b.replace(' ', '').lower())
      """,
      ["""
      def is_anagram(a, b):
          return sorted(a.lower()) == sorted(b.lower())
      """, """
      def is_anagram(a, b):
          return set(a.replace(' ', '').lower()) == set(b.replace(' ', '').lower())
      """]),

    E("valid", "def swap_pairs(items: list) -> list:",
      """
      Return a new list in which items[0] and items[1] are swapped, items[2] and items[3] are
      swapped, and so on. If the length is odd, the last item stays where it is.
      """,
      ["[1, 2, 3, 4]", "[1, 2, 3]"],
      ["[]", "[9]", "[1, 2]", "['a', 'b', 'c', 'd', 'e']", "[5, 5, 6, 6]", "[0, 1, 2, 3, 4, 5]"],
      """
      def swap_pairs(items):
          out = list(items)
          for i in range(0, len(out) - 1, 2):
              out[i], out[i + 1] = out[i + 1], out[i]
          return out
      """,
      ["""
      def swap_pairs(items):
          out = list(items)
          for i in range(0, len(out), 2):
              out[i], out[i + 1] = out[i + 1], out[i]
          return out
      """]),

    E("valid", "def max_gap(nums: list) -> int:",
      """
      Return the largest absolute difference between two neighbouring numbers of nums, or 0 if
      nums has fewer than two numbers.
      """,
      ["[1, 7, 3, 4]"],
      ["[]", "[5]", "[10, 1]", "[3, 3, 3]", "[-5, 5, 0]", "[1, 2, 4, 8, 16]"],
      """
      def max_gap(nums):
          return max((abs(b - a) for a, b in zip(nums, nums[1:])), default=0)
      """,
      ["""
      def max_gap(nums):
          return max((b - a for a, b in zip(nums, nums[1:])), default=0)
      """, """
      def max_gap(nums):
          return max(nums) - min(nums) if len(nums) > 1 else 0
      """]),

    # ------------------------------------------------------------------ test (8)
    E("test", "def first_repeated_char(s: str) -> str:",
      """
      Read s from left to right and return the first character that has already appeared
      earlier in s. Return '' if no character repeats.
      """,
      ["'abcbad'"],
      ["''", "'a'", "'abc'", "'abba'", "'aa'", "'xyzzyx'", "'hello world'", "'a b'"],
      """
      def first_repeated_char(s):
          seen = set()
          for c in s:
              if c in seen:
                  return c
              seen.add(c)
          return ''
      """,
      ["""
      def first_repeated_char(s):
          for c in s:
              if s.count(c) > 1:
                  return c
          return ''
      """, """
      def first_repeated_char(s):
          seen = set()
          for c in s:
              if c in seen:
                  return c
              seen.add(c)
      """]),

    E("test", "def find_peaks(nums: list) -> list:",
      """
      Return the indices i, in increasing order, at which nums[i] is strictly greater than both
      of its neighbours. The first and the last element are never peaks.
      """,
      ["[1, 3, 2, 4, 1]"],
      ["[]", "[5]", "[1, 2]", "[3, 1, 3]", "[1, 2, 2, 1]", "[0, 5, 0, 5, 0, 5]", "[1, 2, 3, 2, 1]"],
      """
      def find_peaks(nums):
          return [i for i in range(1, len(nums) - 1) if nums[i - 1] < nums[i] > nums[i + 1]]
      """,
      ["""
      def find_peaks(nums):
          return [i for i in range(1, len(nums) - 1) if nums[i - 1] <= nums[i] >= nums[i + 1]]
      """, """
      def find_peaks(nums):
          return [nums[i] for i in range(1, len(nums) - 1) if nums[i - 1] < nums[i] > nums[i + 1]]
      """]),

    E("test", "def is_perfect_square(n: int) -> bool:",
      """
      Return True if n is the square of an integer. 0 and 1 are squares; negative numbers are
      not.
      """,
      ["16", "15"],
      ["0", "1", "-4", "2", "1000000", "999999", "152399025", "152399026"],
      """
      def is_perfect_square(n):
          if n < 0:
              return False
          r = int(n ** 0.5)
          while r * r > n:
              r -= 1
          while (r + 1) * (r + 1) <= n:
              r += 1
          return r * r == n
      """,
      ["""
      def is_perfect_square(n):
          return int(n ** 0.5) ** 2 == n
      """]),

    E("test", "def count_primes_below(n: int) -> int:",
      """
      Return how many prime numbers are smaller than n.
      """,
      ["10"],
      ["0", "1", "2", "3", "20", "100", "-5"],
      """
      def count_primes_below(n):
          count = 0
          for k in range(2, n):
              if all(k % d != 0 for d in range(2, int(k ** 0.5) + 1)):
                  count += 1
          return count
      """,
      ["""
      def count_primes_below(n):
          count = 0
          for k in range(2, n + 1):
              if all(k % d != 0 for d in range(2, int(k ** 0.5) + 1)):
                  count += 1
          return count
      """, """
      def count_primes_below(n):
          count = 0
          for k in range(1, n):
              if all(k % d != 0 for d in range(2, k)):
                  count += 1
          return count
      """]),

    E("test", "def sum_of_multiples(n: int) -> int:",
      """
      Return the sum of all positive integers below n that are multiples of 3 or of 5. A number
      that is a multiple of both is counted once.
      """,
      ["10"],
      ["0", "1", "4", "6", "16", "100", "1000"],
      """
      def sum_of_multiples(n):
          return sum(k for k in range(1, n) if k % 3 == 0 or k % 5 == 0)
      """,
      ["""
      def sum_of_multiples(n):
          return sum(range(3, n, 3)) + sum(range(5, n, 5))
      """, """
      def sum_of_multiples(n):
          return sum(k for k in range(1, n + 1) if k % 3 == 0 or k % 5 == 0)
      """]),

    E("test", "def interleave(a: str, b: str) -> str:",
      """
      Return a string that takes characters alternately from a and b, starting with a. When one
      of the strings runs out, the rest of the other string is appended.
      """,
      ["'abc', '123'", "'abcd', 'xy'"],
      ["'', ''", "'', 'xyz'", "'abc', ''", "'a', 'b'", "'ab', 'wxyz'", "'hello', 'world'"],
      """
      def interleave(a, b):
          out = []
          for i in range(max(len(a), len(b))):
              if i < len(a):
                  out.append(a[i])
              if i < len(b):
                  out.append(b[i])
          return ''.join(out)
      """,
      ["""
      def interleave(a, b):
          return ''.join(x + y for x, y in zip(a, b)) + a[len(b):]
      """, """
      def interleave(a, b):
          return ''.join(x + y for x, y in zip(a, b))
      """]),

    E("test", "def capitalize_words(s: str) -> str:",
      """
      Return s with the first character of every word in upper case and the rest of each word
      unchanged. Words are separated by single spaces.
      """,
      ["'hello big world'"],
      ["''", "'a'", "'already Fine'", "'mcDonald farm'", "'x y z'", "'2nd try'"],
      """
      def capitalize_words(s):
          return ' '.join(word[:1].upper() + word[1:] for word in s.split(' '))
      """,
      ["""
      def capitalize_words(s):
          return s.title()
      """, """
      def capitalize_words(s):
          return ' '.join(word.capitalize() for word in s.split(' '))
      """]),

    E("test", "def min_coins(amount: int) -> int:",
      """
      Return the smallest number of coins worth 1, 5, 10 and 25 that add up to amount
      (amount >= 0).
      """,
      ["30"],
      ["0", "1", "4", "5", "99", "41", "100"],
      """
      def min_coins(amount):
          count = 0
          for coin in (25, 10, 5, 1):
              count += amount // coin
              amount %= coin
          return count
      """,
      ["""
      def min_coins(amount):
          count = 0
          for coin in (1, 5, 10, 25):
              count += amount // coin
              amount %= coin
          return count
      """, """
      def min_coins(amount):
          count = 0
          for coin in (25, 10, 1):
              count += amount // coin
              amount %= coin
          return count
      """]),
]

# ====================================================================================== medium
MEDIUM = [
    # ------------------------------------------------------------------ train (13)
    M("train", "def rle_encode(s: str) -> str:",
      """
      Run-length encode s: replace every run of identical characters that stand next to each
      other by the character followed by the length of the run (also when the length is 1).
      """,
      ["'aaabccdddd'"],
      ["''", "'a'", "'abc'", "'aaaaaaaaaaaa'", "'aabbaa'", "'zzzzzy'", "'AaA'"],
      """
      def rle_encode(s):
          out = []
          i = 0
          while i < len(s):
              j = i
              while j < len(s) and s[j] == s[i]:
                  j += 1
              out.append(s[i] + str(j - i))
              i = j
          return ''.join(out)
      """,
      ["""
      def rle_encode(s):
          return ''.join(c + str(s.count(c)) for c in dict.fromkeys(s))
      """, """
      def rle_encode(s):
          out = ''
          count = 1
          for i in range(1, len(s)):
              if s[i] == s[i - 1]:
                  count += 1
              else:
                  out += s[i - 1] + str(count)
                  count = 1
          return out
      """]),

    M("train", "def balanced_brackets(s: str) -> bool:",
      """
      Return True if the brackets (), [] and {} in s are balanced and properly nested. All other
      characters are ignored.
      """,
      ["'{[a](b)}'", "'([)]'", "'(('"],
      ["''", "'abc'", "')('", "'()[]{}'", "'{[()()]}'", "'[(])'", "'((())'", "'}'", "'x(y[z]{w})'"],
      """
      def balanced_brackets(s):
          pairs = {')': '(', ']': '[', '}': '{'}
          stack = []
          for c in s:
              if c in '([{':
                  stack.append(c)
              elif c in pairs:
                  if not stack or stack.pop() != pairs[c]:
                      return False
          return not stack
      """,
      ["""
      def balanced_brackets(s):
          pairs = {')': '(', ']': '[', '}': '{'}
          stack = []
          for c in s:
              if c in '([{':
                  stack.append(c)
              elif c in pairs:
                  if stack.pop() != pairs[c]:
                      return False
          return not stack
      """, """
      def balanced_brackets(s):
          return all(s.count(o) == s.count(c) for o, c in ['()', '[]', '{}'])
      """]),

    M("train", "def merge_intervals(intervals: list) -> list:",
      """
      intervals is a list of [start, end] pairs with start <= end, in any order. Merge the
      intervals that overlap or touch (one ends where the other starts) and return the merged
      intervals as [start, end] lists sorted by start.
      """,
      ["[[1, 3], [2, 6], [8, 10]]", "[[5, 7], [1, 2], [2, 4]]"],
      ["[]", "[[1, 1]]", "[[1, 4], [2, 3]]", "[[1, 2], [3, 4]]", "[[6, 8], [1, 9], [2, 4]]",
       "[[0, 0], [0, 0]]", "[[-5, -1], [-2, 3], [10, 12]]"],
      """
      def merge_intervals(intervals):
          merged = []
          for start, end in sorted(intervals):
              if merged and start <= merged[-1][1]:
                  merged[-1][1] = max(merged[-1][1], end)
              else:
                  merged.append([start, end])
          return merged
      """,
      ["""
      def merge_intervals(intervals):
          merged = []
          for start, end in sorted(intervals):
              if merged and start <= merged[-1][1]:
                  merged[-1][1] = end
              else:
                  merged.append([start, end])
          return merged
      """, """
      def merge_intervals(intervals):
          merged = []
          for start, end in intervals:
              if merged and start <= merged[-1][1]:
                  merged[-1][1] = max(merged[-1][1], end)
              else:
                  merged.append([start, end])
          return merged
      """]),

    M("train", "def roman_to_int(s: str) -> int:",
      """
      Convert the Roman numeral s to an integer. The symbols are I = 1, V = 5, X = 10, L = 50,
      C = 100, D = 500 and M = 1000; a symbol written before a larger symbol is subtracted
      (IV = 4, CM = 900), otherwise the values are added.
      """,
      ["'XIV'", "'MCMXCIV'"],
      ["'I'", "'III'", "'IX'", "'XL'", "'LVIII'", "'MMMCMXCIX'", "'CDXLIV'", "'D'"],
      """
      def roman_to_int(s):
          values = {'I': 1, 'V': 5, 'X': 10, 'L': 50, 'C': 100, 'D': 500, 'M': 1000}
          total = 0
          for i, c in enumerate(s):
              if i + 1 < len(s) and values[s[i + 1]] > values[c]:
                  total -= values[c]
              else:
                  total += values[c]
          return total
      """,
      ["""
      def roman_to_int(s):
          values = {'I': 1, 'V': 5, 'X': 10, 'L': 50, 'C': 100, 'D': 500, 'M': 1000}
          total = 0
          for i, c in enumerate(s):
              if i + 1 < len(s) and values[s[i + 1]] >= values[c]:
                  total -= values[c]
              else:
                  total += values[c]
          return total
      """, """
      def roman_to_int(s):
          values = {'I': 1, 'V': 5, 'X': 10, 'L': 50, 'C': 100, 'D': 500, 'M': 1000}
          return sum(values[c] for c in s)
      """]),

    M("train", "def caesar_shift(text: str, k: int) -> str:",
      """
      Shift every letter of text k places forward in the alphabet, wrapping around from 'z' to
      'a', and keep upper-case letters upper case and lower-case letters lower case. k may be
      negative (shift backwards) or larger than 26. Other characters stay unchanged.
      """,
      ["'Hello, World!', 3", "'xyz', 2"],
      ["'', 5", "'abc', 0", "'abc', 26", "'abc', -1", "'ABC xyz', 53", "'Zebra-123', -27", "'a', 1000"],
      """
      def caesar_shift(text, k):
          out = []
          for c in text:
              if 'a' <= c <= 'z':
                  out.append(chr((ord(c) - ord('a') + k) % 26 + ord('a')))
              elif 'A' <= c <= 'Z':
                  out.append(chr((ord(c) - ord('A') + k) % 26 + ord('A')))
              else:
                  out.append(c)
          return ''.join(out)
      """,
      ["""
      def caesar_shift(text, k):
          out = ''
          for c in text:
              if c.isalpha():
                  base = ord('a') if c.islower() else ord('A')
                  n = ord(c) + k
                  if n > base + 25:
                      n -= 26
                  out += chr(n)
              else:
                  out += c
          return out
      """, """
      def caesar_shift(text, k):
          out = ''
          for c in text:
              if c.isalpha():
                  out += chr((ord(c.lower()) - ord('a') + k) % 26 + ord('a'))
              else:
                  out += c
          return out
      """]),

    M("train", "def rotate_right(items: list, k: int) -> list:",
      """
      Return items rotated k places to the right: the last k items move to the front. k may be
      larger than the length of items (rotate by k modulo the length) or negative (rotate to
      the left). An empty list stays empty.
      """,
      ["[1, 2, 3, 4, 5], 2", "[1, 2, 3], 4"],
      ["[], 3", "[1], 5", "[1, 2, 3, 4, 5], 0", "[1, 2, 3, 4, 5], 5", "[1, 2, 3, 4, 5], -1",
       "[1, 2, 3, 4, 5], -7", "['a', 'b'], 1", "[1, 2, 3], 300"],
      """
      def rotate_right(items, k):
          if not items:
              return []
          k %= len(items)
          return items[len(items) - k:] + items[:len(items) - k]
      """,
      ["""
      def rotate_right(items, k):
          k %= len(items)
          return items[len(items) - k:] + items[:len(items) - k]
      """, """
      def rotate_right(items, k):
          return items[-k:] + items[:-k]
      """]),

    M("train", "def compress_ranges(nums: list) -> str:",
      """
      nums is a sorted list of distinct non-negative integers. Describe it as comma-separated
      parts: a run of two or more consecutive integers becomes 'first-last', and a number that
      is not part of such a run stays as it is. An empty list gives ''.
      """,
      ["[0, 1, 2, 4, 6, 7]"],
      ["[]", "[5]", "[1, 2]", "[1, 3, 5]", "[1, 2, 3, 4, 5]", "[0, 2, 3, 4, 10, 11, 20]"],
      """
      def compress_ranges(nums):
          parts = []
          i = 0
          while i < len(nums):
              j = i
              while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
                  j += 1
              parts.append(str(nums[i]) if i == j else f'{nums[i]}-{nums[j]}')
              i = j + 1
          return ','.join(parts)
      """,
      ["""
      def compress_ranges(nums):
          parts = []
          start = prev = nums[0]
          for x in nums[1:]:
              if x == prev + 1:
                  prev = x
                  continue
              parts.append(str(start) if start == prev else f'{start}-{prev}')
              start = prev = x
          parts.append(str(start) if start == prev else f'{start}-{prev}')
          return ','.join(parts)
      """, """
      def compress_ranges(nums):
          parts = []
          i = 0
          while i < len(nums):
              j = i
              while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
                  j += 1
              if j - i >= 2:
                  parts.append(f'{nums[i]}-{nums[j]}')
              else:
                  parts.extend(str(x) for x in nums[i:j + 1])
              i = j + 1
          return ','.join(parts)
      """]),

    M("train", "def longest_common_prefix(words: list) -> str:",
      """
      Return the longest string that every word in words starts with. Return '' if words is
      empty or the words have no common prefix.
      """,
      ["['flower', 'flow', 'flight']", "['dog', 'car']"],
      ["[]", "['alone']", "['', 'abc']", "['same', 'same']", "['prefix', 'pre', 'prelude']",
       "['ab', 'abc', 'abcd']", "['abcd', 'x', 'abce']"],
      """
      def longest_common_prefix(words):
          if not words:
              return ''
          prefix = words[0]
          for word in words[1:]:
              while not word.startswith(prefix):
                  prefix = prefix[:-1]
          return prefix
      """,
      ["""
      def longest_common_prefix(words):
          prefix = words[0]
          for word in words[1:]:
              while not word.startswith(prefix):
                  prefix = prefix[:-1]
          return prefix
      """, """
      def longest_common_prefix(words):
          if not words:
              return ''
          a, b = words[0], words[-1]
          i = 0
          while i < min(len(a), len(b)) and a[i] == b[i]:
              i += 1
          return a[:i]
      """]),

    M("train", "def flatten(nested: list) -> list:",
      """
      nested is a list whose elements are integers or lists, nested to any depth. Return all the
      integers in one flat list, in the order in which they appear.
      """,
      ["[1, [2, 3], [4, [5, [6]]]]"],
      ["[]", "[[]]", "[[[[1]]]]", "[1, 2, 3]", "[[1, 2], [], [3, [4, []]]]", "[[-1], 0, [[1, [2]], 3]]"],
      """
      def flatten(nested):
          out = []
          for x in nested:
              if isinstance(x, list):
                  out.extend(flatten(x))
              else:
                  out.append(x)
          return out
      """,
      ["""
      def flatten(nested):
          out = []
          for x in nested:
              if isinstance(x, list):
                  out.extend(x)
              else:
                  out.append(x)
          return out
      """]),

    M("train", "def max_subarray_sum(nums: list) -> int:",
      """
      Return the largest sum of a non-empty run of consecutive numbers in nums. nums is not
      empty; if all numbers are negative, the answer is the largest of them.
      """,
      ["[-2, 1, -3, 4, -1, 2, 1, -5, 4]"],
      ["[5]", "[-3]", "[-5, -2, -8]", "[1, 2, 3]", "[2, -1, 2]", "[-1, 0, -2]", "[3, -10, 4]",
       "[8, -19, 5, -4, 20]"],
      """
      def max_subarray_sum(nums):
          best = current = nums[0]
          for x in nums[1:]:
              current = max(x, current + x)
              best = max(best, current)
          return best
      """,
      ["""
      def max_subarray_sum(nums):
          best = current = 0
          for x in nums:
              current = max(0, current + x)
              best = max(best, current)
          return best
      """, """
      def max_subarray_sum(nums):
          return sum(x for x in nums if x > 0)
      """]),

    M("train", "def snake_to_camel(name: str) -> str:",
      """
      Convert a snake_case name (lower-case letters, digits and underscores) to camelCase. The
      words are separated by one or more underscores, and underscores at the start or the end
      are ignored. Join the words, writing the first character of every word except the first
      in upper case and leaving everything else unchanged.
      """,
      ["'hello_world'", "'get_http_response'"],
      ["''", "'x'", "'already'", "'a_b_c'", "'double__underscore'", "'_leading_and_trailing_'",
       "'number_2_go'", "'ab2cd_ef'"],
      """
      def snake_to_camel(name):
          words = [w for w in name.split('_') if w]
          if not words:
              return ''
          return words[0] + ''.join(w[0].upper() + w[1:] for w in words[1:])
      """,
      ["""
      def snake_to_camel(name):
          words = name.split('_')
          return words[0] + ''.join(w.capitalize() for w in words[1:])
      """, """
      def snake_to_camel(name):
          s = name.replace('_', ' ').title().replace(' ', '')
          return s[:1].lower() + s[1:]
      """]),

    M("train", "def column_title(n: int) -> str:",
      """
      Return the spreadsheet column title of column number n (n >= 1). Columns are numbered
      A = 1, B = 2, ..., Z = 26, AA = 27, AB = 28, ..., ZZ = 702, AAA = 703, and so on.
      """,
      ["28", "701"],
      ["1", "26", "27", "52", "702", "703", "18278"],
      """
      def column_title(n):
          title = ''
          while n > 0:
              n, r = divmod(n - 1, 26)
              title = chr(ord('A') + r) + title
          return title
      """,
      ["""
      def column_title(n):
          title = ''
          while n > 0:
              title = chr(ord('A') + n % 26 - 1) + title
              n //= 26
          return title
      """]),

    M("train", "def max_profit(prices: list) -> int:",
      """
      prices[i] is the price of a stock on day i. Return the largest profit you can make by
      buying on one day and selling on a later day, or 0 if no profit is possible.
      """,
      ["[7, 1, 5, 3, 6, 4]", "[7, 6, 4, 3, 1]"],
      ["[]", "[5]", "[1, 2]", "[2, 1]", "[3, 8, 1, 6]", "[2, 4, 1, 7]", "[5, 5, 5]", "[9, 2, 12, 1, 3]"],
      """
      def max_profit(prices):
          best = 0
          lowest = None
          for p in prices:
              if lowest is None or p < lowest:
                  lowest = p
              best = max(best, p - lowest)
          return best
      """,
      ["""
      def max_profit(prices):
          i = prices.index(min(prices))
          return max(prices[i:]) - prices[i]
      """, """
      def max_profit(prices):
          return max(prices) - min(prices)
      """]),

    # ------------------------------------------------------------------ valid (5)
    M("valid", "def rle_decode(code: str) -> str:",
      """
      code is a run-length encoding: every letter is followed by a positive number (one or more
      digits) that says how many times the letter repeats. Return the decoded string.
      """,
      ["'a3b1c2'"],
      ["''", "'z1'", "'x10'", "'a2b12c1'", "'A1a1'", "'q100'"],
      """
      def rle_decode(code):
          out = []
          i = 0
          while i < len(code):
              j = i + 1
              while j < len(code) and code[j].isdigit():
                  j += 1
              out.append(code[i] * int(code[i + 1:j]))
              i = j
          return ''.join(out)
      """,
      ["""
      def rle_decode(code):
          return ''.join(code[i] * int(code[i + 1]) for i in range(0, len(code), 2))
      """]),

    M("valid", "def nesting_depth(s: str) -> int:",
      """
      s contains only the characters '(' and ')'. Return the greatest nesting depth of the
      parentheses, or -1 if they are not balanced.
      """,
      ["'(()(()))'", "'())('"],
      ["''", "'()'", "'((()))'", "'()()()'", "'('", "')'", "'(()'", "')()('"],
      """
      def nesting_depth(s):
          depth = best = 0
          for c in s:
              depth += 1 if c == '(' else -1
              if depth < 0:
                  return -1
              best = max(best, depth)
          return best if depth == 0 else -1
      """,
      ["""
      def nesting_depth(s):
          depth = best = 0
          for c in s:
              depth += 1 if c == '(' else -1
              if depth < 0:
                  return -1
              best = max(best, depth)
          return best
      """, """
      def nesting_depth(s):
          if s.count('(') != s.count(')'):
              return -1
          depth = best = 0
          for c in s:
              depth += 1 if c == '(' else -1
              best = max(best, depth)
          return best
      """]),

    M("valid", "def pascal_row(n: int) -> list:",
      """
      Return row n of Pascal's triangle, where row 0 is [1], row 1 is [1, 1] and row 2 is
      [1, 2, 1]. Every inner number is the sum of the two numbers above it.
      """,
      ["4"],
      ["0", "1", "2", "5", "10", "20"],
      """
      def pascal_row(n):
          row = [1]
          for _ in range(n):
              row = [a + b for a, b in zip([0] + row, row + [0])]
          return row
      """,
      ["""
      def pascal_row(n):
          row = [1]
          for _ in range(n - 1):
              row = [a + b for a, b in zip([0] + row, row + [0])]
          return row
      """]),

    M("valid", "def two_sum_indices(nums: list, target: int) -> tuple | None:",
      """
      Return a tuple (i, j) with i < j and nums[i] + nums[j] == target. If there are several
      such pairs, return the one with the smallest j, and for that j the smallest i. Return
      None if there is no such pair.
      """,
      ["[2, 7, 11, 15], 9", "[1, 2, 3], 7"],
      ["[], 0", "[5], 10", "[3, 3], 6", "[3, 2, 4], 6", "[0, -1, 1, 0], 0", "[1, 2, 3, 4], 5",
       "[1, 5, 5, 1], 6", "[-3, 4, 3, 90], 0"],
      """
      def two_sum_indices(nums, target):
          first = {}
          for j, x in enumerate(nums):
              if target - x in first:
                  return (first[target - x], j)
              first.setdefault(x, j)
          return None
      """,
      ["""
      def two_sum_indices(nums, target):
          for i in range(len(nums)):
              for j in range(i + 1, len(nums)):
                  if nums[i] + nums[j] == target:
                      return (i, j)
          return None
      """, """
      def two_sum_indices(nums, target):
          for j in range(len(nums)):
              for i in range(j + 1):
                  if nums[i] + nums[j] == target:
                      return (i, j)
          return None
      """]),

    M("valid", "def valid_ipv4(s: str) -> bool:",
      """
      Return True if s is a valid IPv4 address: four numbers from 0 to 255 separated by dots,
      each written with decimal digits only and without leading zeros (a single 0 is fine).
      """,
      ["'192.168.0.1'", "'256.1.1.1'", "'1.2.3'"],
      ["''", "'0.0.0.0'", "'255.255.255.255'", "'01.2.3.4'", "'1.2.3.4.5'", "'1..2.3'", "'a.b.c.d'",
       "'1.2.3.-4'", "'10.0.0.256'", "' 1.2.3.4'"],
      """
      def valid_ipv4(s):
          parts = s.split('.')
          if len(parts) != 4:
              return False
          for p in parts:
              if not p.isdigit() or (len(p) > 1 and p[0] == '0') or int(p) > 255:
                  return False
          return True
      """,
      ["""
      def valid_ipv4(s):
          parts = s.split('.')
          if len(parts) != 4:
              return False
          for p in parts:
              if not p.isdigit() or int(p) > 255:
                  return False
          return True
      """, """
      def valid_ipv4(s):
          parts = s.split('.')
          try:
              numbers = [int(p) for p in parts]
          except ValueError:
              return False
          return len(numbers) == 4 and all(0 <= x <= 255 for x in numbers)
      """]),

    # ------------------------------------------------------------------ test (8)
    M("test", "def look_and_say(term: str) -> str:",
      """
      Return the term that follows term in the look-and-say sequence: read term from left to
      right and, for every run of identical digits, write the length of the run followed by
      the digit.
      """,
      ["'1211'"],
      ["'1'", "'11'", "'21'", "'111221'", "'3333333333'", "''", "'1223334444'"],
      """
      def look_and_say(term):
          out = []
          i = 0
          while i < len(term):
              j = i
              while j < len(term) and term[j] == term[i]:
                  j += 1
              out.append(str(j - i) + term[i])
              i = j
          return ''.join(out)
      """,
      ["""
      def look_and_say(term):
          return ''.join(str(term.count(d)) + d for d in dict.fromkeys(term))
      """, """
      def look_and_say(term):
          out = ''
          count = 1
          for i in range(1, len(term)):
              if term[i] == term[i - 1]:
                  count += 1
              else:
                  out += str(count) + term[i - 1]
                  count = 1
          return out
      """]),

    M("test", "def expand_ranges(text: str) -> list:",
      """
      text is a comma-separated list of parts. A part is a non-negative integer or a range
      'a-b' (a <= b) that stands for all integers from a to b. Return the list of all these
      integers in order. An empty text gives [].
      """,
      ["'1-3,5,7-8'"],
      ["''", "'4'", "'0-0'", "'10-12,1'", "'5,5,5'", "'0-2,3-5'", "'98-101'"],
      """
      def expand_ranges(text):
          result = []
          if not text:
              return result
          for part in text.split(','):
              if '-' in part:
                  a, b = part.split('-')
                  result.extend(range(int(a), int(b) + 1))
              else:
                  result.append(int(part))
          return result
      """,
      ["""
      def expand_ranges(text):
          result = []
          for part in text.split(','):
              if '-' in part:
                  a, b = part.split('-')
                  result.extend(range(int(a), int(b) + 1))
              else:
                  result.append(int(part))
          return result
      """, """
      def expand_ranges(text):
          result = []
          if not text:
              return result
          for part in text.split(','):
              if '-' in part:
                  a, b = part.split('-')
                  result.extend(range(int(a), int(b)))
              else:
                  result.append(int(part))
          return result
      """]),

    M("test", "def top_words(text: str, k: int) -> list:",
      """
      Count how often each word occurs in text; words are separated by spaces and compared in
      lower case. Return the k most frequent words as (word, count) tuples, most frequent
      first, with the word in lower case. Words with equal counts are ordered alphabetically.
      """,
      ["'the cat and the hat and the bat', 2"],
      ["'', 3", "'a', 1", "'b a c', 2", "'Dog dog DOG cat', 5", "'x y x y z', 2",
       "'one two two three three three', 0", "'b b a a c', 3"],
      """
      def top_words(text, k):
          counts = {}
          for word in text.lower().split():
              counts[word] = counts.get(word, 0) + 1
          return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:k]
      """,
      ["""
      def top_words(text, k):
          from collections import Counter
          return Counter(text.lower().split()).most_common(k)
      """, """
      def top_words(text, k):
          counts = {}
          for word in text.split():
              counts[word] = counts.get(word, 0) + 1
          return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:k]
      """]),

    M("test", "def longest_unique_run(s: str) -> int:",
      """
      Return the length of the longest run of consecutive characters of s in which no
      character appears twice.
      """,
      ["'abcabcbb'", "'pwwkew'"],
      ["''", "'a'", "'aaaa'", "'abcdef'", "'abba'", "'dvdf'", "'tmmzuxt'", "'abcbd'"],
      """
      def longest_unique_run(s):
          last = {}
          start = best = 0
          for i, c in enumerate(s):
              if c in last and last[c] >= start:
                  start = last[c] + 1
              last[c] = i
              best = max(best, i - start + 1)
          return best
      """,
      ["""
      def longest_unique_run(s):
          last = {}
          start = best = 0
          for i, c in enumerate(s):
              if c in last:
                  start = last[c] + 1
              last[c] = i
              best = max(best, i - start + 1)
          return best
      """, """
      def longest_unique_run(s):
          return len(set(s))
      """]),

    M("test", "def evaluate_rpn(tokens: list) -> int:",
      """
      tokens is an expression in reverse Polish notation: integers (which may be negative, like
      '-3') and the operators '+', '-' and '*'. Evaluate it and return the result.
      """,
      ["['2', '3', '+', '4', '*']", "['5', '1', '2', '+', '4', '*', '+', '3', '-']"],
      ["['7']", "['-3']", "['4', '10', '-']", "['-2', '-3', '*']", "['1', '2', '3', '4', '+', '+', '+']",
       "['0', '5', '-', '2', '*']", "['3', '-4', '-']"],
      """
      def evaluate_rpn(tokens):
          stack = []
          for t in tokens:
              if t in ('+', '-', '*'):
                  b = stack.pop()
                  a = stack.pop()
                  stack.append(a + b if t == '+' else a - b if t == '-' else a * b)
              else:
                  stack.append(int(t))
          return stack[-1]
      """,
      ["""
      def evaluate_rpn(tokens):
          stack = []
          for t in tokens:
              if t.isdigit():
                  stack.append(int(t))
              else:
                  b = stack.pop()
                  a = stack.pop()
                  stack.append(a + b if t == '+' else a - b if t == '-' else a * b)
          return stack[-1]
      """, """
      def evaluate_rpn(tokens):
          stack = []
          for t in tokens:
              if t in ('+', '-', '*'):
                  a = stack.pop()
                  b = stack.pop()
                  stack.append(a + b if t == '+' else a - b if t == '-' else a * b)
              else:
                  stack.append(int(t))
          return stack[-1]
      """]),

    M("test", "def camel_to_snake(name: str) -> str:",
      """
      Convert a camelCase name to snake_case: write every letter in lower case and put an
      underscore before every upper-case letter, except before a letter at the very start.
      """,
      ["'helloWorld'", "'MyVariableName'"],
      ["''", "'x'", "'X'", "'already_snake'", "'aB'", "'parseXML'", "'version2Beta'", "'ABC'"],
      """
      def camel_to_snake(name):
          out = ''
          for i, c in enumerate(name):
              if c.isupper():
                  out += ('_' if i > 0 else '') + c.lower()
              else:
                  out += c
          return out
      """,
      ["""
      def camel_to_snake(name):
          import re
          return re.sub('([a-z])([A-Z])', lambda m: m.group(1) + '_' + m.group(2), name).lower()
      """, """
      def camel_to_snake(name):
          out = ''
          for c in name:
              if c.isupper():
                  out += '_' + c.lower()
              else:
                  out += c
          return out
      """]),

    M("test", "def column_number(title: str) -> int:",
      """
      Return the column number of the spreadsheet column title title. Columns are numbered
      A = 1, B = 2, ..., Z = 26, AA = 27, AB = 28, ..., ZZ = 702, AAA = 703, and so on.
      """,
      ["'AB'", "'ZY'"],
      ["'A'", "'Z'", "'AA'", "'AZ'", "'BA'", "'ZZ'", "'AAA'", "'FXSHRXW'"],
      """
      def column_number(title):
          n = 0
          for c in title:
              n = n * 26 + ord(c) - ord('A') + 1
          return n
      """,
      ["""
      def column_number(title):
          n = 0
          for c in title:
              n = n * 26 + ord(c) - ord('A')
          return n
      """, """
      def column_number(title):
          return sum(ord(c) - ord('A') + 1 for c in title)
      """]),

    M("test", "def minutes_between(start: str, end: str) -> int:",
      """
      start and end are times of day written 'HH:MM' on a 24-hour clock. Return how many minutes
      pass from start until end. If end is earlier than start, end is on the next day; equal
      times give 0.
      """,
      ["'09:30', '11:15'", "'23:50', '00:10'"],
      ["'00:00', '00:00'", "'00:00', '23:59'", "'12:00', '11:59'", "'07:05', '07:06'",
       "'18:45', '06:15'", "'00:01', '00:00'"],
      """
      def minutes_between(start, end):
          def minutes(t):
              h, m = t.split(':')
              return int(h) * 60 + int(m)
          return (minutes(end) - minutes(start)) % (24 * 60)
      """,
      ["""
      def minutes_between(start, end):
          def minutes(t):
              h, m = t.split(':')
              return int(h) * 60 + int(m)
          diff = minutes(end) - minutes(start)
          if diff <= 0:
              diff += 24 * 60
          return diff
      """, """
      def minutes_between(start, end):
          def minutes(t):
              h, m = t.split(':')
              return int(h) * 60 + int(m)
          return abs(minutes(end) - minutes(start))
      """]),
]

PROBLEMS = TRIVIAL + EASY + MEDIUM
