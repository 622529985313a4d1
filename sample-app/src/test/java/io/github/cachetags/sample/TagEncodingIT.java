package io.github.cachetags.sample;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import io.github.cachetags.cache.TagAwareCache;
import io.github.cachetags.cache.TagAwareCacheManager;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one HTTP encoding of a tag, over real HTTP against the sample's Tomcat, Spring Security and Spring MVC: the
 * tag is one path segment, percent-encoded, that decodes exactly to the tag. Every valid tag can be counted and
 * purged that way, and raw forms that a server or client would read as another tag are refused without purging
 * anything. Paths are sent exactly as written here.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "sample.admin.username=ops", "sample.admin.password=s3cret" })
class TagEncodingIT {

	private static final String ENDPOINT = "/actuator/cachetags/";

	@LocalServerPort
	private int port;

	@Autowired
	private TagAwareCacheManager cacheManager;

	private SampleClient client;

	private TagAwareCache cache;

	@BeforeEach
	void client() {
		this.client = new SampleClient(this.port);
		this.cache = this.cacheManager.getCache("config");
	}

	@Test
	void trickyTagsAreCountedAndPurgedPercentEncoded() {
		countedAndPurged("a/b", "a%2Fb");
		countedAndPurged("a%b", "a%25b");
		countedAndPurged("a?b", "a%3Fb");
		countedAndPurged("a#b", "a%23b");
		countedAndPurged("a b", "a%20b");
		countedAndPurged("product:1/", "product:1%2F");
		countedAndPurged("*", "*");
		countedAndPurged("a;b", "a%3Bb");
		countedAndPurged("a\\b", "a%5Cb");
		countedAndPurged("~", "~");
		countedAndPurged("a//b", "a%2F%2Fb");
		countedAndPurged(".", "%2E");
		countedAndPurged("..", "%2E%2E");
		countedAndPurged("a+b", "a+b");
	}

	@Test
	void everyPrintableAsciiCharacterIsCountedAndPurgedInATagAlone() {
		for (char c = 0x20; c <= 0x7E; c++) {
			countedAndPurged(String.valueOf(c), encode(String.valueOf(c)));
			countedAndPurged("t" + c + "t", encode("t" + c + "t"));
		}
	}

