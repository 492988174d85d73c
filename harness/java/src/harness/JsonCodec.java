package harness;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonIOException;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.ToNumberPolicy;
import com.google.gson.TypeAdapter;
import com.google.gson.TypeAdapterFactory;
import com.google.gson.reflect.TypeToken;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.Writer;
import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.function.Function;

/**
 * Gson set up for the protocol: arguments become the declared parameter types strictly (a
 * wrong shape is an {@link InputMismatch} that says what was expected and what came), and
 * return values become the JSON the protocol asks for.
 */
final class JsonCodec {
    private static final Gson GSON = new GsonBuilder()
            .disableHtmlEscaping()
            .serializeNulls()
            // Numbers that arrive as Object (List<Object>, Object parameters) stay integral.
            .setObjectToNumberStrategy(ToNumberPolicy.LONG_OR_DOUBLE)
            .registerTypeAdapterFactory(new Scalars())
            .registerTypeAdapterFactory(new Containers())
            .registerTypeAdapterFactory(new Nodes())
            .create();

    private JsonCodec() {}

    /** An argument, or a part of one, that cannot become its declared type. */
    static final class InputMismatch extends JsonParseException {
        private String path = "$";

        InputMismatch(String expected, JsonElement got) {
            super("expected " + expected + ", got " + preview(got));
        }

        /** Places the mismatch inside the value at {@code outer}, a JSONPath such as $[1]. */
        InputMismatch within(String outer) {
            path = outer + path.substring(1);
            return this;
        }

        /** Where in the argument it is, such as [1][2]; empty for the argument itself. */
        String where() {
            return path.substring(1);
        }

        private static String preview(JsonElement got) {
            String text = GSON.toJson(got);
            return text.length() <= 60 ? text : text.substring(0, 57) + "...";
        }
    }

    /**
     * The argument {@code given} as the declared {@code type}. A scalar type's reader is called
     * directly, as its adapter would call it: Gson's way there costs more than the reading.
     */
    static Object argument(JsonElement given, Type type) {
        Function<JsonElement, Object> scalar = type instanceof Class ? Scalars.reader((Class<?>) type) : null;
        return scalar != null ? scalar.apply(given) : GSON.fromJson(given, type);
    }

    /**
     * The return value as JSON text, rendered for its declared type; {@link ValueTooLong} when
     * the text is longer than {@code limitBytes} of UTF-8. The text is measured as Gson writes it: only the first
     * {@code limitBytes} are ever kept, so a value of tens of MB costs no more memory here.
     */
    static String render(Object value, Type declared, int limitBytes) {
        if (declared == void.class) {
            return "null";
        }
        if ((value instanceof Number || value instanceof Boolean)
                && (declared == value.getClass() || declared == Scalars.BOXES.get(value.getClass()))) {
            // An int returned as int (or Integer, a boolean as boolean...): its text as its adapter
            // writes it, without Gson's way there, which costs more than the writing.
            boolean finite = value instanceof Boolean || Double.isFinite(((Number) value).doubleValue());
            String text = finite ? value.toString() : "null";
            if (text.length() > limitBytes) {
                throw new ValueTooLong(text.length());
            }
            return text;
        }
        BoundedText text = new BoundedText(limitBytes);
        GSON.toJson(value, declared, text);
        return text.result();
    }

    /**
     * A returned value whose JSON text is longer than the limit: {@code bytes} is its length in
     * UTF-8, or where counting gave up (see {@link BoundedText}) the bytes counted until then.
     */
    static final class ValueTooLong extends RuntimeException {
        final long bytes;

        ValueTooLong(long bytes) {
            super(null, null, false, false);
            this.bytes = bytes;
        }
    }

    /**
     * A Writer that keeps text up to a limit in bytes of UTF-8 and past it only counts. Counting
     * is cheap for long strings (Gson writes them in one piece) but not for a list of millions
     * of numbers (two pieces each), and the test's deadline is ticking: past the limit it gives
     * up after {@link #COUNTED_PIECES} pieces, and the size is then what it counted, less than
     * the whole.
     */
    private static final class BoundedText extends Writer {
        private static final int COUNTED_PIECES = 1 << 18;

