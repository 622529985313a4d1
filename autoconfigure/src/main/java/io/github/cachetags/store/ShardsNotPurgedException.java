package io.github.cachetags.store;

import java.util.List;

import org.springframework.dao.DataAccessResourceFailureException;

/**
 * A purge switched the marks of the shards it could reach but not of these: they must be purged again.
 */
public class ShardsNotPurgedException extends DataAccessResourceFailureException {

	private final transient List<Namespace> shards;

	public ShardsNotPurgedException(List<Namespace> shards, Throwable cause) {
		super(shards.size() + " cache shard(s) could not be purged: " + cause, cause);
		this.shards = List.copyOf(shards);
	}

	/** The shards whose mark was not switched. */
	public List<Namespace> getShards() {
		return this.shards;
	}

}
