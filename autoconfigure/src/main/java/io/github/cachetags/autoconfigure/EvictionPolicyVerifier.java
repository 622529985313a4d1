package io.github.cachetags.autoconfigure;

import io.github.cachetags.autoconfigure.CacheTagsProperties.PolicyCheck;
import io.github.cachetags.store.EvictionPolicy;
import io.github.cachetags.store.RedisTagStore;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Reads Redis's eviction policy once at start-up and reports it; fails start-up on {@code noeviction} when
 * {@code cachetags.eviction-policy-check=fail}. An unreachable Redis is logged, not fatal: the cache degrades to
 * uncached calls until Redis answers.
 */
class EvictionPolicyVerifier implements SmartInitializingSingleton {

	private static final Log logger = LogFactory.getLog(EvictionPolicyVerifier.class);

	private final RedisTagStore store;

	private final PolicyCheck check;

	EvictionPolicyVerifier(RedisTagStore store, PolicyCheck check) {
		this.store = store;
		this.check = check;
	}

	@Override
	public void afterSingletonsInstantiated() {
		if (this.check == PolicyCheck.IGNORE) {
			return;
		}
		EvictionPolicy policy;
		try {
			policy = EvictionPolicy.from(this.store.memoryInfo());
		}
		catch (RuntimeException ex) {
			logger.warn("Could not read Redis's eviction policy at start-up (INFO memory): " + ex
					+ "; caches run uncached until Redis answers");
			return;
		}
		if (policy.isSafe()) {
			logger.info(policy.describe());
			return;
		}
		if (this.check == PolicyCheck.FAIL) {
			throw new IllegalStateException(policy.describe()
					+ " Set cachetags.eviction-policy-check=warn to start anyway.");
		}
		logger.warn(policy.describe());
	}

}
