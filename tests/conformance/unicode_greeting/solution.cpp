string greet(string name) {
    return "Hello, " + name + "!";
}
