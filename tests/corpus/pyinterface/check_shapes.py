"""The library's own test: calls shapes.py the way its users would, by keyword included."""

import sys

import shapes


def main():
    failures = 0

    def check(label, got, expected):
        nonlocal failures
        status = "ok" if got == expected else "FAIL"
        failures += status == "FAIL"
        print(f"{status} {label}: {got!r}")

    check("area by keyword", shapes.area(width=3, height=4), 12)
    check("area default", shapes.area(5), 5)
    check("area from dict", shapes.area(**{"width": 2, "height": 6}), 12)
    check("scale", shapes.scale(1, 2, 3, factor=3, reverse=True, tag="x"), ([9, 6, 3], ["reverse", "tag"]))
    check("clamp", shapes.clamp(15, low=0, high=10), 10)
    check("perimeter wrapped", shapes.perimeter(width=2, height=3), 10)
    check("wraps keeps the name", shapes.perimeter.__name__, "perimeter")
    counter = shapes.make_counter(start=10, step=5)
    counter()
    check("closure", counter(times=2), 25)
    check("locals()", shapes.summarize(values=[1, 2, 3], name="nums"), "nums: total=6 mean=2.00")
    check("f-string =", shapes.debug_line(label="x", amount=4), "label='x' doubled=8")
    rectangle = shapes.Rectangle(width=2, height=3, label="a")
    check("describe", shapes.describe(rectangle, unit="m", precision=0), ["2m", "3m", "2m", "3m"])
    check("method by keyword", repr(rectangle.resized(by=2, keep_label=False)), "Rectangle(4, 6, \"a'\")")
    check("classmethod", repr(shapes.Rectangle.square(side=3, label="q")), "Rectangle(3, 3, 'q')")
    check("staticmethod", shapes.Rectangle.ratio(second=4, first=2), 0.5)
    polygon = shapes.Polygon(sides_=[1, 2, 3], name="tri")
    check("dataclass", (polygon.name, polygon.perimeter(extra=1)), ("tri", 7))
    check("classify", shapes.classify([3, -1, 5], threshold=2), ([-1], [3, 5]))
    check("lambda by keyword", shapes.weight(mass=2, gravity=10), 20)
    check("fibonacci", shapes.fibonacci(limit=20), [0, 1, 1, 2, 3, 5, 8, 13])
    check("apply forwards keywords", shapes.apply(shapes.area, width=7, height=2), 14)
    try:
        shapes.clamp(value=1, low=0, high=2)
    except TypeError:
        print("ok positional-only stays positional-only")
    else:
        failures += 1
        print("FAIL positional-only accepted a keyword")
    print(f"{failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
