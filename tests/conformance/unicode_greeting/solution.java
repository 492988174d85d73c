class Solution {
    public String greet(String name) {
        return "Hello, " + name + "!";
    }
}
