package io.github.cachetags.serializer;

import java.util.function.UnaryOperator;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.BeanProperty;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.deser.std.StdDeserializer;

/**
 * Reads a JDK collection whose class Jackson cannot create as a plain collection of the same kind, then gives it
 * that class again (see {@link JdkCollectionShapes}).
 */
final class ReshapingDeserializer extends StdDeserializer<Object> {

	private final JavaType readAs;

	private final UnaryOperator<Object> reshaper;

	private final @Nullable ValueDeserializer<Object> delegate;

	ReshapingDeserializer(JavaType type, JavaType readAs, UnaryOperator<Object> reshaper,
			@Nullable ValueDeserializer<Object> delegate) {
		super(type);
		this.readAs = readAs;
		this.reshaper = reshaper;
		this.delegate = delegate;
	}

	@Override
	public ValueDeserializer<?> createContextual(DeserializationContext context, @Nullable BeanProperty property) {
		return new ReshapingDeserializer(getValueType(), this.readAs, this.reshaper,
				context.findContextualValueDeserializer(this.readAs, property));
	}

	@Override
	public Object deserialize(JsonParser parser, DeserializationContext context) throws JacksonException {
		ValueDeserializer<Object> reader = (this.delegate != null) ? this.delegate
				: context.findRootValueDeserializer(this.readAs);
		return this.reshaper.apply(reader.deserialize(parser, context));
	}

}