        private final int limit;
        private StringBuilder kept = new StringBuilder();
        private long bytes;
        private int piecesPast;

        BoundedText(int limit) {
            this.limit = limit;
        }

        @Override
        public void write(int c) {
            char one = (char) c;
            bytes += Limits.utf8Size(one);
            if (kept != null) {
                if (bytes <= limit) {
                    kept.append(one);
                    return;
                }
                kept = null;
            }
            countPiece();
        }

        @Override
        public void write(char[] chars, int offset, int length) {
            write(new String(chars, offset, length), 0, length);
        }

        @Override
        public void write(String text, int offset, int length) {
            int end = offset + length;
            int i = offset;
            if (kept != null) {
                for (; i < end; i++) {
                    char c = text.charAt(i);
                    bytes += Limits.utf8Size(c);
                    if (bytes > limit) {
                        kept = null; // too long: from here on only counted
                        i++;
                        break;
                    }
                    kept.append(c);
                }
                if (kept != null) {
                    return;
                }
            }
            for (; i < end; i++) {
                bytes += Limits.utf8Size(text.charAt(i));
            }
            countPiece();
        }

        private void countPiece() {
            if (++piecesPast > COUNTED_PIECES) {
                throw new ValueTooLong(bytes);
            }
        }

        String result() {
            if (kept == null) {
                throw new ValueTooLong(bytes);
            }
            return kept.toString();
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }

    /**
     * Strict scalars: an int takes an integral JSON number within its range, a String only a
     * JSON string, a char a one-character string; numbers keep their exact JSON text, so a long
     * beyond 2^53 arrives exact. Doubles that are NaN or infinite are written as null.
     */
    private static final class Scalars implements TypeAdapterFactory {
        private static final Map<Class<?>, Function<JsonElement, Object>> READERS = Map.ofEntries(
                Map.entry(int.class, e -> (int) integral(e, 31, "an int (32-bit integer)")),
                Map.entry(long.class, e -> integral(e, 63, "a long (64-bit integer)")),
                Map.entry(short.class, e -> (short) integral(e, 15, "a short (16-bit integer)")),
                Map.entry(byte.class, e -> (byte) integral(e, 7, "a byte (8-bit integer)")),
                Map.entry(BigInteger.class, JsonCodec.Scalars::bigInteger),
                Map.entry(double.class, e -> Double.parseDouble(number(e))),
                Map.entry(float.class, e -> Float.parseFloat(number(e))),
                Map.entry(BigDecimal.class, e -> new BigDecimal(number(e))),
                Map.entry(boolean.class, JsonCodec.Scalars::bool),
                Map.entry(char.class, JsonCodec.Scalars::character),
                Map.entry(String.class, JsonCodec.Scalars::string));

        private static final Map<Class<?>, Class<?>> BOXES = Map.of(
                Integer.class, int.class, Long.class, long.class, Short.class, short.class,
                Byte.class, byte.class, Double.class, double.class, Float.class, float.class,
                Boolean.class, boolean.class, Character.class, char.class);

        /** The reader of the scalar type {@code raw}; null when it is not one. */
        static Function<JsonElement, Object> reader(Class<?> raw) {
            Function<JsonElement, Object> reader = READERS.get(BOXES.getOrDefault(raw, raw));
            if (reader == null || raw.isPrimitive()) {
                return reader;
            }
            // Only primitives refuse null; boxes, strings and big numbers take it.
            return element -> element.isJsonNull() ? null : reader.apply(element);
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> TypeAdapter<T> create(Gson gson, TypeToken<T> type) {
            Function<JsonElement, Object> reader = reader(type.getRawType());
            if (reader == null) {
                return null;
            }
            TypeAdapter<JsonElement> elements = gson.getAdapter(JsonElement.class);
            return (TypeAdapter<T>) new TypeAdapter<Object>() {
                @Override
                public Object read(JsonReader in) throws IOException {
                    JsonElement element = elements.read(in);
                    try {
                        return reader.apply(element);
                    } catch (InputMismatch mismatch) {
                        throw mismatch.within(in.getPreviousPath());
                    }
                }

                @Override
                public void write(JsonWriter out, Object value) throws IOException {
                    if (value == null) {
                        out.nullValue();
                    } else if (value instanceof Double || value instanceof Float) {
                        double number = ((Number) value).doubleValue();
                        if (Double.isFinite(number)) {
                            out.value((Number) value);
                        } else {
                            out.nullValue();
                        }
                    } else if (value instanceof Number) {
                        out.value((Number) value);
                    } else if (value instanceof Boolean) {
                        out.value((Boolean) value);
                    } else {
                        out.value(value.toString()); // String, Character
                    }
                }
            };
        }

        private static String number(JsonElement e) {
            if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
                return e.getAsString(); // the number's own JSON text
            }
            throw new InputMismatch("a number", e);
        }

