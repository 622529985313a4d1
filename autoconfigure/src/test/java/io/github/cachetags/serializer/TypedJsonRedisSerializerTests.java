package io.github.cachetags.serializer;

import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.Year;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Currency;
import java.util.Date;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import io.github.cachetags.test.InitializationTrap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.data.redis.serializer.SerializationException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The JSON value format reads back every value with the class it was written with, and reads only allowed types.
 */
class TypedJsonRedisSerializerTests {

	private static final String APPLICATION = "io.github.cachetags.serializer";

	private final TypedJsonRedisSerializer serializer = new TypedJsonRedisSerializer(List.of(APPLICATION),
			getClass().getClassLoader());

	static Stream<Object> jdkValues() {
		return Stream.of(42L, Long.MAX_VALUE, 42, (short) 7, (byte) 3, 1.5f, 2.25d, Double.NaN,
				Float.NEGATIVE_INFINITY, 'x', true, "text", new BigDecimal("1.50"), new BigDecimal("1E+3"),
				new BigInteger("123456789012345678901234567890"), UUID.randomUUID(), Instant.parse("2024-05-01T10:15:30.123456789Z"),
				LocalDate.of(2024, 2, 29), LocalDateTime.of(2024, 5, 1, 10, 15, 30, 5), LocalTime.NOON,
				Duration.ofMillis(1500), ZonedDateTime.of(2024, 5, 1, 10, 0, 0, 0, ZoneId.of("Europe/Paris")),
				OffsetDateTime.of(2024, 5, 1, 10, 0, 0, 0, ZoneOffset.ofHours(-3)), Year.of(2024), DayOfWeek.FRIDAY,
				ZoneId.of("America/New_York"), Locale.CANADA_FRENCH, Currency.getInstance("EUR"), new Date(1714557600000L),
				OptionalLong.of(5), Optional.of(5L), Optional.empty(), new long[] { 1, Long.MIN_VALUE },
				new int[] { 1, 2 }, new byte[] { 0, -1, 127 }, new char[] { 'a', 'b' }, new boolean[] { true },
				new double[] { 0.5 }, new String[] { "a", null }, new Long[] { 1L, null }, new Object[] { 1L, "a", 'c' },
				new long[][] { { 1 }, { 2, 3 } }, new ArrayList<>(List.of(1L, 2L)), new LinkedList<>(List.of((short) 1)),
				new HashSet<>(Set.of(1.5f)), new LinkedHashSet<>(List.of('a', 'b')), new TreeSet<>(Set.of(3L, 1L)),
				new HashMap<>(Map.of("a", 1L)), new LinkedHashMap<>(Map.of("a", List.of(1L))),
				new TreeMap<>(Map.of("b", (byte) 1)), Collections.emptyList(), Collections.singletonList(1L),
				Collections.unmodifiableList(new ArrayList<>(List.of(1L))));
	}

	@ParameterizedTest
	@MethodSource("jdkValues")
	void jdkValuesReadBackWithTheirOwnClass(Object value) {
		assertRoundTrip(value);
	}

	static Stream<Object> unmodifiableCollections() {
		return Stream.of(List.of(1L), List.of(1L, 2L), List.of(1L, 2L, 3L), List.of(), Stream.of(1L, null).toList(),
				Stream.of(1L, 2L, 3L).toList(), Set.of(1L), Set.of(1L, 2L, 3L), Map.of("a", 1L),
				Map.of("a", 1L, "b", 2L), Map.of(1L, "a", 2L, "b"), Arrays.asList(1L, 2L));
	}

	@ParameterizedTest
	@MethodSource("unmodifiableCollections")
	void unmodifiableJdkCollectionsStayUnmodifiable(Object value) {
		Object read = assertRoundTrip(value);
		if (!(read instanceof Map) && !read.getClass().getName().equals("java.util.Arrays$ArrayList")) {
			assertThatExceptionOfType(UnsupportedOperationException.class)
				.isThrownBy(() -> ((Collection<Object>) read).add(1L));
		}
	}

	@Test
	void mapKeysKeepTheirTypes() {
		assertRoundTrip(new HashMap<>(Map.of(1L, new Product(1L, "pen", Category.OFFICE))));
		assertRoundTrip(new TreeMap<>(Map.of(LocalDate.of(2024, 1, 1), 1L)));
		assertRoundTrip(new HashMap<>(Map.of(Category.FOOD, List.of(2), UUID.randomUUID(), 'x')));
		assertRoundTrip(new EnumMap<>(Map.of(Category.FOOD, 1L)));
		Map<Object, Object> nullKey = new HashMap<>();
		nullKey.put(null, 1L);
		assertRoundTrip(nullKey);
		Map<Integer, Map<Long, String>> nested = new HashMap<>(Map.of(1, new HashMap<>(Map.of(2L, "b"))));
		assertRoundTrip(nested);
	}

