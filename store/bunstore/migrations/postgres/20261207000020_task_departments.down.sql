DROP INDEX IF EXISTS billkit_tasks_department_idx;
