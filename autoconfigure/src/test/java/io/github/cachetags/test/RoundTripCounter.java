package io.github.cachetags.test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * Counts the commands the application sends through Spring Data Redis: wraps the {@link RedisConnectionFactory}
 * so that every call of a command group accessor ({@code scriptingCommands()}, {@code keyCommands()}, ...) on a
 * connection, each of which precedes exactly one command, is counted. Register as a static bean.
 */
public final class RoundTripCounter implements BeanPostProcessor {

	private static final Set<String> COMMAND_GROUPS = Set.of("scriptingCommands", "keyCommands", "stringCommands",
			"hashCommands", "setCommands", "zSetCommands", "serverCommands", "listCommands");

	private final AtomicLong commands = new AtomicLong();

	public long commands() {
		return this.commands.get();
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (!(bean instanceof RedisConnectionFactory factory)) {
			return bean;
		}
		return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { RedisConnectionFactory.class },
				(proxy, method, args) -> {
					Object result = invoke(factory, method, args);
					if (result instanceof RedisConnection connection) {
						return countingConnection(connection);
					}
					return result;
				});
	}

	private RedisConnection countingConnection(RedisConnection connection) {
		return (RedisConnection) Proxy.newProxyInstance(getClass().getClassLoader(),
				new Class<?>[] { RedisConnection.class }, (proxy, method, args) -> {
					if (COMMAND_GROUPS.contains(method.getName())) {
						this.commands.incrementAndGet();
					}
					return invoke(connection, method, args);
				});
	}

	private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
		try {
			return method.invoke(target, args);
		}
		catch (InvocationTargetException ex) {
			throw ex.getCause();
		}
	}

}
