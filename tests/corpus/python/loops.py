"""for-else, while-else, continue in nested loops, loop variables after loops, modified loop vars."""


def find_first(items, target):
    for index, item in enumerate(items):
        if item == target:
            break
    else:
        index = -1
    return index


def while_else(n):
    i = 0
    out = []
    while i < n:
        i += 1
        if i % 2 == 0:
            continue
        out.append(i)
        if i > 7:
            break
    else:
        out.append("done")
    return out


def loop_var_after():
    for i in range(3):
        pass
    last = i
    for j in range(10, 0, -3):
        if j < 5:
            continue
    return last, j


def modify_loop_var():
    seen = []
    for i in range(5):
        i *= 10
        seen.append(i)
    k = 0
    while k < 5:
        seen.append(k)
        k += 2
    return seen


def nested_continue(n):
    hits = 0
    for i in range(n):
        for j in range(n):
            if j == i:
                continue
            if j > i:
                break
            hits += i * 10 + j
    return hits


def zipped(a, b):
    total = 0
    for x, y in zip(a, b):
        if x is None:
            continue
        total += x * y
    for idx in reversed(range(len(a))):
        total -= idx
    return total


def mutate_while_iterating():
    xs = [1, 2, 3]
    count = 0
    for x in xs:
        if x < 3 and len(xs) < 6:
            xs.append(x + 10)
        count += 1
    return count, xs


def main():
    print(find_first([4, 8, 15, 16], 15), find_first([1, 2], 9))
    print(while_else(5), while_else(20))
    print(loop_var_after())
    print(modify_loop_var())
    print(nested_continue(5))
    print(zipped([1, None, 3, 4], [5, 6, 7]))
    print(mutate_while_iterating())
    total = 0
    n = 0
    while True:
        n += 1
        if n % 3 == 0:
            continue
        total += n
        if n >= 10:
            break
    print(total, n)


main()
