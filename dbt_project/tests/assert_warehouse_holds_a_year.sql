{{ config(severity='error', meta={'dagster': {'ref': {'name': 'fct_atp_exports'}}}) }}

-- A build with no loaded year has nothing to publish: every mart would be empty and every other
-- test would pass on empty tables. Returns one row (the failure) when fct_atp_exports is empty:
-- load at least one year (atp refresh --years ...).

select 'no year is loaded: fct_atp_exports is empty' as problem
where not exists (select 1 from {{ ref('fct_atp_exports') }})
