package io.github.cachetags.tags;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class TagsTests {

	@Test
	void printableAsciiUpTo256CharactersIsATag() {
		assertThat(Tags.requireValid("product:42")).isEqualTo("product:42");
		assertThat(Tags.requireValid("*")).isEqualTo("*");
		assertThat(Tags.requireValid("a/b c{d}")).isEqualTo("a/b c{d}");
		assertThat(Tags.requireValid("x".repeat(256))).hasSize(256);
	}

	@Test
	void emptyLongOrNonAsciiTagsAreRefusedWithTheReason() {
		assertThatExceptionOfType(InvalidTagException.class).isThrownBy(() -> Tags.requireValid(""))
			.withMessageContaining("empty");
		assertThatExceptionOfType(InvalidTagException.class).isThrownBy(() -> Tags.requireValid("x".repeat(257)))
			.withMessageContaining("257 characters");
		assertThatExceptionOfType(InvalidTagException.class).isThrownBy(() -> Tags.requireValid("a\nb"))
			.withMessageContaining("U+000A at index 1");
		assertThatExceptionOfType(InvalidTagException.class).isThrownBy(() -> Tags.requireValid("\u00e9t\u00e9"))
			.withMessageContaining("printable ASCII");
	}

	@Test
	void anEntryCarriesAtMost64DistinctTags() {
		List<String> tags = new ArrayList<>();
		for (int i = 0; i < 64; i++) {
			tags.add("t" + i);
		}
		tags.add("t0");
		assertThat(Tags.forEntry(tags)).hasSize(64).startsWith("t0", "t1");
		tags.add("t64");
		assertThatExceptionOfType(InvalidTagException.class).isThrownBy(() -> Tags.forEntry(tags))
			.withMessageContaining("65 tags");
	}

}
