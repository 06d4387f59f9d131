"""Small algorithms: sorting, searching, dynamic programming, string processing."""


def bubble_sort(a):
    a = list(a)
    n = len(a)
    swapped = True
    while swapped:
        swapped = False
        for i in range(1, n):
            if a[i - 1] > a[i]:
                a[i - 1], a[i] = a[i], a[i - 1]
                swapped = True
        n -= 1
    return a


def insertion_sort(a):
    a = list(a)
    for i in range(1, len(a)):
        key = a[i]
        j = i - 1
        while j >= 0 and a[j] > key:
            a[j + 1] = a[j]
            j -= 1
        a[j + 1] = key
    return a


def binary_search(a, target):
    lo, hi = 0, len(a) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        if a[mid] < target:
            lo = mid + 1
        elif a[mid] > target:
            hi = mid - 1
        else:
            return mid
    return -(lo + 1)


def lcs(a, b):
    rows = len(a) + 1
    cols = len(b) + 1
    table = [[0] * cols for _ in range(rows)]
    for i in range(1, rows):
        for j in range(1, cols):
            if a[i - 1] == b[j - 1]:
                table[i][j] = table[i - 1][j - 1] + 1
            else:
                table[i][j] = max(table[i - 1][j], table[i][j - 1])
    return table[-1][-1]


def sieve(limit):
    composite = [False] * (limit + 1)
    primes = []
    for i in range(2, limit + 1):
        if composite[i]:
            continue
        primes.append(i)
        for j in range(i * i, limit + 1, i):
            composite[j] = True
    return primes


def run_length(text):
    out = []
    count = 1
    for i in range(1, len(text) + 1):
        if i < len(text) and text[i] == text[i - 1]:
            count += 1
            continue
        out.append(f"{text[i - 1]}{count}")
        count = 1
    return "".join(out)


def gcd(a, b):
    while b:
        a, b = b, a % b
    return a


def main():
    data = [9, 4, 7, 1, 8, 2, 2, 6]
    s1 = bubble_sort(data)
    s2 = insertion_sort(data)
    print(s1, s1 == s2, data)
    print(binary_search(s1, 7), binary_search(s1, 5), binary_search(s1, 100))
    print(lcs("metamorphic", "morphism"))
    p = sieve(100)
    print(len(p), p[-3:])
    print(run_length("aaabccddddde"))
    print(gcd(84, 36), gcd(17, 5))


main()
