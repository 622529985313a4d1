-- Seeds an empty database only (several instances may share one; see application-shared.yml).
-- 50 categories, and 3,000 products spread evenly over them (product n is in category ((n - 1) mod 50) + 1)
INSERT INTO category (id, name)
	SELECT x, 'Category ' || x FROM SYSTEM_RANGE(1, 50) WHERE NOT EXISTS (SELECT 1 FROM category);

INSERT INTO product (id, name, category_id, price_cents)
	SELECT x, 'Product ' || x, MOD(x - 1, 50) + 1, 100 + MOD(x * 7919, 99900) FROM SYSTEM_RANGE(1, 3000)
	WHERE NOT EXISTS (SELECT 1 FROM product);

INSERT INTO config (name, content)
	SELECT name, content FROM (VALUES
		('currency', 'EUR'),
		('free-shipping-threshold-cents', '5000'),
		('support-email', 'support@shop.example'),
		('vat-rate-percent', '20')) AS seed (name, content)
	WHERE NOT EXISTS (SELECT 1 FROM config);
