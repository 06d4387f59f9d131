/* Side effects in conditions and operands: i++ < n, calls that print, assignment in tests. */
#include <stdio.h>

static int calls = 0;

static int next(int v) {
    calls++;
    printf("n%d ", v);
    return v + calls;
}

static int check(const char *tag, int result) {
    printf("%s ", tag);
    return result;
}

static int increment_loop(int n) {
    int i = 0, steps = 0;
    while (i++ < n)
        steps += i;
    return steps * 100 + i;
}

static int compare_calls(void) {
    int a = 0;
    if (next(1) < next(2))
        a += 1;
    if (next(5) >= next(1)) {
        a += 10;
    }
    if (next(3) == next(3))
        a += 100;
    return a;
}

static int array_index(const int *xs, int n) {
    int i = 0, count = 0;
    while (i < n - 1) {
        int cur = xs[i++];
        if (cur > xs[i])
            count++;
    }
    return count;
}

static int assign_in_condition(const int *xs) {
    int pos = 0, v, sum = 0;
    while ((v = xs[pos]) != 0) {
        sum += v;
        pos++;
    }
    return sum * 10 + pos;
}

static int short_circuit(int x) {
    int r = (check("a", x > 0) && check("b", x > 5)) || check("c", x < -5);
    int s = !check("d", x == 3) || check("e", 1);
    printf("| ");
    return r * 2 + s;
}

static int comma_and_ternary(int x) {
    int k = 0;
    int y = x > 3 ? k++ : --k;
    int z = (x & 1) == 0 ? x >> 1 : 3 * x + 1;
    int w = (k += 2, k * 3);
    return y * 1000 + z * 10 + w;
}

int main(void) {
    printf("%d\n", increment_loop(5));
    int r = compare_calls();
    printf("\n%d %d\n", r, calls);
    int xs[] = {5, 3, 8, 1, 9, 2};
    printf("%d\n", array_index(xs, 6));
    int ys[] = {4, 6, 1, 0, 7};
    printf("%d\n", assign_in_condition(ys));
    for (int x = -7; x <= 7; x += 3)
        printf("%d\n", short_circuit(x));
    printf("%d %d\n", comma_and_ternary(2), comma_and_ternary(5));
    int j = 0;
    for (int i = 0; i < 5 && j++ < 3; i++)
        printf("%d:%d ", i, j);
    printf("\n");
    return calls;
}
