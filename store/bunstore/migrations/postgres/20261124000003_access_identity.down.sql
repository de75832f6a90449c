DROP TABLE IF EXISTS billkit_access_events;
--bun:split
DROP TABLE IF EXISTS billkit_api_keys;
--bun:split
DROP TABLE IF EXISTS billkit_recovery_codes;
--bun:split
DROP TABLE IF EXISTS billkit_reset_tokens;
--bun:split
DROP TABLE IF EXISTS billkit_sessions;
--bun:split
DROP TABLE IF EXISTS billkit_users;
