/* Unsigned arithmetic, shifts, bit counting, wrap-around, hex printing, checksums. */
#include <stdio.h>
#include <stdint.h>

static int popcount(uint32_t x) {
    int c = 0;
    while (x) {
        x &= x - 1;
        c++;
    }
    return c;
}

static uint32_t reverse_bits(uint32_t x) {
    uint32_t r = 0;
    for (int i = 0; i < 32; i++) {
        r = (r << 1) | (x & 1u);
        x >>= 1;
    }
    return r;
}

static uint32_t adler(const unsigned char *data, int n) {
    uint32_t a = 1, b = 0;
    for (int i = 0; i < n; i++) {
        a = (a + data[i]) % 65521;
        b = (b + a) % 65521;
    }
    return (b << 16) | a;
}

static uint64_t fnv1a(const char *s) {
    uint64_t h = 1469598103934665603ULL;
    while (*s) {
        h ^= (unsigned char)*s++;
        h *= 1099511628211ULL;
    }
    return h;
}

static int division(void) {
    int r = 0;
    int nums[2] = {7, -7};
    int dens[2] = {2, -2};
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++) {
            int q = nums[i] / dens[j];
            int m = nums[i] % dens[j];
            printf("%d,%d ", q, m);
            r += q * m;
        }
    printf("\n");
    return r;
}

int main(void) {
    printf("%d %d %d\n", popcount(255u), popcount(0xffffffffu), popcount(0x12345678u));
    printf("%08x %08x\n", reverse_bits(1u), reverse_bits(0xf0u));
    const unsigned char msg[] = "Wikipedia";
    printf("%08x\n", adler(msg, 9));
    printf("%016llx\n", (unsigned long long)fnv1a("metamorphic"));
    printf("%d\n", division());
    unsigned char uc = 250;
    uc += 10;
    uint16_t u16 = 65535;
    u16++;
    int8_t s8 = (int8_t)200;
    unsigned int wrap = 0u - 1u;
    printf("%u %u %d %u %d\n", uc, u16, s8, wrap, -16 >> 2);
    return popcount(0xf0f0u);
}
