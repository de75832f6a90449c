-- A department's queue: the manual tasks waiting on it (GET
-- /tasks?department=...&status=waiting). Only tasks with a department are
-- indexed, so the many tasks of other modules cost it nothing.
CREATE INDEX IF NOT EXISTS billkit_tasks_department_idx ON billkit_tasks (department, status, id) WHERE department <> '';