	@Test
	void tagOf256CharactersOfEveryKindIsCountedAndPurgedAndOneMoreIsRefused() {
		StringBuilder tag = new StringBuilder();
		for (int i = 0; tag.length() < 256; i++) {
			tag.append((char) (0x20 + i % 95));
		}
		countedAndPurged(tag.toString(), encode(tag.toString()));

		ResponseEntity<String> tooLong = this.client.delete(ENDPOINT + encode(tag + "x"), "ops", "s3cret");

		assertThat(tooLong.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
		assertThat(message(tooLong)).contains("at most 256");
	}

	@Test
	void trailingSlashIsRefusedAndPurgesNeitherTag() {
		refusedAndPurgesNothing("product:1/", "ends with '/'", "product:1", "product:1/");
	}

	@Test
	void rawSlashIsRefusedAndPurgesNothing() {
		refusedAndPurgesNothing("a/b", "as in a%2Fb", "a/b", "a", "b");
	}

	@Test
	void rawQuestionMarkIsRefusedAndDoesNotPurgeTheTagBeforeIt() throws IOException {
		refusedAndPurgesNothing("a?b", "query string", "a", "a?b");
		// an empty query is dropped by java.net.http; curl and others send it
		List<String> decoys = cacheDecoys("a", "a?");
		assertThat(rawRequestStatus("DELETE", ENDPOINT + "a?")).isEqualTo(400);
		assertStillCached(decoys, "a?");
	}

	@Test
	void rawSemicolonIsRefusedAndDoesNotPurgeTheTagBeforeIt() {
		refusedAndPurgesNothing("a;b", "as in a%3Bb", "a", "a;b");
	}

	@Test
	void rawFormsTheServerRejectsPurgeNothing() throws IOException {
		refusedAndPurgesNothing("..", null, "..", ".");
		refusedAndPurgesNothing("a//b", null, "a//b", "a/b");
		// no URI class sends these; a hand-written request line does
		for (String rawTagPath : List.of("a%b", "a b", "a#b", "a\\b")) {
			List<String> decoys = cacheDecoys("a", rawTagPath);
			assertThat(rawRequestStatus("DELETE", ENDPOINT + rawTagPath)).as("DELETE %s", rawTagPath).isEqualTo(400);
			assertStillCached(decoys, rawTagPath);
		}
	}

	@Test
	void refusedCountSaysWhy() {
		ResponseEntity<String> count = this.client.get(ENDPOINT + "product:1/");

		assertThat(count.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
		assertThat(message(count)).contains("send product:1 for the tag 'product:1', or product:1%2F for the tag"
				+ " 'product:1/'");
	}

	private void countedAndPurged(String tag, String encoded) {
		String key = "tag-encoding:" + encode(tag);
		this.cache.put(key, "v", (value) -> List.of(tag));

		ResponseEntity<String> count = this.client.get(ENDPOINT + encoded);
		assertThat(count.getStatusCode()).as("GET %s", encoded).isEqualTo(HttpStatus.OK);
		JsonNode counted = SampleClient.json(count);
		assertThat(counted.get("tag").asString()).as("GET %s", encoded).isEqualTo(tag);
		assertThat(counted.get("total").asLong()).as("GET %s", encoded).isEqualTo(1);

		ResponseEntity<String> purge = this.client.delete(ENDPOINT + encoded, "ops", "s3cret");
		assertThat(purge.getStatusCode()).as("DELETE %s", encoded).isEqualTo(HttpStatus.OK);
		JsonNode purged = SampleClient.json(purge);
		assertThat(purged.get("tag").asString()).as("DELETE %s", encoded).isEqualTo(tag);
		assertThat(purged.get("removed").asLong()).as("DELETE %s", encoded).isEqualTo(1);
		assertThat(this.cache.get(key)).as("entry tagged %s after DELETE %s", tag, encoded).isNull();
	}

	/**
	 * Sends the raw path, which a lossy reading would take for one of the decoy tags, and checks that the answer is
	 * 400 and every decoy's entry is still cached.
	 */
	private void refusedAndPurgesNothing(String rawTagPath, String reason, String... decoyTags) {
		List<String> decoys = cacheDecoys(decoyTags);

		ResponseEntity<String> purge = this.client.delete(ENDPOINT + rawTagPath, "ops", "s3cret");

		assertThat(purge.getStatusCode()).as("DELETE %s", rawTagPath).isEqualTo(HttpStatus.BAD_REQUEST);
		if (reason != null) {
			assertThat(message(purge)).as("DELETE %s", rawTagPath).contains(reason);
		}
		assertStillCached(decoys, rawTagPath);
	}

	private List<String> cacheDecoys(String... decoys) {
		List<String> tags = List.of(decoys);
		tags.forEach((decoy) -> this.cache.put(decoyKey(decoy), "v", (value) -> List.of(decoy)));
		return tags;
	}

	private void assertStillCached(List<String> decoys, String rawTagPath) {
		for (String decoy : decoys) {
			assertThat(this.cache.get(decoyKey(decoy))).as("entry tagged %s after DELETE %s", decoy, rawTagPath)
				.isNotNull();
			this.cacheManager.purge(decoy);
		}
	}

	private static String decoyKey(String tag) {
		return "decoy:" + encode(tag);
	}

	/**
	 * Sends a request line exactly as given, with the operator's credentials, and returns the status code.
	 */
	private int rawRequestStatus(String method, String target) throws IOException {
		String credentials = Base64.getEncoder().encodeToString("ops:s3cret".getBytes(StandardCharsets.US_ASCII));
		try (Socket socket = new Socket("localhost", this.port)) {
			socket.setSoTimeout(10_000);
			OutputStream out = socket.getOutputStream();
			out.write((method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic " + credentials
					+ "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
			out.flush();
			String statusLine = new BufferedReader(
					new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1))
				.readLine();
			return Integer.parseInt(statusLine.split(" ")[1]);
		}
	}

	private static String message(ResponseEntity<String> response) {
		JsonNode message = SampleClient.json(response).get("message");
		return (message != null) ? message.asString() : "";
	}

	/**
	 * The documented encoding: every character but the unreserved ones ({@code A-Z a-z 0-9 - . _ ~}) as
	 * {@code %XX}, and a tag of only {@code .} or {@code ..} with its dots encoded too.
	 */
	static String encode(String tag) {
		boolean dotSegment = tag.equals(".") || tag.equals("..");
		StringBuilder encoded = new StringBuilder();
		for (byte b : tag.getBytes(StandardCharsets.UTF_8)) {
			char c = (char) (b & 0xFF);
			boolean unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
					|| c == '-' || c == '_' || c == '~' || (c == '.' && !dotSegment);
			encoded.append(unreserved ? String.valueOf(c) : String.format("%%%02X", (int) c));
		}
		return encoded.toString();
	}

}
