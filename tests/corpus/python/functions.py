"""Keyword arguments, defaults, *args/**kwargs, keyword-only and positional-only parameters, generators."""
import functools


def describe(name, age=30, *, city="Paris", tags=()):
    return f"{name}/{age}/{city}/{','.join(tags)}"


def positional(a, b, /, c, d=4):
    return a * 1000 + b * 100 + c * 10 + d


def collect(first, *rest, **options):
    keys = sorted(options)
    return first, list(rest), [(k, options[k]) for k in keys]


def forward(*args, **kwargs):
    return collect(*args, **kwargs)


def traced(func):
    calls = []

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        calls.append(func.__name__)
        return func(*args, **kwargs), len(calls)

    return wrapper


@traced
def power(base, exponent=2):
    result = 1
    for _ in range(exponent):
        result *= base
    return result


def countdown(n):
    while n > 0:
        yield n
        n -= 1
    yield "liftoff"


def fib_gen(limit):
    a, b = 0, 1
    while a < limit:
        yield a
        a, b = b, a + b


def recursive_sum(values, start=0):
    if not values:
        return start
    head, *tail = values
    return recursive_sum(tail, start=start + head)


def keyword_call(x, y, scale=1):
    return (x - y) * scale


def main():
    print(describe("Ann"), describe("Bob", 40, city="Rome", tags=("a", "b")))
    print(describe(age=5, name="Cy"))
    print(positional(1, 2, 3), positional(1, 2, c=5, d=6))
    print(collect(1, 2, 3, z=1, a=2))
    print(forward("x", y="why"))
    print(power(3), power(2, exponent=10), power(base=5, exponent=3))
    print(list(countdown(3)))
    print(list(fib_gen(100)))
    print(recursive_sum([1, 2, 3, 4], start=10))
    x, y = 10, 3
    print(keyword_call(y=x, x=y), keyword_call(x, y, scale=-2))
    args = {"x": 1, "y": 2}
    print(keyword_call(**args, scale=5))


main()
