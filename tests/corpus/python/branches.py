"""if/elif/else chains, nested conditions, 'not' precedence, one-line bodies, conditional expressions."""


def classify(n):
    if n < 0:
        return "negative"
    elif n == 0:
        return "zero"
    elif n < 10:
        return "small"
    elif n < 100:
        return "medium"
    else:
        return "large"


def nested(a, b):
    r = 0
    if a > 0:
        if b > 0:
            r = 1
        else:
            r = 2
    if a < 0:
        if b < 0: r = 3
    else: r += 10
    return r


def precedence(a, b, c):
    if a > b and b > 0 or c:
        result = True
    else:
        result = False
    if not a == b and not c:
        result = not result
    if a is not None and b in (1, 2):
        result = str(result) + "!"
    return result


def membership(word):
    vowels = "aeiou"
    if word and word[0] in vowels:
        kind = "vowel"
    elif not word:
        kind = "empty"
    else:
        kind = "consonant"
    size = "long" if len(word) > 4 else "short" if word else "none"
    return kind, size


def early(x):
    if x > 50:
        return 5
    y = x * 2
    if y > 40: return 4
    if y <= 10:
        y += 100
    return y


def truthiness(values):
    out = []
    for v in values:
        if v:
            out.append("T")
        else:
            out.append("F")
        if not v or v == 3:
            out.append("!")
    return "".join(out)


def main():
    for v in (-5, 0, 7, 42, 420):
        print(v, classify(v))
    print([nested(a, b) for a in (-1, 0, 1) for b in (-1, 0, 1)])
    print(precedence(3, 2, False), precedence(1, 1, True), precedence(0, 2, False))
    print(membership("apple"), membership(""), membership("kiwi"))
    print(early(60), early(25), early(3), early(10))
    print(truthiness([0, 1, "", "x", None, 3, [], [0]]))


main()
