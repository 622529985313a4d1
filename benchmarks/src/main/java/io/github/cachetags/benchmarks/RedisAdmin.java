package io.github.cachetags.benchmarks;

import java.util.List;
import java.util.Properties;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

/**
 * Server-side measurements and bulk set-up that no cache should do: {@code INFO}, {@code SLOWLOG}, {@code DBSIZE},
 * {@code FLUSHALL}, and filling the database with ballast keys in bounded Lua batches.
 */
final class RedisAdmin implements AutoCloseable {

	/** Keys one ballast script call writes: a few milliseconds of Redis time per call. */
	static final int BALLAST_BATCH = 10_000;

	private static final String BALLAST_SCRIPT = """
			for i = tonumber(ARGV[1]), tonumber(ARGV[2]) do
			  redis.call('SET', 'ballast:' .. i, ARGV[3])
			end
			return 1
			""";

	private final RedisClient client;

	private final StatefulRedisConnection<String, String> connection;

	private final RedisCommands<String, String> commands;

	RedisAdmin(BenchRedis redis) {
		this.client = RedisClient.create(RedisURI.create(redis.host(), redis.port()));
		this.connection = this.client.connect();
		this.commands = this.connection.sync();
	}

	RedisCommands<String, String> commands() {
		return this.commands;
	}

	void flushAll() {
		this.commands.flushall();
	}

	long dbSize() {
		return this.commands.dbsize();
	}

	/** Writes ballast keys {@code ballast:from..ballast:(to-1)} in batches of {@link #BALLAST_BATCH}. */
	void fillBallast(long from, long to, String value) {
		for (long start = from; start < to; start += BALLAST_BATCH) {
			long end = Math.min(to, start + BALLAST_BATCH) - 1;
			this.commands.eval(BALLAST_SCRIPT, ScriptOutputType.INTEGER, new String[0], Long.toString(start),
					Long.toString(end), value);
		}
	}

	Properties info(String section) {
		Properties properties = new Properties();
		for (String line : this.commands.info(section).split("\r?\n")) {
			int colon = line.indexOf(':');
			if (colon > 0 && !line.startsWith("#")) {
				properties.setProperty(line.substring(0, colon), line.substring(colon + 1).trim());
			}
		}
		return properties;
	}

	long usedMemory() {
		return Long.parseLong(info("memory").getProperty("used_memory"));
	}

	String version() {
		return info("server").getProperty("redis_version");
	}

	/** Logs every command from now on (threshold 0), keeping up to a million entries. */
	void slowlogEverything() {
		this.commands.configSet("slowlog-log-slower-than", "0");
		this.commands.configSet("slowlog-max-len", "1000000");
		this.commands.slowlogReset();
	}

	void slowlogOff() {
		this.commands.configSet("slowlog-log-slower-than", "10000");
		this.commands.configSet("slowlog-max-len", "128");
		this.commands.slowlogReset();
	}

	/** The longest command logged since {@link #slowlogEverything()}, as {@code [micros, count, name]}. */
	SlowestCommand slowest() {
		List<Object> entries = this.commands.slowlogGet(1_000_000);
		long longest = -1;
		String name = "-";
		for (Object entry : entries) {
			List<?> fields = (List<?>) entry;
			long micros = (Long) fields.get(2);
			if (micros > longest) {
				longest = micros;
				List<?> args = (List<?>) fields.get(3);
				name = args.isEmpty() ? "?" : String.valueOf(args.get(0)).toUpperCase(java.util.Locale.ROOT);
			}
		}
		return new SlowestCommand(longest, entries.size(), name);
	}

	/** {@code usec_per_call} and {@code calls} of one command from {@code INFO commandstats}. */
	CommandStat commandStat(String command) {
		String line = info("commandstats").getProperty("cmdstat_" + command);
		if (line == null) {
			return new CommandStat(command, 0, 0);
		}
		long calls = 0;
		double usecPerCall = 0;
		for (String part : line.split(",")) {
			String[] kv = part.split("=");
			if (kv[0].equals("calls")) {
				calls = Long.parseLong(kv[1]);
			}
			else if (kv[0].equals("usec_per_call")) {
				usecPerCall = Double.parseDouble(kv[1]);
			}
		}
		return new CommandStat(command, calls, usecPerCall);
	}

	void resetStats() {
		this.commands.configResetstat();
	}

	@Override
	public void close() {
		this.connection.close();
		this.client.shutdown();
	}

	record SlowestCommand(long micros, int logged, String command) {
	}

	record CommandStat(String command, long calls, double usecPerCall) {
	}

}
