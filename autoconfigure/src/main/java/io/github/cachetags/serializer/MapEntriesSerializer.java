package io.github.cachetags.serializer;

import java.util.EnumMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonToken;
import tools.jackson.core.type.WritableTypeId;
import tools.jackson.databind.BeanProperty;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.jsontype.TypeSerializer;
import tools.jackson.databind.ser.std.StdSerializer;

/**
 * Writes a map whose keys are not all strings as an array of {@code [key, value]} pairs, each with its type, so
 * that {@code Map<Long, Product>} reads back with {@code Long} keys; JSON object keys would come back as strings.
 * Maps with only string keys, and {@link EnumMap}s (whose type id names the key type), are written as usual.
 */
final class MapEntriesSerializer extends StdSerializer<Map<?, ?>> {

	private final ValueSerializer<Object> delegate;

	@SuppressWarnings("unchecked")
	MapEntriesSerializer(ValueSerializer<?> delegate) {
		super(Map.class);
		this.delegate = (ValueSerializer<Object>) delegate;
	}

	static boolean needsEntries(Map<?, ?> map) {
		if (map instanceof EnumMap) {
			return false;
		}
		for (Object key : map.keySet()) {
			if (!(key instanceof String)) {
				return true;
			}
		}
		return false;
	}

	@Override
	public ValueSerializer<?> createContextual(SerializationContext context, @Nullable BeanProperty property) {
		ValueSerializer<?> contextual = this.delegate.createContextual(context, property);
		return (contextual == this.delegate) ? this : new MapEntriesSerializer(contextual);
	}

	@Override
	public void resolve(SerializationContext context) {
		this.delegate.resolve(context);
	}

	@Override
	public boolean isEmpty(SerializationContext context, Map<?, ?> value) {
		return this.delegate.isEmpty(context, value);
	}

	@Override
	public void serialize(Map<?, ?> map, JsonGenerator generator, SerializationContext context)
			throws JacksonException {
		if (needsEntries(map)) {
			writeEntries(map, generator, context);
		}
		else {
			this.delegate.serialize(map, generator, context);
		}
	}

	@Override
	public void serializeWithType(Map<?, ?> map, JsonGenerator generator, SerializationContext context,
			TypeSerializer typeSerializer) throws JacksonException {
		if (!needsEntries(map)) {
			this.delegate.serializeWithType(map, generator, context, typeSerializer);
			return;
		}
		// the prefix opens the array, the suffix closes it
		WritableTypeId typeId = typeSerializer.writeTypePrefix(generator, context,
				typeSerializer.typeId(map, JsonToken.START_ARRAY));
		writePairs(map, generator, context);
		typeSerializer.writeTypeSuffix(generator, context, typeId);
	}

	private static void writeEntries(Map<?, ?> map, JsonGenerator generator, SerializationContext context) {
		generator.writeStartArray(map, map.size());
		writePairs(map, generator, context);
		generator.writeEndArray();
	}

	private static void writePairs(Map<?, ?> map, JsonGenerator generator, SerializationContext context) {
		TypeSerializer anyType = context.findTypeSerializer(context.constructType(Object.class));
		for (Map.Entry<?, ?> entry : map.entrySet()) {
			generator.writeStartArray(entry, 2);
			writeTyped(entry.getKey(), generator, context, anyType);
			writeTyped(entry.getValue(), generator, context, anyType);
			generator.writeEndArray();
		}
	}

	private static void writeTyped(@Nullable Object value, JsonGenerator generator, SerializationContext context,
			TypeSerializer anyType) {
		if (value == null) {
			context.defaultSerializeNullValue(generator);
		}
		else {
			context.findValueSerializer(value.getClass()).serializeWithType(value, generator, context, anyType);
		}
	}

}
