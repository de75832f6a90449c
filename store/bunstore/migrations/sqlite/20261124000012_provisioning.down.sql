DROP TABLE IF EXISTS billkit_service_notices;
--bun:split
DROP TABLE IF EXISTS billkit_service_renewals;
--bun:split
DROP TABLE IF EXISTS billkit_service_events;
--bun:split
DROP TABLE IF EXISTS billkit_task_attempts;
--bun:split
DROP TABLE IF EXISTS billkit_tasks;
--bun:split
DROP TABLE IF EXISTS billkit_services;
--bun:split
DROP TABLE IF EXISTS billkit_orders;
--bun:split
DROP TABLE IF EXISTS billkit_servers;
--bun:split
DROP TABLE IF EXISTS billkit_datacenters;
