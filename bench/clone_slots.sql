-- Stores every Slot of a PostgreSQL server's database once more, under other ids: same schedule, same times, same
-- tags, same search-index rows (HAPI's HFJ_* tables), so that the analyst-search benchmark
-- (bench/analyst_searches.py --copies N) meets national-scale tables without hours of REST loading. Only HAPI's
-- tables are copied (not the server's own slot index, facts or search index): the copies are for FHIR searches.
--
--   psql -h 127.0.0.1 -U postgres -d <database> -v copy=1 -f bench/clone_slots.sql    -- then copy=2, 3, ...
--
-- Copy k takes the ids of the original plus k * 10^10 (the server's sequences are far below), its FHIR id the
-- original's with "-k" appended; the sequences are then moved to 10^14 at least, past every copy's ids, so the
-- server's next writes never collide (up to 9,999 copies). Run it with the server stopped, then ANALYZE (at the end) gives PostgreSQL the new statistics.
\set ON_ERROR_STOP on
BEGIN;
CREATE TEMP TABLE clone_setting AS SELECT (:copy)::bigint * 10000000000 AS shift, (:copy)::text AS suffix;

CREATE OR REPLACE FUNCTION pg_temp.clone(tbl text, keyed text, shifted text[], filter text) RETURNS bigint AS $$
DECLARE
	cols text;
	exprs text;
	n bigint;
BEGIN
	SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position),
	       string_agg(CASE
	                    WHEN column_name = ANY (shifted) THEN quote_ident(column_name) || ' + s.shift'
	                    WHEN column_name = 'fhir_id' THEN 'fhir_id || ''-'' || s.suffix'
	                    ELSE 't.' || quote_ident(column_name) END, ', ' ORDER BY ordinal_position)
	  INTO cols, exprs
	  FROM information_schema.columns WHERE table_schema = 'public' AND table_name = tbl;
	EXECUTE format('INSERT INTO %I (%s) SELECT %s FROM %I t, clone_setting s WHERE %s', tbl, cols, exprs, tbl,
	               replace(filter, '$key', 't.' || keyed));
	GET DIAGNOSTICS n = ROW_COUNT;
	RAISE NOTICE '%: % rows', tbl, n;
	RETURN n;
END $$ LANGUAGE plpgsql;

-- the originals only (ids below the first copy's), Slots only
CREATE TEMP TABLE original_slot AS
	SELECT res_id FROM hfj_resource WHERE res_type = 'Slot' AND res_id < 10000000000 AND res_deleted_at IS NULL;
CREATE UNIQUE INDEX ON original_slot (res_id);
ANALYZE original_slot;

SELECT pg_temp.clone('hfj_resource', 'res_id', ARRAY['res_id'], '$key IN (SELECT res_id FROM original_slot)');
SELECT pg_temp.clone('hfj_res_ver', 'res_id', ARRAY['pid', 'res_id'], '$key IN (SELECT res_id FROM original_slot)');
SELECT pg_temp.clone('hfj_res_ver_prov', 'res_pid', ARRAY['res_ver_pid', 'res_pid'], '$key IN (SELECT res_id FROM original_slot)');
SELECT pg_temp.clone('hfj_res_tag', 'res_id', ARRAY['pid', 'res_id'], '$key IN (SELECT res_id FROM original_slot)');
SELECT pg_temp.clone('hfj_history_tag', 'res_id', ARRAY['pid', 'res_ver_pid', 'res_id'], '$key IN (SELECT res_id FROM original_slot)');
SELECT pg_temp.clone('hfj_res_link', 'src_resource_id', ARRAY['pid', 'src_resource_id'], '$key IN (SELECT res_id FROM original_slot)');
SELECT pg_temp.clone('hfj_res_param_present', 'res_id', ARRAY['pid', 'res_id'], '$key IN (SELECT res_id FROM original_slot)');
SELECT pg_temp.clone('hfj_idx_cmb_tok_nu', 'res_id', ARRAY['pid', 'res_id'], '$key IN (SELECT res_id FROM original_slot)');
SELECT pg_temp.clone(t, 'res_id', ARRAY['sp_id', 'res_id'], '$key IN (SELECT res_id FROM original_slot)')
	FROM unnest(ARRAY['hfj_spidx_date', 'hfj_spidx_token', 'hfj_spidx_string', 'hfj_spidx_uri', 'hfj_spidx_number',
	                  'hfj_spidx_quantity', 'hfj_spidx_quantity_nrml', 'hfj_spidx_coords']) t;

-- every sequence past the largest id now stored
DO $$
DECLARE
	seq record;
BEGIN
	FOR seq IN SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' LOOP
		EXECUTE format('SELECT setval(%L, greatest(nextval(%L), 100000000000000))', seq.sequencename, seq.sequencename);
	END LOOP;
END $$;
COMMIT;
ANALYZE;
