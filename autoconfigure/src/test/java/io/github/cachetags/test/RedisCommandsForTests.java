package io.github.cachetags.test;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;

/**
 * A plain Lettuce connection for inspecting Redis from tests (PTTL, SLOWLOG, DEL by hand).
 */
public final class RedisCommandsForTests implements AutoCloseable {

	private final RedisClient client;

	private final StatefulRedisConnection<String, String> connection;

	public RedisCommandsForTests(RedisServer server) {
		this.client = RedisClient.create(RedisURI.create(server.host(), server.port()));
		this.connection = this.client.connect();
	}

	public RedisCommands<String, String> sync() {
		return this.connection.sync();
	}

	public RedisAsyncCommands<String, String> async() {
		return this.connection.async();
	}

	/** How many keys match a glob pattern: a whole SCAN, in steps of 1,000. */
	public long countKeys(String pattern) {
		long count = 0;
		ScanCursor cursor = ScanCursor.INITIAL;
		do {
			KeyScanCursor<String> step = sync().scan(cursor, ScanArgs.Builder.matches(pattern).limit(1000));
			count += step.getKeys().size();
			cursor = step;
		}
		while (!cursor.isFinished());
		return count;
	}

	@Override
	public void close() {
		this.connection.close();
		this.client.shutdown();
	}

}
