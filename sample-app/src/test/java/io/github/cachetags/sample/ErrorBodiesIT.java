package io.github.cachetags.sample;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What error answers tell a client: why a request was refused (4xx), and never the text of an exception, which may
 * hold SQL (5xx).
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class ErrorBodiesIT {

	@LocalServerPort
	private int port;

	private SampleClient client;

	@BeforeEach
	void client() {
		this.client = new SampleClient(this.port);
	}

	@Test
	void nameTooLongForTheDatabaseIsABadRequestThatShowsNoSql() {
		JsonNode before = this.client.getJson("/products/150");

		ResponseEntity<String> update = this.client.put("/products/150",
				"{\"name\":\"" + "n".repeat(10_000) + "\",\"categoryId\":1,\"priceCents\":100}");

		assertThat(update.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
		assertThat(SampleClient.json(update).get("message").asString())
			.isEqualTo("A name has at most 200 characters; this one has 10000");
		assertThat(update.getBody()).doesNotContainIgnoringCase("sql").doesNotContainIgnoringCase("update");
		assertThat(this.client.getJson("/products/150")).isEqualTo(before);
	}

	@Test
	void serverErrorNeverEchoesTheExceptionsText() {
		ResponseEntity<String> failure = this.client.get("/test/failure");

		assertThat(failure.getStatusCode()).isEqualTo(HttpStatus.INTERNAL_SERVER_ERROR);
		JsonNode body = SampleClient.json(failure);
		assertThat(body.get("error").asString()).isEqualTo("Internal Server Error");
		assertThat(body.has("message")).isFalse();
		assertThat(body.has("exception")).isFalse();
		assertThat(body.has("trace")).isFalse();
		assertThat(failure.getBody()).doesNotContain("SQL").doesNotContain("secret");
	}

	@Test
	void clientErrorsSayWhy() {
		ResponseEntity<String> notFound = this.client.get("/products/999999");
		ResponseEntity<String> blankName = this.client.put("/products/150",
				"{\"name\":\" \",\"categoryId\":1,\"priceCents\":100}");
		ResponseEntity<String> unknownCategory = this.client.put("/products/150",
				"{\"name\":\"Mug\",\"categoryId\":9999,\"priceCents\":100}");

		assertThat(SampleClient.json(notFound).get("message").asString()).isEqualTo("No product with id 999999");
		assertThat(SampleClient.json(blankName).get("message").asString()).startsWith("Expected a body");
		assertThat(SampleClient.json(unknownCategory).get("message").asString()).isEqualTo("No category with id 9999");
	}

	@Test
	void malformedBodyIsABadRequestThatDoesNotEchoTheParser() {
		ResponseEntity<String> update = this.client.put("/products/150", "{\"name\": SELECT");

		assertThat(update.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
		assertThat(update.getBody()).doesNotContain("SELECT").doesNotContain("JSON parse error");
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class FailureConfiguration {

		@Bean
		FailingController failingController() {
			return new FailingController();
		}

	}

	@RestController
	static class FailingController {

		@GetMapping("/test/failure")
		String fail() {
			throw new DataIntegrityViolationException(
					"PreparedStatementCallback; SQL [UPDATE product SET name = 'secret']; Value too long");
		}

	}

}
