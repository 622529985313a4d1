package io.github.cachetags.autoconfigure;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.github.cachetags.serializer.TypedJsonRedisSerializer;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurationPackages;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.util.ClassUtils;

/**
 * Builds the {@code json} value serializer: the packages it may read are those of
 * {@code cachetags.json.allowed-packages} and the application's own ({@link AutoConfigurationPackages}).
 */
final class JsonValueFormat {

	private static final Log logger = LogFactory.getLog(JsonValueFormat.class);

	static final String ALLOWED_PACKAGES = "cachetags.json.allowed-packages";

	private JsonValueFormat() {
	}

	static TypedJsonRedisSerializer serializer(CacheTagsProperties properties, BeanFactory beanFactory) {
		ClassLoader classLoader = (beanFactory instanceof ConfigurableBeanFactory configurable)
				? configurable.getBeanClassLoader() : null;
		if (!ClassUtils.isPresent("tools.jackson.databind.json.JsonMapper", classLoader)) {
			throw new InvalidConfigurationPropertyValueException("cachetags.serializer", "json",
					"Jackson 3 (tools.jackson.core:jackson-databind) is not on the class path; add it, as the "
							+ "starter does, or set 'jdk'");
		}
		return new TypedJsonRedisSerializer(allowedPackages(properties, beanFactory),
				(classLoader != null) ? classLoader : JsonValueFormat.class.getClassLoader());
	}

	static List<String> allowedPackages(CacheTagsProperties properties, BeanFactory beanFactory) {
		Set<String> packages = new LinkedHashSet<>();
		for (String pkg : properties.getJson().getAllowedPackages()) {
			try {
				packages.add(TypedJsonRedisSerializer.requireAllowablePackage(pkg));
			}
			catch (IllegalArgumentException ex) {
				throw new InvalidConfigurationPropertyValueException(ALLOWED_PACKAGES, pkg, ex.getMessage());
			}
		}
		if (AutoConfigurationPackages.has(beanFactory)) {
			for (String pkg : AutoConfigurationPackages.get(beanFactory)) {
				try {
					packages.add(TypedJsonRedisSerializer.requireAllowablePackage(pkg));
				}
				catch (IllegalArgumentException ex) {
					logger.warn("Cached values of classes in the application package '" + pkg + "' will not be "
							+ "read from Redis: " + ex.getMessage() + "; list narrower ones in " + ALLOWED_PACKAGES);
				}
			}
		}
		return List.copyOf(packages);
	}

}
