{{ config(severity='error', meta={'dagster': {'ref': {'name': 'fct_atp_trade'}}}) }}

-- World ATP exports = the published 0007 EYR of every complete year (macros/world_atp_census_check.sql).
{{ world_atp_census_check('exports', 'stg_census__export_history', 'stg_census__atp_concordance', 'exports_total_usd') }}
