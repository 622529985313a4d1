package io.github.cachetags.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every metric the Grafana dashboard in {@code docs/} queries is one the sample really exports, so the dashboard
 * cannot drift from the meters' names.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class GrafanaDashboardIT {

	private static final Set<String> PROMQL_WORDS = Set.of("by", "without", "on", "ignoring", "group_left",
			"group_right", "offset", "bool", "and", "or", "unless", "inf", "nan");

	private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

	@LocalServerPort
	private int port;

	@Test
	void everyMetricTheDashboardQueriesIsInThePrometheusScrape() throws IOException {
		SampleClient client = new SampleClient(this.port);
		client.getJson("/products/301");
		client.getJson("/products/301");
		client.getJson("/categories/1/products");
		client.getJson("/config");
		client.put("/products/302", "{\"name\":\"Product 302\",\"categoryId\":3,\"priceCents\":100}");
		Set<String> scraped = metricNames(client.get("/actuator/prometheus").getBody());

		Set<String> queried = new TreeSet<>();
		expressions(dashboard()).forEach((expr) -> queried.addAll(metricsIn(expr)));

		assertThat(queried).contains("cache_gets_total", "cachetags_purges_total",
				"cachetags_redis_memory_used_bytes");
		assertThat(scraped).containsAll(queried);
	}

	@Test
	void expressionParserFindsMetricsButNotFunctionsLabelsOrVariables() {
		String expr = "sum by (cache) (rate(cache_gets_total{application=\"$application\", result=\"hit\"}"
				+ "[$__rate_interval])) / max without (instance) (cachetags_redis_memory_used_bytes offset 5m)";

		assertThat(metricsIn(expr)).containsExactlyInAnyOrder("cache_gets_total", "cachetags_redis_memory_used_bytes");
	}

	private static JsonNode dashboard() throws IOException {
		return JsonMapper.builder().build().readTree(Files.readString(dashboardFile()));
	}

	/**
	 * {@code docs/grafana-dashboard.json} from the repository root, whether the tests run from the module directory
	 * (Maven) or from the root (an IDE).
	 */
	private static Path dashboardFile() {
		Path dir = Path.of("").toAbsolutePath();
		while (dir != null) {
			Path candidate = dir.resolve("docs").resolve("grafana-dashboard.json");
			if (Files.isRegularFile(candidate)) {
				return candidate;
			}
			dir = dir.getParent();
		}
		throw new AssertionError("No docs/grafana-dashboard.json above " + Path.of("").toAbsolutePath());
	}

	private static List<String> expressions(JsonNode node) {
		List<String> expressions = new ArrayList<>();
		collect(node, expressions);
		return expressions;
	}

	private static void collect(JsonNode node, List<String> expressions) {
		if (node.isObject()) {
			node.properties().forEach((field) -> {
				if (field.getKey().equals("expr") && field.getValue().isString()) {
					expressions.add(field.getValue().asString());
				}
				else {
					collect(field.getValue(), expressions);
				}
			});
		}
		else if (node.isArray()) {
			node.forEach((element) -> collect(element, expressions));
		}
	}

	/**
	 * Metric names in a PromQL expression: identifiers that are not label matchers, ranges, grouping labels,
	 * functions, keywords or Grafana variables.
	 */
	static Set<String> metricsIn(String expr) {
		String stripped = expr.replaceAll("\\{[^}]*}", " ")
			.replaceAll("\\[[^]]*]", " ")
			.replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
			.replaceAll("\\$\\w+", " ")
			.replaceAll("\\boffset\\s+\\w+", " ");
		Set<String> names = new TreeSet<>();
		Matcher matcher = IDENTIFIER.matcher(stripped);
		while (matcher.find()) {
			String word = matcher.group();
			boolean function = stripped.substring(matcher.end()).stripLeading().startsWith("(");
			boolean number = matcher.start() > 0 && Character.isDigit(stripped.charAt(matcher.start() - 1));
			if (!function && !number && !PROMQL_WORDS.contains(word.toLowerCase())) {
				names.add(word);
			}
		}
		return names;
	}

	private static Set<String> metricNames(String scrape) {
		Set<String> names = new TreeSet<>();
		scrape.lines()
			.filter((line) -> !line.isBlank() && !line.startsWith("#"))
			.map((line) -> line.split("[{ ]", 2)[0])
			.forEach(names::add);
		return names;
	}

}
