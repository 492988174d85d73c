func shout(n int, m int) int {
	fmt.Print(strings.Repeat("x", n))
	fmt.Fprint(os.Stderr, strings.Repeat("y", m))
	return n
}
