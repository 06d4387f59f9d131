/* if/else chains with and without braces, dangling else, precedence, nested ternaries. */
#include <stdio.h>

static const char *classify(int n) {
    if (n < 0)
        return "negative";
    else if (n == 0)
        return "zero";
    else if (n < 10) {
        return "small";
    } else if (n < 100)
        return "medium";
    else
        return "large";
}

static int dangling(int a, int b) {
    int r = 0;
    if (a > 0)
        if (b > 0)
            r = 1;
        else
            r = 2;
    if (a < 0) {
        if (b < 0) r = 3;
    } else r += 10;
    return r;
}

static int precedence(int a, int b, int c) {
    int result;
    if (a > b && b > 0 || c)
        result = 1;
    else
        result = 0;
    if (!(a == b) ^ c)
        result = !result;
    if (a & 1 == 1)
        result += 10;
    if (a = b)
        result += 100;
    return result + a;
}

static int early(int x) {
    if (x > 50) {
        return 5;
    }
    int y = x * 2;
    if (y > 40) return 4;
    if (y <= 10) {
        y += 100;
    }
    return y;
}

static int ternaries(int x) {
    return x < 0 ? -1 : x == 0 ? 0 : x < 10 ? 1 : 2;
}

static int not_chain(int a, int b) {
    int r = 0;
    if (!a)
        r |= 1;
    if (!a || b)
        r |= 2;
    if (!(a && !b))
        r |= 4;
    if (a != 0 && b == 0) {
        r |= 8;
    } else if (a == 0) {
        r |= 16;
    } else {
        r |= 32;
    }
    return r;
}

int main(void) {
    int values[] = {-5, 0, 7, 42, 420};
    for (int i = 0; i < 5; i++)
        printf("%d %s\n", values[i], classify(values[i]));
    for (int a = -1; a <= 1; a++)
        for (int b = -1; b <= 1; b++)
            printf("%d ", dangling(a, b));
    printf("\n");
    printf("%d %d %d\n", precedence(3, 2, 0), precedence(1, 1, 1), precedence(0, 2, 0));
    printf("%d %d %d %d\n", early(60), early(25), early(3), early(10));
    printf("%d %d %d %d\n", ternaries(-3), ternaries(0), ternaries(5), ternaries(50));
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 2; b++)
            printf("%d ", not_chain(a, b));
    printf("\n");
    return 3;
}
