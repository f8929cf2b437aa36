-- analytics: publishers' writes after a fold, for timing the slot measures over changed pairs (docs/analytics.md).
-- On the bench's rows (analytics_facts.sql, folded): for the practitioners numbered 0 mod :mod with slots between :first
-- and :last, each pair's day is marked changed as SlotFacts marks it, then 1 slot in 7 of those pairs' days is
-- withdrawn and 1 in 11 copied into département 2A (45 min), as a publisher's writes would. Hold the fold's lease
-- first (docs/analytics.md) to time the evaluations before the next fold.
--   psql -h 127.0.0.1 -U postgres -d sas_analytics -v first=2026-09-10 -v last=2026-09-11 -v mod=1 -f bench/analytics_changes.sql
CREATE TEMP TABLE changed AS
SELECT slot_id, day_key, practitioner, structure, split_part(slot_id, '-', 2)::int AS g FROM sas_an_slot
WHERE day_key BETWEEN :'first' AND :'last' AND slot_id LIKE 'bench-%' AND slot_id NOT LIKE 'bench-new-%'
  AND split_part(practitioner, '-', 2)::int % :mod = 0;
INSERT INTO sas_an_slot_change (change_id, day_key, month_key, practitioner, structure)
SELECT md5(random()::text || day_key || practitioner || coalesce(structure, ''))::uuid::text, day_key, to_char(day_key, 'YYYY-MM'),
       coalesce(practitioner, ''), coalesce(structure, '')
FROM (SELECT DISTINCT day_key, practitioner, structure FROM changed) u;
DELETE FROM sas_an_slot WHERE slot_id IN (SELECT slot_id FROM changed WHERE g % 7 = 0);
INSERT INTO sas_an_slot (slot_id, day_key, month_key, week_key, minutes, status, practitioner, structure, departement, specialty,
                         slot_type, use_case, publisher)
SELECT 'bench-new-' || s.slot_id, s.day_key, s.month_key, s.week_key, 45, s.status, s.practitioner, s.structure, '2A', s.specialty,
       s.slot_type, s.use_case, s.publisher
FROM sas_an_slot s JOIN changed c ON c.slot_id = s.slot_id WHERE c.g % 11 = 0
ON CONFLICT DO NOTHING;
SELECT count(*) AS pair_days_marked FROM (SELECT DISTINCT day_key, practitioner, structure FROM changed) u;
SELECT count(*) AS facts_of_those_pair_days FROM changed;
