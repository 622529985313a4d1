package io.github.cachetags.cache;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * What a write knows beyond key and value: the entry's tags and when its load began.
 */
public interface EntryTags {

	/** No tags, load start unknown. */
	EntryTags NONE = new EntryTags() {

		@Override
		public List<String> tagsFor(@Nullable Object value) {
			return List.of();
		}

		@Override
		public long loadStartMicros() {
			return Long.MAX_VALUE;
		}

	};

	/**
	 * Tags of the entry that stores {@code value}; validated by the cache.
	 */
	List<String> tagsFor(@Nullable Object value);

	/**
	 * Redis time, in microseconds, not later than the moment the value's load began; {@link Long#MAX_VALUE} if
	 * unknown, in which case the time of the write is used.
	 */
	long loadStartMicros();

}
