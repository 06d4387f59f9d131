"""Comprehensions with nested fors and filters, f-strings naming locals, sorting with key lambdas."""


def grid(n):
    cells = [(r, c) for r in range(n) for c in range(n) if (r + c) % 2 == 0]
    squares = {k: k * k for k in range(n) if k != 2}
    parity = sorted({x % 3 for x in range(n * 2)})
    total = sum(r * c for r, c in cells)
    return cells, squares, parity, total


def formatted(name, value, width=8):
    ratio = value / 3
    text = f"{name!r:>{width}}|{value:04d}|{ratio:.3f}|{value=}"
    pct = "%s is %d%%" % (name, value)
    return text, pct, "{0}-{1}".format(name, value)


def nested_comprehension(words):
    by_first = {}
    for word in words:
        by_first.setdefault(word[0], []).append(word)
    summary = [f"{letter}:{len(group)}" for letter, group in sorted(by_first.items())]
    flat = [ch for word in words if len(word) > 3 for ch in word if ch in "aeiou"]
    return summary, "".join(flat)


def sorting(records):
    by_score = sorted(records, key=lambda rec: (-rec[1], rec[0]))
    best = max(records, key=lambda rec: rec[1])
    names = [name.upper() for name, score in by_score if score >= 50]
    return [n for n, _ in by_score], best, names


def generators(limit):
    gen = (i * i for i in range(limit) if i % 2)
    first = next(gen)
    rest = list(gen)
    matrix = [[i * j for j in range(3)] for i in range(3)]
    transposed = [list(col) for col in zip(*matrix)]
    return first, rest, transposed


def main():
    print(grid(4))
    print(formatted("x", 42))
    print(nested_comprehension(["apple", "avocado", "kiwi", "fig", "banana", "blueberry"]))
    print(sorting([("ann", 50), ("bob", 70), ("cy", 50), ("dee", 20)]))
    print(generators(9))


main()
