/* Conditional assignments and compound steps whose types differ: unsigned, long, pointers, chars. */
#include <stdio.h>
#include <string.h>

static int calls = 0;

static int bump(int v) {
    calls++;
    return v + calls;
}

static long widen(int x, unsigned u) {
    long wide = x > 0 ? -1 : 1;
    long mixed = x > 0 ? -1 : u;   /* the common type is unsigned: 4294967295 when x > 0 */
    unsigned small = x > 2 ? -1 : 0;
    wide += mixed;
    return wide + small;
}

static const char *pick(const char *a, const char *b, int which) {
    const char *chosen = which ? a : NULL;
    if (!chosen)
        chosen = which > 1 ? b : a;
    return chosen;
}

static int letters(const char *s) {
    int count = 0, i;
    char last = 'a';
    for (i = 0; s[i]; i++) {
        char c = s[i];
        last = c > last ? c : last;
        count += c == 'x' ? 10 : 1;
        if (c == 'z') count = count > 20 ? 20 : count, count++;
    }
    return count * 1000 + last;
}

static double scaled(int n, double d) {
    double r = n > 3 ? d : 0;
    float f = 1.5f;
    f *= n;
    r += n > 1 ? f : 2;
    r -= bump(n);
    r = r * 2 - 1;
    r = r / (n + 1);
    return r;
}

struct limits {
    long big;
    unsigned small;
    float ratio;
};

static long members(const struct limits *l, int x) {
    long v = x ? l->big : 7;
    unsigned w = x > 1 ? l->small : 'z';
    long bad = x ? -1 : l->small;      /* unsigned common type: 4294967295 */
    int rounded = x > 2 ? 16777217 : l->ratio;  /* float common type: 16777216 */
    w = w << 1;
    v = v - w;
    return v + w + bad + rounded;
}

int main(void) {
    struct limits l = {1L << 40, 3000000000u, 0.5f};
    printf("%ld %ld %ld\n", widen(1, 7u), widen(-1, 7u), widen(3, 2u));
    printf("%s %s %s\n", pick("a", "b", 0) ? pick("a", "b", 0) : "null", pick("a", "b", 1), pick("a", "b", 2));
    printf("%d %d %d\n", letters("abc"), letters("xyzzy"), letters(""));
    double first = scaled(2, 1.25);
    double second = scaled(5, -2.5);
    printf("%.3f %.3f %d\n", first, second, calls);
    printf("%ld %ld %ld %ld\n", members(&l, 0), members(&l, 1), members(&l, 2), members(&l, 3));
    return 0;
}
