/* Struct fields named like locals, nested structs, arrays of structs, unions, enums, typedefs. */
#include <stdio.h>

typedef struct {
    int x;
    int y;
} Point;

struct Rect {
    Point min;
    Point max;
    const char *name;
};

enum Shape { CIRCLE, SQUARE = 4, TRIANGLE };

union Word {
    unsigned int value;
    unsigned char bytes[4];
};

static int area(struct Rect r) {
    int x = r.max.x - r.min.x;
    int y = r.max.y - r.min.y;
    return x * y;
}

static void grow(struct Rect *r, int by) {
    r->min.x -= by;
    r->min.y -= by;
    r->max.x += by;
    r->max.y += by;
}

static Point centroid(const Point *pts, int n) {
    Point c = {0, 0};
    for (int i = 0; i < n; i++) {
        c.x += pts[i].x;
        c.y += pts[i].y;
    }
    c.x /= n;
    c.y /= n;
    return c;
}

static int field_alias(void) {
    Point p = {1, 2};
    Point *q = &p;
    p.x = 7;
    int x = q->x;
    q->y = x * 3;
    int y = p.y;
    Point copy = p;
    copy.x = 0;
    return x * 1000 + y * 10 + copy.x + p.x;
}

static int shapes(enum Shape s) {
    int sides;
    switch (s) {
    case CIRCLE:
        sides = 0;
        break;
    case SQUARE:
        sides = 4;
        break;
    default:
        sides = 3;
    }
    return sides * 10 + (int)s;
}

int main(void) {
    struct Rect r = {{0, 0}, {4, 3}, "box"};
    printf("%s %d\n", r.name, area(r));
    grow(&r, 2);
    printf("%d %d %d %d %d\n", r.min.x, r.min.y, r.max.x, r.max.y, area(r));
    Point pts[4] = {{0, 0}, {4, 0}, {4, 4}, {0, 8}};
    Point c = centroid(pts, 4);
    printf("%d,%d\n", c.x, c.y);
    printf("%d\n", field_alias());
    printf("%d %d %d\n", shapes(CIRCLE), shapes(SQUARE), shapes(TRIANGLE));
    union Word w;
    w.value = 0;
    w.bytes[0] = 0x12;
    w.bytes[1] = 0x34;
    printf("%u\n", w.value & 0xffffu);
    struct Rect rects[3];
    int total = 0;
    for (int i = 0; i < 3; i++) {
        rects[i].min.x = i;
        rects[i].min.y = 0;
        rects[i].max.x = i * 3 + 1;
        rects[i].max.y = i + 2;
        rects[i].name = "r";
        total += area(rects[i]);
    }
    printf("%d\n", total);
    return total % 50;
}
