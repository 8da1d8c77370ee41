-- Idempotency keys of unit operations: a reserve, consume or release sent with an
-- Idempotency-Key is done once. The key is written in the transaction of the write it made, with
-- what was asked (the fingerprint) and what was answered; a retry with the same key reads them
-- back instead of writing again. Keys are a user's own (two practitioners may use the same).
CREATE TABLE idempotency_keys (
  organization_id uuid NOT NULL,
  user_id         uuid NOT NULL,
  key             text NOT NULL,
  fingerprint     text NOT NULL,
  response        json NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, user_id, key)
);

-- apply_unit_operation under a key (NULL: no key, the operation alone). Only a write that
-- happened is kept: an answer that changed nothing (a conflict, not found) is worked out again
-- on a retry. Two transactions writing one key at once: the second fails to serialize and is
-- retried, and then finds the first's answer.
CREATE FUNCTION apply_keyed_unit_operation(p_key text, p_auth uuid, p_org uuid, p_user uuid, p_op text, p_units integer, p_lock boolean)
RETURNS json LANGUAGE plpgsql AS $$
DECLARE
  fingerprint_asked text := p_op || ' ' || p_auth || ' ' || p_units;
  kept idempotency_keys%ROWTYPE;
  answer json;
BEGIN
  IF p_key IS NULL THEN
    RETURN apply_unit_operation(p_auth, p_org, p_user, p_op, p_units, p_lock);
  END IF;
  SELECT * INTO kept FROM idempotency_keys
   WHERE organization_id = p_org AND user_id = p_user AND key = p_key;
  IF FOUND THEN
    IF kept.fingerprint <> fingerprint_asked THEN
      RETURN json_build_object('result', 'key_reused', 'first', kept.fingerprint);
    END IF;
    RETURN json_build_object('result', 'ok', 'replayed', true, 'authorization', kept.response->'authorization');
  END IF;
  answer := apply_unit_operation(p_auth, p_org, p_user, p_op, p_units, p_lock);
  IF answer->>'result' = 'ok' THEN
    INSERT INTO idempotency_keys (organization_id, user_id, key, fingerprint, response)
    VALUES (p_org, p_user, p_key, fingerprint_asked, answer)
    ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'idempotency key written by a concurrent transaction' USING ERRCODE = 'serialization_failure';
    END IF;
  END IF;
  RETURN answer;
END $$;
ALTER FUNCTION apply_keyed_unit_operation(text, uuid, uuid, uuid, text, integer, boolean) SET enable_seqscan = off;
