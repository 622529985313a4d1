package io.github.cachetags.it;

import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Stream;

import io.github.cachetags.autoconfigure.CacheTagsProperties;
import io.github.cachetags.test.CacheTagsContexts;
import io.github.cachetags.test.InitializationTrap;
import io.github.cachetags.test.RedisCommandsForTests;
import io.github.cachetags.test.RedisServer;
import io.github.cachetags.test.StoredEntries;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A hit returns the type the cached method declares, with either value format: each method of {@link TypedValues}
 * is called twice (a miss, then a hit from Redis) and the hit must equal the loaded value and have its class.
 * <p>
 * {@code Optional} return types never reach the value format: Spring's cache abstraction stores the content of the
 * {@code Optional} (or {@code null} when empty) and wraps the cached value in an {@code Optional} again on a hit. So
 * for them the matrix asserts that the hit is an equal {@code Optional} whose content has the loaded content's
 * class, with the JDK format too, although {@code Optional} is not {@code Serializable}.
 */
class TypeRoundTripIT {

	private static final Product PEN = new Product(7L, "pen", Category.OFFICE, new BigDecimal("2.50"));

	private static final Product BREAD = new Product(8L, "bread", Category.FOOD, new BigDecimal("1.20"));

	private static RedisCommandsForTests redis;

	private final ApplicationContextRunner contexts = CacheTagsContexts.onRedis(RedisServer.shared())
		.withUserConfiguration(TypedValuesConfiguration.class);

	@BeforeAll
	static void connect() {
		redis = new RedisCommandsForTests(RedisServer.shared());
	}

	@AfterAll
	static void disconnect() {
		redis.close();
	}

	static List<Case> cases() {
		return List.of(new Case("Long", TypedValues::aLong), new Case("long", (values) -> values.primitiveLong()),
				new Case("Integer", TypedValues::anInteger), new Case("Short", TypedValues::aShort),
				new Case("Byte", TypedValues::aByte), new Case("Float", TypedValues::aFloat),
				new Case("Double", TypedValues::aDouble), new Case("Character", TypedValues::aCharacter),
				new Case("Boolean", TypedValues::aBoolean), new Case("String", TypedValues::aString),
				new Case("BigDecimal", TypedValues::aBigDecimal), new Case("BigInteger", TypedValues::aBigInteger),
				new Case("UUID", TypedValues::aUuid), new Case("Instant", TypedValues::anInstant),
				new Case("LocalDate", TypedValues::aLocalDate), new Case("LocalDateTime", TypedValues::aLocalDateTime),
				new Case("Duration", TypedValues::aDuration), new Case("ZonedDateTime", TypedValues::aZonedDateTime),
				new Case("OffsetDateTime", TypedValues::anOffsetDateTime),
				new Case("Optional<Long>", TypedValues::anOptionalLong),
				new Case("empty Optional<Product>", TypedValues::anEmptyOptional),
				new Case("long[]", TypedValues::longs), new Case("int[]", TypedValues::ints),
				new Case("byte[]", TypedValues::bytes), new Case("String[]", TypedValues::strings),
				new Case("Product[]", TypedValues::productArray),
				new Case("List<Product> (ArrayList)", TypedValues::productList),
				new Case("List<Product> (List.of)", TypedValues::immutableProductList),
				new Case("List<Long> (Stream.toList)", TypedValues::streamedIds),
				new Case("Map<String, Product>", TypedValues::productsByName),
				new Case("Map<Long, Product>", TypedValues::productsById),
				new Case("Map<Category, Long> (Map.of)", TypedValues::countsByCategory),
				new Case("Set<Category>", TypedValues::categories), new Case("Category", TypedValues::category),
				new Case("Product", TypedValues::product),
				new Case("Map<String, List<Set<Long>>>", TypedValues::nestedGenerics),
				new Case("Counter (class with a Long field)", TypedValues::counter),
				new Case("Basket (record with sealed-type and Object fields)", TypedValues::basket));
	}