	@Test
	void applicationTypesReadBackWithTheirOwnClass() {
		Product pen = new Product(7L, "pen", Category.OFFICE);
		assertRoundTrip(pen);
		assertRoundTrip(Category.FOOD);
		assertRoundTrip(EnumSet.of(Category.FOOD, Category.OFFICE));
		assertRoundTrip(new HashSet<>(Set.of(Category.FOOD)));
		assertRoundTrip(new Product[] { pen });
		assertRoundTrip(new ArrayList<>(List.of(pen)));
		assertRoundTrip(Map.of("pen", pen));
		assertRoundTrip(new Counter(12L, List.of(1L, 2L), Optional.of(3L)));
		assertRoundTrip(new Basket(List.of(new Circle(1.5), new Square(2)), Map.of("x", List.of(Set.of(1L))),
				Optional.of(pen), 3L));
		assertRoundTrip(new HashMap<>(Map.of("a", List.of(Map.of(1L, Set.of(Category.FOOD))))));
		assertRoundTrip(List.of(Optional.of(1L), Optional.empty()));
	}

	@Test
	void storedJsonStaysReadableByOtherClients() {
		String json = new String(this.serializer.serialize(new Product(7L, "pen", Category.OFFICE)),
				StandardCharsets.UTF_8);

		assertThat(json).isEqualTo(
				"{\"@class\":\"io.github.cachetags.serializer.TypedJsonRedisSerializerTests$Product\","
						+ "\"id\":7,\"name\":\"pen\",\"category\":\"OFFICE\"}");
		assertThat(new String(this.serializer.serialize(42L), StandardCharsets.UTF_8))
			.isEqualTo("[\"java.lang.Long\",42]");
		assertThat(new String(this.serializer.serialize(42), StandardCharsets.UTF_8)).isEqualTo("42");
	}

	@Test
	void nullIsNoBytesAndNoBytesIsNull() {
		assertThat(this.serializer.serialize(null)).isEmpty();
		assertThat(this.serializer.deserialize(new byte[0])).isNull();
		assertThat(this.serializer.deserialize(null)).isNull();
	}

	@Test
	void aClassicGadgetIsRefusedWithAClearException() {
		assertRefused("{\"@class\":\"com.sun.rowset.JdbcRowSetImpl\",\"dataSourceName\":\"ldap://127.0.0.1:1389/x\","
				+ "\"autoCommit\":true}", "com.sun.rowset.JdbcRowSetImpl");
		assertRefused("[\"org.springframework.context.support.ClassPathXmlApplicationContext\","
				+ "\"http://127.0.0.1/context.xml\"]", "org.springframework.context.support.ClassPathXmlApplicationContext");
		assertRefused("[\"java.util.logging.FileHandler\",{\"pattern\":\"/tmp/x\"}]", "java.util.logging.FileHandler");
		assertRefused("[\"javax.management.BadAttributeValueExpException\",{}]",
				"javax.management.BadAttributeValueExpException");
	}

	@Test
	void aGadgetNestedInAllowedTypesIsRefused() {
		assertRefused("[\"java.util.ArrayList\",[{\"@class\":\"com.sun.rowset.JdbcRowSetImpl\"}]]",
				"com.sun.rowset.JdbcRowSetImpl");
		assertRefused("{\"@class\":\"java.util.HashMap\",\"k\":[\"[Lcom.sun.rowset.JdbcRowSetImpl;\",[]]}",
				"[Lcom.sun.rowset.JdbcRowSetImpl;");
		assertRefused("[\"java.util.HashMap\",[[[\"java.net.URL\",\"http://127.0.0.1/\"],1]]]", "java.net.URL");
	}

	@Test
	void aGadgetAsATypeParameterIsRefused() {
		assertRefused("[\"java.util.ArrayList<com.sun.rowset.JdbcRowSetImpl>\",[{\"dataSourceName\":\"x\"}]]",
				"java.util.ArrayList<com.sun.rowset.JdbcRowSetImpl>");
	}

	@Test
	void aRefusedClassIsNeitherInitializedNorInstantiated() {
		assertRefused("{\"@class\":\"io.github.cachetags.test.InitializationTrap\",\"command\":\"x\"}",
				"io.github.cachetags.test.InitializationTrap");
		assertRefused("[\"java.util.ArrayList<io.github.cachetags.test.InitializationTrap>\",[{\"command\":\"x\"}]]",
				"java.util.ArrayList<io.github.cachetags.test.InitializationTrap>");

		assertThat(System.getProperty(InitializationTrap.INITIALIZED)).isNull();
		assertThat(System.getProperty(InitializationTrap.INSTANTIATED)).isNull();
	}

