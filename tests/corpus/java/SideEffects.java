/** Side effects inside conditions and operands: i++ < n, calls that print, assignments in tests. */
public class SideEffects {
    static int calls = 0;
    static StringBuilder log = new StringBuilder();

    static int next(int v) {
        calls++;
        log.append("n").append(v).append(' ');
        return v + calls;
    }

    static boolean check(String tag, boolean result) {
        log.append(tag).append(' ');
        return result;
    }

    static int incrementLoop(int n) {
        int i = 0;
        int steps = 0;
        while (i++ < n) {
            steps += i;
        }
        return steps * 100 + i;
    }

    static int compareCalls() {
        int a = 0;
        if (next(1) < next(2)) {
            a += 1;
        }
        if (next(5) >= next(1)) {
            a += 10;
        }
        if (next(3) == next(3)) {
            a += 100;
        }
        return a;
    }

    static int arrayIndex(int[] xs) {
        int i = 0;
        int count = 0;
        while (i < xs.length - 1) {
            if (xs[i++] > xs[i]) {
                count++;
            }
        }
        return count;
    }

    static int assignmentInCondition(int[] xs) {
        int pos = 0;
        int v;
        int sum = 0;
        while ((v = xs[pos]) != 0) {
            sum += v;
            pos++;
        }
        return sum * 10 + pos;
    }

    static String shortCircuit(int x) {
        boolean r = check("a", x > 0) && check("b", x > 5) || check("c", x < -5);
        boolean s = !check("d", x == 3) || check("e", true);
        return r + "/" + s;
    }

    static int ternaries(int x) {
        int k = 0;
        int y = x > 3 ? k++ : --k;
        int z = (x & 1) == 0 ? x >> 1 : 3 * x + 1;
        return y * 100 + z + k;
    }

    static int compound(int n) {
        int a = n;
        int b = a++ + ++a;
        int c = b-- - --b;
        a += b *= 2;
        return a * 1000 + b + c;
    }

    public static void main(String[] args) {
        System.out.println(incrementLoop(5));
        System.out.println(compareCalls() + " " + calls);
        System.out.println(arrayIndex(new int[] {5, 3, 8, 1, 9, 2}));
        System.out.println(assignmentInCondition(new int[] {4, 6, 1, 0, 7}));
        for (int x = -7; x <= 7; x += 3) {
            System.out.println(shortCircuit(x));
        }
        System.out.println(ternaries(2) + " " + ternaries(5));
        System.out.println(compound(4));
        int j = 0;
        for (int i = 0; i < 5 && j++ < 3; i++) {
            System.out.print(i + ":" + j + " ");
        }
        System.out.println();
        System.out.println(log.toString().trim());
    }
}
