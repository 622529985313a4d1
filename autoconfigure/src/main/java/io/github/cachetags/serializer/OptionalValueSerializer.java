package io.github.cachetags.serializer;

import java.util.Optional;

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
 * Writes an {@link Optional} that stands where any type may (a cached value itself, an element of a list) as
 * {@code ["java.util.Optional", content]}, with the content typed, or {@code null} when empty. Jackson would write
 * the content alone, which reads back without its {@code Optional}. An {@code Optional} field of a declared type is
 * written as usual.
 */
final class OptionalValueSerializer extends StdSerializer<Optional<?>> {

	private final ValueSerializer<Object> delegate;

	@SuppressWarnings("unchecked")
	OptionalValueSerializer(ValueSerializer<?> delegate) {
		super(Optional.class);
		this.delegate = (ValueSerializer<Object>) delegate;
	}

	@Override
	public ValueSerializer<?> createContextual(SerializationContext context, @Nullable BeanProperty property) {
		ValueSerializer<?> contextual = this.delegate.createContextual(context, property);
		return (contextual == this.delegate) ? this : new OptionalValueSerializer(contextual);
	}

	@Override
	public void resolve(SerializationContext context) {
		this.delegate.resolve(context);
	}

	@Override
	public boolean isEmpty(SerializationContext context, Optional<?> value) {
		return this.delegate.isEmpty(context, value);
	}

	@Override
	public void serialize(Optional<?> value, JsonGenerator generator, SerializationContext context)
			throws JacksonException {
		this.delegate.serialize(value, generator, context);
	}

	@Override
	public void serializeWithType(Optional<?> value, JsonGenerator generator, SerializationContext context,
			TypeSerializer typeSerializer) throws JacksonException {
		WritableTypeId typeId = typeSerializer.writeTypePrefix(generator, context,
				typeSerializer.typeId(value, Optional.class, JsonToken.VALUE_STRING));
		if (value.isPresent()) {
			Object content = value.get();
			TypeSerializer anyType = context.findTypeSerializer(context.constructType(Object.class));
			context.findValueSerializer(content.getClass()).serializeWithType(content, generator, context, anyType);
		}
		else {
			context.defaultSerializeNullValue(generator);
		}
		typeSerializer.writeTypeSuffix(generator, context, typeId);
	}

}
