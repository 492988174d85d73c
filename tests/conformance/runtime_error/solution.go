func checkPositive(n int) int {
	if n < 0 {
		panic("negative")
	}
	return n
}
