"""Medium mini problems: greedy, small DP, two pointers, prefix sums, BFS, brackets
(12 train, 4 valid, 4 test).

Same spec shape as specs_trivial.py; mini/build.py computes all outputs from the reference.
"""

import textwrap


def P(slug, split, statement, input, output, public, private, reference, incorrect):
    clean = lambda code: textwrap.dedent(code).strip("\n") + "\n"  # noqa: E731
    return {"slug": slug, "difficulty": "medium", "split": split,
            "statement": textwrap.dedent(statement).strip(), "input": textwrap.dedent(input).strip(),
            "output": textwrap.dedent(output).strip(), "public": public, "private": private,
            "reference": clean(reference), "incorrect": [clean(c) for c in incorrect]}


def line(xs):
    return " ".join(map(str, xs))


def grid(rng, n, m, wall_prob, corners_open=True):
    rows = [["#" if rng.random() < wall_prob else "." for _ in range(m)] for _ in range(n)]
    if corners_open:
        rows[0][0] = rows[n - 1][m - 1] = "."
    return f"{n} {m}\n" + "\n".join("".join(row) for row in rows)


def intervals(rng, n, hi):
    out = []
    for _ in range(n):
        a, b = sorted((rng.randint(0, hi), rng.randint(0, hi)))
        out.append(f"{a} {b if b > a else a + 1}")
    return f"{n}\n" + "\n".join(out)


