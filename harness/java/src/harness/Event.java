package harness;

import com.google.gson.JsonElement;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One reply to the supervisor (harness/PROTOCOL.md): its fields in the order they were first
 * put, written as one line of JSON. Not Gson's JsonObject and writer: every test builds and
 * writes one, mostly while the JVM still interprets the code, where a plain map and the
 * writing below cost a fraction of Gson's layers.
 */
final class Event {
    private static final String HEX_DIGITS = "0123456789abcdef";

    /** Each value is a String, a Long, a {@link Milliseconds} or a JsonElement (or null). */
    private final Map<String, Object> fields = new LinkedHashMap<>();

    Event(String kind) {
        fields.put("event", kind);
    }

    void put(String name, String value) {
        fields.put(name, value);
    }

    void put(String name, long value) {
        fields.put(name, value);
    }

    /** A JSON value as it came, such as a test line's index. */
    void put(String name, JsonElement value) {
        fields.put(name, value);
    }

    /** A duration of {@code nanos} ns, written in milliseconds, exact to the nanosecond. */
    void putMilliseconds(String name, long nanos) {
        fields.put(name, new Milliseconds(nanos));
    }

    boolean has(String name) {
        return fields.containsKey(name);
    }

    /** The string field {@code name}; null when it has none. */
    String text(String name) {
        Object value = fields.get(name);
        return value instanceof String ? (String) value : null;
    }

    /** The event as JSON and a newline, in UTF-8. */
    byte[] line() {
        StringBuilder text = new StringBuilder(256).append('{');
        for (Map.Entry<String, Object> field : fields.entrySet()) {
            if (text.length() > 1) {
                text.append(',');
            }
            // The names are the harness's own, plain ASCII.
            text.append('"').append(field.getKey()).append("\":");
            Object value = field.getValue();
            if (value instanceof String) {
                quote(text, (String) value);
            } else if (value instanceof Long) {
                text.append((long) value);
            } else if (value instanceof Milliseconds) {
                long nanos = ((Milliseconds) value).nanos;
                text.append(nanos / 1_000_000).append('.');
                for (long unit = 100_000; unit > 0; unit /= 10) {
                    text.append((char) ('0' + nanos / unit % 10));
                }
            } else if (value instanceof JsonElement && ((JsonElement) value).isJsonPrimitive()
                    && ((JsonElement) value).getAsJsonPrimitive().isNumber()) {
                text.append(((JsonElement) value).getAsString()); // a number's own JSON text
            } else {
                text.append(value); // null, or what a spoiled test line held: Gson writes it
            }
        }
        return text.append("}\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Appends {@code string} as a JSON string: quotes, backslashes and control characters escaped. */
    private static void quote(StringBuilder text, String string) {
        text.append('"');
        int plain = 0;
        for (int i = 0; i < string.length(); i++) {
            char c = string.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') {
                continue;
            }
            text.append(string, plain, i).append('\\');
            switch (c) {
                case '"', '\\' -> text.append(c);
                case '\n' -> text.append('n');
                case '\r' -> text.append('r');
                case '\t' -> text.append('t');
                default -> text.append("u00").append(HEX_DIGITS.charAt(c >> 4)).append(HEX_DIGITS.charAt(c & 0xf));
            }
            plain = i + 1;
        }
        text.append(string, plain, string.length()).append('"');
    }

    private record Milliseconds(long nanos) {}
}
