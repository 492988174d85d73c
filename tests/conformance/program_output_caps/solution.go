package main

import (
	"fmt"
	"strings"
)

func main() {
	var n int
	fmt.Scan(&n)
	fmt.Print(strings.Repeat("x", n))
}
