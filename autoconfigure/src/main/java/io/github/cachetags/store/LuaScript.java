package io.github.cachetags.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.jspecify.annotations.Nullable;

import org.springframework.core.NestedExceptionUtils;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.ReturnType;

/**
 * One Lua script of the store, loaded once from its {@code .lua} resource and run by SHA with a fallback
 * to {@code EVAL} when the server does not know it yet.
 */
final class LuaScript {

	private final String name;

	private final byte[] source;

	private final byte[] sha1;

	private LuaScript(String name, byte[] source) {
		this.name = name;
		this.source = source;
		this.sha1 = HexFormat.of().formatHex(sha1(source)).getBytes(StandardCharsets.US_ASCII);
	}

	static LuaScript load(String name) {
		return new LuaScript(name, read(name));
	}

	/**
	 * Loads a script with a library of local functions prepended (such as {@code stamps.lua}).
	 */
	static LuaScript load(String name, String library) {
		byte[] prelude = read(library);
		byte[] body = read(name);
		byte[] source = new byte[prelude.length + 1 + body.length];
		System.arraycopy(prelude, 0, source, 0, prelude.length);
		source[prelude.length] = '\n';
		System.arraycopy(body, 0, source, prelude.length + 1, body.length);
		return new LuaScript(name, source);
	}

	private static byte[] read(String name) {
		String resource = name + ".lua";
		try (InputStream in = LuaScript.class.getResourceAsStream(resource)) {
			if (in == null) {
				throw new IllegalStateException("Missing script resource " + resource);
			}
			return in.readAllBytes();
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot read script resource " + resource, ex);
		}
	}

	@Nullable <T> T run(RedisConnection connection, ReturnType type, int keyCount, byte[]... keysAndArgs) {
		try {
			return connection.scriptingCommands().evalSha(this.sha1, type, keyCount, keysAndArgs);
		}
		catch (RuntimeException ex) {
			if (!isNoScript(ex)) {
				throw ex;
			}
			return connection.scriptingCommands().eval(this.source, type, keyCount, keysAndArgs);
		}
	}

	private static boolean isNoScript(Throwable ex) {
		Throwable cause = NestedExceptionUtils.getMostSpecificCause(ex);
		String message = cause.getMessage();
		return message != null && message.contains("NOSCRIPT");
	}

	private static byte[] sha1(byte[] source) {
		try {
			return MessageDigest.getInstance("SHA-1").digest(source);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public String toString() {
		return this.name + ".lua";
	}

}
