"""Augmented assignments on numbers, strings and lists (aliases see in-place changes), conditional values."""


def accumulate(values):
    total = 0
    text = ""
    ratio = 1.0
    parts = []
    alias = parts
    for i in range(len(values)):
        total += values[i] if values[i] > 0 else 0
        text += "x"
        ratio /= 2
        parts += [i]
    count = len(values)
    count -= 1
    count = count * 2
    return total, text, ratio, parts, alias, count


def pick(a, b):
    larger = a if a > b else b
    label = "even" if larger % 2 == 0 else "odd"
    pair = [a, b]
    pair[0] = pair[1] if a < b else pair[0]
    return larger, label, pair


def shared():
    rows = [[0] * 2] * 2
    first = rows[0]
    first += [1]
    tup = (1,)
    tup += (2,)
    return rows, tup


print(accumulate([3, -1, 4]))
print(accumulate([]))
print(pick(3, 8), pick(9, 2))
print(shared())