	@ParameterizedTest(name = "cachetags.serializer={0}")
	@ValueSource(strings = { "json", "jdk" })
	void aHitReturnsTheClassAndValueThatWereLoaded(String serializer) {
		this.contexts.withPropertyValues("cachetags.serializer=" + serializer).run((context) -> {
			TypedValues values = context.getBean(TypedValues.class);
			SoftAssertions softly = new SoftAssertions();
			for (Case type : cases()) {
				Object loaded = type.call().apply(values);
				Object hit;
				try {
					hit = type.call().apply(values);
				}
				catch (RuntimeException ex) {
					softly.fail(type.name() + ": the hit failed with " + ex);
					continue;
				}
				softly.assertThat(hit).as("%s: hit", type.name()).isNotNull();
				if (hit != null) {
					softly.assertThat(hit.getClass()).as("%s: class of the hit", type.name())
						.isEqualTo(loaded.getClass());
					softly.assertThat(Objects.deepEquals(hit, loaded))
						.as("%s: hit %s equals loaded %s", type.name(), hit, loaded)
						.isTrue();
				}
				if (loaded instanceof Optional<?> optional && optional.isPresent() && hit instanceof Optional<?> read) {
					softly.assertThat(read.get().getClass()).as("%s: class of the content", type.name())
						.isEqualTo(optional.get().getClass());
				}
			}
			softly.assertThat(values.loads()).as("loads per method").hasSize(cases().size());
			softly.assertThat(values.loads()).as("loads per method").allSatisfy((method, loads) -> assertThat(loads)
				.as(method).isEqualTo(1));
			softly.assertAll();
		});
	}

	@Test
	void storedJsonNamesTheTypeThatIsReadBack() {
		this.contexts.run((context) -> {
			TypedValues values = context.getBean(TypedValues.class);
			values.aLong();
			values.productsById();

			assertThat(StoredEntries.value(redis.sync().get(key(context, "aLong")))).isEqualTo("[\"java.lang.Long\",42]");
			assertThat(StoredEntries.value(redis.sync().get(key(context, "productsById"))))
				.startsWith("[\"java.util.HashMap\",[[[\"java.lang.Long\",7],{\"@class\":\"" + Product.class.getName()
						+ "\",\"id\":7,\"name\":\"pen\"");
		});
	}

	@Test
	void anEntryNamingADisallowedTypeIsAMissAndIsReplaced() {
		this.contexts.run((context) -> {
			TypedValues values = context.getBean(TypedValues.class);
			values.product();
			String key = key(context, "product");
			redis.sync()
				.set(key, StoredEntries.withValue(redis.sync().get(key),
						"{\"@class\":\"" + InitializationTrap.class.getName() + "\",\"command\":\"calc\"}"));

			assertThat(values.product()).isEqualTo(PEN);
			assertThat(values.loads()).containsEntry("product", 2);
			assertThat(StoredEntries.value(redis.sync().get(key))).contains("\"@class\":\"" + Product.class.getName() + "\"");
			assertThat(values.product()).isEqualTo(PEN);
			assertThat(values.loads()).containsEntry("product", 2);
			assertThat(System.getProperty(InitializationTrap.INITIALIZED)).isNull();
			assertThat(System.getProperty(InitializationTrap.INSTANTIATED)).isNull();
		});
	}

	private static String key(ApplicationContext context, String userKey) {
		String prefix = context.getBean(CacheTagsProperties.class).getKeyPrefix();
		return "{" + prefix + ":_:types:0}:v1:e:" + userKey;
	}

	record Case(String name, Function<TypedValues, Object> call) {
	}

	public enum Category {

		FOOD, OFFICE

	}

	public record Product(long id, String name, Category category, BigDecimal price) implements Serializable {
	}

	public sealed interface Shape extends Serializable permits Circle, Square {

	}

	public record Circle(double radius) implements Shape {
	}

	public record Square(int side) implements Shape {
	}

	public record Basket(List<Shape> shapes, Object note) implements Serializable {
	}

	public static class Counter implements Serializable {

		private Long count;

		private List<Long> history;

		public Counter() {
		}

