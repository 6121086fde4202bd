{{ config(severity='error', meta={'dagster': {'ref': {'name': 'fct_atp_exports_by_definition'}}}) }}

-- In the base year the fixed definition IS the year's own list: every partner x group value
-- must be identical under 'as_published' and 'fixed_<base year>'. Returns the differing rows.

with

by_definition as (

    select * from {{ ref('fct_atp_exports_by_definition') }}
    where year = {{ var('atp_base_year') }}

),

as_published as (

    select cty_code, hitech_code, export_value_usd from by_definition where definition = 'as_published'

),

fixed as (

    select cty_code, hitech_code, export_value_usd
    from by_definition
    where definition = 'fixed_{{ var('atp_base_year') }}'

)

select
    coalesce(as_published.cty_code, fixed.cty_code) as cty_code,
    coalesce(as_published.hitech_code, fixed.hitech_code) as hitech_code,
    as_published.export_value_usd as as_published_value_usd,
    fixed.export_value_usd as fixed_value_usd
from as_published
full outer join fixed
    on as_published.cty_code = fixed.cty_code
    and as_published.hitech_code = fixed.hitech_code
where as_published.export_value_usd is distinct from fixed.export_value_usd
