/* continue in for loops, nested loops, switch inside loops, goto, do-while, comma in updates. */
#include <stdio.h>

static int skip_odds(int n) {
    int sum = 0;
    int i;
    for (i = 0; i < n; i++) {
        if (i % 2)
            continue;
        sum += i;
    }
    return sum * 100 + i;
}

static int nested(int n) {
    int hits = 0;
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            if (j == i)
                continue;
            if (j > i)
                break;
            hits += i * 10 + j;
        }
    }
    return hits;
}

static void switch_in_loop(int n, char *out) {
    int pos = 0;
    for (int i = 0; i < n; i++) {
        switch (i % 4) {
        case 0:
            out[pos++] = 'a';
            continue;
        case 1:
            out[pos++] = 'b';
            break;
        case 2:
            if (i > 5)
                continue;
            out[pos++] = 'c';
            /* fall through */
        default:
            out[pos++] = 'd';
        }
        out[pos++] = (char)('0' + i);
    }
    out[pos] = '\0';
}

static int while_loops(int n) {
    int i = 0, acc = 0;
    while (i < n) {
        i++;
        if (i == 3) continue;
        acc += i;
    }
    int k = 10;
    do {
        acc -= k;
        k -= 3;
    } while (k > 0);
    return acc;
}

static int comma_update(int n) {
    int sum = 0, i, j;
    for (i = 0, j = n; i < j; i++, j--) {
        if (i == 2) continue;
        sum += j - i;
    }
    return sum * 1000 + i * 10 + j;
}

static int with_goto(int n) {
    int steps = 0;
    int x = n;
again:
    if (x == 1)
        goto done;
    x = (x % 2) ? 3 * x + 1 : x / 2;
    steps++;
    goto again;
done:
    return steps;
}

static int forever(void) {
    int x = 1, y = 0;
    for (;;) {
        x *= 2;
        if (x > 50) break;
    }
    while (1) {
        y++;
        if (y * y > x)
            break;
    }
    return x + y;
}

int main(void) {
    char buf[64];
    printf("%d\n", skip_odds(11));
    printf("%d\n", nested(5));
    switch_in_loop(10, buf);
    printf("%s\n", buf);
    printf("%d\n", while_loops(6));
    printf("%d\n", comma_update(9));
    printf("%d %d\n", with_goto(27), with_goto(1));
    printf("%d\n", forever());
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            if (i == j) continue;
            printf("%d%d ", i, j);
        }
    printf("\n");
    return 0;
}
