package io.github.cachetags.serializer;

import java.util.Optional;

import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.DeserializationConfig;
import tools.jackson.databind.SerializationConfig;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.deser.ValueDeserializerModifier;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.ser.ValueSerializerModifier;
import tools.jackson.databind.type.MapType;

/**
 * What Jackson's default typing alone does not keep: the key types of maps whose declared key type is
 * {@code Object}, {@code Optional} where any type may stand, and the JDK's unmodifiable collection classes.
 */
final class ExactTypesModule extends SimpleModule {

	private static final long serialVersionUID = 1L;

	ExactTypesModule() {
		super("cachetags-exact-types");
		setSerializerModifier(new Serializers());
		setDeserializerModifier(new Deserializers());
		setDeserializers(new JdkCollectionShapes());
	}

	private static boolean hasUntypedKeys(MapType type) {
		return type.getKeyType().hasRawClass(Object.class);
	}

	private static final class Serializers extends ValueSerializerModifier {

		private static final long serialVersionUID = 1L;

		@Override
		public ValueSerializer<?> modifySerializer(SerializationConfig config, BeanDescription.Supplier description,
				ValueSerializer<?> serializer) {
			return description.getType().hasRawClass(Optional.class) ? new OptionalValueSerializer(serializer)
					: serializer;
		}

		@Override
		public ValueSerializer<?> modifyMapSerializer(SerializationConfig config, MapType type,
				BeanDescription.Supplier description, ValueSerializer<?> serializer) {
			return hasUntypedKeys(type) ? new MapEntriesSerializer(serializer) : serializer;
		}

	}

	private static final class Deserializers extends ValueDeserializerModifier {

		private static final long serialVersionUID = 1L;

		@Override
		public ValueDeserializer<?> modifyMapDeserializer(DeserializationConfig config, MapType type,
				BeanDescription.Supplier description, ValueDeserializer<?> deserializer) {
			// a reshaped map is read as a LinkedHashMap, whose own deserializer reads the entries
			boolean reshaped = deserializer instanceof ReshapingDeserializer;
			return (hasUntypedKeys(type) && !reshaped) ? new MapEntriesDeserializer(deserializer) : deserializer;
		}

	}

}
