package io.github.cachetags.benchmarks;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import javax.imageio.ImageIO;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static io.github.cachetags.benchmarks.Stats.f;

/**
 * Reads the JMH JSON results of a run, prints the CacheTags ratios with their error bars, and draws them as a bar
 * chart (java.awt, headless) to a PNG.
 * <p>
 * A ratio's error is propagated from the two JMH scores' 99.9% confidence half-widths:
 * {@code err(a/b) = a/b * sqrt((ea/a)^2 + (eb/b)^2)}. In the chart every bar is a <em>relative speed</em> (higher
 * is better): throughput ratio for hits, inverse time ratio for puts.
 * <p>
 * Usage: {@code java -cp cachetags-benchmarks.jar io.github.cachetags.benchmarks.Plot <results dir> <png>}.
 */
public final class Plot {

	record Score(double score, double error) {
	}

	/**
	 * One comparison. {@code ratio} is as the target is written: a throughput ratio for hits ({@code higherIsBetter}),
	 * a time ratio for puts; {@code speed} is the same as a relative speed.
	 */
	record Ratio(String label, double ratio, double error, double target, boolean higherIsBetter) {

		double speed() {
			return this.higherIsBetter ? this.ratio : 1 / this.ratio;
		}

		double speedError() {
			return this.higherIsBetter ? this.error : this.error / (this.ratio * this.ratio);
		}

		double speedTarget() {
			return this.higherIsBetter ? this.target : 1 / this.target;
		}

		String chartLabel() {
			if (this.higherIsBetter) {
				return this.label;
			}
			return this.label.startsWith("put") ? this.label.replace("CacheTags / RedisCacheManager",
					"RedisCacheManager time / CacheTags time") : "1 / (" + this.label + ")";
		}

		/** What the ratio compares: throughputs, times, or costs (CPU, memory). */
		String kind() {
			if (this.higherIsBetter) {
				return "throughput";
			}
			return (this.label.startsWith("put") || this.label.startsWith("purge")) ? "time" : "cost";
		}

		boolean met() {
			return this.higherIsBetter ? this.ratio >= this.target : this.ratio <= this.target;
		}

		boolean withinNoise() {
			return Math.abs(this.ratio - this.target) <= this.error;
		}

	}

	private Plot() {
	}

	public static void main(String[] args) throws IOException {
		if (args.length != 2) {
			System.err.println("Usage: Plot <results dir with hit-1t.json, hit-8t.json, put.json> <output.png>");
			System.exit(2);
		}
		List<Ratio> ratios = ratios(Path.of(args[0]));
		print(ratios);
		draw(ratios, Path.of(args[1]), "");
	}

	static List<Ratio> ratios(Path results) throws IOException {
		List<Ratio> ratios = new ArrayList<>();
		for (int threads : new int[] { 1, 8 }) {
			Path file = results.resolve("hit-" + threads + "t.json");
			if (Files.exists(file)) {
				JsonNode json = JsonMapper.builder().build().readTree(file.toFile());
				Score cacheTags = score(json, "HitBenchmark.cacheTags");
				Score plain = score(json, "HitBenchmark.redisCacheManager");
				Score raw = score(json, "HitBenchmark.rawGet");
				String t = threads + ((threads == 1) ? " thread" : " threads");
				// the goals: at least as fast as RedisCacheManager on one thread, 0.95x of it on eight
				ratios.add(ratio("hit, " + t + ": CacheTags / RedisCacheManager", cacheTags, plain,
						(threads == 1) ? 1.0 : 0.95, true));
				ratios.add(ratio("hit, " + t + ": CacheTags / raw GET", cacheTags, raw, 0.9, true));
				Score near = score(json, "HitBenchmark.cacheTagsNear");
				ratios.add(ratio("near hit, " + t + ": CacheTags / RedisCacheManager", near, plain, 30, true));
				ratios.add(ratio("near hit, " + t + ": CacheTags / CaffeineCacheManager", near,
						score(json, "HitBenchmark.caffeine"), 0.5, true));
			}
		}
		Path put = results.resolve("put.json");
		if (Files.exists(put)) {
			JsonNode json = JsonMapper.builder().build().readTree(put.toFile());
			Score plain = score(json, "PutBenchmark.redisCacheManager");
			ratios.add(ratio("put, 0 tags: CacheTags / RedisCacheManager", score(json, "PutBenchmark.cacheTags0Tags"),
					plain, 1.5, false));
			ratios.add(ratio("put, 1 tag: CacheTags / RedisCacheManager", score(json, "PutBenchmark.cacheTags1Tag"),
					plain, 1.5, false));
			ratios.add(ratio("put, 3 tags: CacheTags / RedisCacheManager", score(json, "PutBenchmark.cacheTags3Tags"),
					plain, 1.3, false));
		}
		Properties costs = Costs.read(results);
		cost(ratios, costs, "Redis CPU per hit: CacheTags script / GET", "cpu.hit.cachetags", "cpu.hit.get", 3);
		cost(ratios, costs, "Redis CPU per put, 3 tags: CacheTags script / SET", "cpu.put3.cachetags", "cpu.put.set",
				8);
		cost(ratios, costs, "memory per 100k entries, 0 tags: CacheTags / RedisCacheManager", "memory.cachetags.0",
				"memory.rcm.0", 1.3);
		cost(ratios, costs, "memory per 100k entries, 3 tags: CacheTags / RedisCacheManager", "memory.cachetags.3",
				"memory.rcm.0", 2.0);
		if (costs.containsKey("purge.size")) {
			cost(ratios, costs, f("purge of a %,d-entry tag: CacheTags / RedisCacheManager clear",
					(long) Double.parseDouble(costs.getProperty("purge.size"))), "purge.cachetags.ms", "purge.rcm.ms",
					0.1);
		}
		return ratios;
	}

