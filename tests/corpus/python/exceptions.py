"""try/except/else/finally, return in finally, raise from, context managers, exceptions in loops."""
import sys

trace = []


class Resource:
    def __init__(self, name):
        self.name = name

    def __enter__(self):
        trace.append("open " + self.name)
        return self

    def __exit__(self, exc_type, exc, tb):
        trace.append("close " + self.name)
        return exc_type is KeyError

    def read(self, i):
        if i > 2:
            raise KeyError(self.name)
        return i * 11


def finally_overrides(x):
    try:
        if x > 0:
            return x
        raise ValueError("neg")
    except ValueError:
        return -1
    finally:
        if x > 10:
            return 10


def parse_all(items):
    total = 0
    bad = 0
    for i, item in enumerate(items):
        try:
            v = int(item)
        except ValueError:
            bad += 1
            continue
        else:
            trace.append(f"ok{i}")
        finally:
            trace.append(str(i))
        if v < 0:
            continue
        total += v
    return total * 100 + bad


def chained():
    try:
        try:
            {}["missing"]
        except KeyError as exc:
            raise RuntimeError("wrapped") from exc
    except RuntimeError as err:
        return type(err.__cause__).__name__, str(err)


def resources():
    total = 0
    with Resource("A") as a, Resource("B") as b:
        for i in range(5):
            total += a.read(i) + b.read(i)
    return total


def while_try(n):
    i = 0
    out = []
    while i < n:
        i += 1
        try:
            if i % 3 == 0:
                raise ZeroDivisionError
            out.append(10 // (4 - i))
        except ZeroDivisionError:
            out.append("z")
            continue
        finally:
            out.append(".")
    return out


def main():
    print(finally_overrides(5), finally_overrides(-5), finally_overrides(50))
    print(parse_all(["1", "x", "20", "-4", "300", ""]))
    print(chained())
    print(resources())
    print(while_try(6))
    print("; ".join(trace))
    try:
        raise SystemExit(4)
    finally:
        print("exiting", file=sys.stdout)


main()