	@Test
	void aValueThatCouldNotBeReadBackIsRefusedWhenWritten() {
		assertThatExceptionOfType(DisallowedTypeException.class)
			.isThrownBy(() -> this.serializer.serialize(URI.create("https://example.com")))
			.withMessageContaining("Cannot cache a value of type 'java.net.URI'")
			.satisfies((ex) -> assertThat(ex.getTypeName()).isEqualTo("java.net.URI"));
		assertThatExceptionOfType(DisallowedTypeException.class)
			.isThrownBy(() -> this.serializer.serialize(new ArrayList<>(List.of(new ConcurrentHashMap<>()))))
			.withMessageContaining("java.util.concurrent.ConcurrentHashMap");
	}

	@Test
	void otherPackagesAreReadOnlyWhenAllowed() {
		TypedJsonRedisSerializer other = new TypedJsonRedisSerializer(List.of("com.example.shop"), null);

		assertThatExceptionOfType(DisallowedTypeException.class)
			.isThrownBy(() -> other.deserialize(this.serializer.serialize(new Product(1L, "pen", Category.FOOD))))
			.withMessageContaining("[com.example.shop]");
		assertThat(other.allowedPackages()).containsExactly("com.example.shop");
	}

	@Test
	void unreadableBytesFailWithASerializationException() {
		assertThatExceptionOfType(SerializationException.class)
			.isThrownBy(() -> this.serializer.deserialize("{not json".getBytes(StandardCharsets.UTF_8)))
			.isNotInstanceOf(DisallowedTypeException.class);
	}

	@Test
	void broadOrJdkPackagesCannotBeAllowed() {
		assertThat(TypedJsonRedisSerializer.requireAllowablePackage(" com.example.shop ")).isEqualTo("com.example.shop");
		for (String pkg : List.of("com", "org", "java.util", "javax.naming", "com.sun.rowset", "jdk.internal", "",
				"com..example", "com.example.*")) {
			assertThatIllegalArgumentException().as(pkg)
				.isThrownBy(() -> TypedJsonRedisSerializer.requireAllowablePackage(pkg))
				.withMessageContaining("'" + pkg + "'");
		}
	}

	@Test
	void aPackageAllowsItsSubpackagesButNotItsPrefixes() {
		AllowedTypes allowed = new AllowedTypes(List.of("com.example.shop"));

		assertThat(allowed.isAllowed(Product.class)).isFalse();
		assertThat(new AllowedTypes(List.of("io.github.cachetags")).isAllowed(Product.class)).isTrue();
		assertThat(new AllowedTypes(List.of("io.github.cache")).isAllowed(Product.class)).isFalse();
		assertThat(allowed.isAllowed(long[][].class)).isTrue();
		assertThat(allowed.isAllowed(Product[].class)).isFalse();
		assertThat(allowed.isAllowed(Thread.class)).isFalse();
		assertThat(allowed.isAllowed(Class.class)).isFalse();
	}

	private Object assertRoundTrip(Object value) {
		Object read = this.serializer.deserialize(this.serializer.serialize(value));

		assertThat(read).isNotNull();
		assertThat(read.getClass()).as("class of %s", value).isEqualTo(value.getClass());
		assertThat(Objects.deepEquals(read, value)).as("%s equals %s", read, value).isTrue();
		return read;
	}

	private void assertRefused(String json, String typeName) {
		assertThatExceptionOfType(DisallowedTypeException.class)
			.isThrownBy(() -> this.serializer.deserialize(json.getBytes(StandardCharsets.UTF_8)))
			.withMessageContaining("Refusing to read a cached value of type '" + typeName + "'")
			.withMessageContaining("[" + APPLICATION + "]");
	}

	enum Category {

		FOOD, OFFICE

	}

	record Product(long id, String name, Category category) implements Serializable {
	}

	sealed interface Shape permits Circle, Square {

	}

	record Circle(double radius) implements Shape {
	}

	record Square(int side) implements Shape {
	}

	record Basket(List<Shape> shapes, Map<String, List<Set<Long>>> nested, Optional<Product> favourite,
			Object anything) {
	}

	static class Counter {

		private Long count;

		private List<Long> history;

		private Optional<Long> last;

		Counter() {
		}

		Counter(Long count, List<Long> history, Optional<Long> last) {
			this.count = count;
			this.history = history;
			this.last = last;
		}

		public Long getCount() {
			return this.count;
		}

		public void setCount(Long count) {
			this.count = count;
		}

		public List<Long> getHistory() {
			return this.history;
		}

		public void setHistory(List<Long> history) {
			this.history = history;
		}

		public Optional<Long> getLast() {
			return this.last;
		}

		public void setLast(Optional<Long> last) {
			this.last = last;
		}

		@Override
		public boolean equals(Object other) {
			return other instanceof Counter counter && Objects.equals(this.count, counter.count)
					&& Objects.equals(this.history, counter.history) && Objects.equals(this.last, counter.last);
		}

		@Override
		public int hashCode() {
			return Objects.hash(this.count, this.history, this.last);
		}

	}

}
