"""A small library whose callers (check_shapes.py) use every way Python has to name a name.

Written for tests/test_python_interface.py: rewriting this module with any relation must leave
check_shapes.py printing the same thing.
"""

import functools
from dataclasses import dataclass, field


def area(width, height=1):
    product = width * height
    return product


def scale(*values, factor=2, **options):
    scaled = [value * factor for value in values]
    if options.get("reverse"):
        scaled.reverse()
    return scaled, sorted(options)


def clamp(value, /, low, high):
    limited = min(max(value, low), high)
    return limited


def logged(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        result = function(*args, **kwargs)
        print(f"{function.__name__}{args} {sorted(kwargs.items())} -> {result}")
        return result

    return wrapper


@logged
def perimeter(width, height):
    total = 2 * (width + height)
    return total


def make_counter(start=0, step=1):
    count = start

    def advance(times=1):
        nonlocal count
        count += step * times
        return count

    return advance


def summarize(name, values):
    total = sum(values)
    mean = total / len(values)
    return "{name}: total={total} mean={mean:.2f}".format(**locals())


def debug_line(label, amount):
    doubled = amount * 2
    return f"{label=} {doubled=}"


def describe(shape, unit="cm", *, precision=1):
    def fmt(number, digits):
        rounded = round(number, digits)
        return f"{rounded}{unit}"

    return [fmt(side, precision) for side in shape.sides()]


def fibonacci(limit):
    def step(previous, current):
        return current, previous + current

    first, second, found = 0, 1, []
    while first < limit:
        found.append(first)
        first, second = step(first, second)
    return found


def classify(numbers, threshold=0):
    small = []
    large = []
    for number in numbers:
        if number > threshold:
            large.append(number)
        else:
            small.append(number)
    return small, large


weight = lambda mass, gravity=9.8: round(mass * gravity, 2)


class Rectangle:
    kind = "rectangle"

    def __init__(self, width, height, label="r"):
        self.width = width
        self.height = height
        self.label = label

    def sides(self):
        return [self.width, self.height, self.width, self.height]

    def resized(self, by=1, *, keep_label=True):
        label = self.label if keep_label else self.label + "'"
        return Rectangle(width=self.width * by, height=self.height * by, label=label)

    @classmethod
    def square(cls, side, label="s"):
        return cls(side, side, label=label)

    @staticmethod
    def ratio(first, second):
        return first / second

    def __repr__(self):
        return f"Rectangle({self.width}, {self.height}, {self.label!r})"


@dataclass
class Polygon:
    sides_: list = field(default_factory=list)
    name: str = "polygon"

    def sides(self):
        return list(self.sides_)

    def perimeter(self, extra=0):
        edges = self.sides()
        return sum(edges) + extra


def apply(function, *args, **kwargs):
    outcome = function(*args, **kwargs)
    return outcome
