import java.util.Arrays;
import java.util.List;

/** continue in for loops (nested, labelled, inside switch), while, do-while and enhanced for. */
public class LoopsContinue {
    static int skipOdds(int n) {
        int sum = 0;
        for (int i = 0; i < n; i++) {
            if (i % 2 == 1) {
                continue;
            }
            sum += i;
        }
        return sum;
    }

    static int nestedContinue(int n) {
        int hits = 0;
        outer:
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (j > i) {
                    continue outer;
                }
                if ((i + j) % 3 == 0) {
                    continue;
                }
                hits += i * j;
            }
        }
        return hits;
    }

    static String switchInLoop(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            switch (i % 4) {
                case 0:
                    sb.append('a');
                    continue;
                case 1:
                    sb.append('b');
                    break;
                case 2:
                    if (i > 5) {
                        continue;
                    }
                    sb.append('c');
                default:
                    sb.append('d');
            }
            sb.append(i);
        }
        return sb.toString();
    }

    static int whileLoops(int n) {
        int i = 0;
        int acc = 0;
        while (i < n) {
            i++;
            if (i == 3) continue;
            acc += i;
        }
        int k = 10;
        do {
            acc -= k;
            k -= 3;
        } while (k > 0);
        return acc;
    }

    static int twoVars(int n) {
        int sum = 0;
        for (int i = 0, j = n; i < j; i++, j--) {
            if (i == 2) continue;
            sum += j - i;
        }
        int p;
        for (p = 1; p < 100; p *= 3) {
            sum += p;
        }
        return sum + p;
    }

    static int forever() {
        int x = 1;
        for (;;) {
            x *= 2;
            if (x > 50) break;
        }
        int y = 0;
        while (true) {
            y++;
            if (y * y > x) {
                break;
            }
        }
        return x + y;
    }

    static String enhanced(List<String> words, int[] nums) {
        StringBuilder sb = new StringBuilder();
        for (String w : words) {
            if (w.isEmpty()) continue;
            sb.append(w.charAt(0));
        }
        int total = 0;
        for (int v : nums) {
            if (v < 0) {
                continue;
            }
            total += v;
        }
        return sb + ":" + total;
    }

    static int labelledBreak(int[][] grid, int target) {
        int found = -1;
        search:
        for (int r = 0; r < grid.length; r++) {
            for (int c = 0; c < grid[r].length; c++) {
                if (grid[r][c] == target) {
                    found = r * 10 + c;
                    break search;
                }
            }
        }
        return found;
    }

    public static void main(String[] args) {
        System.out.println(skipOdds(10));
        System.out.println(nestedContinue(6));
        System.out.println(switchInLoop(10));
        System.out.println(whileLoops(6));
        System.out.println(twoVars(9));
        System.out.println(forever());
        System.out.println(enhanced(Arrays.asList("alpha", "", "beta", "gamma"), new int[] {3, -1, 4, -1, 5}));
        int[][] grid = {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}};
        System.out.println(labelledBreak(grid, 6) + " " + labelledBreak(grid, 10));
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                if (i == j) continue;
                System.out.print(i + "" + j + " ");
            }
        }
        System.out.println();
    }
}
