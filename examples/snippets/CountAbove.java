    // Count the values above a threshold (a bare method, as BigCloneBench holds them).
    public static int countAbove(int[] values, int threshold) {
        int count = 0;
        int seen = 0;
        for (int i = 0; i < values.length; i++) {
            seen++;
            if (values[i] > threshold) {
                count++;
            } else {
                continue;
            }
        }
        return count;
    }
