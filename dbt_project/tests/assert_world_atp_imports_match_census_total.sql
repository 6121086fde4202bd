{{ config(severity='error', meta={'dagster': {'ref': {'name': 'fct_atp_trade'}}}) }}

-- World ATP imports (general imports, customs value) = the published 0007 IYR of every complete
-- year (macros/world_atp_census_check.sql).
{{ world_atp_census_check('imports', 'stg_census__import_history', 'stg_census__import_concordance', 'imports_total_usd') }}
