/* Clamp every value into [lo, hi]; return how many were changed. */
int clamp_all(int *values, int n, int lo, int hi) {
    int changed = 0, i;
    for (i = 0; i < n; i++) {
        int v = values[i];
        if (v < lo)
            v = lo;
        else if (v > hi)
            v = hi;
        int moved = v != values[i] ? 1 : 0;
        changed = changed + moved;
        values[i] = v;
    }
    return changed;
}
