import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Lambdas, method references, anonymous comparators and generics that capture locals. */
public class Lambdas {
    private final int factor;

    Lambdas(int factor) {
        this.factor = factor;
    }

    Function<Integer, Integer> scaler() {
        int factor = this.factor + 1;
        return x -> x * factor + this.factor;
    }

    static <T extends Comparable<T>> T maxOf(List<T> items) {
        T best = null;
        for (T item : items) {
            if (best == null || item.compareTo(best) > 0) {
                best = item;
            }
        }
        return best;
    }

    static List<String> sortWords(List<String> words, boolean byLength) {
        List<String> copy = new ArrayList<>(words);
        Comparator<String> cmp;
        if (byLength) {
            cmp = new Comparator<String>() {
                @Override
                public int compare(String a, String b) {
                    if (a.length() != b.length()) {
                        return a.length() - b.length();
                    }
                    return a.compareTo(b);
                }
            };
        } else {
            cmp = Comparator.reverseOrder();
        }
        copy.sort(cmp);
        return copy;
    }

    static Map<Integer, List<String>> groups(List<String> words) {
        Map<Integer, List<String>> byLen = new TreeMap<>();
        for (String w : words) {
            byLen.computeIfAbsent(w.length(), k -> new ArrayList<>()).add(w);
        }
        return byLen;
    }

    static String streams(int limit) {
        int threshold = limit / 2;
        List<Integer> nums = new ArrayList<>();
        for (int i = 1; i <= limit; i++) {
            nums.add(i * i % 17);
        }
        String kept = nums.stream()
                .filter(n -> n > threshold)
                .map(n -> n * 2)
                .sorted()
                .map(String::valueOf)
                .collect(Collectors.joining(","));
        int total = nums.stream().mapToInt(Integer::intValue).sum();
        return kept + " total=" + total;
    }

    static int apply(BiFunction<Integer, Integer, Integer> f, int a, int b) {
        return f.apply(a, b) + f.apply(b, a);
    }

    public static void main(String[] args) {
        Lambdas l = new Lambdas(3);
        Function<Integer, Integer> s = l.scaler();
        System.out.println(s.apply(5) + " " + s.apply(-2));
        List<String> words = Arrays.asList("pear", "fig", "banana", "kiwi", "apple", "date");
        System.out.println(maxOf(words) + " " + maxOf(Arrays.asList(3, 9, 2)));
        System.out.println(sortWords(words, true));
        System.out.println(sortWords(words, false));
        System.out.println(groups(words));
        System.out.println(streams(12));
        int base = 7;
        System.out.println(apply((x, y) -> x * base - y, 4, 9));
        System.out.println(apply(Math::max, 4, 9));
        Runnable[] tasks = new Runnable[3];
        for (int i = 0; i < tasks.length; i++) {
            final int id = i;
            tasks[i] = () -> System.out.print("task" + id + " ");
        }
        for (Runnable t : tasks) {
            t.run();
        }
        System.out.println();
    }
}
