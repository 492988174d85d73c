func greet(name string) string {
	return "Hello, " + name + "!"
}
