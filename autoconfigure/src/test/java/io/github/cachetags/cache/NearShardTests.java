package io.github.cachetags.cache;

import io.github.cachetags.store.Namespace;
import io.github.cachetags.store.RedisTagStore.Sequence;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a near shard follows the sequence of announced invalidations: what counts as a lost message, and what does
 * not.
 */
class NearShardTests {

	private final NearShard shard = new NearShard(Namespace.of("ct", "_", "items", 1, 0), "items", "_", null);

	@Test
	void messagesInSequenceAreNoGap() {
		this.shard.track("e1", 4, 4);

		assertThat(this.shard.follow("e1", 5)).isFalse();
		assertThat(this.shard.follow("e1", 6)).isFalse();
		assertThat(this.shard.follow("e1", 6)).as("a repeated message").isFalse();
	}

	@Test
	void aSkippedNumberIsAGapAndDropsTheShardsEntries() {
		this.shard.track("e1", 4, 4);
		long clears = this.shard.clears();

		assertThat(this.shard.follow("e1", 6)).isTrue();
		assertThat(this.shard.clears()).isGreaterThan(clears);
		assertThat(this.shard.follow("e1", 7)).as("followed from there").isFalse();
	}

	@Test
	void theFirstMessageOfAStampKeyMadeAfterTheShardWasFollowedIsNoGap() {
		this.shard.track("", 0, 0);
		long clears = this.shard.clears();

		assertThat(this.shard.follow("e1", 1)).isFalse();
		assertThat(this.shard.clears()).isEqualTo(clears);
	}

	@Test
	void aStampKeyMadeAfterTheShardWasFollowedIsNoLossAtTheCheckButItsMissingMessagesAreAtTheNext() {
		this.shard.track("", 0, 0);

		assertThat(this.shard.check(0, new Sequence("e1", 2, 2))).as("first check after the key was made").isFalse();
		assertThat(this.shard.check(0, new Sequence("e1", 2, 2))).as("messages 1 and 2 never arrived").isTrue();
	}

	@Test
	void anUnannouncedInvalidationOfAStampKeyMadeAfterTheShardWasFollowedIsALoss() {
		this.shard.track("", 0, 0);

		assertThat(this.shard.check(0, new Sequence("e1", 0, 1))).as("n moved from 0, s did not").isTrue();
	}

	@Test
	void anUnannouncedInvalidationAfterTheFirstMessageOfANewStampKeyIsALoss() {
		this.shard.track("", 0, 0);
		this.shard.follow("e1", 1);

		assertThat(this.shard.check(1, new Sequence("e1", 1, 2))).isTrue();
	}

	@Test
	void anotherEpochIsALoss() {
		this.shard.track("e1", 4, 4);

		assertThat(this.shard.follow("e2", 1)).isTrue();
		assertThat(this.shard.check(1, new Sequence("e3", 0, 0))).isTrue();
	}

	@Test
	void aSequenceThatWentBackIsALoss() {
		this.shard.track("e1", 4, 4);
		this.shard.follow("e1", 5);

		assertThat(this.shard.check(5, new Sequence("e1", 3, 3))).isTrue();
	}

	@Test
	void anInvalidationWithoutAnAnnouncementIsALoss() {
		this.shard.track("e1", 4, 4);

		assertThat(this.shard.check(4, new Sequence("e1", 4, 5))).as("n moved, s did not").isTrue();
	}

	@Test
	void announcedInvalidationsThatArrivedAreNoLoss() {
		this.shard.track("e1", 4, 4);
		this.shard.follow("e1", 5);
		this.shard.follow("e1", 6);

		assertThat(this.shard.check(6, new Sequence("e1", 6, 6))).isFalse();
		assertThat(this.shard.check(6, new Sequence("e1", 6, 6))).isFalse();
	}

}
