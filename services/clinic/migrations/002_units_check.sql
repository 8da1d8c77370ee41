-- Defence in depth: the database itself refuses overbooking. The service never relies on it
-- (its transactions prevent overbooking first); the test that proves the integrity check can
-- fail runs without this migration, so that nothing hides a race.
ALTER TABLE authorizations ADD CONSTRAINT authorizations_units_within_total
  CHECK (used_units + scheduled_units <= total_units);
