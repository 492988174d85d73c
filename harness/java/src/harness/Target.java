package harness;

import com.google.gson.JsonElement;

/** What each test runs: a function, or a whole program. */
interface Target {
    /**
     * Runs one test on the calling thread and adds its outcome to {@code event}: time_ms, and
     * value (or output) or error. Whatever the user's code throws is caught here.
     */
    void run(JsonElement input, Event event);
}
