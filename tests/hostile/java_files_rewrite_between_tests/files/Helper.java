class Helper {
    static String name() {
        return "helper";
    }
}
