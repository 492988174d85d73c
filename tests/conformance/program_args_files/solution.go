package main

import (
	"fmt"
	"os"
	"strings"
)

// twice is in helper.go, sent with the code; data.txt is read at run time.
func main() {
	var n int
	fmt.Scan(&n)
	fmt.Printf("args: %d\n", len(os.Args)-1)
	for _, arg := range os.Args[1:] {
		fmt.Println(arg)
	}
	fmt.Printf("twice: %d\n", twice(n))
	data, err := os.ReadFile("data.txt")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("data: %s\n", strings.TrimSpace(string(data)))
}
