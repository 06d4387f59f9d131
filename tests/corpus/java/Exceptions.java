/** try/catch/finally, multi-catch, try-with-resources, exceptions inside loops with continue. */
public class Exceptions {
    static StringBuilder trace = new StringBuilder();

    static class Resource implements AutoCloseable {
        private final String name;

        Resource(String name) {
            this.name = name;
            trace.append("open ").append(name).append("; ");
        }

        int read(int i) {
            if (i > 2) {
                throw new IllegalStateException(name + " exhausted");
            }
            return i * 11;
        }

        @Override
        public void close() {
            trace.append("close ").append(name).append("; ");
        }
    }

    @SuppressWarnings("finally")
    static int finallyOverrides(int x) {
        try {
            if (x > 0) {
                return x;
            }
            throw new RuntimeException("neg");
        } catch (RuntimeException e) {
            return -1;
        } finally {
            if (x > 10) {
                return 10;
            }
        }
    }

    static int parseAll(String[] items) {
        int sum = 0;
        int bad = 0;
        for (int i = 0; i < items.length; i++) {
            int v;
            try {
                v = Integer.parseInt(items[i]);
            } catch (NumberFormatException e) {
                bad++;
                continue;
            } finally {
                trace.append(i).append(' ');
            }
            if (v < 0) continue;
            sum += v;
        }
        return sum * 100 + bad;
    }

    static String multi(int k) {
        try {
            if (k == 0) {
                throw new IllegalArgumentException("zero");
            } else if (k == 1) {
                int[] a = new int[1];
                return "" + a[k];
            } else if (k == 2) {
                Object o = "s";
                return "" + (Integer) o;
            }
            return "ok" + (10 / (k - 3));
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            return "caught " + e.getClass().getSimpleName();
        } catch (ClassCastException e) {
            return "cast";
        } catch (ArithmeticException e) {
            return "arith";
        }
    }

    static int resources() {
        int total = 0;
        try (Resource a = new Resource("A"); Resource b = new Resource("B")) {
            for (int i = 0; i < 5; i++) {
                total += a.read(i) + b.read(i);
            }
        } catch (IllegalStateException e) {
            trace.append("caught ").append(e.getMessage()).append("; ");
        }
        return total;
    }

    public static void main(String[] args) {
        System.out.println(finallyOverrides(5) + " " + finallyOverrides(-5) + " " + finallyOverrides(50));
        System.out.println(parseAll(new String[] {"1", "x", "20", "-4", "300", ""}));
        for (int k = 0; k < 5; k++) {
            System.out.print(multi(k) + "|");
        }
        System.out.println();
        System.out.println(resources());
        System.out.println(trace.toString().trim());
        int depth = 0;
        try {
            depth = recurse(0);
        } catch (StackOverflowError e) {
            depth = -1;
        }
        System.out.println(depth);
    }

    static int recurse(int n) {
        if (n >= 50) {
            throw new UnsupportedOperationException("deep");
        }
        try {
            return recurse(n + 1);
        } catch (UnsupportedOperationException e) {
            if (n % 10 != 0) {
                throw e;
            }
            return n;
        }
    }
}
