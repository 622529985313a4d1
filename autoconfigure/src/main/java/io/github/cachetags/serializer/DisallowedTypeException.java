package io.github.cachetags.serializer;

import java.util.List;

import org.springframework.data.redis.serializer.SerializationException;

/**
 * A value names a Java type that may not be read from Redis. When reading, the value was not read, and the named
 * class was neither initialized nor instantiated; when writing, nothing was stored, since the value could not be
 * read back.
 */
public class DisallowedTypeException extends SerializationException {

	private static final long serialVersionUID = 1L;

	private static final String ALLOWED = "only JDK value types, java.time, java.util collections and maps, "
			+ "arrays of these, and types of the packages %s may be read from Redis. If this is a type of your "
			+ "application, add its package to the allowed packages (cachetags.json.allowed-packages).";

	private final String typeName;

	private DisallowedTypeException(String message, String typeName) {
		super(message);
		this.typeName = typeName;
	}

	static DisallowedTypeException reading(String typeName, List<String> packages) {
		return new DisallowedTypeException("Refusing to read a cached value of type '" + typeName + "': "
				+ ALLOWED.formatted(packages), typeName);
	}

	static DisallowedTypeException writing(String typeName, List<String> packages) {
		return new DisallowedTypeException("Cannot cache a value of type '" + typeName
				+ "', as it could not be read back: " + ALLOWED.formatted(packages), typeName);
	}

	/** The type, as the stored value names it. */
	public String getTypeName() {
		return this.typeName;
	}

}
