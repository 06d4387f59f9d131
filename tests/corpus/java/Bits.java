/** Integer arithmetic corner cases: overflow, shifts, division of negatives, char and long math. */
public class Bits {
    static int popcount(int x) {
        int c = 0;
        while (x != 0) {
            x &= x - 1;
            c++;
        }
        return c;
    }

    static int reverseBits(int x) {
        int r = 0;
        for (int i = 0; i < 32; i++) {
            r = (r << 1) | (x & 1);
            x >>>= 1;
        }
        return r;
    }

    static String division() {
        StringBuilder sb = new StringBuilder();
        int[] nums = {7, -7};
        int[] dens = {2, -2};
        for (int n : nums) {
            for (int d : dens) {
                sb.append(n / d).append(',').append(n % d).append(' ');
            }
        }
        return sb.toString().trim();
    }

    static long hash(String s) {
        long h = 1125899906842597L;
        for (int i = 0; i < s.length(); i++) {
            h = 31 * h + s.charAt(i);
        }
        return h;
    }

    static String overflow() {
        int max = Integer.MAX_VALUE;
        int wrapped = max + 1;
        long widened = (long) max + 1;
        short sh = (short) 40000;
        byte by = (byte) 200;
        char ch = 'A';
        ch += 2;
        int shifted = -16 >> 2;
        int ushift = -16 >>> 28;
        return wrapped + " " + widened + " " + sh + " " + by + " " + ch + " " + shifted + " " + ushift;
    }

    static int checksum(int[] data) {
        int a = 1, b = 0;
        for (int v : data) {
            a = (a + v) % 65521;
            b = (b + a) % 65521;
        }
        return (b << 16) | a;
    }

    public static void main(String[] args) {
        System.out.println(popcount(255) + " " + popcount(-1) + " " + popcount(0x12345678));
        System.out.println(Integer.toHexString(reverseBits(1)) + " " + Integer.toHexString(reverseBits(0xF0)));
        System.out.println(division());
        System.out.println(hash("metamorphic") + " " + hash(""));
        System.out.println(overflow());
        System.out.println(checksum(new int[] {87, 105, 107, 105, 112, 101, 100, 105, 97}));
        double d = 0.1 + 0.2;
        boolean same = d == 0.3;
        System.out.println(d + " " + same + " " + (float) d + " " + Math.floorMod(-7, 3));
    }
}
