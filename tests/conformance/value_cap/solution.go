func repeatA(n int) string {
	return strings.Repeat("a", n)
}
