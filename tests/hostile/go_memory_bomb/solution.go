package main

// Test 1 keeps 64 MB blocks, a byte written in every page of each, until memory runs out;
// test 2 returns at once.
func f(n int) int {
	if n == 1 {
		var blocks [][]byte
		for {
			block := make([]byte, 64<<20)
			for i := 0; i < len(block); i += 4096 {
				block[i] = 1
			}
			blocks = append(blocks, block)
		}
	}
	return n
}
