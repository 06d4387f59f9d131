/** if/else chains with and without braces, dangling else, precedence in negated conditions. */
public class Branches {
    static String classify(int n) {
        if (n < 0)
            return "negative";
        else if (n == 0)
            return "zero";
        else if (n < 10) {
            return "small";
        } else if (n < 100)
            return "medium";
        else
            return "large";
    }

    static int dangling(int a, int b) {
        int r = 0;
        if (a > 0)
            if (b > 0)
                r = 1;
            else
                r = 2;
        if (a < 0) {
            if (b < 0) r = 3;
        } else r += 10;
        return r;
    }

    static boolean precedence(int a, int b, boolean c) {
        boolean result;
        if (a > b && b > 0 || c) {
            result = true;
        } else {
            result = false;
        }
        if (!(a == b) ^ c) {
            result = !result;
        }
        return result;
    }

    static String withObject(Object o) {
        String out;
        if (o instanceof String && ((String) o).length() > 2) {
            out = "long string";
        } else if (o instanceof Integer) {
            int v = (Integer) o;
            if (v % 2 == 0) out = "even"; else out = "odd";
        } else {
            out = "other";
        }
        return out;
    }

    static int earlyReturns(int x) {
        if (x > 50) {
            return 5;
        }
        int y = x * 2;
        if (y > 40) return 4;
        if (y <= 10) {
            y += 100;
        }
        return y;
    }

    static int bitConditions(int flags) {
        int score = 0;
        if ((flags & 1) != 0) score += 1;
        if ((flags & 2) == 2) {
            score += 2;
        } else {
            score -= 2;
        }
        if (flags >= 4 == (flags % 2 == 0)) {
            score *= 3;
        }
        return score;
    }

    static String assignedInBranches(int n) {
        final String label;
        int width;
        if (n % 3 == 0) {
            label = "fizz";
            width = 4;
        } else {
            label = "n" + n;
            width = label.length();
        }
        return label + width;
    }

    public static void main(String[] args) {
        int[] values = {-5, 0, 7, 42, 420};
        for (int v : values) {
            System.out.println(v + " " + classify(v));
        }
        for (int a = -1; a <= 1; a++) {
            for (int b = -1; b <= 1; b++) {
                System.out.print(dangling(a, b) + " ");
            }
        }
        System.out.println();
        System.out.println(precedence(3, 2, false) + " " + precedence(1, 1, true) + " " + precedence(0, 2, false));
        System.out.println(withObject("abc") + "," + withObject(4) + "," + withObject(5) + "," + withObject(2.0));
        System.out.println(earlyReturns(60) + " " + earlyReturns(25) + " " + earlyReturns(3) + " " + earlyReturns(10));
        for (int f = 0; f < 8; f++) {
            System.out.print(bitConditions(f) + " ");
        }
        System.out.println();
        System.out.println(assignedInBranches(9) + " " + assignedInBranches(11));
    }
}
