DROP TABLE IF EXISTS billkit_promo_redemptions;
--bun:split
DROP TABLE IF EXISTS billkit_promo_codes;
--bun:split
DROP TABLE IF EXISTS billkit_discounts;
--bun:split
DROP TABLE IF EXISTS billkit_vat_checks;
--bun:split
DROP TABLE IF EXISTS billkit_tax_exemptions;
--bun:split
DROP TABLE IF EXISTS billkit_tax_settings;
--bun:split
DROP TABLE IF EXISTS billkit_tax_rules;