	/** A cost row (lower is better) from the plain harnesses' figures, single-shot: no error bar. */
	private static void cost(List<Ratio> ratios, Properties costs, String label, String mine, String theirs,
			double target) {
		if (costs.containsKey(mine) && costs.containsKey(theirs)) {
			double ratio = Double.parseDouble(costs.getProperty(mine)) / Double.parseDouble(costs.getProperty(theirs));
			ratios.add(new Ratio(label, ratio, 0, target, false));
		}
	}

	/**
	 * The purge time goal, an absolute one: printed with the ratios, not drawn.
	 */
	static void printPurgeGoal(Path results) {
		Properties costs = Costs.read(results);
		if (costs.containsKey("purge.cachetags.ms")) {
			double ms = Double.parseDouble(costs.getProperty("purge.cachetags.ms"));
			System.out.println(f("| purge of a %,d-entry tag, time until it returns (median) | %.1f ms | <= 5 ms | %s |",
					(long) Double.parseDouble(costs.getProperty("purge.size")), ms, (ms <= 5) ? "yes" : "no"));
		}
	}

	private static Score score(JsonNode results, String suffix) {
		for (JsonNode result : results) {
			if (result.get("benchmark").asString().endsWith(suffix)) {
				JsonNode metric = result.get("primaryMetric");
				double error = metric.get("scoreError").asDouble();
				return new Score(metric.get("score").asDouble(), Double.isNaN(error) ? 0 : error);
			}
		}
		throw new IllegalStateException("No result for " + suffix);
	}

	private static Ratio ratio(String label, Score a, Score b, double target, boolean higherIsBetter) {
		double r = a.score() / b.score();
		double error = r * Math.sqrt(Math.pow(a.error() / a.score(), 2) + Math.pow(b.error() / b.score(), 2));
		return new Ratio(label, r, error, target, higherIsBetter);
	}

	static void print(List<Ratio> ratios) {
		System.out.println();
		System.out.println("Ratios (JMH score ratio ± propagated 99.9% confidence half-width):");
		System.out.println("| comparison | ratio | target | met |");
		System.out.println("|---|---|---|---|");
		for (Ratio r : ratios) {
			String kind = r.kind();
			String met = (r.met() ? "yes" : "no") + (r.withinNoise() ? " (within error)" : "");
			System.out.println(f("| %s (%s) | %.3f ± %.3f | %s %.2f | %s |", r.label(), kind, r.ratio(), r.error(),
					r.higherIsBetter() ? ">=" : "<=", r.target(), met));
		}
	}

