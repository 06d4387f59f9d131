/* Globals and locals with the same name, nested block shadowing, static locals, macros naming locals. */
#include <stdio.h>

int count = 100;
static int limit = 5;

#define SCALE(v) ((v) * factor)
#define TWICE(x) ((x) + (x))

static int counter(void) {
    static int calls = 0;
    calls++;
    return calls * 10;
}

static int uses_global(int n) {
    int total = count + n;
    {
        int count = 3;
        total += count;
        {
            int count = 4;
            total += count * 100;
        }
        total += count;
    }
    return total + count;
}

static int macro_local(int factor) {
    int a = 2;
    int b = SCALE(a) + TWICE(factor);
    int r = SCALE(b);
    return r;
}

static int param_shadows(int limit) {
    int result = 0;
    for (int i = 0; i < limit; i++) {
        int limit2 = i * 2;
        result += limit2;
    }
    return result + limit;
}

static int loop_scopes(void) {
    int i = 42;
    int sum = 0;
    for (int i = 0; i < 3; i++) {
        sum += i;
    }
    for (int i = 10; i > 7; i--) {
        int j = i;
        sum += j;
    }
    return sum * 100 + i;
}

int main(void) {
    printf("%d\n", uses_global(1));
    printf("%d\n", macro_local(3));
    printf("%d %d\n", param_shadows(4), param_shadows(limit));
    printf("%d\n", loop_scopes());
    int a = counter();
    int b = counter();
    int c = counter();
    printf("%d %d %d\n", a, b, c);
    int count = 7;
    count += limit;
    printf("%d\n", count);
    return count % 7;
}
