"""Lists, dicts and objects reached through two names; in-place versus rebinding operations."""


class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y


def lists():
    a = [1, 2, 3, 4]
    b = a
    a[0] = 10
    first = b[0]
    b[1] = first + 1
    second = a[1]
    c = a[:]
    c[2] = 99
    third = a[2]
    return first, second, third


def objects():
    p = Point(1, 2)
    q = p
    p.x = 5
    seen = q.x
    q.y = seen * 2
    y = p.y
    r = Point(p.x, p.y)
    r.x = 0
    return seen, y, p.x, r.x


def dicts(key):
    d = {"a": 1}
    e = d
    d[key] = 7
    v = e.get(key)
    e["b"] = v + 1
    w = d["b"]
    return v, w, sorted(d.items())


def index_alias(data, i, j):
    data[i] = 7
    v = data[j]
    data[j] = v + 1
    w = data[i]
    return v * 10 + w


def nested_lists():
    row = [0] * 3
    grid = [row] * 3
    grid[0][1] = 5
    fresh = [[0] * 3 for _ in range(3)]
    fresh[0][1] = 5
    return grid, fresh


def slices():
    xs = list(range(10))
    ys = xs
    xs[2:5] = ["a"]
    n = len(ys)
    del ys[::2]
    return n, xs


def main():
    print(lists())
    print(objects())
    print(dicts("k"), dicts("a"))
    data = [0, 0, 0]
    first = index_alias(data, 1, 1)
    second = index_alias(data, 0, 2)
    print(first, second, data)
    print(nested_lists())
    print(slices())


main()
