package io.github.cachetags.cache;

import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The load lease tokens of one cache in this instance: which are in use, so that a lease this instance took and
 * no load uses any more (its release was lost) is known as abandoned.
 */
final class LeaseTokens {

	/** Starts every token of this cache in this instance. */
	final String instance = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()) + ".";

	private final Set<String> active = ConcurrentHashMap.newKeySet();

	/**
	 * A new token, in use until {@link #done}.
	 */
	String take() {
		String token = this.instance + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
		this.active.add(token);
		return token;
	}

	void done(String token) {
		this.active.remove(token);
	}

	/**
	 * Whether a lease holder is a token of this cache in this instance that no load uses any more: its release was
	 * lost (Redis took the lease in a call whose reply never came, or refused the release), so nobody will release
	 * it before it expires.
	 */
	boolean abandonedHere(String holder) {
		return holder.startsWith(this.instance) && !this.active.contains(holder);
	}

}
