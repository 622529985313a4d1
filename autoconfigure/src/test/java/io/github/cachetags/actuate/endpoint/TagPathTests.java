package io.github.cachetags.actuate.endpoint;

import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Reading a tag from the raw request path: one percent-encoded segment that decodes exactly to the tag, and a
 * refusal for anything a server or client would read as URL syntax.
 */
class TagPathTests {

	private static final String PATTERN = "/actuator/cachetags/**";

	@Test
	void percentEncodedSegmentDecodesToTheTag() {
		assertThat(read("/actuator/cachetags/a%2Fb", "a/b")).isEqualTo("a/b");
		assertThat(read("/actuator/cachetags/a%25b", "a%b")).isEqualTo("a%b");
		assertThat(read("/actuator/cachetags/a%3Fb", "a?b")).isEqualTo("a?b");
		assertThat(read("/actuator/cachetags/a%3Bb", "a;b")).isEqualTo("a;b");
		assertThat(read("/actuator/cachetags/a%20b", "a b")).isEqualTo("a b");
		assertThat(read("/actuator/cachetags/product:1", "product:1")).isEqualTo("product:1");
		assertThat(read("/actuator/cachetags/a+b", "a+b")).as("'+' is not a space in a path").isEqualTo("a+b");
		assertThat(read("/actuator/cachetags/%2E%2E", "..")).isEqualTo("..");
		assertThat(read("/actuator/cachetags/product:1%2F", "product:1/")).isEqualTo("product:1/");
	}

	@Test
	void trailingSlashIsRefusedWithTheTwoWaysToSayWhatWasMeant() {
		assertThatExceptionOfType(InvalidEndpointRequestException.class)
			.isThrownBy(() -> read("/actuator/cachetags/product:1/", "product:1"))
			.withMessageContaining("ends with '/'")
			.withMessageContaining("send product:1 for the tag 'product:1'")
			.withMessageContaining("product:1%2F for the tag 'product:1/'");
	}

	@Test
	void rawSlashInsideTheTagIsRefused() {
		assertThatExceptionOfType(InvalidEndpointRequestException.class)
			.isThrownBy(() -> read("/actuator/cachetags/category:a/b", "category:a", "b"))
			.withMessageContaining("write '/' in a tag as %2F, as in category:a%2Fb");
		assertThatExceptionOfType(InvalidEndpointRequestException.class)
			.isThrownBy(() -> read("/actuator/cachetags/a//b", "a", "b"));
	}

	@Test
	void queryStringIsRefusedEvenWhenEmpty() {
		assertThatExceptionOfType(InvalidEndpointRequestException.class)
			.isThrownBy(() -> TagPath.read("/actuator/cachetags/a", PATTERN, "b", new String[] { "a" }))
			.withMessageContaining("query string ('?b')")
			.withMessageContaining("%3F");
		assertThatExceptionOfType(InvalidEndpointRequestException.class)
			.isThrownBy(() -> TagPath.read("/actuator/cachetags/a", PATTERN, "", new String[] { "a" }));
	}

	@Test
	void rawSemicolonIsRefusedBecauseServersDropWhatFollows() {
		assertThatExceptionOfType(InvalidEndpointRequestException.class)
			.isThrownBy(() -> read("/actuator/cachetags/a;b", "a"))
			.withMessageContaining("as in a%3Bb");
	}

	@Test
	void dotSegmentsAreRefusedUnlessEncoded() {
		assertThatExceptionOfType(InvalidEndpointRequestException.class)
			.isThrownBy(() -> read("/actuator/cachetags/..", ".."))
			.withMessageContaining("as %2E%2E");
		assertThatExceptionOfType(InvalidEndpointRequestException.class)
			.isThrownBy(() -> read("/actuator/cachetags/.", "."));
	}

	@Test
	void otherBasePathsAndEndpointMappingsWork() {
		assertThat(TagPath.read("/manage/tags/a%2Fb", "/manage/tags/**", null, new String[] { "a/b" }))
			.isEqualTo("a/b");
		assertThat(TagPath.read("/cachetags/a%2Fb", "/cachetags/**", null, new String[] { "a/b" })).isEqualTo("a/b");
	}

	@Test
	void pathThatTheSegmentsWereNotReadFromIsIgnored() {
		assertThat(TagPath.read("/products/1", "/products/{id}", null, new String[] { "a" })).isNull();
		assertThat(TagPath.read("/files/x/y/", "/files/**", "q", new String[] { "a" })).isNull();
		assertThat(TagPath.read("/actuator", PATTERN, null, new String[] { "a" })).isNull();
	}

	private static String read(String path, String... segments) {
		return TagPath.read(path, PATTERN, null, segments);
	}

}