		Counter(Long count, List<Long> history) {
			this.count = count;
			this.history = history;
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

		@Override
		public boolean equals(Object other) {
			return other instanceof Counter counter && Objects.equals(this.count, counter.count)
					&& Objects.equals(this.history, counter.history);
		}

		@Override
		public int hashCode() {
			return Objects.hash(this.count, this.history);
		}

		@Override
		public String toString() {
			return "Counter[" + this.count + ", " + this.history + "]";
		}

	}

	/**
	 * One cached method per declared type, each keyed by its name in the cache {@code types}.
	 */
	public static class TypedValues {

		private final Map<String, Integer> loads = new ConcurrentHashMap<>();

		Map<String, Integer> loads() {
			return Map.copyOf(this.loads);
		}

		private <T> T load(String method, T value) {
			this.loads.merge(method, 1, Integer::sum);
			return value;
		}

		@Cacheable(cacheNames = "types", key = "#root.methodName")
		public Long aLong() {
			return load("aLong", 42L);
		}

		@Cacheable(cacheNames = "types", key = "#root.methodName")
		public long primitiveLong() {
			return load("primitiveLong", 4_000_000_000L);
		}

		@Cacheable(cacheNames = "types", key = "#root.methodName")
		public Integer anInteger() {
			return load("anInteger", 42);
		}

		@Cacheable(cacheNames = "types", key = "#root.methodName")
		public Short aShort() {
			return load("aShort", (short) 7);
		}

		@Cacheable(cacheNames = "types", key = "#root.methodName")
		public Byte aByte() {
			return load("aByte", (byte) 3);
		}

		@Cacheable(cacheNames = "types", key = "#root.methodName")
		public Float aFloat() {
			return load("aFloat", 1.5f);
		}

		@Cacheable(cacheNames = "types", key = "#root.methodName")
		public Double aDouble() {
			return load("aDouble", 2.25);
		}

		@Cacheable(cacheNames = "types", key = "#root.methodName")
		public Character aCharacter() {
			return load("aCharacter", 'x');
		}

		@Cacheable(cacheNames = "types", key = "#root.methodName")
		public Boolean aBoolean() {
			return load("aBoolean", Boolean.TRUE);
		}

		@Cacheable(cacheNames = "types", key = "#root.methodName")
		public String aString() {
			return load("aString", "text");
		}

		@Cacheable(cacheNames = "types", key = "#root.methodName")
		public BigDecimal aBigDecimal() {
			return load("aBigDecimal", new BigDecimal("19.90"));
		}

		@Cacheable(cacheNames = "types", key = "#root.methodName")
		public BigInteger aBigInteger() {
			return load("aBigInteger", new BigInteger("123456789012345678901234567890"));
		}

		@Cacheable(cacheNames = "types", key = "#root.methodName")
		public UUID aUuid() {
			return load("aUuid", UUID.fromString("1b4e28ba-2fa1-11d2-883f-0016d3cca427"));
		}

		@Cacheable(cacheNames = "types", key = "#root.methodName")
		public Instant anInstant() {
			return load("anInstant", Instant.parse("2024-05-01T10:15:30.123456789Z"));
		}

		@Cacheable(cacheNames = "types", key = "#root.methodName")
		public LocalDate aLocalDate() {
			return load("aLocalDate", LocalDate.of(2024, 2, 29));
		}

		@Cacheable(cacheNames = "types", key = "#root.methodName")
		public LocalDateTime aLocalDateTime() {
			return load("aLocalDateTime", LocalDateTime.of(2024, 5, 1, 10, 15, 30, 5));
		}

		@Cacheable(cacheNames = "types", key = "#root.methodName")
		public Duration aDuration() {
			return load("aDuration", Duration.ofMillis(1500));
		}

		@Cacheable(cacheNames = "types", key = "#root.methodName")
		public ZonedDateTime aZonedDateTime() {
			return load("aZonedDateTime", ZonedDateTime.of(2024, 5, 1, 10, 0, 0, 0, ZoneId.of("Europe/Paris")));
		}

