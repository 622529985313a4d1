package io.github.cachetags.serializer;

import java.util.LinkedHashMap;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.deser.ValueInstantiator;
import tools.jackson.databind.deser.std.DelegatingDeserializer;

/**
 * Reads a map written by {@link MapEntriesSerializer}: an array of typed {@code [key, value]} pairs. A map
 * written as a JSON object is read as Jackson reads it.
 */
final class MapEntriesDeserializer extends DelegatingDeserializer {

	MapEntriesDeserializer(ValueDeserializer<?> delegate) {
		super(delegate);
	}

	@Override
	protected ValueDeserializer<?> newDelegatingInstance(ValueDeserializer<?> newDelegatee) {
		return new MapEntriesDeserializer(newDelegatee);
	}

	@Override
	public Object deserialize(JsonParser parser, DeserializationContext context) throws JacksonException {
		if (!parser.isExpectedStartArrayToken()) {
			return super.deserialize(parser, context);
		}
		Map<Object, Object> map = newMap(context);
		ValueDeserializer<Object> any = context.findRootValueDeserializer(context.constructType(Object.class));
		while (parser.nextToken() != JsonToken.END_ARRAY) {
			if (parser.currentToken() != JsonToken.START_ARRAY) {
				return context.handleUnexpectedToken(Map.class, parser);
			}
			parser.nextToken();
			Object key = read(parser, context, any);
			parser.nextToken();
			Object value = read(parser, context, any);
			if (parser.nextToken() != JsonToken.END_ARRAY) {
				return context.handleUnexpectedToken(Map.class, parser);
			}
			map.put(key, value);
		}
		return map;
	}

	private static Object read(JsonParser parser, DeserializationContext context, ValueDeserializer<Object> any) {
		return (parser.currentToken() == JsonToken.VALUE_NULL) ? null : any.deserialize(parser, context);
	}

	@SuppressWarnings("unchecked")
	private Map<Object, Object> newMap(DeserializationContext context) {
		if (getDelegatee() instanceof ValueInstantiator.Gettable gettable) {
			ValueInstantiator instantiator = gettable.getValueInstantiator();
			if (instantiator != null && instantiator.canCreateUsingDefault()) {
				return (Map<Object, Object>) instantiator.createUsingDefault(context);
			}
		}
		return new LinkedHashMap<>();
	}

}
