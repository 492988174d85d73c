func thirds(n int) []float64 {
	return []float64{2 * float64(n) / 3, float64(n) / 3}
}
