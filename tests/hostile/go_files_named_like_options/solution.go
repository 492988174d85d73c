package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Println(answer(), os.Args[1:])
}
