/* Small algorithms: sorts, binary search, gcd, sieve, matrix product, recursion. */
#include <stdio.h>

#define N 8

static void bubble_sort(int *a, int n) {
    int swapped = 1;
    while (swapped) {
        swapped = 0;
        for (int i = 1; i < n; i++) {
            if (a[i - 1] > a[i]) {
                int t = a[i - 1];
                a[i - 1] = a[i];
                a[i] = t;
                swapped = 1;
            }
        }
        n--;
    }
}

static void insertion_sort(int a[], int n) {
    int i, j, key;
    for (i = 1; i < n; i++) {
        key = a[i];
        j = i - 1;
        while (j >= 0 && a[j] > key) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = key;
    }
}

static int binary_search(const int *a, int n, int target) {
    int lo = 0, hi = n - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (a[mid] < target)
            lo = mid + 1;
        else if (a[mid] > target)
            hi = mid - 1;
        else
            return mid;
    }
    return -(lo + 1);
}

static unsigned gcd(unsigned a, unsigned b) {
    while (b != 0) {
        unsigned t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static int count_primes(int limit) {
    static char composite[2000];
    int count = 0;
    for (int i = 2; i <= limit; i++) {
        if (composite[i])
            continue;
        count++;
        for (int j = i * i; j <= limit; j += i)
            composite[j] = 1;
    }
    return count;
}

static long long fib(int n) {
    long long a = 0, b = 1;
    for (int i = 0; i < n; i++) {
        long long t = a + b;
        a = b;
        b = t;
    }
    return a;
}

static int ackermann_small(int m, int n) {
    if (m == 0)
        return n + 1;
    if (n == 0)
        return ackermann_small(m - 1, 1);
    return ackermann_small(m - 1, ackermann_small(m, n - 1));
}

static int matrix_trace(void) {
    int a[3][3], b[3][3], c[3][3];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            a[i][j] = i + j;
            b[i][j] = i - j;
        }
    int trace = 0;
    for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++) {
            int s = 0;
            for (int k = 0; k < 3; k++)
                s += a[i][k] * b[k][j];
            c[i][j] = s;
        }
        trace += c[i][i];
    }
    return trace * 100 + c[0][2];
}

int main(void) {
    int a[N] = {9, 4, 7, 1, 8, 2, 2, 6};
    int b[N];
    for (int i = 0; i < N; i++)
        b[i] = a[i];
    bubble_sort(a, N);
    insertion_sort(b, N);
    int same = 1;
    for (int i = 0; i < N; i++) {
        printf("%d ", a[i]);
        if (a[i] != b[i])
            same = 0;
    }
    printf("%d\n", same);
    printf("%d %d %d\n", binary_search(a, N, 7), binary_search(a, N, 5), binary_search(a, N, 100));
    printf("%u %u\n", gcd(84, 36), gcd(17, 5));
    printf("%d\n", count_primes(1000));
    printf("%lld\n", fib(60));
    printf("%d\n", ackermann_small(2, 3));
    printf("%d\n", matrix_trace());
    return a[N - 1];
}
