class Solution {
    public boolean isPalindrome(int x) {
        String s = Integer.toString(x);
        return new StringBuilder(s).reverse().toString().equals(s);
    }
}
