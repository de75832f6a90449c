DROP TABLE billkit_idempotency_keys;
