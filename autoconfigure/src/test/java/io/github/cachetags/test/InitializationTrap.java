package io.github.cachetags.test;

/**
 * A class outside every allowed package that records, in system properties, whether it was initialized or
 * instantiated: it stands in for a deserialization gadget.
 */
public class InitializationTrap {

	public static final String INITIALIZED = "cachetags.test.trap.initialized";

	public static final String INSTANTIATED = "cachetags.test.trap.instantiated";

	static {
		System.setProperty(INITIALIZED, "true");
	}

	private String command = "";

	public InitializationTrap() {
		System.setProperty(INSTANTIATED, "true");
	}

	public String getCommand() {
		return this.command;
	}

	public void setCommand(String command) {
		this.command = command;
	}

}
