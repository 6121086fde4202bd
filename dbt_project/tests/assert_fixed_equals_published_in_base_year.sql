{{ config(severity='error', meta={'dagster': {'ref': {'name': 'fct_atp_trade_by_definition'}}}) }}

-- In the base year the fixed definition IS the year's own list: every partner x group value
-- must be identical under 'as_published' and 'fixed_<base year>'. Returns the differing rows.

with

by_definition as (

    select * from {{ ref('fct_atp_trade_by_definition') }}
    where year = {{ var('atp_base_year') }}

),

as_published as (

    select trade_flow, cty_code, hitech_code, value_usd from by_definition where definition = 'as_published'

),

fixed as (

    select trade_flow, cty_code, hitech_code, value_usd
    from by_definition
    where definition = 'fixed_{{ var('atp_base_year') }}'

)

select
    coalesce(as_published.trade_flow, fixed.trade_flow) as trade_flow,
    coalesce(as_published.cty_code, fixed.cty_code) as cty_code,
    coalesce(as_published.hitech_code, fixed.hitech_code) as hitech_code,
    as_published.value_usd as as_published_value_usd,
    fixed.value_usd as fixed_value_usd
from as_published
full outer join fixed
    on as_published.trade_flow = fixed.trade_flow
    and as_published.cty_code = fixed.cty_code
    and as_published.hitech_code = fixed.hitech_code
where as_published.value_usd is distinct from fixed.value_usd
