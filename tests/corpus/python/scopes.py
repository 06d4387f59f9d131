"""Closures, nonlocal, global, shadowing, class bodies and comprehension scopes."""

counter = 0
label = "module"


def bump(step):
    global counter
    counter += step
    return counter


def make_accumulator(start):
    total = start

    def add(value):
        nonlocal total
        total += value
        return total

    def peek():
        return total

    return add, peek


def shadow(label):
    result = label * 2
    if len(result) > 4:
        label = result[:3]
    inner = [label + str(i) for i in range(3)]
    i = "outer-i"
    return inner, i, label


def late_binding():
    funcs = []
    for k in range(3):
        funcs.append(lambda: k * 10)
    early = []
    for k in range(3):
        early.append(lambda k=k: k * 10)
    return [f() for f in funcs], [f() for f in early]


class Box:
    size = 3

    def __init__(self, size):
        self.size = size
        size = size + 1
        self.next_size = size

    def grow(self, by):
        size = self.size + by
        self.size = size
        return Box.size + size


def nested_functions(n):
    def outer(a):
        b = a + n

        def inner(c):
            return a + b + c + n

        return inner

    return outer(1)(2)


def main():
    print(bump(2), bump(3), counter)
    add, peek = make_accumulator(10)
    add(5)
    add(-2)
    print(peek())
    print(shadow("ab"), shadow("x"))
    print(late_binding())
    b = Box(4)
    print(b.size, b.next_size, b.grow(2), b.size, Box.size)
    print(nested_functions(10))
    label = "local"
    print(label, globals()["label"])


if __name__ == "__main__":
    main()