		@Cacheable(cacheNames = "types", key = "#root.methodName")
		public OffsetDateTime anOffsetDateTime() {
			return load("anOffsetDateTime", OffsetDateTime.of(2024, 5, 1, 10, 0, 0, 0, ZoneOffset.ofHours(-3)));
		}

		@Cacheable(cacheNames = "types", key = "#root.methodName")
		public Optional<Long> anOptionalLong() {
			return load("anOptionalLong", Optional.of(5L));
		}

		@Cacheable(cacheNames = "types", key = "#root.methodName")
		public Optional<Product> anEmptyOptional() {
			return load("anEmptyOptional", Optional.empty());
		}

		@Cacheable(cacheNames = "types", key = "#root.methodName")
		public long[] longs() {
			return load("longs", new long[] { 1, Long.MIN_VALUE });
		}

		@Cacheable(cacheNames = "types", key = "#root.methodName")
		public int[] ints() {
			return load("ints", new int[] { 1, 2, 3 });
		}

		@Cacheable(cacheNames = "types", key = "#root.methodName")
		public byte[] bytes() {
			return load("bytes", new byte[] { 0, -1, 127 });
		}

		@Cacheable(cacheNames = "types", key = "#root.methodName")
		public String[] strings() {
			return load("strings", new String[] { "a", null, "c" });
		}

		@Cacheable(cacheNames = "types", key = "#root.methodName")
		public Product[] productArray() {
			return load("productArray", new Product[] { PEN, BREAD });
		}

		@Cacheable(cacheNames = "types", key = "#root.methodName")
		public List<Product> productList() {
			return load("productList", new ArrayList<>(List.of(PEN, BREAD)));
		}

		@Cacheable(cacheNames = "types", key = "#root.methodName")
		public List<Product> immutableProductList() {
			return load("immutableProductList", List.of(PEN, BREAD, PEN));
		}

		@Cacheable(cacheNames = "types", key = "#root.methodName")
		public List<Long> streamedIds() {
			return load("streamedIds", Stream.of(PEN, BREAD).map(Product::id).toList());
		}

		@Cacheable(cacheNames = "types", key = "#root.methodName")
		public Map<String, Product> productsByName() {
			return load("productsByName", new HashMap<>(Map.of(PEN.name(), PEN, BREAD.name(), BREAD)));
		}

		@Cacheable(cacheNames = "types", key = "#root.methodName")
		public Map<Long, Product> productsById() {
			return load("productsById", new HashMap<>(Map.of(PEN.id(), PEN)));
		}

		@Cacheable(cacheNames = "types", key = "#root.methodName")
		public Map<Category, Long> countsByCategory() {
			return load("countsByCategory", Map.of(Category.FOOD, 3L, Category.OFFICE, 4L));
		}

		@Cacheable(cacheNames = "types", key = "#root.methodName")
		public Set<Category> categories() {
			return load("categories", EnumSet.of(Category.FOOD));
		}

		@Cacheable(cacheNames = "types", key = "#root.methodName")
		public Category category() {
			return load("category", Category.OFFICE);
		}

		@Cacheable(cacheNames = "types", key = "#root.methodName")
		public Product product() {
			return load("product", PEN);
		}

		@Cacheable(cacheNames = "types", key = "#root.methodName")
		public Map<String, List<Set<Long>>> nestedGenerics() {
			return load("nestedGenerics", new TreeMap<>(Map.of("a", List.of(Set.of(1L, 2L)), "b", List.of())));
		}

		@Cacheable(cacheNames = "types", key = "#root.methodName")
		public Counter counter() {
			return load("counter", new Counter(12L, new ArrayList<>(List.of(1L, 2L))));
		}

		@Cacheable(cacheNames = "types", key = "#root.methodName")
		public Basket basket() {
			Map<String, Object> note = new LinkedHashMap<>();
			note.put("total", 3L);
			return load("basket", new Basket(List.of(new Circle(1.5), new Square(2)), note));
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class TypedValuesConfiguration {

		@Bean
		TypedValues typedValues() {
			return new TypedValues();
		}

	}

}
