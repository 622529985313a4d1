package io.github.cachetags;

import org.jspecify.annotations.Nullable;

/**
 * Names the tenant whose cache namespace the current call uses. Declare one as a bean to separate tenants: two
 * tenants never read each other's entries, and a purge applies to the current tenant only.
 * <p>
 * Called on every cache operation, on the calling thread; keep it cheap. A tenant is 1 to 64 characters of
 * {@code [A-Za-z0-9._-]}; anything else fails the cache operation (the method then runs uncached).
 */
@FunctionalInterface
public interface TenantResolver {

	/**
	 * Returns the current tenant, or {@code null} for the shared namespace.
	 */
	@Nullable String currentTenant();

}
