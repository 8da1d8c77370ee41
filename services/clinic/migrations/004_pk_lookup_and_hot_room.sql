-- Fewer serialization failures between operations on different authorizations.
--
-- Under SERIALIZABLE, reading an authorization through the primary key index predicate-locks
-- that index's leaf page, and a small table's index is a single page: any concurrent write that
-- adds an entry to it conflicts with every reader. An UPDATE adds index entries unless it is a
-- HOT update, which needs free space on the row's heap page. Seeded pages were packed full, so
-- the first update of each row was not HOT. A fill factor leaves room for new row versions.
-- (Pages written before this migration keep their packing until they are rewritten.)
ALTER TABLE authorizations SET (fillfactor = 20);

-- The function read `WHERE id = $1 AND organization_id = $2`; with planner statistics of a few
-- organizations it could choose the organization index and read every authorization of the
-- organization. It now reads by primary key alone. (CREATE OR REPLACE drops the function's
-- settings: enable_seqscan is set again at the end.)
CREATE OR REPLACE FUNCTION apply_unit_operation(p_auth uuid, p_org uuid, p_user uuid, p_op text, p_units integer, p_lock boolean)
RETURNS json LANGUAGE plpgsql AS $$
DECLARE
  a authorizations%ROWTYPE;
  available integer;
  new_scheduled integer;
  new_used integer;
  new_status text;
BEGIN
  -- By primary key only: the organization is compared after the read (below), so the planner
  -- can never choose the organization index, which would read (and predicate-lock) every
  -- authorization of the organization.
  IF p_lock THEN
    SELECT * INTO a FROM authorizations WHERE id = p_auth FOR UPDATE;
  ELSE
    SELECT * INTO a FROM authorizations WHERE id = p_auth;
  END IF;
  IF NOT FOUND OR a.organization_id <> p_org THEN
    RETURN json_build_object('result', 'not_found');
  END IF;
  IF NOT EXISTS (SELECT 1 FROM users WHERE id = p_user AND organization_id = p_org) THEN
    RETURN json_build_object('result', 'unknown_user');
  END IF;
  available := a.total_units - a.used_units - a.scheduled_units;
  IF a.status <> 'ACTIVE' OR current_date > a.end_date OR current_date < a.start_date THEN
    RETURN json_build_object('result', 'inactive', 'status',
      CASE WHEN a.status = 'ACTIVE' THEN 'EXPIRED' ELSE a.status END);
  END IF;
  IF p_op = 'RESERVE' THEN
    IF available < p_units THEN
      RETURN json_build_object('result', 'conflict', 'reason', 'not enough units available',
        'available', available, 'requested', p_units);
    END IF;
    new_scheduled := a.scheduled_units + p_units;
    new_used := a.used_units;
  ELSIF p_op = 'RELEASE' OR p_op = 'CONSUME' THEN
    IF a.scheduled_units < p_units THEN
      RETURN json_build_object('result', 'conflict', 'reason', 'not enough units scheduled',
        'scheduled', a.scheduled_units, 'requested', p_units);
    END IF;
    new_scheduled := a.scheduled_units - p_units;
    new_used := a.used_units + CASE WHEN p_op = 'CONSUME' THEN p_units ELSE 0 END;
  ELSE
    RAISE EXCEPTION 'unknown operation %', p_op;
  END IF;
  new_status := CASE WHEN new_used >= a.total_units THEN 'EXHAUSTED' ELSE 'ACTIVE' END;
  UPDATE authorizations
     SET scheduled_units = new_scheduled, used_units = new_used, status = new_status, updated_at = now()
   WHERE id = a.id
  RETURNING * INTO a;
  INSERT INTO unit_ledger (authorization_id, user_id, operation, units, scheduled_before, scheduled_after, used_before, used_after)
  VALUES (a.id, p_user, p_op, p_units,
          CASE WHEN p_op = 'RESERVE' THEN new_scheduled - p_units ELSE new_scheduled + p_units END, new_scheduled,
          CASE WHEN p_op = 'CONSUME' THEN new_used - p_units ELSE new_used END, new_used);
  RETURN json_build_object('result', 'ok', 'authorization', row_to_json(a));
END $$;
ALTER FUNCTION apply_unit_operation(uuid, uuid, uuid, text, integer, boolean) SET enable_seqscan = off;
