package main

import (
	"fmt"
	"strings"
)

func main() {
	var n int
	fmt.Scan(&n)
	numbers := make([]string, 0, n)
	for i := 1; i <= n; i++ {
		numbers = append(numbers, fmt.Sprint(i))
	}
	fmt.Println(strings.Join(numbers, " ") + "   ")
	for _, line := range []string{"c", "b", "a"} {
		fmt.Println(line)
	}
	fmt.Printf("%.6f\n", 1.0/3)
}
