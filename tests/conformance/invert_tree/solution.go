/**
 * Definition for a binary tree node.
 * type TreeNode struct {
 *     Val int
 *     Left *TreeNode
 *     Right *TreeNode
 * }
 */
type Solution struct{}

func (s *Solution) invertTree(root *TreeNode) *TreeNode {
	if root != nil {
		root.Left, root.Right = s.invertTree(root.Right), s.invertTree(root.Left)
	}
	return root
}
