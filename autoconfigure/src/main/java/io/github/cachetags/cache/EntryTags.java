package io.github.cachetags.cache;

import java.util.List;

import io.github.cachetags.store.LoadStart;
import io.github.cachetags.store.Namespace;
import org.jspecify.annotations.Nullable;

/**
 * What a write knows beyond key and value: the entry's tags and, for a replacing write, when it began.
 */
public interface EntryTags {

	/** No tags; a replacing write is ordered as of now (the caller vouches for the value). */
	EntryTags NONE = (value) -> List.of();

	/**
	 * Tags of the entry that stores {@code value}; validated by the cache.
	 */
	List<String> tagsFor(@Nullable Object value);

	/**
	 * The load start of a replacing write in the given shard: read from Redis before the write's method began
	 * ({@code @CachePut}), or {@link LoadStart#NOW} for a value the caller vouches for as it is written.
	 */
	default LoadStart loadStart(Namespace namespace) {
		return LoadStart.NOW;
	}

}