        /** An integer of {@code bits} bits besides the sign; {@code range} names the type. */
        private static long integral(JsonElement e, int bits, String range) {
            long value;
            try {
                value = Long.parseLong(number(e)); // the usual case, without BigDecimal's cost
            } catch (NumberFormatException | InputMismatch notPlain) { // 1e3, 2.0, 2^63, "x"
                BigInteger exact = bigInteger(e);
                if (exact.bitLength() > 63) {
                    throw new InputMismatch(range, e);
                }
                value = exact.longValue();
            }
            if (bits < 63 && (value < -(1L << bits) || value >= 1L << bits)) {
                throw new InputMismatch(range, e);
            }
            return value;
        }

        private static BigInteger bigInteger(JsonElement e) {
            try {
                return new BigDecimal(number(e)).toBigIntegerExact();
            } catch (ArithmeticException | InputMismatch notIntegral) {
                throw new InputMismatch("an integer", e);
            }
        }

        private static Object bool(JsonElement e) {
            if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean()) {
                return e.getAsBoolean();
            }
            throw new InputMismatch("true or false", e);
        }

        private static Object character(JsonElement e) {
            if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString() && e.getAsString().length() == 1) {
                return e.getAsString().charAt(0);
            }
            throw new InputMismatch("a one-character string", e);
        }

