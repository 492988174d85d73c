func addNumbers(a int, b int) int {
	return a + b
}
