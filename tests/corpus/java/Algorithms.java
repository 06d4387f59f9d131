import java.util.Arrays;

/** Classic small algorithms: many loops, comparisons, swaps and early exits. */
public class Algorithms {
    static void bubbleSort(int[] a) {
        boolean swapped = true;
        int n = a.length;
        while (swapped) {
            swapped = false;
            for (int i = 1; i < n; i++) {
                if (a[i - 1] > a[i]) {
                    int t = a[i - 1];
                    a[i - 1] = a[i];
                    a[i] = t;
                    swapped = true;
                }
            }
            n--;
        }
    }

    static void insertionSort(int[] a) {
        for (int i = 1; i < a.length; i++) {
            int key = a[i];
            int j = i - 1;
            while (j >= 0 && a[j] > key) {
                a[j + 1] = a[j];
                j--;
            }
            a[j + 1] = key;
        }
    }

    static int binarySearch(int[] a, int target) {
        int lo = 0;
        int hi = a.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < target) {
                lo = mid + 1;
            } else if (a[mid] > target) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    static long fib(int n, long[] memo) {
        if (n < 2) return n;
        if (memo[n] != 0) return memo[n];
        long r = fib(n - 1, memo) + fib(n - 2, memo);
        memo[n] = r;
        return r;
    }

    static int countPrimes(int limit) {
        boolean[] composite = new boolean[limit + 1];
        int count = 0;
        for (int i = 2; i <= limit; i++) {
            if (composite[i]) continue;
            count++;
            for (long j = (long) i * i; j <= limit; j += i) {
                composite[(int) j] = true;
            }
        }
        return count;
    }

    static String reverseWords(String s) {
        String[] parts = s.split(" ");
        StringBuilder sb = new StringBuilder();
        for (int i = parts.length - 1; i >= 0; i--) {
            if (parts[i].isEmpty()) {
                continue;
            }
            if (sb.length() > 0) sb.append(' ');
            sb.append(parts[i]);
        }
        return sb.toString();
    }

    static int maxSubarray(int[] a) {
        int best = a[0];
        int cur = 0;
        for (int v : a) {
            cur = Math.max(v, cur + v);
            if (cur > best) best = cur;
        }
        return best;
    }

    static boolean isPalindrome(String s) {
        int i = 0, j = s.length() - 1;
        while (i < j) {
            char a = s.charAt(i), b = s.charAt(j);
            if (!Character.isLetter(a)) { i++; continue; }
            if (!Character.isLetter(b)) { j--; continue; }
            if (Character.toLowerCase(a) != Character.toLowerCase(b)) return false;
            i++;
            j--;
        }
        return true;
    }

    public static void main(String[] args) {
        int[] a = {9, 4, 7, 1, 8, 2, 2, 6};
        int[] b = a.clone();
        bubbleSort(a);
        insertionSort(b);
        System.out.println(Arrays.toString(a) + " " + Arrays.equals(a, b));
        System.out.println(binarySearch(a, 7) + " " + binarySearch(a, 5) + " " + binarySearch(a, 100));
        System.out.println(gcd(84, 36) + " " + gcd(17, 5));
        System.out.println(fib(60, new long[61]));
        System.out.println(countPrimes(1000));
        System.out.println(reverseWords("the  quick brown fox "));
        System.out.println(maxSubarray(new int[] {-2, 1, -3, 4, -1, 2, 1, -5, 4}));
        System.out.println(isPalindrome("A man, a plan, a canal: Panama") + " " + isPalindrome("metacompress"));
    }
}
