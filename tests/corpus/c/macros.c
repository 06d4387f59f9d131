/* Function-like and statement macros (do { } while (0)), conditional compilation, token pasting. */
#include <stdio.h>
#include <stdlib.h>

#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define SQUARE(x) ((x) * (x))
#define CHECK(cond, code) do { if (!(cond)) { printf("check failed: %s\n", #cond); return code; } } while (0)
#define ADD_TO_TOTAL(v) (total += (v))
#define FIELD(name) obj_##name
#define LOG(fmt, ...) printf("[log] " fmt "\n", __VA_ARGS__)
#define ARRAY_LEN(arr) ((int)(sizeof(arr) / sizeof((arr)[0])))

#ifdef NOT_DEFINED
#define BONUS 1000
#else
#define BONUS 1
#endif

typedef struct {
    int obj_width;
    int obj_height;
} Obj;

static int validate(int x) {
    CHECK(x >= 0, -1);
    CHECK(x < 100, -2);
    return x * 2;
}

static int accumulate(const int *xs, int n) {
    int total = 0;
    for (int i = 0; i < n; i++) {
        if (xs[i] < 0)
            continue;
        ADD_TO_TOTAL(SQUARE(xs[i]));
    }
    return total + BONUS;
}

static int geometry(void) {
    Obj o;
    o.FIELD(width) = 3;
    o.FIELD(height) = 4;
    int w = o.obj_width, h = o.obj_height;
    return MAX(w, h) * 10 + SQUARE(w + 1);
}

static int *make_buffer(int n) {
    int *buf = malloc(sizeof(int) * n);
    if (buf == NULL)
        return NULL;
    for (int i = 0; i < n; i++)
        buf[i] = i * i - 3;
    return buf;
}

int main(void) {
    int v1 = validate(5);
    int v2 = validate(-3);
    int v3 = validate(500);
    printf("%d %d %d\n", v1, v2, v3);
    int xs[] = {1, -2, 3, 4, -5};
    int n = ARRAY_LEN(xs);
    printf("%d\n", accumulate(xs, n));
    printf("%d\n", geometry());
    int *buf = make_buffer(6);
    if (!buf)
        return 1;
    int best = buf[0];
    for (int i = 1; i < 6; i++)
        best = MAX(best, buf[i]);
    LOG("best=%d n=%d", best, n);
    free(buf);
    return best % 16;
}
