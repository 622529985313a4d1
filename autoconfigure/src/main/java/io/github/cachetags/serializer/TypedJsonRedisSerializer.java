package io.github.cachetags.serializer;

import java.util.Collection;
import java.util.List;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.cfg.DateTimeFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.type.TypeFactory;

import org.springframework.data.redis.serializer.RedisSerializer;
import org.springframework.data.redis.serializer.SerializationException;

/**
 * JSON for cached values that reads back exactly the type that was written: a {@code Long} stays a
 * {@code Long}, a {@code long[]} a {@code long[]}, a {@code Map<Long, Product>} keeps its {@code Long} keys, and an
 * {@code OffsetDateTime} keeps its offset. A value reads back with its own class, so a hit returns what the cached
 * method declares.
 * <p>
 * Each value that JSON alone cannot describe carries its Java type: objects as an {@code "@class"} property,
 * other values as a {@code ["type", value]} pair. Strings, booleans, {@code Integer}s and {@code Double}s are
 * written bare, since JSON reads them back as those types. A map whose keys are not all strings is written as an
 * array of typed {@code [key, value]} pairs.
 * <p>
 * Reading is restricted to an allow-list, so data in Redis cannot make the application instantiate arbitrary
 * classes: JDK value types, {@code java.time}, {@code java.util} collections and maps, arrays of these, and the
 * classes of the given packages. A value naming any other type fails with a {@link DisallowedTypeException}; the
 * cache then treats it as unreadable (a miss, and the entry is removed).
 * <p>
 * Thread-safe.
 */
public final class TypedJsonRedisSerializer implements RedisSerializer<Object> {

	/** Name of the property that carries the class of an object. */
	public static final String TYPE_PROPERTY = "@class";

	private static final byte[] EMPTY = new byte[0];

	private final AllowedTypes allowedTypes;

	private final ObjectWriter writer;

	private final ObjectReader reader;

	/**
	 * @param allowedPackages packages whose classes (and those of their subpackages) may be read, typically the
	 * application's own; a top-level package (such as {@code com}) or a JDK package is refused
	 * @param classLoader loads the classes that stored values name
	 */
	public TypedJsonRedisSerializer(Collection<String> allowedPackages, @Nullable ClassLoader classLoader) {
		this.allowedTypes = new AllowedTypes(allowedPackages);
		TypeFactory types = TypeFactory.createDefaultInstance();
		JsonMapper mapper = JsonMapper.builder()
			.typeFactory((classLoader != null) ? types.withClassLoader(classLoader) : types)
			.polymorphicTypeValidator(this.allowedTypes)
			.setDefaultTyping(new AllowListTyping(this.allowedTypes, TYPE_PROPERTY))
			.enable(DateTimeFeature.WRITE_DATES_WITH_ZONE_ID)
			.disable(DateTimeFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
			.addModule(new ExactTypesModule())
			.build();
		this.writer = mapper.writerFor(Object.class);
		this.reader = mapper.readerFor(Object.class);
	}

	/**
	 * Checks that a package may be allowed: a package name of at least two segments, not of the JDK.
	 * @param pkg a package name, such as {@code com.example.shop}
	 * @return the name, stripped of surrounding blanks
	 * @throws IllegalArgumentException if it is not a package name or is too broad
	 */
	public static String requireAllowablePackage(String pkg) {
		return AllowedTypes.checkedPackage(pkg);
	}

	/** The packages whose classes may be read, besides the JDK types. */
	public List<String> allowedPackages() {
		return this.allowedTypes.packages();
	}

	@Override
	public byte[] serialize(@Nullable Object value) throws SerializationException {
		if (value == null) {
			return EMPTY;
		}
		try {
			return this.writer.writeValueAsBytes(value);
		}
		catch (RuntimeException ex) {
			DisallowedTypeException disallowed = findDisallowed(ex);
			if (disallowed != null) {
				throw disallowed;
			}
			throw new SerializationException("Cannot write a value of " + value.getClass().getName() + " as JSON: "
					+ ex.getMessage(), ex);
		}
	}

	@Override
	public @Nullable Object deserialize(byte @Nullable [] bytes) throws SerializationException {
		if (bytes == null || bytes.length == 0) {
			return null;
		}
		try {
			return this.reader.readValue(bytes);
		}
		catch (RuntimeException ex) {
			DisallowedTypeException disallowed = findDisallowed(ex);
			if (disallowed != null) {
				throw disallowed;
			}
			throw new SerializationException("Cannot read a cached value from JSON: " + ex.getMessage(), ex);
		}
	}

	private static @Nullable DisallowedTypeException findDisallowed(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof DisallowedTypeException disallowed) {
				return disallowed;
			}
		}
		return null;
	}

}