	static void draw(List<Ratio> ratios, Path png, String subtitle) throws IOException {
		System.setProperty("java.awt.headless", "true");
		int rowHeight = 46;
		int left = 430;
		int right = 60;
		int top = 80;
		int width = 1150;
		int height = top + rowHeight * ratios.size() + 70;
		// a logarithmic axis: near-cache hits are tens of times faster than Redis hits, and a ratio of 0.5 and one
		// of 2 are the same distance from 1
		double min = 0.1;
		double widest = 3.0;
		for (Ratio r : ratios) {
			widest = Math.max(widest, Math.max(r.speed() + r.speedError(), r.speedTarget()) * 1.5);
		}
		double max = widest;
		double logMin = Math.log10(min);
		double logSpan = Math.log10(max) - logMin;
		int plotWidth = width - left - right;
		java.util.function.DoubleToIntFunction at = (x) -> left
				+ (int) Math.round((Math.log10(Math.max(min, Math.min(max, x))) - logMin) / logSpan * plotWidth);
		BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
		Graphics2D g = image.createGraphics();
		g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
		g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
		g.setColor(Color.WHITE);
		g.fillRect(0, 0, width, height);
		g.setColor(Color.BLACK);
		g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
		g.drawString("CacheTags relative speed (baseline = 1.0, higher is better)", 20, 30);
		g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
		g.drawString("Bars: JMH score ratio; whiskers: propagated 99.9% confidence half-width; red: target. "
				+ "Puts are shown as 1 / time ratio. " + subtitle, 20, 54);
		int axisY = top + rowHeight * ratios.size();
		// grid
		for (double x : new double[] { 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000 }) {
			if (x > max) {
				break;
			}
			int px = at.applyAsInt(x);
			g.setColor((Math.abs(x - 1.0) < 1e-9) ? Color.DARK_GRAY : new Color(225, 225, 225));
			g.setStroke(new BasicStroke((Math.abs(x - 1.0) < 1e-9) ? 2f : 1f));
			g.drawLine(px, top - 8, px, axisY);
			g.setColor(Color.BLACK);
			g.drawString((x < 1) ? f("%.1f", x) : f("%.0f", x), px - 8, axisY + 18);
		}
		for (int i = 0; i < ratios.size(); i++) {
			Ratio r = ratios.get(i);
			int y = top + i * rowHeight;
			int barHeight = rowHeight - 16;
			int barWidth = at.applyAsInt(r.speed()) - left;
			g.setColor(r.met() ? new Color(70, 130, 180) : new Color(220, 140, 60));
			g.fillRect(left, y, barWidth, barHeight);
			g.setColor(Color.BLACK);
			g.setStroke(new BasicStroke(1.5f));
			// whiskers are clipped to the axis; a clipped end is drawn as an arrow head instead of a cap
			double low = r.speed() - r.speedError();
			double high = r.speed() + r.speedError();
			int lo = at.applyAsInt(Math.max(min, low));
			int hi = at.applyAsInt(Math.min(max, high));
			int mid = y + barHeight / 2;
			g.drawLine(lo, mid, hi, mid);
			if (low >= min) {
				g.drawLine(lo, mid - 6, lo, mid + 6);
			}
			else {
				g.drawLine(lo, mid, lo + 6, mid - 5);
				g.drawLine(lo, mid, lo + 6, mid + 5);
			}
			if (high <= max) {
				g.drawLine(hi, mid - 6, hi, mid + 6);
			}
			else {
				g.drawLine(hi, mid, hi - 6, mid - 5);
				g.drawLine(hi, mid, hi - 6, mid + 5);
			}
			int target = at.applyAsInt(r.speedTarget());
			g.setColor(Color.RED);
			g.setStroke(new BasicStroke(2.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
					new float[] { 5f, 4f }, 0f));
			g.drawLine(target, y - 3, target, y + barHeight + 3);
			g.setColor(Color.BLACK);
			g.setStroke(new BasicStroke(1f));
			g.drawString(r.chartLabel(), 12, mid + 5);
			String value = f("%.3f ± %.3f", r.speed(), r.speedError());
			int textX = Math.min(Math.max(hi, target) + 8, width - g.getFontMetrics().stringWidth(value) - 4);
			g.setColor(Color.WHITE);
			g.fillRect(textX - 2, mid - 10, g.getFontMetrics().stringWidth(value) + 4, 14);
			g.setColor(Color.BLACK);
			g.drawString(value, textX, mid + 5);
		}
		g.drawString("relative speed (logarithmic)", left + (width - left - right) / 2 - 70, axisY + 40);
		g.dispose();
		Files.createDirectories(png.toAbsolutePath().getParent());
		ImageIO.write(image, "png", png.toFile());
		System.out.println("Plot written to " + png);
	}

}
