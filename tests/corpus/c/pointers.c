/* Pointers and aliasing: writes through one pointer are reads through another. */
#include <stdio.h>
#include <string.h>

static void swap(int *a, int *b) {
    int t = *a;
    *a = *b;
    *b = t;
}

static int alias_write_read(int *p, int *q) {
    *p = 10;
    int x = *q;
    *q = x + 1;
    int y = *p;
    return x * 100 + y;
}

static int array_alias(void) {
    int a[4] = {1, 2, 3, 4};
    int *b = a;
    int *c = &a[2];
    a[0] = 9;
    int first = b[0];
    c[-1] = first * 2;
    int second = a[1];
    *(b + 3) = second + 1;
    int last = a[3];
    return first * 10000 + second * 100 + last;
}

static int pointer_arith(const char *s) {
    const char *p = s;
    int words = 0, in_word = 0;
    while (*p) {
        if (*p == ' ') {
            in_word = 0;
        } else if (!in_word) {
            in_word = 1;
            words++;
        }
        p++;
    }
    return words * 100 + (int)(p - s);
}

static int ptr_to_ptr(void) {
    int x = 1, y = 2;
    int *px = &x;
    int **pp = &px;
    **pp = 5;
    *pp = &y;
    **pp += x;
    return x * 10 + y;
}

static int apply(int (*f)(int, int), int a, int b) {
    return f(a, b) - f(b, a);
}

static int sub(int a, int b) { return a - b; }
static int mul(int a, int b) { return a * b + a; }

static int copies(void) {
    int src[5] = {1, 2, 3, 4, 5};
    int dst[5] = {0};
    memcpy(dst + 1, src, 4 * sizeof(int));
    src[0] = 100;
    int a = dst[1];
    memmove(src + 1, src, 3 * sizeof(int));
    return a * 1000 + src[1] + src[2];
}

int main(void) {
    int u = 1, v = 2;
    swap(&u, &v);
    printf("%d %d\n", u, v);
    int w = 0, z = 0;
    int r1 = alias_write_read(&w, &z);
    int r2 = alias_write_read(&w, &w);
    printf("%d %d\n", r1, r2);
    printf("%d\n", array_alias());
    printf("%d\n", pointer_arith("  the quick  brown fox "));
    printf("%d\n", ptr_to_ptr());
    printf("%d %d\n", apply(sub, 7, 3), apply(mul, 7, 3));
    printf("%d\n", copies());
    return (u + v + w) & 0x3f;
}
