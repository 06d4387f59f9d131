import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.function.IntUnaryOperator;

/** Fields and locals that share names, nested scopes, lambdas and anonymous classes capturing locals. */
public class Shadowing {
    static int count = 100;
    int value = 7;
    String name = "field";

    Shadowing(int value) {
        this.value = value * 2;
        int name = value + 1;
        this.name = "n" + name;
    }

    int total(int count) {
        int value = this.value + count;
        {
            int inner = value * 2;
            value += inner;
        }
        for (int i = 0; i < 3; i++) {
            int inner = i * 10;
            value += inner;
        }
        return value + Shadowing.count;
    }

    static int staticTotal() {
        int count = 5;
        int sum = count;
        sum += Shadowing.count;
        return sum;
    }

    IntSupplier makeCounter(int start) {
        int[] box = {start};
        int step = 3;
        return () -> {
            box[0] += step;
            return box[0] + value;
        };
    }

    static List<Integer> anonymous(int base) {
        final int offset = base * 2;
        List<Integer> out = new ArrayList<>();
        IntUnaryOperator op = new IntUnaryOperator() {
            int calls = 0;

            @Override
            public int applyAsInt(int operand) {
                calls++;
                int offset2 = operand + offset;
                return offset2 * calls;
            }
        };
        for (int k = 0; k < 4; k++) {
            out.add(op.applyAsInt(k));
        }
        return out;
    }

    static int localClass(int n) {
        class Acc {
            int sum;

            void add(int x) {
                sum += x;
            }
        }
        Acc acc = new Acc();
        int x = 0;
        while (x < n) {
            acc.add(x * x);
            x++;
        }
        int sum = acc.sum;
        return sum + x;
    }

    static String nested(int a) {
        String result = "";
        if (a > 0) {
            int b = a * 3;
            if (b > 10) {
                int c = b - 10;
                result += "c=" + c;
            } else {
                int c = 10 - b;
                result += "c'=" + c;
            }
        } else {
            int b = -a;
            result += "b=" + b;
        }
        return result;
    }

    public static void main(String[] args) {
        Shadowing s = new Shadowing(4);
        System.out.println(s.value + " " + s.name);
        System.out.println(s.total(3));
        System.out.println(staticTotal());
        IntSupplier counter = s.makeCounter(10);
        int first = counter.getAsInt();
        int second = counter.getAsInt();
        System.out.println(first + "," + second);
        System.out.println(anonymous(5));
        System.out.println(localClass(6));
        for (int a = -2; a <= 6; a += 2) {
            System.out.println(nested(a));
        }
        int value = 42;
        Runnable r = () -> System.out.println("captured " + value);
        r.run();
        String name = s.name + "!";
        System.out.println(name + " " + s.name);
    }
}
