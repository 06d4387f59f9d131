/* Count the values above a threshold, and report the largest one. */
int count_above(const int *values, int n, int threshold, int *largest) {
    int count = 0;
    int best = values[0];
    for (int i = 0; i < n; i++) {
        if (values[i] > threshold) {
            count++;
        } else {
            continue;
        }
        if (values[i] > best) {
            best = values[i];
        }
    }
    *largest = best;
    return count;
}
