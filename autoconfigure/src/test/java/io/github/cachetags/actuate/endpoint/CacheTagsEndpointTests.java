package io.github.cachetags.actuate.endpoint;

import java.util.Map;

import io.github.cachetags.actuate.endpoint.CacheTagsEndpoint.PurgeReport;
import io.github.cachetags.actuate.endpoint.CacheTagsEndpoint.RedisUnavailableReport;
import io.github.cachetags.actuate.endpoint.CacheTagsEndpoint.TagReport;
import io.github.cachetags.cache.InvalidationPendingException;
import io.github.cachetags.cache.TagAwareCacheManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

/**
 * The endpoint's answers that need no Redis: the tag it reads from a web request, and 503 when the cache manager
 * reports Redis unreachable.
 */
class CacheTagsEndpointTests {

	private final TagAwareCacheManager cacheManager = mock(TagAwareCacheManager.class);

	private final CacheTagsEndpoint endpoint = new CacheTagsEndpoint(this.cacheManager);

	@AfterEach
	void leaveTheRequest() {
		RequestContextHolder.resetRequestAttributes();
	}

	@Test
	void purgeOfAnEncodedTagInAWebRequestPurgesTheDecodedTag() {
		serving("DELETE", "/actuator/cachetags/a%2Fb%25", null);
		given(this.cacheManager.purge("a/b%")).willReturn(2L);

		WebEndpointResponse<Object> response = this.endpoint.purge(new String[] { "a/b%" });

		assertThat(response.getStatus()).isEqualTo(200);
		assertThat(response.getBody()).isEqualTo(new PurgeReport("a/b%", 2));
	}

	@Test
	void trailingSlashInAWebRequestIsABadRequestAndPurgesNothing() {
		serving("DELETE", "/actuator/cachetags/product:1/", null);

		assertThatExceptionOfType(InvalidEndpointRequestException.class)
			.isThrownBy(() -> this.endpoint.purge(new String[] { "product:1" }))
			.withMessageContaining("ends with '/'");
		verify(this.cacheManager, never()).purge(anyString());
	}

	@Test
	void queryStringInAWebRequestIsABadRequestAndPurgesNothing() {
		serving("DELETE", "/actuator/cachetags/a", "b");

		assertThatExceptionOfType(InvalidEndpointRequestException.class)
			.isThrownBy(() -> this.endpoint.purge(new String[] { "a" }))
			.withMessageContaining("query string");
		verify(this.cacheManager, never()).purge(anyString());
	}

	@Test
	void segmentsOutsideAWebRequestAreJoinedWithSlashes() {
		given(this.cacheManager.count("a/b")).willReturn(Map.of("products", 1L));

		assertThat(this.endpoint.tag(new String[] { "a", "b" }).getBody())
			.isEqualTo(new TagReport("a/b", 1, Map.of("products", 1L)));
	}

	@Test
	void purgeQueuedBecauseRedisIsUnreachableIsServiceUnavailableAndSaysSo() {
		given(this.cacheManager.purge("product:1")).willThrow(new InvalidationPendingException(
				"Could not purge tag 'product:1'; it is queued", new RedisConnectionFailureException("refused")));

		WebEndpointResponse<Object> response = this.endpoint.purge(new String[] { "product:1" });

		assertThat(response.getStatus()).isEqualTo(503);
		assertThat(response.getBody()).isInstanceOfSatisfying(RedisUnavailableReport.class, (report) -> {
			assertThat(report.tag()).isEqualTo("product:1");
			assertThat(report.error()).isEqualTo("Purge queued");
			assertThat(report.message()).contains("queued and retried until Redis accepts it");
		});
	}

	@Test
	void countWhileRedisIsUnreachableIsServiceUnavailable() {
		given(this.cacheManager.count("product:1")).willThrow(new RedisConnectionFailureException("refused"));

		WebEndpointResponse<Object> response = this.endpoint.tag(new String[] { "product:1" });

		assertThat(response.getStatus()).isEqualTo(503);
		assertThat(response.getBody()).isInstanceOfSatisfying(RedisUnavailableReport.class,
				(report) -> assertThat(report.error()).isEqualTo("Redis unreachable"));
	}

	private static void serving(String method, String uri, String query) {
		MockHttpServletRequest request = new MockHttpServletRequest(method, uri);
		request.setQueryString(query);
		request.setAttribute("org.springframework.web.servlet.HandlerMapping.bestMatchingPattern",
				"/actuator/cachetags/**");
		RequestContextHolder.setRequestAttributes(new ServletRequestAttributes(request));
	}

}