        private static Object string(JsonElement e) {
            if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
                return e.getAsString();
            }
            throw new InputMismatch("a string", e);
        }
    }

    /**
     * Arrays, collections and maps. Gson builds them; this checks their JSON shape first, turns
     * object keys into non-string key types (Map<Integer, Integer> from {"1": 2}), and writes a
     * set in sorted order when its elements are comparable, as the other harnesses do.
     */
    private static final class Containers implements TypeAdapterFactory {
        @Override
        public <T> TypeAdapter<T> create(Gson gson, TypeToken<T> type) {
            Class<?> raw = type.getRawType();
            boolean isMap = Map.class.isAssignableFrom(raw);
            if (!isMap && !raw.isArray() && !Collection.class.isAssignableFrom(raw)) {
                return null;
            }
            TypeAdapter<T> delegate = gson.getDelegateAdapter(this, type);
            TypeAdapter<JsonElement> elements = gson.getAdapter(JsonElement.class);
            TypeAdapter<Object> anything = gson.getAdapter(Object.class);
            boolean unorderedSet = Set.class.isAssignableFrom(raw) && !SortedSet.class.isAssignableFrom(raw);
            return new TypeAdapter<T>() {
                @Override
                public T read(JsonReader in) throws IOException {
                    JsonToken token = in.peek();
                    if (token == JsonToken.NULL) {
                        in.nextNull();
                        return null;
                    }
                    if (isMap) {
                        JsonElement element = elements.read(in);
                        return readMap(gson, type, delegate, element, in.getPreviousPath());
                    }
                    if (token != JsonToken.BEGIN_ARRAY) {
                        JsonElement element = elements.read(in);
                        throw new InputMismatch("an array", element).within(in.getPreviousPath());
                    }
                    // The same reader, so a mismatch inside knows its full path.
                    return delegate.read(in);
                }

                @Override
                public void write(JsonWriter out, T value) throws IOException {
                    if (!unorderedSet || value == null) {
                        delegate.write(out, value);
                        return;
                    }
                    List<Object> items = new ArrayList<>((Set<?>) value);
                    sortIfComparable(items);
                    out.beginArray();
                    for (Object item : items) {
                        anything.write(out, item);
                    }
                    out.endArray();
                }
            };
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private static void sortIfComparable(List<Object> items) {
            try {
                Collections.sort((List) items);
            } catch (ClassCastException | NullPointerException mixed) {
                // Elements without a common order keep the set's own order.
            }
        }

        @SuppressWarnings("unchecked")
        private static <T> T readMap(Gson gson, TypeToken<T> type, TypeAdapter<T> delegate,
                JsonElement element, String path) {
            if (!element.isJsonObject()) {
                throw new InputMismatch("an object", element).within(path);
            }
            Type keyType = Object.class;
            Type valueType = Object.class;
            if (type.getType() instanceof ParameterizedType) {
                Type[] arguments = ((ParameterizedType) type.getType()).getActualTypeArguments();
                if (arguments.length == 2) {
                    keyType = arguments[0];
                    valueType = arguments[1];
                }
            }
            TypeAdapter<?> keys = gson.getAdapter(TypeToken.get(keyType));
            TypeAdapter<?> values = gson.getAdapter(TypeToken.get(valueType));
            boolean textKeys = keyType == String.class || keyType == Object.class;
            // Gson builds an empty map of the declared type (HashMap, TreeMap, an interface...).
            Map<Object, Object> map = (Map<Object, Object>) delegate.fromJsonTree(new JsonObject());
            for (Map.Entry<String, JsonElement> entry : element.getAsJsonObject().entrySet()) {
                try {
                    Object key = textKeys ? entry.getKey() : keys.fromJsonTree(keyElement(entry.getKey()));
                    map.put(key, values.fromJsonTree(entry.getValue()));
                } catch (InputMismatch mismatch) {
                    throw mismatch.within(path + "." + entry.getKey());
                }
            }
            return (T) map;
        }

        /** An object key as the JSON scalar it spells ("1" is 1, "true" is true), else as text. */
        private static JsonElement keyElement(String key) {
            try {
                JsonElement parsed = JsonParser.parseString(key);
                if (parsed.isJsonPrimitive() && !parsed.getAsJsonPrimitive().isString()) {
                    return parsed;
                }
            } catch (JsonParseException notJson) {
                // Plain text: the key stays a string.
            }
            return new JsonPrimitive(key);
        }
    }

    /**
     * LeetCode's ListNode (an array of values, [] is null) and TreeNode (level order with nulls
     * for missing children, trailing nulls dropped), recognized by name and fields so that a
     * submission's own definitions work too.
     */
    private static final class Nodes implements TypeAdapterFactory {
        @Override
        @SuppressWarnings("unchecked")
        public <T> TypeAdapter<T> create(Gson gson, TypeToken<T> type) {
            Class<?> raw = type.getRawType();
            Field[] links;
            if (raw.getSimpleName().equals("ListNode")) {
                links = links(raw, "next");
            } else if (raw.getSimpleName().equals("TreeNode")) {
                links = links(raw, "left", "right");
            } else {
                return null;
            }
            Field value = field(raw, "val");
            if (links == null || value == null) {
                return null;
            }
            TypeAdapter<Object> values = (TypeAdapter<Object>) gson.getAdapter(TypeToken.get(value.getGenericType()));
            // Gson's own adapter for the class builds empty nodes (no-arg constructor or not).
            TypeAdapter<T> builder = gson.getDelegateAdapter(this, type);
            TypeAdapter<JsonElement> elements = gson.getAdapter(JsonElement.class);
            return new NodeAdapter<>(raw, value, links, values, builder, elements);
        }

        private static Field[] links(Class<?> raw, String... names) {
            Field[] links = new Field[names.length];
            for (int i = 0; i < names.length; i++) {
                links[i] = field(raw, names[i]);
                if (links[i] == null || links[i].getType() != raw) {
                    return null;
                }
            }
            return links;
        }

        private static Field field(Class<?> raw, String name) {
            try {
                Field field = raw.getDeclaredField(name);
                field.setAccessible(true);
                return field;
            } catch (NoSuchFieldException absent) {
                return null;
            }
        }
    }

    /** One node class: a list when it has one link (next), a binary tree with two (left, right). */
    private static final class NodeAdapter<T> extends TypeAdapter<T> {
        private final Class<?> type;
        private final Field value;
        private final Field[] links;
        private final TypeAdapter<Object> values;
        private final TypeAdapter<T> builder;
        private final TypeAdapter<JsonElement> elements;

        NodeAdapter(Class<?> type, Field value, Field[] links, TypeAdapter<Object> values,
                TypeAdapter<T> builder, TypeAdapter<JsonElement> elements) {
            this.type = type;
            this.value = value;
            this.links = links;
            this.values = values;
            this.builder = builder;
            this.elements = elements;
        }

        @Override
        @SuppressWarnings("unchecked")
        public T read(JsonReader in) throws IOException {
            JsonElement element = elements.read(in);
            String path = in.getPreviousPath();
            if (element.isJsonNull()) {
                return null;
            }
            if (!element.isJsonArray()) {
                throw new InputMismatch("an array of " + type.getSimpleName() + " values", element).within(path);
            }
            List<JsonElement> items = element.getAsJsonArray().asList();
            try {
                return (T) (links.length == 1 ? readList(items, path) : readTree(items, path, element));
            } catch (IllegalAccessException e) {
                throw new JsonIOException(e);
            }
        }

        /** A node holding items[index], whose place in the argument is path[index]. */
        private Object node(List<JsonElement> items, int index, String path) throws IllegalAccessException {
            Object node = builder.fromJsonTree(new JsonObject());
            try {
                value.set(node, values.fromJsonTree(items.get(index)));
            } catch (InputMismatch mismatch) {
                throw mismatch.within(path + "[" + index + "]");
            }
            return node;
        }

        private Object readList(List<JsonElement> items, String path) throws IllegalAccessException {
            Object head = null;
            for (int i = items.size() - 1; i >= 0; i--) {
                Object node = node(items, i, path);
                links[0].set(node, head);
                head = node;
            }
            return head;
        }

        /** LeetCode's level order: each present node takes the next two items as its children. */
        private Object readTree(List<JsonElement> items, String path, JsonElement whole)
                throws IllegalAccessException {
            if (items.isEmpty() || items.get(0).isJsonNull()) {
                return null;
            }
            Object root = node(items, 0, path);
            List<Object> parents = new ArrayList<>(List.of(root));
            int next = 1;
            for (int p = 0; p < parents.size() && next < items.size(); p++) {
                for (Field link : links) {
                    if (next < items.size()) {
                        if (!items.get(next).isJsonNull()) {
                            Object child = node(items, next, path);
                            link.set(parents.get(p), child);
                            parents.add(child);
                        }
                        next++;
                    }
                }
            }
            if (next < items.size()) {
                throw new InputMismatch("a level-order tree (values left without a parent)", whole).within(path);
            }
            return root;
        }

        @Override
        public void write(JsonWriter out, T root) throws IOException {
            try {
                List<Object> order = links.length == 1 ? listOrder(root) : levelOrder(root);
                out.beginArray();
                for (Object node : order) {
                    if (node == null) {
                        out.nullValue();
                    } else {
                        values.write(out, value.get(node));
                    }
                }
                out.endArray();
            } catch (IllegalAccessException e) {
                throw new JsonIOException(e);
            }
        }

        private List<Object> listOrder(Object head) throws IllegalAccessException {
            Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
            List<Object> order = new ArrayList<>();
            for (Object node = head; node != null; node = links[0].get(node)) {
                if (!seen.add(node)) {
                    throw new JsonIOException("the returned ListNode list has a cycle");
                }
                order.add(node);
            }
            return order;
        }

        /** Breadth first with null for each missing child, then without the trailing nulls. */
        private List<Object> levelOrder(Object root) throws IllegalAccessException {
            Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
            List<Object> order = new ArrayList<>();
            order.add(root);
            for (int i = 0; i < order.size(); i++) {
                Object node = order.get(i);
                if (node == null) {
                    continue;
                }
                if (!seen.add(node)) {
                    throw new JsonIOException("the returned TreeNode is not a tree: a node is reached twice");
                }
                for (Field link : links) {
                    order.add(link.get(node));
                }
            }
            int end = order.size();
            while (end > 0 && order.get(end - 1) == null) {
                end--;
            }
            return order.subList(0, end);
        }
    }
}
