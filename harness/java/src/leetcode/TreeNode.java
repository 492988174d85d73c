/**
 * LeetCode's binary tree node, predefined so submissions compile as written. Its members are
 * public because user code lives in another class loader, hence another runtime package; a
 * submission that declares its own TreeNode uses that one instead.
 */
public class TreeNode {
    public int val;
    public TreeNode left;
    public TreeNode right;

    public TreeNode() {}

    public TreeNode(int val) {
        this.val = val;
    }

    public TreeNode(int val, TreeNode left, TreeNode right) {
        this.val = val;
        this.left = left;
        this.right = right;
    }
}
