package io.github.cachetags.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import io.github.cachetags.autoconfigure.CacheTagsProperties.PolicyCheck;
import io.github.cachetags.store.EvictionPolicy;
import io.github.cachetags.store.RedisNodes;
import io.github.cachetags.store.RedisNodes.Reading;
import io.github.cachetags.store.RedisNodes.Readings;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Reads Redis's eviction policy once at start-up, from every master of a Redis Cluster, and reports it; fails
 * start-up when any of them is {@code noeviction} and {@code cachetags.eviction-policy-check=fail}, naming it. A
 * server that does not answer is logged, not fatal: the cache degrades to uncached calls until it answers.
 */
class EvictionPolicyVerifier implements SmartInitializingSingleton {

	private static final Log logger = LogFactory.getLog(EvictionPolicyVerifier.class);

	private final RedisNodes nodes;

	private final PolicyCheck check;

	EvictionPolicyVerifier(RedisNodes nodes, PolicyCheck check) {
		this.nodes = nodes;
		this.check = check;
	}

	@Override
	public void afterSingletonsInstantiated() {
		if (this.check == PolicyCheck.IGNORE) {
			return;
		}
		Readings readings;
		try {
			readings = this.nodes.info("memory");
		}
		catch (RuntimeException ex) {
			logger.warn("Could not read Redis's eviction policy at start-up (INFO memory): " + ex
					+ "; caches run uncached until Redis answers");
			return;
		}
		List<String> unsafe = new ArrayList<>();
		for (Reading reading : readings.nodes()) {
			String node = reading.node();
			if (!reading.answered()) {
				logger.warn("Could not read the eviction policy of Redis master " + node
						+ " at start-up (INFO memory): " + reading.error()
						+ "; caches on its slots run uncached until it answers");
				continue;
			}
			EvictionPolicy policy = EvictionPolicy.from(reading.properties());
			String description = (node != null) ? policy.describeOn(node) : policy.describe();
			if (policy.isSafe()) {
				logger.info(description);
			}
			else {
				unsafe.add(description);
			}
		}
		if (unsafe.isEmpty()) {
			return;
		}
		if (this.check == PolicyCheck.FAIL) {
			throw new IllegalStateException(
					String.join(" ", unsafe) + " Set cachetags.eviction-policy-check=warn to start anyway.");
		}
		unsafe.forEach(logger::warn);
	}

}
