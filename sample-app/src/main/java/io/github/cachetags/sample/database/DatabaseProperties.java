package io.github.cachetags.sample.database;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the sample's database.
 *
 * @param latency time added to every query, standing in for a remote database
 */
@ConfigurationProperties("sample.db")
public record DatabaseProperties(@DefaultValue("30ms") Duration latency) {
}
