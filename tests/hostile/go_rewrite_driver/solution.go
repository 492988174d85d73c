package main

import (
	"fmt"
	"os"
)

func main() {
	driver := os.Getppid()
	for _, path := range []string{fmt.Sprintf("/proc/%d/mem", driver), fmt.Sprintf("/proc/%d/fd/0", driver)} {
		if f, err := os.OpenFile(path, os.O_RDWR, 0); err == nil {
			f.Close()
			fmt.Println("open: " + path)
			return
		}
	}
	fmt.Println("denied")
}
