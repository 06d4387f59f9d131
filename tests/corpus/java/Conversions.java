/** Assignments whose meaning depends on types: narrowing compound assignments, boxing, mixed ternaries. */
public class Conversions {
    static int calls = 0;
    static String log = "";

    static int next() {
        calls++;
        return calls;
    }

    static String narrow(int n) {
        byte b = 120;
        short s = 32000;
        char c = 'y';
        b += n;
        s += n * 100;
        c++;
        c += 1;
        int i = 7;
        i += 1.9;
        long big = 1L << 40;
        big += n;
        i -= big;
        return b + " " + s + " " + c + " " + i + " " + big;
    }

    static String mixed(int k) {
        long big = (1L << 40) + 1;
        double exact = k > 1 ? big : 0.5;
        double rounded = k > 1 ? big : 0.5f;
        Integer boxed = k > 0 ? 1 : null;
        Object o = k > 2 ? 1 : 2.5;
        int m = k > 0 ? k : -k;
        char letter = k > 3 ? 'x' : 'y';
        String s = k > 4 ? "big" : null;
        m = m > 5 ? 5 : m;
        return exact + " " + rounded + " " + boxed + " " + o + " " + m + " " + letter + " " + s;
    }

    static int steps(int n) {
        int acc = 0;
        Integer count = 0;
        float f = 0.5f;
        double d = 1;
        for (int i = 0; i < n; i++) {
            acc = acc + i;
            count++;
            f += i;
            d *= 1.5;
            d = d - 0.25;
        }
        acc -= next();
        log += n;
        log += ",";
        return acc + count + (int) f + (int) d;
    }

    public static void main(String[] args) {
        System.out.println(narrow(3) + " | " + narrow(10));
        for (int k = -1; k <= 5; k += 2) System.out.println(mixed(k));
        System.out.println(steps(4) + " " + steps(9) + " " + calls + " " + log);
        System.out.println(0x7fffffff + 1);
    }
}
