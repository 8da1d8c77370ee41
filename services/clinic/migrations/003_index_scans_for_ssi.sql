-- With few authorizations the planner scans the whole table, and under SERIALIZABLE a
-- sequential scan takes a predicate lock on the entire relation: every concurrent write then
-- looks like a conflict and fails with 40001. Index scans lock only the rows they read.
ALTER FUNCTION apply_unit_operation(uuid, uuid, uuid, text, integer, boolean) SET enable_seqscan = off;
