-- analytics: national-scale fact rows for timing $evaluate-measure on PostgreSQL (docs/analytics.md).
-- Run against the server's database once it has started (its tables exist):
--   psql -h 127.0.0.1 -U postgres -d sas_analytics -f bench/analytics_facts.sql
-- Start the server with --sas.analytics.close-initial-delay=PT12H (September is before today: the day closing would
-- move its facts into the daily aggregate) and a short --sas.analytics.fold-interval: the rows below carry no change
-- rows, the server's next fold summarises every month they cover (SAS_AN_SLOT_SUM, SAS_AN_SLOT_ACTOR).
-- September 2026 open (2,000,000 slot facts: 24,000 practitioners, 95 départements, 50 publishers), June-August
-- closed (1,000,000 daily-aggregate rows), 100,000 appointments, 100,000 audited searches, 30,000 LRM messages.
INSERT INTO sas_an_slot (slot_id, day_key, month_key, week_key, minutes, status, practitioner, structure, departement,
                         specialty, slot_type, use_case, publisher)
SELECT 'bench-' || g, d, to_char(d, 'YYYY-MM'), to_char(d, 'IYYY-"W"IW'), 15 + (g % 4) * 5,
       CASE WHEN g % 5 = 0 THEN 'busy' ELSE 'free' END, 'Practitioner/bench-' || (g % 24000),
       CASE WHEN g % 5 = 4 THEN 'Location/bench-' || (g % 600) END, lpad(((g % 95) + 1)::text, 2, '0'),
       'SM' || (g % 40), (ARRAY['PUBLIC', 'PRO', 'SNP', 'CPTS'])[g % 4 + 1],
       (ARRAY['individual', 'individual', 'individual', 'cpts', 'sos'])[g % 5 + 1], 'editeur-' || (g % 50)
FROM generate_series(1, 2000000) g, LATERAL (SELECT DATE '2026-09-01' + (g % 30) AS d) x;

INSERT INTO sas_an_slot_day (id, day_key, month_key, week_key, practitioner, structure, departement, specialty, slot_type,
                             use_case, publisher, slots, minutes)
SELECT nextval('seq_sas_an_slot_day'), d, to_char(d, 'YYYY-MM'), to_char(d, 'IYYY-"W"IW'), 'Practitioner/bench-' || (g % 24000),
       NULL, lpad(((g % 95) + 1)::text, 2, '0'), 'SM' || (g % 40), (ARRAY['PUBLIC', 'PRO', 'SNP', 'CPTS'])[g % 4 + 1],
       (ARRAY['individual', 'individual', 'individual', 'cpts', 'sos'])[g % 5 + 1], 'editeur-' || (g % 50), 1 + g % 6, 20 * (1 + g % 6)
FROM generate_series(1, 1000000) g, LATERAL (SELECT DATE '2026-06-01' + (g % 92) AS d) x;
INSERT INTO sas_an_closed_day (day_key, closed_at, slots)
SELECT DATE '2026-06-01' + i, now(), 0 FROM generate_series(0, 91) i ON CONFLICT DO NOTHING;

INSERT INTO sas_an_appointment (appointment_id, day_key, month_key, week_key, status, orientation, departement, specialty,
                                use_case, publisher)
SELECT 'bench-' || g, d, to_char(d, 'YYYY-MM'), to_char(d, 'IYYY-"W"IW'), (ARRAY['booked', 'fulfilled', 'cancelled', 'noshow'])[g % 4 + 1],
       lpad(((g % 3) + 1)::text, 3, '0'), lpad(((g % 95) + 1)::text, 2, '0'), 'SM' || (g % 40),
       (ARRAY['individual', 'individual', 'sos'])[g % 3 + 1], 'editeur-' || (g % 50)
FROM generate_series(1, 100000) g, LATERAL (SELECT DATE '2026-06-01' + (g % 122) AS d) x;

INSERT INTO sas_audit (id, recorded_at, who, role, address, interaction, target, status, detail)
SELECT 100000000 + g, TIMESTAMP '2026-06-01' + (g % 122) * INTERVAL '1 day' + (g % 86400) * INTERVAL '1 second',
       'lrm-' || (g % 20), 'LRM', '10.0.0.1',
       CASE WHEN g % 3 = 0 THEN 'extended-operation-type $contextual-search' ELSE 'search-type' END,
       CASE WHEN g % 3 = 0 THEN 'Slot/$contextual-search?inseecode=35238&origin=LRM' || (g % 20)
            ELSE 'Slot?schedule.actor:Practitioner.identifier=urn:oid:1.2.250.1.71.4.2.1|8100000' || g || '&status=free' END,
       200, NULL
FROM generate_series(1, 100000) g;

INSERT INTO sas_lrm_message (id, distribution_id, appointment, appointment_uuid, method, recipient, body, state, recorded_at,
                             expires_at, sent_at, attempts, error_code, detail)
SELECT 100000000 + g, 'bench-' || g, 'Appointment/bench-' || g, md5(g::text)::uuid::text, 'create',
       'fr.health.samu' || lpad(((g % 95) + 1)::text, 2, '0') || '0', NULL,
       (ARRAY['SENT', 'ACKNOWLEDGED', 'ACKNOWLEDGED', 'ERROR', 'PENDING'])[g % 5 + 1],
       TIMESTAMP '2026-06-01' + (g % 122) * INTERVAL '1 day', TIMESTAMP '2026-12-31', NULL, 1, NULL, NULL
FROM generate_series(1, 30000) g;
ANALYZE sas_an_slot; ANALYZE sas_an_slot_day; ANALYZE sas_an_appointment; ANALYZE sas_audit; ANALYZE sas_lrm_message;
