package io.github.cachetags.sample;

import java.net.URI;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/**
 * A real HTTP client for the running sample. Paths are sent as given (already percent-encoded), and error statuses
 * are returned rather than thrown, so that tests can assert on them.
 */
public final class SampleClient {

	private static final JsonMapper json = JsonMapper.builder().build();

	private final String baseUrl;

	private final RestClient rest;

	public SampleClient(int port) {
		this.baseUrl = "http://localhost:" + port;
		this.rest = RestClient.builder()
			.requestFactory(new JdkClientHttpRequestFactory())
			.defaultStatusHandler((status) -> true, (request, response) -> {
			})
			.build();
	}

	public ResponseEntity<String> get(String path) {
		return this.rest.get().uri(uri(path)).retrieve().toEntity(String.class);
	}

	public ResponseEntity<String> put(String path, String jsonBody) {
		return this.rest.put()
			.uri(uri(path))
			.contentType(MediaType.APPLICATION_JSON)
			.body(jsonBody)
			.retrieve()
			.toEntity(String.class);
	}

	public ResponseEntity<String> delete(String path) {
		return this.rest.delete().uri(uri(path)).retrieve().toEntity(String.class);
	}

	public ResponseEntity<String> delete(String path, String username, String password) {
		return this.rest.delete()
			.uri(uri(path))
			.headers((headers) -> headers.setBasicAuth(username, password))
			.retrieve()
			.toEntity(String.class);
	}

	/** GETs a path that must answer 200 and returns its JSON body. */
	public JsonNode getJson(String path) {
		ResponseEntity<String> response = get(path);
		if (!response.getStatusCode().is2xxSuccessful()) {
			throw new AssertionError("GET " + path + " answered " + response.getStatusCode() + ": "
					+ response.getBody());
		}
		return json(response);
	}

	/** Queries the sample's database has run so far. */
	public long databaseQueries() {
		return getJson("/stats/db").get("queries").asLong();
	}

	public static JsonNode json(ResponseEntity<String> response) {
		String body = response.getBody();
		return json.readTree((body != null) ? body : "null");
	}

	public static String contentType(ResponseEntity<String> response) {
		return String.valueOf(response.getHeaders().getFirst(HttpHeaders.CONTENT_TYPE));
	}

	private URI uri(String path) {
		return URI.create(this.baseUrl + path);
	}

}
