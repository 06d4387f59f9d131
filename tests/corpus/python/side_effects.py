"""Side effects in conditions: calls that log, chained comparisons, walrus, short-circuit."""
import sys

log = []


def nxt(v):
    log.append(f"n{v}")
    return v + len(log)


def check(tag, result):
    log.append(tag)
    return result


def compare_calls():
    a = 0
    if nxt(1) < nxt(2):
        a += 1
    if nxt(5) >= nxt(1):
        a += 10
    if nxt(3) == nxt(3):
        a += 100
    return a


def chained(x):
    out = []
    if 0 < x < 10:
        out.append("digit")
    if x <= 5 >= 2:
        out.append("chain")
    if nxt(0) < x <= nxt(1):
        out.append("calls")
    return out


def walrus(data):
    total = 0
    pos = 0
    while (v := data[pos]) != 0:
        total += v
        pos += 1
    if (n := len(data)) > 3:
        total += n
    return total


def short_circuit(x):
    r = check("a", x > 0) and check("b", x > 5) or check("c", x < -5)
    s = not check("d", x == 3) or check("e", True)
    return r, s


def default_mutable(item, bucket=[]):
    bucket.append(item)
    return len(bucket)


def augmented():
    a = [1]
    b = a
    a += [2]
    c = a
    a = a + [3]
    return a, b, c


def main():
    r = compare_calls()
    print(r, log)
    for x in (-1, 3, 7, 12):
        print(x, chained(x))
    print(walrus([4, 6, 1, 0, 7]))
    for x in range(-7, 8, 3):
        print(short_circuit(x))
    print(default_mutable(1), default_mutable(2), default_mutable(3))
    print(augmented())
    print(" ".join(log))
    sys.exit(len(log) % 7)


main()
