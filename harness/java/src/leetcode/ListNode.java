/**
 * LeetCode's singly-linked list node, predefined so submissions compile as written. Its
 * members are public because user code lives in another class loader, hence another runtime
 * package; a submission that declares its own ListNode uses that one instead.
 */
public class ListNode {
    public int val;
    public ListNode next;

    public ListNode() {}

    public ListNode(int val) {
        this.val = val;
    }

    public ListNode(int val, ListNode next) {
        this.val = val;
        this.next = next;
    }
}
