import java.util.ArrayList;
import java.util.List;

/** Arrays and objects reached through two names: reordering writes and reads is unsafe here. */
public class Aliasing {
    static class Point {
        int x;
        int y;

        Point(int x, int y) {
            this.x = x;
            this.y = y;
        }
    }

    static int arrays() {
        int[] a = {1, 2, 3, 4};
        int[] b = a;
        a[0] = 10;
        int first = b[0];
        b[1] = first + 1;
        int second = a[1];
        int[] c = a.clone();
        c[2] = 99;
        int third = a[2];
        return first * 10000 + second * 100 + third;
    }

    static String objects() {
        Point p = new Point(1, 2);
        Point q = p;
        p.x = 5;
        int seen = q.x;
        q.y = seen * 2;
        int y = p.y;
        Point r = new Point(p.x, p.y);
        r.x = 0;
        return seen + "," + y + "," + p.x + "," + r.x;
    }

    static int indexAlias(int[] data, int i, int j) {
        data[i] = 7;
        int v = data[j];
        data[j] = v + 1;
        int w = data[i];
        return v * 10 + w;
    }

    static String lists() {
        List<Integer> xs = new ArrayList<>();
        List<Integer> ys = xs;
        xs.add(1);
        int size = ys.size();
        ys.add(2);
        int size2 = xs.size();
        return size + "/" + size2 + "/" + xs;
    }

    static int matrix() {
        int[][] m = new int[3][3];
        int[] row = m[1];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                m[i][j] = i * 3 + j;
            }
        }
        row[2] = -1;
        int corner = m[1][2];
        int sum = 0;
        for (int[] r : m) {
            for (int v : r) {
                sum += v;
            }
        }
        return sum * 10 + corner;
    }

    static String copies() {
        int[] src = {1, 2, 3, 4, 5};
        int[] dst = new int[5];
        System.arraycopy(src, 0, dst, 1, 4);
        src[0] = 100;
        int a = dst[1];
        StringBuilder sb = new StringBuilder("ab");
        StringBuilder same = sb;
        sb.append("c");
        String text = same.toString();
        return a + text;
    }

    public static void main(String[] args) {
        System.out.println(arrays());
        System.out.println(objects());
        int[] data = {0, 0, 0};
        System.out.println(indexAlias(data, 1, 1) + " " + indexAlias(data, 0, 2));
        System.out.println(lists());
        System.out.println(matrix());
        System.out.println(copies());
    }
}
