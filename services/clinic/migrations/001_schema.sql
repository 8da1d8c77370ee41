-- clinic: organizations, their users and patients, insurance authorizations of therapy units,
-- and the append-only ledger of every unit operation.
CREATE EXTENSION IF NOT EXISTS pgcrypto;

CREATE TABLE organizations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL UNIQUE
);

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations(id),
  email text NOT NULL UNIQUE,
  role text NOT NULL CHECK (role IN ('PRACTITIONER', 'ADMIN'))
);

CREATE TABLE patients (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations(id),
  -- Simulated patients only: a generated name, never real data.
  display_name text NOT NULL
);

CREATE TABLE service_codes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code text NOT NULL UNIQUE,
  description text NOT NULL
);

CREATE TABLE authorizations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations(id),
  patient_id uuid NOT NULL REFERENCES patients(id),
  service_code_id uuid NOT NULL REFERENCES service_codes(id),
  auth_number text NOT NULL UNIQUE,
  total_units integer NOT NULL CHECK (total_units > 0),
  used_units integer NOT NULL DEFAULT 0 CHECK (used_units >= 0),
  scheduled_units integer NOT NULL DEFAULT 0 CHECK (scheduled_units >= 0),
  start_date date NOT NULL,
  end_date date NOT NULL,
  status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'EXPIRED', 'EXHAUSTED', 'CANCELLED')),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX authorizations_organization ON authorizations (organization_id);

CREATE TABLE unit_ledger (
  id bigserial PRIMARY KEY,
  authorization_id uuid NOT NULL REFERENCES authorizations(id),
  user_id uuid NOT NULL REFERENCES users(id),
  operation text NOT NULL CHECK (operation IN ('RESERVE', 'RELEASE', 'CONSUME')),
  units integer NOT NULL CHECK (units > 0),
  scheduled_before integer NOT NULL,
  scheduled_after integer NOT NULL,
  used_before integer NOT NULL,
  used_after integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX unit_ledger_authorization ON unit_ledger (authorization_id);

-- The ledger is append-only.
CREATE FUNCTION unit_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'unit_ledger is append-only';
END $$;
CREATE TRIGGER unit_ledger_no_update BEFORE UPDATE OR DELETE ON unit_ledger
  FOR EACH ROW EXECUTE FUNCTION unit_ledger_append_only();

-- One unit operation in one statement (one round trip): check, update, ledger.
-- p_lock: take the row with FOR UPDATE (the row-lock strategy under READ COMMITTED); without it
-- the caller's SERIALIZABLE transaction makes concurrent operations safe.
-- Returns a JSON object with `result`: ok | not_found | unknown_user | inactive | conflict.
CREATE FUNCTION apply_unit_operation(p_auth uuid, p_org uuid, p_user uuid, p_op text, p_units integer, p_lock boolean)
RETURNS json LANGUAGE plpgsql AS $$
DECLARE
  a authorizations%ROWTYPE;
  available integer;
  new_scheduled integer;
  new_used integer;
  new_status text;
BEGIN
  IF p_lock THEN
    SELECT * INTO a FROM authorizations WHERE id = p_auth AND organization_id = p_org FOR UPDATE;
  ELSE
    SELECT * INTO a FROM authorizations WHERE id = p_auth AND organization_id = p_org;
  END IF;
  IF NOT FOUND THEN
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
