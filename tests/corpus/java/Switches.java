/** Old-style switch with fall-through, switch on strings and enums, switch expressions with yield. */
public class Switches {
    enum Color { RED, GREEN, BLUE }

    static int fallThrough(int n) {
        int r = 0;
        switch (n) {
            case 1:
                r += 1;
            case 2:
                r += 2;
                break;
            case 3: {
                int local = n * 5;
                r += local;
                break;
            }
            case 4:
            case 5:
                r = -n;
                break;
            default:
                r = 100;
        }
        return r;
    }

    static String strings(String s) {
        String out;
        switch (s) {
            case "one":
                out = "1";
                break;
            case "two":
                out = "2";
                break;
            default:
                out = "?" + s.length();
        }
        return out;
    }

    static String colors(Color c) {
        switch (c) {
            case RED:
                return "warm";
            case BLUE:
                return "cold";
            default:
                return "neutral";
        }
    }

    static int expressions(int day) {
        int base = day * 2;
        int v = switch (day % 7) {
            case 0, 6 -> 0;
            case 1 -> base + 1;
            case 2 -> {
                int t = base * base;
                yield t - 1;
            }
            default -> {
                if (day > 10) {
                    yield -day;
                }
                yield day;
            }
        };
        return v;
    }

    static String chars(String text) {
        StringBuilder sb = new StringBuilder();
        int vowels = 0;
        for (char ch : text.toCharArray()) {
            switch (Character.toLowerCase(ch)) {
                case 'a': case 'e': case 'i': case 'o': case 'u':
                    vowels++;
                    sb.append((char) (ch + 1));
                    break;
                case ' ':
                    continue;
                default:
                    sb.append(ch);
            }
        }
        return sb + "#" + vowels;
    }

    public static void main(String[] args) {
        for (int n = 0; n <= 6; n++) {
            System.out.print(fallThrough(n) + " ");
        }
        System.out.println();
        System.out.println(strings("one") + strings("two") + strings("three"));
        for (Color c : Color.values()) {
            System.out.print(c + "=" + colors(c) + " ");
        }
        System.out.println();
        for (int d = 0; d < 14; d += 3) {
            System.out.print(expressions(d) + " ");
        }
        System.out.println();
        System.out.println(chars("Hello World Of Java"));
    }
}
