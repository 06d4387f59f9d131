import java.util.ArrayList;
import java.util.List;

/** Records (canonical constructors must name their parameters after the components), recursion,
 *  overloads and an inner class calling its outer class's methods. */
public class Records {
    record Range(int low, int high) {
        Range(int low, int high) {
            if (low > high) {
                int swap = low;
                low = high;
                high = swap;
            }
            this.low = low;
            this.high = high;
        }

        Range(int both) {
            this(both, both);
        }

        int width() {
            return high - low;
        }
    }

    record Point(int x, int y) {
        Point {
            if (x < 0) {
                x = -x;
            }
        }
    }

    static long factorial(int n) {
        if (n < 2) {
            return 1;
        }
        return n * factorial(n - 1);
    }

    static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    static int total(int value) {
        return value;
    }

    static int total(int first, int second) {
        return total(first) + total(second);
    }

    class Collector {
        final List<Long> seen = new ArrayList<>();

        void add(int n) {
            seen.add(factorial(n));
        }
    }

    @Override
    public String toString() {
        return "Records(" + gcd(12, 18) + ")";
    }

    public static void main(String[] args) {
        Range range = new Range(9, 2);
        System.out.println(range + " width " + range.width());
        System.out.println(new Range(4) + " " + new Point(-3, 5));
        System.out.println(factorial(10) + " " + gcd(84, 36) + " " + total(3, 4));
        Records outer = new Records();
        Collector collector = outer.new Collector();
        for (int n = 0; n < 6; n++) {
            collector.add(n);
        }
        System.out.println(collector.seen + " " + outer);
    }
}
