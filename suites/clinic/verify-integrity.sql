-- Overbooking check: authorizations where used + scheduled units exceed the total.
-- Must return no rows; a row means concurrent requests overbooked an authorization.
\echo '=== Authorization Unit Integrity Check ==='
SELECT id, auth_number, total_units, used_units, scheduled_units,
       used_units + scheduled_units - total_units AS overbooked_by
  FROM authorizations
 WHERE used_units + scheduled_units > total_units;
\echo '=== Expected Result: 0 rows ==='

\echo '=== Summary ==='
SELECT count(*) AS authorizations,
       sum(total_units) AS authorized,
       sum(used_units) AS used,
       sum(scheduled_units) AS scheduled,
       sum(total_units - used_units - scheduled_units) AS available
  FROM authorizations;
