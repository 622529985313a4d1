package io.github.cachetags.serializer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.DeserializationConfig;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.KeyDeserializer;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.jsontype.TypeDeserializer;
import tools.jackson.databind.module.SimpleDeserializers;
import tools.jackson.databind.type.CollectionType;
import tools.jackson.databind.type.MapType;
import tools.jackson.databind.type.TypeFactory;

/**
 * Reads the JDK's unmodifiable collections with their own classes, where Jackson would give mutable ones: those
 * of {@code List.of}, {@code Set.of}, {@code Map.of}, {@code Stream.toList()} and {@code Arrays.asList}. Their
 * classes are private to the JDK, so they are read as plain collections and made again through the same
 * factories.
 */
final class JdkCollectionShapes extends SimpleDeserializers {

	private static final long serialVersionUID = 1L;

	private static final String IMMUTABLE = "java.util.ImmutableCollections$";

	private static final String ARRAYS_AS_LIST = "java.util.Arrays$ArrayList";

	@Override
	public @Nullable ValueDeserializer<?> findCollectionDeserializer(CollectionType type,
			DeserializationConfig config, BeanDescription.Supplier description,
			@Nullable TypeDeserializer elementTypeDeserializer, @Nullable ValueDeserializer<?> elementDeserializer) {
		UnaryOperator<Object> reshaper = reshaperFor(type.getRawClass());
		if (reshaper == null) {
			return null;
		}
		TypeFactory types = config.getTypeFactory();
		@SuppressWarnings("rawtypes")
		Class<? extends Collection> plain = Set.class.isAssignableFrom(type.getRawClass()) ? LinkedHashSet.class : ArrayList.class;
		return new ReshapingDeserializer(type, types.constructCollectionType(plain, type.getContentType()), reshaper,
				null);
	}

	@Override
	public @Nullable ValueDeserializer<?> findMapDeserializer(MapType type, DeserializationConfig config,
			BeanDescription.Supplier description, @Nullable KeyDeserializer keyDeserializer,
			@Nullable TypeDeserializer valueTypeDeserializer, @Nullable ValueDeserializer<?> valueDeserializer) {
		UnaryOperator<Object> reshaper = reshaperFor(type.getRawClass());
		if (reshaper == null) {
			return null;
		}
		JavaType plain = config.getTypeFactory()
			.constructMapType(LinkedHashMap.class, type.getKeyType(), type.getContentType());
		return new ReshapingDeserializer(type, plain, reshaper, null);
	}

	@Override
	public boolean hasDeserializerFor(DeserializationConfig config, Class<?> valueType) {
		return reshaperFor(valueType) != null;
	}

	/**
	 * How to turn a plain collection into an instance of {@code type}, or {@code null} when Jackson reads that
	 * type as it is.
	 */
	static @Nullable UnaryOperator<Object> reshaperFor(Class<?> type) {
		String name = type.getName();
		if (name.equals(ARRAYS_AS_LIST)) {
			return (value) -> Arrays.asList(((Collection<?>) value).toArray());
		}
		if (!name.startsWith(IMMUTABLE)) {
			return null;
		}
		if (List.class.isAssignableFrom(type)) {
			// List12 comes from List.of with one or two elements; ListN also from Stream.toList(), which allows null
			return name.endsWith("$List12") ? (value) -> List.copyOf((Collection<?>) value)
					: (value) -> ((Collection<?>) value).stream().toList();
		}
		if (Set.class.isAssignableFrom(type)) {
			return (value) -> Set.copyOf((Collection<?>) value);
		}
		if (Map.class.isAssignableFrom(type)) {
			return (value) -> Map.copyOf((Map<?, ?>) value);
		}
		return null;
	}

}
