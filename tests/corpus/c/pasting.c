/* Macros that paste tokens into names and print their arguments, __func__, prototypes and
   mutual recursion: names the preprocessor builds or prints must survive a rewrite. */
#include <stdio.h>

#define PASTE(a, b) a##b
#define SHOW(expr) printf("%s = %d\n", #expr, (expr))
#define FIELD(name) counter_##name

struct counters { int counter_even; int counter_odd; };

static int is_even(int n);
static int is_odd(int n);

static int is_even(int n) { return n == 0 ? 1 : is_odd(n - 1); }
static int is_odd(int n) { return n == 0 ? 0 : is_even(n - 1); }

static int sum_digits(int value) {
    int total = 0;
    while (value > 0) {
        total += value % 10;
        value /= 10;
    }
    return total;
}

static int pasted(int x) {
    int x1 = 40, x2 = 2;
    return PASTE(x, 1) + PASTE(x, 2) + x;
}

static void tally(struct counters *c, int limit) {
    for (int i = 0; i < limit; i++) {
        if (is_even(i)) {
            c->FIELD(even)++;
        } else {
            c->FIELD(odd)++;
        }
    }
    printf("%s: %d even, %d odd\n", __func__, c->counter_even, c->counter_odd);
}

int main(void) {
    struct counters c = {0, 0};
    int width = 7;
    SHOW(width * 3);
    SHOW(sum_digits(9875));
    printf("%d %d\n", pasted(1), is_odd(7));
    tally(&c, 9);
    return 0;
}
