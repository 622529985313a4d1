CREATE TABLE category (
	id BIGINT PRIMARY KEY,
	name VARCHAR(100) NOT NULL
);

CREATE TABLE product (
	id BIGINT PRIMARY KEY,
	name VARCHAR(200) NOT NULL,
	category_id BIGINT NOT NULL REFERENCES category (id),
	price_cents BIGINT NOT NULL
);

CREATE INDEX product_category ON product (category_id);

CREATE TABLE config (
	name VARCHAR(100) PRIMARY KEY,
	content VARCHAR(1000) NOT NULL
);
