DROP TABLE IF EXISTS billkit_saved_payment_methods;
--bun:split
DROP TABLE IF EXISTS billkit_payment_events;
--bun:split
DROP TABLE IF EXISTS billkit_payment_refunds;
--bun:split
DROP TABLE IF EXISTS billkit_payments;
--bun:split
DROP TABLE IF EXISTS billkit_payment_methods;
