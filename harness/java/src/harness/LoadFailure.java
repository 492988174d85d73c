package harness;

/** The submission cannot run at all: it does not compile, or the entry point is missing. */
final class LoadFailure extends Exception {
    LoadFailure(String message) {
        super(message);
    }
}
