package io.github.cachetags.cache;

import java.util.regex.Pattern;

import io.github.cachetags.TenantResolver;
import io.github.cachetags.store.Namespace;
import org.jspecify.annotations.Nullable;

/**
 * The tenant segment of the namespace for the current call.
 */
public final class Tenancy {

	private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

	private final @Nullable TenantResolver resolver;

	public Tenancy(@Nullable TenantResolver resolver) {
		this.resolver = resolver;
	}

	String current() {
		if (this.resolver == null) {
			return Namespace.NO_TENANT;
		}
		String tenant = this.resolver.currentTenant();
		if (tenant == null) {
			return Namespace.NO_TENANT;
		}
		if (!VALID.matcher(tenant).matches()) {
			throw new IllegalStateException("Tenant '" + tenant + "' from " + this.resolver.getClass().getName()
					+ " is not 1 to 64 characters of [A-Za-z0-9._-]");
		}
		return tenant;
	}

}
