/** A class of its own file, sent as one of the program's files. */
class Helper {
    static long twice(long value) {
        return 2 * value;
    }
}