PROBLEMS = [
    # ------------------------------------------------------------------ train
    P("coin-combinations", "train",
      """
      A vending machine accepts coins of n different values, and you have unlimited coins of
      every value. In how many ways can you pay exactly s? Two ways are the same if they use the
      same number of coins of every value (the order does not matter). Print the answer modulo
      1000000007.
      """,
      "The first line contains two integers n and s (1 ≤ n ≤ 20, 0 ≤ s ≤ 1000). The second line contains n distinct integers c_1, ..., c_n (1 ≤ c_i ≤ 1000).",
      "Print the number of ways modulo 1000000007.",
      ["3 4\n1 2 3\n"],
      lambda r: ["1 0\n5", "1 7\n2", "1 8\n2", "2 10\n3 7", "3 1000\n1 2 5", "4 11\n2 5 3 6", "2 3\n5 10",
                 "20 1000\n" + line(range(1, 21))]
      + [f"5 {r.randint(50, 500)}\n{line(r.sample(range(1, 60), 5))}" for _ in range(2)],
      """
      n, s = map(int, input().split())
      coins = list(map(int, input().split()))
      MOD = 1000000007
      ways = [1] + [0] * s
      for c in coins:
          for x in range(c, s + 1):
              ways[x] = (ways[x] + ways[x - c]) % MOD
      print(ways[s])
      """,
      ["""
      n, s = map(int, input().split())
      coins = list(map(int, input().split()))
      MOD = 1000000007
      ways = [1] + [0] * s
      for x in range(1, s + 1):
          for c in coins:
              if c <= x:
                  ways[x] = (ways[x] + ways[x - c]) % MOD
      print(ways[s])
      """]),

    P("longest-increasing", "train",
      """
      A stock price was recorded on n days. Find the length of the longest strictly increasing
      subsequence of the prices: the most days you can pick, in order, so that every picked price
      is larger than the previous picked one.
      """,
      "The first line contains an integer n (1 ≤ n ≤ 1000). The second line contains n integers p_1, ..., p_n (1 ≤ p_i ≤ 10^4).",
      "Print the length of the longest strictly increasing subsequence.",
      ["6\n5 1 6 2 3 8\n"],
      lambda r: ["1\n5", "3\n2 2 2", "5\n1 2 2 3 3", "5\n5 4 3 2 1", "4\n1 2 3 4", "6\n3 3 1 1 2 2"]
      + [(lambda n: f"{n}\n{line(r.randint(1, 30) for _ in range(n))}")(r.randint(20, 300)) for _ in range(3)]
      + ["300\n" + line(r.randint(1, 10**4) for _ in range(300))],
      """
      from bisect import bisect_left
      n = int(input())
      tails = []
      for x in map(int, input().split()):
          i = bisect_left(tails, x)
          if i == len(tails):
              tails.append(x)
          else:
              tails[i] = x
      print(len(tails))
      """,
      ["""
      n = int(input())
      p = list(map(int, input().split()))
      best = [1] * n
      for i in range(n):
          for j in range(i):
              if p[j] <= p[i]:
                  best[i] = max(best[i], best[j] + 1)
      print(max(best))
      """]),

    P("knapsack", "train",
      """
      A hiker can carry at most W kilograms. There are n items; item i weighs w_i kilograms and
      is worth v_i points. Every item can be taken at most once. What is the largest total worth
      the hiker can carry?
      """,
      "The first line contains two integers n and W (1 ≤ n ≤ 50, 1 ≤ W ≤ 1000). Each of the next n lines contains two integers w_i and v_i (1 ≤ w_i ≤ 1000, 0 ≤ v_i ≤ 10^6).",
      "Print the maximum total worth.",
      ["3 5\n1 6\n2 10\n3 12\n"],
      lambda r: ["1 1\n2 5", "1 5\n5 7", "1 10\n3 4", "2 4\n2 3\n2 3", "3 6\n2 5\n2 5\n5 11", "2 1000\n1000 0\n1 1"]
      + [(lambda n: f"{n} {r.randint(1, 300)}\n" + "\n".join(f"{r.randint(1, 100)} {r.randint(0, 1000)}" for _ in range(n)))(r.randint(1, 50))
         for _ in range(4)],
      """
      n, W = map(int, input().split())
      best = [0] * (W + 1)
      for _ in range(n):
          w, v = map(int, input().split())
          for cap in range(W, w - 1, -1):
              best[cap] = max(best[cap], best[cap - w] + v)
      print(best[W])
      """,
      ["""
      n, W = map(int, input().split())
      best = [0] * (W + 1)
      for _ in range(n):
          w, v = map(int, input().split())
          for cap in range(w, W + 1):
              best[cap] = max(best[cap], best[cap - w] + v)
      print(best[W])
      """]),

    P("balanced-brackets", "train",
      """
      A string of brackets ( ) [ ] { } is balanced if every opening bracket is closed by a
      bracket of the same type, and the pairs are properly nested. For example "([]{})" is
      balanced, while "([)]" and "((" are not. Check whether the given string is balanced.
      """,
      "The only line contains a string of 1 to 100 characters, each one of ()[]{}.",
      "Print YES if the string is balanced and NO otherwise.",
      ["([]{})\n", "(]\n"],
      ["([)]", ")(", "(", "()", "{[()()]}", "]", "(((())))", "([{}])[]{}", "{[}]", "(()"],
      """
      pairs = {")": "(", "]": "[", "}": "{"}
      stack = []
      ok = True
      for ch in input().strip():
          if ch in "([{":
              stack.append(ch)
          elif not stack or stack.pop() != pairs[ch]:
              ok = False
              break
      print("YES" if ok and not stack else "NO")
      """,
      ["""
      s = input().strip()
      ok = s.count("(") == s.count(")") and s.count("[") == s.count("]") and s.count("{") == s.count("}")
      print("YES" if ok else "NO")
      """, """
      pairs = {")": "(", "]": "[", "}": "{"}
      stack = []
      ok = True
      for ch in input().strip():
          if ch in "([{":
              stack.append(ch)
          elif not stack or stack.pop() != pairs[ch]:
              ok = False
              break
      print("YES" if ok else "NO")
      """]),

    P("maze-shortest-path", "train",
      """
      A robot stands in the top-left cell of an n × m maze and must reach the bottom-right cell.
      In one move it goes to a neighbouring cell up, down, left or right, but never into a wall
      (#) or outside the maze. Find the smallest number of moves, or -1 if the exit cannot be
      reached.
      """,
      "The first line contains two integers n and m (1 ≤ n, m ≤ 20). Each of the next n lines contains m characters . (free) or # (wall). The top-left and bottom-right cells are free.",
      "Print the smallest number of moves, or -1.",
      ["3 3\n...\n.#.\n...\n"],
      lambda r: ["1 1\n.", "1 5\n.....", "2 2\n.#\n#.", "3 3\n.#.\n.#.\n...",
                 "5 5\n.....\n####.\n.....\n.####\n.....", "3 4\n....\n###.\n#...", "4 4\n..#.\n#...\n.##.\n....",
                 "5 5\n.#...\n.#.#.\n.#.#.\n.#.#.\n...#.", "3 5\n...#.\n.#.#.\n.#...", "4 3\n...\n##.\n...\n.#."]
      + [grid(r, r.randint(5, 20), r.randint(5, 20), 0.3) for _ in range(3)],
      """
      from collections import deque
      n, m = map(int, input().split())
      g = [input().strip() for _ in range(n)]
      dist = [[-1] * m for _ in range(n)]
      dist[0][0] = 0
      queue = deque([(0, 0)])
      while queue:
          x, y = queue.popleft()
          for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
              nx, ny = x + dx, y + dy
              if 0 <= nx < n and 0 <= ny < m and g[nx][ny] == "." and dist[nx][ny] == -1:
                  dist[nx][ny] = dist[x][y] + 1
                  queue.append((nx, ny))
      print(dist[n - 1][m - 1])
      """,
      ["""
      n, m = map(int, input().split())
      g = [input().strip() for _ in range(n)]
      INF = float("inf")
      d = [[INF] * m for _ in range(n)]
      d[0][0] = 0
      for i in range(n):
          for j in range(m):
              if g[i][j] == "#" or (i == 0 and j == 0):
                  continue
              up = d[i - 1][j] if i > 0 else INF
              left = d[i][j - 1] if j > 0 else INF
              d[i][j] = min(up, left) + 1
      print(d[n - 1][m - 1] if d[n - 1][m - 1] < INF else -1)
      """]),

    P("best-subarray", "train",
      """
      A trader looks at the daily profits a_1, ..., a_n (losses are negative) and wants to pick
      one block of consecutive days with the largest total profit. The block must contain at
      least one day. Print that largest total.
      """,
      "The first line contains an integer n (1 ≤ n ≤ 1000). The second line contains n integers a_1, ..., a_n (-10^4 ≤ a_i ≤ 10^4).",
      "Print the largest sum of a non-empty block of consecutive elements.",
      ["5\n2 -3 4 -1 2\n"],
      lambda r: ["1\n-5", "3\n-3 -1 -2", "1\n0", "4\n1 2 3 4", "5\n-1 0 -2 0 -3", "6\n5 -10 6 -1 -1 3"]
      + [(lambda n: f"{n}\n{line(r.randint(-100, 100) for _ in range(n))}")(r.randint(5, 200)) for _ in range(3)]
      + ["50\n" + line(r.randint(-10**4, -1) for _ in range(50))],
      """
      n = int(input())
      a = list(map(int, input().split()))
      best = cur = a[0]
      for x in a[1:]:
          cur = max(x, cur + x)
          best = max(best, cur)
      print(best)
      """,
      ["""
      n = int(input())
      a = list(map(int, input().split()))
      best = cur = 0
      for x in a:
          cur = max(0, cur + x)
          best = max(best, cur)
      print(best)
      """]),

    P("subarrays-with-sum", "train",
      """
      Count the blocks of consecutive elements a_l, ..., a_r (l ≤ r) whose sum is exactly k.
      Elements may be negative or zero.
      """,
      "The first line contains two integers n and k (1 ≤ n ≤ 1000, -10^5 ≤ k ≤ 10^5). The second line contains n integers a_1, ..., a_n (-100 ≤ a_i ≤ 100).",
      "Print the number of blocks with sum k.",
      ["5 5\n1 2 3 2 3\n"],
      lambda r: ["1 0\n0", "3 0\n0 0 0", "1 5\n4", "4 0\n1 -1 1 -1", "3 -2\n-1 -1 -1", "5 3\n3 0 0 3 -3"]
      + [(lambda n: f"{n} {r.randint(-5, 5)}\n{line(r.randint(-3, 3) for _ in range(n))}")(r.randint(5, 300)) for _ in range(4)],
      """
      from collections import defaultdict
      n, k = map(int, input().split())
      a = list(map(int, input().split()))
      seen = defaultdict(int)
      seen[0] = 1
      prefix = count = 0
      for x in a:
          prefix += x
          count += seen[prefix - k]
          seen[prefix] += 1
      print(count)
      """,
      ["""
      n, k = map(int, input().split())
      a = list(map(int, input().split()))
      count = left = total = 0
      for right in range(n):
          total += a[right]
          while total > k and left <= right:
              total -= a[left]
              left += 1
          if total == k:
              count += 1
      print(count)
      """]),

    P("meeting-planner", "train",
      """
      There are n meetings; meeting i starts at time s_i and ends at time e_i. You can attend a
      meeting only from its start to its end, and you cannot be in two meetings at once, but a
      meeting may start exactly when the previous one ends. What is the largest number of
      meetings you can attend?
      """,
      "The first line contains an integer n (1 ≤ n ≤ 100). Each of the next n lines contains two integers s_i and e_i (0 ≤ s_i < e_i ≤ 10^4).",
      "Print the largest number of meetings.",
      ["3\n1 3\n3 5\n4 6\n"],
      lambda r: ["1\n0 1", "2\n0 10\n1 2", "3\n0 100\n1 2\n2 3", "3\n1 2\n1 2\n1 2", "4\n0 5\n5 10\n10 15\n0 15",
                 "3\n5 6\n1 4\n0 2"] + [intervals(r, r.randint(5, 100), 200) for _ in range(3)],
      """
      n = int(input())
      meetings = [tuple(map(int, input().split())) for _ in range(n)]
      meetings.sort(key=lambda m: m[1])
      count, free_at = 0, -1
      for s, e in meetings:
          if s >= free_at:
              count += 1
              free_at = e
      print(count)
      """,
      ["""
      n = int(input())
      meetings = sorted(tuple(map(int, input().split())) for _ in range(n))
      count, free_at = 0, -1
      for s, e in meetings:
          if s >= free_at:
              count += 1
              free_at = e
      print(count)
      """]),

    P("unique-window", "train",
      """
      Find the length of the longest block of consecutive characters of a string in which no
      character repeats.
      """,
      "The only line contains a string of 1 to 200 lowercase English letters.",
      "Print the length of the longest block without repeated characters.",
      ["abcabcbb\n"],
      lambda r: ["a", "aaaa", "dvdf", "abba", "abcdefghijklmnopqrstuvwxyz", "pwwkew", "abcbdef", "tmmzuxt"]
      + ["".join(r.choice("abcdef") for _ in range(r.randint(20, 200))) for _ in range(2)],
      """
      s = input().strip()
      last = {}
      start = best = 0
      for i, ch in enumerate(s):
          if ch in last and last[ch] >= start:
              start = last[ch] + 1
          last[ch] = i
          best = max(best, i - start + 1)
      print(best)
      """,
      ["""
      s = input().strip()
      seen = set()
      best = 0
      for ch in s:
          if ch in seen:
              seen = {ch}
          else:
              seen.add(ch)
          best = max(best, len(seen))
      print(best)
      """]),

    P("cheapest-route", "train",
      """
      A grid of n × m cells has a toll c_ij on every cell. A traveller starts in the top-left
      cell and walks to the bottom-right cell, moving only right or down. The cost of a route is
      the sum of the tolls of all the cells it visits, including the first and the last.
      Find the cheapest route's cost.
      """,
      "The first line contains two integers n and m (1 ≤ n, m ≤ 20). Each of the next n lines contains m integers c_ij (0 ≤ c_ij ≤ 9).",
      "Print the minimum cost.",
      ["3 3\n1 3 1\n1 5 1\n4 2 1\n"],
      lambda r: ["1 1\n7", "1 3\n1 2 3", "3 1\n1\n2\n3", "2 2\n0 0\n0 0", "3 3\n1 1 9\n9 1 9\n9 1 1",
                 "2 3\n1 2 9\n5 9 1", "3 3\n1 2 5\n3 9 9\n1 1 1"]
      + [(lambda n, m: f"{n} {m}\n" + "\n".join(line(r.randint(0, 9) for _ in range(m)) for _ in range(n)))(r.randint(2, 20), r.randint(2, 20))
         for _ in range(3)],
      """
      n, m = map(int, input().split())
      c = [list(map(int, input().split())) for _ in range(n)]
      INF = float("inf")
      d = [[INF] * m for _ in range(n)]
      for i in range(n):
          for j in range(m):
              if i == 0 and j == 0:
                  d[i][j] = c[0][0]
              else:
                  up = d[i - 1][j] if i > 0 else INF
                  left = d[i][j - 1] if j > 0 else INF
                  d[i][j] = min(up, left) + c[i][j]
      print(d[n - 1][m - 1])
      """,
      ["""
      n, m = map(int, input().split())
      c = [list(map(int, input().split())) for _ in range(n)]
      i = j = 0
      total = c[0][0]
      while i < n - 1 or j < m - 1:
          if i == n - 1:
              j += 1
          elif j == m - 1:
              i += 1
          elif c[i + 1][j] < c[i][j + 1]:
              i += 1
          else:
              j += 1
          total += c[i][j]
      print(total)
      """]),

    P("edit-distance", "train",
      """
      A spell checker measures how far a typed word is from a dictionary word. One operation
      inserts a character, deletes a character, or replaces a character by another one. Find the
      smallest number of operations that turn the first word into the second.
      """,
      "The first line contains the word a and the second line the word b; each has 1 to 100 lowercase English letters.",
      "Print the smallest number of operations.",
      ["kitten\nsitting\n"],
      lambda r: ["a\na", "a\nb", "abc\nabc", "abc\nxyz", "ab\nba", "intention\nexecution", "a\naaaa", "horse\nros"]
      + [f"{''.join(r.choice('abc') for _ in range(r.randint(5, 60)))}\n{''.join(r.choice('abc') for _ in range(r.randint(5, 60)))}" for _ in range(2)],
      """
      a = input().strip()
      b = input().strip()
      prev = list(range(len(b) + 1))
      for i in range(1, len(a) + 1):
          cur = [i] + [0] * len(b)
          for j in range(1, len(b) + 1):
              same = prev[j - 1] if a[i - 1] == b[j - 1] else prev[j - 1] + 1
              cur[j] = min(same, prev[j] + 1, cur[j - 1] + 1)
          prev = cur
      print(prev[len(b)])
      """,
      ["""
      a = input().strip()
      b = input().strip()
      prev = list(range(len(b) + 1))
      for i in range(1, len(a) + 1):
          cur = [i] + [0] * len(b)
          for j in range(1, len(b) + 1):
              if a[i - 1] == b[j - 1]:
                  cur[j] = prev[j - 1]
              else:
                  cur[j] = min(prev[j], cur[j - 1]) + 1
          prev = cur
      print(prev[len(b)])
      """]),

    P("count-islands", "train",
      """
      A map of n × m cells shows land (#) and water (.). An island is a group of land cells
      connected through shared sides (up, down, left, right); cells that touch only at a corner
      are not connected. Count the islands.
      """,
      "The first line contains two integers n and m (1 ≤ n, m ≤ 30). Each of the next n lines contains m characters # or .",
      "Print the number of islands.",
      ["3 4\n##..\n#..#\n...#\n"],
      lambda r: ["1 1\n.", "1 1\n#", "2 2\n#.\n.#", "3 3\n#.#\n.#.\n#.#", "2 3\n###\n###", "3 3\n...\n...\n..."]
      + [grid(r, r.randint(3, 30), r.randint(3, 30), 0.55, corners_open=False) for _ in range(4)],
      """
      n, m = map(int, input().split())
      g = [list(input().strip()) for _ in range(n)]
      count = 0
      for i in range(n):
          for j in range(m):
              if g[i][j] != "#":
                  continue
              count += 1
              stack = [(i, j)]
              g[i][j] = "."
              while stack:
                  x, y = stack.pop()
                  for nx, ny in ((x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)):
                      if 0 <= nx < n and 0 <= ny < m and g[nx][ny] == "#":
                          g[nx][ny] = "."
                          stack.append((nx, ny))
      print(count)
      """,
      ["""
      n, m = map(int, input().split())
      g = [list(input().strip()) for _ in range(n)]
      count = 0
      for i in range(n):
          for j in range(m):
              if g[i][j] != "#":
                  continue
              count += 1
              stack = [(i, j)]
              g[i][j] = "."
              while stack:
                  x, y = stack.pop()
                  for dx in (-1, 0, 1):
                      for dy in (-1, 0, 1):
                          nx, ny = x + dx, y + dy
                          if 0 <= nx < n and 0 <= ny < m and g[nx][ny] == "#":
                              g[nx][ny] = "."
                              stack.append((nx, ny))
      print(count)
      """]),

    # ------------------------------------------------------------------ valid
    P("fewest-coins", "valid",
      """
      A country uses coins of n different values, and you have unlimited coins of every value.
      What is the smallest number of coins that add up to exactly s? If s cannot be paid exactly,
      print -1.
      """,
      "The first line contains two integers n and s (1 ≤ n ≤ 20, 0 ≤ s ≤ 10^4). The second line contains n distinct integers c_1, ..., c_n (1 ≤ c_i ≤ 10^4).",
      "Print the smallest number of coins, or -1.",
      ["3 28\n1 5 10\n"],
      lambda r: ["1 0\n7", "1 7\n2", "3 6\n1 3 4", "2 12\n5 6", "2 7\n2 4", "3 10000\n1 5 10", "3 30\n25 10 1", "2 11\n9 2"]
      + [f"4 {r.randint(100, 3000)}\n{line(r.sample(range(2, 80), 4))}" for _ in range(2)],
      """
      n, s = map(int, input().split())
      coins = list(map(int, input().split()))
      INF = float("inf")
      best = [0] + [INF] * s
      for x in range(1, s + 1):
          for c in coins:
              if c <= x and best[x - c] + 1 < best[x]:
                  best[x] = best[x - c] + 1
      print(best[s] if best[s] < INF else -1)
      """,
      ["""
      n, s = map(int, input().split())
      coins = sorted(map(int, input().split()), reverse=True)
      count = 0
      for c in coins:
          count += s // c
          s %= c
      print(count if s == 0 else -1)
      """]),

    P("common-subsequence", "valid",
      """
      Two DNA fragments are given as strings. Find the length of their longest common
      subsequence: the longest string that can be obtained from both by deleting some characters
      without changing the order of the rest.
      """,
      "The first line contains the string a and the second line the string b; each has 1 to 100 characters from A, C, G, T.",
      "Print the length of the longest common subsequence.",
      ["ACGTA\nCGA\n"],
      lambda r: ["A\nA", "A\nC", "ACG\nGCA", "AAAA\nAA", "ACGT\nTGCA", "GATTACA\nTACGAT", "CCCC\nGGGG"]
      + [f"{''.join(r.choice('ACGT') for _ in range(r.randint(10, 100)))}\n{''.join(r.choice('ACGT') for _ in range(r.randint(10, 100)))}" for _ in range(3)],
      """
      a = input().strip()
      b = input().strip()
      prev = [0] * (len(b) + 1)
      for ch in a:
          cur = [0] * (len(b) + 1)
          for j in range(1, len(b) + 1):
              cur[j] = prev[j - 1] + 1 if ch == b[j - 1] else max(prev[j], cur[j - 1])
          prev = cur
      print(prev[len(b)])
      """,
      ["""
      a = input().strip()
      b = input().strip()
      print(sum(min(a.count(ch), b.count(ch)) for ch in "ACGT"))
      """]),

    P("knight-moves", "valid",
      """
      A chess knight stands on an n × n board. In one move it jumps two cells in one direction
      and one cell in a perpendicular direction, and it must stay on the board. Rows and columns
      are numbered from 1 to n. Find the smallest number of moves that bring the knight from
      (r1, c1) to (r2, c2), or -1 if it is impossible.
      """,
      "The first line contains an integer n (1 ≤ n ≤ 50). The second line contains four integers r1, c1, r2, c2 (1 ≤ r1, c1, r2, c2 ≤ n).",
      "Print the smallest number of moves, or -1.",
      ["8\n1 1 8 8\n"],
      ["1\n1 1 1 1", "2\n1 1 2 2", "3\n1 1 2 2", "3\n1 1 3 2", "3\n1 1 1 3", "4\n1 1 1 2", "50\n1 1 50 50",
       "8\n4 4 4 4", "8\n1 1 2 2", "5\n1 1 1 2", "4\n1 1 4 4"],
      """
      from collections import deque
      n = int(input())
      r1, c1, r2, c2 = map(int, input().split())
      dist = {(r1, c1): 0}
      queue = deque([(r1, c1)])
      while queue:
          r, c = queue.popleft()
          for dr, dc in ((1, 2), (2, 1), (-1, 2), (-2, 1), (1, -2), (2, -1), (-1, -2), (-2, -1)):
              nr, nc = r + dr, c + dc
              if 1 <= nr <= n and 1 <= nc <= n and (nr, nc) not in dist:
                  dist[(nr, nc)] = dist[(r, c)] + 1
                  queue.append((nr, nc))
      print(dist.get((r2, c2), -1))
      """,
      ["""
      from collections import deque
      n = int(input())
      r1, c1, r2, c2 = map(int, input().split())
      dist = {(r1, c1): 0}
      queue = deque([(r1, c1)])
      while queue:
          r, c = queue.popleft()
          for dr, dc in ((1, 2), (2, 1), (-1, 2), (-2, 1), (1, -2), (2, -1), (-1, -2), (-2, -1)):
              nr, nc = r + dr, c + dc
              if 0 <= nr <= n and 0 <= nc <= n and (nr, nc) not in dist:
                  dist[(nr, nc)] = dist[(r, c)] + 1
                  queue.append((nr, nc))
      print(dist.get((r2, c2), -1))
      """]),

    P("busiest-moment", "valid",
      """
      A museum logged n visits; visitor i was inside from time l_i to time r_i, both ends
      included. What is the largest number of visitors that were inside at the same moment?
      """,
      "The first line contains an integer n (1 ≤ n ≤ 100). Each of the next n lines contains two integers l_i and r_i (0 ≤ l_i ≤ r_i ≤ 10^4).",
      "Print the largest number of visitors inside at one moment.",
      ["3\n1 4\n2 6\n7 9\n"],
      lambda r: ["1\n0 0", "2\n1 5\n5 9", "3\n1 2\n2 3\n3 4", "2\n0 10\n0 10", "3\n0 1\n2 3\n4 5", "4\n1 1\n1 1\n0 2\n2 2"]
      + [intervals(r, r.randint(5, 100), 300) for _ in range(3)],
      """
      n = int(input())
      events = []
      for _ in range(n):
          l, r = map(int, input().split())
          events.append((l, 0))   # arrivals first at equal times: both ends are included
          events.append((r, 1))
      events.sort()
      inside = best = 0
      for _, kind in events:
          inside += 1 if kind == 0 else -1
          best = max(best, inside)
      print(best)
      """,
      ["""
      n = int(input())
      events = []
      for _ in range(n):
          l, r = map(int, input().split())
          events.append((l, 1))
          events.append((r, -1))
      events.sort()
      inside = best = 0
      for _, delta in events:
          inside += delta
          best = max(best, inside)
      print(best)
      """]),

    # ------------------------------------------------------------------ test
    P("house-robber", "test",
      """
      A row of n houses holds a_1, ..., a_n coins. A thief may take the coins of any houses, but
      never from two neighbouring houses, or the alarm goes off. What is the largest amount the
      thief can take?
      """,
      "The first line contains an integer n (1 ≤ n ≤ 100). The second line contains n integers a_1, ..., a_n (0 ≤ a_i ≤ 1000).",
      "Print the largest total.",
      ["4\n1 2 3 1\n"],
      lambda r: ["1\n5", "2\n3 9", "4\n2 1 1 2", "3\n0 0 0", "5\n5 1 1 5 1", "6\n10 1 1 10 1 10"]
      + [(lambda n: f"{n}\n{line(r.randint(0, 1000) for _ in range(n))}")(r.randint(5, 100)) for _ in range(3)],
      """
      n = int(input())
      a = list(map(int, input().split()))
      take, skip = 0, 0
      for x in a:
          take, skip = skip + x, max(take, skip)
      print(max(take, skip))
      """,
      ["""
      n = int(input())
      a = list(map(int, input().split()))
      print(max(sum(a[0::2]), sum(a[1::2])))
      """]),

    P("fix-brackets", "test",
      """
      A string of round brackets is balanced if every ( has a matching ) after it. You may insert
      brackets anywhere in the string. What is the smallest number of brackets you must insert to
      make it balanced?
      """,
      "The only line contains a string of 1 to 200 characters, each ( or ).",
      "Print the smallest number of insertions.",
      ["(()\n"],
      lambda r: ["(", ")", "()", "))((", ")(", "(((", "())(()", "()()()"]
      + ["".join(r.choice("()") for _ in range(r.randint(10, 200))) for _ in range(2)],
      """
      open_count = insert = 0
      for ch in input().strip():
          if ch == "(":
              open_count += 1
          elif open_count > 0:
              open_count -= 1
          else:
              insert += 1
      print(insert + open_count)
      """,
      ["""
      s = input().strip()
      print(abs(s.count("(") - s.count(")")))
      """]),

    P("fewest-hops", "test",
      """
      A network has n computers numbered 1 to n and m cables; each cable connects two computers
      and works in both directions. A message goes from computer 1 to computer n. What is the
      smallest number of cables it must pass through? Print -1 if it cannot arrive.
      """,
      "The first line contains two integers n and m (2 ≤ n ≤ 100, 0 ≤ m ≤ 500). Each of the next m lines contains two integers u and v (1 ≤ u, v ≤ n, u ≠ v).",
      "Print the smallest number of cables, or -1.",
      ["4 4\n1 2\n2 3\n3 4\n1 3\n"],
      lambda r: ["2 0", "2 1\n1 2", "2 1\n2 1", "3 1\n1 2", "3 2\n3 2\n2 1", "4 3\n4 3\n3 2\n1 2", "5 4\n1 2\n2 3\n3 1\n4 5"]
      + [(lambda n, m: f"{n} {m}\n" + "\n".join(f"{u} {v}" for u, v in (r.sample(range(1, n + 1), 2) for _ in range(m))))(r.randint(5, 60), r.randint(5, 80))
         for _ in range(3)],
      """
      from collections import deque
      n, m = map(int, input().split())
      adj = [[] for _ in range(n + 1)]
      for _ in range(m):
          u, v = map(int, input().split())
          adj[u].append(v)
          adj[v].append(u)
      dist = [-1] * (n + 1)
      dist[1] = 0
      queue = deque([1])
      while queue:
          u = queue.popleft()
          for v in adj[u]:
              if dist[v] == -1:
                  dist[v] = dist[u] + 1
                  queue.append(v)
      print(dist[n])
      """,
      ["""
      from collections import deque
      n, m = map(int, input().split())
      adj = [[] for _ in range(n + 1)]
      for _ in range(m):
          u, v = map(int, input().split())
          adj[u].append(v)
      dist = [-1] * (n + 1)
      dist[1] = 0
      queue = deque([1])
      while queue:
          u = queue.popleft()
          for v in adj[u]:
              if dist[v] == -1:
                  dist[v] = dist[u] + 1
                  queue.append(v)
      print(dist[n])
      """]),

    P("exact-weight", "test",
      """
      A scale must be balanced with a weight of exactly s grams. You have n weights of w_1, ...,
      w_n grams, each can be used at most once. Can you pick some of them that weigh exactly s
      grams together?
      """,
      "The first line contains two integers n and s (1 ≤ n ≤ 30, 1 ≤ s ≤ 10^4). The second line contains n integers w_1, ..., w_n (1 ≤ w_i ≤ 1000).",
      "Print YES if it is possible and NO otherwise.",
      ["4 9\n5 3 4 2\n"],
      lambda r: ["1 5\n5", "1 5\n4", "3 6\n4 3 3", "3 10\n6 5 5", "2 3\n2 2", "4 10000\n1000 1000 1000 1000",
                 "5 7\n5 4 3 1 1", "3 8\n5 4 4"]
      + [f"10 {r.randint(50, 500)}\n{line(r.randint(10, 100) for _ in range(10))}" for _ in range(2)],
      """
      n, s = map(int, input().split())
      w = list(map(int, input().split()))
      can = [True] + [False] * s
      for x in w:
          for t in range(s, x - 1, -1):
              if can[t - x]:
                  can[t] = True
      print("YES" if can[s] else "NO")
      """,
      ["""
      n, s = map(int, input().split())
      w = sorted(map(int, input().split()), reverse=True)
      left = s
      for x in w:
          if x <= left:
              left -= x
      print("YES" if left == 0 else "NO")
      """]),
]
