import java.math.BigInteger;

// Returns integers past the range of a double: 2^63 - 1 as a long; 2^63, 2^64, 2^64 - 1,
// 10^30 and 10^30 + 1 as BigInteger. Each is compared once with its exact text (accepted)
// and once with a text that differs by one (wrong_answer): no digit may be lost on the way.
class Solution {
    public Object f(int k) {
        switch (k) {
            case 0:
                return BigInteger.TWO.pow(63);
            case 1:
                return BigInteger.TWO.pow(64);
            case 2:
                return BigInteger.TEN.pow(30);
            case 3:
                return BigInteger.TWO.pow(64).subtract(BigInteger.ONE);
            case 4:
                return BigInteger.TEN.pow(30).add(BigInteger.ONE);
            default:
                return Long.MAX_VALUE;
        }
    }
}
