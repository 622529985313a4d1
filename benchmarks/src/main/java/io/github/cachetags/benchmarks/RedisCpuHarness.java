package io.github.cachetags.benchmarks;

import java.nio.charset.StandardCharsets;

import io.github.cachetags.benchmarks.Contexts.Contender;
import io.github.cachetags.benchmarks.RedisAdmin.CommandStat;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;

import org.springframework.context.support.GenericApplicationContext;
import org.springframework.data.redis.serializer.RedisSerializer;

import static io.github.cachetags.benchmarks.Stats.f;

/**
 * Redis CPU per hit and per put ({@code INFO commandstats} {@code usec_per_call}): the CacheTags hit script ({@code EVALSHA}
 * of get.lua) against the plain {@code GET} of {@code RedisCacheManager} and of a raw Lettuce loop.
 */
final class RedisCpuHarness {

	private static final String MINIMAL_SCRIPT = "return redis.call('GET', KEYS[1])";

	private RedisCpuHarness() {
	}

	static void run(BenchRedis redis, Profile profile) {
		int calls = profile.cpuCalls();
		int keys = HitBenchmark.KEYS;
		System.out.println();
		System.out.println(f("== Redis CPU per call: %,d hits on %,d keys each, INFO commandstats after CONFIG "
				+ "RESETSTAT", calls, keys));
		System.out.println("| path | command | calls | usec_per_call |");
		System.out.println("|---|---|---|---|");
		try (RedisAdmin admin = new RedisAdmin(redis)) {
			admin.flushAll();
			GenericApplicationContext cacheTags = Contexts.start(Contender.CACHETAGS, redis);
			GenericApplicationContext redisCacheManager = Contexts.start(Contender.REDIS_CACHE_MANAGER, redis);
			RedisClient client = RedisClient.create(RedisURI.create(redis.host(), redis.port()));
			StatefulRedisConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE);
			try {
				ProductService tagged = cacheTags.getBean(ProductService.class);
				ProductService plain = redisCacheManager.getBean(ProductService.class);
				RedisCommands<byte[], byte[]> raw = connection.sync();
				RedisSerializer<Object> json = RedisSerializer.json();
				byte[][] rawKeys = new byte[keys][];
				for (int id = 0; id < keys; id++) {
					tagged.product(id);
					plain.product(id);
					rawKeys[id] = ("raw:product:" + id).getBytes(StandardCharsets.US_ASCII);
					raw.set(rawKeys[id], json.serialize(Product.of(id)));
				}
				long taggedLoads = tagged.loads();
				long plainLoads = plain.loads();

				admin.resetStats();
				for (int i = 0; i < calls; i++) {
					tagged.product(i % keys);
				}
				CommandStat evalsha = admin.commandStat("evalsha");
				CommandStat entryGet = admin.commandStat("get");
				CommandStat mget = admin.commandStat("mget");
				CommandStat pttl = admin.commandStat("pttl");
				admin.resetStats();
				for (int i = 0; i < calls; i++) {
					plain.product(i % keys);
				}
				CommandStat plainGet = admin.commandStat("get");
				admin.resetStats();
				for (int i = 0; i < calls; i++) {
					raw.get(rawKeys[i % keys]);
				}
				CommandStat rawGet = admin.commandStat("get");
				// The fixed cost of any script call: EVALSHA of a script that only GETs one key
				String sha = admin.commands().scriptLoad(MINIMAL_SCRIPT);
				admin.resetStats();
				for (int i = 0; i < calls; i++) {
					raw.evalsha(sha, ScriptOutputType.VALUE, new byte[][] { rawKeys[i % keys] });
				}
				CommandStat minimalScript = admin.commandStat("evalsha");
				// Writes: put.lua with 0 and 3 tags against RedisCacheManager's SET
				admin.resetStats();
				for (int i = 0; i < calls; i++) {
					tagged.put0(i % keys, Product.of(i % keys));
				}
				CommandStat put0 = admin.commandStat("evalsha");
				admin.resetStats();
				for (int i = 0; i < calls; i++) {
					tagged.put3(i % keys, Product.of(i % keys));
				}
				CommandStat put3 = admin.commandStat("evalsha");
				admin.resetStats();
				for (int i = 0; i < calls; i++) {
					plain.put0(i % keys, Product.of(i % keys));
				}
				CommandStat plainSet = admin.commandStat("set");
				if (tagged.loads() != taggedLoads || plain.loads() != plainLoads) {
					System.out.println("WARNING: some measured calls were misses");
				}
				print("CacheTags hit", evalsha);
				print("  inside the script", entryGet);
				print("  inside the script", mget);
				print("  inside the script", pttl);
				print("RedisCacheManager hit", plainGet);
				print("raw Lettuce GET", rawGet);
				print("minimal script: return redis.call('GET', KEYS[1])", minimalScript);
				print("CacheTags put, 0 tags", put0);
				print("CacheTags put, 3 tags", put3);
				print("RedisCacheManager put", plainSet);
				Costs.record("cpu.hit.cachetags", evalsha.usecPerCall());
				Costs.record("cpu.hit.get", plainGet.usecPerCall());
				Costs.record("cpu.put0.cachetags", put0.usecPerCall());
				Costs.record("cpu.put3.cachetags", put3.usecPerCall());
				Costs.record("cpu.put.set", plainSet.usecPerCall());
				System.out.println(f("CacheTags put / RedisCacheManager SET, Redis CPU per call: %.2fx (0 tags), "
						+ "%.2fx (3 tags)", put0.usecPerCall() / plainSet.usecPerCall(),
						put3.usecPerCall() / plainSet.usecPerCall()));
				System.out.println(f("CacheTags hit / RedisCacheManager GET, Redis CPU per call: %.2fx; "
						+ "/ raw GET: %.2fx", evalsha.usecPerCall() / plainGet.usecPerCall(),
						evalsha.usecPerCall() / rawGet.usecPerCall()));
			}
			finally {
				connection.close();
				client.shutdown();
				cacheTags.close();
				redisCacheManager.close();
				admin.flushAll();
			}
		}
	}

	private static void print(String path, CommandStat stat) {
		System.out.println(f("| %s | %s | %,d | %.2f |", path, stat.command().toUpperCase(java.util.Locale.ROOT),
				stat.calls(), stat.usecPerCall()));
	}

}
