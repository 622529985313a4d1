package io.github.cachetags.serializer;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

import tools.jackson.databind.DatabindContext;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.jsontype.PolymorphicTypeValidator;
import tools.jackson.databind.type.TypeFactory;

/**
 * The types a stored value may name, checked before a named class is initialized or instantiated. Allowed are:
 * <ul>
 * <li>JDK value types: {@code String}, the boxed primitives, {@code BigDecimal}, {@code BigInteger}, {@code UUID},
 * {@code Optional} and its primitive variants, {@code Locale}, {@code Currency}, {@code Date};</li>
 * <li>everything in {@code java.time} and its subpackages;</li>
 * <li>collections and maps of package {@code java.util} itself (not of its subpackages), such as
 * {@code ArrayList}, {@code HashMap}, {@code EnumSet} and the immutable ones of {@code List.of};</li>
 * <li>classes, records and enums of the given packages and their subpackages;</li>
 * <li>arrays of any of these, and arrays of primitives.</li>
 * </ul>
 * Type parameters written into a type id (as in {@code java.util.EnumSet<com.example.Color>}) must be allowed
 * too. Anything else is refused with a {@link DisallowedTypeException}, when reading and already when writing
 * (see {@link AllowListTyping}). A refused name may have been loaded by the
 * class loader, but it is never initialized: Jackson loads classes of type ids without initializing them.
 */
final class AllowedTypes extends PolymorphicTypeValidator.Base {

	private static final long serialVersionUID = 1L;

	private static final Set<String> JDK_VALUE_TYPES = Set.of("java.lang.String", "java.lang.Boolean",
			"java.lang.Object", "java.lang.Character", "java.lang.Byte", "java.lang.Short", "java.lang.Integer", "java.lang.Long",
			"java.lang.Float", "java.lang.Double", "java.math.BigDecimal", "java.math.BigInteger", "java.util.UUID",
			"java.util.Optional", "java.util.OptionalInt", "java.util.OptionalLong", "java.util.OptionalDouble",
			"java.util.Locale", "java.util.Currency", "java.util.Date");

	private static final String PRIMITIVE_ARRAY_CODES = "ZBCSIJFD";

	private final List<String> packages;

	/**
	 * @param packages packages whose classes (and those of their subpackages) may be named
	 */
	AllowedTypes(Collection<String> packages) {
		this.packages = packages.stream().map(AllowedTypes::checkedPackage).distinct().toList();
	}

	/** The application packages, as given. */
	List<String> packages() {
		return this.packages;
	}

	@Override
	public Validity validateBaseType(DatabindContext context, JavaType baseType) {
		return Validity.INDETERMINATE;
	}

	/**
	 * Refuses names outside the allowed namespaces before their class is looked up. Never answers "allowed", so
	 * that Jackson always asks {@link #validateSubType} too, which also sees type parameters.
	 */
	@Override
	public Validity validateSubClassName(DatabindContext context, JavaType baseType, String subClassName) {
		if (!nameMayBeAllowed(subClassName)) {
			throw DisallowedTypeException.reading(subClassName, this.packages);
		}
		return Validity.INDETERMINATE;
	}

	@Override
	public Validity validateSubType(DatabindContext context, JavaType baseType, JavaType subType) {
		if (!isAllowed(subType)) {
			throw DisallowedTypeException.reading(subType.toCanonical(), this.packages);
		}
		return Validity.ALLOWED;
	}

	/**
	 * Whether a class with that binary name (as {@link Class#getName()} spells it) may be named.
	 */
	boolean isAllowed(Class<?> type) {
		if (type.isArray()) {
			return type.getComponentType().isPrimitive() || isAllowed(type.getComponentType());
		}
		String name = type.getName();
		if (isApplicationType(name) || JDK_VALUE_TYPES.contains(name) || name.startsWith("java.time.")) {
			return true;
		}
		return isJavaUtilType(name) && (Collection.class.isAssignableFrom(type) || Map.class.isAssignableFrom(type));
	}

	/**
	 * Whether a type id, as written into a value, names an allowed type; the named classes are loaded.
	 */
	boolean isAllowedTypeId(String typeId, TypeFactory types) {
		String raw = (typeId.indexOf('<') > 0) ? typeId.substring(0, typeId.indexOf('<')) : typeId;
		return nameMayBeAllowed(raw) && isAllowed(types.constructFromCanonical(typeId));
	}

	boolean isAllowed(JavaType type) {
		if (type.isArrayType()) {
			JavaType component = type.getContentType();
			return component.isPrimitive() || isAllowed(component);
		}
		if (!isAllowed(type.getRawClass())) {
			return false;
		}
		for (int i = 0; i < type.containedTypeCount(); i++) {
			JavaType parameter = type.containedType(i);
			if (!parameter.hasRawClass(Object.class) && !isAllowed(parameter)) {
				return false;
			}
		}
		return true;
	}

	private boolean nameMayBeAllowed(String name) {
		if (name.startsWith("[")) {
			String component = name.substring(name.lastIndexOf('[') + 1);
			if (component.length() == 1) {
				return PRIMITIVE_ARRAY_CODES.contains(component);
			}
			return component.startsWith("L") && component.endsWith(";")
					&& nameMayBeAllowed(component.substring(1, component.length() - 1));
		}
		return isApplicationType(name) || JDK_VALUE_TYPES.contains(name) || name.startsWith("java.time.")
				|| isJavaUtilType(name);
	}

	private boolean isApplicationType(String name) {
		for (String pkg : this.packages) {
			if (name.startsWith(pkg) && name.length() > pkg.length() && name.charAt(pkg.length()) == '.') {
				return true;
			}
		}
		return false;
	}

	private static boolean isJavaUtilType(String name) {
		return name.startsWith("java.util.") && name.indexOf('.', "java.util.".length()) < 0;
	}

	private static boolean isJdkPackage(String pkg) {
		for (String jdk : List.of("java", "javax", "jdk", "sun", "com.sun")) {
			if (pkg.equals(jdk) || pkg.startsWith(jdk + ".")) {
				return true;
			}
		}
		return false;
	}

	static String checkedPackage(String pkg) {
		String trimmed = pkg.strip();
		if (!trimmed.matches("\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*"
				+ "(\\.\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*)*")) {
			throw new IllegalArgumentException("'" + pkg + "' is not a package name; expected something like "
					+ "'com.example.shop', whose classes and subpackages are then allowed");
		}
		if (!trimmed.contains(".") || isJdkPackage(trimmed)) {
			throw new IllegalArgumentException("Package '" + pkg + "' is too broad to allow for cached values: "
					+ "it is a top-level package or part of the JDK, and so may hold classes that are known "
					+ "deserialization gadgets; name the packages of your own types, such as 'com.example.shop'");
		}
		return trimmed;
	}

}
